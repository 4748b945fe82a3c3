//! The leaf circuit against the executor: differential (same roots, same commitment) and
//! forged witnesses that bypass the executor's checks (each must be unprovable).

use bulwark_circuits::leaf::{leaf_commitment, LeafCircuit, LeafInputs, LeafParams, PublicValues};
use bulwark_circuits::op::SlotParams;
use bulwark_state::op::EXISTING_ACCOUNT;
use bulwark_state::{
    Account, Batch, BatchOutcome, ChainConfig, LeafUpdate, Op, OpWitness, SecretKey, StateStore,
    WitnessLayout,
};
use plonky2::plonk::circuit_data::CircuitConfig;
use rand::SeedableRng;
use std::sync::OnceLock;

const CHAIN_ID: u64 = 0x1_0000_0007;
const OPS: usize = 8;
const MAX_BALANCE: u64 = 5_000_000_000;

fn circuit() -> &'static LeafCircuit {
    static CIRCUIT: OnceLock<LeafCircuit> = OnceLock::new();
    CIRCUIT.get_or_init(|| {
        LeafCircuit::build(
            LeafParams {
                slot: SlotParams {
                    depth: 32,
                    max_balance: MAX_BALANCE,
                },
                ops: OPS,
            },
            CircuitConfig::standard_recursion_config(),
        )
    })
}

fn keys() -> Vec<SecretKey> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
    (0..6).map(|_| SecretKey::random(&mut rng)).collect()
}

fn config() -> ChainConfig {
    ChainConfig {
        max_balance: MAX_BALANCE,
        ..ChainConfig::new(CHAIN_ID)
    }
}

/// A state with accounts 0..4 funded, then a mixed batch (fees to account 0) applied with
/// witnesses for one leaf of all its ops; returns the second batch's outcome (the one the
/// tests prove) and the store after it.
fn mixed_batch() -> (tempfile::TempDir, StateStore, BatchOutcome, Vec<Op>) {
    mixed_batch_ending_with(None, WitnessLayout::WHOLE_BATCH)
}

/// [`mixed_batch`] with its last op (a withdrawal by account 1) replaced by `last`, and
/// witnesses laid out as `layout`.
fn mixed_batch_ending_with(
    last: Option<Op>,
    layout: WitnessLayout,
) -> (tempfile::TempDir, StateStore, BatchOutcome, Vec<Op>) {
    let keys = keys();
    let dir = tempfile::tempdir().unwrap();
    let mut store = StateStore::genesis(dir.path(), config()).unwrap();
    let mut funding = Batch::new(CHAIN_ID, 0);
    for (i, k) in keys.iter().take(4).enumerate() {
        funding.ops.push(Op::Deposit {
            queue_index: i as u64,
            account: i as u32,
            public_key: k.public_key().to_bytes(),
            amount: 1_000_000 * (i as u64 + 1),
        });
    }
    store.apply_batch(&funding).unwrap();
    let mut batch = Batch::new(CHAIN_ID, 0);
    batch.ops = vec![
        Op::signed_transfer(&keys[1], CHAIN_ID, 1, 2, 12_345, 7, 0),
        Op::Deposit {
            queue_index: 4,
            account: 4_000_000_000,
            public_key: keys[4].public_key().to_bytes(),
            amount: 99,
        },
        Op::signed_withdraw(&keys[2], CHAIN_ID, 2, [0xab; 20], 500_000, 3, 0),
        Op::signed_transfer(&keys[3], CHAIN_ID, 3, 3, 40_000_000_000 / 10_000, 0, 0),
        Op::Noop,
        Op::Deposit {
            queue_index: 5,
            account: 1,
            public_key: EXISTING_ACCOUNT,
            amount: 1,
        },
        Op::signed_transfer(&keys[1], CHAIN_ID, 1, 4_000_000_000, 1_230_000, 2040, 1),
        Op::signed_withdraw(&keys[1], CHAIN_ID, 1, [0x01; 20], 1, 0, 2),
    ];
    if let Some(last) = last {
        *batch.ops.last_mut().unwrap() = last;
    }
    let ops = batch.ops.clone();
    let outcome = store.apply_batch_with(&batch, layout, &mut |_| {}).unwrap();
    (dir, store, outcome, ops)
}

