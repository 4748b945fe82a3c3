//! The compiled contracts, checked in as `artifacts/<Contract>.json` (written by
//! `verifier-contracts/artifacts.sh` from `forge build`; `tests/artifacts.rs` fails when one is
//! stale). Deploying reads only these files, so no Solidity compiler is needed at run time.
//!
//! A verifier is generated per verifying key: `bulwark export-verifier` writes
//! `src/<Name>Groth16Verifier.sol`, and `artifacts.sh` (on a machine with node, at export
//! time) compiles it into `artifacts/<Name>Groth16Verifier.json`, which records the SHA-256
//! of the exact source it was compiled from ([`ContractArtifact::source_sha256`]), so a key's
//! source and bytecode can be matched without a compiler.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::ContractsError;

/// The `format` field of an artifact file.
pub const ARTIFACT_FORMAT: &str = "bulwark-contract-artifact";
/// The artifact file version this build reads.
pub const ARTIFACT_VERSION: u32 = 1;

/// The hub's artifact, embedded at build time.
pub const HUB_ARTIFACT_JSON: &str = include_str!("../artifacts/BulwarkHub.json");
/// The test fixture verifier's artifact (key `test/fixtures/vk.json`), embedded at build time.
pub const FIXTURE_VERIFIER_ARTIFACT_JSON: &str =
    include_str!("../artifacts/FixtureGroth16Verifier.json");

/// The keyed verifier's artifact (`src/KeyedGroth16Verifier.sol`: the key is given to the
/// constructor), embedded at build time.
pub const KEYED_VERIFIER_ARTIFACT_JSON: &str =
    include_str!("../artifacts/KeyedGroth16Verifier.json");

/// One compiled contract: what `tools/artifacts.js` writes.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractArtifact {
    /// Always [`ARTIFACT_FORMAT`].
    pub format: String,
    /// Always [`ARTIFACT_VERSION`].
    pub version: u32,
    /// The contract's name in its source.
    pub contract_name: String,
    /// The source file, relative to `verifier-contracts/`.
    pub source_path: String,
    /// Lower-case hex SHA-256 of the source file's bytes as compiled.
    pub source_sha256: String,
    /// The solc version (long form).
    pub compiler: String,
    /// Optimizer runs.
    pub optimizer_runs: u32,
    /// Target EVM version.
    pub evm_version: String,
    /// The ABI, as solc writes it.
    pub abi: serde_json::Value,
    /// Creation code, `0x`-prefixed hex (constructor arguments are appended to it).
    pub bytecode: String,
    /// Runtime code, `0x`-prefixed hex (what the chain holds after deployment).
    pub deployed_bytecode: String,
    /// Byte offsets in the runtime code of each `immutable`, by name (32 bytes each). solc
    /// leaves them zero in [`Self::deployed_bytecode`]; the constructor fills them in.
    #[serde(default)]
    pub immutable_references: BTreeMap<String, Vec<usize>>,
}

fn decode_hex(field: &str, s: &str) -> Result<Vec<u8>, ContractsError> {
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| ContractsError::field(field, "expected 0x-prefixed hex"))?;
    let bytes = hex::decode(digits).map_err(|e| ContractsError::field(field, e.to_string()))?;
    if bytes.is_empty() {
        return Err(ContractsError::field(
            field,
            "empty: not a deployable contract (an interface or abstract contract?)",
        ));
    }
    Ok(bytes)
}

impl ContractArtifact {
    /// Parses and checks an artifact file's text.
    pub fn from_json(text: &str) -> Result<Self, ContractsError> {
        let a: ContractArtifact = serde_json::from_str(text)?;
        if a.format != ARTIFACT_FORMAT {
            return Err(ContractsError::Format {
                expected: ARTIFACT_FORMAT,
                found: a.format,
            });
        }
        if a.version != ARTIFACT_VERSION {
            return Err(ContractsError::Version {
                supported: ARTIFACT_VERSION,
                found: a.version,
            });
        }
        a.creation_code()?;
        a.runtime_code()?;
        Ok(a)
    }

    /// The checked-in hub artifact.
    pub fn hub() -> Self {
        Self::from_json(HUB_ARTIFACT_JSON).expect("checked-in hub artifact parses")
    }

    /// The checked-in test fixture verifier artifact.
    pub fn fixture_verifier() -> Self {
        Self::from_json(FIXTURE_VERIFIER_ARTIFACT_JSON)
            .expect("checked-in fixture verifier artifact parses")
    }

