//! Backends for the Groth16 prover's heavy kernels: multi-scalar multiplications over
//! BN254's G1 and G2 and the number-theoretic transforms of the QAP witness map.
//!
//! [`Backend`] is the seam (RISC Zero's HAL is the model): [`cpu::CpuBackend`] is the
//! reference, built on arkworks, and an accelerated backend (the CUDA one of the GPU issue)
//! implements the same trait and is tested against it on the same random inputs
//! ([`differential`]). [`groth16::create_proof`] is a Groth16 prover that does all its heavy
//! work through a backend; its proofs verify with arkworks' verifier, and on the CPU backend
//! they are bit-identical to arkworks' own prover for the same randomness.

pub mod cpu;
pub mod differential;
pub mod groth16;
pub mod r1cs;

use std::fmt;
use std::str::FromStr;

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ff::BigInteger256;

/// The direction of a number-theoretic transform over a radix-2 subgroup of BN254's Fr.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NttDirection {
    /// Coefficients to evaluations.
    Forward,
    /// Evaluations to coefficients.
    Inverse,
}

/// Why a kernel could not run.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BackendError {
    /// An MSM was given a different number of bases and scalars.
    #[error("MSM: {bases} bases but {scalars} scalars")]
    LengthMismatch {
        /// Number of bases.
        bases: usize,
        /// Number of scalars.
        scalars: usize,
    },
    /// An NTT length that is not a power of two within Fr's two-adicity (2^28).
    #[error("NTT: length {0} is not a power of two at most 2^28")]
    BadNttLength(usize),
    /// The backend is not available in this build or on this machine.
    #[error("backend `{backend}` is unavailable: {why}")]
    Unavailable {
        /// The backend's name.
        backend: &'static str,
        /// Why.
        why: String,
    },
    /// The device reported an error.
    #[error("backend `{backend}`: {message}")]
    Device {
        /// The backend's name.
        backend: &'static str,
        /// The device's message.
        message: String,
    },
}

/// The kernels a Groth16 prover spends its time in. Scalars are canonical big integers
/// (`Fr::into_bigint`), as arkworks' MSMs take them.
pub trait Backend: Send + Sync {
    /// A short name (`cpu`, `cuda`) for logs and reports.
    fn name(&self) -> &'static str;

    /// Σ scalars[i] · bases[i] in G1.
    fn msm_g1(
        &self,
        bases: &[G1Affine],
        scalars: &[BigInteger256],
    ) -> Result<G1Projective, BackendError>;

    /// Σ scalars[i] · bases[i] in G2.
    fn msm_g2(
        &self,
        bases: &[G2Affine],
        scalars: &[BigInteger256],
    ) -> Result<G2Projective, BackendError>;

    /// Transforms `values` in place over the subgroup of order `values.len()`, or over its
    /// coset `offset · H` when `coset` is given: forward maps coefficients p_j to
    /// evaluations p(offset · ω^i), inverse undoes it.
    fn ntt(
        &self,
        values: &mut [Fr],
        direction: NttDirection,
        coset: Option<Fr>,
    ) -> Result<(), BackendError>;
}

/// The backends a command can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    /// [`cpu::CpuBackend`], on every core (rayon).
    Cpu,
    /// The CUDA backend (`bulwark-prover-gpu`).
    Cuda,
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BackendKind::Cpu => "cpu",
            BackendKind::Cuda => "cuda",
        })
    }
}

impl FromStr for BackendKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cpu" => Ok(BackendKind::Cpu),
            "cuda" => Ok(BackendKind::Cuda),
            other => Err(format!(
                "unknown backend `{other}` (expected `cpu` or `cuda`)"
            )),
        }
    }
}

impl BackendKind {
    /// The backend of this kind, or why it cannot run here.
    pub fn open(self) -> Result<Box<dyn Backend>, BackendError> {
        match self {
            BackendKind::Cpu => Ok(Box::new(cpu::CpuBackend)),
            BackendKind::Cuda => Err(BackendError::Unavailable {
                backend: "cuda",
                why: "this build has no CUDA kernels yet (the GPU issue is blocked until a GPU \
                      machine is available to verify them); use --backend cpu"
                    .into(),
            }),
        }
    }
}

/// Checks an MSM's input lengths.
pub(crate) fn check_msm_lengths(bases: usize, scalars: usize) -> Result<(), BackendError> {
    if bases == scalars {
        Ok(())
    } else {
        Err(BackendError::LengthMismatch { bases, scalars })
    }
}
