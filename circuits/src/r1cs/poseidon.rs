//! The Poseidon-BN254 permutation as an R1CS gadget, mirroring
//! [`crate::wrap::poseidon_bn254`], and the wrap layer's Goldilocks-view transcript
//! permutation, mirroring [`crate::wrap::hasher::permute_goldilocks`].
//!
//! In R1CS over BN254 the permutation is native arithmetic: round constants and the MDS
//! layer are linear (free), each x^5 S-box costs 3 constraints (x², x⁴, x⁵). Width t costs
//! `3·(8·t + R_P)`: 243 for t = 3, 264 for t = 4.
//!
//! The transcript permutation additionally unpacks each output into Goldilocks elements,
//! which needs the output's canonical bit decomposition (254 booleans and the `< r` check)
//! and a few constraints per limb for the reduction modulo p.

use ark_bn254::Fr;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::convert::ToBitsGadget;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::r1cs::SynthesisError;

use super::goldilocks::{bits_to_fp, GoldilocksVar, P};
use crate::wrap::hasher::{GOLDILOCKS_PER_FR, POSEIDON_WIDTH, SPONGE_WIDTH};
use crate::wrap::poseidon_bn254::params;

/// The S-box x ↦ x^5 (3 constraints; none for a constant).
pub fn sbox_var(x: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
    let x2 = x.square()?;
    let x4 = x2.square()?;
    Ok(x4 * x)
}

/// Applies the Poseidon permutation of width `T` (circomlib parameters) in place.
pub fn permute_var<const T: usize>(state: &mut [FpVar<Fr>; T]) -> Result<(), SynthesisError> {
    let p = params(T);
    for round in 0..p.rounds() {
        for (s, c) in state.iter_mut().zip(&p.round_constants[round]) {
            *s += *c;
        }
        if p.is_full_round(round) {
            for s in state.iter_mut() {
                *s = sbox_var(s)?;
            }
        } else {
            state[0] = sbox_var(&state[0])?;
        }
        let old = state.clone();
        for (s, row) in state.iter_mut().zip(&p.mds) {
            let mut acc = FpVar::zero();
            for (m, x) in row.iter().zip(&old) {
                acc += x * *m;
            }
            *s = acc;
        }
    }
    Ok(())
}

/// circomlib's `Poseidon(T − 1)` over variables: permutes `[0, inputs…]`, returns element 0.
///
/// # Panics
/// If `inputs.len() != T - 1`.
pub fn hash_var<const T: usize>(inputs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    assert_eq!(
        inputs.len() + 1,
        T,
        "circomlib Poseidon(n) takes n = t - 1 inputs"
    );
    let mut state: [FpVar<Fr>; T] = std::array::from_fn(|i| {
        if i == 0 {
            FpVar::zero()
        } else {
            inputs[i - 1].clone()
        }
    });
    permute_var(&mut state)?;
    Ok(state[0].clone())
}

/// Packs up to three canonical Goldilocks variables into one BN254 variable (linear, free).
pub fn pack_var(chunk: &[GoldilocksVar]) -> FpVar<Fr> {
    assert!(
        chunk.len() <= GOLDILOCKS_PER_FR,
        "at most 3 Goldilocks per BN254 element"
    );
    let mut acc = FpVar::zero();
    let mut shift = Fr::from(1u64);
    let two_64 = Fr::from(u64::MAX) + Fr::from(1u64);
    for g in chunk {
        acc += g.fp() * shift;
        shift *= two_64;
    }
    acc
}

