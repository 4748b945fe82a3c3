//! Scalars: integers modulo the prime group order n of ECgFp5.

use std::sync::OnceLock;

use num_bigint::BigUint;
use num_traits::Zero;

/// Size in bytes of a canonical scalar encoding (little-endian, value < n).
pub const SCALAR_BYTES: usize = 40;

/// The prime order n of the ECgFp5 group (319 bits), from Pornin's ePrint 2022/274.
pub const GROUP_ORDER_DECIMAL: &str = "1067993516717146951041484916571792702745057740581727230159139685185762082554198619328292418486241";

/// The group order n as a big integer.
pub fn group_order() -> &'static BigUint {
    static N: OnceLock<BigUint> = OnceLock::new();
    N.get_or_init(|| {
        GROUP_ORDER_DECIMAL
            .parse()
            .expect("group order constant parses")
    })
}

/// An integer modulo n, always kept reduced.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scalar(BigUint);

impl Scalar {
    /// The scalar zero.
    pub fn zero() -> Self {
        Scalar(BigUint::zero())
    }

    /// Reduces an arbitrary non-negative integer modulo n.
    pub fn from_biguint_reduced(v: &BigUint) -> Self {
        Scalar(v % group_order())
    }

    /// Reduces little-endian bytes of any length modulo n.
    pub fn from_le_bytes_reduced(bytes: &[u8]) -> Self {
        Self::from_biguint_reduced(&BigUint::from_bytes_le(bytes))
    }

    /// Decodes the canonical 40-byte little-endian form; `None` unless the value is < n.
    pub fn from_canonical_bytes(bytes: &[u8; SCALAR_BYTES]) -> Option<Self> {
        let v = BigUint::from_bytes_le(bytes);
        (&v < group_order()).then_some(Scalar(v))
    }

    /// The canonical 40-byte little-endian form.
    pub fn to_bytes(&self) -> [u8; SCALAR_BYTES] {
        let mut out = [0u8; SCALAR_BYTES];
        let le = self.0.to_bytes_le();
        out[..le.len()].copy_from_slice(&le);
        out
    }

    /// The value as an integer in [0, n).
    pub fn as_biguint(&self) -> &BigUint {
        &self.0
    }

    /// Whether this is the zero scalar.
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// (self + other) mod n.
    pub fn add(&self, other: &Scalar) -> Scalar {
        Scalar((&self.0 + &other.0) % group_order())
    }

    /// (self - other) mod n.
    pub fn sub(&self, other: &Scalar) -> Scalar {
        Scalar((&self.0 + group_order() - &other.0) % group_order())
    }

    /// (self * other) mod n.
    pub fn mul(&self, other: &Scalar) -> Scalar {
        Scalar((&self.0 * &other.0) % group_order())
    }

    /// The bits of the value, least significant first, padded to `len`.
    pub fn bits_le(&self, len: usize) -> Vec<bool> {
        (0..len as u64).map(|i| self.0.bit(i)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_encoding_rejects_n_and_above() {
        let n = group_order();
        let mut bytes = [0u8; SCALAR_BYTES];
        let le = n.to_bytes_le();
        bytes[..le.len()].copy_from_slice(&le);
        assert!(
            Scalar::from_canonical_bytes(&bytes).is_none(),
            "n itself is not canonical"
        );
        let n_minus_1 = Scalar::from_biguint_reduced(&(n - 1u32));
        let back = Scalar::from_canonical_bytes(&n_minus_1.to_bytes()).unwrap();
        assert_eq!(back, n_minus_1);
        assert!(Scalar::from_canonical_bytes(&[0xff; SCALAR_BYTES]).is_none());
    }

    #[test]
    fn group_order_is_319_bits_and_matches_published_limbs() {
        let n = group_order();
        assert_eq!(n.bits(), 319);
        // The 64-bit limbs as published in the reference implementation.
        let limbs = [
            0xE80F_D996_948B_FFE1u64,
            0xE888_5C39_D724_A09C,
            0x7FFF_FFE6_CFB8_0639,
            0x7FFF_FFF1_0000_0016,
            0x7FFF_FFFD_8000_0007,
        ];
        assert_eq!(n.to_u64_digits(), limbs);
    }

    #[test]
    fn arithmetic_wraps_modulo_n() {
        let n_minus_1 = Scalar::from_biguint_reduced(&(group_order() - 1u32));
        let one = Scalar::from_le_bytes_reduced(&[1]);
        assert!(n_minus_1.add(&one).is_zero());
        assert_eq!(Scalar::zero().sub(&one), n_minus_1);
        assert_eq!(n_minus_1.mul(&n_minus_1), one);
    }
}
