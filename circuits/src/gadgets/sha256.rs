//! SHA-256 over bits, as plonky2 constraints.
//!
//! The pubdata commitment (docs/l1-interface.md) is a SHA-256 tree that the hub recomputes
//! through the EVM precompile, so the circuits hash the exact same bytes. Words are 32
//! boolean targets, least significant bit first; rotations and shifts are free (they only
//! re-index bits), the boolean functions cost a few arithmetic operations per bit, and
//! additions mod 2^32 sum the packed words and keep the low 32 bits of a checked bit split.
//!
//! Messages here always have a length fixed when the circuit is built, so padding is
//! constant and costs nothing.

use plonky2::field::extension::Extendable;
use plonky2::hash::hash_types::RichField;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;

/// A 32-bit word: bit `i` has weight 2^i.
pub type WordTarget = [BoolTarget; 32];

/// A SHA-256 digest as eight words, in output order (big-endian words, as FIPS 180-4).
pub type DigestTarget = [WordTarget; 8];

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// A constant word.
pub fn constant_word<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    value: u32,
) -> WordTarget {
    core::array::from_fn(|i| builder.constant_bool((value >> i) & 1 == 1))
}

/// `a ⊕ b` for bits: a + b − 2ab.
fn xor2<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    a: BoolTarget,
    b: BoolTarget,
) -> BoolTarget {
    let sum = builder.add(a.target, b.target);
    let x = builder.arithmetic(-F::TWO, F::ONE, a.target, b.target, sum);
    BoolTarget::new_unsafe(x)
}

fn xor3<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    a: BoolTarget,
    b: BoolTarget,
    c: BoolTarget,
) -> BoolTarget {
    let ab = xor2(builder, a, b);
    xor2(builder, ab, c)
}

fn rotr(w: &WordTarget, n: usize) -> WordTarget {
    core::array::from_fn(|i| w[(i + n) % 32])
}

fn shr<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    w: &WordTarget,
    n: usize,
) -> WordTarget {
    let zero = builder._false();
    core::array::from_fn(|i| if i + n < 32 { w[i + n] } else { zero })
}

fn xor3_words<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    a: &WordTarget,
    b: &WordTarget,
    c: &WordTarget,
) -> WordTarget {
    core::array::from_fn(|i| xor3(builder, a[i], b[i], c[i]))
}

/// `(e ∧ f) ⊕ (¬e ∧ g)` = e(f − g) + g.
fn ch<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    e: &WordTarget,
    f: &WordTarget,
    g: &WordTarget,
) -> WordTarget {
    core::array::from_fn(|i| {
        let d = builder.sub(f[i].target, g[i].target);
        let x = builder.arithmetic(F::ONE, F::ONE, e[i].target, d, g[i].target);
        BoolTarget::new_unsafe(x)
    })
}

/// Majority: ab + c(a ⊕ b).
fn maj<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    a: &WordTarget,
    b: &WordTarget,
    c: &WordTarget,
) -> WordTarget {
    core::array::from_fn(|i| {
        let x = xor2(builder, a[i], b[i]);
        let ab = builder.mul(a[i].target, b[i].target);
        let m = builder.arithmetic(F::ONE, F::ONE, c[i].target, x.target, ab);
        BoolTarget::new_unsafe(m)
    })
}

/// The word as a field element (its value, below 2^32).
pub fn word_value<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    w: &WordTarget,
) -> Target {
    builder.le_sum(w.iter())
}

/// Sum of words modulo 2^32 (at most 8 terms, so the exact sum stays below 2^35).
fn add_words<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    words: &[&WordTarget],
    constant: u32,
) -> WordTarget {
    assert!(words.len() <= 7, "carry bits sized for at most 8 terms");
    let mut sum = builder.constant(F::from_canonical_u32(constant));
    for w in words {
        let v = word_value(builder, w);
        sum = builder.add(sum, v);
    }
    let bits = builder.split_le(sum, 35);
    core::array::from_fn(|i| bits[i])
}

