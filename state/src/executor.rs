//! The executor: applies a batch atomically and emits the witnesses the circuits need.
//!
//! Every op is validated (format, signature, nonce, balance, fee, overflow, account rules)
//! inside one redb write transaction. The first invalid op aborts the transaction, so the
//! stored state stays exactly as it was, and the error names the op's index and the reason.
//! A valid batch commits once, durably.
//!
//! Effects, in order:
//! * `Deposit`: the queue index must be the next one; a deposit with a key creates the
//!   account in an empty slot, one with the all-zero key credits an existing account
//!   (docs/l1-interface.md, "Deposits": the hub allocates new accounts, so every queued
//!   deposit is applicable and none can block the queue).
//! * `Transfer`: debits `amount + fee` from the sender and bumps its nonce, credits `amount`
//!   to the recipient, then `fee` to the batch's fee recipient.
//! * `Withdraw`: debits `amount + fee` from the sender and bumps its nonce, credits `fee` to
//!   the fee recipient, and records the withdrawal for L1.
//! * `Noop`: nothing.
//!
//! Fees are checked as they are paid (the fee recipient must exist and not overflow), and
//! the fee recipient's balance is what every later op sees; but its leaf in the tree is
//! written lazily, so that a circuit slot does not pay a Merkle update per fee: fees collect
//! in a pending sum, written into the leaf when an op touches the fee recipient (together
//! with that op's own change) and at the end of every leaf of [`WitnessLayout::ops_per_leaf`]
//! ops ([`BatchOutcome::fee_flushes`]). The state after the batch is the same either way;
//! the roots between ops are those of the lazy writes, which is what the witnesses carry.

use redb::{ReadableTable, Table, WriteTransaction};
use serde::{Deserialize, Serialize};

use crate::account::{Account, ACCOUNT_BYTES};
use crate::amount::{PackedFormat, AMOUNT, FEE};
use crate::batch::Batch;
use crate::error::{OpRejection, StateError};
use crate::op::{check_deposit_key, L1Address, Op, EXISTING_ACCOUNT};
use crate::schnorr::{hex_bytes, PublicKey};
use crate::store::{meta, read_account, StateStore, ACCOUNTS, META};
use crate::tree::{Hash, MerkleProof, NODES};

/// One leaf changed by an op: the circuit's witness for a Merkle update.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeafUpdate {
    /// The leaf's index.
    pub index: u32,
    /// The account before the update.
    pub before: Account,
    /// The account after the update.
    pub after: Account,
    /// The path's siblings; the same before and after, since only this leaf changes.
    pub proof: MerkleProof,
    /// Root before the update.
    #[serde(with = "hash_hex")]
    pub root_before: Hash,
    /// Root after the update.
    #[serde(with = "hash_hex")]
    pub root_after: Hash,
}

/// The witness of one op: the op and its leaf updates, in the order they were applied.
///
/// The shape is fixed per op type: deposit `[recipient]`; transfer `[sender, recipient]`;
/// withdraw `[sender]`; noop `[]`. An update of the fee recipient's leaf also writes the
/// fees pending until then: its `before` is the leaf as last written, its `after` the
/// account after the op (pending fees included).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpWitness {
    /// The op as applied.
    pub op: Op,
    /// The leaf updates.
    pub updates: Vec<LeafUpdate>,
}

/// A withdrawal the hub pays when the batch executes on L1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// The L2 account debited.
    pub from: u32,
    /// The L1 recipient.
    #[serde(with = "hex_bytes")]
    pub to_l1: L1Address,
    /// The amount.
    pub amount: u64,
}

/// What applying a batch did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchOutcome {
    /// Sequence number of this batch (0 for the first after genesis).
    pub batch_index: u64,
    /// Root before.
    #[serde(with = "hash_hex")]
    pub old_root: Hash,
    /// Root after.
    #[serde(with = "hash_hex")]
    pub new_root: Hash,
    /// Deposit queue range consumed, `[first, last)`.
    pub deposits: (u64, u64),
    /// Withdrawals for L1, in op order.
    pub withdrawals: Vec<Withdrawal>,
    /// The batch's pubdata: the ops' encodings concatenated.
    #[serde(with = "bytes_hex")]
    pub pubdata: Vec<u8>,
    /// Per-op witnesses.
    pub witnesses: Vec<OpWitness>,
    /// The layout the witnesses follow.
    pub layout: WitnessLayout,
    /// The fee recipient's leaf written with the fees pending at the end of each leaf of
    /// `layout.ops_per_leaf` ops (the last one may be shorter; one for an empty batch),
    /// recorded even when nothing is pending (then before == after).
    pub fee_flushes: Vec<LeafUpdate>,
}

