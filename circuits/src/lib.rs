//! Bulwark's circuits: the plonky2 state-transition circuits (op, leaf, node, root, wrap
//! layer)
//! and the arkworks R1CS circuit that verifies a wrap-layer proof.
//!
//! They verify exactly the scheme that [`bulwark_state`] executes natively: its signature
//! scheme, leaf hashing and pubdata encoding are the specification, and
//! `docs/l1-interface.md` fixes the commitment and public input the hub recomputes.

pub mod authorization;
pub mod ecgfp5;
pub mod gadgets;
pub mod leaf;
pub mod node;
pub mod op;
pub mod r1cs;
pub mod root;
pub mod serialization;
pub mod wrap;

use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::config::PoseidonGoldilocksConfig;

/// The field of every state-transition circuit.
pub type F = GoldilocksField;
/// The extension degree of every state-transition circuit.
pub const D: usize = 2;
/// The configuration (hashes) of leaf and node proofs.
pub type C = PoseidonGoldilocksConfig;
/// A circuit builder over [`F`].
pub type Builder = CircuitBuilder<F, D>;

/// A fingerprint (SHA-256, hex) of the sources that define the circuits: this crate's
/// `src/` and `Cargo.toml`, the state crate's `src/` (the native specification the
/// circuits follow) and the workspace's `Cargo.lock` (dependency versions). Computed by
/// `build.rs`; the circuit cache keys built circuits by it so that circuits built from
/// other code are never used.
pub const CODE_FINGERPRINT: &str = include_str!(concat!(env!("OUT_DIR"), "/code_fingerprint"));

#[cfg(test)]
pub(crate) mod test_util;
