//! Goldilocks' quadratic extension F_p[X]/(X² − 7) (plonky2's `QuadraticExtension`) in
//! R1CS, on top of [`super::goldilocks`].
//!
//! A multiplication computes both coordinates lazily (`c0 = a0·b0 + 7·a1·b1`,
//! `c1 = a0·b1 + a1·b0`: four one-constraint products) and reduces each once, so it costs
//! 4 + 2 reductions instead of four reduced multiplications.

use ark_bn254::Fr;
use ark_relations::r1cs::{ConstraintSystemRef, SynthesisError};
use plonky2::field::extension::quadratic::QuadraticExtension;
use plonky2::field::extension::{Extendable, FieldExtension};
use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::types::PrimeField64;

use super::goldilocks::{GoldilocksVar, LazyGoldilocks};

/// The native extension field.
pub type GoldilocksExt = QuadraticExtension<GoldilocksField>;

/// The non-residue W with X² = W.
fn w() -> u64 {
    <GoldilocksField as Extendable<2>>::W.to_canonical_u64()
}

/// The coordinates `[c0, c1]` of a native extension element.
pub fn coords(x: GoldilocksExt) -> [GoldilocksField; 2] {
    <GoldilocksExt as FieldExtension<2>>::to_basefield_array(&x)
}

/// An element `c0 + c1·X` of the quadratic extension, both coordinates canonical.
#[derive(Clone, Debug)]
pub struct GoldilocksExtVar {
    /// Coordinates `[c0, c1]`.
    pub coeffs: [GoldilocksVar; 2],
}

/// A lazy extension element (both coordinates unreduced).
#[derive(Clone, Debug)]
pub struct LazyGoldilocksExt {
    /// Coordinates `[c0, c1]`.
    pub coeffs: [LazyGoldilocks; 2],
}

