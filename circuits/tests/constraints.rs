//! Op-slot constraints the executor enforces first, each checked in isolation with a
//! forged pre-state and witness: a one- or two-op leaf whose Merkle paths are derived here
//! (not by the executor), so the forged ops pass every check but the one under test. Each
//! forgery has a control of the same shape with that check satisfied, which proves.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use bulwark_circuits::leaf::{LeafCircuit, LeafInputs, LeafParams};
use bulwark_circuits::op::SlotParams;
use bulwark_state::SparseMerkleTree;
use bulwark_state::{Account, Hash, LeafUpdate, MerkleProof, Op, OpWitness, SecretKey};
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::circuit_data::CircuitConfig;
use plonky2::plonk::config::Hasher;
use rand::SeedableRng;

const CHAIN_ID: u64 = 0x2_0000_0003;
const DEPTH: u8 = 32;
const MAX: u64 = 5_000_000_000;

/// The largest balance a chain can have (2^62 - 1), for the case whose fees must add up
/// past p.
const BIG_MAX: u64 = (1 << 62) - 1;

/// A leaf of `ops` ops with maximum balance [`MAX`] (1 or 2 ops: most cases prove one op,
/// so a small circuit keeps the suite fast; fees pending from one op to the next need
/// two), or of 5 ops with [`BIG_MAX`].
fn circuit(ops: usize) -> &'static LeafCircuit {
    static CIRCUITS: [OnceLock<LeafCircuit>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let (slot, max) = match ops {
        1 | 2 => (ops - 1, MAX),
        5 => (2, BIG_MAX),
        _ => panic!("no {ops}-op leaf in this suite"),
    };
    CIRCUITS[slot].get_or_init(|| {
        LeafCircuit::build(
            LeafParams {
                slot: SlotParams {
                    depth: DEPTH as usize,
                    max_balance: max,
                },
                ops,
            },
            CircuitConfig::standard_recursion_config(),
        )
    })
}

fn key(i: u64) -> SecretKey {
    SecretKey::random(&mut rand_chacha::ChaCha20Rng::seed_from_u64(500 + i))
}

/// An account of `key(i)` with a balance and a nonce.
fn account(i: u64, balance: u64, nonce: u32) -> Account {
    Account {
        balance,
        nonce,
        ..Account::new(&key(i).public_key())
    }
}

/// The accounts and the leaves of a tree held in memory; leaves are raw digests, so a
/// forged update can write a leaf no `Account` represents (a balance wrapped below zero
/// in the field, a nonce of 2^32) and later paths still chain through it.
/// Fees are pending as in the circuit: written by the next update of [`FEE_TO`]'s leaf.
struct Forger {
    tree: SparseMerkleTree,
    leaves: BTreeMap<u32, Hash>,
    accounts: BTreeMap<u32, Account>,
    /// In the field, as the circuit adds fees up.
    pending: F,
}

impl Forger {
    fn new(accounts: &[(u32, Account)]) -> Self {
        Forger {
            tree: SparseMerkleTree::new(DEPTH),
            leaves: accounts.iter().map(|(i, a)| (*i, a.leaf_hash())).collect(),
            accounts: accounts.iter().copied().collect(),
            pending: F::ZERO,
        }
    }

    fn root(&self) -> Hash {
        self.tree.root_of(self.leaves.clone())
    }

    fn proof(&self, index: u32) -> MerkleProof {
        let mut level: BTreeMap<u64, Hash> =
            self.leaves.iter().map(|(i, h)| (*i as u64, *h)).collect();
        let mut siblings = Vec::new();
        for l in 0..DEPTH {
            let pos = (index as u64) >> l;
            siblings.push(*level.get(&(pos ^ 1)).unwrap_or(&self.tree.empty_hash(l)));
            let mut parents = BTreeMap::new();
            for (&p, &h) in &level {
                let sib = *level.get(&(p ^ 1)).unwrap_or(&self.tree.empty_hash(l));
                let (a, b) = if p & 1 == 0 { (h, sib) } else { (sib, h) };
                parents.insert(p >> 1, PoseidonHash::two_to_one(a, b));
            }
            level = parents;
        }
        MerkleProof { index, siblings }
    }

