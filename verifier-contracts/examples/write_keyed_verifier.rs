//! Writes `src/KeyedGroth16Verifier.sol` from the generator (`export_keyed_verifier`); then
//! `./artifacts.sh` compiles it into `artifacts/KeyedGroth16Verifier.json`. Run after
//! changing the generator: `cargo run --release -p bulwark-contracts --example
//! write_keyed_verifier`. `tests/artifacts.rs` fails while either file is stale.

fn main() -> std::io::Result<()> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(format!(
            "{}.sol",
            bulwark_contracts::solidity::KEYED_VERIFIER_NAME
        ));
    let tmp = path.with_extension("sol.tmp");
    std::fs::write(&tmp, bulwark_contracts::export_keyed_verifier())?;
    std::fs::rename(&tmp, &path)?;
    println!("wrote {}", path.display());
    Ok(())
}
