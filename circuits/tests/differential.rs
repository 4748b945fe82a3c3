//! Randomized differential test: for random valid batches applied by the executor, every
//! leaf proof's public values equal the executor's (roots, deposit range, fee recipient,
//! chain) and the commitment computed natively from the ops' bytes.

use bulwark_circuits::leaf::{leaf_commitment, LeafCircuit, LeafInputs, LeafParams, PublicValues};
use bulwark_circuits::op::SlotParams;
use bulwark_state::op::EXISTING_ACCOUNT;
use bulwark_state::{Batch, ChainConfig, Op, SecretKey, StateStore, WitnessLayout};
use plonky2::plonk::circuit_data::CircuitConfig;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

const CHAIN_ID: u64 = 0x00C0_FFEE_0000_0042;
const OPS_PER_LEAF: usize = 4;
const MAX_BALANCE: u64 = 1 << 40;
const DEPTH: u8 = 20;
/// Account slots the generator uses (account 0, the fee recipient, is funded first).
const SLOTS: u32 = 6;

/// A valid op against the store's current state (the executor is the judge: ops it
/// refuses are regenerated).
fn random_op(
    rng: &mut ChaCha20Rng,
    store: &StateStore,
    keys: &[SecretKey],
    nonces: &mut [u32],
    next_deposit: &mut u64,
) -> Op {
    let account = rng.gen_range(0..SLOTS);
    let acc = store.account(account).unwrap();
    let roll = rng.gen_range(0..10);
    if acc.is_empty() || roll < 3 {
        let amount = rng.gen_range(1..1_000_000_000);
        let public_key = match acc.is_empty() {
            true => keys[account as usize].public_key().to_bytes(),
            false => EXISTING_ACCOUNT,
        };
        *next_deposit += 1;
        return Op::Deposit {
            queue_index: *next_deposit - 1,
            account,
            public_key,
            amount,
        };
    }
    if roll == 9 {
        return Op::Noop;
    }
    let nonce = nonces[account as usize];
    nonces[account as usize] += 1;
    // Spend at most a tenth of the stored balance per op, so a batch's later ops (which
    // see the stored balance, not the running one) stay funded.
    let budget = acc.balance / 10;
    let fee = rng.gen_range(0..=budget.min(2047));
    let key = &keys[account as usize];
    if roll < 7 {
        // Any slot below SLOTS may be empty: send to account 0, which always exists.
        let to = if rng.gen_bool(0.5) { 0 } else { account };
        let amount = rng.gen_range(0..=budget - fee) / 1000 * 1000;
        Op::signed_transfer(key, CHAIN_ID, account, to, amount, fee, nonce)
    } else {
        let amount = rng.gen_range(0..=budget - fee);
        Op::signed_withdraw(key, CHAIN_ID, account, rng.gen(), amount, fee, nonce)
    }
}

#[test]
fn random_batches_prove_to_the_executor_s_outcome() {
    let leaf = LeafCircuit::build(
        LeafParams {
            slot: SlotParams {
                depth: DEPTH as usize,
                max_balance: MAX_BALANCE,
            },
            ops: OPS_PER_LEAF,
        },
        CircuitConfig::standard_recursion_config(),
    );
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let keys: Vec<SecretKey> = (0..SLOTS).map(|_| SecretKey::random(&mut rng)).collect();
    let dir = tempfile::tempdir().unwrap();
    let config = ChainConfig {
        tree_depth: DEPTH,
        max_balance: MAX_BALANCE,
        ..ChainConfig::new(CHAIN_ID)
    };
    let mut store = StateStore::genesis(dir.path(), config).unwrap();
    let mut next_deposit = 0;
    let mut nonces = vec![0u32; SLOTS as usize];
    let mut seen = [false; 4];
    for round in 0..4 {
        let mut batch = Batch::new(CHAIN_ID, 0);
        if round == 0 {
            batch.ops.push(Op::Deposit {
                queue_index: 0,
                account: 0,
                public_key: keys[0].public_key().to_bytes(),
                amount: 1_000,
            });
            next_deposit = 1;
        }
        // Account 0 was created by round 0's first op.
        let mut touched: std::collections::BTreeSet<u32> =
            (round == 0).then_some(0).into_iter().collect();
        while batch.ops.len() < 2 * OPS_PER_LEAF {
            let op = random_op(&mut rng, &store, &keys, &mut nonces, &mut next_deposit);
            // One op per account per batch: the generator reads balances from the store.
            let who = match &op {
                Op::Deposit { account, .. } => Some(*account),
                Op::Transfer { from, .. } | Op::Withdraw { from, .. } => Some(*from),
                Op::Noop => None,
            };
            let op = match who {
                Some(w) if !touched.insert(w) => {
                    // Roll the generator's bookkeeping back; a noop takes the op's place.
                    match op {
                        Op::Deposit { .. } => next_deposit -= 1,
                        _ => nonces[w as usize] -= 1,
                    }
                    Op::Noop
                }
                _ => op,
            };
            seen[op.public().encode().unwrap()[0] as usize] = true;
            batch.ops.push(op);
        }
        let outcome = store
            .apply_batch_with(&batch, WitnessLayout::leaves_of(OPS_PER_LEAF), &mut |_| {})
            .unwrap();
        let mut root = outcome.old_root;
        let mut deposit = outcome.deposits.0;
        for ((chunk, ops), flush) in outcome
            .witnesses
            .chunks(OPS_PER_LEAF)
            .zip(batch.ops.chunks(OPS_PER_LEAF))
            .zip(&outcome.fee_flushes)
        {
            let inputs = LeafInputs {
                old_root: root,
                deposit_first: deposit,
                fee_recipient: 0,
                chain_id: CHAIN_ID,
            };
            let proof = leaf.prove(&inputs, chunk, flush).unwrap();
            leaf.data.verify(proof.clone()).unwrap();
            let v = PublicValues::from_proof(&proof);
            // Each leaf ends with the executor's write of the fees pending.
            let new_root = flush.root_after;
            let deposits = ops
                .iter()
                .filter(|o| matches!(o, Op::Deposit { .. }))
                .count();
            assert_eq!(
                v,
                PublicValues {
                    old_root: root,
                    new_root,
                    deposit_first: deposit,
                    deposit_last: deposit + deposits as u64,
                    fee_recipient: 0,
                    chain_id: CHAIN_ID,
                    commitment: leaf_commitment(ops).unwrap(),
                },
                "round {round}"
            );
            root = v.new_root;
            deposit = v.deposit_last;
        }
        assert_eq!(
            root, outcome.new_root,
            "round {round}: the leaves chain to the executor's root"
        );
        assert_eq!(deposit, outcome.deposits.1, "round {round}");
    }
    assert_eq!(seen, [true; 4], "every op type was generated");
}
