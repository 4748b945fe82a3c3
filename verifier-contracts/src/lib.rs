//! Bulwark's L1 side, in Rust: the generator of the Solidity Groth16 verifier, the
//! versioned verifying-key file (`vk.json`), the proof calldata encoding, and a reference
//! implementation of the bytes the hub computes (`docs/l1-interface.md`: the pubdata
//! commitment tree and the one public input).
//!
//! The Foundry project beside this crate (`verifier-contracts/src`, `test`, `script`) holds
//! the hub and the generated verifier; `tests/forge.rs` runs its tests from `cargo test`.
//! The compiled contracts are checked in (`artifacts/`, [`artifacts`]); [`bindings`] are
//! alloy `sol!` bindings over them, and [`deploy`] decodes reverts into words.
//!
//! A flow drives the hub through [`HubClient`] over an [`L1Backend`]: [`InProcessL1`] (revm
//! in this process, for the demo and tests) or [`RpcL1`] (any JSON-RPC node, through alloy).

pub mod anvil;
pub mod artifacts;
pub mod backend;
pub mod bindings;
pub mod deploy;
pub mod error;
pub mod hub_client;
pub mod in_process;
pub mod l1;
pub mod proof;
pub mod rpc;
pub mod solidity;
pub mod vk;

pub use artifacts::ContractArtifact;
pub use backend::{CallOutcome, L1Backend, TxReceipt, TxRequest, DEV_CHAIN_ID, DEV_KEYS};
pub use deploy::revert_reason;
pub use error::ContractsError;
pub use hub_client::{
    deploy_keyed_verifier, deploy_verifier, BatchInfo, ChainConfig, ChainCounters, HubClient,
    QueuedDeposit, Sent,
};
pub use in_process::InProcessL1;
pub use l1::{pubdata_commitment, public_input, withdrawals_from_pubdata, BatchHeader};
pub use proof::{proof_words, ProofFile};
pub use rpc::RpcL1;
pub use solidity::{
    export_keyed_verifier, export_verifier, export_verifier_with, keyed_verifier_args,
    VerifierOptions,
};
pub use vk::{VkFile, VK_FORMAT, VK_VERSION};
