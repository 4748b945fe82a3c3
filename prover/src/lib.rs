//! The Bulwark proving pipeline and the library behind the `bulwark` command-line tool.
//!
//! It holds the circuit cache ([`cache`]), the proving pipeline ([`pipeline`]) and its
//! artifacts ([`artifact`]), the state demo and the file helpers the CLI uses.

pub mod artifact;
pub mod backend;
pub mod bench;
pub mod cache;
pub mod demo;
pub mod export_verifier;
pub mod files;
pub mod groth16;
pub mod pipeline;
pub mod progress;
pub mod settlement;
