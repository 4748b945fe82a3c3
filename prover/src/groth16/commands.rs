//! What `bulwark setup`, `wrap`, `verify` (Groth16 files) and `bench wrap` do, as library
//! functions returning reports the CLI prints (or emits as JSON).

use std::path::Path;
use std::time::Instant;

use ark_bn254::Fr;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
use bulwark_circuits::r1cs::verifier::WrapVerifierCircuit;
use bulwark_circuits::wrap::words::WordsCircuit;
use bulwark_contracts::proof::fr_bytes;
use bulwark_contracts::VkFile;
use serde::Serialize;

use super::artifact::{read_proof_file, write_proof_files};
use super::digest::{digest_hex, wrap_circuit_digest};
use super::inner_proof::{read_inner_proof, InnerProof};
use super::keys::{circuit_matrices, load_matrices, setup, write_matrices, Keys, SetupMode};
use super::prove::{prove, WrappedProof};
use super::target::{BuiltWrap, WrapTarget};
use super::verify::verify;
use super::Groth16Error;
use crate::backend::r1cs::R1cs;
use crate::backend::{Backend, BackendKind};
use crate::cache::CircuitCache;

/// What `setup` made.
#[derive(Debug, Serialize)]
pub struct SetupReport {
    /// The circuit, in words.
    pub circuit: String,
    /// Its digest (keys are bound to it).
    pub circuit_digest: String,
    /// R1CS constraints.
    pub constraints: usize,
    /// Whether the keys are insecure development keys.
    pub dev: bool,
    /// Where `pk.bin` and `vk.json` went.
    pub out: String,
}

/// Builds the target's wrap circuit and writes its Groth16 keys and R1CS matrices into
/// `out`.
pub fn run_setup(
    target: WrapTarget,
    mode: SetupMode,
    out: &Path,
    cache: &CircuitCache,
) -> Result<SetupReport, Groth16Error> {
    let built = target.build(cache)?;
    let (common, verifier) = (&built.wrap.data.common, &built.wrap.data.verifier_only);
    let digest = wrap_circuit_digest(common, verifier);
    // The matrices first (the prover reads them instead of rebuilding them), dropped
    // before the Groth16 setup so the two peaks do not add up.
    let constraints = {
        let r1cs = circuit_matrices(WrapVerifierCircuit::setup(common, verifier)?)?;
        write_matrices(out, &r1cs, &digest)?;
        r1cs.num_constraints()
    };
    let keys = setup(WrapVerifierCircuit::setup(common, verifier)?, digest, mode)?;
    keys.write(out)?;
    Ok(SetupReport {
        circuit: target.to_string(),
        circuit_digest: digest_hex(&digest),
        constraints,
        dev: keys.dev,
        out: out.display().to_string(),
    })
}

/// The number of constraints of `circuit`, synthesized in setup mode.
pub fn count_constraints(circuit: impl ConstraintSynthesizer<Fr>) -> Result<usize, Groth16Error> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    circuit.generate_constraints(cs.clone())?;
    Ok(cs.num_constraints())
}

/// What `wrap` made.
#[derive(Debug, Serialize)]
pub struct WrapReport {
    /// The circuit digest.
    pub circuit_digest: String,
    /// The public input, `0x`-hex.
    pub public_input: String,
    /// Whether the keys used are insecure development keys.
    pub dev_keys: bool,
    /// Where the proof files went.
    pub out: String,
}

/// Wraps the inner proof in `proof_file`: a plonky2 wrap proof, then the Groth16 proof of
/// its R1CS verifier, written to `out` (`proof.json`, `proof-compressed.json`).
pub fn run_wrap(
    target: WrapTarget,
    keys_dir: &Path,
    proof_file: &Path,
    out: &Path,
    backend: BackendKind,
    cache: &CircuitCache,
) -> Result<WrapReport, Groth16Error> {
    let backend = backend
        .open()
        .map_err(|e| Groth16Error::file("--backend", e))?;
    let built = target.build(cache)?;
    let (common, verifier) = (&built.wrap.data.common, &built.wrap.data.verifier_only);
    let digest = wrap_circuit_digest(common, verifier);
    let pk_path = keys_dir.join("pk.bin");
    let bytes = std::fs::read(&pk_path)
        .map_err(|e| Groth16Error::file(pk_path.display().to_string(), e))?;
    let keys = Keys::from_pk_bytes(&bytes, &digest)?;
    drop(bytes);
    let r1cs = load_matrices(keys_dir, &digest, || {
        Ok(WrapVerifierCircuit::setup(common, verifier)?)
    })?;
    let inner = read_inner_proof(proof_file, built.inner.data())?;
    let (wrapped, _) = wrap_and_prove(backend.as_ref(), &keys, &r1cs, &built, &inner)?;
    write_proof_files(out, &wrapped, digest)?;
    Ok(WrapReport {
        circuit_digest: digest_hex(&digest),
        public_input: format!("0x{}", hex::encode(fr_bytes(&wrapped.public_input))),
        dev_keys: keys.dev,
        out: out.display().to_string(),
    })
}

