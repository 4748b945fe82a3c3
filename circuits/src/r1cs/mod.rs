//! The R1CS (arkworks, BN254) verifier of a wrap-layer proof, built from gadgets that each
//! mirror a native function and are tested against it (same inputs, same outputs) and
//! with mutated witnesses (unsatisfied).
//!
//! - [`goldilocks`], [`goldilocks_ext`]: emulated Goldilocks and its quadratic extension,
//!   range-checked, with lazy reduction.
//! - [`poseidon`]: the Poseidon-BN254 permutation and the transcript permutation.
//! - [`challenger`]: plonky2's Fiat–Shamir transcript over that permutation.
//! - [`merkle`]: Merkle path verification against a cap.
//!
//! Still to come (issue 4): FRI query checks and folding, the gate constraint evaluation,
//! the public-input digest, and the `ConstraintSynthesizer` that ties them together.

pub mod challenger;
pub mod challenges;
pub mod gates;
pub mod goldilocks;
pub mod goldilocks_ext;
pub mod merkle;
pub mod poseidon;
pub mod proof;
#[cfg(test)]
pub(crate) mod test_fixture;
pub mod vanishing;
