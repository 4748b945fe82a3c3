//! The root circuit: verifies the batch's top node proof and exposes the SHA-256 of the
//! 152-byte batch header (docs/l1-interface.md) as exactly 8 public inputs, the digest's
//! big-endian 32-bit words, each range-checked. The Groth16 wrapper reads these 8 words
//! and the hub recomputes the same header from calldata.
//!
//! * The node circuit's verifier data is a constant here, and the verifier data the node
//!   proof carries in its public inputs (the cyclic recursion's own data, against which
//!   it verified its node children) is constrained to equal it, as
//!   [`crate::node::NodeCircuit::verify`] checks natively.
//! * The hub address and the batch index are witnesses: they are bound by the digest.
//! * Every header field is built canonically from field elements: chain id halves, the
//!   fee recipient and the commitment words are range-checked to 32 bits, the batch index
//!   and hub words too, and each 8-byte field (root limbs, deposit indices) is the
//!   canonical (below p) 64-bit decomposition of its element.

use anyhow::{ensure, Context};
use plonky2::field::types::{Field, PrimeField64};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};
use plonky2::plonk::proof::ProofWithPublicInputsTarget;

use crate::ecgfp5::scalar::split_canonical_u64;
use crate::gadgets::sha256::{sha256_words, WordTarget};
use crate::leaf::PublicValuesTarget;
use crate::node::{NodeCircuit, Proof};
use crate::{Builder, C, D, F};

/// Bytes of the batch header.
pub const HEADER_BYTES: usize = 152;

/// Public inputs of a root proof: the header digest's eight big-endian words.
pub const NUM_PUBLIC_INPUTS: usize = 8;

/// The root circuit and its witness targets.
pub struct RootCircuit {
    /// The circuit.
    pub data: CircuitData<F, C, D>,
    node: ProofWithPublicInputsTarget<D>,
    hub: [Target; 5],
    batch_index: [Target; 2],
}

/// A 32-bit word, range-checked.
fn checked_word(builder: &mut Builder, x: Target) -> WordTarget {
    builder.range_check(x, 32);
    x
}

/// The big-endian word of four bytes taken from `bits` (little-endian bits of a value
/// whose bytes are in little-endian order): bytes `first .. first + 4` in that order.
fn word_of_le_bytes(builder: &mut Builder, bits: &[BoolTarget], first: usize) -> WordTarget {
    // Bit j (weight 2^j) of the word is bit j % 8 of byte first + 3 − j / 8.
    let ordered: Vec<BoolTarget> = (0..32)
        .map(|j| bits[8 * (first + 3 - j / 8) + j % 8])
        .collect();
    builder.le_sum(ordered.iter())
}

/// The two big-endian words (high, low) of the canonical u64 of `x`.
fn canonical_u64_words(builder: &mut Builder, x: Target) -> [WordTarget; 2] {
    let bits = split_canonical_u64(builder, x);
    let hi = builder.le_sum(bits[32..].iter());
    let lo = builder.le_sum(bits[..32].iter());
    [hi, lo]
}

/// The eight words of a 32-byte root: each limb's canonical value as 8 little-endian
/// bytes (`bulwark_state::tree::hash_to_bytes`).
fn root_words(builder: &mut Builder, limbs: [Target; 4]) -> Vec<WordTarget> {
    let mut words = Vec::with_capacity(8);
    for limb in limbs {
        let bits = split_canonical_u64(builder, limb);
        words.push(word_of_le_bytes(builder, &bits, 0));
        words.push(word_of_le_bytes(builder, &bits, 4));
    }
    words
}

