//! Proof artifacts: what `bulwark prove` writes and `bulwark verify` checks.
//!
//! An artifact is two files in the output folder: `proof.bin`, the top node proof in
//! plonky2's byte format, and `proof.json`, a versioned manifest naming the format, the
//! circuits (parameters, code fingerprint, digests) and the public values in hex. The
//! manifest is written last, so a folder with a manifest always has its proof.

use std::path::{Path, PathBuf};

use bulwark_circuits::leaf::PublicValues;
use bulwark_circuits::node::{public_values, Proof};
use bulwark_state::tree::hash_to_hex;
use serde::{Deserialize, Serialize};

use crate::cache::{CacheError, CircuitCache, CircuitDigests, CircuitParams, Circuits};
use crate::files::{write_atomic, FileError};
use crate::pipeline::BatchProof;

/// The `format` of proof manifests.
pub const PROOF_FORMAT: &str = "bulwark-batch-proof";
/// The current manifest version.
pub const PROOF_VERSION: u32 = 1;
/// The manifest's file name in an output folder.
pub const MANIFEST_FILE: &str = "proof.json";
/// The proof's file name in an output folder.
pub const PROOF_FILE: &str = "proof.bin";

/// Errors reading or checking an artifact.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// A file could not be read or written.
    #[error(transparent)]
    File(#[from] FileError),
    /// The manifest is not valid JSON of the expected shape.
    #[error("manifest {path}: {reason}")]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The circuits could not be loaded or built.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// The artifact was made with other circuits than the ones available here.
    #[error(
        "the proof is for {circuit} circuit digest {artifact}, but the circuits for its \
         parameters here have {local} (circuit code {artifact_code} vs {local_code}): \
         prove again or use the matching bulwark build"
    )]
    CircuitMismatch {
        /// Which circuit differs.
        circuit: &'static str,
        /// The artifact's digest.
        artifact: String,
        /// The local digest.
        local: String,
        /// The artifact's code fingerprint.
        artifact_code: String,
        /// The local code fingerprint.
        local_code: String,
    },
    /// The proof bytes are not a proof of the node circuit.
    #[error("{path}: not a node proof ({reason})")]
    Malformed {
        /// The proof file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The proof does not verify.
    #[error("the proof does not verify: {0}")]
    Invalid(String),
    /// The manifest states public values the proof does not carry.
    #[error("public value `{field}`: the manifest says {manifest}, the proof carries {proof}")]
    PublicMismatch {
        /// The field.
        field: String,
        /// The manifest's value.
        manifest: String,
        /// The proof's value.
        proof: String,
    },
}

/// The circuits an artifact's proof is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CircuitInfo {
    /// The parameters they were built with.
    pub params: CircuitParams,
    /// The fingerprint of the circuit code.
    pub code_fingerprint: String,
    /// Their digests.
    pub digests: CircuitDigests,
}

/// A batch's public outputs, as the hub reads them (hex for 32-byte values).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicOutputs {
    /// The consumer chain's id.
    pub chain_id: u64,
    /// The state root before the batch (32 bytes, hex).
    pub old_root: String,
    /// The state root after the batch (32 bytes, hex).
    pub new_root: String,
    /// First deposit queue index consumed.
    pub deposit_first: u64,
    /// One past the last deposit consumed.
    pub deposit_last: u64,
    /// The account credited with the batch's fees.
    pub fee_recipient: u32,
    /// The pubdata commitment (SHA-256, hex).
    pub commitment: String,
}

impl PublicOutputs {
    /// The outputs of a proof's public values.
    pub fn from_values(v: &PublicValues) -> Self {
        Self {
            chain_id: v.chain_id,
            old_root: hash_to_hex(&v.old_root),
            new_root: hash_to_hex(&v.new_root),
            deposit_first: v.deposit_first,
            deposit_last: v.deposit_last,
            fee_recipient: v.fee_recipient,
            commitment: format!("0x{}", hex::encode(v.commitment)),
        }
    }
}

/// The proved batch's shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchInfo {
    /// The batch's sequence number on its chain.
    pub index: u64,
    /// Ops in the batch.
    pub ops: usize,
    /// Ops after `Noop` padding (what the hub reads).
    pub padded_ops: usize,
    /// Leaf proofs.
    pub leaves: usize,
}

/// `proof.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofManifest {
    /// Always [`PROOF_FORMAT`].
    pub format: String,
    /// Always [`PROOF_VERSION`].
    pub version: u32,
    /// The circuits.
    pub circuit: CircuitInfo,
    /// The batch.
    pub batch: BatchInfo,
    /// The public outputs.
    pub public: PublicOutputs,
    /// The proof file, relative to the manifest's folder.
    pub proof_file: String,
}

