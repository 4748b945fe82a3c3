//! Bulwark rollup state: accounts, ops and their pubdata, ECgFp5 Schnorr signatures, the
//! Poseidon sparse Merkle tree stored in redb, and the executor that applies a batch.
//!
//! The circuits verify exactly what this crate executes: [`schnorr`] documents the
//! signature scheme, [`account`] the leaf hash, [`tree`] the tree, [`op`] the pubdata
//! encoding and the signing messages, [`executor`] the effects of each op.

pub mod account;
pub mod amount;
pub mod batch;
pub mod config;
pub mod ecgfp5;
pub mod error;
pub mod executor;
pub mod op;
pub mod schnorr;
pub mod store;
pub mod tree;

pub use account::Account;
pub use batch::Batch;
pub use config::ChainConfig;
pub use error::{OpRejection, StateError};
pub use executor::{BatchOutcome, LeafUpdate, OpWitness, Withdrawal, WitnessLayout};
pub use op::{Op, OpPubdata};
pub use schnorr::{KeyFile, PublicKey, SecretKey, Signature};
pub use store::StateStore;
pub use tree::{Hash, MerkleProof, SparseMerkleTree};
