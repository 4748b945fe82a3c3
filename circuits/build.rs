//! Fingerprints the sources that define the circuits (see `CODE_FINGERPRINT` in lib.rs).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let roots = [
        manifest.join("src"),
        manifest.join("Cargo.toml"),
        manifest.join("../state/src"),
        // Dependency versions (plonky2 above all) shape the built circuits too.
        manifest.join("../Cargo.lock"),
    ];
    let mut files = Vec::new();
    for root in &roots {
        println!("cargo:rerun-if-changed={}", root.display());
        if root.is_dir() {
            collect(root, &mut files);
        } else {
            files.push(root.clone());
        }
    }
    files.sort();
    let mut hash = Sha256::new();
    for file in &files {
        // Paths relative to the workspace, so the fingerprint does not depend on where the
        // checkout lives; length-prefixed so file boundaries are unambiguous.
        let name = file
            .strip_prefix(manifest.parent().expect("workspace"))
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let contents = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        hash.update((name.len() as u64).to_le_bytes());
        hash.update(name.as_bytes());
        hash.update((contents.len() as u64).to_le_bytes());
        hash.update(&contents);
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("out dir")).join("code_fingerprint");
    std::fs::write(out, hex(&hash.finalize())).expect("writing the fingerprint");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