/// One compression: the new chaining value from `state` and a 16-word block.
pub fn compress<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    state: &DigestTarget,
    block: &[WordTarget; 16],
) -> DigestTarget {
    let mut w: Vec<WordTarget> = block.to_vec();
    for t in 16..64 {
        let s0 = {
            let x = rotr(&w[t - 15], 7);
            let y = rotr(&w[t - 15], 18);
            let z = shr(builder, &w[t - 15], 3);
            xor3_words(builder, &x, &y, &z)
        };
        let s1 = {
            let x = rotr(&w[t - 2], 17);
            let y = rotr(&w[t - 2], 19);
            let z = shr(builder, &w[t - 2], 10);
            xor3_words(builder, &x, &y, &z)
        };
        let next = add_words(builder, &[&w[t - 16], &s0, &w[t - 7], &s1], 0);
        w.push(next);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for (t, wt) in w.iter().enumerate() {
        let big_s1 = {
            let x = rotr(&e, 6);
            let y = rotr(&e, 11);
            let z = rotr(&e, 25);
            xor3_words(builder, &x, &y, &z)
        };
        let choice = ch(builder, &e, &f, &g);
        let big_s0 = {
            let x = rotr(&a, 2);
            let y = rotr(&a, 13);
            let z = rotr(&a, 22);
            xor3_words(builder, &x, &y, &z)
        };
        let majority = maj(builder, &a, &b, &c);
        // T1 = h + Σ1 + ch + K[t] + W[t]; new a = T1 + Σ0 + maj; new e = d + T1. Summing
        // the terms directly (not through T1) saves a bit split per round.
        let new_e = add_words(builder, &[&d, &h, &big_s1, &choice, wt], K[t]);
        let new_a = add_words(
            builder,
            &[&h, &big_s1, &choice, wt, &big_s0, &majority],
            K[t],
        );
        h = g;
        g = f;
        f = e;
        e = new_e;
        d = c;
        c = b;
        b = a;
        a = new_a;
    }
    let out = [a, b, c, d, e, f, g, h];
    core::array::from_fn(|i| add_words(builder, &[&state[i], &out[i]], 0))
}

/// SHA-256 of a message whose length (in bytes) is fixed: `bits` holds the message bits,
/// most significant bit of each byte first (the byte order of the standard).
pub fn sha256<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    bits: &[BoolTarget],
) -> DigestTarget {
    assert_eq!(bits.len() % 8, 0, "whole bytes only");
    let len_bits = bits.len() as u64;
    let mut padded: Vec<BoolTarget> = bits.to_vec();
    let one = builder._true();
    let zero = builder._false();
    padded.push(one);
    while padded.len() % 512 != 448 {
        padded.push(zero);
    }
    for i in (0..64).rev() {
        padded.push(builder.constant_bool((len_bits >> i) & 1 == 1));
    }
    let mut state: DigestTarget = core::array::from_fn(|i| constant_word(builder, H0[i]));
    for block in padded.chunks_exact(512) {
        // Message bits are big-endian within each word; words are little-endian bits here.
        let words: [WordTarget; 16] =
            core::array::from_fn(|j| core::array::from_fn(|i| block[32 * j + 31 - i]));
        state = compress(builder, &state, &words);
    }
    state
}

/// The digest's bits in byte order (most significant bit of each byte first), ready to be
/// hashed again.
pub fn digest_bits(digest: &DigestTarget) -> Vec<BoolTarget> {
    digest
        .iter()
        .flat_map(|w| (0..32).rev().map(move |i| w[i]))
        .collect()
}

/// Bits of `bytes`, most significant bit of each byte first (native helper for witnesses
/// and tests).
pub fn bytes_to_bits(bytes: &[u8]) -> Vec<bool> {
    bytes
        .iter()
        .flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1 == 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{assert_unprovable, prove_and_verify, C, D, F};
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use plonky2::plonk::circuit_data::CircuitConfig;
    use sha2::{Digest, Sha256};

    fn circuit(len: usize) -> (CircuitBuilder<F, D>, Vec<BoolTarget>, Vec<Target>) {
        let mut builder = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let input: Vec<BoolTarget> = (0..len * 8)
            .map(|_| builder.add_virtual_bool_target_safe())
            .collect();
        let digest = sha256(&mut builder, &input);
        let words: Vec<Target> = digest.iter().map(|w| word_value(&mut builder, w)).collect();
        builder.register_public_inputs(&words);
        (builder, input, words)
    }

    fn expected_words(msg: &[u8]) -> Vec<u64> {
        Sha256::digest(msg)
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes(c.try_into().unwrap()) as u64)
            .collect()
    }

    #[test]
    fn matches_sha2_for_several_lengths() {
        for (len, seed) in [
            (0usize, 1u8),
            (3, 2),
            (55, 3),
            (56, 4),
            (64, 5),
            (61 * 2, 6),
        ] {
            let msg: Vec<u8> = (0..len)
                .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
                .collect();
            let (builder, input, _) = circuit(len);
            let data = builder.build::<C>();
            let mut pw = PartialWitness::new();
            for (t, b) in input.iter().zip(bytes_to_bits(&msg)) {
                pw.set_bool_target(*t, b).unwrap();
            }
            let proof = prove_and_verify(&data, pw);
            let got: Vec<u64> = proof
                .public_inputs
                .iter()
                .map(plonky2::field::types::PrimeField64::to_canonical_u64)
                .collect();
            assert_eq!(got, expected_words(&msg), "length {len}");
        }
    }

    #[test]
    fn a_wrong_digest_cannot_be_proved() {
        let msg = b"bulwark pubdata";
        let (mut builder, input, words) = circuit(msg.len());
        // Pin the digest to the right value with one bit of one word flipped.
        let mut want = expected_words(msg);
        want[3] ^= 1 << 7;
        for (w, v) in words.iter().zip(&want) {
            let c = builder.constant(F::from_canonical_u64(*v));
            builder.connect(*w, c);
        }
        let data = builder.build::<C>();
        let mut pw = PartialWitness::new();
        for (t, b) in input.iter().zip(bytes_to_bits(msg)) {
            pw.set_bool_target(*t, b).unwrap();
        }
        assert_unprovable(&data, pw);
    }

    use plonky2::field::types::Field;
}