fn inputs(outcome: &BatchOutcome) -> LeafInputs {
    LeafInputs {
        old_root: outcome.old_root,
        deposit_first: outcome.deposits.0,
        fee_recipient: 0,
        chain_id: CHAIN_ID,
    }
}

#[test]
fn leaf_matches_the_executor() {
    let (_dir, _store, outcome, ops) = mixed_batch();
    let c = circuit();
    let proof = c
        .prove(
            &inputs(&outcome),
            &outcome.witnesses,
            &outcome.fee_flushes[0],
        )
        .unwrap();
    c.data.verify(proof.clone()).unwrap();
    let values = PublicValues::from_proof(&proof);
    assert_eq!(
        values,
        PublicValues {
            old_root: outcome.old_root,
            new_root: outcome.new_root,
            deposit_first: 4,
            deposit_last: 6,
            fee_recipient: 0,
            chain_id: CHAIN_ID,
            commitment: leaf_commitment(&ops).unwrap(),
        }
    );
}

/// The last op of the mixed batch is a withdrawal by account 1 (nonce 2, 1 unit to
/// 0x0101…, fee 0). Forgeries replace it, so that no later op's Merkle proof depends on
/// it and each breaks exactly one check; the controls show that the same replacement with
/// the check satisfied proves. Only the leaf's fee flush follows it: the fee recipient,
/// account 0, is account 1's sibling leaf, so [`prove_forged`] re-derives that one
/// sibling from account 1 as the replacement leaves it. (Overdraft is covered by the
/// executor, `tests/constraints.rs` and `gated_range_check` on the debit.)
fn last_op(w: &mut [OpWitness], op: Op, deposit: bool) {
    let last = w.last_mut().unwrap();
    last.op = op;
    if deposit {
        // A deposit updates only its recipient: account 1, as the withdrawal's signer.
        last.updates.truncate(1);
    }
}

/// A deposit crediting account 1 (it exists: the all-zero key).
fn deposit_to_1(queue_index: u64, amount: u64) -> Op {
    Op::Deposit {
        queue_index,
        account: 1,
        public_key: EXISTING_ACCOUNT,
        amount,
    }
}

type Forgery = Box<dyn Fn(&mut Vec<OpWitness>, &mut LeafInputs)>;

/// Account 1 as the circuit computes it after `op`, from `before` (unchecked: a forged
/// op may overflow or overdraw).
fn account_1_after(op: &Op, before: &Account) -> Account {
    match *op {
        Op::Withdraw { amount, fee, .. } => Account {
            balance: before.balance.wrapping_sub(amount + fee),
            nonce: before.nonce + 1,
            ..*before
        },
        Op::Deposit {
            amount, public_key, ..
        } => Account {
            balance: before.balance + amount,
            public_key: if public_key == EXISTING_ACCOUNT {
                before.public_key
            } else {
                public_key
            },
            ..*before
        },
        _ => unreachable!("the forgeries end with a withdrawal or a deposit"),
    }
}

/// The leaf's fee flush after the (possibly replaced) last op: the executor's, with the
/// sibling that is account 1's leaf re-derived.
fn flush_after(outcome: &BatchOutcome, ops: &[OpWitness]) -> LeafUpdate {
    let mut flush = outcome.fee_flushes[0].clone();
    assert_eq!((flush.index, inputs(outcome).fee_recipient), (0, 0));
    let last = ops.last().unwrap();
    if let Some(u) = last.updates.first().filter(|u| u.index == 1) {
        flush.proof.siblings[0] = account_1_after(&last.op, &u.before).leaf_hash();
    }
    flush
}

fn prove_forged(outcome: &BatchOutcome, forge: &Forgery) -> bool {
    let mut ops = outcome.witnesses.clone();
    let mut inputs = inputs(outcome);
    forge(&mut ops, &mut inputs);
    let flush = flush_after(outcome, &ops);
    let c = circuit();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let pw = c.witness(&inputs, &ops, &flush)?;
        let proof = c.data.prove(pw)?;
        c.data.verify(proof)
    }));
    matches!(result, Ok(Ok(())))
}

