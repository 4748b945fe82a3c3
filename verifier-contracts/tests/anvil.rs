//! End to end on a real node: starts anvil (npm `@foundry-rs/anvil-linux-amd64`, installed by
//! `install.sh`) and runs `common::round` through [`RpcL1`] (alloy over HTTP): the keyed
//! verifier deployed for the fixture key and the hub, a real Groth16 proof verified
//! on-chain, one batch settled (depositNew -> commit -> prove with a proof made for this
//! hub's address -> execute -> claim), and the boundary refusals in words. Then the same
//! round on the in-process L1 (revm) costs the same gas, step by step.

mod common;

use std::sync::mpsc;
use std::time::Duration;

use bulwark_contracts::anvil::Anvil;
use bulwark_contracts::backend::dev_signers;
use bulwark_contracts::{InProcessL1, L1Backend, RpcL1};
use common::round::round;

/// Runs `f` on its own thread; fails the test if it takes longer than `seconds`.
fn within<T: Send + 'static>(
    seconds: u64,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(seconds)) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("FAILURE: {what} took over {seconds} s (see the last step printed)")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("FAILURE: {what} panicked (above)"),
    }
}

#[test]
fn full_round_on_anvil_costs_what_it_costs_on_revm() {
    let anvil = Anvil::start().unwrap_or_else(|e| panic!("FAILURE: {e}"));
    let url = anvil.url().to_string();
    let on_anvil = within(180, "the anvil round", move || {
        let l1 = RpcL1::connect(&url, dev_signers()).unwrap();
        assert_eq!(l1.chain_id(), InProcessL1::new().chain_id());
        round(l1)
    });
    drop(anvil);
    let on_revm = round(InProcessL1::new());
    // The same transactions, so the same gas; only the calldata may differ (BatchInfo
    // carries the commit's timestamp, and the two chains' clocks differ), at 4 gas a
    // calldata token (no step here pays EIP-7623's floor).
    assert_eq!(
        on_anvil.keys().collect::<Vec<_>>(),
        on_revm.keys().collect::<Vec<_>>()
    );
    for (step, a) in &on_anvil {
        let r = on_revm[step];
        println!(
            "{step:>40}: anvil {:>9} gas, revm {:>9} gas ({} / {} calldata tokens)",
            a.gas, r.gas, a.tokens, r.tokens
        );
        assert_eq!(
            a.gas as i64 - 4 * a.tokens as i64,
            r.gas as i64 - 4 * r.tokens as i64,
            "{step}: anvil and revm charge different gas"
        );
    }
}

#[test]
fn an_unreachable_node_or_a_bad_url_is_a_clear_error() {
    // Nothing listens on port 9 (discard): connecting fails with the call named.
    let err = RpcL1::connect("http://127.0.0.1:9", dev_signers()).unwrap_err();
    assert!(
        err.to_string().starts_with("eth_chainId: JSON-RPC failed"),
        "{err}"
    );
    let err = RpcL1::connect("not a url", dev_signers()).unwrap_err();
    assert!(err.to_string().contains("l1 url"), "{err}");
}
