//! The proof files `bulwark wrap` writes and `bulwark verify` reads, both versioned JSON
//! naming the circuit digest and the public input:
//!
//! - `proof.json`: the contracts' [`ProofFile`] (format `bulwark-groth16-proof`): the eight
//!   uncompressed 32-byte words in calldata order, ready for `verifyProof`;
//! - `proof-compressed.json` (format `bulwark-groth16-proof-compressed`, version 1): the
//!   proof as arkworks' 128-byte compressed serialization, `0x`-hex.
//!
//! Reading dispatches on `format` and checks every point (on the curve, in the subgroup).

use std::path::Path;

use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{PrimeField, Zero};
use ark_groth16::Proof;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use bulwark_contracts::proof::fr_bytes;
use bulwark_contracts::vk::{fq_from_bytes, parse_word};
use bulwark_contracts::ProofFile;
use serde::{Deserialize, Serialize};

use super::keys::write_atomic;
use super::prove::WrappedProof;
use super::Groth16Error;

/// The `format` tag of the compressed proof file.
pub const COMPRESSED_FORMAT: &str = "bulwark-groth16-proof-compressed";
/// Its version.
pub const COMPRESSED_VERSION: u32 = 1;

/// The compressed proof file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompressedProofFile {
    /// Always [`COMPRESSED_FORMAT`].
    pub format: String,
    /// Always [`COMPRESSED_VERSION`].
    pub version: u32,
    /// Digest of the circuit, `0x`-hex.
    pub circuit_digest: String,
    /// The one public input, `0x` + 64 hex digits, big-endian.
    pub public_input: String,
    /// arkworks' compressed proof (A, B, C), `0x`-hex.
    pub proof: String,
}

/// A proof read from either file, with what it claims.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadProof {
    /// The proof and its public input.
    pub wrapped: WrappedProof,
    /// The circuit digest the file names.
    pub circuit_digest: [u8; 32],
}

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Writes `proof.json` and `proof-compressed.json` into `dir`, each atomically.
pub fn write_proof_files(
    dir: &Path,
    wrapped: &WrappedProof,
    circuit_digest: [u8; 32],
) -> Result<(), Groth16Error> {
    std::fs::create_dir_all(dir).map_err(|e| Groth16Error::file(dir.display().to_string(), e))?;
    let full = ProofFile::new(&wrapped.proof, &wrapped.public_input, circuit_digest);
    let text = serde_json::to_string_pretty(&full).expect("plain data serializes") + "\n";
    write_atomic(&dir.join("proof.json"), text.as_bytes())?;
    let mut compressed = Vec::new();
    wrapped
        .proof
        .serialize_compressed(&mut compressed)
        .map_err(|e| Groth16Error::file("proof", e))?;
    let small = CompressedProofFile {
        format: COMPRESSED_FORMAT.into(),
        version: COMPRESSED_VERSION,
        circuit_digest: hex0x(&circuit_digest),
        public_input: hex0x(&fr_bytes(&wrapped.public_input)),
        proof: hex0x(&compressed),
    };
    let text = serde_json::to_string_pretty(&small).expect("plain data serializes") + "\n";
    write_atomic(&dir.join("proof-compressed.json"), text.as_bytes())
}

fn fq(field: &str, word: &str) -> Result<Fq, Groth16Error> {
    fq_from_bytes(&parse_word(field, word)?)
        .ok_or_else(|| Groth16Error::file(field, "not below the base field modulus"))
}

fn checked<P: AffineRepr>(field: &str, p: P) -> Result<P, Groth16Error> {
    if p.is_zero() {
        return Ok(p);
    }
    // A point built unchecked: on the curve and in the prime-order subgroup, or refused.
    let mut bytes = Vec::new();
    p.serialize_uncompressed(&mut bytes)
        .map_err(|e| Groth16Error::file(field, e))?;
    P::deserialize_uncompressed(&bytes[..])
        .map_err(|_| Groth16Error::file(field, "point is not on the curve or not in the subgroup"))
}

/// The arkworks proof of a [`ProofFile`]'s eight words (`(0, 0)` is the point at infinity).
pub fn proof_from_words(words: &[String]) -> Result<Proof<Bn254>, Groth16Error> {
    if words.len() != 8 {
        return Err(Groth16Error::file(
            "proof",
            format!("{} words, expected 8", words.len()),
        ));
    }
    let w = |i: usize| fq(&format!("proof[{i}]"), &words[i]);
    let g1 = |i: usize| -> Result<G1Affine, Groth16Error> {
        let (x, y) = (w(i)?, w(i + 1)?);
        let p = if x.is_zero() && y.is_zero() {
            G1Affine::zero()
        } else {
            G1Affine::new_unchecked(x, y)
        };
        checked(&format!("proof[{i}..{}]", i + 2), p)
    };
    let (x, y) = (Fq2::new(w(3)?, w(2)?), Fq2::new(w(5)?, w(4)?));
    let b = if x.is_zero() && y.is_zero() {
        G2Affine::zero()
    } else {
        G2Affine::new_unchecked(x, y)
    };
    Ok(Proof {
        a: g1(0)?,
        b: checked("proof[2..6]", b)?,
        c: g1(6)?,
    })
}

fn public_input(word: &str) -> Result<Fr, Groth16Error> {
    let bytes = parse_word("public_input", word)?;
    let value = Fr::from_be_bytes_mod_order(&bytes);
    // Refuse non-canonical encodings (the contract refuses inputs ≥ r too).
    if fr_bytes(&value) != bytes {
        return Err(Groth16Error::file(
            "public_input",
            "not below the scalar field modulus r",
        ));
    }
    Ok(value)
}

/// Reads either proof file, dispatching on its `format`.
pub fn read_proof_file(path: &Path) -> Result<ReadProof, Groth16Error> {
    let what = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Groth16Error::file(&what, e))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Groth16Error::file(&what, e))?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(bulwark_contracts::proof::PROOF_FORMAT) => {
            let file = ProofFile::from_json(&text)?;
            Ok(ReadProof {
                wrapped: WrappedProof {
                    proof: proof_from_words(&file.proof)?,
                    public_input: public_input(&file.public_input)?,
                },
                circuit_digest: parse_word("circuit_digest", &file.circuit_digest)?,
            })
        }
        Some(COMPRESSED_FORMAT) => {
            let file: CompressedProofFile =
                serde_json::from_value(value).map_err(|e| Groth16Error::file(&what, e))?;
            if file.version != COMPRESSED_VERSION {
                return Err(Groth16Error::file(
                    format!("{what}: field `version`"),
                    format!("{}, this build reads {COMPRESSED_VERSION}", file.version),
                ));
            }
            let raw = file
                .proof
                .strip_prefix("0x")
                .and_then(|h| hex::decode(h).ok())
                .ok_or_else(|| {
                    Groth16Error::file(format!("{what}: field `proof`"), "not 0x-hex")
                })?;
            let proof = Proof::<Bn254>::deserialize_compressed(&raw[..]).map_err(|e| {
                Groth16Error::file(
                    format!("{what}: field `proof`"),
                    format!("not a valid proof: {e}"),
                )
            })?;
            Ok(ReadProof {
                wrapped: WrappedProof {
                    proof,
                    public_input: public_input(&file.public_input)?,
                },
                circuit_digest: parse_word("circuit_digest", &file.circuit_digest)?,
            })
        }
        other => Err(Groth16Error::file(
            format!("{what}: field `format`"),
            format!(
                "{other:?}, expected {:?} or {COMPRESSED_FORMAT:?}",
                bulwark_contracts::proof::PROOF_FORMAT
            ),
        )),
    }
}
