//! Shared test helpers: a tiny Groth16 circuit with ONE public input, standing in for the
//! wrapper circuit until it lands, and the fixture file locations.

#![allow(dead_code)]

use std::path::PathBuf;

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, Proof, ProvingKey, VerifyingKey};
use ark_relations::lc;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use ark_snark::SNARK;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// `x = a · b` with `b · b = b`: satisfiable for every public `x` (a = x, b = 1), so a test
/// can prove any public input, as the wrapper proves any batch header.
#[derive(Clone)]
pub struct AnyInput {
    /// The public input.
    pub x: Option<Fr>,
}

impl ConstraintSynthesizer<Fr> for AnyInput {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let x = cs.new_input_variable(|| self.x.ok_or(SynthesisError::AssignmentMissing))?;
        let a = cs.new_witness_variable(|| self.x.ok_or(SynthesisError::AssignmentMissing))?;
        let b = cs.new_witness_variable(|| Ok(Fr::from(1u64)))?;
        cs.enforce_constraint(lc!() + a, lc!() + b, lc!() + x)?;
        cs.enforce_constraint(lc!() + b, lc!() + b, lc!() + b)?;
        Ok(())
    }
}

/// The deterministic test key pair (seeded RNG).
pub fn keys() -> (ProvingKey<Bn254>, VerifyingKey<Bn254>) {
    let mut rng = ChaCha20Rng::seed_from_u64(0xB01_3A4C);
    Groth16::<Bn254>::circuit_specific_setup(AnyInput { x: None }, &mut rng).unwrap()
}

/// A deterministic proof of `x` (the seed picks the proof's randomness).
pub fn prove(pk: &ProvingKey<Bn254>, x: Fr, seed: u64) -> Proof<Bn254> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    Groth16::<Bn254>::prove(pk, AnyInput { x: Some(x) }, &mut rng).unwrap()
}

/// `verifier-contracts/` (this crate's root).
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The circuit digest written into the test key: a tag, not a real digest.
pub const TEST_DIGEST: [u8; 32] = *b"bulwark-test-circuit:x=a*b,b*b=b";
