//! CUDA backends for Bulwark's heavy proving kernels (MSMs and FFTs of the Groth16 wrap).
//!
//! Nothing is implemented yet: the GPU issue adds the kernels behind the backend trait that
//! `bulwark-prover` defines, with the CPU implementation as the reference they are tested
//! against. The `cuda` feature gates them so the workspace builds on machines without CUDA.