/// How the executor lays out its witnesses for the circuits: after how many ops it writes
/// the pending fees into the fee recipient's leaf (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessLayout {
    /// Ops per leaf proof (at least 1).
    pub ops_per_leaf: usize,
}

impl WitnessLayout {
    /// Fees written once, at the end of the batch.
    pub const WHOLE_BATCH: Self = Self {
        ops_per_leaf: usize::MAX,
    };

    /// Fees written at the end of every leaf of `ops_per_leaf` ops.
    pub fn leaves_of(ops_per_leaf: usize) -> Self {
        Self {
            ops_per_leaf: ops_per_leaf.max(1),
        }
    }
}

mod hash_hex {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::tree::{hash_from_hex, hash_to_hex, Hash};

    pub fn serialize<S: Serializer>(h: &Hash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hash_to_hex(h))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        let s = String::deserialize(d)?;
        hash_from_hex(&s).ok_or_else(|| serde::de::Error::custom(format!("invalid digest {s}")))
    }
}

mod bytes_hex {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(b)))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s.strip_prefix("0x").unwrap_or(&s)).map_err(serde::de::Error::custom)
    }
}

impl StateStore {
    /// Applies `batch` atomically; see the module documentation. The witnesses write the
    /// fees once, at the end ([`WitnessLayout::WHOLE_BATCH`]).
    pub fn apply_batch(&mut self, batch: &Batch) -> Result<BatchOutcome, StateError> {
        self.apply_batch_with(batch, WitnessLayout::WHOLE_BATCH, &mut |_| {})
    }

    /// As [`StateStore::apply_batch`], calling `progress(i)` after op `i` is applied inside
    /// the (not yet committed) transaction.
    pub fn apply_batch_with_progress(
        &mut self,
        batch: &Batch,
        progress: &mut dyn FnMut(usize),
    ) -> Result<BatchOutcome, StateError> {
        self.apply_batch_with(batch, WitnessLayout::WHOLE_BATCH, progress)
    }

    /// As [`StateStore::apply_batch_with_progress`], with witnesses laid out for `layout`.
    pub fn apply_batch_with(
        &mut self,
        batch: &Batch,
        layout: WitnessLayout,
        progress: &mut dyn FnMut(usize),
    ) -> Result<BatchOutcome, StateError> {
        self.run_batch(batch, layout, progress, true)
    }

    /// Executes `batch` exactly as [`StateStore::apply_batch`] does, with the same checks
    /// and outcome, and witnesses laid out for `layout`, but aborts the transaction instead
    /// of committing it: the stored state is left unchanged. The prover uses it to obtain a
    /// batch's witnesses before (or without) applying it.
    pub fn dry_run_batch(
        &self,
        batch: &Batch,
        layout: WitnessLayout,
    ) -> Result<BatchOutcome, StateError> {
        self.run_batch(batch, layout, &mut |_| {}, false)
    }

    fn run_batch(
        &self,
        batch: &Batch,
        layout: WitnessLayout,
        progress: &mut dyn FnMut(usize),
        commit: bool,
    ) -> Result<BatchOutcome, StateError> {
        if batch.chain_id != self.config.chain_id {
            return Err(StateError::ChainMismatch {
                batch: batch.chain_id,
                state: self.config.chain_id,
            });
        }
        if batch.fee_recipient as u64 >= self.config.capacity() {
            return Err(StateError::FeeRecipient(OpRejection::AccountOutOfRange {
                field: "fee_recipient",
                index: batch.fee_recipient,
                capacity: self.config.capacity(),
            }));
        }
        let layout = WitnessLayout::leaves_of(layout.ops_per_leaf);
        let txn = self.db.begin_write()?;
        match self.execute(&txn, batch, layout, progress) {
            Ok(outcome) if commit => {
                txn.commit()?;
                Ok(outcome)
            }
            Ok(outcome) => {
                txn.abort()?;
                Ok(outcome)
            }
            Err(e) => {
                txn.abort()?;
                Err(e)
            }
        }
    }

