//! The op slot: one circuit slot that executes any op type exactly as
//! `bulwark_state::executor` does.
//!
//! A slot carries one-hot type flags, every field any op type uses, and two leaf updates
//! at fixed positions (the executor's witness shape):
//!
//! | update | deposit | transfer | withdraw | noop |
//! | --- | --- | --- | --- | --- |
//! | 0 | recipient `account` | sender `from` | sender `from` | off |
//! | 1 | off | recipient `to` | off | off |
//!
//! An update that is off leaves the root unchanged and its witness unconstrained. Each
//! on update proves the account before the change under the running root, and the root
//! after replacing it with the account the op computes. Fields a type does not use are
//! don't-care: every use of a field is selected by the type flags, and the slot's 61-byte
//! pubdata record (docs/l1-interface.md) is assembled from the flags and the used fields.
//!
//! Fees are not written per op (that would be a third Merkle update): as in the executor
//! (`bulwark_state::executor`), they add up in a pending sum that the slot state carries,
//! written into the fee recipient's leaf by the update that next touches it (its balance as
//! ops see it is its leaf plus the pending fees) and by the leaf circuit's flush at its
//! end. Pending fees can never be written into an empty slot, and every balance that
//! includes them stays within the maximum, which is the executor's check of each fee.

use bulwark_state::amount::{AMOUNT, FEE};
use bulwark_state::op::{SIGNING_MESSAGE_LEN, TRANSFER_TAG, WITHDRAW_TAG};
use bulwark_state::{Account, LeafUpdate, Op, OpWitness};
use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};

use crate::authorization::{self, SignatureSlot};
use crate::ecgfp5::scalar::split_canonical_u64;
use crate::gadgets::amount::{add_packed, assert_at_most, PackedTarget};
use crate::gadgets::merkle::{leaf_hash, root_from_path};
use crate::{Builder, F};

/// Size of a pubdata record in bytes (the largest op, a deposit).
pub const RECORD_BYTES: usize = 61;

/// Parameters every slot of a deployment shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotParams {
    /// Depth of the account tree.
    pub depth: usize,
    /// The largest balance (and amount) allowed, below 2^62.
    pub max_balance: u64,
}

/// An account's seven leaf elements as targets.
#[derive(Clone, Copy, Debug)]
pub struct AccountTarget {
    /// The public key's five limbs (all zero for an empty slot).
    pub key: [Target; 5],
    /// Balance.
    pub balance: Target,
    /// Nonce.
    pub nonce: Target,
}

impl AccountTarget {
    fn new(builder: &mut Builder) -> Self {
        Self {
            key: builder.add_virtual_target_arr(),
            balance: builder.add_virtual_target(),
            nonce: builder.add_virtual_target(),
        }
    }

    fn elements(&self) -> [Target; 7] {
        let k = self.key;
        [k[0], k[1], k[2], k[3], k[4], self.balance, self.nonce]
    }

    fn select(builder: &mut Builder, flag: BoolTarget, a: &Self, b: &Self) -> Self {
        Self {
            key: core::array::from_fn(|i| builder.select(flag, a.key[i], b.key[i])),
            balance: builder.select(flag, a.balance, b.balance),
            nonce: builder.select(flag, a.nonce, b.nonce),
        }
    }

    fn set(&self, pw: &mut PartialWitness<F>, account: &Account) -> anyhow::Result<()> {
        let e = account.leaf_elements();
        pw.set_target_arr(&self.key, &e[..5])?;
        pw.set_target(self.balance, e[5])?;
        pw.set_target(self.nonce, e[6])?;
        Ok(())
    }
}

/// One leaf update's witness: the account before and the Merkle siblings.
#[derive(Clone, Debug)]
struct UpdateSlot {
    before: AccountTarget,
    siblings: Vec<HashOutTarget>,
}

impl UpdateSlot {
    fn new(builder: &mut Builder, depth: usize) -> Self {
        Self {
            before: AccountTarget::new(builder),
            siblings: builder.add_virtual_hashes(depth),
        }
    }

