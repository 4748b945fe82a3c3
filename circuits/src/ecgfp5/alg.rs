//! One description of GF(p^5) arithmetic shared by native evaluation, gate constraint
//! evaluation and recursive (in-circuit) constraint evaluation.
//!
//! A custom gate must evaluate its constraints three ways (over the base field, over the
//! extension field, and as targets in a recursive verifier) and the three must agree
//! exactly. Writing the Fp5 formulas once, generically over a [`Ring`], makes that
//! agreement structural instead of something kept by hand.

use plonky2::field::extension::Extendable;
use plonky2::field::types::Field;
use plonky2::hash::hash_types::RichField;
use plonky2::iop::ext_target::ExtensionTarget;
use plonky2::plonk::circuit_builder::CircuitBuilder;

/// The quintic non-residue: `GF(p^5) = GF(p)[z]/(z^5 - W)`.
pub const W: u64 = 3;

/// The ring operations the Fp5 formulas need, over some element type `T`.
pub trait Ring<T: Copy> {
    /// a + b.
    fn add(&mut self, a: T, b: T) -> T;
    /// a - b.
    fn sub(&mut self, a: T, b: T) -> T;
    /// a * b.
    fn mul(&mut self, a: T, b: T) -> T;
    /// a * b + c (one arithmetic operation in circuits).
    fn mul_add(&mut self, a: T, b: T, c: T) -> T;
    /// The constant c (a canonical Goldilocks value).
    fn konst(&mut self, c: u64) -> T;
    /// c * a for a small constant c.
    fn scale(&mut self, c: u64, a: T) -> T;
}

/// Native evaluation over any plonky2 field (the base field or its extension).
pub struct Native;

impl<T: Field> Ring<T> for Native {
    fn add(&mut self, a: T, b: T) -> T {
        a + b
    }
    fn sub(&mut self, a: T, b: T) -> T {
        a - b
    }
    fn mul(&mut self, a: T, b: T) -> T {
        a * b
    }
    fn mul_add(&mut self, a: T, b: T, c: T) -> T {
        a * b + c
    }
    fn konst(&mut self, c: u64) -> T {
        T::from_canonical_u64(c)
    }
    fn scale(&mut self, c: u64, a: T) -> T {
        T::from_canonical_u64(c) * a
    }
}

/// Evaluation as extension targets of a recursive verifier circuit.
pub struct InCircuit<'a, F: RichField + Extendable<D>, const D: usize>(
    pub &'a mut CircuitBuilder<F, D>,
);

impl<F: RichField + Extendable<D>, const D: usize> Ring<ExtensionTarget<D>>
    for InCircuit<'_, F, D>
{
    fn add(&mut self, a: ExtensionTarget<D>, b: ExtensionTarget<D>) -> ExtensionTarget<D> {
        self.0.add_extension(a, b)
    }
    fn sub(&mut self, a: ExtensionTarget<D>, b: ExtensionTarget<D>) -> ExtensionTarget<D> {
        self.0.sub_extension(a, b)
    }
    fn mul(&mut self, a: ExtensionTarget<D>, b: ExtensionTarget<D>) -> ExtensionTarget<D> {
        self.0.mul_extension(a, b)
    }
    fn mul_add(
        &mut self,
        a: ExtensionTarget<D>,
        b: ExtensionTarget<D>,
        c: ExtensionTarget<D>,
    ) -> ExtensionTarget<D> {
        self.0.mul_add_extension(a, b, c)
    }
    fn konst(&mut self, c: u64) -> ExtensionTarget<D> {
        self.0
            .constant_extension(F::Extension::from_canonical_u64(c))
    }
    fn scale(&mut self, c: u64, a: ExtensionTarget<D>) -> ExtensionTarget<D> {
        self.0.mul_const_extension(F::from_canonical_u64(c), a)
    }
}

/// An element of GF(p^5) whose coordinates live in `T` (lowest degree first).
pub type E5<T> = [T; 5];

/// a + b in GF(p^5).
pub fn add5<T: Copy, R: Ring<T>>(r: &mut R, a: E5<T>, b: E5<T>) -> E5<T> {
    std::array::from_fn(|i| r.add(a[i], b[i]))
}

