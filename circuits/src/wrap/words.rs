//! A small stand-in for the root circuit: a plonky2 circuit (inner config) whose public
//! inputs are exactly 8 Goldilocks elements, each range-checked to 32 bits, like the root
//! proof's big-endian words of `sha256(header)`. The wrap layer and the R1CS verifier are
//! developed and tested against it; they take any inner verifier data, so the root circuit
//! replaces it without changes.

use plonky2::field::types::Field;
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};
use plonky2::plonk::proof::ProofWithPublicInputs;

use super::circuit::{InnerConfig, WrapError, D, F};

/// Public words of a root proof (the big-endian 32-bit words of a SHA-256 digest).
pub const NUM_WORDS: usize = 8;

/// The stand-in inner circuit.
pub struct WordsCircuit {
    /// The built circuit.
    pub data: CircuitData<F, InnerConfig, D>,
    words: [Target; NUM_WORDS],
}

impl WordsCircuit {
    /// Builds it with plonky2's standard recursion config, padded to at least
    /// `2^min_degree_bits` rows (a larger inner circuit gives the wrap circuit the FRI
    /// folding gates a real root proof needs).
    pub fn build(min_degree_bits: usize) -> Self {
        let mut builder = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let words = std::array::from_fn(|_| builder.add_virtual_target());
        for &w in &words {
            builder.range_check(w, 32);
            builder.register_public_input(w);
        }
        while builder.num_gates() < (1 << min_degree_bits) / 2 {
            builder.add_gate(plonky2::gates::noop::NoopGate, vec![]);
        }
        Self {
            data: builder.build::<InnerConfig>(),
            words,
        }
    }

    /// Proves that the public words are `words`.
    pub fn prove(
        &self,
        words: [u32; NUM_WORDS],
    ) -> Result<ProofWithPublicInputs<F, InnerConfig, D>, WrapError> {
        let mut pw = PartialWitness::new();
        for (&t, w) in self.words.iter().zip(words) {
            pw.set_target(t, F::from_canonical_u32(w))
                .map_err(|e| WrapError::Prove(e.to_string()))?;
        }
        self.data
            .prove(pw)
            .map_err(|e| WrapError::Prove(e.to_string()))
    }
}
