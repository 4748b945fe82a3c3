//! The plonky2 hasher and config of the wrap layer: Merkle trees hashed with Poseidon over
//! BN254 and a Fiat–Shamir transcript whose permutation is Poseidon over BN254.
//!
//! # Layouts (the R1CS verifier mirrors each one)
//! - **Packing** ([`pack`]): up to three Goldilocks elements `g0, g1, g2` (canonical, each
//!   `< p < 2^64`) become the BN254 element `g0 + g1·2^64 + g2·2^128`. It is injective:
//!   the integer is below `2^192 < r`, so no reduction modulo r happens and the 64-bit limbs
//!   are recovered exactly. Four per element would not be (`2^256 > r`).
//! - **Transcript permutation** ([`PoseidonBn254Permutation`]): plonky2's challenger needs a
//!   permutation over Goldilocks elements, so its state is 12 Goldilocks (rate 8, capacity
//!   4, the same sponge shape as plonky2's own Poseidon). `permute` packs elements
//!   `3j..3j+3` into BN254 element `j` (4 of them), applies circomlib's Poseidon of width 4,
//!   and unpacks each output ([`unpack`]): its low 192 bits as three 64-bit limbs, each
//!   reduced modulo p. The top 62 bits are dropped; a reduced limb is within statistical
//!   distance 2^-32 of uniform, which costs nothing measurable in soundness and keeps the
//!   in-circuit unpacking to one canonical bit decomposition.
//! - **Digests** ([`Bn254HashOut`]): one BN254 element. Merkle leaves are hashed by a sponge
//!   over BN254 ([`PoseidonBn254Hash::hash_no_pad`]): width 4, capacity element 0
//!   initialised to the input length (domain separation between lengths), rate 3 elements
//!   (9 Goldilocks per permutation, overwrite mode), output element 1. Leaves of at most 3
//!   elements are packed, not hashed (plonky2's `hash_or_noop` rule, made injective). Inner
//!   nodes are circomlib's `Poseidon(2)` (width 3) of the two children.
//! - **Observing a digest** ([`Bn254HashOut::to_vec`]): the transcript absorbs a digest as
//!   five 51-bit limbs, little-endian (255 bits ≥ 254): each is a canonical Goldilocks
//!   element and the map is injective, so the transcript binds the digest exactly.

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField, Zero};
use plonky2::field::extension::quadratic::QuadraticExtension;
use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hashing::PlonkyPermutation;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::{GenericConfig, GenericHashOut, Hasher};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::poseidon_bn254;

/// Goldilocks elements packed into one BN254 element (3·64 = 192 < 254 bits: injective).
pub const GOLDILOCKS_PER_FR: usize = 3;

/// Width of the transcript permutation in Goldilocks elements.
pub const SPONGE_WIDTH: usize = 12;

/// Rate of the transcript sponge in Goldilocks elements.
pub const SPONGE_RATE: usize = 8;

/// Width (in BN254 elements) of the Poseidon instance behind the transcript and leaf sponge.
pub const POSEIDON_WIDTH: usize = SPONGE_WIDTH / GOLDILOCKS_PER_FR;

/// BN254 elements absorbed per permutation by the Merkle-leaf sponge.
pub const LEAF_RATE: usize = POSEIDON_WIDTH - 1;

/// Bits per limb when a digest is observed by the transcript.
pub const DIGEST_LIMB_BITS: usize = 51;

/// Goldilocks limbs per observed digest (5·51 = 255 ≥ 254 bits).
pub const DIGEST_LIMBS: usize = 5;

/// Packs up to three Goldilocks elements into one BN254 element, little-endian 64-bit limbs.
///
/// # Panics
/// If `chunk` has more than [`GOLDILOCKS_PER_FR`] elements.
pub fn pack(chunk: &[GoldilocksField]) -> Fr {
    assert!(
        chunk.len() <= GOLDILOCKS_PER_FR,
        "at most 3 Goldilocks per BN254 element"
    );
    let mut limbs = [0u64; 4];
    for (limb, g) in limbs.iter_mut().zip(chunk) {
        *limb = g.to_canonical_u64();
    }
    Fr::from_bigint(ark_ff::BigInt::new(limbs)).expect("below 2^192 < r")
}

