//! The Bulwark proving pipeline and the library behind the `bulwark` command-line tool.
//!
//! Today it holds the state demo (the README's main job) and the file helpers the CLI uses;
//! the circuits issue adds the proving pipeline here.

pub mod backend;
pub mod demo;
pub mod export_verifier;
pub mod files;
pub mod groth16;
