//! The batch executor through the crate's public API: the effects of valid batches, the
//! witnesses they emit, every rejection (named by op index and field, with the whole batch
//! rolled back), batch files with non-canonical encodings, and a randomized differential
//! test against an in-memory model of the documented semantics.
#![allow(missing_docs)]

use std::collections::{BTreeMap, BTreeSet};

use bulwark_state::batch::{BATCH_FORMAT, BATCH_VERSION};
use bulwark_state::config::MAX_MAX_BALANCE;
use bulwark_state::error::AmountError;
use bulwark_state::op::{L1Address, EXISTING_ACCOUNT, PUBDATA_SIZES};
use bulwark_state::schnorr::{SignatureError, PUBLIC_KEY_BYTES};
use bulwark_state::{
    Account, Batch, BatchOutcome, ChainConfig, Hash, LeafUpdate, Op, OpPubdata, OpRejection,
    PublicKey, SecretKey, SparseMerkleTree, StateError, StateStore, Withdrawal, WitnessLayout,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::Value;
use tempfile::TempDir;

const CHAIN: u64 = 7;
const L1: L1Address = [0xab; 20];
/// The Goldilocks prime: the smallest non-canonical 8-byte limb.
const P: u64 = 0xFFFF_FFFF_0000_0001;

// ---------------------------------------------------------------------------------------
// Op builders
// ---------------------------------------------------------------------------------------

fn key(seed: u64) -> SecretKey {
    SecretKey::random(&mut ChaCha20Rng::seed_from_u64(seed))
}

fn deposit(queue_index: u64, account: u32, key: &SecretKey, amount: u64) -> Op {
    Op::Deposit {
        queue_index,
        account,
        public_key: key.public_key().to_bytes(),
        amount,
    }
}

/// A deposit crediting the existing account `account` (the all-zero key).
fn deposit_to(queue_index: u64, account: u32, amount: u64) -> Op {
    Op::Deposit {
        queue_index,
        account,
        public_key: EXISTING_ACCOUNT,
        amount,
    }
}

fn transfer(key: &SecretKey, from: u32, to: u32, amount: u64, fee: u64, nonce: u32) -> Op {
    Op::signed_transfer(key, CHAIN, from, to, amount, fee, nonce)
}

fn withdraw(key: &SecretKey, from: u32, amount: u64, fee: u64, nonce: u32) -> Op {
    Op::signed_withdraw(key, CHAIN, from, L1, amount, fee, nonce)
}

fn batch(fee_recipient: u32, ops: Vec<Op>) -> Batch {
    let mut b = Batch::new(CHAIN, fee_recipient);
    b.ops = ops;
    b
}

/// `op` with bit 0 of signature byte `byte` flipped.
fn flip_signature_byte(op: &Op, byte: usize) -> Op {
    let mut op = op.clone();
    match &mut op {
        Op::Transfer { signature, .. } | Op::Withdraw { signature, .. } => signature[byte] ^= 1,
        _ => panic!("{} ops are not signed", op.kind()),
    }
    op
}

// ---------------------------------------------------------------------------------------
// Checks shared by several tests
// ---------------------------------------------------------------------------------------

/// Everything a rejected batch must leave untouched.
#[derive(Debug, PartialEq)]
struct Snapshot {
    root: Hash,
    accounts: Vec<(u32, Account)>,
    next_deposit: u64,
    batches: u64,
}

fn snapshot(store: &StateStore) -> Snapshot {
    Snapshot {
        root: store.root().unwrap(),
        accounts: store.accounts().unwrap(),
        next_deposit: store.next_deposit_index().unwrap(),
        batches: store.batches_applied().unwrap(),
    }
}

fn assert_unchanged(store: &StateStore, before: &Snapshot) {
    assert_eq!(
        &snapshot(store),
        before,
        "a rejected batch changed the state"
    );
    assert_eq!(store.check_integrity().unwrap(), before.root);
}

/// The pubdata is the concatenation of the ops' encodings and decodes back to them.
fn assert_pubdata(outcome: &BatchOutcome, ops: &[Op]) {
    let expected: Vec<u8> = ops
        .iter()
        .flat_map(|op| op.public().encode().unwrap())
        .collect();
    assert_eq!(outcome.pubdata, expected);
    let sizes: usize = ops
        .iter()
        .map(|op| PUBDATA_SIZES[op.public().encode().unwrap()[0] as usize])
        .sum();
    assert_eq!(outcome.pubdata.len(), sizes);
    assert_eq!(
        OpPubdata::decode_all(&outcome.pubdata).unwrap(),
        ops.iter().map(Op::public).collect::<Vec<_>>()
    );
}

/// Checks every witness of `outcome` against the documented shape and effects, replaying
/// the updates on `shadow` (the accounts before the batch); returns the accounts after.
///
/// Per update: the proof has `depth` siblings, proves `before` under `root_before` and
/// `after` under `root_after`; `before` is the leaf's current value; the roots chain from
/// `old_root` to `new_root`; balances and nonces move as the op says. Fees are pending
/// until an update of the fee recipient's leaf or a flush (after every
/// `outcome.layout.ops_per_leaf` ops and at the end) writes them.
fn check_witnesses(
    outcome: &BatchOutcome,
    batch: &Batch,
    depth: u8,
    shadow: BTreeMap<u32, Account>,
) -> BTreeMap<u32, Account> {
    assert_eq!(outcome.witnesses.len(), batch.ops.len());
    let fr = batch.fee_recipient;
    let k = outcome.layout.ops_per_leaf;
    let n = batch.ops.len();
    let chunks = n.div_ceil(k).max(1);
    assert_eq!(
        outcome.fee_flushes.len(),
        chunks,
        "one flush per leaf of {k} ops"
    );
    let mut flushes = outcome.fee_flushes.iter();
    let mut r = Replay {
        shadow,
        pending: 0,
        root: outcome.old_root,
        fee_recipient: fr,
        depth,
    };
    for (i, (w, op)) in outcome.witnesses.iter().zip(&batch.ops).enumerate() {
        assert_eq!(&w.op, op, "witness {i} carries its op");
        // (leaf, balance delta, nonce delta) of each update, in the documented order.
        let expected: Vec<(u32, i128, u32)> = match *op {
            Op::Noop => vec![],
            Op::Deposit {
                account, amount, ..
            } => vec![(account, amount as i128, 0)],
            Op::Transfer {
                from,
                to,
                amount,
                fee,
                ..
            } => vec![
                (from, -((amount + fee) as i128), 1),
                (to, amount as i128, 0),
            ],
            Op::Withdraw {
                from, amount, fee, ..
            } => vec![(from, -((amount + fee) as i128), 1)],
        };
        assert_eq!(
            w.updates.iter().map(|u| u.index).collect::<Vec<_>>(),
            expected.iter().map(|e| e.0).collect::<Vec<_>>(),
            "op {i} ({}): update shape",
            op.kind()
        );
        for (u, &(_, delta, dnonce)) in w.updates.iter().zip(&expected) {
            let ctx = format!("op {i} ({}), leaf {}", op.kind(), u.index);
            r.update(u, delta, dnonce, Some(op), &ctx);
        }
        if let Op::Transfer { fee, .. } | Op::Withdraw { fee, .. } = *op {
            r.pending += fee as i128;
        }
        if (i + 1) % k == 0 || i + 1 == n {
            let u = flushes.next().expect("a flush at the end of each leaf");
            assert_eq!(u.index, fr, "flush after op {i}: the fee recipient's leaf");
            r.update(u, 0, 0, None, &format!("flush after op {i}"));
        }
    }
    if n == 0 {
        let u = flushes.next().expect("an empty batch has one flush");
        r.update(u, 0, 0, None, "flush of an empty batch");
    }
    assert_eq!(r.pending, 0, "every fee is written by the last flush");
    assert_eq!(r.root, outcome.new_root, "the last update ends at new_root");
    r.shadow
}

/// The accounts, pending fees and root while [`check_witnesses`] replays a batch.
struct Replay {
    shadow: BTreeMap<u32, Account>,
    pending: i128,
    root: Hash,
    fee_recipient: u32,
    depth: u8,
}

impl Replay {
    /// Checks one leaf update (the balance moves by `delta`, plus the pending fees when it
    /// writes the fee recipient's leaf) and applies it.
    fn update(&mut self, u: &LeafUpdate, delta: i128, dnonce: u32, op: Option<&Op>, ctx: &str) {
        assert_eq!(u.root_before, self.root, "{ctx}: roots chain");
        assert_eq!(u.proof.index, u.index, "{ctx}");
        assert_eq!(u.proof.siblings.len(), self.depth as usize, "{ctx}");
        assert!(u.proof.verify(&u.before, &u.root_before), "{ctx}: old leaf");
        assert!(u.proof.verify(&u.after, &u.root_after), "{ctx}: new leaf");
        assert_eq!(
            u.before != u.after,
            u.root_before != u.root_after,
            "{ctx}: the root moves iff the leaf does"
        );
        let current = self.shadow.get(&u.index).copied().unwrap_or(Account::EMPTY);
        assert_eq!(u.before, current, "{ctx}: before is the current leaf");
        let written = if u.index == self.fee_recipient {
            std::mem::take(&mut self.pending)
        } else {
            0
        };
        assert_eq!(
            u.after.balance as i128,
            u.before.balance as i128 + written + delta,
            "{ctx}: balance"
        );
        assert_eq!(u.after.nonce, u.before.nonce + dnonce, "{ctx}: nonce");
        match op {
            Some(Op::Deposit { public_key, .. }) if *public_key == EXISTING_ACCOUNT => {
                assert!(!u.before.is_empty(), "{ctx}: credits an existing account");
                assert_eq!(u.after.public_key, u.before.public_key, "{ctx}: key");
            }
            Some(Op::Deposit { public_key, .. }) => {
                assert!(u.before.is_empty(), "{ctx}: creates an account");
                assert_eq!(&u.after.public_key, public_key);
            }
            _ => assert_eq!(u.after.public_key, u.before.public_key, "{ctx}: key"),
        }
        if u.after.is_empty() {
            self.shadow.remove(&u.index);
        } else {
            self.shadow.insert(u.index, u.after);
        }
        self.root = u.root_after;
    }
}

// ---------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------

/// Slot the valid prefix creates with a deposit.
const NEW_SLOT: u32 = 5;
/// Fee of the prefix's user ops.
const PREFIX_FEE: u64 = 3;
/// Fee recipient of most batches (a funded account).
const FEES_TO: u32 = 2;

/// A store in a temporary directory, with keys for accounts 0..8 (key `i` owns slot `i`).
struct Fixture {
    dir: TempDir,
    store: StateStore,
    keys: Vec<SecretKey>,
}

impl Fixture {
    /// Genesis with `config`, then one batch depositing `balances[i]` into account `i`.
    fn new(config: ChainConfig, balances: &[u64]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::genesis(dir.path(), config).unwrap();
        let keys = (0..8).map(|i| key(100 + i)).collect();
        let mut fx = Fixture { dir, store, keys };
        if !balances.is_empty() {
            let ops = (0..balances.len())
                .map(|i| deposit(i as u64, i as u32, fx.key(i as u32), balances[i]))
                .collect();
            fx.apply(0, ops);
        }
        fx
    }

    /// [`Fixture::new`] on chain [`CHAIN`] with the default depth and maximum balance.
    fn funded(balances: &[u64]) -> Self {
        Self::new(ChainConfig::new(CHAIN), balances)
    }

    fn key(&self, account: u32) -> &SecretKey {
        &self.keys[account as usize]
    }

    fn account(&self, i: u32) -> Account {
        self.store.account(i).unwrap()
    }

    fn nonce(&self, i: u32) -> u32 {
        self.account(i).nonce
    }

    fn next_deposit(&self) -> u64 {
        self.store.next_deposit_index().unwrap()
    }

    fn snapshot(&self) -> Snapshot {
        snapshot(&self.store)
    }

    /// Applies a batch that must be valid; checks the stored tree against the accounts.
    fn apply(&mut self, fee_recipient: u32, ops: Vec<Op>) -> BatchOutcome {
        let b = batch(fee_recipient, ops);
        let outcome = self.store.apply_batch(&b).unwrap();
        assert_eq!(self.store.root().unwrap(), outcome.new_root);
        assert_eq!(self.store.check_integrity().unwrap(), outcome.new_root);
        outcome
    }

    /// Valid ops touching every kind of state, needing accounts 0 and 1 with a few
    /// thousand each: a deposit of 777 to [`NEW_SLOT`] (creating it if empty; consumes a
    /// queue index), a transfer 0 -> 1 and a withdrawal from 1 (bump nonces, move
    /// balances, pay `fee` twice), and a noop. Afterwards account 0 has nonce + 1 and
    /// 1_000 + fee less, account 1 has nonce + 1 and 500 - fee more.
    fn prefix(&self, fee: u64) -> Vec<Op> {
        vec![
            match self.account(NEW_SLOT).is_empty() {
                true => deposit(self.next_deposit(), NEW_SLOT, self.key(NEW_SLOT), 777),
                false => deposit_to(self.next_deposit(), NEW_SLOT, 777),
            },
            transfer(self.key(0), 0, 1, 1_000, fee, self.nonce(0)),
            withdraw(self.key(1), 1, 500, fee, self.nonce(1)),
            Op::Noop,
        ]
    }

    /// Applies `batch`, which must fail at op `index` of type `kind`, and checks that ops
    /// `0..index` were applied in the transaction first, that the message names the op and
    /// every one of `fields`, and that nothing was written. Returns the reason.
    fn reject(&mut self, batch: &Batch, index: usize, kind: &str, fields: &[&str]) -> OpRejection {
        let before = self.snapshot();
        let mut applied = Vec::new();
        let err = self
            .store
            .apply_batch_with_progress(batch, &mut |i| applied.push(i))
            .expect_err("the batch must be rejected");
        assert_eq!(
            applied,
            (0..index).collect::<Vec<_>>(),
            "the ops before the bad one are applied (then rolled back)"
        );
        let msg = err.to_string();
        let reason = match err {
            StateError::Op {
                index: i,
                kind: k,
                reason,
            } => {
                assert_eq!((i, k), (index, kind), "{msg}");
                reason
            }
            other => panic!("expected an op rejection, got {other:?}"),
        };
        assert!(
            msg.starts_with(&format!("op {index} ({kind}): field `")),
            "{msg}"
        );
        for f in fields {
            assert!(
                msg.contains(&format!("`{f}`")),
                "{msg:?} does not name `{f}`"
            );
        }
        assert_unchanged(&self.store, &before);
        reason
    }

    /// [`Fixture::reject`] of the prefix (fee [`PREFIX_FEE`], to [`FEES_TO`]) then `bad`.
    fn reject_after_prefix(&mut self, bad: Op, fields: &[&str]) -> OpRejection {
        self.reject_after_prefix_paying(FEES_TO, PREFIX_FEE, bad, fields)
    }

    fn reject_after_prefix_paying(
        &mut self,
        fee_recipient: u32,
        fee: u64,
        bad: Op,
        fields: &[&str],
    ) -> OpRejection {
        let mut ops = self.prefix(fee);
        let index = ops.len();
        let kind = bad.kind();
        ops.push(bad);
        self.reject(&batch(fee_recipient, ops), index, kind, fields)
    }

    /// Applies the prefix and `extra` for real: the prefix the rejection tests roll back is
    /// itself valid, and the store still accepts batches after rejections.
    fn finish(&mut self, fee_recipient: u32, fee: u64, extra: Vec<Op>) -> BatchOutcome {
        let before = self.snapshot();
        let mut ops = self.prefix(fee);
        ops.extend(extra);
        let outcome = self.apply(fee_recipient, ops);
        assert_eq!(outcome.batch_index, before.batches);
        assert_eq!(self.next_deposit(), outcome.deposits.1);
        assert!(!self.account(NEW_SLOT).is_empty());
        outcome
    }
}

// ---------------------------------------------------------------------------------------
// 1. Happy path
// ---------------------------------------------------------------------------------------

/// Valid batches move balances and nonces exactly as documented, report deposits,
/// withdrawals and pubdata, number batches consecutively, and persist across a reopen.
#[test]
fn valid_batches_apply_report_and_persist() {
    let config = ChainConfig::new(CHAIN);
    assert_eq!(
        (config.tree_depth, config.max_balance),
        (32, MAX_MAX_BALANCE)
    );
    let mut fx = Fixture::new(config, &[]);
    let genesis_root = SparseMerkleTree::new(32).empty_hash(32);
    assert_eq!(
        fx.snapshot(),
        Snapshot {
            root: genesis_root,
            accounts: vec![],
            next_deposit: 0,
            batches: 0
        }
    );
    assert!(matches!(
        StateStore::genesis(fx.dir.path(), config),
        Err(StateError::AlreadyExists(_))
    ));

    // Batch 0: deposits create accounts 0, 1, 2 and top up account 0.
    let (k0, k1, k2, k3) = (
        fx.key(0).clone(),
        fx.key(1).clone(),
        fx.key(2).clone(),
        fx.key(3).clone(),
    );
    let ops0 = vec![
        deposit(0, 0, &k0, 1_000_000),
        deposit(1, 1, &k1, 500_000),
        deposit(2, 2, &k2, 10_000),
        deposit_to(3, 0, 5),
    ];
    let out0 = fx.apply(FEES_TO, ops0.clone());
    assert_eq!(out0.batch_index, 0);
    assert_eq!((out0.old_root, out0.deposits), (genesis_root, (0, 4)));
    assert!(out0.withdrawals.is_empty());
    assert_pubdata(&out0, &ops0);
    assert_eq!(out0.pubdata.len(), 4 * 61);
    let acc = |balance: u64, nonce: u32, k: &SecretKey| Account {
        public_key: k.public_key().to_bytes(),
        balance,
        nonce,
    };
    assert_eq!(
        fx.store.accounts().unwrap(),
        vec![
            (0, acc(1_000_005, 0, &k0)),
            (1, acc(500_000, 0, &k1)),
            (2, acc(10_000, 0, &k2)),
        ]
    );

    // Batch 1: transfers (one to the fee recipient, one with zero fee, one self-transfer by
    // the fee recipient), a withdrawal, a noop and a deposit creating account 3.
    let ops1 = vec![
        transfer(&k0, 0, 1, 100_000, 10, 0),
        transfer(&k1, 1, 0, 2_000, 5, 0),
        Op::Noop,
        transfer(&k0, 0, 2, 1_000, 0, 1),
        withdraw(&k1, 1, 50_000, 20, 1),
        deposit(4, 3, &k3, 42),
        transfer(&k2, 2, 2, 1_000, 1, 0),
    ];
    let mut seen = Vec::new();
    let out1 = fx
        .store
        .apply_batch_with_progress(&batch(FEES_TO, ops1.clone()), &mut |i| seen.push(i))
        .unwrap();
    assert_eq!(seen, (0..ops1.len()).collect::<Vec<_>>());
    assert_eq!(out1.batch_index, 1);
    assert_eq!(out1.old_root, out0.new_root);
    assert_ne!(out1.new_root, out1.old_root);
    assert_eq!(out1.deposits, (4, 5));
    assert_eq!(
        out1.withdrawals,
        vec![Withdrawal {
            from: 1,
            to_l1: L1,
            amount: 50_000
        }]
    );
    assert_pubdata(&out1, &ops1);
    assert_eq!(out1.pubdata.len(), 4 * 16 + 1 + 35 + 61);
    // 0: 1_000_005 - 100_010 + 2_000 - 1_000       = 900_995, two ops signed
    // 1: 500_000 + 100_000 - 2_005 - 50_020        = 547_975, two ops signed
    // 2: 10_000 + 10 + 5 + 1_000 + 20 + (-1_001 + 1_000 + 1) = 11_035, one op signed
    let expected = vec![
        (0, acc(900_995, 2, &k0)),
        (1, acc(547_975, 2, &k1)),
        (2, acc(11_035, 1, &k2)),
        (3, acc(42, 0, &k3)),
    ];
    assert_eq!(fx.store.accounts().unwrap(), expected);
    let total: u64 = expected.iter().map(|(_, a)| a.balance).sum();
    assert_eq!(
        total,
        1_510_005 + 42 - 50_000,
        "only deposits and withdrawals change the supply"
    );
    assert_eq!(fx.next_deposit(), 5);
    assert_eq!(fx.store.batches_applied().unwrap(), 2);
    assert_eq!(fx.store.check_integrity().unwrap(), out1.new_root);
    for (i, a) in &expected {
        let (stored, proof, root) = fx.store.account_with_proof(*i).unwrap();
        assert_eq!(&stored, a);
        assert_eq!(root, out1.new_root);
        assert!(proof.verify(a, &root));
    }

    // Reopen: same root, accounts, counters and config; batch numbering continues.
    let before = fx.snapshot();
    let dir = fx.dir;
    drop(fx.store);
    let mut store = StateStore::open(dir.path()).unwrap();
    assert_eq!(snapshot(&store), before);
    assert_eq!(store.check_integrity().unwrap(), out1.new_root);
    assert_eq!(store.config(), &config);
    let ops2 = vec![withdraw(&k3, 3, 42, 0, 0)];
    let out2 = store.apply_batch(&batch(0, ops2.clone())).unwrap();
    assert_eq!((out2.batch_index, out2.old_root), (2, out1.new_root));
    assert_eq!(out2.deposits, (5, 5));
    assert_pubdata(&out2, &ops2);
    // An emptied balance keeps the account (its key and nonce).
    assert_eq!(store.account(3).unwrap(), acc(0, 1, &k3));
    assert_eq!(store.batches_applied().unwrap(), 3);

    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        StateStore::open(empty.path()),
        Err(StateError::NotFound(_))
    ));
}

