//! Scalars as bits: the canonical 64-bit decomposition of the challenge limbs, the 32-bit
//! limbs of s, and the comparison s < n.

use anyhow::Result;
use num_bigint::BigUint;
use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

type F = GoldilocksField;
const D: usize = 2;

/// The high half of p - 1 (= 2^64 - 2^32): a canonical value with this high half has a
/// zero low half.
const HIGH_ALL_ONES: u64 = 0xFFFF_FFFF;

/// The 64 little-endian bits of the canonical integer value of `x` (< p).
///
/// `split_le(x, 64)` alone is not canonical: a value x < 2^32 - 1 also has the 64-bit
/// pattern x + p. Here x is split into 32-bit halves (each range-checked by its bit
/// decomposition) and the pattern is required to be below p: if the high half is
/// 2^32 - 1, the low half must be 0.
pub fn split_canonical_u64(b: &mut CircuitBuilder<F, D>, x: Target) -> Vec<BoolTarget> {
    let lo = b.add_virtual_target();
    let hi = b.add_virtual_target();
    b.add_simple_generator(SplitU64Hint { x, lo, hi });
    let (mut bits, hi_bits) = canonical_halves(b, x, lo, hi);
    bits.extend(hi_bits);
    bits
}

/// Range-checks `lo` and `hi` to 32 bits (returning their bits) and enforces that
/// `lo + 2^32 hi` is the canonical integer of `x` (split out so tests can feed
/// non-canonical halves by hand).
fn canonical_halves(
    b: &mut CircuitBuilder<F, D>,
    x: Target,
    lo: Target,
    hi: Target,
) -> (Vec<BoolTarget>, Vec<BoolTarget>) {
    let lo_bits = b.split_le(lo, 32);
    let hi_bits = b.split_le(hi, 32);
    let sum = b.mul_const_add(F::from_canonical_u64(1 << 32), hi, lo);
    b.connect(sum, x);
    let all_ones = b.constant(F::from_canonical_u64(HIGH_ALL_ONES));
    let top = b.is_equal(hi, all_ones);
    let forbidden = b.mul(top.target, lo);
    b.assert_zero(forbidden);
    (lo_bits, hi_bits)
}

/// Splits a field element known to be a canonical u64 into its 32-bit halves.
#[derive(Debug, Clone)]
pub struct SplitU64Hint {
    x: Target,
    lo: Target,
    hi: Target,
}

impl SimpleGenerator<F, D> for SplitU64Hint {
    fn id(&self) -> String {
        "SplitU64Hint".to_string()
    }
    fn dependencies(&self) -> Vec<Target> {
        vec![self.x]
    }
    fn run_once(&self, w: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let v = w.get_target(self.x).to_canonical_u64();
        out.set_target(self.lo, F::from_canonical_u64(v & 0xFFFF_FFFF))?;
        out.set_target(self.hi, F::from_canonical_u64(v >> 32))
    }
    fn serialize(&self, dst: &mut Vec<u8>, _c: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_target(self.x)?;
        dst.write_target(self.lo)?;
        dst.write_target(self.hi)
    }
    fn deserialize(src: &mut Buffer, _c: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(SplitU64Hint {
            x: src.read_target()?,
            lo: src.read_target()?,
            hi: src.read_target()?,
        })
    }
}

/// The little-endian bits of 32-bit limbs (each limb range-checked to 32 bits).
pub fn split_u32_limbs(b: &mut CircuitBuilder<F, D>, limbs: &[Target]) -> Vec<BoolTarget> {
    limbs.iter().flat_map(|&l| b.split_le(l, 32)).collect()
}

/// Whether the integer with little-endian `bits` is below the constant `n`.
///
/// Scans from the least significant bit keeping `r = [low part of s < low part of n]`:
/// where n has a 1, r' = (1 - s_i) + s_i r; where n has a 0, r' = (1 - s_i) r.
pub fn lt_constant(b: &mut CircuitBuilder<F, D>, bits: &[BoolTarget], n: &BigUint) -> BoolTarget {
    assert!(
        n.bits() as usize <= bits.len(),
        "constant wider than the bits"
    );
    let mut r = b.zero();
    for (i, s) in bits.iter().enumerate() {
        r = if n.bit(i as u64) {
            let one = b.one();
            let not_s = b.sub(one, s.target);
            b.mul_add(s.target, r, not_s)
        } else {
            // r - s r.
            b.arithmetic(-F::ONE, F::ONE, s.target, r, r)
        };
    }
    BoolTarget::new_unsafe(r)
}