/// Unpacks a BN254 element into three Goldilocks elements: the low 192 bits of its
/// canonical integer as 64-bit limbs, each reduced modulo p.
pub fn unpack(x: Fr) -> [GoldilocksField; GOLDILOCKS_PER_FR] {
    let limbs = x.into_bigint().0;
    [
        GoldilocksField::from_noncanonical_u64(limbs[0]),
        GoldilocksField::from_noncanonical_u64(limbs[1]),
        GoldilocksField::from_noncanonical_u64(limbs[2]),
    ]
}

/// A digest of the wrap layer's Merkle trees: one BN254 element.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Bn254HashOut(pub Fr);

impl Bn254HashOut {
    /// The five 51-bit limbs (little-endian) that the transcript absorbs.
    pub fn limbs(&self) -> [GoldilocksField; DIGEST_LIMBS] {
        let bits = self.0.into_bigint().to_bits_le();
        let mut out = [GoldilocksField::ZERO; DIGEST_LIMBS];
        for (i, limb) in out.iter_mut().enumerate() {
            let v = bits
                .iter()
                .skip(i * DIGEST_LIMB_BITS)
                .take(DIGEST_LIMB_BITS)
                .rev()
                .fold(0u64, |acc, &b| (acc << 1) | u64::from(b));
            *limb = GoldilocksField::from_canonical_u64(v);
        }
        out
    }
}

impl GenericHashOut<GoldilocksField> for Bn254HashOut {
    /// 32 bytes, little-endian canonical integer.
    fn to_bytes(&self) -> Vec<u8> {
        self.0.into_bigint().to_bytes_le()
    }

    /// Reads 32 little-endian bytes; reduces modulo r (plonky2's trait cannot fail here, and
    /// the digest it yields is what the verifier checks, so no unchecked value escapes).
    fn from_bytes(bytes: &[u8]) -> Self {
        Self(Fr::from_le_bytes_mod_order(bytes))
    }

    fn to_vec(&self) -> Vec<GoldilocksField> {
        self.limbs().to_vec()
    }
}

impl Serialize for Bn254HashOut {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.into_bigint().to_string())
    }
}

impl<'de> Deserialize<'de> for Bn254HashOut {
    /// Accepts the decimal canonical integer only; a value `>= r` is an error, not reduced.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        let n: num_bigint::BigUint = s
            .parse()
            .map_err(|e| serde::de::Error::custom(format!("BN254 digest: {e}")))?;
        let modulus = num_bigint::BigUint::from_bytes_le(&Fr::MODULUS.to_bytes_le());
        if n >= modulus {
            return Err(serde::de::Error::custom(
                "BN254 digest: value is not below the scalar field modulus",
            ));
        }
        Ok(Self(Fr::from(n)))
    }
}

/// The transcript permutation: 12 Goldilocks elements, packed into 4 BN254 elements,
/// Poseidon of width 4, unpacked (see the module docs).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct PoseidonBn254Permutation {
    state: [GoldilocksField; SPONGE_WIDTH],
}

impl AsRef<[GoldilocksField]> for PoseidonBn254Permutation {
    fn as_ref(&self) -> &[GoldilocksField] {
        &self.state
    }
}

/// The permutation on Goldilocks states, exposed for the R1CS gadget's tests.
pub fn permute_goldilocks(state: &mut [GoldilocksField; SPONGE_WIDTH]) {
    let mut packed = [Fr::zero(); POSEIDON_WIDTH];
    for (p, chunk) in packed.iter_mut().zip(state.chunks(GOLDILOCKS_PER_FR)) {
        *p = pack(chunk);
    }
    poseidon_bn254::permute(&mut packed);
    for (chunk, p) in state.chunks_mut(GOLDILOCKS_PER_FR).zip(packed) {
        chunk.copy_from_slice(&unpack(p));
    }
}

impl PlonkyPermutation<GoldilocksField> for PoseidonBn254Permutation {
    const RATE: usize = SPONGE_RATE;
    const WIDTH: usize = SPONGE_WIDTH;

    fn new<I: IntoIterator<Item = GoldilocksField>>(elts: I) -> Self {
        let mut perm = Self::default();
        perm.set_from_iter(elts, 0);
        perm
    }

