//! Emulated Goldilocks arithmetic in R1CS over BN254.
//!
//! A [`GoldilocksVar`] is one BN254 variable holding the canonical integer of a Goldilocks
//! element, **always range-checked below p** (DESIGN.md rule 3). Arithmetic is lazy: a
//! [`LazyGoldilocks`] is a BN254 linear combination whose integer value is known to stay
//! below `2^bits` (tracked statically, and kept below 2^250 so nothing wraps modulo r). Sums
//! and products accumulate for free or for one constraint each; [`LazyGoldilocks::reduce`]
//! brings a value back to canonical form by proving `v = q·p + x` with `x < p` and `q` small.
//!
//! Costs (measured in the tests): a range check below p is 65 constraints (64 booleans and
//! one for the `< p` condition, see [`enforce_canonical_bits`]); a Goldilocks multiplication
//! with its reduction is 1 + 65 + 66 = 132.

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::R1CSVar;
use ark_relations::r1cs::{ConstraintSystemRef, SynthesisError};
use num_bigint::BigUint;
use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::types::{Field, Field64, PrimeField64};

/// The Goldilocks modulus p = 2^64 − 2^32 + 1.
pub const P: u64 = GoldilocksField::ORDER;

/// Largest bit bound a lazy value may reach before it must be reduced: far below BN254's
/// 254 bits, so `q·p + x` can never wrap modulo r.
pub const MAX_LAZY_BITS: u32 = 250;

/// A canonical Goldilocks element (`< p`) as a BN254 variable.
#[derive(Clone, Debug)]
pub struct GoldilocksVar {
    value: FpVar<Fr>,
}

/// Integer value of a BN254 element.
fn to_biguint(x: Fr) -> BigUint {
    BigUint::from_bytes_le(&x.into_bigint().to_bytes_le())
}

/// Allocates `n` witness bits of `value` (little-endian); `None` in setup mode.
fn alloc_bits(
    cs: &ConstraintSystemRef<Fr>,
    value: Option<&BigUint>,
    n: usize,
) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    (0..n)
        .map(|i| {
            Boolean::new_witness(cs.clone(), || {
                value
                    .map(|v| v.bit(i as u64))
                    .ok_or(SynthesisError::AssignmentMissing)
            })
        })
        .collect()
}

/// The little-endian integer of `bits` as a linear combination (no constraint).
pub fn bits_to_fp(bits: &[Boolean<Fr>]) -> FpVar<Fr> {
    let mut acc = FpVar::zero();
    let mut coeff = Fr::from(1u64);
    for b in bits {
        acc += FpVar::from(b.clone()) * coeff;
        coeff += coeff;
    }
    acc
}

