//! Shared test helpers: a tiny Groth16 circuit with ONE public input, standing in for the
//! wrapper circuit until it lands, and the fixture file locations.

#![allow(dead_code)]

pub mod round;

use std::path::PathBuf;

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, Proof, ProvingKey, VerifyingKey};
use ark_relations::lc;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use ark_snark::SNARK;
use bulwark_contracts::{pubdata_commitment, BatchHeader, VerifierOptions};
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

/// The options the fixture verifier (`test/fixtures/FixtureGroth16Verifier.sol`) is
/// generated with.
pub fn fixture_verifier_options() -> VerifierOptions {
    VerifierOptions {
        contract_name: "FixtureGroth16Verifier".into(),
        circuit_digest: TEST_DIGEST,
        source: "test/fixtures/vk.json (the test circuit x = a*b, b*b = b)".into(),
    }
}

/// The L1 address the hub scenario withdraws to.
pub const SCENARIO_RECIPIENT: [u8; 20] = [0xbe; 20];

/// The hub scenario's batch (test/HubEndToEnd.t.sol, tests/anvil.rs): one deposit creating
/// account 0 (`depositNew` of 1,000,000 gwei with key 0xab..), a transfer 0 -> 1, a
/// withdrawal of 400,000 gwei to [`SCENARIO_RECIPIENT`], a noop; two ops per leaf.
pub fn scenario_pubdata() -> Vec<u8> {
    let mut pubdata = vec![0x01];
    pubdata.extend(0u64.to_be_bytes()); // queue index
    pubdata.extend(0u32.to_be_bytes()); // account: the first one depositNew creates
    pubdata.extend([0xab; 40]); // public key
    pubdata.extend(1_000_000u64.to_be_bytes()); // amount: 0.001 ether in gwei
    pubdata.extend([0x02, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x30, 0x39, 0, 1]); // transfer 0 -> 1
    pubdata.push(0x03);
    pubdata.extend(0u32.to_be_bytes()); // from
    pubdata.extend(SCENARIO_RECIPIENT); // L1 address
    pubdata.extend(400_000u64.to_be_bytes()); // amount
    pubdata.extend([0, 1]); // fee
    pubdata.push(0x00); // noop
    pubdata
}

/// The scenario batch's header for a hub at `hub`: chain 7, batch 0 from genesis 0x11.. to
/// 0x22.., deposits [0, 1).
pub fn scenario_header(hub: [u8; 20]) -> BatchHeader {
    BatchHeader {
        chain_id: 7,
        hub,
        batch_index: 0,
        old_root: [0x11; 32],
        new_root: [0x22; 32],
        deposit_first: 0,
        deposit_last: 1,
        fee_recipient: 0,
        pubdata_commitment: pubdata_commitment(&scenario_pubdata(), 2).unwrap(),
    }
}
