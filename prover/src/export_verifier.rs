//! `bulwark export-verifier`: writes the Solidity Groth16 verifier for a `vk.json`
//! (format `bulwark-groth16-vk`, see `bulwark_contracts::vk`).

use std::path::Path;

use anyhow::{Context, Result};
use bulwark_contracts::{export_verifier_with, VerifierOptions, VkFile};

use crate::files::write_atomic;

/// What `export-verifier` wrote.
#[derive(Debug, serde::Serialize)]
pub struct ExportReport {
    /// The Solidity file written.
    pub out: String,
    /// The contract's name.
    pub contract: String,
    /// The circuit digest embedded as `CIRCUIT_DIGEST`.
    pub circuit_digest: String,
}

/// Reads and checks `vk`, generates the verifier contract `contract` and writes it to `out`.
pub fn export(vk: &Path, out: &Path, contract: &str) -> Result<ExportReport> {
    let text = std::fs::read_to_string(vk).with_context(|| format!("reading {}", vk.display()))?;
    let file = VkFile::from_json(&text).with_context(|| format!("{}", vk.display()))?;
    let key = file.to_vk().with_context(|| format!("{}", vk.display()))?;
    let options = VerifierOptions {
        contract_name: contract.to_string(),
        circuit_digest: file.circuit_digest()?,
        source: format!("verifying key {}", vk.display()).replace('\n', " "),
    };
    let sol = export_verifier_with(&key, &options).context("generating the verifier")?;
    write_atomic(out, sol.as_bytes()).with_context(|| format!("writing {}", out.display()))?;
    Ok(ExportReport {
        out: out.display().to_string(),
        contract: contract.to_string(),
        circuit_digest: file.circuit_digest,
    })
}
