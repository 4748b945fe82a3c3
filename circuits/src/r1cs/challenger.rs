//! The Fiat–Shamir transcript gadget: plonky2's `Challenger` over the wrap layer's
//! Poseidon-BN254 transcript permutation, step for step (overwrite-mode duplex sponge,
//! width 12, rate 8; challenges popped from the end of the squeezed rate), so the R1CS
//! verifier derives exactly the challenges the native verifier derives.
//!
//! Digests (BN254 elements) are observed as five 51-bit limbs, like
//! [`crate::wrap::hasher::Bn254HashOut::to_vec`]; the limbs come from the canonical bit
//! decomposition, so the prover cannot choose another encoding.

use ark_bn254::Fr;
use ark_r1cs_std::convert::ToBitsGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::r1cs::SynthesisError;
use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::types::Field;

use super::goldilocks::{bits_to_fp, GoldilocksVar};
use super::goldilocks_ext::GoldilocksExtVar;
use super::poseidon::permute_goldilocks_var;
use crate::wrap::hasher::{DIGEST_LIMBS, DIGEST_LIMB_BITS, SPONGE_RATE, SPONGE_WIDTH};

/// The transcript in R1CS (mirror of `plonky2::iop::challenger::Challenger`).
#[derive(Clone, Debug)]
pub struct ChallengerVar {
    sponge_state: [GoldilocksVar; SPONGE_WIDTH],
    input_buffer: Vec<GoldilocksVar>,
    output_buffer: Vec<GoldilocksVar>,
}

impl Default for ChallengerVar {
    fn default() -> Self {
        Self::new()
    }
}

impl ChallengerVar {
    /// A fresh transcript (all-zero state, constant: no constraints until it absorbs a
    /// witness).
    pub fn new() -> Self {
        Self {
            sponge_state: std::array::from_fn(|_| GoldilocksVar::constant(GoldilocksField::ZERO)),
            input_buffer: Vec::with_capacity(SPONGE_RATE),
            output_buffer: Vec::with_capacity(SPONGE_RATE),
        }
    }

    /// Absorbs one element; permutes when the rate is full.
    pub fn observe_element(&mut self, element: &GoldilocksVar) -> Result<(), SynthesisError> {
        self.output_buffer.clear();
        self.input_buffer.push(element.clone());
        if self.input_buffer.len() == SPONGE_RATE {
            self.duplexing()?;
        }
        Ok(())
    }

    /// Absorbs several elements in order.
    pub fn observe_elements(&mut self, elements: &[GoldilocksVar]) -> Result<(), SynthesisError> {
        elements.iter().try_for_each(|e| self.observe_element(e))
    }

    /// Absorbs an extension element (its two coordinates).
    pub fn observe_extension_element(
        &mut self,
        element: &GoldilocksExtVar,
    ) -> Result<(), SynthesisError> {
        self.observe_elements(&element.coeffs)
    }

    /// Absorbs a BN254 digest as its five canonical 51-bit limbs.
    pub fn observe_bn254_hash(&mut self, digest: &FpVar<Fr>) -> Result<(), SynthesisError> {
        let limbs = digest_limbs_var(digest)?;
        self.observe_elements(&limbs)
    }

    /// Draws one challenge.
    pub fn get_challenge(&mut self) -> Result<GoldilocksVar, SynthesisError> {
        if !self.input_buffer.is_empty() || self.output_buffer.is_empty() {
            self.duplexing()?;
        }
        Ok(self
            .output_buffer
            .pop()
            .expect("duplexing fills the output buffer"))
    }

    /// Draws an extension challenge (two base challenges, lowest coordinate first).
    pub fn get_extension_challenge(&mut self) -> Result<GoldilocksExtVar, SynthesisError> {
        let c0 = self.get_challenge()?;
        let c1 = self.get_challenge()?;
        Ok(GoldilocksExtVar { coeffs: [c0, c1] })
    }

    /// Overwrites the rate with the buffered inputs, permutes, refills the outputs.
    fn duplexing(&mut self) -> Result<(), SynthesisError> {
        assert!(self.input_buffer.len() <= SPONGE_RATE);
        for (s, x) in self
            .sponge_state
            .iter_mut()
            .zip(self.input_buffer.drain(..))
        {
            *s = x;
        }
        permute_goldilocks_var(&mut self.sponge_state)?;
        self.output_buffer.clear();
        self.output_buffer
            .extend_from_slice(&self.sponge_state[..SPONGE_RATE]);
        Ok(())
    }
}

