//! ECgFp5: the base field GF(p^5), the prime-order group and its scalars.
//!
//! Everything the Schnorr signature scheme (and later the circuits) needs. See
//! [`curve`] for the group definition and the encoding.

pub mod curve;
pub mod field;
pub mod scalar;

pub use curve::Point;
pub use field::{Fp, Fp5};
pub use scalar::Scalar;