    /// Leaf `index` becomes `before` with `dbalance` (and the pending fees, if it is the
    /// fee recipient's leaf) added to its balance, `dnonce` to its nonce and `key` (if
    /// any) installed, in the field (as the circuit computes it).
    fn update(&mut self, index: u32, dbalance: i64, dnonce: u64) -> LeafUpdate {
        self.update_with_key(index, dbalance, dnonce, None)
    }

    fn update_with_key(
        &mut self,
        index: u32,
        dbalance: i64,
        dnonce: u64,
        key: Option<[u8; 40]>,
    ) -> LeafUpdate {
        let before = self.accounts.get(&index).copied().unwrap_or(Account::EMPTY);
        let pending = if index == FEE_TO {
            std::mem::take(&mut self.pending)
        } else {
            F::ZERO
        };
        let installed = Account {
            public_key: key.unwrap_or(before.public_key),
            ..before
        };
        let mut e = installed.leaf_elements();
        e[5] += F::from_noncanonical_i64(dbalance) + pending;
        e[6] += F::from_canonical_u64(dnonce);
        let proof = self.proof(index);
        let root_before = self.root();
        self.leaves.insert(index, PoseidonHash::hash_no_pad(&e));
        let after = Account {
            balance: e[5].to_canonical_u64(),
            nonce: e[6].to_canonical_u64() as u32,
            ..installed
        };
        self.accounts.insert(index, after);
        LeafUpdate {
            index,
            before,
            after,
            proof,
            root_before,
            root_after: self.root(),
        }
    }
}

/// Proves `ops` (one or two) on the accounts `pre` with fee recipient [`FEE_TO`]; true iff
/// a verifying proof comes out. Updates are derived as the circuit computes them,
/// unchecked, and the fees pending at the end are written into [`FEE_TO`]'s leaf.
fn proves(pre: &[(u32, Account)], ops: Vec<Op>) -> bool {
    let fee_to = FEE_TO;
    let mut forger = Forger::new(pre);
    let old_root = forger.root();
    let mut witnesses = Vec::new();
    for op in ops {
        let (updates, fee) = match op {
            Op::Transfer {
                from,
                to,
                amount,
                fee,
                ..
            } => (
                vec![
                    forger.update(from, -((amount + fee) as i64), 1),
                    forger.update(to, amount as i64, 0),
                ],
                fee,
            ),
            Op::Withdraw {
                from, amount, fee, ..
            } => (vec![forger.update(from, -((amount + fee) as i64), 1)], fee),
            Op::Deposit {
                account,
                public_key,
                amount,
                ..
            } => (
                vec![forger.update_with_key(account, amount as i64, 0, Some(public_key))],
                0,
            ),
            Op::Noop => (vec![], 0),
        };
        forger.pending += F::from_canonical_u64(fee);
        witnesses.push(OpWitness { op, updates });
    }
    let flush = forger.update(fee_to, 0, 0);
    let inputs = LeafInputs {
        old_root,
        deposit_first: 0,
        fee_recipient: fee_to,
        chain_id: CHAIN_ID,
    };
    let c = circuit(witnesses.len());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let pw = c.witness(&inputs, &witnesses, &flush)?;
        let proof = c.data.prove(pw)?;
        c.data.verify(proof)
    }));
    matches!(result, Ok(Ok(())))
}

fn transfer(from: u32, to: u32, amount: u64, fee: u64, nonce: u32) -> Op {
    Op::signed_transfer(&key(from as u64), CHAIN_ID, from, to, amount, fee, nonce)
}

fn withdraw(from: u32, amount: u64, fee: u64, nonce: u32) -> Op {
    Op::signed_withdraw(
        &key(from as u64),
        CHAIN_ID,
        from,
        [7; 20],
        amount,
        fee,
        nonce,
    )
}

/// The fee recipient of every case (account 3, or an empty slot where it is absent).
const FEE_TO: u32 = 3;

/// A deposit that creates [`FEE_TO`]'s account with `amount`.
fn create_fee_recipient(amount: u64) -> Op {
    Op::Deposit {
        queue_index: 0,
        account: FEE_TO,
        public_key: key(FEE_TO as u64).public_key().to_bytes(),
        amount,
    }
}

