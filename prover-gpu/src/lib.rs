//! CUDA kernels for Bulwark's heavy proving work (the MSMs and NTTs of the Groth16 wrap).
//!
//! **Status: not implemented.** No GPU has been available to this project's GPU issue, and
//! GPU code that never ran on a GPU is not shipped. What exists is the seam it plugs into:
//!
//! - `bulwark_prover::backend::Backend` — the trait (G1/G2 MSM over BN254, radix-2 NTT,
//!   plain and on a coset), with `CpuBackend` (arkworks) as the reference;
//! - `bulwark_prover::backend::groth16::create_proof` — a Groth16 prover whose every heavy
//!   kernel goes through a backend (bit-identical to arkworks' prover on the CPU backend);
//! - `bulwark_prover::backend::differential::compare` — the exact comparison a GPU backend
//!   must pass against the CPU on the same random inputs.
//!
//! The plan, for a session with a GPU: this crate, behind the `cuda` feature and with no
//! build-time CUDA dependency (cudarc loads the driver and NVRTC at run time), holds the
//! kernels — Montgomery arithmetic over BN254's Fq/Fr, Jacobian/XYZZ G1 and G2 bucket
//! accumulation for a Pippenger MSM, and a radix-2 NTT — behind plain slice functions, and
//! `bulwark-prover` (feature `cuda`) wraps them as a `Backend`. Its tests run
//! `differential::compare` against the CPU and report "skipped: no CUDA device" (never a
//! pass) where there is no GPU.
