//! The Grain LFSR of the Poseidon paper (Grassi et al., 2019, appendix F), used to derive
//! Poseidon's round constants and MDS matrix "nothing up my sleeve".
//!
//! This is the generator of the reference script `generate_parameters_grain.sage`, which is
//! also how circomlib's Poseidon constants were produced (invocation
//! `generate_parameters_grain.sage 1 0 254 t 8 R_P 0x30644e72…f0000001`: prime field, S-box
//! x^alpha, 254-bit field, width `t`, 8 full rounds, `R_P` partial rounds). The test
//! `poseidon_bn254::tests::matches_circomlibjs` proves that what this module derives is
//! exactly circomlib's parameters by comparing hashes with circomlibjs.

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use num_bigint::BigUint;

/// Width of the LFSR state in bits.
const STATE_BITS: usize = 80;

/// Grain LFSR in self-shrinking mode, seeded from the Poseidon instance's parameters.
pub(crate) struct Grain {
    /// The 80 state bits, oldest first (index 0 is the next bit to fall out).
    state: [bool; STATE_BITS],
}

impl Grain {
    /// Seeds the LFSR for a prime-field (`field = 1`), x^alpha (`sbox = 0`) instance with the
    /// given field size in bits, width and round numbers, then discards 160 bits as the
    /// reference script does.
    pub(crate) fn new(field_bits: u16, t: u16, rounds_f: u16, rounds_p: u16) -> Self {
        let mut seed = Vec::with_capacity(STATE_BITS);
        let mut push = |value: u64, width: usize| {
            for i in (0..width).rev() {
                seed.push((value >> i) & 1 == 1);
            }
        };
        push(1, 2); // field: GF(p)
        push(0, 4); // S-box: x^alpha
        push(u64::from(field_bits), 12);
        push(u64::from(t), 12);
        push(u64::from(rounds_f), 10);
        push(u64::from(rounds_p), 10);
        push((1 << 30) - 1, 30);
        let mut state = [false; STATE_BITS];
        state.copy_from_slice(&seed);
        let mut grain = Self { state };
        for _ in 0..160 {
            grain.clock();
        }
        grain
    }

    /// One LFSR step: feedback polynomial x^80 + x^67 + x^57 + x^42 + x^27 + x^17 + 1 (taps
    /// 62, 51, 38, 23, 13, 0 counted from the oldest bit).
    fn clock(&mut self) -> bool {
        let s = &self.state;
        let bit = s[62] ^ s[51] ^ s[38] ^ s[23] ^ s[13] ^ s[0];
        self.state.copy_within(1.., 0);
        self.state[STATE_BITS - 1] = bit;
        bit
    }

    /// Next output bit of the self-shrinking generator: bits are drawn in pairs and the
    /// second one is emitted only when the first is 1.
    fn next_bit(&mut self) -> bool {
        loop {
            let keep = self.clock();
            let bit = self.clock();
            if keep {
                return bit;
            }
        }
    }

    /// The next `n` output bits read as a big-endian integer.
    fn next_uint(&mut self, n: usize) -> BigUint {
        let mut x = BigUint::default();
        for _ in 0..n {
            x <<= 1;
            if self.next_bit() {
                x += 1u8;
            }
        }
        x
    }

    /// A field element by rejection sampling (used for round constants): `n`-bit draws are
    /// retried until one is below the modulus, so the constants are uniform.
    pub(crate) fn next_field_rejection(&mut self, n: usize) -> Fr {
        let modulus = BigUint::from_bytes_le(&Fr::MODULUS.to_bytes_le());
        loop {
            let x = self.next_uint(n);
            if x < modulus {
                return Fr::from(x);
            }
        }
    }

    /// A field element by reduction modulo r (used for the MDS matrix's Cauchy points, where
    /// the reference script casts the draw into the field).
    pub(crate) fn next_field_reduced(&mut self, n: usize) -> Fr {
        Fr::from(self.next_uint(n))
    }
}