    /// Proves `before` under `root` and returns the root with `after` in its place; with
    /// `enabled` off, returns `root` unchanged.
    fn apply(
        &self,
        builder: &mut Builder,
        enabled: BoolTarget,
        root: HashOutTarget,
        index_bits: &[BoolTarget],
        after: &AccountTarget,
    ) -> HashOutTarget {
        let leaf = leaf_hash(builder, self.before.elements());
        let claimed = root_from_path(builder, leaf, index_bits, &self.siblings);
        for (c, r) in claimed.elements.iter().zip(root.elements) {
            let diff = builder.sub(*c, r);
            let gated = builder.mul(enabled.target, diff);
            builder.assert_zero(gated);
        }
        let new_leaf = leaf_hash(builder, after.elements());
        let updated = root_from_path(builder, new_leaf, index_bits, &self.siblings);
        HashOutTarget::from_vec(
            (0..4)
                .map(|i| builder.select(enabled, updated.elements[i], root.elements[i]))
                .collect(),
        )
    }

    fn set(&self, pw: &mut PartialWitness<F>, update: Option<&LeafUpdate>) -> anyhow::Result<()> {
        match update {
            Some(u) => {
                self.before.set(pw, &u.before)?;
                for (t, h) in self.siblings.iter().zip(&u.proof.siblings) {
                    pw.set_hash_target(*t, *h)?;
                }
            }
            None => {
                self.before.set(pw, &Account::EMPTY)?;
                for t in &self.siblings {
                    pw.set_hash_target(*t, Default::default())?;
                }
            }
        }
        Ok(())
    }
}

/// A leaf's last update: the fees pending at its end written into the fee recipient's
/// leaf (the executor's [`bulwark_state::BatchOutcome::fee_flushes`]), never into an empty
/// slot and never past the maximum balance. Always on: with nothing pending it proves the
/// leaf unchanged.
#[derive(Clone, Debug)]
pub struct FeeFlush {
    update: UpdateSlot,
}

impl FeeFlush {
    /// Adds the flush of `state`'s pending fees at the fee recipient (`fee_recipient_bits`,
    /// least significant first, its path); returns it and the root after it.
    pub fn add(
        builder: &mut Builder,
        params: &SlotParams,
        fee_recipient_bits: &[BoolTarget],
        state: &SlotState,
    ) -> (Self, HashOutTarget) {
        let update = UpdateSlot::new(builder, params.depth);
        let before = update.before;
        let empty = is_zero_key(builder, &before.key);
        let into_empty = builder.mul(state.pending_fees, empty.target);
        builder.assert_zero(into_empty);
        let balance = builder.add(before.balance, state.pending_fees);
        assert_at_most(builder, balance, params.max_balance);
        let after = AccountTarget { balance, ..before };
        let on = builder._true();
        let root = update.apply(builder, on, state.root, fee_recipient_bits, &after);
        (Self { update }, root)
    }

    /// Fills the flush from the executor's update of the fee recipient's leaf.
    pub fn set(&self, pw: &mut PartialWitness<F>, flush: &LeafUpdate) -> anyhow::Result<()> {
        self.update.set(pw, Some(flush))
    }
}

/// What a slot reads from the leaf it sits in.
#[derive(Clone, Debug)]
pub struct SlotContext {
    /// The fee recipient's index.
    pub fee_recipient: Target,
    /// The chain id's low and high 32-bit halves.
    pub chain: [Target; 2],
}

/// What a slot hands to the next one.
#[derive(Clone, Copy, Debug)]
pub struct SlotState {
    /// The state root.
    pub root: HashOutTarget,
    /// The next deposit queue index to consume.
    pub next_deposit: Target,
    /// Fees paid but not yet written into the fee recipient's leaf (at most the maximum
    /// balance).
    pub pending_fees: Target,
}

