//! The Groth16 circuit's one public input (DESIGN.md rule 1, `docs/l1-interface.md`): the
//! wrap proof's 8 public values are the big-endian 32-bit words of `sha256(header)`; the
//! public input is that 256-bit value `& (2^253 − 1)`, below the BN254 scalar modulus with
//! no reduction.
//!
//! In R1CS each word is range-checked to 32 bits (its bits are the range check), the top 3
//! bits of the first word are dropped, and the rest is one linear combination equal to the
//! single instance variable: about 8·33 constraints.

use ark_bn254::Fr;
use ark_ff::PrimeField;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::r1cs::{ConstraintSystemRef, SynthesisError};
use plonky2::field::types::PrimeField64;

use super::goldilocks::{bits_to_fp, GoldilocksVar};
use crate::wrap::circuit::F;
use crate::wrap::words::NUM_WORDS;

/// Bits of the public input kept from the 256-bit digest.
pub const PUBLIC_INPUT_BITS: usize = 253;

/// Why a wrap proof's public values do not form a public input.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PublicInputError {
    /// Not exactly 8 values.
    #[error(
        "the wrap proof has {0} public values, the public input needs exactly {NUM_WORDS} words"
    )]
    Count(usize),
    /// A value is not a 32-bit word.
    #[error("public value {index} is {value}, not a 32-bit word")]
    NotAWord {
        /// Its position.
        index: usize,
        /// Its value.
        value: u64,
    },
}

/// The 32 bytes `sha256(header)` whose big-endian words are `words`, with the top 3 bits
/// cleared: exactly `bulwark_contracts::l1::public_input(header)`.
pub fn public_input_bytes(words: &[F]) -> Result<[u8; 32], PublicInputError> {
    if words.len() != NUM_WORDS {
        return Err(PublicInputError::Count(words.len()));
    }
    let mut bytes = [0u8; 32];
    for (index, (w, out)) in words.iter().zip(bytes.chunks_mut(4)).enumerate() {
        let value = w.to_canonical_u64();
        let word = u32::try_from(value).map_err(|_| PublicInputError::NotAWord { index, value })?;
        out.copy_from_slice(&word.to_be_bytes());
    }
    bytes[0] &= 0x1f;
    Ok(bytes)
}

/// The public input as a BN254 scalar (below 2^253, so no reduction happens).
pub fn public_input(words: &[F]) -> Result<Fr, PublicInputError> {
    Ok(Fr::from_be_bytes_mod_order(&public_input_bytes(words)?))
}

/// Range-checks the 8 words to 32 bits and returns the linear combination of the public
/// input they determine.
pub fn public_input_lc(words: &[GoldilocksVar]) -> Result<FpVar<Fr>, SynthesisError> {
    assert_eq!(
        words.len(),
        NUM_WORDS,
        "the shape check fixes 8 public values"
    );
    let mut acc = FpVar::zero();
    for (i, w) in words.iter().enumerate() {
        let bits = w.bits_le(32)?;
        // The first word loses its top 3 bits (2^256 → 2^253).
        let kept = if i == 0 { &bits[..29] } else { &bits[..] };
        let shift = ark_ff::Field::pow(&Fr::from(2u64), [(32 * (NUM_WORDS - 1 - i)) as u64]);
        acc += bits_to_fp(kept) * shift;
    }
    Ok(acc)
}

/// Allocates the one instance variable (its value from `value`, `None` in setup) and
/// enforces that it equals the public input of `words`.
pub fn enforce_public_input(
    cs: &ConstraintSystemRef<Fr>,
    words: &[GoldilocksVar],
    value: Option<Fr>,
) -> Result<(), SynthesisError> {
    let input = FpVar::new_input(cs.clone(), || {
        value.ok_or(SynthesisError::AssignmentMissing)
    })?;
    public_input_lc(words)?.enforce_equal(&input)
}

#[cfg(test)]
mod tests {
    use ark_relations::r1cs::ConstraintSystem;
    use bulwark_contracts::l1::BatchHeader;
    use plonky2::field::types::Field;

    use super::*;

    fn words_of(digest: &[u8; 32]) -> Vec<F> {
        digest
            .chunks(4)
            .map(|c| F::from_canonical_u32(u32::from_be_bytes(c.try_into().unwrap())))
            .collect()
    }

    fn synthesize(words: &[u64], value: Fr) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let vars: Vec<GoldilocksVar> = words
            .iter()
            .map(|&w| GoldilocksVar::new_witness_u64(cs.clone(), || Ok(w)).unwrap())
            .collect();
        enforce_public_input(&cs, &vars, Some(value)).unwrap();
        assert_eq!(
            cs.num_instance_variables(),
            2,
            "one public input (plus the constant 1)"
        );
        cs.is_satisfied().unwrap()
    }

    #[test]
    fn matches_the_hubs_public_input() {
        let header = BatchHeader {
            chain_id: 0xfeed_beef_0000_0001,
            hub: [0xab; 20],
            batch_index: 7,
            old_root: [1; 32],
            new_root: [2; 32],
            deposit_first: 3,
            deposit_last: 9,
            fee_recipient: 0xffff_fffe,
            pubdata_commitment: [0xe7; 32],
        };
        let digest: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(header.encode()).into();
        let words = words_of(&digest);
        let want = bulwark_contracts::l1::public_input(&header);
        assert_eq!(public_input_bytes(&words).unwrap(), want);
        let value = public_input(&words).unwrap();
        let raw: Vec<u64> = words.iter().map(|w| w.to_canonical_u64()).collect();
        assert!(synthesize(&raw, value));
        assert!(!synthesize(&raw, value + Fr::from(1u64)));
        // The dropped top bits are really dropped: a first word differing only there maps to
        // the same public input, and any other change does not.
        let mut top = raw.clone();
        top[0] ^= 0xe000_0000;
        assert!(synthesize(&top, value));
        let mut low = raw.clone();
        low[7] ^= 1;
        assert!(!synthesize(&low, value));
    }

    #[test]
    fn words_must_be_32_bits() {
        let mut words = [5u64; NUM_WORDS];
        let value = public_input(&words.map(F::from_canonical_u64)).unwrap();
        assert!(synthesize(&words, value));
        // 2^32 + 5 ≡ the same low bits: only the range check can refuse it.
        words[3] += 1 << 32;
        assert!(!synthesize(&words, value));
        assert_eq!(
            public_input(&words.map(F::from_canonical_u64)),
            Err(PublicInputError::NotAWord {
                index: 3,
                value: (1 << 32) + 5
            })
        );
        assert_eq!(public_input(&[F::ONE; 7]), Err(PublicInputError::Count(7)));
    }
}
