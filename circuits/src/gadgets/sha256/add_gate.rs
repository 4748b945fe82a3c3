//! `Sha256AddGate`: two range-checked additions mod 2^32 in one row.
//!
//! `out = (x + y) mod 2^32` for two independent (x, y) pairs: the carry is one boolean
//! bit and the output's 32 bits are advice wires, boolean and recomposing it, so every
//! output is proven below 2^32. The compression's final feed-forward uses it: the chaining
//! value it outputs is exact even where the last round words were only reduced, not yet
//! decomposed.

use super::bit_gate::{
    impl_bit_gate, minus_carry, push_booleans, push_word_bits, put_bits, row_with_inputs, word,
    BitGate, Ring,
};

/// Two additions per row (see the module documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sha256AddGate;

/// Wires of one addition.
const STRIDE: usize = 36;

impl Sha256AddGate {
    /// Additions per row.
    pub const NUM_OPS: usize = 2;
    /// x of addition `i` (routed input).
    pub const fn wire_x(i: usize) -> usize {
        STRIDE * i
    }
    /// y of addition `i` (routed input).
    pub const fn wire_y(i: usize) -> usize {
        STRIDE * i + 1
    }
    /// The sum mod 2^32 of addition `i` (routed output).
    pub const fn wire_out(i: usize) -> usize {
        STRIDE * i + 2
    }
    /// First of the output's 32 bits (advice).
    pub const fn start_bits(i: usize) -> usize {
        STRIDE * i + 3
    }
    /// The carry bit (advice).
    pub const fn wire_carry(i: usize) -> usize {
        STRIDE * i + 35
    }
    /// Constraints per addition: the output's definition, its recomposition and bits,
    /// and the carry's booleanity.
    pub const CONSTRAINTS_PER_OP: usize = 1 + 33 + 1;
}

impl BitGate for Sha256AddGate {
    const GENERATOR_ID: &'static str = "Sha256AddGenerator";
    const NUM_WIRES: usize = STRIDE * Self::NUM_OPS;
    const NUM_CONSTANTS: usize = 0;
    const NUM_CONSTRAINTS: usize = Self::CONSTRAINTS_PER_OP * Self::NUM_OPS;
    const INPUTS: &'static [usize] = &[
        Self::wire_x(0),
        Self::wire_y(0),
        Self::wire_x(1),
        Self::wire_y(1),
    ];

    fn constraints<T: Copy, R: Ring<T>>(r: &mut R, w: &[T], _c: &[T], out: &mut Vec<T>) {
        for i in 0..Self::NUM_OPS {
            let sum = r.add(w[Self::wire_x(i)], w[Self::wire_y(i)]);
            let carry = [w[Self::wire_carry(i)]];
            let reduced = minus_carry(r, sum, &carry);
            out.push(r.sub(w[Self::wire_out(i)], reduced));
            let bits = word(w, Self::start_bits(i));
            push_word_bits(r, w[Self::wire_out(i)], &bits, out);
            push_booleans(r, &carry, out);
        }
    }

    fn fill(inputs: &[u64], _constants: &[u64]) -> Vec<u64> {
        let mut row = row_with_inputs::<Self>(inputs);
        for i in 0..Self::NUM_OPS {
            let (x, y) = (inputs[2 * i], inputs[2 * i + 1]);
            let sum = x + y;
            row[Self::wire_x(i)] = x;
            row[Self::wire_y(i)] = y;
            row[Self::wire_out(i)] = sum & 0xFFFF_FFFF;
            put_bits(&mut row, Self::start_bits(i), sum & 0xFFFF_FFFF, 32);
            row[Self::wire_carry(i)] = sum >> 32;
        }
        row
    }
}

impl_bit_gate!(Sha256AddGate);

#[cfg(test)]
mod tests {
    use plonky2::field::types::Field;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    use super::super::bit_gate::testing::{
        forgeries_are_caught, plonky2_gate_tests, prove_row, repair, row, violated, Layout,
    };
    use super::*;
    use crate::test_util::F;

    type G = Sha256AddGate;

    #[test]
    fn plonky2_gate_tests_pass() {
        plonky2_gate_tests(G {});
    }

    /// Honest rows prove; each constraint family of either addition, broken alone, makes
    /// the row unprovable.
    #[test]
    fn each_forgery_is_caught() {
        let n = G::CONSTRAINTS_PER_OP;
        let layouts = [
            Layout {
                defs: &[(0, G::wire_out(0))],
                words: &[(G::start_bits(0), 1)],
                carry: (G::wire_carry(0), 1, 34),
            },
            Layout {
                defs: &[(35, G::wire_out(1))],
                words: &[(G::start_bits(1), 36)],
                carry: (G::wire_carry(1), 1, 69),
            },
        ];
        assert_eq!(n, 35);
        let max = u32::MAX as u64;
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let random: Vec<u64> = (0..4).map(|_| rng.gen::<u32>() as u64).collect();
        for layout in &layouts {
            forgeries_are_caught(G {}, &[max, max, 1, max], &[], layout);
            forgeries_are_caught(G {}, &random, &[], layout);
        }
    }

    /// An output of 2^32 or more (a word that is not a word) cannot be produced even with
    /// a matching carry: its recomposition needs bits that are not boolean.
    #[test]
    fn an_output_above_2_to_32_is_unprovable() {
        let mut w = row::<G>(&[u32::MAX as u64, 1, 0, 0], &[]);
        // out = 0, carry = 1 is honest; claim out = 2^32, carry = 0 instead.
        w[G::wire_carry(0)] = F::ZERO;
        repair::<G>(&mut w, &[], &[(0, G::wire_out(0))]);
        assert_eq!(w[G::wire_out(0)], F::from_canonical_u64(1 << 32));
        assert_eq!(violated::<G>(&w, &[]), vec![1]);
        prove_row(G {}, &w, &[], false);
    }
}