/// One op slot's witness targets.
#[derive(Clone, Debug)]
pub struct OpSlot {
    is_deposit: BoolTarget,
    is_transfer: BoolTarget,
    is_withdraw: BoolTarget,
    primary: Target,
    to: Target,
    queue_index: Target,
    key: [Target; 5],
    full_amount: Target,
    packed_amount: PackedTarget,
    fee: PackedTarget,
    /// The L1 address as five big-endian 32-bit words.
    to_l1: [Target; 5],
    signature: SignatureSlot,
    updates: [UpdateSlot; 2],
}

/// The result of wiring a slot: its state after the op and its pubdata record as the
/// SHA-256 message words it covers.
pub struct SlotOutput {
    /// State after the op.
    pub state: SlotState,
    /// The record's [`RECORD_WINDOW_WORDS`] words, starting `record_offset` bytes into the
    /// first (see [`OpSlot::add`]).
    pub record: [Target; RECORD_WINDOW_WORDS],
}

impl OpSlot {
    /// Adds a slot that applies one op to `state`; its record starts `record_offset` bytes
    /// (0..4) into the first message word it covers.
    pub fn add(
        builder: &mut Builder,
        params: &SlotParams,
        ctx: &SlotContext,
        state: SlotState,
        record_offset: usize,
    ) -> (Self, SlotOutput) {
        let max = params.max_balance;
        let is_deposit = builder.add_virtual_bool_target_safe();
        let is_transfer = builder.add_virtual_bool_target_safe();
        let is_withdraw = builder.add_virtual_bool_target_safe();
        // At most one flag: their sum is a bit (0 means Noop).
        let signed = builder.add(is_transfer.target, is_withdraw.target);
        let any = builder.add(signed, is_deposit.target);
        builder.assert_bool(BoolTarget::new_unsafe(any));
        let signed = BoolTarget::new_unsafe(signed);
        let any = BoolTarget::new_unsafe(any);

        let primary = builder.add_virtual_target();
        let to = builder.add_virtual_target();
        let queue_index = builder.add_virtual_target();
        let key = builder.add_virtual_target_arr::<5>();
        let full_amount = builder.add_virtual_target();
        let packed_amount = add_packed(builder, &AMOUNT, max);
        let fee = add_packed(builder, &FEE, max);
        let to_l1 = builder.add_virtual_target_arr::<5>();
        let signature = authorization::add_signature(builder);
        let updates = core::array::from_fn(|_| UpdateSlot::new(builder, params.depth));

        // Index bits double as the Merkle path and as the range check index < 2^depth.
        let primary_bits = builder.split_le(primary, params.depth);
        let to_bits = builder.split_le(to, params.depth);
        let queue_bits = builder.split_le(queue_index, 63);
        let full_amount_bits = builder.split_le(full_amount, 62);
        // The address words' bits, most significant first (one row each, which also keeps
        // each word below 2^32).
        let to_l1_bits: Vec<BoolTarget> = to_l1
            .iter()
            .flat_map(|w| builder.split_le(*w, 32).into_iter().rev())
            .collect();
        assert_at_most(builder, full_amount, max);
        let amount = builder.select(is_transfer, packed_amount.value, full_amount);

        // ---- update 0: the deposit's recipient, or the signer.
        let u0 = &updates[0];
        let b0 = u0.before;
        let b0_empty = is_zero_key(builder, &b0.key);
        // The account as the op sees it: the fee recipient's includes the pending fees,
        // which this update writes (never into an empty slot).
        let (b0_balance, pending) = take_pending(
            builder,
            ctx,
            any,
            state.pending_fees,
            primary,
            b0.balance,
            b0_empty,
        );
        assert_at_most(builder, b0_balance, max);
        // Deposit: a key creates an account in an empty slot, the all-zero key credits an
        // existing one (so exactly one of the two keys is zero); amount ≥ 1; no overflow.
        // The key need not encode a point: such an account can never sign (L1 cannot check
        // it cheaply, and refusing it would block the deposit queue).
        let key_zero = is_zero_key(builder, &key);
        let one_zero = builder.add(b0_empty.target, key_zero.target);
        let gated = builder.mul_sub(is_deposit.target, one_zero, is_deposit.target);
        builder.assert_zero(gated);
        let positive = builder.add_const(amount, -F::ONE);
        gated_range_check(builder, is_deposit, positive, 62);
        let credited = builder.add(b0_balance, amount);
        gated_at_most(builder, is_deposit, credited, max);
        let queue_diff = builder.sub(queue_index, state.next_deposit);
        let gated = builder.mul(is_deposit.target, queue_diff);
        builder.assert_zero(gated);
        let next_deposit = builder.add(state.next_deposit, is_deposit.target);
        // One of the two keys is zero: their sum is the one that is not.
        let after_deposit = AccountTarget {
            key: core::array::from_fn(|i| builder.add(b0.key[i], key[i])),
            balance: credited,
            nonce: b0.nonce,
        };

        // Signed ops: the nonce is the account's; signature; funds; nonce not exhausted.
        let message = signing_message(
            builder,
            is_transfer,
            ctx,
            primary,
            amount,
            fee.value,
            b0.nonce,
            to,
            &to_l1,
        );
        authorization::check_signature(builder, signed, b0.key, &message, &signature);
        let spent = builder.add(amount, fee.value);
        let remaining = builder.sub(b0_balance, spent);
        gated_range_check(builder, signed, remaining, 62);
        let next_nonce = builder.add_const(b0.nonce, F::ONE);
        gated_range_check(builder, signed, next_nonce, 32);
        let after_signer = AccountTarget {
            key: b0.key,
            balance: remaining,
            nonce: next_nonce,
        };
        let after0 = AccountTarget::select(builder, is_deposit, &after_deposit, &after_signer);
        let root = u0.apply(builder, any, state.root, &primary_bits, &after0);

        // ---- update 1: the transfer's recipient, which must exist.
        let b1 = updates[1].before;
        let b1_empty = is_zero_key(builder, &b1.key);
        let gated = builder.mul(is_transfer.target, b1_empty.target);
        builder.assert_zero(gated);
        let (b1_balance, pending) =
            take_pending(builder, ctx, is_transfer, pending, to, b1.balance, b1_empty);
        let received = builder.add(b1_balance, amount);
        gated_at_most(builder, is_transfer, received, max);
        let after1 = AccountTarget {
            balance: received,
            ..b1
        };
        let root = updates[1].apply(builder, is_transfer, root, &to_bits, &after1);

        // ---- the fee joins the pending fees.
        let pending_fees = builder.mul_add(signed.target, fee.value, pending);
        assert_at_most(builder, pending_fees, max);

        // ---- the pubdata record.
        let record = record_words(
            builder,
            [is_deposit, is_transfer, is_withdraw],
            &RecordFields {
                primary_bits: &primary_bits,
                to_bits: &to_bits,
                queue_bits: &queue_bits,
                key: &key,
                full_amount_bits: &full_amount_bits,
                packed_amount: &packed_amount,
                fee: &fee,
                to_l1: &to_l1_bits,
            },
            record_offset,
        );

        let slot = Self {
            is_deposit,
            is_transfer,
            is_withdraw,
            primary,
            to,
            queue_index,
            key,
            full_amount,
            packed_amount,
            fee,
            to_l1,
            signature,
            updates,
        };
        let output = SlotOutput {
            state: SlotState {
                root,
                next_deposit,
                pending_fees,
            },
            record,
        };
        (slot, output)
    }

