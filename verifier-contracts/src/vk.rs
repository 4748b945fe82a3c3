//! The versioned verifying-key file, `vk.json` (format `bulwark-groth16-vk`, version 1).
//!
//! `bulwark setup` writes it; `bulwark export-verifier` reads it. Every field element is
//! a `0x`-prefixed, 64-digit big-endian hex string (a canonical value below the BN254 base
//! field modulus p). A G1 point is `{"x", "y"}`; a G2 point is `{"x": {"c0", "c1"}, "y":
//! {"c0", "c1"}}` where an Fq2 element is `c0 + c1·u` (arkworks' order; the EVM's pairing
//! precompile takes `c1` first, which the generator handles). Points at infinity, points off
//! the curve and points outside the prime-order subgroup are refused on reading.
//!
//! ```json
//! {
//!   "format": "bulwark-groth16-vk",
//!   "version": 1,
//!   "curve": "bn254",
//!   "circuit_digest": "0x…32 bytes…",
//!   "num_public_inputs": 1,
//!   "alpha_g1": {"x": "0x…", "y": "0x…"},
//!   "beta_g2":  {"x": {"c0": "0x…", "c1": "0x…"}, "y": {"c0": "0x…", "c1": "0x…"}},
//!   "gamma_g2": {…}, "delta_g2": {…},
//!   "ic": [{"x": "0x…", "y": "0x…"}, {"x": "0x…", "y": "0x…"}]
//! }
//! ```
//!
//! `circuit_digest` identifies the circuit the key belongs to (the wrapper's digest of the
//! wrap-layer verifier data); the generated contract exposes it as `CIRCUIT_DIGEST`.

use ark_bn254::{Bn254, Fq, Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, PrimeField};
use ark_groth16::VerifyingKey;
use serde::{Deserialize, Serialize};

use crate::error::ContractsError;

/// The `format` tag of a verifying-key file.
pub const VK_FORMAT: &str = "bulwark-groth16-vk";
/// The version of the verifying-key format this build reads and writes.
pub const VK_VERSION: u32 = 1;

/// A G1 point as written in JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct G1Json {
    /// x coordinate.
    pub x: String,
    /// y coordinate.
    pub y: String,
}

/// An Fq2 element `c0 + c1·u` as written in JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fq2Json {
    /// The real part.
    pub c0: String,
    /// The coefficient of `u`.
    pub c1: String,
}

/// A G2 point as written in JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct G2Json {
    /// x coordinate.
    pub x: Fq2Json,
    /// y coordinate.
    pub y: Fq2Json,
}

/// The on-disk verifying key (`vk.json`), exactly as serialized.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VkFile {
    /// Always [`VK_FORMAT`].
    pub format: String,
    /// Always [`VK_VERSION`] for files this build writes.
    pub version: u32,
    /// Always `"bn254"`.
    pub curve: String,
    /// 32-byte digest of the circuit the key verifies, `0x`-hex.
    pub circuit_digest: String,
    /// Number of public inputs (`ic.len() - 1`).
    pub num_public_inputs: usize,
    /// `alpha` in G1.
    pub alpha_g1: G1Json,
    /// `beta` in G2.
    pub beta_g2: G2Json,
    /// `gamma` in G2.
    pub gamma_g2: G2Json,
    /// `delta` in G2.
    pub delta_g2: G2Json,
    /// The input commitments: `ic[0] + Σ input_i · ic[i+1]`.
    pub ic: Vec<G1Json>,
}

/// `0x` + 64 hex digits of a base-field element, big-endian.
pub fn fq_hex(v: &Fq) -> String {
    format!("0x{}", hex::encode(fq_bytes(v)))
}

/// The 32 big-endian bytes of a base-field element.
pub fn fq_bytes(v: &Fq) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, limb) in v.into_bigint().0.iter().enumerate() {
        out[32 - 8 * (i + 1)..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
    }
    out
}

/// Parses 32 big-endian bytes as a base-field element; `None` when not below p.
pub fn fq_from_bytes(bytes: &[u8; 32]) -> Option<Fq> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        *limb = u64::from_be_bytes(bytes[32 - 8 * (i + 1)..32 - 8 * i].try_into().unwrap());
    }
    Fq::from_bigint(BigInt(limbs))
}

/// Parses `0x` + 64 hex digits into 32 bytes, naming `field` on failure.
pub fn parse_word(field: &str, s: &str) -> Result<[u8; 32], ContractsError> {
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| ContractsError::field(field, "expected a 0x-prefixed hex string"))?;
    if digits.len() != 64 {
        return Err(ContractsError::field(
            field,
            format!("expected 64 hex digits, found {}", digits.len()),
        ));
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(digits, &mut out)
        .map_err(|e| ContractsError::field(field, format!("not hex: {e}")))?;
    Ok(out)
}

fn parse_fq(field: &str, s: &str) -> Result<Fq, ContractsError> {
    fq_from_bytes(&parse_word(field, s)?)
        .ok_or_else(|| ContractsError::field(field, "not below the base field modulus p"))
}

fn g1_json(p: &G1Affine) -> G1Json {
    let (x, y) = p.xy().expect("checked: not infinity");
    G1Json {
        x: fq_hex(&x),
        y: fq_hex(&y),
    }
}

fn fq2_json(v: &Fq2) -> Fq2Json {
    Fq2Json {
        c0: fq_hex(&v.c0),
        c1: fq_hex(&v.c1),
    }
}

