//! Bulwark's circuits: the plonky2 state-transition circuits (op, leaf, node, wrap layer)
//! and the arkworks R1CS circuit that verifies a wrap-layer proof.
//!
//! Nothing is implemented yet: the circuits arrive with the circuits issue and the Groth16
//! wrapper issue. They will verify exactly the scheme that [`bulwark_state`] executes
//! natively (its signature scheme, leaf hashing and pubdata encoding are the specification).

pub mod ecgfp5;
