//! The leaf circuit: K op slots applied in sequence, and the public values every proof of
//! the aggregation tree exposes.
//!
//! Public values ([`PublicValues`], 21 elements, the same layout for leaf and node
//! proofs): old root (4), new root (4), first and last deposit queue index (the batch
//! consumes `[first, last)`), the fee recipient, the chain id as two 32-bit halves, and the
//! SHA-256 pubdata commitment as eight 32-bit words (docs/l1-interface.md).

use bulwark_state::{Hash, LeafUpdate, OpWitness};
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};
use plonky2::plonk::proof::ProofWithPublicInputs;

use crate::gadgets::sha256::sha256_message_words;
use crate::op::{FeeFlush, OpSlot, SlotContext, SlotParams, SlotState, RECORD_BYTES};
use crate::{Builder, C, D, F};

/// Number of public values of leaf and node proofs.
pub const NUM_PUBLIC_VALUES: usize = 21;

/// The public values of a leaf or node proof, natively.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicValues {
    /// Root before.
    pub old_root: Hash,
    /// Root after.
    pub new_root: Hash,
    /// First deposit queue index consumed.
    pub deposit_first: u64,
    /// One past the last deposit consumed.
    pub deposit_last: u64,
    /// The batch's fee recipient.
    pub fee_recipient: u32,
    /// The consumer chain's id.
    pub chain_id: u64,
    /// The pubdata commitment (SHA-256 digest bytes).
    pub commitment: [u8; 32],
}

impl PublicValues {
    /// Reads the values from a proof's first [`NUM_PUBLIC_VALUES`] public inputs.
    pub fn from_elements(pis: &[F]) -> Self {
        let u = |i: usize| pis[i].to_canonical_u64();
        let hash = |at: usize| Hash {
            elements: [pis[at], pis[at + 1], pis[at + 2], pis[at + 3]],
        };
        let mut commitment = [0u8; 32];
        for (i, chunk) in commitment.chunks_exact_mut(4).enumerate() {
            chunk.copy_from_slice(&(u(13 + i) as u32).to_be_bytes());
        }
        Self {
            old_root: hash(0),
            new_root: hash(4),
            deposit_first: u(8),
            deposit_last: u(9),
            fee_recipient: u(10) as u32,
            chain_id: u(11) | (u(12) << 32),
            commitment,
        }
    }

    /// Reads the values from a proof.
    pub fn from_proof(proof: &ProofWithPublicInputs<F, C, D>) -> Self {
        Self::from_elements(&proof.public_inputs)
    }
}

/// The targets of the public values, in their registration order.
#[derive(Clone, Debug)]
pub struct PublicValuesTarget {
    /// Root before.
    pub old_root: HashOutTarget,
    /// Root after.
    pub new_root: HashOutTarget,
    /// First deposit consumed.
    pub deposit_first: Target,
    /// One past the last deposit consumed.
    pub deposit_last: Target,
    /// Fee recipient index.
    pub fee_recipient: Target,
    /// Chain id halves (low, high).
    pub chain: [Target; 2],
    /// Commitment words (big-endian words of the digest, in order).
    pub commitment: [Target; 8],
}

impl PublicValuesTarget {
    /// The 21 targets in public-input order.
    pub fn to_vec(&self) -> Vec<Target> {
        let mut v = Vec::with_capacity(NUM_PUBLIC_VALUES);
        v.extend(self.old_root.elements);
        v.extend(self.new_root.elements);
        v.extend([
            self.deposit_first,
            self.deposit_last,
            self.fee_recipient,
            self.chain[0],
            self.chain[1],
        ]);
        v.extend(self.commitment);
        v
    }

    /// Views the first 21 of `targets` as public values.
    pub fn from_slice(t: &[Target]) -> Self {
        Self {
            old_root: HashOutTarget::from_vec(t[0..4].to_vec()),
            new_root: HashOutTarget::from_vec(t[4..8].to_vec()),
            deposit_first: t[8],
            deposit_last: t[9],
            fee_recipient: t[10],
            chain: [t[11], t[12]],
            commitment: t[13..21].try_into().unwrap(),
        }
    }
}