    /// Fills the slot from the executor's witness of one op (or a `Noop`).
    pub fn set(&self, pw: &mut PartialWitness<F>, witness: &OpWitness) -> anyhow::Result<()> {
        let (deposit, transfer, withdraw) = match witness.op {
            Op::Noop => (false, false, false),
            Op::Deposit { .. } => (true, false, false),
            Op::Transfer { .. } => (false, true, false),
            Op::Withdraw { .. } => (false, false, true),
        };
        pw.set_bool_target(self.is_deposit, deposit)?;
        pw.set_bool_target(self.is_transfer, transfer)?;
        pw.set_bool_target(self.is_withdraw, withdraw)?;
        let f = F::from_canonical_u64;
        let mut primary = 0;
        let mut to = 0;
        let mut queue_index = 0;
        let mut key = [F::ZERO; 5];
        let mut full_amount = 0;
        let mut packed = 0;
        let mut fee_value = 0;
        let mut to_l1 = [0u8; 20];
        let mut signature = None;
        match &witness.op {
            Op::Noop => {}
            Op::Deposit {
                queue_index: q,
                account,
                public_key,
                amount,
            } => {
                queue_index = *q;
                primary = *account;
                key = bulwark_state::ecgfp5::field::decode(public_key)
                    .map(|k| k.0)
                    .ok_or_else(|| anyhow::anyhow!("deposit key has a non-canonical limb"))?;
                full_amount = *amount;
            }
            Op::Transfer {
                from,
                to: t,
                amount,
                fee,
                signature: s,
                ..
            } => {
                primary = *from;
                to = *t;
                packed = *amount;
                fee_value = *fee;
                signature = Some(s);
            }
            Op::Withdraw {
                from,
                to_l1: a,
                amount,
                fee,
                signature: s,
                ..
            } => {
                primary = *from;
                to_l1 = *a;
                full_amount = *amount;
                fee_value = *fee;
                signature = Some(s);
            }
        }
        pw.set_target(self.primary, f(primary as u64))?;
        pw.set_target(self.to, f(to as u64))?;
        pw.set_target(self.queue_index, f(queue_index))?;
        pw.set_target_arr(&self.key, &key)?;
        pw.set_target(self.full_amount, f(full_amount))?;
        set_packed(pw, &self.packed_amount, &AMOUNT, packed)?;
        set_packed(pw, &self.fee, &FEE, fee_value)?;
        for (t, word) in self.to_l1.iter().zip(to_l1.chunks_exact(4)) {
            let word = u32::from_be_bytes(word.try_into().expect("4 bytes"));
            pw.set_target(*t, F::from_canonical_u32(word))?;
        }
        let decoded = match signature {
            Some(s) => Some(
                Signature::from_bytes(s)
                    .map_err(|e| anyhow::anyhow!("signature does not decode: {e}"))?,
            ),
            None => None,
        };
        authorization::set_signature(pw, &self.signature, decoded.as_ref())?;

        let u = &witness.updates;
        let (u0, u1) = match witness.op {
            Op::Noop => (None, None),
            Op::Deposit { .. } | Op::Withdraw { .. } => (u.first(), None),
            Op::Transfer { .. } => (u.first(), u.get(1)),
        };
        self.updates[0].set(pw, u0)?;
        self.updates[1].set(pw, u1)?;
        Ok(())
    }
}

