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
use super::poseidon::{pack_var, permute_var, unpack_var};
use crate::wrap::hasher::{
    DIGEST_LIMBS, DIGEST_LIMB_BITS, GOLDILOCKS_PER_FR, POSEIDON_WIDTH, SPONGE_RATE,
};

/// Three consecutive Goldilocks elements of the sponge state: the BN254 element the last
/// permutation produced, or its unpacked elements. Unpacking costs a canonical bit
/// decomposition, so it is done only when an element is read (a challenge, or an element the
/// next absorption does not overwrite); a group the next absorption overwrites entirely is
/// never unpacked.
#[derive(Clone, Debug)]
enum Group {
    Packed(FpVar<Fr>),
    Unpacked([GoldilocksVar; GOLDILOCKS_PER_FR]),
}

/// The transcript in R1CS (mirror of `plonky2::iop::challenger::Challenger`).
#[derive(Clone, Debug)]
pub struct ChallengerVar {
    state: [Group; POSEIDON_WIDTH],
    input_buffer: Vec<GoldilocksVar>,
    /// The rate elements not yet squeezed: challenges pop from `state[outputs_left − 1]`.
    outputs_left: usize,
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
        let zero = || GoldilocksVar::constant(GoldilocksField::ZERO);
        Self {
            state: std::array::from_fn(|_| Group::Unpacked(std::array::from_fn(|_| zero()))),
            input_buffer: Vec::with_capacity(SPONGE_RATE),
            outputs_left: 0,
        }
    }

    /// Absorbs one element; permutes when the rate is full.
    pub fn observe_element(&mut self, element: &GoldilocksVar) -> Result<(), SynthesisError> {
        self.outputs_left = 0;
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
        if !self.input_buffer.is_empty() || self.outputs_left == 0 {
            self.duplexing()?;
        }
        self.outputs_left -= 1;
        self.element(self.outputs_left)
    }

    /// Draws an extension challenge (two base challenges, lowest coordinate first).
    pub fn get_extension_challenge(&mut self) -> Result<GoldilocksExtVar, SynthesisError> {
        let c0 = self.get_challenge()?;
        let c1 = self.get_challenge()?;
        Ok(GoldilocksExtVar { coeffs: [c0, c1] })
    }

    /// State element `i`, unpacking its group on first use.
    fn element(&mut self, i: usize) -> Result<GoldilocksVar, SynthesisError> {
        let group = &mut self.state[i / GOLDILOCKS_PER_FR];
        if let Group::Packed(x) = group {
            *group = Group::Unpacked(unpack_var(x)?);
        }
        match group {
            Group::Unpacked(elements) => Ok(elements[i % GOLDILOCKS_PER_FR].clone()),
            Group::Packed(_) => unreachable!("unpacked above"),
        }
    }

    /// Overwrites the rate with the buffered inputs, permutes, makes the rate squeezable.
    fn duplexing(&mut self) -> Result<(), SynthesisError> {
        assert!(self.input_buffer.len() <= SPONGE_RATE);
        let inputs = std::mem::take(&mut self.input_buffer);
        let mut packed: Vec<FpVar<Fr>> = Vec::with_capacity(POSEIDON_WIDTH);
        for j in 0..POSEIDON_WIDTH {
            let elements = (GOLDILOCKS_PER_FR * j..GOLDILOCKS_PER_FR * (j + 1))
                .map(|i| match inputs.get(i) {
                    Some(x) => Ok(x.clone()),
                    None => self.element(i),
                })
                .collect::<Result<Vec<_>, SynthesisError>>()?;
            packed.push(pack_var(&elements));
        }
        let mut packed: [FpVar<Fr>; POSEIDON_WIDTH] = packed.try_into().expect("width 4");
        permute_var(&mut packed)?;
        self.state = packed.map(Group::Packed);
        self.outputs_left = SPONGE_RATE;
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