/// Enforces that the 64 little-endian `bits` encode an integer below p, and returns it.
///
/// `x < p` ⇔ not (high 32 bits all ones and low 32 bits non-zero). With `hi`, `lo` the two
/// halves and `M = 2^32 − 1`, one constraint `(hi − M) · w = lo` says it: if `hi = M` it
/// forces `lo = 0`; otherwise the prover picks `w = lo / (hi − M)`.
pub fn enforce_canonical_bits(bits: &[Boolean<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    assert_eq!(bits.len(), 64, "a Goldilocks range check takes 64 bits");
    let lo = bits_to_fp(&bits[..32]);
    let hi = bits_to_fp(&bits[32..]);
    let m = Fr::from(u64::from(u32::MAX));
    let hi_minus_m = &hi - m;
    let cs = hi.cs().or(lo.cs());
    let w = FpVar::new_witness(cs, || {
        let d = hi_minus_m.value()?;
        let l = lo.value()?;
        Ok(ark_ff::Field::inverse(&d).map_or(Fr::from(0u64), |inv| inv * l))
    })?;
    hi_minus_m.mul_equals(&w, &lo)?;
    Ok(&lo + &hi * Fr::from(1u64 << 32))
}

impl GoldilocksVar {
    /// Allocates a witness from a raw 64-bit integer and range-checks it below p. A value
    /// `>= p` leaves the constraint system unsatisfied (it is never reduced silently).
    pub fn new_witness_u64(
        cs: ConstraintSystemRef<Fr>,
        value: impl FnOnce() -> Result<u64, SynthesisError>,
    ) -> Result<Self, SynthesisError> {
        let v = value().ok().map(BigUint::from);
        let bits = alloc_bits(&cs, v.as_ref(), 64)?;
        Ok(Self {
            value: enforce_canonical_bits(&bits)?,
        })
    }

    /// Allocates a witness Goldilocks element (range-checked).
    pub fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        value: impl FnOnce() -> Result<GoldilocksField, SynthesisError>,
    ) -> Result<Self, SynthesisError> {
        Self::new_witness_u64(cs, || value().map(|v| v.to_canonical_u64()))
    }

    /// A constant (no constraints).
    pub fn constant(value: GoldilocksField) -> Self {
        Self {
            value: FpVar::constant(Fr::from(value.to_canonical_u64())),
        }
    }

    /// Wraps a BN254 variable the caller has already proven canonical (e.g. built from
    /// range-checked bits). Unchecked: misuse breaks soundness, hence crate-private.
    pub(crate) fn from_canonical_fp(value: FpVar<Fr>) -> Self {
        Self { value }
    }

    /// The BN254 variable holding the canonical integer.
    pub fn fp(&self) -> &FpVar<Fr> {
        &self.value
    }

    /// The assigned value (fails in setup mode).
    pub fn value(&self) -> Result<GoldilocksField, SynthesisError> {
        let v = to_biguint(self.value.value()?);
        let digits = v.to_u64_digits();
        let raw = digits.first().copied().unwrap_or(0);
        if digits.len() > 1 || raw >= P {
            return Err(SynthesisError::Unsatisfiable);
        }
        Ok(GoldilocksField::from_canonical_u64(raw))
    }

    /// This value as a lazy one (bound 2^64).
    pub fn lazy(&self) -> LazyGoldilocks {
        LazyGoldilocks {
            value: self.value.clone(),
            bits: 64,
        }
    }

    /// `self + other`, reduced.
    pub fn add(&self, other: &Self) -> Result<Self, SynthesisError> {
        self.lazy().add(&other.lazy()).reduce()
    }

    /// `self − other`, reduced.
    pub fn sub(&self, other: &Self) -> Result<Self, SynthesisError> {
        self.lazy().sub(&other.lazy()).reduce()
    }

    /// `self · other`, reduced.
    pub fn mul(&self, other: &Self) -> Result<Self, SynthesisError> {
        self.lazy().mul(&other.lazy())?.reduce()
    }

    /// The low `k` bits (little-endian) of the canonical integer: splits it as
    /// `low + 2^k · high` over 64 witness bits. The sum stays below 2^64 < r, so the split is
    /// the integer's own and the prover has no choice (64 constraints + 1).
    pub fn low_bits(&self, k: usize) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
        assert!(k <= 64, "a Goldilocks element has 64 bits");
        let bits = self.bits_le(64)?;
        Ok(bits[..k].to_vec())
    }

    /// Enforces `self < 2^n` by decomposing into `n` bits (`n` constraints + 1), and returns
    /// the bits (little-endian).
    pub fn bits_le(&self, n: usize) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
        assert!(n <= 64, "a Goldilocks element has 64 bits");
        if let FpVar::Constant(c) = &self.value {
            let v = to_biguint(*c);
            if v.bits() > n as u64 {
                return Err(SynthesisError::Unsatisfiable);
            }
            return Ok((0..n as u64).map(|i| Boolean::constant(v.bit(i))).collect());
        }
        let cs = self.value.cs();
        let v = self.value.value().ok().map(to_biguint);
        let bits = alloc_bits(&cs, v.as_ref(), n)?;
        bits_to_fp(&bits).enforce_equal(&self.value)?;
        Ok(bits)
    }

    /// Enforces equality (canonical forms, so integer equality is field equality).
    pub fn enforce_equal(&self, other: &Self) -> Result<(), SynthesisError> {
        self.value.enforce_equal(&other.value)
    }
}

/// A Goldilocks value in lazy (unreduced) form: a BN254 linear combination whose integer is
/// congruent to the element modulo p and below `2^bits`.
#[derive(Clone, Debug)]
pub struct LazyGoldilocks {
    value: FpVar<Fr>,
    bits: u32,
}

impl LazyGoldilocks {
    /// A lazy constant.
    pub fn constant(value: GoldilocksField) -> Self {
        GoldilocksVar::constant(value).lazy()
    }

