//! `Sha256ScheduleGate`: one message-schedule word in one row.
//!
//! `W_t = (σ1(W_{t−2}) + W_{t−7} + σ0(W_{t−15}) + W_{t−16}) mod 2^32`, from the four
//! routed words. The bits of W_{t−2} and W_{t−15} are advice wires, boolean and
//! recomposing their words; the carry (at most 3) is two boolean bits. W_t is decomposed
//! by the schedule rows that read it later; the last two words (W_62, W_63), read only as
//! summands of the round function, need no decomposition: a value off by a multiple of
//! 2^32 only shifts a round sum that is itself reduced and decomposed.

use super::bit_gate::{
    impl_bit_gate, minus_carry, push_booleans, push_words_bits, put_bits, row_with_inputs,
    weighted_sum, word, BitGate, Ring, SMALL_SIGMA0, SMALL_SIGMA1,
};

/// One schedule word per row (see the module documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sha256ScheduleGate;

impl Sha256ScheduleGate {
    /// W_{t−2} (routed input).
    pub const WIRE_W2: usize = 0;
    /// W_{t−7} (routed input).
    pub const WIRE_W7: usize = 1;
    /// W_{t−15} (routed input).
    pub const WIRE_W15: usize = 2;
    /// W_{t−16} (routed input).
    pub const WIRE_W16: usize = 3;
    /// W_t (routed output).
    pub const WIRE_OUT: usize = 4;
    /// Bits of W_{t−2}, then of W_{t−15} (advice).
    pub const START_BITS: usize = 5;
    /// The two carry bits (advice).
    pub const START_CARRY: usize = Self::START_BITS + 64;

    /// The constraint defining W_t.
    pub const CONSTRAINT_OUT: usize = 0;
}

impl BitGate for Sha256ScheduleGate {
    const GENERATOR_ID: &'static str = "Sha256ScheduleGenerator";
    const NUM_WIRES: usize = Self::START_CARRY + 2;
    const NUM_CONSTANTS: usize = 0;
    const NUM_CONSTRAINTS: usize = 1 + 2 * 33 + 2;
    const INPUTS: &'static [usize] =
        &[Self::WIRE_W2, Self::WIRE_W7, Self::WIRE_W15, Self::WIRE_W16];

    fn constraints<T: Copy, R: Ring<T>>(r: &mut R, w: &[T], _c: &[T], out: &mut Vec<T>) {
        let x2 = word(w, Self::START_BITS);
        let x15 = word(w, Self::START_BITS + 32);
        let terms: Vec<T> = (0..32)
            .map(|i| {
                let s1 = SMALL_SIGMA1.bit(r, &x2, i);
                let s0 = SMALL_SIGMA0.bit(r, &x15, i);
                r.add(s1, s0)
            })
            .collect();
        let mixed = weighted_sum(r, &terms);
        let words = r.add(w[Self::WIRE_W7], w[Self::WIRE_W16]);
        let sum = r.add(words, mixed);
        let carry = &w[Self::START_CARRY..Self::START_CARRY + 2];
        let reduced = minus_carry(r, sum, carry);
        out.push(r.sub(w[Self::WIRE_OUT], reduced));
        push_words_bits(
            r,
            w,
            &[Self::WIRE_W2, Self::WIRE_W15],
            Self::START_BITS,
            out,
        );
        push_booleans(r, carry, out);
    }

    fn fill(inputs: &[u64], _constants: &[u64]) -> Vec<u64> {
        let [w2, w7, w15, w16] = [0, 1, 2, 3].map(|i| inputs[i] as u32);
        let sum =
            SMALL_SIGMA1.apply(w2) as u64 + w7 as u64 + SMALL_SIGMA0.apply(w15) as u64 + w16 as u64;
        let mut row = row_with_inputs::<Self>(inputs);
        row[Self::WIRE_OUT] = sum & 0xFFFF_FFFF;
        put_bits(&mut row, Self::START_BITS, w2 as u64, 32);
        put_bits(&mut row, Self::START_BITS + 32, w15 as u64, 32);
        put_bits(&mut row, Self::START_CARRY, sum >> 32, 2);
        row
    }
}

impl_bit_gate!(Sha256ScheduleGate);

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    use super::super::bit_gate::testing::{forgeries_are_caught, plonky2_gate_tests, Layout};
    use super::*;

    type G = Sha256ScheduleGate;

    #[test]
    fn plonky2_gate_tests_pass() {
        plonky2_gate_tests(G {});
    }

    /// Honest rows (largest carry, and random words) prove; each constraint family,
    /// broken alone, makes the row unprovable.
    #[test]
    fn each_forgery_is_caught() {
        let layout = Layout {
            defs: &[(G::CONSTRAINT_OUT, G::WIRE_OUT)],
            words: &[(G::START_BITS, 1), (G::START_BITS + 32, 34)],
            carry: (G::START_CARRY, 2, G::NUM_CONSTRAINTS - 2),
        };
        forgeries_are_caught(G {}, &[u32::MAX as u64; 4], &[], &layout);
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let inputs: Vec<u64> = (0..4).map(|_| rng.gen::<u32>() as u64).collect();
        forgeries_are_caught(G {}, &inputs, &[], &layout);
    }
}