#[cfg(test)]
mod tests {
    use bulwark_state::ecgfp5::scalar::group_order;
    use plonky2::field::types::Field64;
    use plonky2::iop::witness::PartialWitness;
    use plonky2::plonk::circuit_data::CircuitConfig;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::ecgfp5::test_util::{assert_unprovable, prove_and_verify, C};

    fn builder() -> CircuitBuilder<F, D> {
        CircuitBuilder::new(CircuitConfig::standard_recursion_config())
    }

    #[test]
    fn canonical_split_of_field_elements() {
        let mut b = builder();
        let x = b.add_virtual_target();
        let bits = split_canonical_u64(&mut b, x);
        let expected: Vec<Target> = (0..64).map(|_| b.add_virtual_target()).collect();
        for (t, e) in bits.iter().zip(&expected) {
            b.connect(t.target, *e);
        }
        let data = b.build::<C>();
        let mut rng = ChaCha20Rng::seed_from_u64(31);
        let p = F::ORDER;
        for v in [
            0,
            1,
            5,
            HIGH_ALL_ONES - 1,
            1 << 32,
            p - 1,
            p - 2,
            rng.gen_range(0..p),
        ] {
            let mut pw = PartialWitness::new();
            pw.set_target(x, F::from_canonical_u64(v)).unwrap();
            for (i, e) in expected.iter().enumerate() {
                pw.set_target(*e, F::from_bool((v >> i) & 1 == 1)).unwrap();
            }
            prove_and_verify(&data, pw).unwrap();
        }
    }

    /// The non-canonical pattern x + p (x < 2^32 - 1) has the same field value but is
    /// refused; its canonical twin and the edge p - 1 are accepted.
    #[test]
    fn non_canonical_limb_is_refused() {
        let mut b = builder();
        let (x, lo, hi) = (
            b.add_virtual_target(),
            b.add_virtual_target(),
            b.add_virtual_target(),
        );
        canonical_halves(&mut b, x, lo, hi);
        let data = b.build::<C>();
        let run = |xv: u64, pattern: u64| {
            let mut pw = PartialWitness::new();
            pw.set_target(x, F::from_canonical_u64(xv)).unwrap();
            pw.set_target(lo, F::from_canonical_u64(pattern & 0xFFFF_FFFF))
                .unwrap();
            pw.set_target(hi, F::from_canonical_u64(pattern >> 32))
                .unwrap();
            pw
        };
        let p = F::ORDER;
        prove_and_verify(&data, run(5, 5)).unwrap();
        prove_and_verify(&data, run(p - 1, p - 1)).unwrap();
        assert_unprovable(&data, run(5, 5 + p));
        assert_unprovable(&data, run(0, p));
    }

    #[test]
    fn comparison_with_the_group_order() {
        let n = group_order().clone();
        let mut b = builder();
        let limbs: Vec<Target> = (0..10).map(|_| b.add_virtual_target()).collect();
        let bits = split_u32_limbs(&mut b, &limbs);
        let lt = lt_constant(&mut b, &bits, &n);
        let expect = b.add_virtual_target();
        b.connect(lt.target, expect);
        let data = b.build::<C>();
        let run = |v: &BigUint, want: bool| {
            let mut pw = PartialWitness::new();
            let digits = v.to_u32_digits();
            for (i, l) in limbs.iter().enumerate() {
                let d = digits.get(i).copied().unwrap_or(0);
                pw.set_target(*l, F::from_canonical_u64(d as u64)).unwrap();
            }
            pw.set_target(expect, F::from_bool(want)).unwrap();
            pw
        };
        let one = BigUint::from(1u8);
        let mut rng = ChaCha20Rng::seed_from_u64(32);
        let r = BigUint::from_bytes_le(&rng.gen::<[u8; 32]>().repeat(2)[..40]) % &n;
        for (v, want) in [
            (BigUint::from(0u8), true),
            (&n - &one, true),
            (n.clone(), false),
            (&n + &one, false),
            (&r + &n, false),
            (r.clone(), true),
            ((one.clone() << 320) - &one, false),
        ] {
            prove_and_verify(&data, run(&v, want)).unwrap();
            assert_unprovable(&data, run(&v, !want));
        }
    }
}
