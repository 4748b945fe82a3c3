//! The R1CS (arkworks, BN254) verifier of a wrap-layer proof, built from gadgets that each
//! mirror a native function and are tested against it.

pub mod challenger;
pub mod goldilocks;
pub mod goldilocks_ext;
pub mod poseidon;