    /// The static bound: the integer is below `2^bits()`.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    fn checked(value: FpVar<Fr>, bits: u32) -> Self {
        assert!(
            bits <= MAX_LAZY_BITS,
            "lazy Goldilocks value may reach 2^{bits}: reduce earlier"
        );
        Self { value, bits }
    }

    /// `self + other` (no constraint).
    pub fn add(&self, other: &Self) -> Self {
        Self::checked(&self.value + &other.value, self.bits.max(other.bits) + 1)
    }

    /// `self − other` (no constraint): adds a multiple of p at least `2^other.bits` so the
    /// integer stays non-negative.
    pub fn sub(&self, other: &Self) -> Self {
        let shift = other.bits.saturating_sub(63);
        let offset = BigUint::from(P) << shift;
        let bits = self.bits.max(other.bits + 1) + 1;
        Self::checked(&self.value - &other.value + Fr::from(offset), bits)
    }

    /// `self · other` (one constraint, or none if either side is constant).
    pub fn mul(&self, other: &Self) -> Result<Self, SynthesisError> {
        Ok(Self::checked(
            &self.value * &other.value,
            self.bits + other.bits,
        ))
    }

    /// `self · c` for a small constant `c` (no constraint).
    pub fn mul_small(&self, c: u64) -> Self {
        let extra = 64 - c.leading_zeros();
        Self::checked(&self.value * Fr::from(c), self.bits + extra)
    }

    /// The value modulo p (fails in setup mode).
    pub fn value(&self) -> Result<GoldilocksField, SynthesisError> {
        let reduced = to_biguint(self.value.value()?) % BigUint::from(P);
        let digits = reduced.to_u64_digits();
        Ok(GoldilocksField::from_canonical_u64(
            digits.first().copied().unwrap_or(0),
        ))
    }

    /// Enforces that the value is 0 modulo p, by proving `v = q·p` with `q` below
    /// `2^(bits − 63)` (that many booleans and one linear equality): the cheap way to check
    /// an equality of lazy values, with no canonical remainder to range-check.
    pub fn enforce_zero(&self) -> Result<(), SynthesisError> {
        if let FpVar::Constant(c) = &self.value {
            return if to_biguint(*c) % BigUint::from(P) == BigUint::from(0u8) {
                Ok(())
            } else {
                Err(SynthesisError::Unsatisfiable)
            };
        }
        let cs = self.value.cs();
        let q = self
            .value
            .value()
            .ok()
            .map(|v| to_biguint(v) / BigUint::from(P));
        let q_bits = alloc_bits(
            &cs,
            q.as_ref(),
            self.bits.saturating_sub(63).max(1) as usize,
        )?;
        self.value
            .enforce_equal(&(bits_to_fp(&q_bits) * Fr::from(P)))
    }

    /// Enforces `self ≡ other (mod p)` (see [`Self::enforce_zero`]).
    pub fn enforce_equal(&self, other: &Self) -> Result<(), SynthesisError> {
        self.sub(other).enforce_zero()
    }

    /// Reduces to canonical form: proves `v = q·p + x` with `x < p` (65 constraints) and `q`
    /// below `2^(bits − 63)` (that many booleans), plus one linear equality.
    pub fn reduce(&self) -> Result<GoldilocksVar, SynthesisError> {
        let v = self.value.value().ok().map(to_biguint);
        let hint = v.map(|v| {
            let p = BigUint::from(P);
            (&v / &p, &v % &p)
        });
        self.reduce_with_hint(hint)
    }

    /// [`Self::reduce`] with the quotient and remainder given: tests use it to show that a
    /// dishonest hint leaves the system unsatisfied.
    pub(crate) fn reduce_with_hint(
        &self,
        hint: Option<(BigUint, BigUint)>,
    ) -> Result<GoldilocksVar, SynthesisError> {
        if let FpVar::Constant(c) = &self.value {
            let reduced = to_biguint(*c) % BigUint::from(P);
            let digits = reduced.to_u64_digits();
            return Ok(GoldilocksVar::constant(
                GoldilocksField::from_canonical_u64(digits.first().copied().unwrap_or(0)),
            ));
        }
        let cs = self.value.cs();
        let q_bits = self.bits.saturating_sub(63).max(1) as usize;
        let (q, x) = match hint {
            Some((q, x)) => (Some(q), Some(x)),
            None => (None, None),
        };
        let x_bits = alloc_bits(&cs, x.as_ref(), 64)?;
        let x = enforce_canonical_bits(&x_bits)?;
        let q_bits = alloc_bits(&cs, q.as_ref(), q_bits)?;
        let q = bits_to_fp(&q_bits);
        self.value.enforce_equal(&(q * Fr::from(P) + &x))?;
        Ok(GoldilocksVar::from_canonical_fp(x))
    }
}

#[cfg(test)]
mod tests {
    use ark_relations::r1cs::ConstraintSystem;
    use plonky2::field::types::Sample;

    use super::*;

    fn witness(cs: &ConstraintSystemRef<Fr>, x: GoldilocksField) -> GoldilocksVar {
        GoldilocksVar::new_witness(cs.clone(), || Ok(x)).unwrap()
    }