// ---------------------------------------------------------------------------------------
// 2. Witnesses
// ---------------------------------------------------------------------------------------

/// Every leaf update's proof verifies the old and new leaf under the old and new root, the
/// roots chain from `old_root` to `new_root`, each op type has its documented shape, and
/// fees are written when the fee recipient is touched and at every leaf's end: for the
/// whole batch (`apply_batch`) and for leaves of 1, 2 and 3 ops (a dry run of the same
/// batch, whose final root must be the same).
#[test]
fn witnesses_prove_every_update_and_chain_the_roots() {
    let mut fx = Fixture::funded(&[1_000_000, 1_000_000, 1_000_000]);
    let (k0, k1, k2) = (fx.key(0).clone(), fx.key(1).clone(), fx.key(2).clone());
    let k6 = fx.key(6).clone();
    let cases: Vec<(u32, Vec<Op>)> = vec![
        (
            FEES_TO,
            vec![
                Op::Noop,
                deposit(3, 6, &k6, 50), // creates 6
                deposit_to(4, 0, 7),    // tops up 0
                transfer(&k0, 0, 1, 100, 2, 0),
                transfer(&k1, 1, 1, 30, 4, 0),       // self-transfer
                transfer(&k0, 0, FEES_TO, 10, 1, 1), // to the fee recipient
                transfer(&k2, FEES_TO, 0, 10, 3, 0), // from the fee recipient
                transfer(&k6, 6, 0, 5, 0, 0),        // zero fee
                withdraw(&k0, 0, 1_000, 9, 2),
                withdraw(&k1, 1, 0, 0, 1),
                Op::Noop,
            ],
        ),
        // Fee recipient an empty slot: zero-fee ops, flushes record EMPTY -> EMPTY.
        (
            40,
            vec![transfer(&k0, 0, 1, 1, 0, 3), withdraw(&k1, 1, 1, 0, 2)],
        ),
        // Only noops: no updates, the root stays.
        (FEES_TO, vec![Op::Noop, Op::Noop]),
    ];
    for (fee_recipient, ops) in cases {
        let before: BTreeMap<u32, Account> = fx.store.accounts().unwrap().into_iter().collect();
        let b = batch(fee_recipient, ops);
        let mut final_roots = Vec::new();
        for k in [1, 2, 3] {
            let dry = fx
                .store
                .dry_run_batch(&b, WitnessLayout::leaves_of(k))
                .unwrap();
            assert_eq!(dry.layout.ops_per_leaf, k);
            check_witnesses(&dry, &b, 32, before.clone());
            final_roots.push(dry.new_root);
        }
        let outcome = fx.store.apply_batch(&b).unwrap();
        assert!(
            final_roots.iter().all(|r| *r == outcome.new_root),
            "every layout ends at the same root"
        );
        let after = check_witnesses(&outcome, &b, 32, before);
        assert_eq!(
            after.into_iter().collect::<Vec<_>>(),
            fx.store.accounts().unwrap(),
            "the updates replay to the stored accounts"
        );
        assert_eq!(fx.store.check_integrity().unwrap(), outcome.new_root);
        let n_updates: Vec<usize> = outcome.witnesses.iter().map(|w| w.updates.len()).collect();
        let shape: Vec<usize> = b
            .ops
            .iter()
            .map(|op| match op {
                Op::Noop => 0,
                Op::Deposit { .. } => 1,
                Op::Transfer { .. } => 2,
                Op::Withdraw { .. } => 1,
            })
            .collect();
        assert_eq!(n_updates, shape);
        if let Some(first) = outcome.witnesses.iter().find_map(|w| w.updates.first()) {
            assert_eq!(first.root_before, outcome.old_root);
        } else {
            assert_eq!(outcome.new_root, outcome.old_root);
        }
        assert_eq!(outcome.fee_flushes.len(), 1, "the whole batch is one leaf");
        // The outcome survives its JSON form (what the prover reads).
        let json = serde_json::to_string(&outcome).unwrap();
        assert_eq!(
            serde_json::from_str::<BatchOutcome>(&json).unwrap(),
            outcome
        );

        // The proofs are not vacuous: a wrong leaf, root or position fails.
        for u in outcome
            .witnesses
            .iter()
            .flat_map(|w| &w.updates)
            .chain(&outcome.fee_flushes)
        {
            let bumped = Account {
                balance: u.after.balance + 1,
                ..u.after
            };
            assert!(!u.proof.verify(&bumped, &u.root_after));
            if u.before != u.after {
                assert!(!u.proof.verify(&u.after, &u.root_before));
            }
            if !u.after.is_empty() {
                let mut moved = u.proof.clone();
                moved.index ^= 1;
                assert!(!moved.verify(&u.after, &u.root_after));
            }
        }
    }
    assert!(fx.account(40).is_empty());
}

