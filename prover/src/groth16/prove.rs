//! Proving: the wrap proof is checked natively first (a clear error instead of an
//! unsatisfied system), the R1CS verifier is synthesized with it as the witness, checked,
//! and proved by [`crate::backend::groth16::create_proof`] on the chosen backend.

use ark_bn254::{Bn254, Fr};
use ark_ff::UniformRand;
use ark_groth16::Proof;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem, OptimizationGoal};
use bulwark_circuits::r1cs::proof::WrapProof;
use bulwark_circuits::r1cs::verifier::WrapVerifierCircuit;
use bulwark_circuits::wrap::circuit::{WrapConfig, D, F};
use plonky2::plonk::circuit_data::{
    CommonCircuitData, VerifierCircuitData, VerifierOnlyCircuitData,
};
use rand::{CryptoRng, RngCore};

use super::keys::Keys;
use super::Groth16Error;
use crate::backend::groth16::{create_proof, Assignment};
use crate::backend::Backend;

/// A Groth16 proof with the public input it proves.
#[derive(Clone, Debug, PartialEq)]
pub struct WrappedProof {
    /// The proof.
    pub proof: Proof<Bn254>,
    /// The one public input.
    pub public_input: Fr,
}

/// Proves that `wrap_proof` verifies against the wrap circuit (`common`, `verifier`).
pub fn prove(
    backend: &dyn Backend,
    keys: &Keys,
    common: &CommonCircuitData<F, D>,
    verifier: &VerifierOnlyCircuitData<WrapConfig, D>,
    wrap_proof: WrapProof,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<WrappedProof, Groth16Error> {
    let data = VerifierCircuitData {
        verifier_only: verifier.clone(),
        common: common.clone(),
    };
    data.verify(wrap_proof.clone())
        .map_err(|e| Groth16Error::WrapProof(e.to_string()))?;
    let circuit = WrapVerifierCircuit::new(common, verifier, wrap_proof)?;
    let public_input = circuit
        .public_input()
        .expect("a circuit with a proof has one");
    let cs = ConstraintSystem::<Fr>::new_ref();
    // The same optimization goal as arkworks' setup, so the matrices match the key.
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    circuit.generate_constraints(cs.clone())?;
    cs.finalize();
    if !cs.is_satisfied()? {
        let which = cs.which_is_unsatisfied()?.unwrap_or_default();
        return Err(Groth16Error::Unsatisfied(which));
    }
    let assignment = Assignment::from_cs(&cs)?;
    drop(cs);
    let proof = create_proof(backend, &keys.pk, &assignment, Fr::rand(rng), Fr::rand(rng))?;
    Ok(WrappedProof {
        proof,
        public_input,
    })
}
