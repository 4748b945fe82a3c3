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

use super::canonical_split_gate::CanonicalSplitGate;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

type F = GoldilocksField;
const D: usize = 2;

/// The 64 little-endian bits of the canonical integer value of `x` (< p), in one
/// [`CanonicalSplitGate`] row.
///
/// `split_le(x, 64)` alone is not canonical: a value x < 2^32 - 1 also has the 64-bit
/// pattern x + p; the gate also requires the pattern to be below p.
pub fn split_canonical_u64(b: &mut CircuitBuilder<F, D>, x: Target) -> Vec<BoolTarget> {
    let row = b.add_gate(CanonicalSplitGate, vec![]);
    b.connect(x, Target::wire(row, CanonicalSplitGate::WIRE_X));
    (0..64)
        // The gate constrains every bit to be boolean.
        .map(|i| BoolTarget::new_unsafe(Target::wire(row, CanonicalSplitGate::wire_bit(i))))
        .collect()
}

/// Bit widths of the limbs of s, least significant first: 320 bits in six limbs of at
/// most 62 bits, so that a limb, a borrow and a difference add up below p (see
/// [`lt_constant_limbs`]) and each limb splits into bits in one `BaseSumGate` row.
pub const S_LIMB_BITS: [usize; 6] = [62, 62, 62, 62, 62, 10];

/// The little-endian bits of limbs of the given widths (each limb range-checked).
pub fn split_limbs(
    b: &mut CircuitBuilder<F, D>,
    limbs: &[Target],
    widths: &[usize],
) -> Vec<BoolTarget> {
    assert_eq!(limbs.len(), widths.len());
    limbs
        .iter()
        .zip(widths)
        .flat_map(|(&l, &w)| b.split_le(l, w))
        .collect()
}

/// The limbs (of the given widths, least significant first) of the integer `v`.
pub fn to_limbs(v: &BigUint, widths: &[usize]) -> Vec<u64> {
    let mut offset = 0u64;
    widths
        .iter()
        .map(|&w| {
            let limb = (0..w as u64).fold(0u64, |acc, i| acc | (u64::from(v.bit(offset + i)) << i));
            offset += w as u64;
            limb
        })
        .collect()
}

/// Whether the integer with range-checked `limbs` (of `widths` bits, each at most 62) is
/// below the constant `n`.
///
/// Computes d = (n - 1) - s limb by limb with borrows: d_j + s_j + b_j = m_j + 2^w_j b_(j+1)
/// with d_j range-checked to w_j bits and b_j boolean (b_0 = 0), where m_j are the limbs
/// of n - 1. Every term is below 2^62, so each equation holds over the integers, and the
/// final borrow is 1 exactly when s > n - 1. The hinted d always exists (it is the
/// difference modulo 2^width), so s >= n gives `false` rather than an unsatisfiable
/// circuit: a disabled slot may carry any s.
pub fn lt_constant_limbs(
    b: &mut CircuitBuilder<F, D>,
    limbs: &[Target],
    widths: &[usize],
    n: &BigUint,
) -> BoolTarget {
    assert_eq!(limbs.len(), widths.len());
    assert!(
        widths.iter().all(|&w| w <= 62),
        "limbs must stay below 2^62"
    );
    let total: usize = widths.iter().sum();
    assert!(n.bits() as usize <= total && *n > BigUint::from(0u8));
    let m = to_limbs(&(n - 1u8), widths);
    let d: Vec<Target> = (0..limbs.len()).map(|_| b.add_virtual_target()).collect();
    let borrows: Vec<BoolTarget> = (0..limbs.len())
        .map(|_| b.add_virtual_bool_target_safe())
        .collect();
    b.add_simple_generator(SubBorrowHint {
        s: limbs.to_vec(),
        widths: widths.to_vec(),
        m: m.clone(),
        d: d.clone(),
        borrows: borrows.iter().map(|t| t.target).collect(),
    });
    let mut borrow_in = b.zero();
    for j in 0..limbs.len() {
        b.range_check(d[j], widths[j]);
        // d_j + s_j + b_j - 2^w b_(j+1) = m_j.
        let t = b.add(d[j], limbs[j]);
        let t = b.add(t, borrow_in);
        let shift = F::from_canonical_u64(1u64 << widths[j]);
        let one = b.one();
        let t = b.arithmetic(-shift, F::ONE, borrows[j].target, one, t);
        let mj = b.constant(F::from_canonical_u64(m[j]));
        b.connect(t, mj);
        borrow_in = borrows[j].target;
    }
    b.not(BoolTarget::new_unsafe(borrow_in))
}