/// The five 51-bit limbs of a BN254 digest variable, from its canonical bits. Each limb is
/// below 2^51 < p, so it is a canonical Goldilocks element by construction.
pub fn digest_limbs_var(digest: &FpVar<Fr>) -> Result<Vec<GoldilocksVar>, SynthesisError> {
    let bits = digest.to_bits_le()?;
    Ok((0..DIGEST_LIMBS)
        .map(|i| {
            let end = ((i + 1) * DIGEST_LIMB_BITS).min(bits.len());
            GoldilocksVar::from_canonical_fp(bits_to_fp(&bits[i * DIGEST_LIMB_BITS..end]))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use ark_ff::UniformRand;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_relations::r1cs::{ConstraintSystem, ConstraintSystemRef};
    use plonky2::field::extension::FieldExtension;
    use plonky2::field::types::Sample;
    use plonky2::iop::challenger::Challenger;
    use rand::SeedableRng;

    use super::*;
    use crate::r1cs::goldilocks_ext::GoldilocksExt;
    use crate::wrap::hasher::{Bn254HashOut, PoseidonBn254Hash};

    type NativeChallenger = Challenger<GoldilocksField, PoseidonBn254Hash>;

    /// A transcript script run both natively and in-circuit: elements, a digest, challenges,
    /// more elements (a partial rate), extension challenges.
    fn run(
        cs: &ConstraintSystemRef<Fr>,
        elements: &[GoldilocksField],
        digest: Fr,
    ) -> (Vec<GoldilocksField>, Vec<GoldilocksVar>) {
        let mut native = NativeChallenger::new();
        let mut var = ChallengerVar::new();
        let vars: Vec<GoldilocksVar> = elements
            .iter()
            .map(|&e| GoldilocksVar::new_witness(cs.clone(), || Ok(e)).unwrap())
            .collect();
        let digest_var = FpVar::new_witness(cs.clone(), || Ok(digest)).unwrap();

        native.observe_elements(&elements[..11]);
        var.observe_elements(&vars[..11]).unwrap();
        native.observe_hash::<PoseidonBn254Hash>(Bn254HashOut(digest));
        var.observe_bn254_hash(&digest_var).unwrap();
        let mut want = native.get_n_challenges(3);
        let mut got: Vec<GoldilocksVar> = (0..3).map(|_| var.get_challenge().unwrap()).collect();
        native.observe_elements(&elements[11..]);
        var.observe_elements(&vars[11..]).unwrap();
        for _ in 0..5 {
            let e: GoldilocksExt = native.get_extension_challenge::<2>();
            want.extend_from_slice(&<GoldilocksExt as FieldExtension<2>>::to_basefield_array(
                &e,
            ));
            let ev = var.get_extension_challenge().unwrap();
            got.extend(ev.coeffs);
        }
        (want, got)
    }

    #[test]
    fn matches_native_challenger() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
        let elements: Vec<GoldilocksField> = (0..14).map(|_| GoldilocksField::rand()).collect();
        let cs = ConstraintSystem::<Fr>::new_ref();
        let (want, got) = run(&cs, &elements, Fr::rand(&mut rng));
        for (w, g) in want.iter().zip(&got) {
            assert_eq!(g.value().unwrap(), *w);
        }
        assert!(cs.is_satisfied().unwrap());
        eprintln!("transcript script: {} constraints", cs.num_constraints());
    }

    #[test]
    fn wrong_challenge_is_unsatisfied() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(10);
        let elements: Vec<GoldilocksField> = (0..14).map(|_| GoldilocksField::rand()).collect();
        let cs = ConstraintSystem::<Fr>::new_ref();
        let (want, got) = run(&cs, &elements, Fr::rand(&mut rng));
        let claimed =
            GoldilocksVar::new_witness(cs.clone(), || Ok(want[4] + GoldilocksField::ONE)).unwrap();
        got[4].enforce_equal(&claimed).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn digest_limbs_match_native() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
        for x in [Fr::from(0u64), -Fr::from(1u64), Fr::rand(&mut rng)] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let v = FpVar::new_witness(cs.clone(), || Ok(x)).unwrap();
            let limbs = digest_limbs_var(&v).unwrap();
            let native = Bn254HashOut(x).limbs();
            for (l, n) in limbs.iter().zip(native) {
                assert_eq!(l.value().unwrap(), n);
            }
            assert!(cs.is_satisfied().unwrap());
        }
    }
}