/// The shape of a leaf circuit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeafParams {
    /// Slot parameters (tree depth, balance bound).
    pub slot: SlotParams,
    /// Op slots per leaf.
    pub ops: usize,
}

/// A built leaf circuit and its witness targets.
pub struct LeafCircuit {
    /// The circuit.
    pub data: CircuitData<F, C, D>,
    /// Its parameters.
    pub params: LeafParams,
    targets: LeafTargets,
}

/// The witness targets of a leaf circuit: what proving needs besides the circuit data.
struct LeafTargets {
    slots: Vec<OpSlot>,
    fee_flush: FeeFlush,
    old_root: HashOutTarget,
    deposit_first: Target,
    fee_recipient: Target,
    chain: [Target; 2],
}

/// Why circuit data could not be used as a leaf circuit.
#[derive(Debug, thiserror::Error)]
pub enum LeafDataMismatch {
    /// The data was built with another configuration.
    #[error("circuit data has another configuration than the leaf parameters ask for")]
    Config,
    /// The data's public inputs are not the leaf's.
    #[error("circuit data has {found} public inputs, a leaf has {expected}")]
    PublicInputs {
        /// The leaf's count.
        expected: usize,
        /// The data's count.
        found: usize,
    },
    /// The leaf's gates do not fit the data's rows.
    #[error("the leaf lays out {rows} rows, more than the data's 2^{degree_bits}")]
    Rows {
        /// Rows the leaf layout uses.
        rows: usize,
        /// The data's degree.
        degree_bits: usize,
    },
}

/// Everything one leaf proof needs besides its ops' witnesses.
#[derive(Clone, Copy, Debug)]
pub struct LeafInputs {
    /// The root before the leaf's first op.
    pub old_root: Hash,
    /// The queue index of the first deposit the leaf may consume.
    pub deposit_first: u64,
    /// The batch's fee recipient.
    pub fee_recipient: u32,
    /// The chain id.
    pub chain_id: u64,
}

impl LeafCircuit {
    /// Builds the leaf circuit.
    pub fn build(params: LeafParams, config: CircuitConfig) -> Self {
        let (builder, targets) = Self::layout(params, config);
        Self {
            data: builder.build::<C>(),
            params,
            targets,
        }
    }

    /// Wraps circuit data built earlier by [`LeafCircuit::build`] with the same `params`
    /// and `config` (a cached circuit). The gates are laid out again to recover the witness
    /// targets, which is cheap next to `build` (no polynomial commitments); the caller
    /// must make sure the data comes from the same circuit code (the circuit cache keys it
    /// by a fingerprint of this crate's sources and checks its digest).
    pub fn from_data(
        params: LeafParams,
        config: CircuitConfig,
        data: CircuitData<F, C, D>,
    ) -> Result<Self, LeafDataMismatch> {
        if data.common.config != config {
            return Err(LeafDataMismatch::Config);
        }
        let (builder, targets) = Self::layout(params, config);
        if data.common.num_public_inputs != NUM_PUBLIC_VALUES {
            return Err(LeafDataMismatch::PublicInputs {
                expected: NUM_PUBLIC_VALUES,
                found: data.common.num_public_inputs,
            });
        }
        let degree_bits = data.common.degree_bits();
        if builder.num_gates() > 1 << degree_bits {
            return Err(LeafDataMismatch::Rows {
                rows: builder.num_gates(),
                degree_bits,
            });
        }
        Ok(Self {
            data,
            params,
            targets,
        })
    }

    /// Rows the leaf lays out before padding to a power of two (no polynomial work):
    /// what decides whether K ops fit a degree.
    pub fn rows(params: LeafParams, config: CircuitConfig) -> usize {
        Self::layout(params, config).0.num_gates()
    }