    fn execute(
        &self,
        txn: &WriteTransaction,
        batch: &Batch,
        layout: WitnessLayout,
        progress: &mut dyn FnMut(usize),
    ) -> Result<BatchOutcome, StateError> {
        let mut meta_table = txn.open_table(META)?;
        let read_u64 = |t: &Table<&str, &[u8]>, key: &str| -> Result<u64, StateError> {
            let v = t
                .get(key)?
                .ok_or_else(|| StateError::Corrupt(format!("missing {key}")))?;
            Ok(u64::from_le_bytes(
                v.value()
                    .try_into()
                    .map_err(|_| StateError::Corrupt(format!("bad {key}")))?,
            ))
        };
        let first_deposit = read_u64(&meta_table, meta::NEXT_DEPOSIT)?;
        let batch_index = read_u64(&meta_table, meta::BATCHES)?;
        let mut exec = Execution {
            store: self,
            nodes: txn.open_table(NODES)?,
            accounts: txn.open_table(ACCOUNTS)?,
            fee_recipient: batch.fee_recipient,
            pending_fees: 0,
            next_deposit: first_deposit,
            withdrawals: Vec::new(),
        };
        let old_root = self.tree.root(&exec.nodes)?;
        let mut pubdata = Vec::new();
        let mut witnesses = Vec::with_capacity(batch.ops.len());
        let mut fee_flushes = Vec::new();
        for (index, op) in batch.ops.iter().enumerate() {
            let reject = |reason| StateError::Op {
                index,
                kind: op.kind(),
                reason,
            };
            let updates = exec.apply(op).map_err(|e| match e {
                Failure::Rejected(reason) => reject(reason),
                Failure::Storage(e) => e,
            })?;
            // Validation already proved every amount and fee packable.
            pubdata.extend(
                op.public()
                    .encode()
                    .map_err(|e| StateError::Corrupt(e.to_string()))?,
            );
            witnesses.push(OpWitness {
                op: op.clone(),
                updates,
            });
            if (index + 1) % layout.ops_per_leaf == 0 {
                fee_flushes.push(exec.flush_fees()?);
            }
            progress(index);
        }
        if batch.ops.is_empty() || batch.ops.len() % layout.ops_per_leaf != 0 {
            fee_flushes.push(exec.flush_fees()?);
        }
        let new_root = self.tree.root(&exec.nodes)?;
        meta_table.insert(
            meta::NEXT_DEPOSIT,
            exec.next_deposit.to_le_bytes().as_slice(),
        )?;
        meta_table.insert(meta::BATCHES, (batch_index + 1).to_le_bytes().as_slice())?;
        Ok(BatchOutcome {
            batch_index,
            old_root,
            new_root,
            deposits: (first_deposit, exec.next_deposit),
            withdrawals: exec.withdrawals,
            pubdata,
            witnesses,
            layout,
            fee_flushes,
        })
    }
}

enum Failure {
    Rejected(OpRejection),
    Storage(StateError),
}

impl From<OpRejection> for Failure {
    fn from(r: OpRejection) -> Self {
        Failure::Rejected(r)
    }
}

impl<E: Into<StateError>> From<E> for Failure
where
    E: std::error::Error,
{
    fn from(e: E) -> Self {
        Failure::Storage(e.into())
    }
}

struct Execution<'a, 'txn> {
    store: &'a StateStore,
    nodes: Table<'txn, u64, [u8; 32]>,
    accounts: Table<'txn, u32, [u8; ACCOUNT_BYTES]>,
    fee_recipient: u32,
    /// Fees paid but not yet written into the fee recipient's leaf.
    pending_fees: u64,
    next_deposit: u64,
    withdrawals: Vec<Withdrawal>,
}

