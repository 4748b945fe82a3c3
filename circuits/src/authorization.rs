//! The op circuit's link to the ECgFp5 Schnorr gadget ([`crate::ecgfp5`]): who may move an
//! account's funds.

use bulwark_state::Signature;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::PartialWitness;

use crate::ecgfp5::schnorr::{
    add_signature_target, set_dummy_signature_target, set_signature_target, verify_schnorr,
    SignatureTarget,
};
use crate::{Builder, F};

/// A signature's witness slots.
pub type SignatureSlot = SignatureTarget;

/// Allocates a signature's witness.
pub fn add_signature(builder: &mut Builder) -> SignatureSlot {
    add_signature_target(builder)
}

/// Fills a signature slot; `None` fills a disabled slot with a dummy.
pub fn set_signature(
    pw: &mut PartialWitness<F>,
    slot: &SignatureSlot,
    sig: Option<&Signature>,
) -> anyhow::Result<()> {
    match sig {
        Some(sig) => set_signature_target(pw, slot, sig),
        None => set_dummy_signature_target(pw, slot),
    }
}

/// When `enabled`, the signature must be valid for `message` under the key encoded by
/// `public_key`, which must decode to a non-neutral point (so an empty account, key 0,
/// can never sign).
pub fn check_signature(
    builder: &mut Builder,
    enabled: BoolTarget,
    public_key: [Target; 5],
    message: &[Target],
    sig: &SignatureSlot,
) {
    verify_schnorr(builder, enabled, public_key, message, sig);
}