use bulwark_state::Signature;

fn set_packed(
    pw: &mut PartialWitness<F>,
    t: &PackedTarget,
    format: &bulwark_state::amount::PackedFormat,
    value: u64,
) -> anyhow::Result<()> {
    let bytes = format
        .pack(value)
        .map_err(|e| anyhow::anyhow!("value {value} is not packable: {e}"))?;
    let packed = bytes.iter().fold(0u64, |acc, b| acc << 8 | *b as u64);
    pw.set_target(t.mantissa, F::from_canonical_u64(packed >> 5))?;
    pw.set_target(t.exp, F::from_canonical_u64(packed & 31))?;
    Ok(())
}

/// 1 iff all five limbs are zero (the empty account's key).
fn is_zero_key(builder: &mut Builder, key: &[Target; 5]) -> BoolTarget {
    let zero = builder.zero();
    let mut all = builder._true();
    for k in key {
        let z = builder.is_equal(*k, zero);
        all = builder.and(all, z);
    }
    all
}

/// The balance an update at `index` sees (its leaf's, plus the pending fees when it is the
/// fee recipient's leaf and the update is on) and the fees still pending after it: the
/// update writes them. Refuses fees written into an empty slot.
fn take_pending(
    builder: &mut Builder,
    ctx: &SlotContext,
    enabled: BoolTarget,
    pending: Target,
    index: Target,
    balance: Target,
    empty: BoolTarget,
) -> (Target, Target) {
    let is_fee_recipient = builder.is_equal(index, ctx.fee_recipient);
    let touched = builder.and(enabled, is_fee_recipient);
    let written = builder.mul(touched.target, pending);
    let into_empty = builder.mul(written, empty.target);
    builder.assert_zero(into_empty);
    let seen = builder.add(balance, written);
    let left = builder.sub(pending, written);
    (seen, left)
}