    fn set_elt(&mut self, elt: GoldilocksField, idx: usize) {
        self.state[idx] = elt;
    }

    fn set_from_iter<I: IntoIterator<Item = GoldilocksField>>(
        &mut self,
        elts: I,
        start_idx: usize,
    ) {
        for (s, e) in self.state[start_idx..].iter_mut().zip(elts) {
            *s = e;
        }
    }

    fn set_from_slice(&mut self, elts: &[GoldilocksField], start_idx: usize) {
        self.state[start_idx..start_idx + elts.len()].copy_from_slice(elts);
    }

    fn permute(&mut self) {
        permute_goldilocks(&mut self.state);
    }

    fn squeeze(&self) -> &[GoldilocksField] {
        &self.state[..SPONGE_RATE]
    }
}

/// Poseidon-BN254 as a plonky2 [`Hasher`]: digests are BN254 elements (see the module docs).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PoseidonBn254Hash;

/// The Merkle-leaf sponge over BN254 elements (see the module docs); `input` is already
/// packed, `len` is the number of Goldilocks elements it came from.
pub fn leaf_sponge(packed: &[Fr], len: usize) -> Fr {
    let mut state = [Fr::zero(); POSEIDON_WIDTH];
    state[0] = Fr::from(len as u64);
    let mut chunks = packed.chunks(LEAF_RATE).peekable();
    if chunks.peek().is_none() {
        poseidon_bn254::permute(&mut state);
    }
    for chunk in chunks {
        state[1..1 + chunk.len()].copy_from_slice(chunk);
        poseidon_bn254::permute(&mut state);
    }
    state[1]
}

impl Hasher<GoldilocksField> for PoseidonBn254Hash {
    const HASH_SIZE: usize = 32;
    type Hash = Bn254HashOut;
    type Permutation = PoseidonBn254Permutation;

    fn hash_no_pad(input: &[GoldilocksField]) -> Self::Hash {
        let packed: Vec<Fr> = input.chunks(GOLDILOCKS_PER_FR).map(pack).collect();
        Bn254HashOut(leaf_sponge(&packed, input.len()))
    }

    /// Leaves of at most three elements are packed (injective), longer ones hashed.
    fn hash_or_noop(inputs: &[GoldilocksField]) -> Self::Hash {
        if inputs.len() <= GOLDILOCKS_PER_FR {
            Bn254HashOut(pack(inputs))
        } else {
            Self::hash_no_pad(inputs)
        }
    }

    fn two_to_one(left: Self::Hash, right: Self::Hash) -> Self::Hash {
        Bn254HashOut(poseidon_bn254::hash::<3>(&[left.0, right.0]))
    }
}

/// The wrap layer's plonky2 configuration: Goldilocks with its quadratic extension, Merkle
/// trees and transcript over Poseidon-BN254, and plonky2's Poseidon for in-circuit hashing
/// (public inputs), which the R1CS verifier recomputes once per proof.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PoseidonBn254GoldilocksConfig;

impl GenericConfig<2> for PoseidonBn254GoldilocksConfig {
    type F = GoldilocksField;
    type FE = QuadraticExtension<GoldilocksField>;
    type Hasher = PoseidonBn254Hash;
    type InnerHasher = PoseidonHash;
}

#[cfg(test)]
mod tests {
    use plonky2::field::types::{Field64, Sample};
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use plonky2::plonk::circuit_builder::CircuitBuilder;
    use plonky2::plonk::circuit_data::CircuitConfig;

    use super::*;

    type F = GoldilocksField;
    type C = PoseidonBn254GoldilocksConfig;

    #[test]
    fn packing_is_injective_at_the_edges() {
        let max = F::NEG_ONE;
        let x = pack(&[max, max, max]);
        assert_eq!(unpack(x), [max, max, max]);
        assert_ne!(pack(&[max, F::ZERO]), pack(&[F::ZERO, max]));
        assert_eq!(pack(&[F::ONE]), Fr::from(1u64));
        // r − 1 has all three low limbs set in a way that must still reduce into Goldilocks.
        let limbs = unpack(-Fr::from(1u64));
        let raw = (-Fr::from(1u64)).into_bigint().0;
        for (g, r) in limbs.iter().zip(raw) {
            assert_eq!(g.to_canonical_u64(), r % GoldilocksField::ORDER);
        }
    }

