//! The op circuit's link to the ECgFp5 Schnorr gadget: who may move an account's funds,
//! and which keys a deposit may install.
//!
//! NOT YET ENFORCING: the in-circuit Schnorr verifier is being built on a branch of its own
//! (`circuits/src/ecgfp5/`). Until it is merged these functions only allocate the witness;
//! the op circuit calls them at the right places with the right enables, so merging the
//! gadget changes only this file.

use bulwark_state::Signature;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::PartialWitness;

use crate::{Builder, F};

/// A signature's witness slots.
#[derive(Clone, Debug)]
pub struct SignatureSlot {
    r: [Target; 5],
    s: [Target; 5],
}

/// Allocates a signature's witness.
pub fn add_signature(builder: &mut Builder) -> SignatureSlot {
    SignatureSlot {
        r: builder.add_virtual_target_arr(),
        s: builder.add_virtual_target_arr(),
    }
}

/// Fills a signature slot; `None` fills a disabled slot.
pub fn set_signature(
    pw: &mut PartialWitness<F>,
    slot: &SignatureSlot,
    sig: Option<&Signature>,
) -> anyhow::Result<()> {
    use plonky2::field::types::Field;
    use plonky2::iop::witness::WitnessWrite;
    let _ = sig;
    pw.set_target_arr(&slot.r, &[F::ZERO; 5])?;
    pw.set_target_arr(&slot.s, &[F::ZERO; 5])?;
    Ok(())
}

/// When `enabled`, the signature must be valid for `message` under the key encoded by
/// `public_key` (which must decode to a non-neutral point).
pub fn check_signature(
    _builder: &mut Builder,
    _enabled: BoolTarget,
    _public_key: [Target; 5],
    _message: &[Target],
    _sig: &SignatureSlot,
) {
}

/// When `enabled`, `public_key` must encode a valid, non-neutral group element.
pub fn check_public_key(_builder: &mut Builder, _enabled: BoolTarget, _public_key: [Target; 5]) {}
