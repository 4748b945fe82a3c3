//! The R1CS (arkworks, BN254) verifier of a wrap-layer proof, built from gadgets that each
//! mirror a native function and are tested against it (same inputs, same outputs) and
//! with mutated witnesses (unsatisfied).
//!
//! - [`goldilocks`], [`goldilocks_ext`]: emulated Goldilocks and its quadratic extension,
//!   range-checked, with lazy reduction.
//! - [`poseidon`]: the Poseidon-BN254 permutation and the transcript permutation.
//! - [`challenger`]: plonky2's Fiat–Shamir transcript over that permutation.
//! - [`merkle`]: Merkle path verification against a cap.
//! - [`proof`]: a wrap proof allocated as witnesses, shaped by the circuit's common data
//!   (so setup without a proof allocates the same variables).
//! - [`challenges`]: the full transcript replay (FRI parameters, circuit digest,
//!   public-inputs hash, caps, betas/gammas/alphas, zeta, openings, FRI alpha and betas,
//!   final polynomial, proof of work, query index bits).
//! - [`gates`]: constraint evaluation of each standard gate the wrap circuit uses.
//! - [`vanishing`]: the PLONK identity at zeta (permutation argument with partial
//!   products, `Z(1) = 1` via `L_0`, filtered gate constraints) and the quotient check.
//!
//! Still to come (issue 4): FRI (opening reduction, query checks, coset folding, final
//! polynomial), the public input (8 range-checked words, their Poseidon hash, the one BN254
//! element) and the `ConstraintSynthesizer` that ties them together.
//!
//! # Constraint costs measured so far
//! On the test fixture (the [`crate::wrap::words`] inner circuit, wrap degree 2^12, test-only
//! FRI parameters with 2 queries), printed by the tests with `--nocapture`:
//!
//! | component | constraints |
//! | --- | --- |
//! | proof allocation (range checks; 2 queries) | 77,805 |
//! | transcript replay (`challenges`) | 400,614 |
//! | vanishing + quotient check (`vanishing`, gates included) | 728,961 |
//! | of which `PoseidonGate` | ~258,000 |
//!
//! Per gate (`cargo test --release -p bulwark-circuits --lib r1cs::gates -- --nocapture`,
//! output reductions included): Poseidon 258,523; Reducing(43) 24,424;
//! ReducingExtension(32) 18,176; BaseSum(63) 17,589; RandomAccess(4 bits) 14,468;
//! MulExtension 14,430; ArithmeticExtension 11,220; Arithmetic 11,040; PoseidonMds 4,128;
//! PublicInput 552; Constant 276.

pub mod challenger;
pub mod challenges;
pub mod fri;
pub mod gates;
pub mod goldilocks;
pub mod goldilocks_ext;
pub mod merkle;
pub mod poseidon;
pub mod poseidon_goldilocks;
pub mod proof;
pub mod public_input;
pub mod vanishing;
pub mod verifier;
