//! One full hub round through [`HubClient`] on any [`L1Backend`], with the boundary
//! refusals: the keyed verifier deployed for the fixture key, the hub, governance (route +
//! chain 7), a bond, deposits, commit -> prove -> execute -> claim of the scenario batch,
//! and a proof for the wrong chain, batch or root, a replayed batch and a second claim each
//! refused in words. The revm and anvil tests run it; it returns each step's gas.

use std::collections::BTreeMap;

use alloy::primitives::{Address, U256};
use ark_bn254::Fr;
use ark_ff::PrimeField;
use bulwark_contracts::{
    proof_words, public_input, withdrawals_from_pubdata, BatchHeader, ChainConfig, ContractsError,
    HubClient, L1Backend, ProofFile, Sent, VkFile,
};

use super::{
    crate_dir, keys, prove, scenario_header, scenario_pubdata, SCENARIO_RECIPIENT, TEST_DIGEST,
};

/// The scenario's consumer chain.
pub const CHAIN: u64 = 7;
/// One gwei, the L2 unit.
pub const GWEI: u64 = 1_000_000_000;

/// The fixture key (`test/fixtures/vk.json`).
pub fn fixture_vk() -> VkFile {
    VkFile::from_json(&std::fs::read_to_string(crate_dir().join("test/fixtures/vk.json")).unwrap())
        .unwrap()
}

/// The fixture proof (`test/fixtures/proof.json`): its words and public input.
pub fn fixture_proof() -> ([[u8; 32]; 8], [u8; 32]) {
    let file = ProofFile::from_json(
        &std::fs::read_to_string(crate_dir().join("test/fixtures/proof.json")).unwrap(),
    )
    .unwrap();
    let word = |s: &str| -> [u8; 32] { hex::decode(&s[2..]).unwrap().try_into().unwrap() };
    (
        std::array::from_fn(|i| word(&file.proof[i])),
        word(&file.public_input),
    )
}

/// A proof of `header`'s public input (the test circuit proves any input).
fn proof_for(header: &BatchHeader) -> [[u8; 32]; 8] {
    let (pk, _) = keys();
    proof_words(&prove(
        &pk,
        Fr::from_be_bytes_mod_order(&public_input(header)),
        9,
    ))
}

fn refused<T: std::fmt::Debug>(r: Result<T, ContractsError>) -> String {
    match r {
        Err(e @ ContractsError::Reverted { .. }) => e.to_string(),
        other => panic!("expected a revert, got {other:?}"),
    }
}

/// A step's cost: gas used and calldata tokens (EIP-7623).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cost {
    /// Gas used.
    pub gas: u64,
    /// Calldata tokens (zero bytes + 4 × non-zero bytes).
    pub tokens: u64,
}

fn cost<T>(s: &Sent<T>) -> Cost {
    Cost {
        gas: s.gas_used,
        tokens: s.calldata_tokens,
    }
}