    #[test]
    fn range_check_accepts_below_p_and_rejects_from_p() {
        for (raw, ok) in [
            (0u64, true),
            (P - 1, true),
            (u64::from(u32::MAX) << 32, true), // hi = 2^32 − 1, lo = 0: equals p − 1
            (P, false),
            (P + 1, false),
            (u64::MAX, false),
        ] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            GoldilocksVar::new_witness_u64(cs.clone(), || Ok(raw)).unwrap();
            assert_eq!(cs.is_satisfied().unwrap(), ok, "value {raw:#x}");
            assert_eq!(cs.num_constraints(), 65);
        }
    }

    #[test]
    fn arithmetic_matches_native() {
        let samples: Vec<GoldilocksField> = [0u64, 1, P - 1, P - 2, 1 << 32, u64::from(u32::MAX)]
            .into_iter()
            .map(GoldilocksField::from_canonical_u64)
            .chain((0..6).map(|_| GoldilocksField::rand()))
            .collect();
        for &a in &samples {
            for &b in &samples {
                let cs = ConstraintSystem::<Fr>::new_ref();
                let (va, vb) = (witness(&cs, a), witness(&cs, b));
                assert_eq!(va.add(&vb).unwrap().value().unwrap(), a + b);
                assert_eq!(va.sub(&vb).unwrap().value().unwrap(), a - b);
                assert_eq!(va.mul(&vb).unwrap().value().unwrap(), a * b);
                // A long lazy expression reduced once: a·b·a + b − a·a.
                let lazy = va
                    .lazy()
                    .mul(&vb.lazy())
                    .unwrap()
                    .mul(&va.lazy())
                    .unwrap()
                    .add(&vb.lazy())
                    .sub(&va.lazy().mul(&va.lazy()).unwrap());
                assert_eq!(
                    lazy.reduce().unwrap().value().unwrap(),
                    a * b * a + b - a * a
                );
                assert!(cs.is_satisfied().unwrap());
            }
        }
    }

    #[test]
    fn mul_cost() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = witness(&cs, GoldilocksField::rand());
        let b = witness(&cs, GoldilocksField::rand());
        let before = cs.num_constraints();
        a.mul(&b).unwrap();
        let cost = cs.num_constraints() - before;
        eprintln!("constraints per Goldilocks mul (with reduction): {cost}");
        assert_eq!(cost, 132);
    }

    #[test]
    fn wrong_reduction_hints_are_unsatisfied() {
        let p = BigUint::from(P);
        let a = GoldilocksField::rand();
        let b = GoldilocksField::rand();
        let prod = BigUint::from(a.to_canonical_u64()) * BigUint::from(b.to_canonical_u64());
        let (q, x) = (&prod / &p, &prod % &p);
        let cases = [
            (q.clone(), x.clone(), true),
            // Non-canonical remainder x + p with q − 1: same integer, refused by x < p.
            (&q - 1u8, &x + &p, false),
            // Wrong remainder.
            (q.clone(), (&x + 1u8) % &p, false),
            // Wrong quotient.
            (&q + 1u8, x.clone(), false),
        ];
        for (q, x, ok) in cases {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let va = witness(&cs, a);
            let vb = witness(&cs, b);
            let lazy = va.lazy().mul(&vb.lazy()).unwrap();
            let r = lazy.reduce_with_hint(Some((q, x))).unwrap();
            if ok {
                assert_eq!(r.value().unwrap(), a * b);
            }
            assert_eq!(cs.is_satisfied().unwrap(), ok);
        }
    }

    #[test]
    fn wrong_output_is_unsatisfied() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = GoldilocksField::rand();
        let b = GoldilocksField::rand();
        let prod = witness(&cs, a).mul(&witness(&cs, b)).unwrap();
        let claimed = witness(&cs, a * b + GoldilocksField::ONE);
        prod.enforce_equal(&claimed).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn enforce_zero_accepts_multiples_of_p_only() {
        let a = GoldilocksField::rand();
        let b = GoldilocksField::rand();
        for (delta, ok) in [(GoldilocksField::ZERO, true), (GoldilocksField::ONE, false)] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let lazy = witness(&cs, a).lazy().mul(&witness(&cs, b).lazy()).unwrap();
            let claimed = witness(&cs, a * b + delta);
            lazy.enforce_equal(&claimed.lazy()).unwrap();
            assert_eq!(cs.is_satisfied().unwrap(), ok);
        }
        // A dishonest quotient cannot help: v = q·p has one solution, and q is bounded.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let x = GoldilocksVar::new_witness_u64(cs.clone(), || Ok(P - 1)).unwrap();
        x.lazy().enforce_zero().unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn constants_cost_nothing() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = GoldilocksVar::constant(GoldilocksField::from_canonical_u64(P - 1));
        let b = GoldilocksVar::constant(GoldilocksField::from_canonical_u64(3));
        let c = a.mul(&b).unwrap();
        assert_eq!(
            c.value().unwrap(),
            GoldilocksField::from_canonical_u64(P - 1) * GoldilocksField::from_canonical_u64(3)
        );
        assert_eq!(cs.num_constraints(), 0);
    }
}
