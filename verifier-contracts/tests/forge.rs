//! Runs the Foundry project's tests (`verifier-contracts/test.sh`: `npm ci` of the pinned
//! tools, then `forge test`) as part of `cargo test`, and fails when any Solidity test fails.

use std::process::Command;

#[test]
fn forge_tests_pass() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("bash")
        .arg(dir.join("test.sh"))
        .current_dir(dir)
        .output()
        .expect("run verifier-contracts/test.sh (needs bash, node and npm)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Keep the cargo log short: the summary lines on success, everything on failure.
    if out.status.success() {
        for line in stdout
            .lines()
            .filter(|l| l.starts_with("Ran ") || l.starts_with("Suite"))
        {
            println!("{line}");
        }
    } else {
        panic!("forge test failed ({}):\n{stdout}\n{stderr}", out.status);
    }
}
