//! SHA-256 with custom gates, as plonky2 constraints.
//!
//! The pubdata commitment (docs/l1-interface.md) is a SHA-256 tree that the hub recomputes
//! through the EVM precompile, so the circuits hash the exact same bytes. Words travel
//! between rows as single field elements (their value, below 2^32); each gate decomposes
//! the words it needs into bits in its own advice wires. One compression is 64 rounds of
//! two rows ([`Sha256RoundEGate`], [`Sha256RoundAGate`]), 48 schedule rows
//! ([`Sha256ScheduleGate`]) and 4 feed-forward rows ([`Sha256AddGate`]): 180 rows, against
//! 3,125 with generic arithmetic over bit targets.
//!
//! Soundness in one paragraph: every word a bitwise function reads is decomposed into
//! boolean bits that recompose it, so it is below 2^32 and the function is exact; every
//! mod-2^32 sum holds its carry in boolean bits, so its output is the exact sum minus a
//! small multiple of 2^32; and every such output is decomposed by a later row (the
//! feed-forward rows decompose the ones nothing else reads), so it is the exact sum mod
//! 2^32. The two schedule words never decomposed (W_62, W_63) only feed sums that are.
//!
//! Messages here always have a length fixed when the circuit is built, so padding is
//! constant and costs nothing.

pub mod add_gate;
pub mod bit_gate;
pub mod round_a_gate;
pub mod round_e_gate;
pub mod schedule_gate;

use plonky2::field::extension::Extendable;
use plonky2::hash::hash_types::RichField;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;

pub use add_gate::Sha256AddGate;
pub use round_a_gate::Sha256RoundAGate;
pub use round_e_gate::Sha256RoundEGate;
pub use schedule_gate::Sha256ScheduleGate;

/// A 32-bit word as one field element: its value, below 2^32.
pub type WordTarget = Target;

/// A SHA-256 digest as eight words, in output order (big-endian words, as FIPS 180-4).
/// Every word is range-checked to 32 bits.
pub type DigestTarget = [WordTarget; 8];

/// The round constants.
pub const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// The initial chaining value.
pub const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// A constant word.
pub fn constant_word<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    value: u32,
) -> WordTarget {
    builder.constant(F::from_canonical_u32(value))
}

/// The value of a word given as 32 bits, least significant first (one row; the bits are
/// constrained boolean).
pub fn word_value<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    bits: &[BoolTarget; 32],
) -> WordTarget {
    builder.le_sum(bits.iter())
}

