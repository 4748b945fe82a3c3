//! `Sha256RoundEGate`: the e-half of one SHA-256 round in one row.
//!
//! From the words e, f, g, d, h and the schedule word W (routed), and the round constant
//! K (the row's constant), it computes
//! `T1 = h + Σ1(e) + Ch(e, f, g) + K + W` (exact, unreduced: below 5 · 2^32) and
//! `e' = (d + T1) mod 2^32`. The bits of e, f and g are advice wires, each boolean and
//! recomposing its word (so e, f, g are proven below 2^32); the carry of `d + T1` (at most
//! 5) is three boolean bits. e' is not decomposed here: every e' is decomposed by the
//! rows that read it next (as e, f and g of the next rounds, or by the final addition),
//! which proves it below 2^32 and so makes `d + T1 − 2^32 · carry` its exact value.

use super::bit_gate::{
    ch, impl_bit_gate, minus_carry, push_booleans, push_words_bits, put_bits, row_with_inputs,
    weighted_sum, word, BitGate, Ring, BIG_SIGMA1,
};

/// One e-half round per row (see the module documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sha256RoundEGate;

impl Sha256RoundEGate {
    /// Word e (routed input).
    pub const WIRE_E: usize = 0;
    /// Word f (routed input).
    pub const WIRE_F: usize = 1;
    /// Word g (routed input).
    pub const WIRE_G: usize = 2;
    /// Word d (routed input).
    pub const WIRE_D: usize = 3;
    /// Word h (routed input).
    pub const WIRE_H: usize = 4;
    /// The schedule word W_t (routed input).
    pub const WIRE_W: usize = 5;
    /// The new e (routed output).
    pub const WIRE_NEW_E: usize = 6;
    /// T1, unreduced (routed output, read by the a-half of the round).
    pub const WIRE_T1: usize = 7;
    /// First bit of e; f's and g's bits follow (advice).
    pub const START_BITS: usize = 8;
    /// The three carry bits of d + T1 (advice).
    pub const START_CARRY: usize = Self::START_BITS + 96;

    /// The constraint defining T1.
    pub const CONSTRAINT_T1: usize = 0;
    /// The constraint defining the new e.
    pub const CONSTRAINT_NEW_E: usize = 1;

    fn bits_of(word_index: usize) -> usize {
        Self::START_BITS + 32 * word_index
    }
}

impl BitGate for Sha256RoundEGate {
    const GENERATOR_ID: &'static str = "Sha256RoundEGenerator";
    const NUM_WIRES: usize = Self::START_CARRY + 3;
    const NUM_CONSTANTS: usize = 1;
    const NUM_CONSTRAINTS: usize = 2 + 3 * 33 + 3;
    const INPUTS: &'static [usize] = &[
        Self::WIRE_E,
        Self::WIRE_F,
        Self::WIRE_G,
        Self::WIRE_D,
        Self::WIRE_H,
        Self::WIRE_W,
    ];

    fn constraints<T: Copy, R: Ring<T>>(r: &mut R, w: &[T], c: &[T], out: &mut Vec<T>) {
        let e = word(w, Self::bits_of(0));
        let f = word(w, Self::bits_of(1));
        let g = word(w, Self::bits_of(2));
        let terms: Vec<T> = (0..32)
            .map(|i| {
                let s = BIG_SIGMA1.bit(r, &e, i);
                let choice = ch(r, e[i], f[i], g[i]);
                r.add(s, choice)
            })
            .collect();
        let mixed = weighted_sum(r, &terms);
        let hk = r.add(w[Self::WIRE_H], c[0]);
        let hkw = r.add(hk, w[Self::WIRE_W]);
        let t1 = r.add(hkw, mixed);
        out.push(r.sub(w[Self::WIRE_T1], t1));
        let sum = r.add(w[Self::WIRE_D], w[Self::WIRE_T1]);
        let carry = &w[Self::START_CARRY..Self::START_CARRY + 3];
        let reduced = minus_carry(r, sum, carry);
        out.push(r.sub(w[Self::WIRE_NEW_E], reduced));
        push_words_bits(
            r,
            w,
            &[Self::WIRE_E, Self::WIRE_F, Self::WIRE_G],
            Self::START_BITS,
            out,
        );
        push_booleans(r, carry, out);
    }

    fn fill(inputs: &[u64], constants: &[u64]) -> Vec<u64> {
        let [e, f, g, d, h, wt] = [0, 1, 2, 3, 4, 5].map(|i| inputs[i] as u32);
        let choice = (e & f) ^ (!e & g);
        let t1 = h as u64 + BIG_SIGMA1.apply(e) as u64 + choice as u64 + constants[0] + wt as u64;
        let sum = d as u64 + t1;
        let mut row = row_with_inputs::<Self>(inputs);
        row[Self::WIRE_T1] = t1;
        row[Self::WIRE_NEW_E] = sum & 0xFFFF_FFFF;
        for (i, v) in [e, f, g].into_iter().enumerate() {
            put_bits(&mut row, Self::bits_of(i), v as u64, 32);
        }
        put_bits(&mut row, Self::START_CARRY, sum >> 32, 3);
        row
    }
}

impl_bit_gate!(Sha256RoundEGate);

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    use super::super::bit_gate::testing::{
        forgeries_are_caught, plonky2_gate_tests, prove_row, row, violated, Layout,
    };
    use super::*;

    type G = Sha256RoundEGate;
    const K: u64 = 0x428a2f98;

    #[test]
    fn plonky2_gate_tests_pass() {
        plonky2_gate_tests(G {});
    }

    fn random_inputs(rng: &mut ChaCha20Rng) -> Vec<u64> {
        (0..6).map(|_| rng.gen::<u32>() as u64).collect()
    }

    /// Generated rows satisfy every constraint and give the round's values, including
    /// the largest carry.
    #[test]
    fn generated_rows_are_valid() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let mut cases: Vec<Vec<u64>> = (0..32).map(|_| random_inputs(&mut rng)).collect();
        cases.push(vec![u32::MAX as u64; 6]);
        cases.push(vec![0; 6]);
        for inputs in cases {
            let w = row::<G>(&inputs, &[K]);
            assert!(violated::<G>(&w, &[K]).is_empty(), "{inputs:?}");
        }
        let w = row::<G>(&[u32::MAX as u64; 6], &[u32::MAX as u64]);
        assert!(violated::<G>(&w, &[u32::MAX as u64]).is_empty());
        prove_row(G {}, &w, &[u32::MAX as u64], true);
    }

    /// Each constraint family, broken alone, makes the row unprovable.
    #[test]
    fn each_forgery_is_caught() {
        let layout = Layout {
            defs: &[
                (G::CONSTRAINT_T1, G::WIRE_T1),
                (G::CONSTRAINT_NEW_E, G::WIRE_NEW_E),
            ],
            words: &[
                (G::START_BITS, 2),
                (G::START_BITS + 32, 35),
                (G::START_BITS + 64, 68),
            ],
            carry: (G::START_CARRY, 3, G::NUM_CONSTRAINTS - 3),
        };
        // All-ones inputs give the largest carry (5); random ones a typical row.
        forgeries_are_caught(G {}, &[u32::MAX as u64; 6], &[K], &layout);
        let inputs = random_inputs(&mut ChaCha20Rng::seed_from_u64(2));
        forgeries_are_caught(G {}, &inputs, &[K], &layout);
    }
}