/// The plonky2 wrap proof of `inner`, then the Groth16 proof of its R1CS verifier (whose
/// matrices are `r1cs`); with the seconds each took.
pub(crate) fn wrap_and_prove(
    backend: &dyn Backend,
    keys: &Keys,
    r1cs: &R1cs,
    built: &BuiltWrap,
    inner: &InnerProof,
) -> Result<(WrappedProof, [f64; 2]), Groth16Error> {
    let t = Instant::now();
    let wrap_proof = built
        .wrap
        .prove(inner)
        .map_err(|e| Groth16Error::WrapProof(e.to_string()))?;
    let wrap_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let data = &built.wrap.data;
    let wrapped = prove(
        backend,
        keys,
        r1cs,
        &data.common,
        &data.verifier_only,
        wrap_proof,
        &mut rand::rngs::OsRng,
    )?;
    Ok((wrapped, [wrap_s, t.elapsed().as_secs_f64()]))
}

/// What `verify` found.
#[derive(Debug, Serialize)]
pub struct VerifyReport {
    /// Whether the proof verifies.
    pub valid: bool,
    /// The public input it proves, `0x`-hex.
    pub public_input: String,
    /// The circuit digest.
    pub circuit_digest: String,
}

/// Verifies a Groth16 proof file (either form) against `vk.json`.
pub fn run_verify(proof_file: &Path, vk_file: &Path) -> Result<VerifyReport, Groth16Error> {
    let text = std::fs::read_to_string(vk_file)
        .map_err(|e| Groth16Error::file(vk_file.display().to_string(), e))?;
    let vk = VkFile::from_json(&text)?;
    let read = read_proof_file(proof_file)?;
    let vk_digest = vk.circuit_digest()?;
    if read.circuit_digest != vk_digest {
        return Err(Groth16Error::DigestMismatch {
            what: proof_file.display().to_string(),
            expected: digest_hex(&vk_digest),
            found: digest_hex(&read.circuit_digest),
        });
    }
    let valid = verify(
        &vk.to_vk()?,
        &read.wrapped.proof,
        &read.wrapped.public_input,
    )?;
    Ok(VerifyReport {
        valid,
        public_input: format!("0x{}", hex::encode(fr_bytes(&read.wrapped.public_input))),
        circuit_digest: digest_hex(&read.circuit_digest),
    })
}

/// Figures of one wrap: the Groth16 part measured here (2 shared cores in this project's
/// reports), on the insecure test circuit unless told otherwise.
#[derive(Debug, Serialize)]
pub struct BenchReport {
    /// The circuit.
    pub circuit: String,
    /// R1CS constraints.
    pub constraints: usize,
    /// Groth16 setup, seconds.
    pub setup_s: f64,
    /// Plonky2 wrap proof, seconds.
    pub wrap_plonky2_s: f64,
    /// Groth16 prove (synthesis, checks and proof), seconds.
    pub prove_s: f64,
    /// Peak resident memory of the process, bytes.
    pub peak_rss_bytes: u64,
    /// Compressed proof size, bytes.
    pub proof_bytes_compressed: usize,
    /// Calldata proof size (eight words), bytes.
    pub proof_bytes_calldata: usize,
}

/// The process's peak resident set (Linux `VmHWM`), 0 where unknown.
pub fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024)
}

/// Builds, sets up (dev keys) and wraps one proof of the words test circuit, timing each
/// step. Production figures need the ROOT target and a root proof (`bulwark wrap`).
pub fn run_bench_wrap(backend: BackendKind) -> Result<BenchReport, Groth16Error> {
    let backend = backend
        .open()
        .map_err(|e| Groth16Error::file("--backend", e))?;
    let target = WrapTarget::WordsTest;
    // The words target uses no cached circuits.
    let built = target.build(&CircuitCache::new(CircuitCache::default_dir()))?;
    let (common, verifier) = (&built.wrap.data.common, &built.wrap.data.verifier_only);
    let digest = wrap_circuit_digest(common, verifier);
    let r1cs = circuit_matrices(WrapVerifierCircuit::setup(common, verifier)?)?;
    let constraints = r1cs.num_constraints();
    let t = Instant::now();
    let keys = setup(
        WrapVerifierCircuit::setup(common, verifier)?,
        digest,
        SetupMode::Dev,
    )?;
    let setup_s = t.elapsed().as_secs_f64();
    let words = WordsCircuit::build(0);
    let inner = words
        .prove([1, 2, 3, 4, 5, 6, 7, 8])
        .map_err(|e| Groth16Error::WrapProof(e.to_string()))?;
    // The words circuit built here is the target's inner circuit (same build, same digest).
    let (wrapped, [wrap_plonky2_s, prove_s]) =
        wrap_and_prove(backend.as_ref(), &keys, &r1cs, &built, &inner)?;
    let mut compressed = Vec::new();
    ark_serialize::CanonicalSerialize::serialize_compressed(&wrapped.proof, &mut compressed)
        .map_err(|e| Groth16Error::file("proof", e))?;
    Ok(BenchReport {
        circuit: target.to_string(),
        constraints,
        setup_s,
        wrap_plonky2_s,
        prove_s,
        peak_rss_bytes: peak_rss_bytes(),
        proof_bytes_compressed: compressed.len(),
        proof_bytes_calldata: 8 * 32,
    })
}
