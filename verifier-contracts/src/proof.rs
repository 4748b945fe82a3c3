//! A Groth16 proof as the verifier contract takes it: eight 32-byte words
//! `[A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y]` (the EIP-197 order, imaginary part
//! of an Fq2 first), and a small versioned JSON file carrying them with the public input.

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::PrimeField;
use ark_groth16::Proof;
use serde::{Deserialize, Serialize};

use crate::error::ContractsError;
use crate::vk::{fq_bytes, parse_word};

/// The `format` tag of a proof file.
pub const PROOF_FORMAT: &str = "bulwark-groth16-proof";
/// The version of the proof-file format.
pub const PROOF_VERSION: u32 = 1;

fn g1_words(p: &G1Affine) -> [[u8; 32]; 2] {
    // The EVM encodes the point at infinity as (0, 0).
    match p.xy() {
        Some((x, y)) => [fq_bytes(&x), fq_bytes(&y)],
        None => [[0; 32]; 2],
    }
}

fn g2_words(p: &G2Affine) -> [[u8; 32]; 4] {
    match p.xy() {
        Some((x, y)) => [
            fq_bytes(&x.c1),
            fq_bytes(&x.c0),
            fq_bytes(&y.c1),
            fq_bytes(&y.c0),
        ],
        None => [[0; 32]; 4],
    }
}

/// The eight calldata words of a proof, in the order `verifyProof` reads them.
pub fn proof_words(proof: &Proof<Bn254>) -> [[u8; 32]; 8] {
    let mut out = [[0u8; 32]; 8];
    out[0..2].copy_from_slice(&g1_words(&proof.a));
    out[2..6].copy_from_slice(&g2_words(&proof.b));
    out[6..8].copy_from_slice(&g1_words(&proof.c));
    out
}

/// The 32 big-endian bytes of a scalar (a public input as the contract takes it).
pub fn fr_bytes(v: &Fr) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, limb) in v.into_bigint().0.iter().enumerate() {
        out[32 - 8 * (i + 1)..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
    }
    out
}

/// A proof with its public input, as written to disk (`proof.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofFile {
    /// Always [`PROOF_FORMAT`].
    pub format: String,
    /// Always [`PROOF_VERSION`].
    pub version: u32,
    /// Digest of the circuit (as in the key file), `0x`-hex.
    pub circuit_digest: String,
    /// The one public input, `0x` + 64 hex digits, big-endian.
    pub public_input: String,
    /// The eight proof words, `0x`-hex each, in calldata order.
    pub proof: Vec<String>,
}

impl ProofFile {
    /// The file form of a proof and its public input.
    pub fn new(proof: &Proof<Bn254>, public_input: &Fr, circuit_digest: [u8; 32]) -> Self {
        ProofFile {
            format: PROOF_FORMAT.to_string(),
            version: PROOF_VERSION,
            circuit_digest: format!("0x{}", hex::encode(circuit_digest)),
            public_input: format!("0x{}", hex::encode(fr_bytes(public_input))),
            proof: proof_words(proof)
                .iter()
                .map(|w| format!("0x{}", hex::encode(w)))
                .collect(),
        }
    }

    /// Parses a proof file and checks its header and the shape of its words.
    pub fn from_json(text: &str) -> Result<Self, ContractsError> {
        let file: ProofFile = serde_json::from_str(text)?;
        if file.format != PROOF_FORMAT {
            return Err(ContractsError::Format {
                expected: PROOF_FORMAT,
                found: file.format,
            });
        }
        if file.version != PROOF_VERSION {
            return Err(ContractsError::Version {
                supported: PROOF_VERSION,
                found: file.version,
            });
        }
        parse_word("circuit_digest", &file.circuit_digest)?;
        parse_word("public_input", &file.public_input)?;
        if file.proof.len() != 8 {
            return Err(ContractsError::field(
                "proof",
                format!("expected 8 words, found {}", file.proof.len()),
            ));
        }
        for (i, w) in file.proof.iter().enumerate() {
            parse_word(&format!("proof[{i}]"), w)?;
        }
        Ok(file)
    }
}
