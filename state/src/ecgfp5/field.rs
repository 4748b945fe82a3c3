//! GF(p^5) = GF(p)[z]/(z^5 - 3) over Goldilocks: the base field of ECgFp5.
//!
//! Arithmetic is plonky2's `QuinticExtension<GoldilocksField>` (the same modulus, W = 3);
//! this module adds what plonky2 lacks for the extension: the Legendre symbol, square roots
//! and the canonical 40-byte encoding.

use plonky2_field::extension::quintic::QuinticExtension;
use plonky2_field::extension::{FieldExtension, Frobenius};
use plonky2_field::goldilocks_field::GoldilocksField;
use plonky2_field::types::{Field, Field64, PrimeField, PrimeField64};

/// The Goldilocks prime field, p = 2^64 - 2^32 + 1.
pub type Fp = GoldilocksField;
/// The quintic extension GF(p^5) with modulus z^5 - 3.
pub type Fp5 = QuinticExtension<Fp>;

/// Size in bytes of the canonical encoding of an `Fp5` element.
pub const FP5_BYTES: usize = 40;

/// Builds an `Fp5` element from five canonical limbs (lowest degree first).
pub const fn fp5(limbs: [u64; 5]) -> Fp5 {
    QuinticExtension([
        GoldilocksField(limbs[0]),
        GoldilocksField(limbs[1]),
        GoldilocksField(limbs[2]),
        GoldilocksField(limbs[3]),
        GoldilocksField(limbs[4]),
    ])
}

/// Norm map GF(p^5) -> GF(p): x^(1 + p + p^2 + p^3 + p^4), via Frobenius.
fn norm(x: Fp5) -> Fp {
    let f1 = x.frobenius();
    let f2 = f1.frobenius();
    let f3 = f2.frobenius();
    let f4 = f3.frobenius();
    let n = x * f1 * f2 * f3 * f4;
    debug_assert!(n.0[1..].iter().all(|c| c.is_zero()));
    n.0[0]
}

/// Whether `x` is a square in GF(p^5) (zero counts as a square).
///
/// x is a square in GF(p^5) exactly when its norm is a square in GF(p), because the
/// norm maps the unit group onto GF(p)* and (p^5-1)/(p-1) is odd.
pub fn is_square(x: Fp5) -> bool {
    norm(x).is_quadratic_residue()
}

/// A square root of `x` in GF(p^5), or `None` when `x` is not a square.
///
/// With r = 1 + p + ... + p^4, x^r = norm(x) lies in GF(p), and
/// sqrt(x) = sqrt(x^r) / x^((r-1)/2), where x^((r-1)/2) = frob1(d * frob2(d)) and
/// d = x^((p+1)/2). Which of the two roots is returned is unspecified.
pub fn sqrt(x: Fp5) -> Option<Fp5> {
    if x.is_zero() {
        return Some(Fp5::ZERO);
    }
    let root_of_norm = norm(x).sqrt()?;
    let d = x.exp_u64(Fp::ORDER.div_ceil(2));
    let half_r_minus_1 = (d * d.repeated_frobenius(2)).frobenius();
    Some(<Fp5 as FieldExtension<5>>::from_basefield(root_of_norm) / half_r_minus_1)
}

/// Canonical encoding: five limbs, lowest degree first, each 8 bytes little-endian.
pub fn encode(x: Fp5) -> [u8; FP5_BYTES] {
    let mut out = [0u8; FP5_BYTES];
    for (chunk, limb) in out.chunks_exact_mut(8).zip(x.0.iter()) {
        chunk.copy_from_slice(&limb.to_canonical_u64().to_le_bytes());
    }
    out
}

/// Decodes the canonical encoding; `None` if any limb is not below p.
pub fn decode(bytes: &[u8; FP5_BYTES]) -> Option<Fp5> {
    let mut limbs = [Fp::ZERO; 5];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        let v = u64::from_le_bytes(chunk.try_into().ok()?);
        if v >= Fp::ORDER {
            return None;
        }
        *limb = Fp::from_canonical_u64(v);
    }
    Some(QuinticExtension(limbs))
}

/// The canonical limbs of `x` as integers (lowest degree first).
pub fn limbs(x: Fp5) -> [u64; 5] {
    x.0.map(|c| c.to_canonical_u64())
}
