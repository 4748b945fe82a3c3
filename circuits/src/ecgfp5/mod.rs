//! In-circuit ECgFp5: GF(p^5) arithmetic, curve operations and the Schnorr verifier that
//! matches [`bulwark_state::schnorr`] bit for bit.
//!
//! # What the op circuit uses
//!
//! [`schnorr::add_signature_target`], [`schnorr::set_signature_target`],
//! [`schnorr::set_dummy_signature_target`] and [`schnorr::verify_schnorr`]; circuits that
//! are cached on disk serialize with [`serialization::EcgFp5GateSerializer`] and
//! [`serialization::EcgFp5GeneratorSerializer`].
//!
//! # Cost (standard recursion config, 135 wires)
//!
//! About 127 rows per signature: 107 [`curve_step_gate::CurveStepGate`] rows for the
//! joint double-and-add over 321 bit pairs (three per row), one Poseidon row pair for the
//! challenge, five [`canonical_split_gate::CanonicalSplitGate`] rows for e, six
//! [`scalar_limb_gate::ScalarLimbGate`] rows for s and s < n, and a few rows of
//! [`fp5_mul_gate::Fp5MulGate`] products and arithmetic for decoding Q and encoding the
//! result. The row count is printed by the `rows_per_signature` test.
//!
//! # Design choices
//!
//! * s G and e Q share one doubling chain (Straus), one bit of each per step; G's
//!   coordinates are constants of the step gate's constraints, so the fixed base costs
//!   no wires and no table. Windowing does not pay here: a table lookup needs the table's
//!   wires in the row, and three binary steps already fill the row's 135 wires.
//! * Affine formulas with every inverse checked make each satisfied row the exact group
//!   operation: the exceptional cases are unprovable, never exploitable (see
//!   [`curve_step_gate`]). An offset point H of unknown discrete logarithm starts the
//!   accumulator so honest signatures never hit them; the neutral result (R = O) is
//!   handled explicitly because the native verifier accepts it.
//! * R is never decoded: the verifier encodes s G + e Q and compares limbs.
//! * Every custom gate writes its constraints once, generically over [`alg::Ring`], for
//!   the base-field, extension-field and recursive evaluations.

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
pub(crate) mod test_util;
