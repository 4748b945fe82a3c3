//! `Sha256RoundAGate`: the a-half of one SHA-256 round in one row.
//!
//! From the words a, b, c and the e-half's T1 (routed) it computes
//! `a' = (T1 + Σ0(a) + Maj(a, b, c)) mod 2^32`. The bits of a, b and c are advice wires,
//! each boolean and recomposing its word; the carry (at most 6: T1 is below 5 · 2^32)
//! is three boolean bits. As with e', every a' is decomposed by the rows that read it
//! next (as a, b and c of the next rounds, or by the final addition).

use super::bit_gate::{
    impl_bit_gate, maj, minus_carry, push_booleans, push_words_bits, put_bits, row_with_inputs,
    weighted_sum, word, BitGate, Ring, BIG_SIGMA0,
};

/// One a-half round per row (see the module documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sha256RoundAGate;

impl Sha256RoundAGate {
    /// Word a (routed input).
    pub const WIRE_A: usize = 0;
    /// Word b (routed input).
    pub const WIRE_B: usize = 1;
    /// Word c (routed input).
    pub const WIRE_C: usize = 2;
    /// T1 from the round's e-half (routed input).
    pub const WIRE_T1: usize = 3;
    /// The new a (routed output).
    pub const WIRE_NEW_A: usize = 4;
    /// First bit of a; b's and c's bits follow (advice).
    pub const START_BITS: usize = 5;
    /// The three carry bits (advice).
    pub const START_CARRY: usize = Self::START_BITS + 96;

    /// The constraint defining the new a.
    pub const CONSTRAINT_NEW_A: usize = 0;

    fn bits_of(word_index: usize) -> usize {
        Self::START_BITS + 32 * word_index
    }
}

impl BitGate for Sha256RoundAGate {
    const GENERATOR_ID: &'static str = "Sha256RoundAGenerator";
    const NUM_WIRES: usize = Self::START_CARRY + 3;
    const NUM_CONSTANTS: usize = 0;
    const NUM_CONSTRAINTS: usize = 1 + 3 * 33 + 3;
    const INPUTS: &'static [usize] = &[Self::WIRE_A, Self::WIRE_B, Self::WIRE_C, Self::WIRE_T1];

    fn input_limit(wire: usize) -> u64 {
        if wire == Self::WIRE_T1 {
            5 * u32::MAX as u64
        } else {
            u32::MAX as u64
        }
    }

    fn constraints<T: Copy, R: Ring<T>>(r: &mut R, w: &[T], _c: &[T], out: &mut Vec<T>) {
        let a = word(w, Self::bits_of(0));
        let b = word(w, Self::bits_of(1));
        let c = word(w, Self::bits_of(2));
        let terms: Vec<T> = (0..32)
            .map(|i| {
                let s = BIG_SIGMA0.bit(r, &a, i);
                let m = maj(r, a[i], b[i], c[i]);
                r.add(s, m)
            })
            .collect();
        let mixed = weighted_sum(r, &terms);
        let sum = r.add(w[Self::WIRE_T1], mixed);
        let carry = &w[Self::START_CARRY..Self::START_CARRY + 3];
        let reduced = minus_carry(r, sum, carry);
        out.push(r.sub(w[Self::WIRE_NEW_A], reduced));
        push_words_bits(
            r,
            w,
            &[Self::WIRE_A, Self::WIRE_B, Self::WIRE_C],
            Self::START_BITS,
            out,
        );
        push_booleans(r, carry, out);
    }

    fn fill(inputs: &[u64], _constants: &[u64]) -> Vec<u64> {
        let [a, b, c] = [0, 1, 2].map(|i| inputs[i] as u32);
        let majority = (a & b) ^ (a & c) ^ (b & c);
        let sum = inputs[3] + BIG_SIGMA0.apply(a) as u64 + majority as u64;
        let mut row = row_with_inputs::<Self>(inputs);
        row[Self::WIRE_NEW_A] = sum & 0xFFFF_FFFF;
        for (i, v) in [a, b, c].into_iter().enumerate() {
            put_bits(&mut row, Self::bits_of(i), v as u64, 32);
        }
        put_bits(&mut row, Self::START_CARRY, sum >> 32, 3);
        row
    }
}

impl_bit_gate!(Sha256RoundAGate);

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    use super::super::bit_gate::testing::{forgeries_are_caught, plonky2_gate_tests, Layout};
    use super::*;

    type G = Sha256RoundAGate;

    #[test]
    fn plonky2_gate_tests_pass() {
        plonky2_gate_tests(G {});
    }

    /// Honest rows (largest T1 and carry, and random words) prove; each constraint
    /// family, broken alone, makes the row unprovable.
    #[test]
    fn each_forgery_is_caught() {
        let layout = Layout {
            defs: &[(G::CONSTRAINT_NEW_A, G::WIRE_NEW_A)],
            words: &[
                (G::START_BITS, 1),
                (G::START_BITS + 32, 34),
                (G::START_BITS + 64, 67),
            ],
            carry: (G::START_CARRY, 3, G::NUM_CONSTRAINTS - 3),
        };
        let max_t1 = 5 * u32::MAX as u64;
        let max = u32::MAX as u64;
        forgeries_are_caught(G {}, &[max, max, max, max_t1], &[], &layout);
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let inputs: Vec<u64> = (0..4).map(|_| rng.gen::<u32>() as u64).collect();
        forgeries_are_caught(G {}, &inputs, &[], &layout);
    }
}