    /// Adds the leaf's gates to a new builder, returning it unbuilt with the targets.
    fn layout(params: LeafParams, config: CircuitConfig) -> (Builder, LeafTargets) {
        let mut builder = Builder::new(config);
        let old_root = builder.add_virtual_hash();
        let deposit_first = builder.add_virtual_target();
        let fee_recipient = builder.add_virtual_target();
        let chain = builder.add_virtual_target_arr::<2>();
        for half in chain {
            builder.range_check(half, 32);
        }
        // The index bits are the flush's Merkle path and range-check the index.
        let fee_recipient_bits = builder.split_le(fee_recipient, params.slot.depth);
        let ctx = SlotContext {
            fee_recipient,
            chain,
        };
        let mut state = SlotState {
            root: old_root,
            next_deposit: deposit_first,
            pending_fees: builder.zero(),
        };
        let mut slots = Vec::with_capacity(params.ops);
        // The K records back to back, as message words: a word shared by two records is
        // the sum of their parts (each is zero in the other's bytes).
        let len = params.ops * RECORD_BYTES;
        let mut message: Vec<Option<Target>> = vec![None; len.div_ceil(4)];
        for i in 0..params.ops {
            let start = i * RECORD_BYTES;
            let (slot, out) = OpSlot::add(&mut builder, &params.slot, &ctx, state, start % 4);
            for (j, part) in out.record.into_iter().enumerate() {
                let Some(word) = message.get_mut(start / 4 + j) else {
                    continue; // past the message: the record's zero padding
                };
                *word = Some(match *word {
                    Some(w) => builder.add(w, part),
                    None => part,
                });
            }
            slots.push(slot);
            state = out.state;
        }
        let message: Vec<Target> = message
            .into_iter()
            .map(|w| w.expect("every message word holds record bytes"))
            .collect();
        let commitment = sha256_message_words(&mut builder, &message, len);
        // The fees still pending go into the fee recipient's leaf: none cross a leaf.
        let (fee_flush, new_root) =
            FeeFlush::add(&mut builder, &params.slot, &fee_recipient_bits, &state);
        let public = PublicValuesTarget {
            old_root,
            new_root,
            deposit_first,
            deposit_last: state.next_deposit,
            fee_recipient,
            chain,
            commitment,
        };
        builder.register_public_inputs(&public.to_vec());
        let targets = LeafTargets {
            slots,
            fee_flush,
            old_root,
            deposit_first,
            fee_recipient,
            chain,
        };
        (builder, targets)
    }

    /// The partial witness for `ops` (exactly `params.ops` of them; pad with `Noop`s) and
    /// the write of the fees pending after them (`BatchOutcome::fee_flushes`; for a leaf of
    /// padding, the fee recipient's leaf unchanged).
    pub fn witness(
        &self,
        inputs: &LeafInputs,
        ops: &[OpWitness],
        fee_flush: &LeafUpdate,
    ) -> anyhow::Result<PartialWitness<F>> {
        anyhow::ensure!(
            fee_flush.index == inputs.fee_recipient,
            "the fee flush writes leaf {}, the fee recipient is {}",
            fee_flush.index,
            inputs.fee_recipient
        );
        anyhow::ensure!(
            ops.len() == self.params.ops,
            "a leaf takes {} ops, got {}",
            self.params.ops,
            ops.len()
        );
        let t = &self.targets;
        let mut pw = PartialWitness::new();
        pw.set_hash_target(t.old_root, inputs.old_root)?;
        pw.set_target(t.deposit_first, F::from_canonical_u64(inputs.deposit_first))?;
        pw.set_target(t.fee_recipient, F::from_canonical_u32(inputs.fee_recipient))?;
        pw.set_target(
            t.chain[0],
            F::from_canonical_u64(inputs.chain_id & 0xFFFF_FFFF),
        )?;
        pw.set_target(t.chain[1], F::from_canonical_u64(inputs.chain_id >> 32))?;
        for (slot, op) in t.slots.iter().zip(ops) {
            slot.set(&mut pw, op)?;
        }
        t.fee_flush.set(&mut pw, fee_flush)?;
        Ok(pw)
    }

    /// Proves one leaf.
    pub fn prove(
        &self,
        inputs: &LeafInputs,
        ops: &[OpWitness],
        fee_flush: &LeafUpdate,
    ) -> anyhow::Result<ProofWithPublicInputs<F, C, D>> {
        self.data.prove(self.witness(inputs, ops, fee_flush)?)
    }
}

/// The commitment of a leaf natively: SHA-256 of its ops' records.
pub fn leaf_commitment(ops: &[bulwark_state::Op]) -> anyhow::Result<[u8; 32]> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for op in ops {
        h.update(crate::op::record_bytes(op)?);
    }
    Ok(h.finalize().into())
}
