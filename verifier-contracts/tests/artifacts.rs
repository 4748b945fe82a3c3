//! The checked-in artifacts (`artifacts/*.json`) are what the sources compile to: runs
//! `artifacts.sh --check` (install the tools, `forge build`, compare). Regenerate with
//! `verifier-contracts/artifacts.sh`.

mod common;

use std::process::Command;

use bulwark_contracts::{export_keyed_verifier, export_verifier_with, ContractArtifact};
use common::{crate_dir, fixture_verifier_options, keys};

#[test]
fn artifacts_match_forge_build() {
    let dir = crate_dir();
    let out = Command::new("bash")
        .arg(dir.join("artifacts.sh"))
        .arg("--check")
        .current_dir(&dir)
        .output()
        .expect("run verifier-contracts/artifacts.sh (needs bash, node and npm)");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The fixture verifier's artifact was compiled from the source the generator writes for
/// the fixture key: key -> Solidity -> bytecode is checked without a compiler.
#[test]
fn fixture_verifier_artifact_is_compiled_from_the_generated_source() {
    let (_, vk) = keys();
    let source = export_verifier_with(&vk, &fixture_verifier_options()).unwrap();
    let artifact = ContractArtifact::fixture_verifier();
    assert!(artifact.compiled_from(&source));
    assert!(!artifact.compiled_from(&source.replace("Fixture", "Other")));
}

/// The keyed verifier's artifact was compiled from the source the generator writes.
#[test]
fn keyed_verifier_artifact_is_compiled_from_the_generated_source() {
    let artifact = ContractArtifact::keyed_verifier();
    assert_eq!(artifact.source_path, "src/KeyedGroth16Verifier.sol");
    assert!(artifact.compiled_from(&export_keyed_verifier()));
}
