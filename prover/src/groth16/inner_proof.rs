//! The input of `bulwark wrap`: a plonky2 proof of the wrap's inner circuit, as a versioned
//! JSON file (format `bulwark-plonky2-proof`, version 1):
//!
//! ```json
//! {"format": "bulwark-plonky2-proof", "version": 1,
//!  "circuit_digest": "0x…32 bytes: the inner circuit's plonky2 digest, 4 limbs LE…",
//!  "proof": "0x…plonky2's ProofWithPublicInputs::to_bytes…"}
//! ```

use std::path::Path;

use bulwark_circuits::wrap::circuit::{InnerConfig, D, F};
use plonky2::field::types::PrimeField64;
use plonky2::hash::hash_types::HashOut;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::ProofWithPublicInputs;
use serde::{Deserialize, Serialize};

use super::keys::write_atomic;
use super::Groth16Error;

/// The `format` tag.
pub const INNER_PROOF_FORMAT: &str = "bulwark-plonky2-proof";
/// The version.
pub const INNER_PROOF_VERSION: u32 = 1;

/// A proof of the inner circuit.
pub type InnerProof = ProofWithPublicInputs<F, InnerConfig, D>;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InnerProofFile {
    format: String,
    version: u32,
    circuit_digest: String,
    proof: String,
}

fn digest_hex(d: &HashOut<F>) -> String {
    let bytes: Vec<u8> = d
        .elements
        .iter()
        .flat_map(|e| e.to_canonical_u64().to_le_bytes())
        .collect();
    format!("0x{}", hex::encode(bytes))
}

/// Writes `proof` of `circuit` to `path` atomically.
pub fn write_inner_proof(
    path: &Path,
    circuit: &CircuitData<F, InnerConfig, D>,
    proof: &InnerProof,
) -> Result<(), Groth16Error> {
    let file = InnerProofFile {
        format: INNER_PROOF_FORMAT.into(),
        version: INNER_PROOF_VERSION,
        circuit_digest: digest_hex(&circuit.verifier_only.circuit_digest),
        proof: format!("0x{}", hex::encode(proof.to_bytes())),
    };
    let text = serde_json::to_string_pretty(&file).expect("plain data serializes") + "\n";
    write_atomic(path, text.as_bytes())
}

/// Reads a proof of `circuit` from `path`, refusing another format, version or circuit.
pub fn read_inner_proof(
    path: &Path,
    circuit: &CircuitData<F, InnerConfig, D>,
) -> Result<InnerProof, Groth16Error> {
    let what = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Groth16Error::file(&what, e))?;
    let file: InnerProofFile =
        serde_json::from_str(&text).map_err(|e| Groth16Error::file(&what, e))?;
    if file.format != INNER_PROOF_FORMAT || file.version != INNER_PROOF_VERSION {
        return Err(Groth16Error::file(
            format!("{what}: fields `format`/`version`"),
            format!("expected {INNER_PROOF_FORMAT} version {INNER_PROOF_VERSION}"),
        ));
    }
    let expected = digest_hex(&circuit.verifier_only.circuit_digest);
    if file.circuit_digest != expected {
        return Err(Groth16Error::DigestMismatch {
            what: what.clone(),
            expected,
            found: file.circuit_digest,
        });
    }
    let bytes = file
        .proof
        .strip_prefix("0x")
        .and_then(|h| hex::decode(h).ok())
        .ok_or_else(|| Groth16Error::file(format!("{what}: field `proof`"), "not 0x-hex"))?;
    InnerProof::from_bytes(bytes, &circuit.common)
        .map_err(|e| Groth16Error::file(format!("{what}: field `proof`"), e))
}
