//! The wrap layer: the last plonky2 proof of the pipeline, whose Merkle caps and
//! Fiat–Shamir transcript use Poseidon over the BN254 scalar field so that an R1CS circuit
//! over that field ([`crate::r1cs`]) can verify it cheaply.
//!
//! - [`poseidon_bn254`]: the Poseidon permutation with circomlib's parameters, natively.
//! - [`hasher`]: the plonky2 [`plonky2::plonk::config::Hasher`] and
//!   [`plonky2::plonk::config::GenericConfig`] built on it.
//! - [`circuit`]: the wrap circuit, which verifies an inner (Poseidon-Goldilocks) proof,
//!   and its FRI parameters.
//! - [`words`]: a small inner circuit exposing 8 32-bit words (the root proof's shape).
//! - [`test_proof`]: a cached wrap proof of it with insecure test parameters, for tests.

pub mod circuit;
mod grain;
pub mod hasher;
pub mod poseidon_bn254;
pub mod test_proof;
pub mod words;