/// Unpacks a BN254 variable like [`crate::wrap::hasher::unpack`]: its canonical bits (the
/// `< r` check makes the decomposition unique, so the prover has no choice), the low 192
/// bits as three 64-bit limbs, each reduced modulo p.
///
/// A limb is `>= p` iff its high 32 bits are all ones and its low 32 bits are not all zero;
/// then the canonical value is `limb − p`, otherwise `limb`.
pub fn unpack_var(x: &FpVar<Fr>) -> Result<[GoldilocksVar; GOLDILOCKS_PER_FR], SynthesisError> {
    let bits = x.to_bits_le()?;
    let limb = |k: usize| -> Result<GoldilocksVar, SynthesisError> {
        let b = &bits[64 * k..64 * (k + 1)];
        let lo = bits_to_fp(&b[..32]);
        let hi_ones: FpVar<Fr> = b[32..]
            .iter()
            .fold(FpVar::zero(), |acc, bit| acc + FpVar::from(bit.clone()));
        let all_ones = hi_ones.is_eq(&FpVar::constant(Fr::from(32u64)))?;
        let lo_nonzero = lo.is_neq(&FpVar::zero())?;
        let wraps: Boolean<Fr> = all_ones & lo_nonzero;
        let value = bits_to_fp(b) - FpVar::from(wraps) * Fr::from(P);
        Ok(GoldilocksVar::from_canonical_fp(value))
    };
    Ok([limb(0)?, limb(1)?, limb(2)?])
}