impl Execution<'_, '_> {
    fn apply(&mut self, op: &Op) -> Result<Vec<LeafUpdate>, Failure> {
        let cfg = self.store.config;
        match *op {
            Op::Noop => Ok(Vec::new()),
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
                    }
                    .into());
                }
                self.check_index("account", account)?;
                check_deposit_key(&public_key).map_err(OpRejection::BadPublicKey)?;
                if amount == 0 {
                    return Err(OpRejection::ZeroDeposit.into());
                }
                check_max("amount", amount, cfg.max_balance)?;
                let before = self.read(account)?;
                let mut acc = match (before.is_empty(), public_key == EXISTING_ACCOUNT) {
                    (true, false) => Account {
                        public_key,
                        ..Account::EMPTY
                    },
                    (false, true) => before,
                    (true, true) => {
                        return Err(OpRejection::UnknownAccount {
                            field: "account",
                            index: account,
                        }
                        .into())
                    }
                    (false, false) => return Err(OpRejection::AccountExists { account }.into()),
                };
                acc.balance = credit("amount", account, acc.balance, amount, cfg.max_balance)?;
                self.next_deposit += 1;
                Ok(vec![self.write(account, acc)?])
            }
            Op::Transfer {
                from,
                to,
                amount,
                fee,
                nonce,
                ..
            } => {
                self.check_index("from", from)?;
                self.check_index("to", to)?;
                check_value("amount", amount, AMOUNT, cfg.max_balance)?;
                check_value("fee", fee, FEE, cfg.max_balance)?;
                if self.read(to)?.is_empty() {
                    return Err(OpRejection::UnknownAccount {
                        field: "to",
                        index: to,
                    }
                    .into());
                }
                let sender = self.authorize(op, from, nonce, amount, fee)?;
                let debit = self.debit(from, sender, amount + fee)?;
                let before = self.read(to)?;
                let after = Account {
                    balance: credit("amount", to, before.balance, amount, cfg.max_balance)?,
                    ..before
                };
                let credit_update = self.write(to, after)?;
                self.pay_fee(fee)?;
                Ok(vec![debit, credit_update])
            }
            Op::Withdraw {
                from,
                to_l1,
                amount,
                fee,
                nonce,
                ..
            } => {
                self.check_index("from", from)?;
                check_max("amount", amount, cfg.max_balance)?;
                check_value("fee", fee, FEE, cfg.max_balance)?;
                let sender = self.authorize(op, from, nonce, amount, fee)?;
                let debit = self.debit(from, sender, amount + fee)?;
                self.pay_fee(fee)?;
                self.withdrawals.push(Withdrawal {
                    from,
                    to_l1,
                    amount,
                });
                Ok(vec![debit])
            }
        }
    }

    /// Checks the signer's existence, nonce, signature and funds; returns its account.
    fn authorize(
        &mut self,
        op: &Op,
        from: u32,
        nonce: u32,
        amount: u64,
        fee: u64,
    ) -> Result<Account, Failure> {
        let sender = self.read(from)?;
        if sender.is_empty() {
            return Err(OpRejection::UnknownAccount {
                field: "from",
                index: from,
            }
            .into());
        }
        if nonce != sender.nonce {
            return Err(OpRejection::WrongNonce {
                account: from,
                expected: sender.nonce,
                got: nonce,
            }
            .into());
        }
        if sender.nonce == u32::MAX {
            return Err(OpRejection::NonceExhausted { account: from }.into());
        }
        let key = PublicKey::from_bytes(&sender.public_key).map_err(OpRejection::BadPublicKey)?;
        op.verify_signature(&key, self.store.config.chain_id)
            .map_err(OpRejection::BadSignature)?;
        // amount and fee are each <= max_balance < 2^62, so the sum cannot overflow.
        let needed = amount + fee;
        if needed > sender.balance {
            return Err(OpRejection::Overdraft {
                account: from,
                balance: sender.balance,
                needed,
            }
            .into());
        }
        Ok(sender)
    }

    fn debit(&mut self, from: u32, sender: Account, needed: u64) -> Result<LeafUpdate, Failure> {
        let after = Account {
            balance: sender.balance - needed,
            nonce: sender.nonce + 1,
            ..sender
        };
        self.write(from, after)
    }

    /// Checks a fee against the fee recipient as every op sees it (its leaf plus the fees
    /// pending) and adds it to the pending fees; the leaf is written later.
    fn pay_fee(&mut self, fee: u64) -> Result<(), Failure> {
        let index = self.fee_recipient;
        let recipient = self.read(index)?;
        if fee > 0 && recipient.is_empty() {
            return Err(OpRejection::UnknownAccount {
                field: "fee_recipient",
                index,
            }
            .into());
        }
        credit(
            "fee",
            index,
            recipient.balance,
            fee,
            self.store.config.max_balance,
        )?;
        // The credit above bounds fee recipient balance + pending by max_balance < 2^62.
        self.pending_fees += fee;
        Ok(())
    }

    /// Writes the pending fees into the fee recipient's leaf (an update with before ==
    /// after when none are pending). Nothing here can be refused: each fee was checked
    /// when it was paid.
    fn flush_fees(&mut self) -> Result<LeafUpdate, StateError> {
        let index = self.fee_recipient;
        self.read(index)
            .and_then(|recipient| self.write(index, recipient))
            .map_err(|e| match e {
                Failure::Storage(e) => e,
                Failure::Rejected(r) => StateError::Corrupt(r.to_string()),
            })
    }

    fn check_index(&self, field: &'static str, index: u32) -> Result<(), OpRejection> {
        let capacity = self.store.config.capacity();
        if index as u64 >= capacity {
            return Err(OpRejection::AccountOutOfRange {
                field,
                index,
                capacity,
            });
        }
        Ok(())
    }

    /// The account as ops see it: the fee recipient's includes the pending fees.
    fn read(&self, index: u32) -> Result<Account, Failure> {
        let mut account = self.read_leaf(index)?;
        if index == self.fee_recipient {
            account.balance += self.pending_fees;
        }
        Ok(account)
    }

    /// The account as its leaf was last written.
    fn read_leaf(&self, index: u32) -> Result<Account, Failure> {
        read_account(&self.accounts, index).map_err(Failure::Storage)
    }

    /// Writes `after` (computed from [`Self::read`]) into leaf `index`; the update's
    /// `before` is the leaf as last written, and writing the fee recipient's leaf writes
    /// the pending fees with it.
    fn write(&mut self, index: u32, after: Account) -> Result<LeafUpdate, Failure> {
        let before = self.read_leaf(index)?;
        if index == self.fee_recipient {
            self.pending_fees = 0;
        }
        let tree = &self.store.tree;
        let root_before = tree.root(&self.nodes)?;
        let (proof, root_after) = tree.update(&mut self.nodes, index, after.leaf_hash())?;
        if after.is_empty() {
            self.accounts.remove(index)?;
        } else {
            self.accounts.insert(index, after.to_bytes())?;
        }
        Ok(LeafUpdate {
            index,
            before,
            after,
            proof,
            root_before,
            root_after,
        })
    }
}