impl RootCircuit {
    /// Builds the root circuit for proofs of `node`.
    pub fn build(node: &NodeCircuit, config: CircuitConfig) -> anyhow::Result<Self> {
        let common = &node.data.common;
        let mut builder = Builder::new(config);
        let proof = builder.add_virtual_proof_with_pis(common);
        let vd = builder.constant_verifier_data(&node.data.verifier_only);
        builder.verify_proof::<C>(&proof, &vd, common);

        // The cyclic verifier data the node proof carries: `[.., digest, cap]` at the end.
        let pis = &proof.public_inputs;
        let cap_len = common.config.fri_config.num_cap_elements();
        ensure!(
            pis.len() >= crate::leaf::NUM_PUBLIC_VALUES + 4 + 4 * cap_len,
            "node proofs have {} public inputs, too few to carry verifier data",
            pis.len()
        );
        let carried = &pis[pis.len() - 4 - 4 * cap_len..];
        let expected = vd.circuit_digest.elements.iter().chain(
            vd.constants_sigmas_cap
                .0
                .iter()
                .flat_map(|h| h.elements.iter()),
        );
        for (c, e) in carried.iter().zip(expected) {
            builder.connect(*c, *e);
        }

        let v = PublicValuesTarget::from_slice(pis);
        let hub: [Target; 5] = builder.add_virtual_target_arr();
        let batch_index: [Target; 2] = builder.add_virtual_target_arr();
        let mut header: Vec<WordTarget> = Vec::with_capacity(HEADER_BYTES / 4);
        // chainId (8 bytes, big-endian): the high half, then the low half.
        header.push(checked_word(&mut builder, v.chain[1]));
        header.push(checked_word(&mut builder, v.chain[0]));
        for w in hub {
            header.push(checked_word(&mut builder, w));
        }
        for w in batch_index {
            header.push(checked_word(&mut builder, w));
        }
        header.extend(root_words(&mut builder, v.old_root.elements));
        header.extend(root_words(&mut builder, v.new_root.elements));
        header.extend(canonical_u64_words(&mut builder, v.deposit_first));
        header.extend(canonical_u64_words(&mut builder, v.deposit_last));
        header.push(checked_word(&mut builder, v.fee_recipient));
        for w in v.commitment {
            header.push(checked_word(&mut builder, w));
        }
        debug_assert_eq!(header.len() * 4, HEADER_BYTES);
        let digest = sha256_words(&mut builder, &header);
        builder.register_public_inputs(&digest);
        Ok(Self {
            data: builder.build::<C>(),
            node: proof,
            hub,
            batch_index,
        })
    }

    /// The partial witness for a top node proof, the hub address and the batch index.
    pub fn witness(
        &self,
        node_proof: &Proof,
        hub: [u8; 20],
        batch_index: u64,
    ) -> anyhow::Result<PartialWitness<F>> {
        let hub_words = core::array::from_fn(|i| {
            u32::from_be_bytes(hub[4 * i..4 * i + 4].try_into().expect("4 bytes")) as u64
        });
        self.witness_words(
            node_proof,
            hub_words,
            [batch_index >> 32, batch_index & 0xFFFF_FFFF],
        )
    }

    /// The partial witness with the hub and batch index given as their big-endian header
    /// words. Each must be below 2^32: the circuit range-checks them, so other values make
    /// proving fail.
    pub fn witness_words(
        &self,
        node_proof: &Proof,
        hub: [u64; 5],
        batch_index: [u64; 2],
    ) -> anyhow::Result<PartialWitness<F>> {
        let mut pw = PartialWitness::new();
        pw.set_proof_with_pis_target(&self.node, node_proof)?;
        for (t, v) in self
            .hub
            .iter()
            .zip(hub)
            .chain(self.batch_index.iter().zip(batch_index))
        {
            pw.set_target(*t, F::from_noncanonical_u64(v))?;
        }
        Ok(pw)
    }

    /// Proves the root over the batch's top node proof.
    pub fn prove(
        &self,
        node_proof: &Proof,
        hub: [u8; 20],
        batch_index: u64,
    ) -> anyhow::Result<Proof> {
        self.data
            .prove(self.witness(node_proof, hub, batch_index)?)
            .context("proving the root circuit")
    }

    /// Verifies a root proof.
    pub fn verify(&self, proof: &Proof) -> anyhow::Result<()> {
        ensure!(
            proof.public_inputs.len() == NUM_PUBLIC_INPUTS,
            "a root proof has {NUM_PUBLIC_INPUTS} public inputs, this one {}",
            proof.public_inputs.len()
        );
        self.data.verify(proof.clone())
    }
}

/// The header digest's eight big-endian words, from a root proof's public inputs.
pub fn digest_words(proof: &Proof) -> anyhow::Result<[u32; 8]> {
    ensure!(
        proof.public_inputs.len() == NUM_PUBLIC_INPUTS,
        "a root proof has {NUM_PUBLIC_INPUTS} public inputs, this one {}",
        proof.public_inputs.len()
    );
    let mut out = [0u32; 8];
    for (o, v) in out.iter_mut().zip(&proof.public_inputs) {
        let x = v.to_canonical_u64();
        *o = u32::try_from(x).with_context(|| format!("digest word {x} is not 32-bit"))?;
    }
    Ok(out)
}