/// The transcript permutation over Goldilocks variables: pack 12 into 4, Poseidon width 4,
/// unpack.
pub fn permute_goldilocks_var(
    state: &mut [GoldilocksVar; SPONGE_WIDTH],
) -> Result<(), SynthesisError> {
    let mut packed: [FpVar<Fr>; POSEIDON_WIDTH] = std::array::from_fn(|j| {
        pack_var(&state[GOLDILOCKS_PER_FR * j..GOLDILOCKS_PER_FR * (j + 1)])
    });
    permute_var(&mut packed)?;
    for (j, p) in packed.iter().enumerate() {
        let limbs = unpack_var(p)?;
        state[GOLDILOCKS_PER_FR * j..GOLDILOCKS_PER_FR * (j + 1)].clone_from_slice(&limbs);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ark_ff::{UniformRand, Zero};
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::R1CSVar;
    use ark_relations::r1cs::{ConstraintSystem, ConstraintSystemRef};
    use plonky2::field::goldilocks_field::GoldilocksField;
    use plonky2::field::types::{Field, Sample};
    use rand::SeedableRng;

    use super::*;
    use crate::wrap::{hasher, poseidon_bn254};

    fn witnesses<const T: usize>(cs: &ConstraintSystemRef<Fr>, xs: [Fr; T]) -> [FpVar<Fr>; T] {
        xs.map(|x| FpVar::new_witness(cs.clone(), || Ok(x)).unwrap())
    }

    fn check_width<const T: usize>(rng: &mut impl rand::Rng) -> usize {
        let inputs: [[Fr; T]; 3] = [
            [Fr::zero(); T],
            [-Fr::from(1u64); T],
            std::array::from_fn(|_| Fr::rand(rng)),
        ];
        let mut cost = 0;
        for input in inputs {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let mut state = witnesses(&cs, input);
            permute_var(&mut state).unwrap();
            let mut native = input;
            poseidon_bn254::permute(&mut native);
            for (v, n) in state.iter().zip(native) {
                assert_eq!(v.value().unwrap(), n);
            }
            assert!(cs.is_satisfied().unwrap());
            cost = cs.num_constraints();
        }
        cost
    }

    #[test]
    fn permutation_matches_native() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let c3 = check_width::<3>(&mut rng);
        let c4 = check_width::<4>(&mut rng);
        let c5 = check_width::<5>(&mut rng);
        eprintln!("constraints per Poseidon-BN254 permutation: t=3 {c3}, t=4 {c4}, t=5 {c5}");
        assert_eq!(c3, 3 * (8 * 3 + 57));
        assert_eq!(c4, 3 * (8 * 4 + 56));
        assert_eq!(c5, 3 * (8 * 5 + 60));
    }

    #[test]
    fn hash_matches_native_and_wrong_output_is_unsatisfied() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(4);
        let (a, b) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
        let native = poseidon_bn254::hash::<3>(&[a, b]);

        let cs = ConstraintSystem::<Fr>::new_ref();
        let [va, vb] = witnesses(&cs, [a, b]);
        let h = hash_var::<3>(&[va, vb]).unwrap();
        let claimed = FpVar::new_witness(cs.clone(), || Ok(native)).unwrap();
        h.enforce_equal(&claimed).unwrap();
        assert!(cs.is_satisfied().unwrap());

        let cs = ConstraintSystem::<Fr>::new_ref();
        let [va, vb] = witnesses(&cs, [a, b]);
        let h = hash_var::<3>(&[va, vb]).unwrap();
        let claimed = FpVar::new_witness(cs.clone(), || Ok(native + Fr::from(1u64))).unwrap();
        h.enforce_equal(&claimed).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn constant_inputs_cost_nothing() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut state: [FpVar<Fr>; 4] =
            std::array::from_fn(|i| FpVar::constant(Fr::from(i as u64)));
        permute_var(&mut state).unwrap();
        assert_eq!(cs.num_constraints(), 0);
        let mut native: [Fr; 4] = std::array::from_fn(|i| Fr::from(i as u64));
        poseidon_bn254::permute(&mut native);
        assert_eq!(state[2].value().unwrap(), native[2]);
    }

    #[test]
    fn goldilocks_permutation_matches_native() {
        let edge = [
            GoldilocksField::ZERO,
            GoldilocksField::NEG_ONE,
            GoldilocksField::ONE,
        ];
        let states: Vec<[GoldilocksField; SPONGE_WIDTH]> = vec![
            [GoldilocksField::ZERO; SPONGE_WIDTH],
            [GoldilocksField::NEG_ONE; SPONGE_WIDTH],
            std::array::from_fn(|i| edge[i % 3]),
            std::array::from_fn(|_| GoldilocksField::rand()),
        ];
        for input in states {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let mut state: [GoldilocksVar; SPONGE_WIDTH] = std::array::from_fn(|i| {
                GoldilocksVar::new_witness(cs.clone(), || Ok(input[i])).unwrap()
            });
            let before = cs.num_constraints();
            permute_goldilocks_var(&mut state).unwrap();
            let cost = cs.num_constraints() - before;
            let mut native = input;
            hasher::permute_goldilocks(&mut native);
            for (v, n) in state.iter().zip(native) {
                assert_eq!(v.value().unwrap(), n);
            }
            assert!(cs.is_satisfied().unwrap());
            eprintln!("constraints per transcript (Goldilocks-view) permutation: {cost}");
        }
    }

    #[test]
    fn unpack_handles_limbs_at_and_above_p() {
        // Limbs p − 1, p (wraps to 0) and 2^64 − 1 (wraps to 2^32 − 2).
        let limbs = [P - 1, P, u64::MAX];
        let x = Fr::from(ark_ff::BigInt::new([limbs[0], limbs[1], limbs[2], 0]));
        let native = hasher::unpack(x);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let v = FpVar::new_witness(cs.clone(), || Ok(x)).unwrap();
        let out = unpack_var(&v).unwrap();
        for (o, n) in out.iter().zip(native) {
            assert_eq!(o.value().unwrap(), n);
        }
        assert_eq!(native[1], GoldilocksField::ZERO);
        assert!(cs.is_satisfied().unwrap());
    }

    #[test]
    fn wrong_transcript_output_is_unsatisfied() {
        let input: [GoldilocksField; SPONGE_WIDTH] =
            std::array::from_fn(|_| GoldilocksField::rand());
        let mut native = input;
        hasher::permute_goldilocks(&mut native);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut state: [GoldilocksVar; SPONGE_WIDTH] = std::array::from_fn(|i| {
            GoldilocksVar::new_witness(cs.clone(), || Ok(input[i])).unwrap()
        });
        permute_goldilocks_var(&mut state).unwrap();
        let claimed =
            GoldilocksVar::new_witness(cs.clone(), || Ok(native[5] + GoldilocksField::ONE))
                .unwrap();
        state[5].enforce_equal(&claimed).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }
}