/// Range-checks `flag · x`: checks `x` when the flag is set, nothing otherwise.
fn gated_range_check(builder: &mut Builder, flag: BoolTarget, x: Target, bits: usize) {
    let gated = builder.mul(flag.target, x);
    builder.range_check(gated, bits);
}

/// `x ≤ max` when the flag is set (`x` below 2^63).
fn gated_at_most(builder: &mut Builder, flag: BoolTarget, x: Target, max: u64) {
    let gated = builder.mul(flag.target, x);
    assert_at_most(builder, gated, max);
}

/// The signing message of `Op::signing_message`, for a transfer or a withdrawal.
#[allow(clippy::too_many_arguments)]
fn signing_message(
    builder: &mut Builder,
    is_transfer: BoolTarget,
    ctx: &SlotContext,
    from: Target,
    amount: Target,
    fee: Target,
    nonce: Target,
    to: Target,
    to_l1: &[Target; 5],
) -> Vec<Target> {
    let transfer_tag = builder.constant(F::from_canonical_u64(TRANSFER_TAG));
    let withdraw_tag = builder.constant(F::from_canonical_u64(WITHDRAW_TAG));
    let tag = builder.select(is_transfer, transfer_tag, withdraw_tag);
    let mut message = vec![tag, ctx.chain[0], ctx.chain[1], from, amount, fee, nonce];
    let zero = builder.zero();
    for (w, word) in to_l1.iter().enumerate() {
        let transfer_word = if w == 0 { to } else { zero };
        message.push(builder.select(is_transfer, transfer_word, *word));
    }
    debug_assert_eq!(message.len(), SIGNING_MESSAGE_LEN);
    message
}

struct RecordFields<'a> {
    primary_bits: &'a [BoolTarget],
    to_bits: &'a [BoolTarget],
    queue_bits: &'a [BoolTarget],
    key: &'a [Target; 5],
    full_amount_bits: &'a [BoolTarget],
    packed_amount: &'a PackedTarget,
    fee: &'a PackedTarget,
    to_l1: &'a [BoolTarget],
}

/// One bit of a record layout: a constant, or a target already constrained boolean.
#[derive(Clone, Copy)]
enum RecordBit {
    Zero,
    One,
    Var(BoolTarget),
}

/// Words of the SHA-256 message a slot's record occupies: the record's bytes start at byte
/// `offset` (0..4) of the first word, so the first and last words may also hold bytes of
/// the neighbouring records (zero here; the leaf adds the neighbours' parts).
pub const RECORD_WINDOW_WORDS: usize = 16;