// ---------------------------------------------------------------------------------------
// 3. Rejections
// ---------------------------------------------------------------------------------------

/// A signature with one flipped byte (in s, or in R) is refused as `signature`, for
/// transfers and withdrawals alike, and the valid ops before it are rolled back.
#[test]
fn rejects_a_tampered_signature() {
    let mut fx = Fixture::funded(&[10_000, 10_000, 10_000]);
    let good = transfer(fx.key(0), 0, FEES_TO, 10, 1, fx.nonce(0) + 1);
    good.verify_signature(&fx.key(0).public_key(), CHAIN)
        .unwrap();
    // Byte 40 is the low byte of s: s ^ 1 stays canonical, so the equation fails.
    let r = fx.reject_after_prefix(flip_signature_byte(&good, 40), &["signature"]);
    assert_eq!(r, OpRejection::BadSignature(SignatureError::Mismatch));
    // A byte of R: either R no longer decodes or the equation fails.
    for byte in [0, 17, 39] {
        let r = fx.reject_after_prefix(flip_signature_byte(&good, byte), &["signature"]);
        assert!(
            matches!(
                r,
                OpRejection::BadSignature(SignatureError::InvalidR | SignatureError::Mismatch)
            ),
            "{r:?}"
        );
    }
    let good = withdraw(fx.key(1), 1, 10, 1, fx.nonce(1) + 1);
    let r = fx.reject_after_prefix(flip_signature_byte(&good, 41), &["signature"]);
    assert_eq!(r, OpRejection::BadSignature(SignatureError::Mismatch));
    fx.finish(FEES_TO, PREFIX_FEE, vec![good]);
}

/// An op signed by another key than the sender's, or for another chain, is refused.
#[test]
fn rejects_a_signature_by_the_wrong_key_or_for_another_chain() {
    let mut fx = Fixture::funded(&[10_000, 10_000, 10_000]);
    let (n0, n1) = (fx.nonce(0) + 1, fx.nonce(1) + 1);
    let forged = transfer(fx.key(1), 0, 1, 10, 1, n0);
    let r = fx.reject_after_prefix(forged, &["signature"]);
    assert_eq!(r, OpRejection::BadSignature(SignatureError::Mismatch));
    let forged = withdraw(fx.key(0), 1, 10, 1, n1);
    let r = fx.reject_after_prefix(forged, &["signature"]);
    assert_eq!(r, OpRejection::BadSignature(SignatureError::Mismatch));
    let other_chain = Op::signed_transfer(fx.key(0), CHAIN + 1, 0, 1, 10, 1, n0);
    let r = fx.reject_after_prefix(other_chain, &["signature"]);
    assert_eq!(r, OpRejection::BadSignature(SignatureError::Mismatch));
    fx.finish(
        FEES_TO,
        PREFIX_FEE,
        vec![transfer(fx.key(0), 0, 1, 10, 1, n0)],
    );
}

