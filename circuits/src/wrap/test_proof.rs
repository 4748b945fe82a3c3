//! A real wrap proof (of [`WordsCircuit`], with [`WrapFriParams::INSECURE_TEST`]: 10 bits
//! of security, for tests and benchmarks only) shared by the R1CS verifier's and the Groth16
//! wrapper's tests: built once per process, and the proof (about two minutes to make on two
//! cores) cached on disk under `target/test-fixtures/`, keyed by the wrap circuit's digest
//! so a changed circuit makes a new one. A cached proof that does not verify is replaced.

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::r1cs::proof::WrapProof;
use crate::wrap::circuit::{WrapCircuit, WrapFriParams};
use crate::wrap::words::WordsCircuit;

/// The words the fixture's inner proof exposes (edge values included).
pub const WORDS: [u32; 8] = [0, 1, u32::MAX, 0x8000_0000, 0xdead_beef, 7, 0xffff_0000, 42];

/// The wrap circuit and one proof of it.
pub struct Fixture {
    /// The wrap circuit.
    pub wrap: WrapCircuit,
    /// A valid wrap proof.
    pub proof: WrapProof,
}

fn cache_path(wrap: &WrapCircuit) -> PathBuf {
    let digest = wrap.data.verifier_only.circuit_digest.0.to_string();
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/test-fixtures")
        .join(format!(
            "wrap-words-{}.bin",
            &digest[..digest.len().min(24)]
        ))
}

fn cached_proof(wrap: &WrapCircuit) -> Option<WrapProof> {
    let bytes = std::fs::read(cache_path(wrap)).ok()?;
    let proof = WrapProof::from_bytes(bytes, &wrap.data.common).ok()?;
    wrap.verify(&proof).ok().map(|()| proof)
}

fn store_proof(wrap: &WrapCircuit, proof: &WrapProof) {
    let path = cache_path(wrap);
    let dir = path.parent().expect("a file in a folder");
    // Caching is best effort: a read-only target only costs the next run a proof. Written
    // to a process-unique temporary name and renamed, so concurrent test binaries never read
    // half a file.
    let tmp = dir.join(format!(".{}.tmp", std::process::id()));
    let _ = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&tmp, proof.to_bytes()))
        .and_then(|()| std::fs::rename(&tmp, &path));
}

/// The shared fixture.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let inner = WordsCircuit::build(0);
        let wrap = WrapCircuit::build_insecure_for_tests(
            &inner.data.verifier_only,
            &inner.data.common,
            &WrapFriParams::INSECURE_TEST,
        );
        let proof = cached_proof(&wrap).unwrap_or_else(|| {
            let inner_proof = inner.prove(WORDS).unwrap();
            let proof = wrap.prove(&inner_proof).unwrap();
            wrap.verify(&proof).unwrap();
            store_proof(&wrap, &proof);
            proof
        });
        Fixture { wrap, proof }
    })
}