#[test]
fn controls_for_the_forgeries_prove() {
    let (_dir, _store, outcome, _) = mixed_batch();
    let controls: Vec<(&str, Forgery)> = vec![
        (
            "another validly signed withdrawal",
            Box::new(move |w, _| {
                let op = Op::signed_withdraw(&keys()[1], CHAIN_ID, 1, [2; 20], 1, 0, 2);
                last_op(w, op, false)
            }),
        ),
        (
            "a valid deposit in the last slot",
            Box::new(move |w, _| last_op(w, deposit_to_1(6, 5), true)),
        ),
    ];
    for (what, forge) in controls {
        assert!(prove_forged(&outcome, &forge), "control failed: {what}");
    }
}

/// Each forgery changes one thing in an otherwise valid witness.
#[test]
fn forged_witnesses_cannot_be_proved() {
    let (_dir, _store, outcome, _) = mixed_batch();
    let withdraw = |key: usize, chain: u64, to: [u8; 20], amount: u64, nonce: u32| {
        Op::signed_withdraw(&keys()[key], chain, 1, to, amount, 0, nonce)
    };
    let forgeries: Vec<(&str, Forgery)> = vec![
        (
            "signed by another key",
            Box::new(move |w, _| last_op(w, withdraw(2, CHAIN_ID, [1; 20], 1, 2), false)),
        ),
        (
            "wrong nonce (signed for 3, account at 2)",
            Box::new(move |w, _| last_op(w, withdraw(1, CHAIN_ID, [1; 20], 1, 3), false)),
        ),
        (
            "signed for another chain",
            Box::new(move |w, _| last_op(w, withdraw(1, CHAIN_ID + 1, [1; 20], 1, 2), false)),
        ),
        (
            "address changed after signing",
            Box::new(|w, _| {
                if let Op::Withdraw { to_l1, .. } = &mut w[7].op {
                    to_l1[19] ^= 1;
                }
            }),
        ),
        (
            "balance overflow",
            Box::new(|w, _| last_op(w, deposit_to_1(6, MAX_BALANCE), true)),
        ),
        (
            "deposit out of queue order",
            Box::new(|w, _| last_op(w, deposit_to_1(7, 5), true)),
        ),
        (
            "zero deposit",
            Box::new(|w, _| last_op(w, deposit_to_1(6, 0), true)),
        ),
        (
            "a deposit creating an account (with a key, even its own) in an existing slot",
            Box::new(|w, _| {
                let op = Op::Deposit {
                    queue_index: 6,
                    account: 1,
                    public_key: keys()[1].public_key().to_bytes(),
                    amount: 5,
                };
                last_op(w, op, true)
            }),
        ),
        (
            "wrong Merkle path",
            Box::new(|w, _| {
                w[7].updates[0].proof.siblings[7].elements[0] += plonky2::field::types::Field::ONE;
            }),
        ),
        (
            "wrong account before",
            Box::new(|w, _| w[7].updates[0].before.balance += 1),
        ),
        (
            "wrong old root",
            Box::new(|_, i| i.old_root.elements[2] += plonky2::field::types::Field::ONE),
        ),
        (
            "op dropped (noop in its place)",
            Box::new(|w, _| {
                w[0] = OpWitness {
                    op: Op::Noop,
                    updates: vec![],
                }
            }),
        ),
    ];
    for (what, forge) in forgeries {
        assert!(
            !prove_forged(&outcome, &forge),
            "{what}: a forged witness produced a verifying proof"
        );
    }
}

/// A deposit with the all-zero key credits an existing account: into an empty slot it
/// cannot be proved. The control is the executor's own witness of a deposit creating
/// account 5 as the last op; the forgery only zeroes its key.
#[test]
fn zero_key_deposit_into_an_empty_slot_cannot_be_proved() {
    let create = Op::Deposit {
        queue_index: 6,
        account: 5,
        public_key: keys()[5].public_key().to_bytes(),
        amount: 5,
    };
    let (_dir, _store, outcome, _) =
        mixed_batch_ending_with(Some(create), WitnessLayout::WHOLE_BATCH);
    let control: Forgery = Box::new(|_, _| {});
    assert!(
        prove_forged(&outcome, &control),
        "the executor's witness proves"
    );
    let forged: Forgery = Box::new(|w, _| {
        if let Op::Deposit { public_key, .. } = &mut w[7].op {
            *public_key = EXISTING_ACCOUNT;
        }
    });
    assert!(!prove_forged(&outcome, &forged));
}