    #[test]
    fn digest_limbs_are_canonical_and_injective() {
        for x in [
            Fr::zero(),
            -Fr::from(1u64),
            Fr::from(1u64) + Fr::from(u64::MAX),
        ] {
            let h = Bn254HashOut(x);
            let limbs = h.limbs();
            let mut acc = num_bigint::BigUint::default();
            for l in limbs.iter().rev() {
                assert!(l.to_canonical_u64() < 1 << DIGEST_LIMB_BITS);
                acc = (acc << DIGEST_LIMB_BITS) + l.to_canonical_u64();
            }
            assert_eq!(Fr::from(acc), x);
            assert_eq!(Bn254HashOut::from_bytes(&h.to_bytes()), h);
        }
    }

    #[test]
    fn digest_serde_rejects_values_above_modulus() {
        let h = Bn254HashOut(-Fr::from(1u64));
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(serde_json::from_str::<Bn254HashOut>(&json).unwrap(), h);
        let r = Fr::MODULUS.to_string();
        assert!(serde_json::from_str::<Bn254HashOut>(&format!("\"{r}\"")).is_err());
    }

    #[test]
    fn leaf_hash_separates_lengths() {
        let a = [F::ONE, F::TWO, F::ZERO, F::ZERO];
        let b = [F::ONE, F::TWO, F::ZERO, F::ZERO, F::ZERO];
        assert_ne!(
            PoseidonBn254Hash::hash_no_pad(&a),
            PoseidonBn254Hash::hash_no_pad(&b)
        );
    }

    /// A small circuit (x² + x·y public) to prove under the BN254 config.
    fn prove_small() -> (
        plonky2::plonk::circuit_data::CircuitData<F, C, 2>,
        plonky2::plonk::proof::ProofWithPublicInputs<F, C, 2>,
    ) {
        let mut builder = CircuitBuilder::<F, 2>::new(CircuitConfig::standard_recursion_config());
        let x = builder.add_virtual_target();
        let y = builder.add_virtual_target();
        let x2 = builder.mul(x, x);
        let xy = builder.mul(x, y);
        let out = builder.add(x2, xy);
        builder.register_public_input(x);
        builder.register_public_input(out);
        let data = builder.build::<C>();
        let mut pw = PartialWitness::new();
        pw.set_target(x, F::rand()).unwrap();
        pw.set_target(y, F::rand()).unwrap();
        let proof = data.prove(pw).unwrap();
        (data, proof)
    }

    #[test]
    fn bn254_config_proves_and_verifies() {
        let (data, proof) = prove_small();
        data.verify(proof.clone()).unwrap();

        // Round trip through plonky2's byte format.
        let bytes = proof.to_bytes();
        let back = plonky2::plonk::proof::ProofWithPublicInputs::<F, C, 2>::from_bytes(
            bytes,
            &data.common,
        )
        .unwrap();
        assert_eq!(back, proof);

        let mut bad = proof.clone();
        bad.public_inputs[1] += F::ONE;
        assert!(data.verify(bad).is_err(), "mutated public input accepted");

        let mut bad = proof.clone();
        bad.proof.wires_cap.0[0].0 += Fr::from(1u64);
        assert!(data.verify(bad).is_err(), "mutated wires cap accepted");

        let mut bad = proof.clone();
        bad.proof.openings.wires[0] += <C as GenericConfig<2>>::FE::ONE;
        assert!(data.verify(bad).is_err(), "mutated opening accepted");

        let mut bad = proof.clone();
        bad.proof.opening_proof.pow_witness += F::ONE;
        assert!(
            data.verify(bad).is_err(),
            "mutated proof-of-work witness accepted"
        );

        let mut bad = proof;
        let step = &mut bad.proof.opening_proof.query_round_proofs[0]
            .initial_trees_proof
            .evals_proofs[0]
            .1
            .siblings[0];
        step.0 += Fr::from(1u64);
        assert!(data.verify(bad).is_err(), "mutated Merkle sibling accepted");
    }
}
