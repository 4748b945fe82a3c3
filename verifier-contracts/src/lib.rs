//! Bulwark's L1 side: the generator of the Solidity Groth16 verifier, the settlement hub's
//! Foundry project (beside this crate) and alloy bindings.
//!
//! Nothing is implemented yet: the contracts issue fills this crate.
