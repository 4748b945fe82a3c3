//! Scalars as bits: the canonical 64-bit decomposition of the challenge limbs, and the
//! limbs of s split into bits and compared with the group order.

use num_bigint::BigUint;
use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::types::Field;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;

use super::canonical_split_gate::CanonicalSplitGate;
use super::scalar_limb_gate::{ScalarLimbGate, LIMB_BITS};

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
/// most [`LIMB_BITS`] = 62 bits, each handled by one [`ScalarLimbGate`] row.
pub const S_LIMB_BITS: [usize; 6] = [62, 62, 62, 62, 62, 10];

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

/// The little-endian bits of the integer s whose limbs (of `widths` bits, at most 62) are
/// `limbs`, each limb range-checked, and whether s < n.
///
/// One [`ScalarLimbGate`] row per limb splits it and subtracts it from the matching limb
/// of n - 1 with borrows; the last borrow is 1 exactly when s >= n. The circuit stays
/// satisfiable for s >= n (the result is then `false`), so a disabled slot may carry any s.
pub fn split_and_compare(
    b: &mut CircuitBuilder<F, D>,
    limbs: &[Target],
    widths: &[usize],
    n: &BigUint,
) -> (Vec<BoolTarget>, BoolTarget) {
    assert_eq!(limbs.len(), widths.len());
    assert!(
        widths.iter().all(|&w| w <= LIMB_BITS),
        "limbs must fit a ScalarLimbGate"
    );
    let total: usize = widths.iter().sum();
    assert!(n.bits() as usize <= total && *n > BigUint::from(0u8));
    let m = to_limbs(&(n - 1u8), widths);
    let zero = b.zero();
    let mut borrow = zero;
    let mut bits = Vec::with_capacity(total);
    for j in 0..limbs.len() {
        let row = b.add_gate(ScalarLimbGate, vec![F::from_canonical_u64(m[j])]);
        let wire = |c: usize| Target::wire(row, c);
        b.connect(limbs[j], wire(ScalarLimbGate::WIRE_LIMB));
        b.connect(borrow, wire(ScalarLimbGate::WIRE_BORROW_IN));
        for i in 0..LIMB_BITS {
            let bit = wire(ScalarLimbGate::wire_bit(i));
            if i < widths[j] {
                // The gate constrains every bit to be boolean.
                bits.push(BoolTarget::new_unsafe(bit));
            } else {
                b.connect(bit, zero);
            }
        }
        borrow = wire(ScalarLimbGate::WIRE_BORROW_OUT);
    }
    let lt = b.not(BoolTarget::new_unsafe(borrow));
    (bits, lt)
}

#[cfg(test)]
mod tests {
    use bulwark_state::ecgfp5::scalar::group_order;
    use plonky2::field::types::Field64;
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
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
        let (bits, lt) = split_and_compare(&mut b, &limbs, &S_LIMB_BITS, &n);
        assert_eq!(bits.len(), 320);
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
        split_and_compare(&mut b, &limbs, &S_LIMB_BITS, group_order());
        let data = b.build::<C>();
        let mut pw = PartialWitness::new();
        for (j, l) in limbs.iter().enumerate() {
            let v = if j == 5 { 1 << 10 } else { 0 };
            pw.set_target(*l, F::from_canonical_u64(v)).unwrap();
        }
        assert_unprovable(&data, pw);
    }
}