impl GoldilocksExtVar {
    /// Allocates a witness (both coordinates range-checked).
    pub fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        value: impl FnOnce() -> Result<GoldilocksExt, SynthesisError>,
    ) -> Result<Self, SynthesisError> {
        let v = value().ok().map(coords);
        let c0 = GoldilocksVar::new_witness(cs.clone(), || {
            v.map(|v| v[0]).ok_or(SynthesisError::AssignmentMissing)
        })?;
        let c1 = GoldilocksVar::new_witness(cs, || {
            v.map(|v| v[1]).ok_or(SynthesisError::AssignmentMissing)
        })?;
        Ok(Self { coeffs: [c0, c1] })
    }

    /// A constant.
    pub fn constant(value: GoldilocksExt) -> Self {
        let [c0, c1] = coords(value);
        Self {
            coeffs: [GoldilocksVar::constant(c0), GoldilocksVar::constant(c1)],
        }
    }

    /// Embeds a base-field element.
    pub fn from_base(x: GoldilocksVar) -> Self {
        Self {
            coeffs: [x, GoldilocksVar::constant(GoldilocksField::default())],
        }
    }

    /// The assigned value.
    pub fn value(&self) -> Result<GoldilocksExt, SynthesisError> {
        Ok(GoldilocksExt::from_basefield_array([
            self.coeffs[0].value()?,
            self.coeffs[1].value()?,
        ]))
    }

    /// This element in lazy form.
    pub fn lazy(&self) -> LazyGoldilocksExt {
        LazyGoldilocksExt {
            coeffs: [self.coeffs[0].lazy(), self.coeffs[1].lazy()],
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

    /// `self · other`, reduced (4 products, 2 reductions).
    pub fn mul(&self, other: &Self) -> Result<Self, SynthesisError> {
        self.lazy().mul(&other.lazy())?.reduce()
    }

    /// `self · s` for a base-field `s`, reduced (2 products, 2 reductions).
    pub fn scalar_mul(&self, s: &GoldilocksVar) -> Result<Self, SynthesisError> {
        self.lazy().scalar_mul(&s.lazy())?.reduce()
    }

    /// Enforces equality coordinate-wise.
    pub fn enforce_equal(&self, other: &Self) -> Result<(), SynthesisError> {
        self.coeffs[0].enforce_equal(&other.coeffs[0])?;
        self.coeffs[1].enforce_equal(&other.coeffs[1])
    }
}

/// Operands wider than this are reduced before a product, so that products (and the short
/// sums gate constraints take of them) stay far below the 250-bit lazy limit.
pub const MUL_OPERAND_BITS: u32 = 100;

impl LazyGoldilocksExt {
    /// A lazy constant.
    pub fn constant(value: GoldilocksExt) -> Self {
        GoldilocksExtVar::constant(value).lazy()
    }

    /// Embeds a lazy base-field value.
    pub fn from_base(x: LazyGoldilocks) -> Self {
        Self {
            coeffs: [x, LazyGoldilocks::constant(GoldilocksField::default())],
        }
    }

    /// The static bit bound of the wider coordinate.
    pub fn bits(&self) -> u32 {
        self.coeffs[0].bits().max(self.coeffs[1].bits())
    }

    /// This value, reduced first if wider than [`MUL_OPERAND_BITS`].
    pub fn narrowed(&self) -> Result<Self, SynthesisError> {
        if self.bits() > MUL_OPERAND_BITS {
            Ok(self.reduce()?.lazy())
        } else {
            Ok(self.clone())
        }
    }

    /// `self · other`, narrowing wide operands first (4 constraints plus any narrowing).
    pub fn mul_narrow(&self, other: &Self) -> Result<Self, SynthesisError> {
        self.narrowed()?.mul(&other.narrowed()?)
    }

    /// `self · s` for a base-field `s`, narrowing wide operands first.
    pub fn scalar_mul_narrow(&self, s: &LazyGoldilocks) -> Result<Self, SynthesisError> {
        let s = if s.bits() > MUL_OPERAND_BITS {
            s.reduce()?.lazy()
        } else {
            s.clone()
        };
        self.narrowed()?.scalar_mul(&s)
    }

    /// The sum of `terms` as a balanced tree, so the bound grows by `log2(len)` bits instead
    /// of `len` (no constraint).
    pub fn sum(terms: Vec<Self>) -> Self {
        let mut layer = terms;
        if layer.is_empty() {
            return Self::constant(GoldilocksExt::default());
        }
        while layer.len() > 1 {
            layer = layer
                .chunks(2)
                .map(|pair| match pair {
                    [a, b] => a.add(b),
                    [a] => a.clone(),
                    _ => unreachable!("chunks of two"),
                })
                .collect();
        }
        layer.pop().expect("one element left")
    }

    /// `self · c` for a small constant `c` (no constraint).
    pub fn mul_small(&self, c: u64) -> Self {
        Self {
            coeffs: [self.coeffs[0].mul_small(c), self.coeffs[1].mul_small(c)],
        }
    }

    /// `self + other` (no constraint).
    pub fn add(&self, other: &Self) -> Self {
        Self {
            coeffs: [
                self.coeffs[0].add(&other.coeffs[0]),
                self.coeffs[1].add(&other.coeffs[1]),
            ],
        }
    }

    /// `self − other` (no constraint).
    pub fn sub(&self, other: &Self) -> Self {
        Self {
            coeffs: [
                self.coeffs[0].sub(&other.coeffs[0]),
                self.coeffs[1].sub(&other.coeffs[1]),
            ],
        }
    }

    /// `self · other` (four constraints, no reduction).
    pub fn mul(&self, other: &Self) -> Result<Self, SynthesisError> {
        let [a0, a1] = &self.coeffs;
        let [b0, b1] = &other.coeffs;
        let c0 = a0.mul(b0)?.add(&a1.mul(b1)?.mul_small(w()));
        let c1 = a0.mul(b1)?.add(&a1.mul(b0)?);
        Ok(Self { coeffs: [c0, c1] })
    }

    /// `self · s` for a base-field `s` (two constraints).
    pub fn scalar_mul(&self, s: &LazyGoldilocks) -> Result<Self, SynthesisError> {
        Ok(Self {
            coeffs: [self.coeffs[0].mul(s)?, self.coeffs[1].mul(s)?],
        })
    }

    /// The value modulo p (fails in setup mode).
    pub fn value(&self) -> Result<GoldilocksExt, SynthesisError> {
        Ok(GoldilocksExt::from_basefield_array([
            self.coeffs[0].value()?,
            self.coeffs[1].value()?,
        ]))
    }

    /// Enforces `self ≡ other` coordinate-wise (no reduction, see
    /// [`LazyGoldilocks::enforce_zero`]).
    pub fn enforce_equal(&self, other: &Self) -> Result<(), SynthesisError> {
        self.coeffs[0].enforce_equal(&other.coeffs[0])?;
        self.coeffs[1].enforce_equal(&other.coeffs[1])
    }

    /// Reduces both coordinates.
    pub fn reduce(&self) -> Result<GoldilocksExtVar, SynthesisError> {
        Ok(GoldilocksExtVar {
            coeffs: [self.coeffs[0].reduce()?, self.coeffs[1].reduce()?],
        })
    }
}

#[cfg(test)]
mod tests {
    use ark_relations::r1cs::ConstraintSystem;
    use plonky2::field::types::{Field, Sample};

    use super::*;

    fn witness(cs: &ConstraintSystemRef<Fr>, x: GoldilocksExt) -> GoldilocksExtVar {
        GoldilocksExtVar::new_witness(cs.clone(), || Ok(x)).unwrap()
    }

    #[test]
    fn arithmetic_matches_native() {
        let minus_one = GoldilocksExt::from_basefield_array([GoldilocksField::NEG_ONE; 2]);
        let samples: Vec<GoldilocksExt> = [GoldilocksExt::ZERO, GoldilocksExt::ONE, minus_one]
            .into_iter()
            .chain((0..5).map(|_| GoldilocksExt::rand()))
            .collect();
        for &a in &samples {
            for &b in &samples {
                let cs = ConstraintSystem::<Fr>::new_ref();
                let (va, vb) = (witness(&cs, a), witness(&cs, b));
                assert_eq!(va.add(&vb).unwrap().value().unwrap(), a + b);
                assert_eq!(va.sub(&vb).unwrap().value().unwrap(), a - b);
                assert_eq!(va.mul(&vb).unwrap().value().unwrap(), a * b);
                let s = coords(b)[0];
                let vs = GoldilocksVar::new_witness(cs.clone(), || Ok(s)).unwrap();
                assert_eq!(
                    va.scalar_mul(&vs).unwrap().value().unwrap(),
                    a * <GoldilocksExt as FieldExtension<2>>::from_basefield(s)
                );
                // a·b + a·a − b, reduced once.
                let lazy = va
                    .lazy()
                    .mul(&vb.lazy())
                    .unwrap()
                    .add(&va.lazy().mul(&va.lazy()).unwrap())
                    .sub(&vb.lazy());
                assert_eq!(lazy.reduce().unwrap().value().unwrap(), a * b + a * a - b);
                assert!(cs.is_satisfied().unwrap());
            }
        }
    }

    #[test]
    fn mul_cost() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = witness(&cs, GoldilocksExt::rand());
        let b = witness(&cs, GoldilocksExt::rand());
        let before = cs.num_constraints();
        a.mul(&b).unwrap();
        let cost = cs.num_constraints() - before;
        eprintln!("constraints per Goldilocks-ext mul (with reduction): {cost}");
        assert!(cost < 300);
    }

    #[test]
    fn out_of_range_coordinate_is_unsatisfied() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let c0 = GoldilocksVar::new_witness_u64(cs.clone(), || Ok(1)).unwrap();
        let c1 =
            GoldilocksVar::new_witness_u64(cs.clone(), || Ok(crate::r1cs::goldilocks::P)).unwrap();
        let _ = GoldilocksExtVar { coeffs: [c0, c1] };
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn wrong_product_is_unsatisfied() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = GoldilocksExt::rand();
        let b = GoldilocksExt::rand();
        let prod = witness(&cs, a).mul(&witness(&cs, b)).unwrap();
        let claimed = witness(&cs, a * b + GoldilocksExt::ONE);
        prod.enforce_equal(&claimed).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }
}