fn g2_json(p: &G2Affine) -> G2Json {
    let (x, y) = p.xy().expect("checked: not infinity");
    G2Json {
        x: fq2_json(&x),
        y: fq2_json(&y),
    }
}

fn parse_g1(field: &str, j: &G1Json) -> Result<G1Affine, ContractsError> {
    let x = parse_fq(&format!("{field}.x"), &j.x)?;
    let y = parse_fq(&format!("{field}.y"), &j.y)?;
    let p = G1Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err(ContractsError::field(
            field,
            "point is not on the BN254 G1 curve",
        ));
    }
    // G1 of BN254 has prime order, so every curve point is in the subgroup; checked anyway.
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(ContractsError::field(
            field,
            "point is not in the G1 subgroup",
        ));
    }
    Ok(p)
}

fn parse_g2(field: &str, j: &G2Json) -> Result<G2Affine, ContractsError> {
    let x = Fq2::new(
        parse_fq(&format!("{field}.x.c0"), &j.x.c0)?,
        parse_fq(&format!("{field}.x.c1"), &j.x.c1)?,
    );
    let y = Fq2::new(
        parse_fq(&format!("{field}.y.c0"), &j.y.c0)?,
        parse_fq(&format!("{field}.y.c1"), &j.y.c1)?,
    );
    let p = G2Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err(ContractsError::field(
            field,
            "point is not on the BN254 G2 twist",
        ));
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(ContractsError::field(
            field,
            "point is not in the G2 subgroup of order r",
        ));
    }
    Ok(p)
}

/// Refuses a key with a point at infinity: such a key is broken (or malicious) and cannot be
/// written in the EVM's point encoding anyway.
pub(crate) fn check_finite(vk: &VerifyingKey<Bn254>) -> Result<(), ContractsError> {
    let g1 = std::iter::once(("alpha_g1".to_string(), vk.alpha_g1)).chain(
        vk.gamma_abc_g1
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("ic[{i}]"), *p)),
    );
    for (name, p) in g1 {
        if p.is_zero() {
            return Err(ContractsError::field(name, "point at infinity"));
        }
    }
    for (name, p) in [
        ("beta_g2", vk.beta_g2),
        ("gamma_g2", vk.gamma_g2),
        ("delta_g2", vk.delta_g2),
    ] {
        if p.is_zero() {
            return Err(ContractsError::field(name, "point at infinity"));
        }
    }
    Ok(())
}

impl VkFile {
    /// The file form of an arkworks key, tagged with the circuit's digest.
    pub fn from_vk(
        vk: &VerifyingKey<Bn254>,
        circuit_digest: [u8; 32],
    ) -> Result<Self, ContractsError> {
        check_finite(vk)?;
        if vk.gamma_abc_g1.is_empty() {
            return Err(ContractsError::field("ic", "empty"));
        }
        Ok(VkFile {
            format: VK_FORMAT.to_string(),
            version: VK_VERSION,
            curve: "bn254".to_string(),
            circuit_digest: format!("0x{}", hex::encode(circuit_digest)),
            num_public_inputs: vk.gamma_abc_g1.len() - 1,
            alpha_g1: g1_json(&vk.alpha_g1),
            beta_g2: g2_json(&vk.beta_g2),
            gamma_g2: g2_json(&vk.gamma_g2),
            delta_g2: g2_json(&vk.delta_g2),
            ic: vk.gamma_abc_g1.iter().map(g1_json).collect(),
        })
    }

    /// Parses and checks a `vk.json` text (format, version, every point).
    pub fn from_json(text: &str) -> Result<Self, ContractsError> {
        let file: VkFile = serde_json::from_str(text)?;
        file.to_vk()?;
        Ok(file)
    }

    /// The pretty-printed JSON text, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("plain data serializes");
        s.push('\n');
        s
    }

    /// The circuit digest as bytes.
    pub fn circuit_digest(&self) -> Result<[u8; 32], ContractsError> {
        parse_word("circuit_digest", &self.circuit_digest)
    }

    /// Checks the header and every point, and returns the arkworks key.
    pub fn to_vk(&self) -> Result<VerifyingKey<Bn254>, ContractsError> {
        if self.format != VK_FORMAT {
            return Err(ContractsError::Format {
                expected: VK_FORMAT,
                found: self.format.clone(),
            });
        }
        if self.version != VK_VERSION {
            return Err(ContractsError::Version {
                supported: VK_VERSION,
                found: self.version,
            });
        }
        if self.curve != "bn254" {
            return Err(ContractsError::field("curve", "expected \"bn254\""));
        }
        self.circuit_digest()?;
        if self.ic.len() != self.num_public_inputs + 1 {
            return Err(ContractsError::field(
                "ic",
                format!(
                    "expected num_public_inputs + 1 = {} points, found {}",
                    self.num_public_inputs + 1,
                    self.ic.len()
                ),
            ));
        }
        let ic = self
            .ic
            .iter()
            .enumerate()
            .map(|(i, p)| parse_g1(&format!("ic[{i}]"), p))
            .collect::<Result<Vec<_>, _>>()?;
        let vk = VerifyingKey {
            alpha_g1: parse_g1("alpha_g1", &self.alpha_g1)?,
            beta_g2: parse_g2("beta_g2", &self.beta_g2)?,
            gamma_g2: parse_g2("gamma_g2", &self.gamma_g2)?,
            delta_g2: parse_g2("delta_g2", &self.delta_g2)?,
            gamma_abc_g1: ic,
        };
        check_finite(&vk)?;
        Ok(vk)
    }
}
