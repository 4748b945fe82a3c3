//! Packed decimal amounts (`bulwark_state::amount`) decoded in-circuit.
//!
//! A packed value is `mantissa · 10^exp` with a `bits`-bit mantissa and a 5-bit exponent,
//! in its canonical (smallest-exponent) form. The gadget range-checks both parts, enforces
//! canonicity, and bounds the mantissa per exponent by `⌊max / 10^exp⌋` from a constant
//! table, so the product never wraps modulo p and never exceeds `max`.

use bulwark_state::amount::PackedFormat;
use plonky2::field::extension::Extendable;
use plonky2::hash::hash_types::RichField;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;

/// Bits of the exponent.
pub const EXP_BITS: usize = 5;

/// A packed value's parts and its decoded value.
#[derive(Clone, Debug)]
pub struct PackedTarget {
    /// Mantissa bits, least significant first.
    pub mantissa_bits: Vec<BoolTarget>,
    /// Exponent bits, least significant first.
    pub exp_bits: Vec<BoolTarget>,
    /// The mantissa as a field element (the witness slot to fill).
    pub mantissa: Target,
    /// The exponent as a field element (the witness slot to fill).
    pub exp: Target,
    /// `mantissa · 10^exp`, at most `max`.
    pub value: Target,
}

impl PackedTarget {
    /// The packed bytes' bits, most significant first: `(mantissa << 5 | exp)` big-endian,
    /// as `PackedFormat::pack` writes them.
    pub fn pubdata_bits(&self) -> Vec<BoolTarget> {
        self.mantissa_bits
            .iter()
            .rev()
            .chain(self.exp_bits.iter().rev())
            .copied()
            .collect()
    }
}

/// Adds the witness slots of a packed value in `format`, bounded by `max`, with all checks.
pub fn add_packed<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    format: &PackedFormat,
    max: u64,
) -> PackedTarget {
    let bits = format.mantissa_bits as usize;
    let mantissa = builder.add_virtual_target();
    let exp = builder.add_virtual_target();
    let mantissa_bits = builder.split_le(mantissa, bits);
    let exp_bits = builder.split_le(exp, EXP_BITS);

    let mut powers = Vec::with_capacity(1 << EXP_BITS);
    let mut bounds = Vec::with_capacity(1 << EXP_BITS);
    for e in 0..(1u32 << EXP_BITS) {
        let power = 10u128.checked_pow(e);
        powers.push(match power {
            Some(p) if p <= u64::MAX as u128 => F::from_canonical_u64(p as u64),
            _ => F::ZERO, // never used: the bound below forces the mantissa to zero
        });
        bounds.push(match power {
            Some(p) => F::from_canonical_u64((max as u128 / p) as u64),
            None => F::ZERO,
        });
    }
    let power_table: Vec<Target> = powers.into_iter().map(|p| builder.constant(p)).collect();
    let bound_table: Vec<Target> = bounds.into_iter().map(|b| builder.constant(b)).collect();
    let power = builder.random_access(exp, power_table);
    let bound = builder.random_access(exp, bound_table);
    // mantissa ≤ bound: the difference is below 2^62 unless it wrapped (mantissa < 2^35).
    let slack = builder.sub(bound, mantissa);
    builder.range_check(slack, 62);
    let value = builder.mul(mantissa, power);

    // Canonical: exp = 0, or 10·mantissa ≥ 2^bits (a smaller exponent cannot hold it).
    let zero = builder.zero();
    let exp_is_zero = builder.is_equal(exp, zero);
    let ten_m = builder.mul_const(F::from_canonical_u32(10), mantissa);
    let excess = builder.add_const(ten_m, -F::from_canonical_u64(1u64 << bits));
    let gated = builder.select(exp_is_zero, zero, excess);
    builder.range_check(gated, bits + 4);

    PackedTarget {
        mantissa_bits,
        exp_bits,
        mantissa,
        exp,
        value,
    }
}

/// Asserts `x ≤ max` for an `x` known to be below 2^63 (a sum of two values ≤ 2^62).
pub fn assert_at_most<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    x: Target,
    max: u64,
) {
    let c = builder.constant(F::from_canonical_u64(max));
    let slack = builder.sub(c, x);
    builder.range_check(slack, 62);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{assert_unprovable, prove_and_verify, C, D, F};
    use bulwark_state::amount::{AMOUNT, FEE};
    use plonky2::field::types::{Field, PrimeField64};
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};

    const MAX: u64 = (1 << 62) - 1;

    fn circuit(format: &PackedFormat, max: u64) -> (CircuitData<F, C, D>, PackedTarget) {
        let mut builder = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let t = add_packed(&mut builder, format, max);
        builder.register_public_input(t.value);
        let bits: Vec<Target> = t.pubdata_bits().iter().map(|b| b.target).collect();
        builder.register_public_inputs(&bits);
        (builder.build::<C>(), t)
    }

    fn witness(t: &PackedTarget, m: u64, e: u64) -> PartialWitness<F> {
        let mut pw = PartialWitness::new();
        pw.set_target(t.mantissa, F::from_canonical_u64(m)).unwrap();
        pw.set_target(t.exp, F::from_canonical_u64(e)).unwrap();
        pw
    }

    fn parts(format: &PackedFormat, value: u64) -> (u64, u64, Vec<u8>) {
        let bytes = format.pack(value).unwrap();
        let packed = bytes.iter().fold(0u64, |acc, b| acc << 8 | *b as u64);
        (packed >> EXP_BITS, packed & 31, bytes)
    }

    #[test]
    fn decodes_what_the_state_crate_packs() {
        for (format, values) in [
            (
                AMOUNT,
                vec![
                    0u64,
                    1,
                    999,
                    (1 << 35) - 1,
                    1 << 35,
                    123_000_000_000_000,
                    MAX / 10 * 10,
                ],
            ),
            (FEE, vec![0u64, 7, 2047, 2048, 20_470_000]),
        ] {
            let (data, t) = circuit(&format, MAX);
            for v in values {
                if !format.is_representable(v) || v > MAX {
                    continue;
                }
                let (m, e, bytes) = parts(&format, v);
                let proof = prove_and_verify(&data, witness(&t, m, e));
                assert_eq!(proof.public_inputs[0].to_canonical_u64(), v);
                let bits: Vec<bool> = proof.public_inputs[1..]
                    .iter()
                    .map(|b| b.to_canonical_u64() == 1)
                    .collect();
                assert_eq!(
                    bits,
                    crate::gadgets::sha256::bytes_to_bits(&bytes),
                    "value {v}"
                );
            }
        }
    }

    #[test]
    fn rejects_non_canonical_oversized_and_out_of_range_parts() {
        let (data, t) = circuit(&FEE, 1_000_000);
        // 20 = 2·10^1 must be packed as (20, 0).
        assert_unprovable(&data, witness(&t, 2, 1));
        // 2047·10^3 exceeds the bound 10^6.
        assert_unprovable(&data, witness(&t, 2047, 3));
        // a mantissa of 12 bits.
        assert_unprovable(&data, witness(&t, 4096, 0));
        // an exponent of 6 bits.
        assert_unprovable(&data, witness(&t, 300, 32));
        // zero with a non-zero exponent.
        assert_unprovable(&data, witness(&t, 0, 2));
        // the largest canonical values near the bound still prove.
        prove_and_verify(&data, witness(&t, 1000, 3));
    }
}