/// One compression: the new chaining value from `state` and a 16-word block. Every word
/// of `state` and `block` must already be below 2^32 (outputs of this module, constants,
/// or range-checked by the caller); the output words are range-checked here.
///
/// The precondition is load-bearing: `block[0]` (W_0) and `state[3]`, `state[7]` (d and
/// h of the first round) are only ever summed here, never decomposed, so an unchecked
/// one could be any field element and would set the round sums, hence the digest, freely.
pub fn compress<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    state: &DigestTarget,
    block: &[WordTarget; 16],
) -> DigestTarget {
    let mut w: Vec<WordTarget> = block.to_vec();
    for t in 16..64 {
        type S = Sha256ScheduleGate;
        let row = builder.add_gate(Sha256ScheduleGate, vec![]);
        builder.connect(w[t - 2], Target::wire(row, S::WIRE_W2));
        builder.connect(w[t - 7], Target::wire(row, S::WIRE_W7));
        builder.connect(w[t - 15], Target::wire(row, S::WIRE_W15));
        builder.connect(w[t - 16], Target::wire(row, S::WIRE_W16));
        w.push(Target::wire(row, S::WIRE_OUT));
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for (t, wt) in w.iter().enumerate() {
        type E = Sha256RoundEGate;
        type A = Sha256RoundAGate;
        let re = builder.add_gate(Sha256RoundEGate, vec![F::from_canonical_u32(K[t])]);
        for (word, wire) in [
            (e, E::WIRE_E),
            (f, E::WIRE_F),
            (g, E::WIRE_G),
            (d, E::WIRE_D),
            (h, E::WIRE_H),
            (*wt, E::WIRE_W),
        ] {
            builder.connect(word, Target::wire(re, wire));
        }
        let ra = builder.add_gate(Sha256RoundAGate, vec![]);
        for (word, wire) in [
            (a, A::WIRE_A),
            (b, A::WIRE_B),
            (c, A::WIRE_C),
            (Target::wire(re, E::WIRE_T1), A::WIRE_T1),
        ] {
            builder.connect(word, Target::wire(ra, wire));
        }
        h = g;
        g = f;
        f = e;
        e = Target::wire(re, E::WIRE_NEW_E);
        d = c;
        c = b;
        b = a;
        a = Target::wire(ra, A::WIRE_NEW_A);
    }
    let out = [a, b, c, d, e, f, g, h];
    let mut next = [out[0]; 8];
    for pair in 0..4 {
        let row = builder.add_gate(Sha256AddGate, vec![]);
        for op in 0..Sha256AddGate::NUM_OPS {
            let i = 2 * pair + op;
            builder.connect(state[i], Target::wire(row, Sha256AddGate::wire_x(op)));
            builder.connect(out[i], Target::wire(row, Sha256AddGate::wire_y(op)));
            next[i] = Target::wire(row, Sha256AddGate::wire_out(op));
        }
    }
    next
}

/// SHA-256 of a message of whole words (big-endian words of the byte string, as the
/// standard reads it), each already below 2^32: `4 · words.len()` bytes.
pub fn sha256_words<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    words: &[WordTarget],
) -> DigestTarget {
    sha256_message_words(builder, words, 4 * words.len())
}

/// SHA-256 of a `len`-byte message given as its `⌈len/4⌉` big-endian words. Precondition
/// (not checked here, as for [`compress`]): every word is below 2^32 and the bytes of the
/// last word past `len` are zero; the padding byte is added into that word.
pub fn sha256_message_words<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    words: &[WordTarget],
    len: usize,
) -> DigestTarget {
    assert_eq!(
        words.len(),
        len.div_ceil(4),
        "{len} bytes take {} words",
        len.div_ceil(4)
    );
    let len_bits = 8 * len as u64;
    let mut padded = words.to_vec();
    match len % 4 {
        0 => padded.push(constant_word(builder, 0x8000_0000)),
        used => {
            let last = padded.pop().expect("a partial word");
            let pad = F::from_canonical_u32(0x80 << (8 * (3 - used)));
            padded.push(builder.add_const(last, pad));
        }
    }
    while padded.len() % 16 != 14 {
        padded.push(constant_word(builder, 0));
    }
    padded.push(constant_word(builder, (len_bits >> 32) as u32));
    padded.push(constant_word(builder, len_bits as u32));
    hash_padded(builder, &padded)
}

/// Hashes padded words block by block from the initial chaining value.
fn hash_padded<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    padded: &[WordTarget],
) -> DigestTarget {
    let mut state: DigestTarget = core::array::from_fn(|i| constant_word(builder, H0[i]));
    for block in padded.chunks_exact(16) {
        state = compress(builder, &state, block.try_into().expect("16 words"));
    }
    state
}