    /// The checked-in keyed verifier artifact ([`crate::export_keyed_verifier`]).
    pub fn keyed_verifier() -> Self {
        Self::from_json(KEYED_VERIFIER_ARTIFACT_JSON)
            .expect("checked-in keyed verifier artifact parses")
    }

    /// The runtime code a deployment holds once its constructor set the immutables to
    /// `values` (by name; every immutable must be given, and no other name).
    pub fn runtime_code_with(
        &self,
        values: &BTreeMap<&str, [u8; 32]>,
    ) -> Result<Vec<u8>, ContractsError> {
        let mut code = self.runtime_code()?;
        for name in values.keys() {
            if !self.immutable_references.contains_key(*name) {
                return Err(ContractsError::field(
                    "immutableReferences",
                    format!("{} has no immutable {name}", self.contract_name),
                ));
            }
        }
        for (name, offsets) in &self.immutable_references {
            let value = values.get(name.as_str()).ok_or_else(|| {
                ContractsError::field("immutableReferences", format!("no value for {name}"))
            })?;
            for &at in offsets {
                let slot = code.get_mut(at..at + 32).ok_or_else(|| {
                    ContractsError::field(
                        "immutableReferences",
                        format!("{name} at byte {at} is past the runtime code"),
                    )
                })?;
                if slot.iter().any(|&b| b != 0) {
                    return Err(ContractsError::field(
                        "immutableReferences",
                        format!("{name} at byte {at}: the runtime code is not zero there"),
                    ));
                }
                slot.copy_from_slice(value);
            }
        }
        Ok(code)
    }

    /// The creation code.
    pub fn creation_code(&self) -> Result<Vec<u8>, ContractsError> {
        decode_hex("bytecode", &self.bytecode)
    }

    /// The runtime code.
    pub fn runtime_code(&self) -> Result<Vec<u8>, ContractsError> {
        decode_hex("deployedBytecode", &self.deployed_bytecode)
    }

    /// Whether this artifact was compiled from exactly `source` (e.g. the Solidity that
    /// [`crate::export_verifier_with`] generates for a key).
    pub fn compiled_from(&self, source: &str) -> bool {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(source.as_bytes())) == self.source_sha256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_artifacts_parse() {
        let hub = ContractArtifact::hub();
        assert_eq!(hub.contract_name, "BulwarkHub");
        // EIP-170: the hub must be deployable on mainnet.
        assert!(hub.runtime_code().unwrap().len() <= 24_576);
        let v = ContractArtifact::fixture_verifier();
        assert_eq!(v.source_path, "test/fixtures/FixtureGroth16Verifier.sol");
    }

    #[test]
    fn immutables_are_filled_by_name_and_all_of_them() {
        let keyed = ContractArtifact::keyed_verifier();
        assert_eq!(keyed.immutable_references.len(), 19);
        let mut values: BTreeMap<&str, [u8; 32]> = keyed
            .immutable_references
            .keys()
            .map(|k| (k.as_str(), [0xcd; 32]))
            .collect();
        let code = keyed.runtime_code_with(&values).unwrap();
        let at = keyed.immutable_references["CIRCUIT_DIGEST"][0];
        assert_eq!(code[at..at + 32], [0xcd; 32]);
        assert_eq!(code.len(), keyed.runtime_code().unwrap().len());
        values.remove("ALPHA_X");
        let err = keyed.runtime_code_with(&values).unwrap_err();
        assert!(err.to_string().contains("no value for ALPHA_X"), "{err}");
        values.insert("ALPHA_X", [1; 32]);
        values.insert("NOT_THERE", [1; 32]);
        let err = keyed.runtime_code_with(&values).unwrap_err();
        assert!(err.to_string().contains("no immutable NOT_THERE"), "{err}");
    }

    #[test]
    fn bad_artifacts_are_refused_by_field() {
        let mut v: serde_json::Value = serde_json::from_str(HUB_ARTIFACT_JSON).unwrap();
        v["format"] = "other".into();
        assert!(matches!(
            ContractArtifact::from_json(&v.to_string()),
            Err(ContractsError::Format { .. })
        ));
        v["format"] = ARTIFACT_FORMAT.into();
        v["version"] = 2.into();
        assert!(matches!(
            ContractArtifact::from_json(&v.to_string()),
            Err(ContractsError::Version { found: 2, .. })
        ));
        v["version"] = 1.into();
        v["bytecode"] = "0x".into();
        let err = ContractArtifact::from_json(&v.to_string()).unwrap_err();
        assert!(err.to_string().contains("field `bytecode`"), "{err}");
        v["bytecode"] = "0xzz".into();
        assert!(ContractArtifact::from_json(&v.to_string()).is_err());
    }
}
