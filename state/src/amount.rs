//! Packed decimal floating-point amounts: the compact pubdata form of transfer amounts
//! and fees (calldata is the per-op L1 cost).
//!
//! A packed value is `mantissa * 10^exponent`, stored big-endian in `bytes` bytes as
//! `mantissa << 5 | exponent` (the exponent takes the low 5 bits). The encoding is
//! canonical: the exponent is the smallest that works, which is the case exactly when
//! `exponent == 0` or `10 * mantissa >= 2^mantissa_bits`. The value must fit in a u64.

use crate::error::AmountError;

/// A packing format: total width and mantissa width in bits (the exponent has 5 bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PackedFormat {
    /// Width of the encoding in bytes.
    pub bytes: usize,
    /// Width of the mantissa in bits.
    pub mantissa_bits: u32,
}

const EXPONENT_BITS: u32 = 5;

/// Transfer amounts: 5 bytes, 35-bit mantissa (every integer below 2^35 is exact).
pub const AMOUNT: PackedFormat = PackedFormat {
    bytes: 5,
    mantissa_bits: 35,
};
/// Fees: 2 bytes, 11-bit mantissa (every integer below 2048 is exact).
pub const FEE: PackedFormat = PackedFormat {
    bytes: 2,
    mantissa_bits: 11,
};

impl PackedFormat {
    /// Packs `value`, or fails when it has too many significant digits for the mantissa.
    pub fn pack(&self, value: u64) -> Result<Vec<u8>, AmountError> {
        let (mut mantissa, mut exponent) = (value, 0u64);
        while mantissa >= 1 << self.mantissa_bits {
            if mantissa % 10 != 0 || exponent == (1 << EXPONENT_BITS) - 1 {
                return Err(AmountError::NotRepresentable {
                    value,
                    mantissa_bits: self.mantissa_bits,
                });
            }
            mantissa /= 10;
            exponent += 1;
        }
        let word = (mantissa << EXPONENT_BITS) | exponent;
        Ok(word.to_be_bytes()[8 - self.bytes..].to_vec())
    }

    /// Unpacks canonical bytes; rejects a wrong length, a non-minimal exponent and values
    /// that do not fit in 64 bits.
    pub fn unpack(&self, bytes: &[u8]) -> Result<u64, AmountError> {
        if bytes.len() != self.bytes {
            return Err(AmountError::Length {
                expected: self.bytes,
                got: bytes.len(),
            });
        }
        let word = bytes.iter().fold(0u64, |acc, &b| (acc << 8) | b as u64);
        let exponent = (word & ((1 << EXPONENT_BITS) - 1)) as u32;
        let mantissa = word >> EXPONENT_BITS;
        if exponent != 0 && mantissa * 10 < 1 << self.mantissa_bits {
            return Err(AmountError::NonCanonical { mantissa, exponent });
        }
        10u64
            .checked_pow(exponent)
            .and_then(|scale| mantissa.checked_mul(scale))
            .ok_or(AmountError::TooLarge { mantissa, exponent })
    }

    /// Whether `value` can be packed.
    pub fn is_representable(&self, value: u64) -> bool {
        self.pack(value).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_small_values_and_round_numbers_round_trip() {
        for v in [
            0u64,
            1,
            9,
            10,
            2047,
            (1 << 35) - 1,
            (1 << 34) * 10,
            10u64.pow(18),
            12_345_000_000_000_000_000,
        ] {
            let packed = AMOUNT.pack(v).unwrap();
            assert_eq!(packed.len(), 5);
            assert_eq!(AMOUNT.unpack(&packed).unwrap(), v, "value {v}");
        }
        for v in [0u64, 5, 2047, 20_470, 1_000_000_000] {
            assert_eq!(FEE.unpack(&FEE.pack(v).unwrap()).unwrap(), v);
        }
    }

    #[test]
    fn unrepresentable_values_are_refused() {
        assert!(matches!(
            AMOUNT.pack((1 << 35) + 1),
            Err(AmountError::NotRepresentable { .. })
        ));
        assert!(matches!(
            FEE.pack(2049),
            Err(AmountError::NotRepresentable { .. })
        ));
        assert!(AMOUNT.pack(u64::MAX).is_err());
    }

    #[test]
    fn non_canonical_encodings_are_rejected() {
        // 10 * 10^1 is canonically 100 * 10^0.
        let word: u64 = (10 << 5) | 1;
        let bytes = &word.to_be_bytes()[3..];
        assert!(matches!(
            AMOUNT.unpack(bytes),
            Err(AmountError::NonCanonical { .. })
        ));
        // A value beyond 64 bits.
        let word: u64 = (((1u64 << 35) - 1) << 5) | 31;
        assert!(matches!(
            AMOUNT.unpack(&word.to_be_bytes()[3..]),
            Err(AmountError::TooLarge { .. })
        ));
        assert!(matches!(
            AMOUNT.unpack(&[0; 4]),
            Err(AmountError::Length { .. })
        ));
    }

    #[test]
    fn every_fee_encoding_is_canonical_iff_it_round_trips() {
        // Exhaustive over all 2^16 fee encodings: decoding succeeds exactly for the bytes
        // that packing the decoded value reproduces, so the encoding is injective.
        for word in 0u32..=0xFFFF {
            let bytes = (word as u16).to_be_bytes();
            if let Ok(v) = FEE.unpack(&bytes) {
                assert_eq!(FEE.pack(v).unwrap(), bytes.to_vec(), "word {word:#x}");
            }
        }
    }
}