/// SHA-256 of a message whose length (in bytes) is fixed: `bits` holds the message bits,
/// most significant bit of each byte first (the byte order of the standard). The bits are
/// packed into words (one row per word), which also constrains them boolean.
pub fn sha256<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    bits: &[BoolTarget],
) -> DigestTarget {
    assert_eq!(bits.len() % 8, 0, "whole bytes only");
    let len_bits = bits.len();
    let total = (len_bits + 1 + 64).div_ceil(512) * 512;
    // The constant padding bit at position p of the padded message.
    let pad_bit = |p: usize| -> u32 {
        if p == len_bits {
            1
        } else if p >= total - 64 {
            ((len_bits as u64 >> (total - 1 - p)) & 1) as u32
        } else {
            0
        }
    };
    let mut padded = Vec::with_capacity(total / 32);
    for j in 0..total / 32 {
        let start = 32 * j;
        let word = if start >= len_bits {
            let constant: u32 = (start..start + 32)
                .map(|p| pad_bit(p) << (31 - (p - start)))
                .sum();
            constant_word(builder, constant)
        } else {
            // The word's 32 bits, most significant first: message bits, then constant
            // padding bits. Packing all 32 takes one BaseSum row, which constrains every
            // bit boolean; fewer than 22 bits would be packed with arithmetic that leaves
            // them free, and a partial last word can be W_0 of its block, which no row
            // decomposes.
            let word_bits: Vec<BoolTarget> = (start..start + 32)
                .map(|p| {
                    if p < len_bits {
                        bits[p]
                    } else {
                        builder.constant_bool(pad_bit(p) == 1)
                    }
                })
                .collect();
            builder.le_sum(word_bits.iter().rev())
        };
        padded.push(word);
    }
    hash_padded(builder, &padded)
}

