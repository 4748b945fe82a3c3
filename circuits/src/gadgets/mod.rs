//! Reusable constraint gadgets: SHA-256 for the pubdata commitment (and Keccak-256, measured
//! against it), Poseidon Merkle paths
//! for the state tree, range checks and packed-amount decoding.

pub mod amount;
pub mod keccak;
pub mod merkle;
pub mod sha256;
