//! Bulwark's circuits: the plonky2 state-transition circuits (op, leaf, node, wrap layer)
//! and the arkworks R1CS circuit that verifies a wrap-layer proof.
//!
//! They verify exactly the scheme that [`bulwark_state`] executes natively: its signature
//! scheme, leaf hashing and pubdata encoding are the specification, and
//! `docs/l1-interface.md` fixes the commitment and public input the hub recomputes.

pub mod gadgets;

#[cfg(test)]
pub(crate) mod test_util;