mod aggregation {
    use super::*;
    use bulwark_circuits::node::{public_values, Aggregation, Proof};

    /// Leaves of two ops each over the mixed batch, aggregated to one node proof.
    #[test]
    fn four_leaves_aggregate_to_the_executor_s_outcome() {
        let (_dir, _store, outcome, ops) =
            mixed_batch_ending_with(None, WitnessLayout::leaves_of(2));
        let leaf = LeafCircuit::build(
            LeafParams {
                slot: SlotParams {
                    depth: 32,
                    max_balance: MAX_BALANCE,
                },
                ops: 2,
            },
            CircuitConfig::standard_recursion_config(),
        );
        let agg =
            Aggregation::build(&leaf.data, &CircuitConfig::standard_recursion_config()).unwrap();
        println!(
            "leaf degree 2^{}, aggregation degree 2^{}",
            leaf.data.common.degree_bits(),
            agg.node.data.common.degree_bits()
        );
        // Prove the four leaves, chaining roots and deposit counters as the executor did.
        let mut leaves: Vec<Proof> = Vec::new();
        let mut root = outcome.old_root;
        let mut next_deposit = outcome.deposits.0;
        for (chunk, flush) in outcome.witnesses.chunks(2).zip(&outcome.fee_flushes) {
            let inputs = LeafInputs {
                old_root: root,
                deposit_first: next_deposit,
                fee_recipient: 0,
                chain_id: CHAIN_ID,
            };
            let proof = leaf.prove(&inputs, chunk, flush).unwrap();
            let v = PublicValues::from_proof(&proof);
            assert_eq!(
                v.new_root, flush.root_after,
                "the leaf ends with the fee flush"
            );
            root = v.new_root;
            next_deposit = v.deposit_last;
            leaves.push(proof);
        }
        let node_vd = &agg.node.data.verifier_only;
        let a = agg.pair.prove(&leaves[0], &leaves[1], node_vd).unwrap();
        let b = agg.pair.prove(&leaves[2], &leaves[3], node_vd).unwrap();
        let top = agg.node.prove((&a, false), (&b, false)).unwrap();
        agg.node.verify(&top).unwrap();

        use sha2::{Digest, Sha256};
        let c = |i: usize| leaf_commitment(&ops[2 * i..2 * i + 2]).unwrap();
        let pair =
            |x: [u8; 32], y: [u8; 32]| -> [u8; 32] { Sha256::digest([x, y].concat()).into() };
        let expected = pair(pair(c(0), c(1)), pair(c(2), c(3)));
        assert_eq!(
            public_values(&top),
            PublicValues {
                old_root: outcome.old_root,
                new_root: outcome.new_root,
                deposit_first: 4,
                deposit_last: 6,
                fee_recipient: 0,
                chain_id: CHAIN_ID,
                commitment: expected,
            }
        );

        // A node over node proofs (the same circuit at the next level) also verifies.
        let up = agg.node.prove((&top, true), (&top, true));
        assert!(
            up.is_err() || agg.node.verify(&up.unwrap()).is_err(),
            "a node joined two copies of the same (non-adjacent) child"
        );

        // Non-adjacent children: swapped order.
        let swapped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            agg.node.prove((&b, false), (&a, false))
        }));
        assert!(!matches!(swapped, Ok(Ok(ref p)) if agg.node.verify(p).is_ok()));

        // A pair proof presented as a node proof fails the cyclic verifier-data check.
        let lying = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            agg.node.prove((&a, true), (&b, false))
        }));
        assert!(!matches!(lying, Ok(Ok(ref p)) if agg.node.verify(p).is_ok()));

        // A tampered public input of a child.
        let mut forged = b.clone();
        forged.public_inputs[4] += plonky2::field::types::Field::ONE;
        let tampered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            agg.node.prove((&a, false), (&forged, false))
        }));
        assert!(!matches!(tampered, Ok(Ok(ref p)) if agg.node.verify(p).is_ok()));

        // A tampered top proof.
        let mut bad = top.clone();
        bad.public_inputs[0] += plonky2::field::types::Field::ONE;
        assert!(agg.node.verify(&bad).is_err());

        root_circuit(&agg, &top, &a, &leaves);
    }

    /// The root over the top node proof: its 8 public inputs are the SHA-256 words of the
    /// hub's native header; another circuit's proof, a node proof carrying other verifier
    /// data, a tampered node public value and a header word out of range cannot be proved.
    fn root_circuit(agg: &Aggregation, top: &Proof, pair_proof: &Proof, leaves: &[Proof]) {
        use bulwark_circuits::root::{digest_words, RootCircuit};
        use bulwark_contracts::l1::{public_input, BatchHeader};
        use bulwark_state::tree::hash_to_bytes;

        let root =
            RootCircuit::build(&agg.node, CircuitConfig::standard_recursion_config()).unwrap();
        println!("root degree 2^{}", root.data.common.degree_bits());
        let hub = [0xc4; 20];
        let proves = |node: &Proof, hub: [u8; 20], index: u64| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let p = root.prove(node, hub, index)?;
                root.verify(&p)?;
                anyhow::Ok(p)
            }))
            .ok()
            .and_then(|r| r.ok())
        };
        let v = public_values(top);
        for (hub, index) in [
            (hub, 7u64),
            (core::array::from_fn(|i| 0xf0 ^ i as u8), u64::MAX),
        ] {
            let proof = proves(top, hub, index).expect("the root proves");
            let header = BatchHeader {
                chain_id: v.chain_id,
                hub,
                batch_index: index,
                old_root: hash_to_bytes(&v.old_root),
                new_root: hash_to_bytes(&v.new_root),
                deposit_first: v.deposit_first,
                deposit_last: v.deposit_last,
                fee_recipient: v.fee_recipient,
                pubdata_commitment: v.commitment,
            };
            let words = digest_words(&proof).unwrap();
            let digest: Vec<u8> = words.iter().flat_map(|w| w.to_be_bytes()).collect();
            use sha2::{Digest, Sha256};
            assert_eq!(digest, Sha256::digest(header.encode()).to_vec());
            let mut masked = digest.clone();
            masked[0] &= 0x1f;
            assert_eq!(masked, public_input(&header).to_vec());
        }

        // A proof of another circuit (the leaf pair, same shape, carrying the node's
        // verifier data in its public inputs).
        assert!(
            proves(pair_proof, hub, 7).is_none(),
            "a pair proof passed as a node"
        );
        // A valid proof of the node circuit that carries other verifier data than the
        // node circuit's own (its pair children were given the pair circuit's data in the
        // node-data slot). A node carrying such data verified its node children against
        // that other circuit, so the root must refuse it, as `NodeCircuit::verify` does.
        let other_vd = &agg.pair.data.verifier_only;
        let a = agg.pair.prove(&leaves[0], &leaves[1], other_vd).unwrap();
        let b = agg.pair.prove(&leaves[2], &leaves[3], other_vd).unwrap();
        let lying = agg.node.prove((&a, false), (&b, false)).unwrap();
        agg.node.data.verify(lying.clone()).unwrap();
        assert!(agg.node.verify(&lying).is_err());
        assert!(
            proves(&lying, hub, 7).is_none(),
            "a node proof carrying other verifier data"
        );
        // A tampered public value of the node proof (its new root).
        let mut forged = top.clone();
        forged.public_inputs[5] += plonky2::field::types::Field::ONE;
        assert!(proves(&forged, hub, 7).is_none(), "a tampered node proof");
        // A header word that is not a 32-bit word: hub word 0 as 2^32 + w would hash as
        // five bytes where the hub has four.
        for (hub_words, index_words) in [
            ([1u64 << 32, 1, 2, 3, 4], [0u64, 7]),
            ([0, 1, 2, 3, 4], [0, (1u64 << 32) + 7]),
        ] {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let pw = root.witness_words(top, hub_words, index_words)?;
                let p = root.data.prove(pw)?;
                root.verify(&p)
            }));
            assert!(
                !matches!(outcome, Ok(Ok(()))),
                "an out-of-range header word"
            );
        }
        // Controls: the same words in range prove.
        let pw = root.witness_words(top, [0, 1, 2, 3, 4], [0, 7]).unwrap();
        root.verify(&root.data.prove(pw).unwrap()).unwrap();
    }
}