/// a - b in GF(p^5).
pub fn sub5<T: Copy, R: Ring<T>>(r: &mut R, a: E5<T>, b: E5<T>) -> E5<T> {
    std::array::from_fn(|i| r.sub(a[i], b[i]))
}

/// c * a for a small base-field constant c.
pub fn scale5<T: Copy, R: Ring<T>>(r: &mut R, c: u64, a: E5<T>) -> E5<T> {
    std::array::from_fn(|i| r.scale(c, a[i]))
}

/// The constant with canonical limbs `c`.
pub fn const5<T: Copy, R: Ring<T>>(r: &mut R, c: [u64; 5]) -> E5<T> {
    std::array::from_fn(|i| r.konst(c[i]))
}

/// a * b in GF(p^5): schoolbook product reduced with z^5 = W.
pub fn mul5<T: Copy, R: Ring<T>>(r: &mut R, a: E5<T>, b: E5<T>) -> E5<T> {
    std::array::from_fn(|k| {
        // High part (coefficients of z^(k+5)), folded back with the factor W.
        let mut high: Option<T> = None;
        for (i, &ai) in a.iter().enumerate().skip(k + 1) {
            let bj = b[k + 5 - i];
            high = Some(match high {
                None => r.mul(ai, bj),
                Some(h) => r.mul_add(ai, bj, h),
            });
        }
        let mut acc = high.map(|h| r.scale(W, h));
        for (i, &ai) in a.iter().enumerate().take(k + 1) {
            acc = Some(match acc {
                None => r.mul(ai, b[k - i]),
                Some(s) => r.mul_add(ai, b[k - i], s),
            });
        }
        acc.expect("k >= 0 gives at least one term")
    })
}

/// a^2 in GF(p^5): 15 products instead of 25, each cross term doubled by an addition.
pub fn square5<T: Copy, R: Ring<T>>(r: &mut R, a: E5<T>) -> E5<T> {
    // Sum of a_i a_j over i + j = t (i <= j), cross terms twice.
    let part = |r: &mut R, t: usize| -> Option<T> {
        let mut cross: Option<T> = None;
        for i in 0..5 {
            // j = t - i with i < j < 5.
            if t < i || t - i <= i || t - i >= 5 {
                continue;
            }
            let j = t - i;
            cross = Some(match cross {
                None => r.mul(a[i], a[j]),
                Some(c) => r.mul_add(a[i], a[j], c),
            });
        }
        let mut sum = cross.map(|c| r.add(c, c));
        if t % 2 == 0 && t / 2 < 5 {
            let h = a[t / 2];
            sum = Some(match sum {
                None => r.mul(h, h),
                Some(s) => r.mul_add(h, h, s),
            });
        }
        sum
    };
    std::array::from_fn(|k| {
        let low = part(r, k).expect("t = k always has a term");
        match part(r, k + 5) {
            None => low,
            Some(high) => {
                let w = r.konst(W);
                r.mul_add(w, high, low)
            }
        }
    })
}

/// b + s * (a - b): `a` when the bit `s` is 1, `b` when it is 0.
pub fn select5<T: Copy, R: Ring<T>>(r: &mut R, s: T, a: E5<T>, b: E5<T>) -> E5<T> {
    std::array::from_fn(|i| {
        let d = r.sub(a[i], b[i]);
        r.mul_add(s, d, b[i])
    })
}

#[cfg(test)]
mod tests {
    use bulwark_state::ecgfp5::Fp5;
    use plonky2::field::goldilocks_field::GoldilocksField as F;
    use plonky2::field::types::Sample;

    use super::*;

    #[test]
    fn generic_mul_matches_plonky2_quintic() {
        for _ in 0..32 {
            let a = Fp5::rand();
            let b = Fp5::rand();
            let c: E5<F> = mul5(&mut Native, a.0, b.0);
            assert_eq!(c, (a * b).0);
            let sq: E5<F> = square5(&mut Native, a.0);
            assert_eq!(sq, (a * a).0);
            let s: E5<F> = add5(&mut Native, a.0, b.0);
            assert_eq!(s, (a + b).0);
            let d: E5<F> = sub5(&mut Native, a.0, b.0);
            assert_eq!(d, (a - b).0);
        }
    }
}