/// (what, pre-state and ops of the forgery, pre-state and ops of its control).
type Case = (
    &'static str,
    Vec<(u32, Account)>,
    Vec<Op>,
    Vec<(u32, Account)>,
    Vec<Op>,
);

#[test]
fn each_forgery_fails_and_its_control_proves() {
    let a = (1, account(1, 100, 0));
    let b = (2, account(2, 50, 0));
    let r = (FEE_TO, account(3, 0, 0));
    let same =
        |what, pre: Vec<_>, forged, control| (what, pre.clone(), vec![forged], pre, vec![control]);
    let two = |what, pre: Vec<_>, forged, control| (what, pre.clone(), forged, pre, control);
    let cases: Vec<Case> = vec![
        same(
            "withdrawal overdraft",
            vec![a, r],
            withdraw(1, 101, 0, 0),
            withdraw(1, 100, 0, 0),
        ),
        same(
            "overdraft by the fee",
            vec![a, b, r],
            transfer(1, 2, 100, 1, 0),
            transfer(1, 2, 99, 1, 0),
        ),
        same(
            "transfer to an empty slot",
            vec![a, r],
            transfer(1, 9, 10, 0, 0),
            transfer(1, FEE_TO, 10, 0, 0),
        ),
        same(
            "a fee to an empty fee recipient (a zero fee may go there)",
            vec![a, b],
            transfer(1, 2, 10, 1, 0),
            transfer(1, 2, 10, 0, 0),
        ),
        (
            "nonce exhausted",
            vec![(1, account(1, 100, u32::MAX)), r],
            vec![withdraw(1, 1, 0, u32::MAX)],
            vec![(1, account(1, 100, u32::MAX - 1)), r],
            vec![withdraw(1, 1, 0, u32::MAX - 1)],
        ),
        same(
            "recipient balance overflow",
            vec![a, (2, account(2, MAX - 5, 0)), r],
            transfer(1, 2, 6, 0, 0),
            transfer(1, 2, 5, 0, 0),
        ),
        same(
            "fee recipient balance overflow",
            vec![a, b, (FEE_TO, account(3, MAX - 1, 0))],
            transfer(1, 2, 10, 2, 0),
            transfer(1, 2, 10, 1, 0),
        ),
        // Pending fees written by the op that next touches the fee recipient.
        two(
            "fees written into the fee recipient's slot by the deposit that creates it",
            vec![a, b],
            vec![transfer(1, 2, 10, 5, 0), create_fee_recipient(20)],
            vec![transfer(1, 2, 10, 0, 0), create_fee_recipient(20)],
        ),
        two(
            "the fee recipient spending a balance pushed past the maximum by pending fees",
            vec![a, b, (FEE_TO, account(3, MAX - 1, 0))],
            vec![transfer(1, 2, 10, 2, 0), withdraw(FEE_TO, 5, 0, 0)],
            vec![transfer(1, 2, 10, 1, 0), withdraw(FEE_TO, 5, 0, 0)],
        ),
    ];
    // Five fees of 4·10^18 add up past p: each step must keep the pending sum within the
    // maximum (2^62 - 1), or the sum would wrap to a small value the flush accepts.
    let senders = [1, 2, 4, 5, 6];
    let rich: Vec<(u32, Account)> = senders
        .iter()
        .map(|&i| (i, account(i as u64, BIG_MAX, 0)))
        .chain([(7, account(7, 0, 0)), (FEE_TO, account(3, 0, 0))])
        .collect();
    let fees = |fee| {
        senders
            .iter()
            .map(|&i| transfer(i, 7, 1, fee, 0))
            .collect::<Vec<_>>()
    };
    let mut cases = cases;
    cases.push((
        "fees that add up past p",
        rich.clone(),
        fees(4_000_000_000_000_000_000),
        rich,
        fees(900_000_000_000_000_000),
    ));
    for (what, forged_pre, forged, control_pre, control) in cases {
        assert_eq!(forged.len(), control.len(), "{what}: same shape");
        assert!(
            proves(&control_pre, control),
            "control of `{what}` must prove"
        );
        assert!(!proves(&forged_pre, forged), "`{what}` was proved");
    }
}