/// A replayed (already used) or skipped-ahead nonce is refused as `nonce`, including an
/// exact replay of a signed op earlier in the same batch.
#[test]
fn rejects_a_wrong_nonce() {
    let mut fx = Fixture::funded(&[10_000, 10_000, 10_000]);
    let (n0, n1) = (fx.nonce(0), fx.nonce(1));
    // The prefix uses nonce n0 of account 0: replaying its transfer verbatim.
    let replay = fx.prefix(PREFIX_FEE)[1].clone();
    let r = fx.reject_after_prefix(replay, &["nonce"]);
    assert_eq!(
        r,
        OpRejection::WrongNonce {
            account: 0,
            expected: n0 + 1,
            got: n0
        }
    );
    let ahead = transfer(fx.key(0), 0, 1, 10, 1, n0 + 2);
    let r = fx.reject_after_prefix(ahead, &["nonce"]);
    assert_eq!(
        r,
        OpRejection::WrongNonce {
            account: 0,
            expected: n0 + 1,
            got: n0 + 2
        }
    );
    let stale = withdraw(fx.key(1), 1, 10, 1, n1);
    let r = fx.reject_after_prefix(stale, &["nonce"]);
    assert_eq!(
        r,
        OpRejection::WrongNonce {
            account: 1,
            expected: n1 + 1,
            got: n1
        }
    );
    fx.finish(FEES_TO, PREFIX_FEE, vec![]);
    assert_eq!((fx.nonce(0), fx.nonce(1)), (n0 + 1, n1 + 1));
}

/// Spending more than the balance (amount + fee) is refused as `amount`; spending exactly
/// the balance is accepted.
#[test]
fn rejects_an_overdraft() {
    let mut fx = Fixture::funded(&[10_000, 10_000, 10_000]);
    let (n0, n1) = (fx.nonce(0) + 1, fx.nonce(1) + 1);
    // After the prefix: 0 has 10_000 - 1_003, 1 has 10_000 + 1_000 - 503.
    let (b0, b1) = (8_997, 10_497);
    let r = fx.reject_after_prefix(transfer(fx.key(0), 0, 1, b0 - 2, 3, n0), &["amount"]);
    assert_eq!(
        r,
        OpRejection::Overdraft {
            account: 0,
            balance: b0,
            needed: b0 + 1
        }
    );
    let r = fx.reject_after_prefix(withdraw(fx.key(1), 1, b1, 1, n1), &["amount"]);
    assert_eq!(
        r,
        OpRejection::Overdraft {
            account: 1,
            balance: b1,
            needed: b1 + 1
        }
    );
    fx.finish(
        FEES_TO,
        PREFIX_FEE,
        vec![
            transfer(fx.key(0), 0, 1, b0 - 3, 3, n0),
            withdraw(fx.key(1), 1, b1 + b0 - 3 - 1, 1, n1),
        ],
    );
    assert_eq!((fx.account(0).balance, fx.account(1).balance), (0, 0));
}

/// A credit past `max_balance` is refused, naming the credited field and account: a
/// deposit, a transfer's amount, and a fee. Reaching exactly `max_balance` is accepted.
#[test]
fn rejects_a_balance_overflow() {
    let max = 1_000_000;
    let config = ChainConfig {
        chain_id: CHAIN,
        tree_depth: 32,
        max_balance: max,
    };
    let mut fx = Fixture::new(config, &[400_000, 400_000, 999_000, 900_000]);
    let (q, n0, n3) = (fx.next_deposit() + 1, fx.nonce(0) + 1, fx.nonce(3));
    // After the prefix: 1 has 400_497, the fee recipient 2 has 999_006.
    let r = fx.reject_after_prefix(deposit_to(q, 1, 600_000), &["amount"]);
    assert_eq!(
        r,
        OpRejection::BalanceOverflow {
            field: "amount",
            account: 1,
            max
        }
    );
    let r = fx.reject_after_prefix(transfer(fx.key(3), 3, 1, 600_000, 0, n3), &["amount"]);
    assert_eq!(
        r,
        OpRejection::BalanceOverflow {
            field: "amount",
            account: 1,
            max
        }
    );
    let r = fx.reject_after_prefix(transfer(fx.key(0), 0, 1, 10, 1_000, n0), &["fee"]);
    assert_eq!(
        r,
        OpRejection::BalanceOverflow {
            field: "fee",
            account: FEES_TO,
            max
        }
    );
    fx.finish(
        FEES_TO,
        PREFIX_FEE,
        vec![
            deposit_to(q, 1, max - 400_497),
            transfer(fx.key(0), 0, 3, 10, max - 999_006, n0),
        ],
    );
    assert_eq!(fx.account(1).balance, max);
    assert_eq!(fx.account(FEES_TO).balance, max);
}

/// A transfer to an empty slot, or a transfer or withdrawal from one, is refused, naming
/// `to` or `from`. An account created earlier in the same batch is known.
#[test]
fn rejects_an_unknown_account() {
    let mut fx = Fixture::funded(&[10_000, 10_000, 10_000]);
    let n0 = fx.nonce(0) + 1;
    let r = fx.reject_after_prefix(transfer(fx.key(0), 0, 40, 10, 1, n0), &["to"]);
    assert_eq!(
        r,
        OpRejection::UnknownAccount {
            field: "to",
            index: 40
        }
    );
    let r = fx.reject_after_prefix(transfer(fx.key(6), 41, 0, 10, 1, 0), &["from"]);
    assert_eq!(
        r,
        OpRejection::UnknownAccount {
            field: "from",
            index: 41
        }
    );
    let r = fx.reject_after_prefix(withdraw(fx.key(6), 41, 0, 0, 0), &["from"]);
    assert_eq!(
        r,
        OpRejection::UnknownAccount {
            field: "from",
            index: 41
        }
    );
    fx.finish(
        FEES_TO,
        PREFIX_FEE,
        vec![transfer(fx.key(0), 0, NEW_SLOT, 10, 1, n0)],
    );
    assert_eq!(fx.account(NEW_SLOT).balance, 787);
    assert!(fx.account(40).is_empty() && fx.account(41).is_empty());
}

/// A deposit must carry the next queue index: a replayed or skipped one is refused as
/// `queue_index`.
#[test]
fn rejects_a_deposit_out_of_queue_order() {
    let mut fx = Fixture::funded(&[10_000, 10_000, 10_000]);
    let q = fx.next_deposit();
    assert_eq!(q, 3);
    // The prefix consumes q; replaying it, and skipping q + 1.
    for got in [q, q + 2, 0] {
        let r = fx.reject_after_prefix(deposit_to(got, 0, 5), &["queue_index"]);
        assert_eq!(
            r,
            OpRejection::DepositOutOfOrder {
                expected: q + 1,
                got
            }
        );
    }
    let out = fx.finish(FEES_TO, PREFIX_FEE, vec![deposit_to(q + 1, 0, 5)]);
    assert_eq!(out.deposits, (q, q + 2));
}

/// A deposit with a key creates an account: to a slot that holds one it is refused as
/// `account`, whatever the key (the owner's own included), also for an account created
/// earlier in the same batch. A deposit with the all-zero key credits an existing account
/// and is refused for an empty slot. Both then apply where they belong.
#[test]
fn rejects_a_deposit_of_the_wrong_kind_for_its_slot() {
    let mut fx = Fixture::funded(&[10_000, 10_000, 10_000]);
    let q = fx.next_deposit() + 1;
    for (account, key) in [(0, 1), (0, 0), (NEW_SLOT, 6), (NEW_SLOT, NEW_SLOT)] {
        let r = fx.reject_after_prefix(deposit(q, account, fx.key(key), 5), &["account"]);
        assert_eq!(r, OpRejection::AccountExists { account });
    }
    let r = fx.reject_after_prefix(deposit_to(q, 6, 5), &["account"]);
    assert_eq!(
        r,
        OpRejection::UnknownAccount {
            field: "account",
            index: 6
        }
    );
    let key_before = fx.account(0).public_key;
    fx.finish(
        FEES_TO,
        PREFIX_FEE,
        vec![deposit_to(q, NEW_SLOT, 5), deposit_to(q + 1, 0, 9)],
    );
    assert_eq!(fx.account(NEW_SLOT).balance, 782);
    assert_eq!(
        fx.account(NEW_SLOT).public_key,
        fx.key(NEW_SLOT).public_key().to_bytes()
    );
    assert_eq!(fx.account(0).public_key, key_before);
}

/// A deposit key with a non-canonical limb is refused as `public_key`. A canonical key
/// that encodes no point is accepted (L1 cannot check it cheaply, and refusing it would
/// block the deposit queue): it creates an account that can never sign, so a transfer
/// from it is refused as `public_key`.
#[test]
fn deposit_keys_need_canonical_limbs_only() {
    let mut fx = Fixture::funded(&[10_000, 10_000, 10_000]);
    let q = fx.next_deposit() + 1;
    for limb in 0..5 {
        let mut non_canonical = fx.key(6).public_key().to_bytes();
        non_canonical[8 * limb..8 * limb + 8].copy_from_slice(&P.to_le_bytes());
        let bad = Op::Deposit {
            queue_index: q,
            account: 6,
            public_key: non_canonical,
            amount: 5,
        };
        let r = fx.reject_after_prefix(bad, &["public_key"]);
        assert_eq!(
            r,
            OpRejection::BadPublicKey(SignatureError::InvalidPublicKey)
        );
    }
    let off_curve = off_curve_key();
    let create = Op::Deposit {
        queue_index: q,
        account: 6,
        public_key: off_curve,
        amount: 5,
    };
    fx.finish(FEES_TO, PREFIX_FEE, vec![create]);
    assert_eq!(fx.account(6).public_key, off_curve);
    assert_eq!(fx.account(6).balance, 5);
    let spend = transfer(fx.key(6), 6, 0, 1, 0, 0);
    let r = fx.reject_after_prefix(spend, &["public_key"]);
    assert_eq!(
        r,
        OpRejection::BadPublicKey(SignatureError::InvalidPublicKey)
    );
}