/// Runs the round; returns the cost of each step by name.
pub fn round<B: L1Backend>(l1: B) -> BTreeMap<&'static str, Cost> {
    let mut gas = BTreeMap::new();
    let accounts = l1.accounts();
    let (owner, user) = (accounts[0], accounts[1]);
    let recipient = Address::new(SCENARIO_RECIPIENT);

    let (mut hub, deployed) =
        HubClient::deploy(l1, &fixture_vk(), owner, Address::repeat_byte(0x99)).unwrap();
    gas.insert("deploy verifier + hub", cost(&deployed));

    // The keyed verifier holds the fixture key: its digest, a real proof verifies, a
    // flipped input does not.
    assert_eq!(hub.circuit_digest().unwrap(), TEST_DIGEST);
    let (proof, input) = fixture_proof();
    hub.verify_proof(&proof, input).unwrap();
    let mut flipped = input;
    flipped[31] ^= 1;
    assert_eq!(
        refused(hub.verify_proof(&proof, flipped)),
        "verifyProof reverted: ProofInvalid(ProofInvalid)"
    );

    let chain = ChainConfig {
        chain_id: CHAIN,
        genesis_root: [0x11; 32],
        operator: owner,
        max_balance: (1 << 62) - 1,
        tree_depth: 32,
        ops_per_leaf: 2,
        max_leaves: 64,
    };
    let route = hub.register_chain(owner, &chain).unwrap();
    assert_eq!((route.value, route.transactions), (0, 4));
    gas.insert("governance: addRoute + registerChain", cost(&route));
    let one_ether = U256::from(10u64).pow(U256::from(18));
    gas.insert("bond", cost(&hub.bond(owner, one_ether).unwrap()));

    let deposit = hub
        .deposit_new(user, CHAIN, &[0xab; 40], U256::from(1_000_000 * GWEI))
        .unwrap();
    assert_eq!(
        (
            deposit.value.queue_index,
            deposit.value.account,
            deposit.value.amount
        ),
        (0, 0, 1_000_000)
    );
    gas.insert("depositNew", cost(&deposit));
    assert_eq!(
        refused(hub.deposit_to(user, CHAIN, 5, U256::from(GWEI))),
        "depositTo reverted: UnknownAccount(UnknownAccount { account: 5 })"
    );
    assert_eq!(hub.account_count(CHAIN).unwrap(), 1);
    assert_eq!(hub.deposit_count(CHAIN).unwrap(), 1);

    // Commit: the hub's public input is the Rust reference's for this hub's address.
    let pubdata = scenario_pubdata();
    let header = scenario_header(hub.hub().into_array());
    let committed = hub
        .commit_batch(owner, CHAIN, header.new_root, 0, &pubdata)
        .unwrap();
    let info = committed.value.clone();
    assert_eq!(info.publicInput.0, public_input(&header));
    assert_eq!(info.batchIndex, 0);
    gas.insert("commitBatch", cost(&committed));

    // Proofs for another chain, batch or root are refused; so is a flipped proof word.
    for (what, wrong) in [
        (
            "chain",
            BatchHeader {
                chain_id: 8,
                ..header.clone()
            },
        ),
        (
            "batch",
            BatchHeader {
                batch_index: 1,
                ..header.clone()
            },
        ),
        (
            "root",
            BatchHeader {
                new_root: [0x33; 32],
                ..header.clone()
            },
        ),
        (
            "hub",
            BatchHeader {
                hub: [0x44; 20],
                ..header.clone()
            },
        ),
    ] {
        let reason = refused(hub.prove_batch(owner, CHAIN, &info, &proof_for(&wrong)));
        assert_eq!(
            reason, "proveBatch reverted: ProofInvalid(ProofInvalid)",
            "wrong {what}"
        );
    }
    let good = proof_for(&header);
    let mut bad = good;
    bad[7][31] ^= 1;
    let reason = refused(hub.prove_batch(owner, CHAIN, &info, &bad));
    assert!(
        reason.contains("ProofMalformed") || reason.contains("ProofInvalid"),
        "{reason}"
    );
    // Someone else's record of the batch is refused before the proof is looked at.
    let mut forged = info.clone();
    forged.newRoot = [0x33; 32].into();
    assert_eq!(
        refused(hub.prove_batch(owner, CHAIN, &forged, &good)),
        "proveBatch reverted: UnknownBatch(UnknownBatch { batchIndex: 0 })"
    );

    let proved = hub.prove_batch(owner, CHAIN, &info, &good).unwrap();
    gas.insert("proveBatch", cost(&proved));
    // The proved batch cannot be proved again.
    assert_eq!(
        refused(hub.prove_batch(owner, CHAIN, &info, &good)),
        "proveBatch reverted: WrongBatch(WrongBatch { expected: 1, got: 0 })"
    );

    // Execute credits the withdrawal (built from the pubdata); claim pays it, once.
    let withdrawals = withdrawals_from_pubdata(&pubdata).unwrap();
    let mut expected = SCENARIO_RECIPIENT.to_vec();
    expected.extend(400_000u64.to_be_bytes());
    assert_eq!(withdrawals, expected);
    assert_eq!(
        refused(hub.execute_batch(owner, CHAIN, &info, &withdrawals[..27])),
        "executeBatch reverted: BadWithdrawals(BadWithdrawals)"
    );
    let executed = hub
        .execute_batch(owner, CHAIN, &info, &withdrawals)
        .unwrap();
    gas.insert("executeBatch", cost(&executed));
    assert_eq!(
        refused(hub.execute_batch(owner, CHAIN, &info, &withdrawals)),
        "executeBatch reverted: WrongBatch(WrongBatch { expected: 1, got: 0 })"
    );
    assert_eq!(hub.finalized_root(CHAIN).unwrap(), header.new_root);
    assert_eq!(
        hub.withdrawable(recipient).unwrap(),
        U256::from(400_000 * GWEI)
    );

    let before = hub.l1().balance(recipient).unwrap();
    let claimed = hub.claim(user, recipient).unwrap();
    assert_eq!(claimed.value, U256::from(400_000 * GWEI));
    gas.insert("claim", cost(&claimed));
    assert_eq!(
        hub.l1().balance(recipient).unwrap() - before,
        U256::from(400_000 * GWEI)
    );
    assert_eq!(
        refused(hub.claim(user, recipient)),
        "claim reverted: NothingToClaim(NothingToClaim)"
    );
    // Deposits and withdrawals balance: 1,000,000 in, 400,000 out.
    assert_eq!(hub.escrow(CHAIN).unwrap(), U256::from(600_000 * GWEI));
    let counters = hub.chain_counters(CHAIN).unwrap();
    assert_eq!(
        (
            counters.committed,
            counters.proved,
            counters.executed,
            counters.deposit_executed
        ),
        (1, 1, 1, 1)
    );
    for (step, c) in &gas {
        println!(
            "{step:>40}: {:>9} gas ({} calldata tokens)",
            c.gas, c.tokens
        );
    }
    gas
}