/// The digest's bits in byte order (most significant bit of each byte first), ready to be
/// hashed again as bits (one row per word).
pub fn digest_bits<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    digest: &DigestTarget,
) -> Vec<BoolTarget> {
    digest
        .iter()
        .flat_map(|w| {
            builder
                .split_le(*w, 32)
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
        })
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
        let words = sha256(&mut builder, &input).to_vec();
        builder.register_public_inputs(&words);
        (builder, input, words)
    }

    fn expected_words(msg: &[u8]) -> Vec<u64> {
        Sha256::digest(msg)
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes(c.try_into().unwrap()) as u64)
            .collect()
    }

    fn public_words(proof: &plonky2::plonk::proof::ProofWithPublicInputs<F, C, D>) -> Vec<u64> {
        proof
            .public_inputs
            .iter()
            .map(plonky2::field::types::PrimeField64::to_canonical_u64)
            .collect()
    }

    /// The proof's public inputs are the digests of `messages`, eight words each, in order.
    fn assert_digests(
        proof: &plonky2::plonk::proof::ProofWithPublicInputs<F, C, D>,
        messages: &[Vec<u8>],
    ) {
        let got = public_words(proof);
        for (i, msg) in messages.iter().enumerate() {
            assert_eq!(
                got[8 * i..8 * i + 8],
                expected_words(msg),
                "length {}",
                msg.len()
            );
        }
    }

    /// Edge lengths (empty, one byte, the 55/56 and 64 byte padding boundaries, two and
    /// three blocks, the leaf records and the 152-byte header) with random bytes, and
    /// all-ones bytes (largest carries), hashed in one circuit.
    #[test]
    fn matches_sha2_at_the_edges() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let mut messages: Vec<Vec<u8>> = [0usize, 1, 3, 55, 56, 63, 64, 65, 119, 120, 122, 152]
            .iter()
            .map(|&len| (0..len).map(|_| rng.gen()).collect())
            .collect();
        messages.push(vec![0xff; 128]);
        messages.push(vec![0; 64]);
        let mut builder = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let mut inputs = Vec::new();
        for msg in &messages {
            let input: Vec<BoolTarget> = (0..msg.len() * 8)
                .map(|_| builder.add_virtual_bool_target_safe())
                .collect();
            let words = sha256(&mut builder, &input);
            builder.register_public_inputs(&words);
            inputs.push(input);
        }
        let data = builder.build::<C>();
        let mut pw = PartialWitness::new();
        for (input, msg) in inputs.iter().zip(&messages) {
            for (t, b) in input.iter().zip(bytes_to_bits(msg)) {
                pw.set_bool_target(*t, b).unwrap();
            }
        }
        assert_digests(&prove_and_verify(&data, pw), &messages);
    }

    /// Messages given as words with a partial last word (the leaf's records: 61 bytes each,
    /// so K records end mid-word unless 4 divides K), padded inside that word; and 64
    /// records, whose padding needs a block of its own.
    #[test]
    fn message_words_match_sha2_for_partial_last_words() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
        let messages: Vec<Vec<u8>> = [1usize, 2, 3, 5, 61, 122, 183, 244, 3904]
            .iter()
            .map(|&len| (0..len).map(|_| rng.gen()).collect())
            .collect();
        let mut builder = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let mut inputs = Vec::new();
        for msg in &messages {
            let words: Vec<Target> = (0..msg.len().div_ceil(4))
                .map(|_| builder.add_virtual_target())
                .collect();
            let digest = sha256_message_words(&mut builder, &words, msg.len());
            builder.register_public_inputs(&digest);
            inputs.push(words);
        }
        let data = builder.build::<C>();
        let mut pw = PartialWitness::new();
        for (words, msg) in inputs.iter().zip(&messages) {
            for (t, chunk) in words.iter().zip(msg.chunks(4)) {
                let mut be = [0u8; 4];
                be[..chunk.len()].copy_from_slice(chunk);
                pw.set_target(*t, F::from_canonical_u32(u32::from_be_bytes(be)))
                    .unwrap();
            }
        }
        assert_digests(&prove_and_verify(&data, pw), &messages);
    }

    /// The word interface (node joins, the root header) and hashing a digest again.
    #[test]
    fn words_and_digest_bits_match_sha2() {
        let mut builder = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let words: Vec<Target> = (0..38).map(|_| builder.add_virtual_target()).collect();
        let digest = sha256_words(&mut builder, &words);
        builder.register_public_inputs(&digest);
        let first16 = sha256_words(&mut builder, &words[..16]);
        builder.register_public_inputs(&first16);
        let bits = digest_bits(&mut builder, &digest);
        let again = sha256(&mut builder, &bits);
        builder.register_public_inputs(&again);
        let data = builder.build::<C>();
        let bytes: Vec<u8> = (0..152u32).map(|i| (i * 7 + 3) as u8).collect();
        let mut pw = PartialWitness::new();
        for (t, c) in words.iter().zip(bytes.chunks_exact(4)) {
            let v = u32::from_be_bytes(c.try_into().unwrap());
            pw.set_target(*t, F::from_canonical_u32(v)).unwrap();
        }
        let got = public_words(&prove_and_verify(&data, pw));
        let d: [u8; 32] = Sha256::digest(&bytes).into();
        assert_eq!(got[..8], expected_words(&bytes));
        assert_eq!(got[8..16], expected_words(&bytes[..64]));
        assert_eq!(got[16..], expected_words(&d));
    }

    /// Rows per compression, so a change that makes SHA-256 costlier shows up here.
    #[test]
    fn one_compression_is_180_rows() {
        let mut builder = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let state: DigestTarget = builder.add_virtual_target_arr();
        let block: [Target; 16] = builder.add_virtual_target_arr();
        let before = builder.num_gates();
        compress(&mut builder, &state, &block);
        assert_eq!(builder.num_gates() - before, 180);
    }

    #[test]
    fn a_wrong_digest_cannot_be_proved() {
        let msg = b"bulwark pubdata";
        // Pin the digest to the right value (the control), or to it with one bit of one
        // word flipped.
        for flip in [false, true] {
            let (mut builder, input, words) = circuit(msg.len());
            let mut want = expected_words(msg);
            if flip {
                want[3] ^= 1 << 7;
            }
            for (w, v) in words.iter().zip(&want) {
                let c = builder.constant(F::from_canonical_u64(*v));
                builder.connect(*w, c);
            }
            let data = builder.build::<C>();
            let mut pw = PartialWitness::new();
            for (t, b) in input.iter().zip(bytes_to_bits(msg)) {
                pw.set_bool_target(*t, b).unwrap();
            }
            if flip {
                assert_unprovable(&data, pw);
            } else {
                prove_and_verify(&data, pw);
            }
        }
    }

    /// The message bits are constrained boolean here, also in a last word holding only one
    /// or two message bytes. There a shorter packing would leave them free, and the word
    /// is W_0 of its block for lengths 64k + 1 and 64k + 2, which no row decomposes: one
    /// "bit" set to a large field element sets W_0 to any 32-bit value, so the digest
    /// would be one no message of that length has. Controls: the same circuits prove
    /// honest bits.
    #[test]
    fn message_bits_that_are_not_bits_cannot_be_proved() {
        // W_0 of the last block forged to this word.
        const FORGED_W0: u32 = 0xdead_beef;
        for len in [1usize, 2, 65, 66] {
            for forge in [false, true] {
                let mut builder =
                    CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
                let input: Vec<BoolTarget> = (0..len * 8)
                    .map(|_| builder.add_virtual_bool_target_unsafe())
                    .collect();
                let words = sha256(&mut builder, &input);
                builder.register_public_inputs(&words);
                let data = builder.build::<C>();
                let msg: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37)).collect();
                let mut values: Vec<F> =
                    bytes_to_bits(&msg).into_iter().map(F::from_bool).collect();
                if forge {
                    // The last word is (its message bits) · 2^(32 − n) + padding, with the
                    // bits most significant first: zero the bits, then pick the lowest
                    // message bit's value so that the word is FORGED_W0 in the field.
                    let n = 8 * (len % 4);
                    let start = values.len() - n;
                    let padding = 0x8000_0000u64 >> n;
                    for v in &mut values[start..] {
                        *v = F::ZERO;
                    }
                    let target = F::from_canonical_u32(FORGED_W0) - F::from_canonical_u64(padding);
                    values[start + n - 1] = target / F::from_canonical_u64(1 << (32 - n));
                }
                let mut pw = PartialWitness::new();
                for (t, v) in input.iter().zip(&values) {
                    pw.set_target(t.target, *v).unwrap();
                }
                if forge {
                    assert_unprovable(&data, pw);
                } else {
                    let got = public_words(&prove_and_verify(&data, pw));
                    assert_eq!(got, expected_words(&msg), "length {len}");
                }
            }
        }
    }

    /// The words nothing decomposes where they are made (W_63, the round's T1 and the last
    /// a') give an attacker exactly the slack the module documentation claims and no more.
    /// Starting from the honest full witness of one compression, W_63 is raised by 2^32
    /// (its carry lowered by one) and T1 with it: when the two round carries absorb the
    /// shift, the proof goes through and the digest is still the honest one; when the
    /// a-half keeps its carry, a' and the feed-forward output word become 2^32 too large,
    /// and that cannot be proved (the output word is decomposed), so callers never receive
    /// a digest word of 2^32 or more.
    #[test]
    fn undecomposed_words_shift_only_by_what_later_rows_absorb() {
        use plonky2::iop::generator::generate_partial_witness;
        use plonky2::iop::witness::PartitionWitness;
        use plonky2::plonk::prover::prove_with_partition_witness;
        use plonky2::util::timing::TimingTree;
        type S = Sha256ScheduleGate;
        type E = Sha256RoundEGate;
        type A = Sha256RoundAGate;

        let mut builder = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let state: DigestTarget = core::array::from_fn(|i| constant_word(&mut builder, H0[i]));
        let block: [Target; 16] = builder.add_virtual_target_arr();
        let first = builder.num_gates();
        // No public inputs: their in-circuit hash would go stale when a forgery changes
        // an output word; the digest is read from the witness the proof commits to.
        let digest = compress(&mut builder, &state, &block);
        let data = builder.build::<C>();
        // Rows: 48 schedule rows (W_16 ..), then an e-half and an a-half per round.
        let schedule_63 = first + 63 - 16;
        let round_e_63 = first + 48 + 2 * 63;
        let round_a_63 = round_e_63 + 1;

        // One block of a 55-byte message (a single-block SHA-256 input).
        let msg: Vec<u8> = (0..55u8).map(|i| i.wrapping_mul(91) ^ 0x5a).collect();
        let mut padded = msg.clone();
        padded.push(0x80);
        padded.resize(56, 0);
        padded.extend((8 * msg.len() as u64).to_be_bytes());
        let mut pw = PartialWitness::new();
        for (t, c) in block.iter().zip(padded.chunks_exact(4)) {
            let v = u32::from_be_bytes(c.try_into().unwrap());
            pw.set_target(*t, F::from_canonical_u32(v)).unwrap();
        }
        let honest = generate_partial_witness(pw, &data.prover_only, &data.common).unwrap();

        let (num_wires, degree) = (data.common.config.num_wires, data.common.degree());
        let slot = |w: &PartitionWitness<F>, row: usize, col: usize| {
            w.representative_map[Target::wire(row, col).index(num_wires, degree)]
        };
        let get = |w: &PartitionWitness<F>, row: usize, col: usize| {
            w.values[slot(w, row, col)].unwrap().to_canonical_u64()
        };
        let set = |w: &mut PartitionWitness<F>, row: usize, col: usize, v: u64| {
            let i = slot(w, row, col);
            w.values[i] = Some(F::from_canonical_u64(v));
        };
        // Moves the carry held in `n` bits from column `at` by `by`.
        let move_carry = |w: &mut PartitionWitness<F>, row: usize, at: usize, n: usize, by: i64| {
            let carry: u64 = (0..n).map(|i| get(w, row, at + i) << i).sum();
            let moved = carry as i64 + by;
            assert!(
                (0..1 << n).contains(&moved),
                "carry {carry} cannot move by {by}"
            );
            for i in 0..n {
                set(w, row, at + i, (moved as u64 >> i) & 1);
            }
        };
        let prove = |w: PartitionWitness<F>| {
            let words: Vec<u64> = digest
                .iter()
                .map(|t| w.values[w.representative_map[t.index(num_wires, degree)]])
                .map(|v| v.unwrap().to_canonical_u64())
                .collect();
            let proof = prove_with_partition_witness(
                &data.prover_only,
                &data.common,
                w,
                &mut TimingTree::default(),
            )?;
            data.verify(proof)?;
            anyhow::Ok(words)
        };
        let forged = |absorb: bool| {
            let mut w = honest.clone();
            // W_63 + 2^32 with its schedule carry one lower; T1 = … + W_63 rises with it.
            let w63 = get(&w, schedule_63, S::WIRE_OUT);
            set(&mut w, schedule_63, S::WIRE_OUT, w63 + (1 << 32));
            move_carry(&mut w, schedule_63, S::START_CARRY, 2, -1);
            let t1 = get(&w, round_e_63, E::WIRE_T1);
            set(&mut w, round_e_63, E::WIRE_T1, t1 + (1 << 32));
            // e' = d + T1 − 2^32 · carry: the carry absorbs the shift.
            move_carry(&mut w, round_e_63, E::START_CARRY, 3, 1);
            if absorb {
                move_carry(&mut w, round_a_63, A::START_CARRY, 3, 1);
            } else {
                // a' = T1 + … − 2^32 · carry keeps its carry: a' and the feed-forward output
                // word 0 (a' + H0[0] − 2^32 · carry, carry kept) rise by 2^32.
                let a = get(&w, round_a_63, A::WIRE_NEW_A);
                set(&mut w, round_a_63, A::WIRE_NEW_A, a + (1 << 32));
                let row = first + 48 + 128;
                let out = get(&w, row, Sha256AddGate::wire_out(0));
                set(&mut w, row, Sha256AddGate::wire_out(0), out + (1 << 32));
            }
            w
        };

        let want = expected_words(&msg);
        assert_eq!(prove(honest.clone()).unwrap(), want, "honest control");
        assert_eq!(prove(forged(true)).unwrap(), want, "absorbed shift");
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| prove(forged(false))));
        assert!(
            !matches!(outcome, Ok(Ok(_))),
            "a digest word of 2^32 or more was proved"
        );
    }

    use plonky2::field::types::{Field, PrimeField64};
}