fn check_max(field: &'static str, value: u64, max: u64) -> Result<(), OpRejection> {
    if value > max {
        return Err(OpRejection::ValueTooLarge { field, value, max });
    }
    Ok(())
}

fn check_value(
    field: &'static str,
    value: u64,
    format: PackedFormat,
    max: u64,
) -> Result<(), OpRejection> {
    check_max(field, value, max)?;
    format
        .pack(value)
        .map_err(|source| OpRejection::NotPackable { field, source })?;
    Ok(())
}

fn credit(
    field: &'static str,
    account: u32,
    balance: u64,
    amount: u64,
    max: u64,
) -> Result<u64, OpRejection> {
    match balance.checked_add(amount) {
        Some(b) if b <= max => Ok(b),
        _ => Err(OpRejection::BalanceOverflow {
            field,
            account,
            max,
        }),
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::config::ChainConfig;

    /// The nonce counter never wraps: an account at u32::MAX cannot sign again. (2^32 ops
    /// are out of reach of a test, so the account is written into the store directly.)
    #[test]
    fn exhausted_nonce_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = StateStore::genesis(dir.path(), ChainConfig::new(3)).unwrap();
        let key = crate::SecretKey::random(&mut rand_chacha::ChaCha20Rng::seed_from_u64(5));
        let worn = Account {
            balance: 100,
            nonce: u32::MAX,
            ..Account::new(&key.public_key())
        };
        let txn = store.db.begin_write().unwrap();
        {
            let mut nodes = txn.open_table(NODES).unwrap();
            store.tree.update(&mut nodes, 0, worn.leaf_hash()).unwrap();
            txn.open_table(ACCOUNTS)
                .unwrap()
                .insert(0, worn.to_bytes())
                .unwrap();
        }
        txn.commit().unwrap();
        let root = store.check_integrity().unwrap();
        let mut batch = Batch::new(3, 0);
        batch
            .ops
            .push(Op::signed_transfer(&key, 3, 0, 0, 1, 0, u32::MAX));
        let err = store.apply_batch(&batch).unwrap_err();
        assert!(
            matches!(
                err,
                StateError::Op {
                    index: 0,
                    reason: OpRejection::NonceExhausted { account: 0 },
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(store.root().unwrap(), root);
    }
}
