//! The reference backend: arkworks' Pippenger MSMs and radix-2 FFTs, parallel on every core.

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::BigInteger256;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};

use super::{check_msm_lengths, Backend, BackendError, NttDirection};

/// arkworks on the CPU.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuBackend;

impl Backend for CpuBackend {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn msm_g1(
        &self,
        bases: &[G1Affine],
        scalars: &[BigInteger256],
    ) -> Result<G1Projective, BackendError> {
        check_msm_lengths(bases.len(), scalars.len())?;
        Ok(G1Projective::msm_bigint(bases, scalars))
    }

    fn msm_g2(
        &self,
        bases: &[G2Affine],
        scalars: &[BigInteger256],
    ) -> Result<G2Projective, BackendError> {
        check_msm_lengths(bases.len(), scalars.len())?;
        Ok(G2Projective::msm_bigint(bases, scalars))
    }

    fn ntt(
        &self,
        values: &mut [Fr],
        direction: NttDirection,
        coset: Option<Fr>,
    ) -> Result<(), BackendError> {
        let n = values.len();
        let domain = Radix2EvaluationDomain::<Fr>::new(n)
            .filter(|d| d.size() == n)
            .ok_or(BackendError::BadNttLength(n))?;
        let domain = match coset {
            Some(offset) => domain
                .get_coset(offset)
                .ok_or(BackendError::BadNttLength(n))?,
            None => domain,
        };
        // arkworks' in-place transforms take a Vec; move the values through one.
        let mut v = values.to_vec();
        match direction {
            NttDirection::Forward => domain.fft_in_place(&mut v),
            NttDirection::Inverse => domain.ifft_in_place(&mut v),
        }
        values.copy_from_slice(&v);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ff::{FftField, Field, PrimeField, UniformRand, Zero};
    use rand::SeedableRng;

    /// The MSM equals the sum of single scalar multiplications; a length mismatch is an
    /// error, not a silent truncation.
    #[test]
    fn msm_matches_the_naive_sum() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        for n in [0usize, 1, 2, 17] {
            let bases: Vec<G1Affine> = (0..n)
                .map(|_| G1Projective::rand(&mut rng).into_affine())
                .collect();
            let bases2: Vec<G2Affine> = (0..n)
                .map(|_| G2Projective::rand(&mut rng).into_affine())
                .collect();
            let scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            let big: Vec<_> = scalars.iter().map(|s| s.into_bigint()).collect();
            let naive1: G1Projective = bases.iter().zip(&scalars).map(|(b, s)| *b * s).sum();
            let naive2: G2Projective = bases2.iter().zip(&scalars).map(|(b, s)| *b * s).sum();
            assert_eq!(CpuBackend.msm_g1(&bases, &big).unwrap(), naive1);
            assert_eq!(CpuBackend.msm_g2(&bases2, &big).unwrap(), naive2);
        }
        let g = G1Affine::generator();
        assert_eq!(
            CpuBackend.msm_g1(&[g, g], &[Fr::from(1u8).into_bigint()]),
            Err(BackendError::LengthMismatch {
                bases: 2,
                scalars: 1
            })
        );
    }

    /// Forward NTTs evaluate the polynomial at ω^i (times the coset offset), and inverse
    /// NTTs undo them; lengths that are not powers of two are refused.
    #[test]
    fn ntt_evaluates_and_inverts() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
        let n = 16;
        let coeffs: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        let omega = Fr::get_root_of_unity(n as u64).unwrap();
        let eval = |x: Fr| coeffs.iter().rev().fold(Fr::zero(), |acc, c| acc * x + c);
        for coset in [None, Some(Fr::from(7u8))] {
            let mut v = coeffs.clone();
            CpuBackend
                .ntt(&mut v, NttDirection::Forward, coset)
                .unwrap();
            for (i, vi) in v.iter().enumerate() {
                let x = coset.unwrap_or(Fr::from(1u8)) * omega.pow([i as u64]);
                assert_eq!(*vi, eval(x), "point {i}, coset {coset:?}");
            }
            CpuBackend
                .ntt(&mut v, NttDirection::Inverse, coset)
                .unwrap();
            assert_eq!(v, coeffs);
        }
        let mut odd = vec![Fr::zero(); 12];
        assert_eq!(
            CpuBackend.ntt(&mut odd, NttDirection::Forward, None),
            Err(BackendError::BadNttLength(12))
        );
    }
}