/// w = (k, 0, 0, 0, 0) for the first small k that encodes no point.
fn off_curve_key() -> [u8; PUBLIC_KEY_BYTES] {
    (1u8..=200)
        .map(|k| {
            let mut bytes = [0u8; PUBLIC_KEY_BYTES];
            bytes[0] = k;
            bytes
        })
        .find(|bytes| PublicKey::from_bytes(bytes).is_err())
        .expect("some small w encodes no point")
}

/// A deposit of zero is refused as `amount`, to a new slot (it would create an account
/// out of nothing) as to an existing one.
#[test]
fn rejects_a_zero_deposit() {
    let mut fx = Fixture::funded(&[10_000, 10_000, 10_000]);
    let q = fx.next_deposit() + 1;
    for bad in [deposit_to(q, 0, 0), deposit(q, 7, fx.key(7), 0)] {
        let r = fx.reject_after_prefix(bad, &["amount"]);
        assert_eq!(r, OpRejection::ZeroDeposit);
    }
    fx.finish(FEES_TO, PREFIX_FEE, vec![deposit(q, 7, fx.key(7), 1)]);
    assert_eq!(fx.account(7).balance, 1);
}

/// A transfer amount or fee with no packed encoding is refused naming `amount` or `fee`;
/// large round amounts pack, and withdrawal amounts are not packed at all.
#[test]
fn rejects_a_non_packable_amount_or_fee() {
    let mut fx = Fixture::funded(&[1 << 36, 1 << 36, 10_000]);
    let (n0, n1) = (fx.nonce(0) + 1, fx.nonce(1) + 1);
    let odd = (1u64 << 35) + 1;
    let r = fx.reject_after_prefix(transfer(fx.key(0), 0, 1, odd, 0, n0), &["amount"]);
    assert_eq!(
        r,
        OpRejection::NotPackable {
            field: "amount",
            source: AmountError::NotRepresentable {
                value: odd,
                mantissa_bits: 35
            }
        }
    );
    let fee_source = AmountError::NotRepresentable {
        value: 2049,
        mantissa_bits: 11,
    };
    let r = fx.reject_after_prefix(transfer(fx.key(0), 0, 1, 10, 2049, n0), &["fee"]);
    assert_eq!(
        r,
        OpRejection::NotPackable {
            field: "fee",
            source: fee_source.clone()
        }
    );
    let r = fx.reject_after_prefix(withdraw(fx.key(1), 1, 10, 2049, n1), &["fee"]);
    assert_eq!(
        r,
        OpRejection::NotPackable {
            field: "fee",
            source: fee_source
        }
    );
    let out = fx.finish(
        FEES_TO,
        PREFIX_FEE,
        vec![
            transfer(fx.key(0), 0, 1, 40_000_000_000, 20_000, n0),
            withdraw(fx.key(1), 1, odd, 2047, n1),
        ],
    );
    assert_eq!(out.withdrawals[1].amount, odd);
    assert_pubdata(
        &out,
        &out.witnesses
            .iter()
            .map(|w| w.op.clone())
            .collect::<Vec<_>>(),
    );
}

/// With `tree_depth` 8, an index of 256 or more is refused in every field (`to`, `from`,
/// `account`); a batch's out-of-range `fee_recipient` is refused up front.
#[test]
fn rejects_an_account_index_out_of_range() {
    let config = ChainConfig {
        chain_id: CHAIN,
        tree_depth: 8,
        ..ChainConfig::new(CHAIN)
    };
    let mut fx = Fixture::new(config, &[10_000, 10_000, 10_000]);
    let (q, n0) = (fx.next_deposit() + 1, fx.nonce(0) + 1);
    let out_of_range = |field, index| OpRejection::AccountOutOfRange {
        field,
        index,
        capacity: 256,
    };
    let r = fx.reject_after_prefix(transfer(fx.key(0), 0, 300, 10, 1, n0), &["to"]);
    assert_eq!(r, out_of_range("to", 300));
    let r = fx.reject_after_prefix(transfer(fx.key(6), 256, 0, 10, 1, 0), &["from"]);
    assert_eq!(r, out_of_range("from", 256));
    let r = fx.reject_after_prefix(withdraw(fx.key(6), 300, 10, 1, 0), &["from"]);
    assert_eq!(r, out_of_range("from", 300));
    let r = fx.reject_after_prefix(deposit(q, 300, fx.key(6), 5), &["account"]);
    assert_eq!(r, out_of_range("account", 300));

    let before = fx.snapshot();
    let b = batch(300, fx.prefix(PREFIX_FEE));
    let err = fx.store.apply_batch(&b).unwrap_err();
    let msg = err.to_string();
    match err {
        StateError::FeeRecipient(r) => assert_eq!(r, out_of_range("fee_recipient", 300)),
        other => panic!("expected a fee recipient error, got {other:?}"),
    }
    assert!(msg.starts_with("field `fee_recipient`:"), "{msg}");
    assert_unchanged(&fx.store, &before);

    fx.finish(FEES_TO, PREFIX_FEE, vec![deposit(q, 255, fx.key(6), 5)]);
    assert_eq!(fx.account(255).balance, 5);
}

/// A fee paid to an empty fee recipient is refused as `fee_recipient`; zero fees to an
/// empty fee recipient are fine and leave the slot empty.
#[test]
fn rejects_a_fee_to_an_empty_fee_recipient() {
    let mut fx = Fixture::funded(&[10_000, 10_000, 10_000]);
    let (n0, n1) = (fx.nonce(0) + 1, fx.nonce(1) + 1);
    let empty = 50;
    let expected = OpRejection::UnknownAccount {
        field: "fee_recipient",
        index: empty,
    };
    let bad = transfer(fx.key(0), 0, 1, 10, 1, n0);
    let r = fx.reject_after_prefix_paying(empty, 0, bad, &["fee_recipient"]);
    assert_eq!(r, expected);
    let bad = withdraw(fx.key(1), 1, 10, 1, n1);
    let r = fx.reject_after_prefix_paying(empty, 0, bad, &["fee_recipient"]);
    assert_eq!(r, expected);
    let out = fx.finish(empty, 0, vec![]);
    assert!(fx.account(empty).is_empty());
    let [u] = &out.fee_flushes[..] else {
        panic!("one flush: {:?}", out.fee_flushes)
    };
    assert_eq!(
        (u.index, u.before, u.after),
        (empty, Account::EMPTY, Account::EMPTY)
    );
}

/// A batch for another chain is refused before any op runs, even with ops validly signed
/// for that chain.
#[test]
fn rejects_a_batch_for_another_chain() {
    let mut fx = Fixture::funded(&[10_000, 10_000, 10_000]);
    let other = CHAIN + 1;
    let mut b = Batch::new(other, FEES_TO);
    b.ops = vec![
        deposit(fx.next_deposit(), NEW_SLOT, fx.key(NEW_SLOT), 5),
        Op::signed_transfer(fx.key(0), other, 0, 1, 10, 1, fx.nonce(0)),
    ];
    let before = fx.snapshot();
    let mut applied = Vec::new();
    let err = fx
        .store
        .apply_batch_with_progress(&b, &mut |i| applied.push(i))
        .unwrap_err();
    assert!(applied.is_empty());
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            StateError::ChainMismatch {
                batch: 8,
                state: CHAIN
            }
        ),
        "{err:?}"
    );
    assert!(
        msg.contains("`chain_id`") && msg.contains("chain 8") && msg.contains("chain 7"),
        "{msg}"
    );
    assert_unchanged(&fx.store, &before);
    fx.finish(FEES_TO, PREFIX_FEE, vec![]);
}

/// Any deposit amount, transfer amount or fee, or withdrawal amount above `max_balance` is
/// refused naming the field; exactly `max_balance` is accepted.
#[test]
fn rejects_a_value_above_max_balance() {
    let max = 1_000_000;
    let config = ChainConfig {
        chain_id: CHAIN,
        tree_depth: 32,
        max_balance: max,
    };
    let mut fx = Fixture::new(config, &[500_000, 500_000, 10_000]);
    let (q, n0, n1) = (fx.next_deposit() + 1, fx.nonce(0) + 1, fx.nonce(1) + 1);
    let too_large = |field, value| OpRejection::ValueTooLarge { field, value, max };
    let r = fx.reject_after_prefix(deposit(q, 6, fx.key(6), max + 1), &["amount"]);
    assert_eq!(r, too_large("amount", max + 1));
    let r = fx.reject_after_prefix(transfer(fx.key(0), 0, 1, max + 1, 0, n0), &["amount"]);
    assert_eq!(r, too_large("amount", max + 1));
    let r = fx.reject_after_prefix(transfer(fx.key(0), 0, 1, 1, 2_000_000, n0), &["fee"]);
    assert_eq!(r, too_large("fee", 2_000_000));
    let r = fx.reject_after_prefix(withdraw(fx.key(1), 1, max + 1, 0, n1), &["amount"]);
    assert_eq!(r, too_large("amount", max + 1));
    let r = fx.reject_after_prefix(withdraw(fx.key(1), 1, 1, 2_000_000, n1), &["fee"]);
    assert_eq!(r, too_large("fee", 2_000_000));
    fx.finish(FEES_TO, PREFIX_FEE, vec![deposit(q, 6, fx.key(6), max)]);
    assert_eq!(fx.account(6).balance, max);
}

