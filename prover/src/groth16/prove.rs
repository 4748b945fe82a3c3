//! Proving: the wrap proof is checked natively first (a clear error instead of an
//! unsatisfied system), the R1CS verifier is synthesized with it as the witness, checked
//! row by row against the circuit's matrices, and proved by
//! [`crate::backend::groth16::create_proof`] on the chosen backend.
//!
//! Memory: the witness is synthesized in `SynthesisMode::Prove { construct_matrices: false }`,
//! so arkworks keeps no linear combination per constraint and builds no matrices (those
//! cost several GiB for the production circuit). The matrices come from setup instead
//! ([`super::keys::load_matrices`], `r1cs.bin`). That mode allocates the same variables in
//! the same order as setup: arkworks' `new_witness_variable` and `new_input_variable` do
//! not depend on the mode, and with `OptimizationGoal::Constraints` finalizing only inlines
//! linear combinations (no outlining, which would add variables); the assignment's length
//! is checked against the matrices, and every row is checked before proving.

use ark_bn254::{Bn254, Fr};
use ark_ff::UniformRand;
use ark_groth16::Proof;
use ark_relations::r1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisMode,
};
use bulwark_circuits::r1cs::proof::WrapProof;
use bulwark_circuits::r1cs::verifier::WrapVerifierCircuit;
use bulwark_circuits::wrap::circuit::{WrapConfig, D, F};
use plonky2::plonk::circuit_data::{
    CommonCircuitData, VerifierCircuitData, VerifierOnlyCircuitData,
};
use rand::{CryptoRng, RngCore};

use super::keys::Keys;
use super::Groth16Error;
use crate::backend::groth16::{create_proof, take_full_assignment, Assignment};
use crate::backend::r1cs::R1cs;
use crate::backend::Backend;

/// A Groth16 proof with the public input it proves.
#[derive(Clone, Debug, PartialEq)]
pub struct WrappedProof {
    /// The proof.
    pub proof: Proof<Bn254>,
    /// The one public input.
    pub public_input: Fr,
}

/// Proves that `wrap_proof` verifies against the wrap circuit (`common`, `verifier`) whose
/// R1CS verifier has the matrices `r1cs` (from the same setup as `keys`).
pub fn prove(
    backend: &dyn Backend,
    keys: &Keys,
    r1cs: &R1cs,
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
    let full = {
        let cs = ConstraintSystem::<Fr>::new_ref();
        // The same optimization goal as arkworks' setup: finalizing only inlines.
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Prove {
            construct_matrices: false,
        });
        circuit.generate_constraints(cs.clone())?;
        cs.finalize();
        if cs.num_instance_variables() != r1cs.num_instance {
            return Err(Groth16Error::file(
                "R1CS matrices",
                format!(
                    "{} instance variables, the circuit has {}",
                    r1cs.num_instance,
                    cs.num_instance_variables()
                ),
            ));
        }
        take_full_assignment(&cs)?
    };
    let assignment = Assignment::new(r1cs, full)?;
    if let Some(row) = assignment.first_unsatisfied() {
        return Err(Groth16Error::Unsatisfied(format!(
            "row {row} of {}",
            r1cs.num_constraints()
        )));
    }
    let proof = create_proof(backend, &keys.pk, assignment, Fr::rand(rng), Fr::rand(rng))?;
    Ok(WrappedProof {
        proof,
        public_input,
    })
}
