//! The differential check of an accelerated backend against the CPU reference: both run
//! the same random MSMs and NTTs, and every output must be equal exactly (group elements
//! compared as points, field elements as integers).

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::CurveGroup;
use ark_ff::{FftField, PrimeField, UniformRand};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use super::{Backend, BackendError, NttDirection};

/// The first kernel on which two backends disagreed, or failed.
#[derive(Debug, thiserror::Error)]
pub enum Mismatch {
    /// A kernel returned an error on one side.
    #[error("{kernel} of size {size}: {source}")]
    Failed {
        /// Which kernel.
        kernel: &'static str,
        /// Its input size.
        size: usize,
        /// The error.
        source: BackendError,
    },
    /// The outputs differ.
    #[error("{kernel} of size {size}: `{reference}` and `{candidate}` disagree")]
    Differs {
        /// Which kernel.
        kernel: &'static str,
        /// Its input size.
        size: usize,
        /// The reference backend's name.
        reference: &'static str,
        /// The candidate backend's name.
        candidate: &'static str,
    },
}

/// Runs G1 and G2 MSMs of `sizes` points (random bases, random scalars plus the edge
/// scalars 0, 1 and r − 1) and forward/inverse NTTs, plain and on a coset, of each
/// power-of-two size below, on both backends; returns the first disagreement.
pub fn compare(
    reference: &dyn Backend,
    candidate: &dyn Backend,
    sizes: &[usize],
    seed: u64,
) -> Result<(), Mismatch> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let differs = |kernel, size| Mismatch::Differs {
        kernel,
        size,
        reference: reference.name(),
        candidate: candidate.name(),
    };
    let failed = |kernel, size| {
        move |source| Mismatch::Failed {
            kernel,
            size,
            source,
        }
    };
    for &n in sizes {
        let mut scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        for (slot, edge) in scalars
            .iter_mut()
            .zip([Fr::from(0u8), Fr::from(1u8), -Fr::from(1u8)])
        {
            *slot = edge;
        }
        let big: Vec<_> = scalars.iter().map(|s| s.into_bigint()).collect();
        let g1: Vec<G1Affine> = G1Projective::normalize_batch(
            &(0..n)
                .map(|_| G1Projective::rand(&mut rng))
                .collect::<Vec<_>>(),
        );
        let a = reference.msm_g1(&g1, &big).map_err(failed("msm_g1", n))?;
        let b = candidate.msm_g1(&g1, &big).map_err(failed("msm_g1", n))?;
        if a != b {
            return Err(differs("msm_g1", n));
        }
        let g2: Vec<G2Affine> = G2Projective::normalize_batch(
            &(0..n)
                .map(|_| G2Projective::rand(&mut rng))
                .collect::<Vec<_>>(),
        );
        let a = reference.msm_g2(&g2, &big).map_err(failed("msm_g2", n))?;
        let b = candidate.msm_g2(&g2, &big).map_err(failed("msm_g2", n))?;
        if a != b {
            return Err(differs("msm_g2", n));
        }
        let m = if n.is_power_of_two() {
            n
        } else {
            n.next_power_of_two() / 2
        };
        if m == 0 {
            continue;
        }
        let offset = Fr::GENERATOR;
        for direction in [NttDirection::Forward, NttDirection::Inverse] {
            for coset in [None, Some(offset)] {
                let mut x = scalars[..m].to_vec();
                let mut y = x.clone();
                reference
                    .ntt(&mut x, direction, coset)
                    .map_err(failed("ntt", m))?;
                candidate
                    .ntt(&mut y, direction, coset)
                    .map_err(failed("ntt", m))?;
                if x != y {
                    return Err(differs("ntt", m));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::cpu::CpuBackend;

    /// A backend that is wrong in one kernel: the check must catch it (the check itself
    /// can fail), and name the kernel.
    struct OffByOne;

    impl Backend for OffByOne {
        fn name(&self) -> &'static str {
            "off-by-one"
        }
        fn msm_g1(
            &self,
            bases: &[G1Affine],
            scalars: &[ark_ff::BigInteger256],
        ) -> Result<G1Projective, BackendError> {
            CpuBackend.msm_g1(bases, scalars)
        }
        fn msm_g2(
            &self,
            bases: &[G2Affine],
            scalars: &[ark_ff::BigInteger256],
        ) -> Result<G2Projective, BackendError> {
            CpuBackend.msm_g2(bases, scalars)
        }
        fn ntt(
            &self,
            values: &mut [Fr],
            direction: NttDirection,
            coset: Option<Fr>,
        ) -> Result<(), BackendError> {
            CpuBackend.ntt(values, direction, coset)?;
            if let Some(v) = values.last_mut() {
                *v += Fr::from(1u8);
            }
            Ok(())
        }
    }

    #[test]
    fn catches_a_wrong_kernel_and_accepts_the_reference() {
        compare(&CpuBackend, &CpuBackend, &[1, 5, 64], 9).unwrap();
        let err = compare(&CpuBackend, &OffByOne, &[5, 64], 9).unwrap_err();
        assert!(
            matches!(
                err,
                Mismatch::Differs {
                    kernel: "ntt",
                    size: 4,
                    ..
                }
            ),
            "{err}"
        );
    }
}
