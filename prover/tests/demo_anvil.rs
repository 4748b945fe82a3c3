//! Issue 6's end-to-end test: `bulwark demo`'s flow through alloy against anvil (from npm,
//! installed by `verifier-contracts/install.sh`). One batch of deposits, transfers and
//! withdrawals is proved (leaves, aggregation, ROOT, wrap, Groth16), committed, proved and
//! executed on the node; the test checks that the finalized root equals the state store's,
//! that deposits and withdrawals balance against the hub's escrow, that the claimed
//! withdrawal arrived, and that L1 refuses, in words, the proof for another root, batch or
//! chain, a replayed batch and a second claim.
//!
//! Uses the default circuit cache, so the development Groth16 keys are made once per
//! machine (minutes) and shared with `bulwark demo`.

use bulwark_contracts::anvil::Anvil;
use bulwark_contracts::backend::DEV_KEYS;
use bulwark_prover::demo::{self, DemoOptions, L1Choice};

#[test]
fn demo_settles_a_batch_on_anvil() {
    let anvil = Anvil::start().expect("anvil starts");
    let opts = DemoOptions {
        ops: 64,
        l1: L1Choice::Rpc {
            url: anvil.url().to_string(),
            private_key: DEV_KEYS[0].to_string(),
        },
        quiet: true,
        ..DemoOptions::default()
    };
    let r = demo::run(&opts).unwrap_or_else(|e| panic!("the demo failed on anvil: {e:#}"));

    assert_eq!(r.ops, 64);
    assert!(
        r.deposits > 0 && r.transfers > 0 && r.withdrawals > 0,
        "{r:?}"
    );
    assert_eq!(r.l1_root, r.store_root, "L1 finalized another root");
    assert_eq!(r.deposited, r.withdrawn + r.l2_balances);
    assert_eq!(
        r.l1_escrow, r.l2_balances,
        "the hub's escrow differs from L2 balances"
    );
    let claimed: u128 = r.claimed_wei.parse().unwrap();
    assert!(
        claimed > 0 && claimed % 1_000_000_000 == 0,
        "claimed {claimed} wei"
    );

    let reasons: Vec<&str> = r.refusals.iter().map(|f| f.reason.as_str()).collect();
    assert_eq!(reasons.len(), 5, "{reasons:?}");
    for (i, what) in [
        (0, "another root"),
        (3, "another batch"),
        (4, "another chain"),
    ] {
        assert!(
            reasons[i].contains("ProofInvalid"),
            "proof for {what}: {}",
            reasons[i]
        );
    }
    assert!(
        reasons[1].contains("WrongBatch") || reasons[1].contains("UnknownBatch"),
        "replay: {}",
        reasons[1]
    );
    assert!(
        reasons[2].contains("NothingToClaim"),
        "second claim: {}",
        reasons[2]
    );
    for g in ["commitBatch", "proveBatch", "executeBatch", "claim"] {
        let row = r
            .gas
            .iter()
            .find(|row| row.step == g)
            .unwrap_or_else(|| panic!("no gas row {g}"));
        assert!(row.gas > 21_000, "{g}: {} gas", row.gas);
    }
}