// ---------------------------------------------------------------------------------------
// 4. Batch files
// ---------------------------------------------------------------------------------------

/// The JSON text of `batch` after `edit`.
fn edited_json(batch: &Batch, edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(&batch.to_json()).unwrap();
    edit(&mut v);
    v.to_string()
}

/// Replaces hex field `field` of op `index` with `f` applied to its bytes.
fn edit_hex(v: &mut Value, index: usize, field: &str, f: impl FnOnce(&mut Vec<u8>)) {
    let slot = &mut v["ops"][index][field];
    let text = slot.as_str().unwrap();
    let mut bytes = hex::decode(text.strip_prefix("0x").unwrap_or(text)).unwrap();
    f(&mut bytes);
    *slot = Value::String(hex::encode(bytes));
}

/// A batch file whose op `index` carries a non-canonical encoding in `field`: refused
/// either when parsed (naming the field) or when applied (naming op and field, with
/// `expected` as the reason and nothing written).
fn assert_refused(fx: &mut Fixture, text: &str, index: usize, field: &str, expected: OpRejection) {
    match Batch::from_json(text) {
        Err(StateError::BatchFormat(msg)) => assert!(msg.contains(field), "{msg}"),
        Err(other) => panic!("expected a batch format error, got {other:?}"),
        Ok(b) => {
            let kind = b.ops[index].kind();
            assert_eq!(fx.reject(&b, index, kind, &[field]), expected);
        }
    }
}

/// Signatures whose R has a limb >= p, or whose s is >= n, are refused as `signature`.
#[test]
fn json_signatures_with_non_canonical_r_or_s_are_refused() {
    let mut fx = Fixture::funded(&[10_000, 10_000, 10_000]);
    let mut ops = fx.prefix(PREFIX_FEE);
    ops.push(transfer(fx.key(0), 0, 1, 10, 1, fx.nonce(0) + 1));
    let b = batch(FEES_TO, ops);
    assert_eq!(Batch::from_json(&b.to_json()).unwrap(), b, "round trip");
    for (limb, value) in [(0, P), (0, u64::MAX), (3, P)] {
        let text = edited_json(&b, |v| {
            edit_hex(v, 4, "signature", |s| {
                s[8 * limb..8 * limb + 8].copy_from_slice(&value.to_le_bytes())
            })
        });
        let expected = OpRejection::BadSignature(SignatureError::InvalidR);
        assert_refused(&mut fx, &text, 4, "signature", expected);
    }
    // The withdrawal at index 2: s = 2^320 - 1 >= n.
    let text = edited_json(&b, |v| edit_hex(v, 2, "signature", |s| s[40..].fill(0xff)));
    let expected = OpRejection::BadSignature(SignatureError::InvalidS);
    assert_refused(&mut fx, &text, 2, "signature", expected);
    // The unedited file applies.
    let out = fx
        .store
        .apply_batch(&Batch::from_json(&b.to_json()).unwrap())
        .unwrap();
    assert_eq!(out.witnesses.len(), 5);
}

/// In a batch file, a deposit key with a limb >= p is refused as `public_key`; the
/// all-zero key (credit an existing account) to an empty slot is refused as `account`, for
/// the prefix's deposit as for a later one.
#[test]
fn json_deposits_with_invalid_public_keys_are_refused() {
    let mut fx = Fixture::funded(&[10_000, 10_000, 10_000]);
    let mut ops = fx.prefix(PREFIX_FEE);
    ops.push(deposit(fx.next_deposit() + 1, 6, fx.key(6), 5));
    let b = batch(FEES_TO, ops);
    let mut non_canonical = fx.key(6).public_key().to_bytes();
    non_canonical[32..40].copy_from_slice(&P.to_le_bytes());
    let text = edited_json(&b, |v| {
        edit_hex(v, 4, "public_key", |k| k.copy_from_slice(&non_canonical))
    });
    let expected = OpRejection::BadPublicKey(SignatureError::InvalidPublicKey);
    assert_refused(&mut fx, &text, 4, "public_key", expected);
    for (index, account) in [(4, 6), (0, NEW_SLOT)] {
        let text = edited_json(&b, |v| edit_hex(v, index, "public_key", |k| k.fill(0)));
        let expected = OpRejection::UnknownAccount {
            field: "account",
            index: account,
        };
        assert_refused(&mut fx, &text, index, "account", expected);
    }
    fx.store.apply_batch(&b).unwrap();
    assert_eq!(fx.account(6).balance, 5);
}

/// Text that is not a well-formed batch file, or that has the wrong `format` or
/// `version` marker, is a `BatchFormat` error naming the problem.
#[test]
fn malformed_batch_files_are_format_errors() {
    let fx = Fixture::funded(&[10_000, 10_000, 10_000]);
    let b = batch(FEES_TO, fx.prefix(PREFIX_FEE));
    let with = |edit: &dyn Fn(&mut Value)| edited_json(&b, edit);
    let cases: Vec<(String, &str)> = vec![
        (String::new(), ""),
        ("{".into(), ""),
        ("[]".into(), ""),
        ("null".into(), ""),
        (b.to_json()[..b.to_json().len() - 3].to_string(), ""),
        (
            with(&|v: &mut Value| v["format"] = "bulwark-batch/2".into()),
            "`format`",
        ),
        (with(&|v: &mut Value| v["format"] = "".into()), "`format`"),
        (with(&|v: &mut Value| v["version"] = 2.into()), "`version`"),
        (with(&|v: &mut Value| v["version"] = 0.into()), "`version`"),
        (with(&|v: &mut Value| v["version"] = "1".into()), ""),
        (with(&|v: &mut Value| v["chain_id"] = (-7).into()), ""),
        (
            with(&|v: &mut Value| v["fee_recipient"] = (1u64 << 32).into()),
            "",
        ),
        (
            with(&|v: &mut Value| {
                v.as_object_mut().unwrap().remove("ops");
            }),
            "ops",
        ),
        (with(&|v: &mut Value| v["extra"] = 1.into()), "extra"),
        (
            with(&|v: &mut Value| v["ops"][3] = serde_json::json!({"type": "mint"})),
            "mint",
        ),
        (
            with(&|v: &mut Value| v["ops"][1]["memo"] = "hi".into()),
            "memo",
        ),
        (
            with(&|v: &mut Value| v["ops"][1]["amount"] = "1000".into()),
            "",
        ),
        (
            with(&|v: &mut Value| {
                edit_hex(v, 1, "signature", |s| {
                    s.pop();
                })
            }),
            "80 bytes",
        ),
        (
            with(&|v: &mut Value| v["ops"][1]["signature"] = "zz".into()),
            "hex",
        ),
        (
            with(&|v: &mut Value| edit_hex(v, 0, "public_key", |k| k.push(0))),
            "40 bytes",
        ),
    ];
    for (text, needle) in cases {
        let err = Batch::from_json(&text).expect_err(&text);
        let msg = err.to_string();
        match err {
            StateError::BatchFormat(inner) => {
                assert!(inner.contains(needle), "{inner:?} lacks {needle:?}")
            }
            other => panic!("{text}: expected a batch format error, got {other:?}"),
        }
        assert!(msg.starts_with("batch file: "), "{msg}");
    }
    // Markers of the unedited file, and "0x"-prefixed hex, are accepted.
    let text = with(&|v: &mut Value| {
        let sig = v["ops"][1]["signature"].as_str().unwrap().to_string();
        v["ops"][1]["signature"] = format!("0x{sig}").into();
    });
    let parsed = Batch::from_json(&text).unwrap();
    assert_eq!(
        (parsed.format.as_str(), parsed.version),
        (BATCH_FORMAT, BATCH_VERSION)
    );
    assert_eq!(parsed, b);
}

// ---------------------------------------------------------------------------------------
// 5. Differential test against an in-memory model
// ---------------------------------------------------------------------------------------

/// Why the model refuses a batch: the fee recipient up front, or op `index`.
#[derive(Debug, PartialEq)]
enum Refusal {
    FeeRecipient(OpRejection),
    Op(usize, OpRejection),
}

impl From<StateError> for Refusal {
    fn from(e: StateError) -> Self {
        match e {
            StateError::Op { index, reason, .. } => Refusal::Op(index, reason),
            StateError::FeeRecipient(r) => Refusal::FeeRecipient(r),
            other => panic!("unexpected store error {other:?}"),
        }
    }
}

/// The rollup state as plain data, with the executor's documented semantics re-derived
/// independently (check order: ranges, values, signer, recipient, then the writes).
#[derive(Clone, Debug)]
struct Model {
    config: ChainConfig,
    accounts: BTreeMap<u32, Account>,
    next_deposit: u64,
}

/// Whether `value` is `m * 10^e` with `m < 2^bits`.
fn packable(value: u64, bits: u32) -> bool {
    let mut m = value;
    while m >= 1 << bits {
        if m % 10 != 0 {
            return false;
        }
        m /= 10;
    }
    true
}

impl Model {
    fn new(config: ChainConfig) -> Self {
        Model {
            config,
            accounts: BTreeMap::new(),
            next_deposit: 0,
        }
    }

    fn get(&self, i: u32) -> Account {
        self.accounts.get(&i).copied().unwrap_or(Account::EMPTY)
    }

    fn in_range(&self, field: &'static str, index: u32) -> Result<(), OpRejection> {
        let capacity = 1u64 << self.config.tree_depth;
        if (index as u64) < capacity {
            Ok(())
        } else {
            Err(OpRejection::AccountOutOfRange {
                field,
                index,
                capacity,
            })
        }
    }

    fn at_most_max(&self, field: &'static str, value: u64) -> Result<(), OpRejection> {
        let max = self.config.max_balance;
        if value > max {
            return Err(OpRejection::ValueTooLarge { field, value, max });
        }
        Ok(())
    }

