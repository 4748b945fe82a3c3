//! In-circuit ECgFp5: GF(p^5) arithmetic, curve operations and the Schnorr verifier that
//! matches [`bulwark_state::schnorr`] bit for bit.

pub mod alg;
pub mod canonical_split_gate;
pub mod curve;
pub mod curve_step_gate;
pub mod fp5_mul_gate;
pub mod fp5_target;
pub mod scalar;
pub mod scalar_limb_gate;
pub mod schnorr;
pub mod serialization;

#[cfg(test)]
mod test_util;
