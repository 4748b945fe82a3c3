//! A real wrap proof (of [`WordsCircuit`], with [`WrapFriParams::INSECURE_TEST`]) shared by
//! the R1CS verifier's tests: built once per test binary.

use std::sync::OnceLock;

use crate::wrap::circuit::{WrapCircuit, WrapFriParams};
use crate::wrap::words::WordsCircuit;

use super::proof::WrapProof;

/// The words the fixture's inner proof exposes (edge values included).
pub const WORDS: [u32; 8] = [0, 1, u32::MAX, 0x8000_0000, 0xdead_beef, 7, 0xffff_0000, 42];

/// The wrap circuit and one proof of it.
pub struct Fixture {
    /// The wrap circuit.
    pub wrap: WrapCircuit,
    /// A valid wrap proof.
    pub proof: WrapProof,
}

/// The shared fixture.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let inner = WordsCircuit::build(0);
        let inner_proof = inner.prove(WORDS).unwrap();
        let wrap = WrapCircuit::build_insecure_for_tests(
            &inner.data.verifier_only,
            &inner.data.common,
            &WrapFriParams::INSECURE_TEST,
        );
        let proof = wrap.prove(&inner_proof).unwrap();
        wrap.verify(&proof).unwrap();
        Fixture { wrap, proof }
    })
}
