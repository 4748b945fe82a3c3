//! Shared helpers for the circuit tests.

use plonky2::iop::witness::PartialWitness;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::ProofWithPublicInputs;

pub use crate::{C, D, F};

/// Proves and verifies, panicking with the error if either step fails.
pub fn prove_and_verify(
    data: &CircuitData<F, C, D>,
    pw: PartialWitness<F>,
) -> ProofWithPublicInputs<F, C, D> {
    let proof = data.prove(pw).expect("proving failed");
    data.verify(proof.clone()).expect("verification failed");
    proof
}

/// Asserts that no valid proof comes out of `pw`: witness generation fails (an error or a
/// panic in a generator), or the proof produced does not verify.
pub fn assert_unprovable(data: &CircuitData<F, C, D>, pw: PartialWitness<F>) {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| data.prove(pw)));
    match outcome {
        Err(_) | Ok(Err(_)) => {}
        Ok(Ok(proof)) => assert!(
            data.verify(proof).is_err(),
            "an invalid witness produced a verifying proof"
        ),
    }
}