    fn packed(&self, field: &'static str, value: u64, bits: u32) -> Result<(), OpRejection> {
        self.at_most_max(field, value)?;
        if !packable(value, bits) {
            return Err(OpRejection::NotPackable {
                field,
                source: AmountError::NotRepresentable {
                    value,
                    mantissa_bits: bits,
                },
            });
        }
        Ok(())
    }

    fn credit(
        &mut self,
        field: &'static str,
        account: u32,
        amount: u64,
    ) -> Result<(), OpRejection> {
        let max = self.config.max_balance;
        let mut acc = self.get(account);
        acc.balance = acc
            .balance
            .checked_add(amount)
            .filter(|b| *b <= max)
            .ok_or(OpRejection::BalanceOverflow {
                field,
                account,
                max,
            })?;
        if !acc.is_empty() {
            self.accounts.insert(account, acc);
        }
        Ok(())
    }

    /// The signer's checks: existence, nonce, signature, funds for `needed`.
    fn authorize(
        &self,
        op: &Op,
        from: u32,
        nonce: u32,
        needed: u64,
    ) -> Result<Account, OpRejection> {
        let sender = self.get(from);
        if sender.is_empty() {
            return Err(OpRejection::UnknownAccount {
                field: "from",
                index: from,
            });
        }
        if nonce != sender.nonce {
            return Err(OpRejection::WrongNonce {
                account: from,
                expected: sender.nonce,
                got: nonce,
            });
        }
        if sender.nonce == u32::MAX {
            return Err(OpRejection::NonceExhausted { account: from });
        }
        let key = PublicKey::from_bytes(&sender.public_key).expect("model keys are valid");
        op.verify_signature(&key, self.config.chain_id)
            .map_err(OpRejection::BadSignature)?;
        if needed > sender.balance {
            return Err(OpRejection::Overdraft {
                account: from,
                balance: sender.balance,
                needed,
            });
        }
        Ok(sender)
    }

    fn debit(&mut self, from: u32, mut sender: Account, needed: u64) {
        sender.balance -= needed;
        sender.nonce += 1;
        self.accounts.insert(from, sender);
    }

    fn pay_fee(&mut self, fee_recipient: u32, fee: u64) -> Result<(), OpRejection> {
        if fee > 0 && self.get(fee_recipient).is_empty() {
            return Err(OpRejection::UnknownAccount {
                field: "fee_recipient",
                index: fee_recipient,
            });
        }
        self.credit("fee", fee_recipient, fee)
    }

    fn apply_op(
        &mut self,
        op: &Op,
        fee_recipient: u32,
        withdrawals: &mut Vec<Withdrawal>,
    ) -> Result<(), OpRejection> {
        match *op {
            Op::Noop => Ok(()),
            Op::Deposit {
                queue_index,
                account,
                public_key,
                amount,
            } => {
                if queue_index != self.next_deposit {
                    return Err(OpRejection::DepositOutOfOrder {
                        expected: self.next_deposit,
                        got: queue_index,
                    });
                }
                self.in_range("account", account)?;
                if public_key
                    .chunks(8)
                    .any(|limb| u64::from_le_bytes(limb.try_into().unwrap()) >= P)
                {
                    return Err(OpRejection::BadPublicKey(SignatureError::InvalidPublicKey));
                }
                if amount == 0 {
                    return Err(OpRejection::ZeroDeposit);
                }
                self.at_most_max("amount", amount)?;
                let creates = public_key != [0; PUBLIC_KEY_BYTES];
                match (self.get(account).is_empty(), creates) {
                    (true, true) => {
                        self.accounts.insert(
                            account,
                            Account {
                                public_key,
                                ..Account::EMPTY
                            },
                        );
                    }
                    (false, false) => {}
                    (true, false) => {
                        return Err(OpRejection::UnknownAccount {
                            field: "account",
                            index: account,
                        })
                    }
                    (false, true) => return Err(OpRejection::AccountExists { account }),
                }
                self.credit("amount", account, amount)?;
                self.next_deposit += 1;
                Ok(())
            }
            Op::Transfer {
                from,
                to,
                amount,
                fee,
                nonce,
                ..
            } => {
                self.in_range("from", from)?;
                self.in_range("to", to)?;
                self.packed("amount", amount, 35)?;
                self.packed("fee", fee, 11)?;
                let sender = self.authorize(op, from, nonce, amount + fee)?;
                if self.get(to).is_empty() {
                    return Err(OpRejection::UnknownAccount {
                        field: "to",
                        index: to,
                    });
                }
                self.debit(from, sender, amount + fee);
                self.credit("amount", to, amount)?;
                self.pay_fee(fee_recipient, fee)
            }
            Op::Withdraw {
                from,
                to_l1,
                amount,
                fee,
                nonce,
                ..
            } => {
                self.in_range("from", from)?;
                self.at_most_max("amount", amount)?;
                self.packed("fee", fee, 11)?;
                let sender = self.authorize(op, from, nonce, amount + fee)?;
                self.debit(from, sender, amount + fee);
                self.pay_fee(fee_recipient, fee)?;
                withdrawals.push(Withdrawal {
                    from,
                    to_l1,
                    amount,
                });
                Ok(())
            }
        }
    }

    /// The state after `batch` and its withdrawals, or why it is refused.
    fn apply_batch(&self, batch: &Batch) -> Result<(Model, Vec<Withdrawal>), Refusal> {
        assert_eq!(batch.chain_id, self.config.chain_id);
        self.in_range("fee_recipient", batch.fee_recipient)
            .map_err(Refusal::FeeRecipient)?;
        let mut next = self.clone();
        let mut withdrawals = Vec::new();
        for (i, op) in batch.ops.iter().enumerate() {
            next.apply_op(op, batch.fee_recipient, &mut withdrawals)
                .map_err(|r| Refusal::Op(i, r))?;
        }
        Ok((next, withdrawals))
    }
}

/// Accounts live in slots `0..SLOTS`; `SLOTS..SLOTS + 5` stay empty.
const SLOTS: u32 = 10;

/// Random batches: mostly valid ops, with deliberate invalid ones at a given rate.
struct Generator {
    rng: ChaCha20Rng,
    keys: Vec<SecretKey>,
}

impl Generator {
    fn owner(&self, acc: &Account) -> &SecretKey {
        self.keys
            .iter()
            .find(|k| k.public_key().to_bytes() == acc.public_key)
            .expect("every account belongs to a generator key")
    }

    fn existing(&mut self, m: &Model) -> Option<(u32, Account)> {
        let all: Vec<_> = m.accounts.iter().map(|(i, a)| (*i, *a)).collect();
        (!all.is_empty()).then(|| all[self.rng.gen_range(0..all.len())])
    }

    fn some_key(&mut self) -> SecretKey {
        self.keys[self.rng.gen_range(0..self.keys.len())].clone()
    }

    /// A fee the sender can afford (zero a third of the time, sometimes a round large one).
    fn fee(&mut self, balance: u64) -> u64 {
        let fee = match self.rng.gen_range(0..6) {
            0 | 1 => 0,
            2..=4 => self.rng.gen_range(1..=2047),
            _ => self.rng.gen_range(1..=2047) * 1_000,
        };
        if fee > balance {
            0
        } else {
            fee
        }
    }

    /// A packable transfer amount at most `limit`.
    fn transfer_amount(&mut self, limit: u64) -> u64 {
        let mut m = self.rng.gen_range(0..=limit);
        let mut scale = 1;
        while m >= 1 << 35 {
            m /= 10;
            scale *= 10;
        }
        m * scale
    }

    fn valid_op(&mut self, m: &Model) -> Op {
        let roll = self.rng.gen_range(0..100);
        let sender = self.existing(m);
        match (roll, sender) {
            (25..=64, Some((from, acc))) => {
                let (to, _) = self.existing(m).unwrap();
                let fee = self.fee(acc.balance);
                let amount = self.transfer_amount(acc.balance - fee);
                let key = self.owner(&acc);
                transfer(key, from, to, amount, fee, acc.nonce)
            }
            (65..=89, Some((from, acc))) => {
                let fee = self.fee(acc.balance);
                let amount = self.rng.gen_range(0..=acc.balance - fee);
                let to_l1: L1Address = self.rng.gen();
                let key = self.owner(&acc);
                Op::signed_withdraw(key, CHAIN, from, to_l1, amount, fee, acc.nonce)
            }
            (90.., Some(_)) => Op::Noop,
            _ => {
                let account = self.rng.gen_range(0..SLOTS);
                let amount = self.rng.gen_range(1..=20_000_000_000);
                if m.get(account).is_empty() {
                    deposit(m.next_deposit, account, &self.some_key(), amount)
                } else {
                    deposit_to(m.next_deposit, account, amount)
                }
            }
        }
    }

    /// Number of kinds of [`Generator::invalid_op`].
    const INVALID_KINDS: u32 = 15;