/// The pubdata record (the op's bytes, op.rs layout, zero-padded to [`RECORD_BYTES`]) as the
/// [`RECORD_WINDOW_WORDS`] big-endian message words it covers when it starts at byte
/// `offset` of the first. Each op type's bytes are packed into words first (one row per
/// word that holds any of its field bits), then the words are selected by the type flags:
/// every word is below 2^32 and holds zeros outside the record's bytes, as
/// [`crate::gadgets::sha256::sha256_message_words`] requires (at most one flag is set).
fn record_words(
    builder: &mut Builder,
    [is_deposit, is_transfer, is_withdraw]: [BoolTarget; 3],
    f: &RecordFields,
    offset: usize,
) -> [Target; RECORD_WINDOW_WORDS] {
    assert!(offset < 4 && offset + RECORD_BYTES <= 4 * RECORD_WINDOW_WORDS);
    let var = |bits: &[BoolTarget]| bits.iter().map(|b| RecordBit::Var(*b)).collect::<Vec<_>>();
    // Little-endian bits as a big-endian integer of `width` bits (zeros above).
    let be = |bits: &[BoolTarget], width: usize| -> Vec<RecordBit> {
        let mut out = vec![RecordBit::Zero; width - bits.len()];
        out.extend(bits.iter().rev().map(|b| RecordBit::Var(*b)));
        out
    };
    let type_byte = |code: u8| -> Vec<RecordBit> {
        (0..8)
            .rev()
            .map(|i| {
                if code >> i & 1 == 1 {
                    RecordBit::One
                } else {
                    RecordBit::Zero
                }
            })
            .collect()
    };
    let primary = be(f.primary_bits, 32);
    let full_amount = be(f.full_amount_bits, 64);

    let mut deposit = type_byte(1);
    deposit.extend(be(f.queue_bits, 64));
    deposit.extend(&primary);
    for limb in f.key {
        // Each limb as 8 little-endian bytes of its canonical value (one row).
        let bits = split_canonical_u64(builder, *limb);
        for byte in bits.chunks(8) {
            deposit.extend(byte.iter().rev().map(|b| RecordBit::Var(*b)));
        }
    }
    deposit.extend(&full_amount);

    let mut transfer = type_byte(2);
    transfer.extend(&primary);
    transfer.extend(be(f.to_bits, 32));
    transfer.extend(var(&f.packed_amount.pubdata_bits()));
    transfer.extend(var(&f.fee.pubdata_bits()));

    let mut withdraw = type_byte(3);
    withdraw.extend(&primary);
    withdraw.extend(var(f.to_l1));
    withdraw.extend(&full_amount);
    withdraw.extend(var(&f.fee.pubdata_bits()));

    core::array::from_fn(|w| {
        let mut word = builder.zero();
        // The variable bits of this word already packed for another op type (transfers and
        // withdrawals share the sender's bytes), with the sum of the flags that use them.
        let mut packed: Vec<(Vec<Target>, Target)> = Vec::new();
        for (flag, bits) in [
            (is_deposit, &deposit),
            (is_transfer, &transfer),
            (is_withdraw, &withdraw),
        ] {
            // The word's 32 bits for this op type, most significant first.
            let word_bits = (4 * w * 8..(4 * w + 4) * 8).map(|p| {
                p.checked_sub(8 * offset)
                    .and_then(|q| bits.get(q))
                    .copied()
                    .unwrap_or(RecordBit::Zero)
            });
            // Constant bits go into one constant; the variable ones are packed in one row.
            let mut constant = 0u64;
            let mut any_var = false;
            let mut vars = Vec::with_capacity(32);
            for (i, bit) in word_bits.enumerate() {
                match bit {
                    RecordBit::Zero => vars.push(builder._false().target),
                    RecordBit::One => {
                        constant |= 1 << (31 - i);
                        vars.push(builder._false().target);
                    }
                    RecordBit::Var(b) => {
                        any_var = true;
                        vars.push(b.target);
                    }
                }
            }
            if any_var {
                match packed.iter_mut().find(|(v, _)| *v == vars) {
                    Some((_, flags)) => *flags = builder.add(*flags, flag.target),
                    None => packed.push((vars, flag.target)),
                }
            }
            if constant != 0 {
                word = builder.mul_const_add(F::from_canonical_u64(constant), flag.target, word);
            }
        }
        for (vars, flags) in packed {
            // Sources of `vars` are constrained boolean where they are made.
            let bits: Vec<BoolTarget> = vars.into_iter().map(BoolTarget::new_unsafe).collect();
            let value = builder.le_sum(bits.iter().rev());
            word = builder.mul_add(flags, value, word);
        }
        word
    })
}

/// Pubdata record bytes of an op natively: its pubdata, zero-padded.
pub fn record_bytes(op: &Op) -> anyhow::Result<Vec<u8>> {
    let mut bytes = op.public().encode()?;
    bytes.resize(RECORD_BYTES, 0);
    Ok(bytes)
}
