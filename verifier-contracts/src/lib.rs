//! Bulwark's L1 side, in Rust: the generator of the Solidity Groth16 verifier, the
//! versioned verifying-key file (`vk.json`), the proof calldata encoding, and a reference
//! implementation of the bytes the hub computes (`docs/l1-interface.md`: the pubdata
//! commitment tree and the one public input).
//!
//! The Foundry project beside this crate (`verifier-contracts/src`, `test`, `script`) holds
//! the hub and the generated verifier; `tests/forge.rs` runs its tests from `cargo test`.
//! The compiled contracts are checked in (`artifacts/`, [`artifacts`]); [`bindings`] are
//! alloy `sol!` bindings over them and [`deploy`] deploys them through any alloy provider.

pub mod artifacts;
pub mod bindings;
pub mod deploy;
pub mod error;
pub mod l1;
pub mod proof;
pub mod solidity;
pub mod vk;

pub use artifacts::ContractArtifact;
pub use deploy::{deploy, deploy_hub, deploy_verifier, revert_reason, Deployment};
pub use error::ContractsError;
pub use l1::{pubdata_commitment, public_input, BatchHeader};
pub use proof::{proof_words, ProofFile};
pub use solidity::{export_verifier, export_verifier_with, VerifierOptions};
pub use vk::{VkFile, VK_FORMAT, VK_VERSION};