    /// An op that `m` refuses, of one of [`Generator::INVALID_KINDS`] kinds.
    fn invalid_op(&mut self, m: &Model, kind: u32) -> Op {
        let max = m.config.max_balance;
        let q = m.next_deposit;
        let Some((from, acc)) = self.existing(m) else {
            return deposit(q + 1, 0, &self.some_key(), 5);
        };
        let (to, _) = self.existing(m).unwrap();
        let owner = self.owner(&acc).clone();
        let empty = SLOTS + self.rng.gen_range(0..5);
        let far = (1 << m.config.tree_depth) + self.rng.gen_range(0..100);
        let n = acc.nonce;
        match kind {
            0 => transfer(&owner, from, to, 1, 0, n + self.rng.gen_range(1..3)),
            1 => withdraw(&owner, from, acc.balance + 1, 0, n),
            2 => {
                let other = self.keys.iter().find(|k| **k != owner).unwrap().clone();
                transfer(&other, from, to, 1, 0, n)
            }
            3 => {
                let mut op = transfer(&owner, from, to, 0, 0, n);
                if let Op::Transfer { amount, .. } = &mut op {
                    *amount = 1;
                }
                op
            }
            4 => transfer(&owner, from, empty, 1, 0, n),
            5 => transfer(&self.some_key(), empty, to, 1, 0, 0),
            6 => deposit_to(q + self.rng.gen_range(1..3), from, 5),
            7 => deposit(q, from, &owner, 5),
            8 => deposit_to(q, from, 0),
            9 => match self.rng.gen_bool(0.5) {
                true => transfer(&owner, from, to, (1 << 35) + 1, 0, n),
                false => transfer(&owner, from, to, 0, 2049, n),
            },
            10 => match self.rng.gen_range(0..3) {
                0 => deposit(q, far, &owner, 5),
                1 => transfer(&owner, from, far, 0, 0, n),
                _ => withdraw(&owner, far, 0, 0, 0),
            },
            11 => deposit_to(q, from, max - acc.balance + 1),
            12 => match self.rng.gen_bool(0.5) {
                true => deposit_to(q, from, max + 1),
                false => withdraw(&owner, from, max + 1, 0, n),
            },
            13 => Op::signed_transfer(&owner, CHAIN + 1, from, to, 0, 0, n),
            _ => {
                let mut public_key = self.some_key().public_key().to_bytes();
                if self.rng.gen_bool(0.5) {
                    // The all-zero key credits an existing account: refused for an empty one.
                    public_key = EXISTING_ACCOUNT;
                } else {
                    let limb = self.rng.gen_range(0..5) * 8;
                    public_key[limb..limb + 8].copy_from_slice(&P.to_le_bytes());
                }
                Op::Deposit {
                    queue_index: q,
                    account: empty,
                    public_key,
                    amount: 5,
                }
            }
        }
    }

    /// `len` valid ops generated against a working copy of `m` (each one updates it),
    /// except that op `invalid.0`, if given, is deliberately invalid of kind `invalid.1`.
    /// The fee recipient is usually an existing account; sometimes, in a batch without
    /// an invalid op, an empty slot (so that any fee is refused), and sometimes, in one
    /// with, out of range.
    fn batch(&mut self, m: &Model, len: usize, invalid: Option<(usize, u32)>) -> Batch {
        let fee_recipient = match self.rng.gen_range(0..40) {
            0 if invalid.is_some() => 1 << m.config.tree_depth,
            1..=4 if invalid.is_none() => SLOTS + self.rng.gen_range(0..5),
            _ => self.existing(m).map_or(0, |(i, _)| i),
        };
        let mut work = m.clone();
        let mut ops = Vec::with_capacity(len);
        for i in 0..len {
            let op = match invalid {
                Some((at, kind)) if at == i => self.invalid_op(&work, kind),
                _ => self.valid_op(&work),
            };
            let mut trial = work.clone();
            if trial.apply_op(&op, fee_recipient, &mut Vec::new()).is_ok() {
                work = trial;
            }
            ops.push(op);
        }
        batch(fee_recipient, ops)
    }
}

/// Random batches (valid ops mixed with invalid ones) give the same accept/reject decision,
/// the same reason and op index, and the same accounts, counters, withdrawals and root as
/// an independent in-memory model; a refused batch leaves the store untouched.
#[test]
fn randomized_batches_match_an_in_memory_model() {
    const ROUNDS: usize = 60;
    const OPS: usize = 30;
    let config = ChainConfig {
        chain_id: CHAIN,
        tree_depth: 16,
        max_balance: 1 << 40,
    };
    let dir = tempfile::tempdir().unwrap();
    let mut store = StateStore::genesis(dir.path(), config).unwrap();
    let mut model = Model::new(config);
    let mut gen = Generator {
        rng: ChaCha20Rng::seed_from_u64(0x5eed),
        keys: (0..6).map(|i| key(500 + i)).collect(),
    };
    let tree = SparseMerkleTree::new(config.tree_depth);
    let (mut accepted, mut refused, mut applied_ops) = (0u64, 0u64, 0usize);
    let mut reasons = BTreeSet::new();

    // Compares one batch on both sides; returns the refusal, if any.
    let mut run = |store: &mut StateStore, model: &mut Model, b: &Batch| -> Option<Refusal> {
        let before = snapshot(store);
        // Witnesses laid out for leaves of 1 to 4 ops, as the prover asks for them.
        let k = 1 + b.ops.len() % 4;
        let layout = WitnessLayout::leaves_of(k);
        match (
            model.apply_batch(b),
            store.apply_batch_with(b, layout, &mut |_| {}),
        ) {
            (Ok((next, withdrawals)), Ok(outcome)) => {
                let expected: Vec<(u32, Account)> = next.accounts.clone().into_iter().collect();
                assert_eq!(store.accounts().unwrap(), expected);
                assert_eq!(outcome.withdrawals, withdrawals);
                assert_eq!(outcome.deposits, (model.next_deposit, next.next_deposit));
                assert_eq!(store.next_deposit_index().unwrap(), next.next_deposit);
                assert_eq!(outcome.batch_index, accepted);
                assert_eq!(store.batches_applied().unwrap(), accepted + 1);
                assert_eq!(outcome.old_root, before.root);
                let root = tree.root_of(expected.iter().map(|(i, a)| (*i, a.leaf_hash())));
                assert_eq!(outcome.new_root, root);
                assert_eq!(store.check_integrity().unwrap(), root);
                let replayed =
                    check_witnesses(&outcome, b, config.tree_depth, model.accounts.clone());
                assert_eq!(replayed, next.accounts);
                assert_pubdata(&outcome, &b.ops);
                *model = next;
                accepted += 1;
                applied_ops += b.ops.len();
                None
            }
            (Err(want), Err(got)) => {
                assert_eq!(Refusal::from(got), want);
                assert_unchanged(store, &before);
                refused += 1;
                Some(want)
            }
            (want, got) => panic!(
                "model and store disagree: model {:?}, store {:?}",
                want.map(|(m, _)| m.accounts.len()),
                got.map(|o| o.new_root)
            ),
        }
    };

    for round in 0..ROUNDS {
        // Every other batch has one deliberately invalid op, cycling through the kinds.
        let invalid = (round % 2 == 1).then(|| {
            let kind = (round as u32 / 2) % Generator::INVALID_KINDS;
            (gen.rng.gen_range(0..OPS), kind)
        });
        let b = gen.batch(&model, OPS, invalid);
        match run(&mut store, &mut model, &b) {
            Some(Refusal::Op(index, reason)) => {
                let name = format!("{reason:?}");
                reasons.insert(name.split([' ', '(']).next().unwrap().to_string());
                // The ops before the refused one, alone, are accepted.
                let mut valid = b.clone();
                valid.ops.truncate(index);
                assert_eq!(run(&mut store, &mut model, &valid), None, "round {round}");
            }
            Some(Refusal::FeeRecipient(_)) => {
                reasons.insert("FeeRecipient".into());
            }
            None => {}
        }
    }
    println!("accepted {accepted} ({applied_ops} ops), refused {refused}: {reasons:?}");
    assert!(applied_ops >= 1_000, "only {applied_ops} ops applied");
    assert!(accepted >= 5, "only {accepted} batches accepted");
    assert!(refused >= 3, "only {refused} batches refused");
    let all: BTreeSet<String> = [
        "AccountExists",
        "AccountOutOfRange",
        "BadPublicKey",
        "BadSignature",
        "BalanceOverflow",
        "DepositOutOfOrder",
        "NotPackable",
        "Overdraft",
        "UnknownAccount",
        "ValueTooLarge",
        "WrongNonce",
        "ZeroDeposit",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert!(
        reasons.is_superset(&all),
        "refusals not exercised: {:?}",
        all.difference(&reasons).collect::<Vec<_>>()
    );
    assert!(model.accounts.len() >= 5);
}

/// A dry run computes exactly what applying would (outcome, witnesses, errors) and writes
/// nothing: the state after it is the state before, and applying afterwards agrees.
#[test]
fn dry_run_matches_apply_and_changes_nothing() {
    let mut fx = Fixture::funded(&[5_000, 5_000, 100]);
    let mut ops = fx.prefix(PREFIX_FEE);
    ops.push(transfer(fx.key(0), 0, 2, 10, 0, fx.nonce(0) + 1));
    let b = batch(FEES_TO, ops.clone());
    let before = fx.snapshot();
    let dry = fx
        .store
        .dry_run_batch(&b, WitnessLayout::WHOLE_BATCH)
        .unwrap();
    assert_unchanged(&fx.store, &before);
    // Twice in a row gives the same result: the first left no trace.
    assert_eq!(
        fx.store
            .dry_run_batch(&b, WitnessLayout::WHOLE_BATCH)
            .unwrap(),
        dry
    );
    let applied = fx.apply(FEES_TO, ops);
    assert_eq!(dry, applied);
    assert_ne!(fx.snapshot(), before, "control: applying changes the state");

    // A batch the executor refuses fails the same way in a dry run, and writes nothing.
    let bad = batch(
        FEES_TO,
        vec![transfer(fx.key(0), 0, 1, 1, 0, fx.nonce(0) + 7)],
    );
    let before = fx.snapshot();
    let dry_err = fx
        .store
        .dry_run_batch(&bad, WitnessLayout::WHOLE_BATCH)
        .unwrap_err()
        .to_string();
    assert_unchanged(&fx.store, &before);
    let apply_err = fx.store.apply_batch(&bad).unwrap_err().to_string();
    assert_eq!(dry_err, apply_err);
}