/// Writes `proved` as an artifact in `out` (created if missing); returns the manifest path.
pub fn write_artifact(
    out: &Path,
    circuits: &Circuits,
    code_fingerprint: &str,
    proved: &BatchProof,
) -> Result<PathBuf, ArtifactError> {
    std::fs::create_dir_all(out).map_err(|e| FileError::new("creating", out, e))?;
    write_atomic(&out.join(PROOF_FILE), &proved.proof.to_bytes())?;
    let manifest = ProofManifest {
        format: PROOF_FORMAT.into(),
        version: PROOF_VERSION,
        circuit: CircuitInfo {
            params: circuits.params,
            code_fingerprint: code_fingerprint.into(),
            digests: circuits.digests(),
        },
        batch: BatchInfo {
            index: proved.outcome.batch_index,
            ops: proved.report.ops,
            padded_ops: proved.report.padded_ops,
            leaves: proved.report.leaves,
        },
        public: PublicOutputs::from_values(&proved.public),
        proof_file: PROOF_FILE.into(),
    };
    let path = out.join(MANIFEST_FILE);
    let json = serde_json::to_vec_pretty(&manifest).expect("manifests serialize");
    write_atomic(&path, &json)?;
    Ok(path)
}

/// Reads a manifest (`path` may be the manifest or the folder holding it).
pub fn read_manifest(path: &Path) -> Result<(PathBuf, ProofManifest), ArtifactError> {
    let path = if path.is_dir() {
        path.join(MANIFEST_FILE)
    } else {
        path.to_path_buf()
    };
    let text = std::fs::read(&path).map_err(|e| FileError::new("reading", &path, e))?;
    let bad = |reason: String| ArtifactError::Manifest {
        path: path.clone(),
        reason,
    };
    let manifest: ProofManifest =
        serde_json::from_slice(&text).map_err(|e| bad(format!("malformed: {e}")))?;
    if manifest.format != PROOF_FORMAT {
        return Err(bad(format!(
            "field `format`: expected {PROOF_FORMAT:?}, got {:?}",
            manifest.format
        )));
    }
    if manifest.version != PROOF_VERSION {
        return Err(bad(format!(
            "field `version`: unsupported version {}, expected {PROOF_VERSION}",
            manifest.version
        )));
    }
    Ok((path, manifest))
}

/// Verifies the artifact at `path` against `circuits`: the node digest must be the
/// manifest's, the proof must verify (including the cyclic verifier-data check), and its
/// public values must be exactly the manifest's. Returns the verified public values.
pub fn verify_with(
    path: &Path,
    manifest: &ProofManifest,
    circuits: &Circuits,
    code_fingerprint: &str,
) -> Result<PublicValues, ArtifactError> {
    let local = circuits.digests();
    for (circuit, artifact, local) in [
        ("node", &manifest.circuit.digests.node, &local.node),
        ("leaf-pair", &manifest.circuit.digests.pair, &local.pair),
        ("leaf", &manifest.circuit.digests.leaf, &local.leaf),
    ] {
        if artifact != local {
            return Err(ArtifactError::CircuitMismatch {
                circuit,
                artifact: artifact.clone(),
                local: local.clone(),
                artifact_code: manifest.circuit.code_fingerprint.clone(),
                local_code: code_fingerprint.into(),
            });
        }
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let proof_path = dir.join(&manifest.proof_file);
    let bytes =
        std::fs::read(&proof_path).map_err(|e| FileError::new("reading", &proof_path, e))?;
    let node = &circuits.aggregation.node;
    let proof =
        Proof::from_bytes(bytes, &node.data.common).map_err(|e| ArtifactError::Malformed {
            path: proof_path.clone(),
            reason: e.to_string(),
        })?;
    node.verify(&proof)
        .map_err(|e| ArtifactError::Invalid(format!("{e:#}")))?;
    let carried = PublicOutputs::from_values(&public_values(&proof));
    let as_fields = |o: &PublicOutputs| match serde_json::to_value(o) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => unreachable!("public outputs serialize to an object"),
    };
    let carried = as_fields(&carried);
    for (field, stated) in as_fields(&manifest.public) {
        // Hex is compared case-insensitively: the value, not its spelling, is stated.
        let spell = |v: &serde_json::Value| v.to_string().to_ascii_lowercase();
        let proof = carried.get(&field).map(spell).unwrap_or_default();
        if spell(&stated) != proof {
            return Err(ArtifactError::PublicMismatch {
                field,
                manifest: stated.to_string(),
                proof,
            });
        }
    }
    Ok(public_values(&proof))
}

/// Verifies the artifact at `path` with the circuits from `cache` for its parameters
/// (built and cached first if missing).
pub fn verify_artifact(
    path: &Path,
    cache: &CircuitCache,
) -> Result<(ProofManifest, PublicValues), ArtifactError> {
    let (path, manifest) = read_manifest(path)?;
    let (circuits, _) = cache.load_or_build(manifest.circuit.params)?;
    let values = verify_with(&path, &manifest, &circuits, cache.fingerprint())?;
    Ok((manifest, values))
}