/// Hint for [`lt_constant_limbs`]: the limbs of (m - s) mod 2^width and the borrows.
#[derive(Debug, Clone, Default)]
pub struct SubBorrowHint {
    s: Vec<Target>,
    widths: Vec<usize>,
    m: Vec<u64>,
    d: Vec<Target>,
    borrows: Vec<Target>,
}

impl SimpleGenerator<F, D> for SubBorrowHint {
    fn id(&self) -> String {
        "SubBorrowHint".to_string()
    }
    fn dependencies(&self) -> Vec<Target> {
        self.s.clone()
    }
    fn run_once(&self, w: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let mut borrow = 0u64;
        for j in 0..self.s.len() {
            let sj = w.get_target(self.s[j]).to_canonical_u64();
            let wj = self.widths[j];
            // m_j - s_j - borrow, as a signed value of at most 64 bits.
            let diff = i128::from(self.m[j]) - i128::from(sj) - i128::from(borrow);
            let (dj, next) = if diff < 0 {
                (diff + (1i128 << wj), 1)
            } else {
                (diff, 0)
            };
            out.set_target(self.d[j], F::from_canonical_u64(dj as u64))?;
            out.set_target(self.borrows[j], F::from_canonical_u64(next))?;
            borrow = next;
        }
        Ok(())
    }
    fn serialize(&self, dst: &mut Vec<u8>, _c: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_target_vec(&self.s)?;
        dst.write_usize_vec(&self.widths)?;
        let m: Vec<usize> = self.m.iter().map(|&v| v as usize).collect();
        dst.write_usize_vec(&m)?;
        dst.write_target_vec(&self.d)?;
        dst.write_target_vec(&self.borrows)
    }
    fn deserialize(src: &mut Buffer, _c: &CommonCircuitData<F, D>) -> IoResult<Self> {
        let s = src.read_target_vec()?;
        let widths = src.read_usize_vec()?;
        let m = src
            .read_usize_vec()?
            .into_iter()
            .map(|v| v as u64)
            .collect();
        Ok(SubBorrowHint {
            s,
            widths,
            m,
            d: src.read_target_vec()?,
            borrows: src.read_target_vec()?,
        })
    }
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
            0xFFFF_FFFE,
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

    #[test]
    fn comparison_with_the_group_order() {
        let n = group_order().clone();
        let mut b = builder();
        let limbs: Vec<Target> = (0..S_LIMB_BITS.len())
            .map(|_| b.add_virtual_target())
            .collect();
        let bits = split_limbs(&mut b, &limbs, &S_LIMB_BITS);
        assert_eq!(bits.len(), 320);
        let lt = lt_constant_limbs(&mut b, &limbs, &S_LIMB_BITS, &n);
        let expect = b.add_virtual_target();
        b.connect(lt.target, expect);
        let expected_bits: Vec<Target> = (0..320).map(|_| b.add_virtual_target()).collect();
        for (t, e) in bits.iter().zip(&expected_bits) {
            b.connect(t.target, *e);
        }
        let data = b.build::<C>();
        let run = |v: &BigUint, want: bool| {
            let mut pw = PartialWitness::new();
            for (l, x) in limbs.iter().zip(to_limbs(v, &S_LIMB_BITS)) {
                pw.set_target(*l, F::from_canonical_u64(x)).unwrap();
            }
            for (i, e) in expected_bits.iter().enumerate() {
                pw.set_target(*e, F::from_bool(v.bit(i as u64))).unwrap();
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

    /// A limb wider than its width (here the top limb of a 321-bit value) is refused.
    #[test]
    fn out_of_range_limb_is_refused() {
        let mut b = builder();
        let limbs: Vec<Target> = (0..S_LIMB_BITS.len())
            .map(|_| b.add_virtual_target())
            .collect();
        split_limbs(&mut b, &limbs, &S_LIMB_BITS);
        let data = b.build::<C>();
        let mut pw = PartialWitness::new();
        for (j, l) in limbs.iter().enumerate() {
            let v = if j == 5 { 1 << 10 } else { 0 };
            pw.set_target(*l, F::from_canonical_u64(v)).unwrap();
        }
        assert_unprovable(&data, pw);
    }
}
