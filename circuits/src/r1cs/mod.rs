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
//! - [`fri`]: FRI (openings reduced by alpha, initial Merkle paths, combined value, coset
//!   folding, final polynomial).
//! - [`poseidon_goldilocks`]: plonky2's Goldilocks Poseidon, for the public-inputs hash.
//! - [`public_input`]: the 8 words and the one BN254 public input.
//! - [`verifier`]: [`verifier::WrapVerifierCircuit`], the `ConstraintSynthesizer` that ties
//!   them together (what Groth16 proves).
//!
//! # Constraint costs
//! Synthesized by the tests (`cargo test --release -p bulwark-circuits --lib r1cs::verifier
//! -- --nocapture`): the production configuration is the wrap of the real ROOT circuit
//! (K = 2 leaves; degree 2^13, rate 4, 21 queries, cap 4, arities [4, 4], 32-coefficient
//! final polynomial), counted in setup mode; the test fixture is the wrap of
//! [`crate::wrap::words`] with 2 queries (degree 2^12).
//!
//! | component | production | test fixture |
//! | --- | --- | --- |
//! | proof allocation (range checks) | 475,085 | 77,805 |
//! | public input (8 words) | 265 | 265 |
//! | public-inputs hash (Goldilocks Poseidon) | 76,060 | 76,060 |
//! | transcript replay | 259,059 | 245,119 |
//! | vanishing polynomial and quotient (gates) | 793,863 | 728,961 |
//! | FRI | 797,868 | 79,178 |
//! | **total** | **2,402,200** | **1,207,388** |
//!
//! What made them smaller: the transcript unpacks a permutation's output only where an
//! element is read (a group of three the next absorption overwrites is never decomposed:
//! 419k → 259k); FRI computes about `2√n` powers (alpha, the fold's `β/s`, the final
//! polynomial's point) and multiplies chunk sums by the high powers unreduced (948k → 798k).
//!
//! Per gate (`cargo test --release -p bulwark-circuits --lib r1cs::gates -- --nocapture`,
//! output reductions included): Poseidon 258,523; CosetInterpolation(16 points, degree 6)
//! 59,878; Reducing(43) 24,424; ReducingExtension(32) 18,176; BaseSum(63) 17,589;
//! RandomAccess(4 bits) 14,468; MulExtension 14,430; ArithmeticExtension 11,220; Arithmetic
//! 11,040; PoseidonMds 4,128; PublicInput 552; Constant 276.

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
