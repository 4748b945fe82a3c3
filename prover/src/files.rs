//! Reading and writing the CLI's files: atomically, with errors that name the file.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use bulwark_state::{Batch, KeyFile, SecretKey};

/// A file operation that failed, naming the file and what was being done.
#[derive(Debug, thiserror::Error)]
#[error("{action} {}: {source}", path.display())]
pub struct FileError {
    /// What was being done ("writing", "reading", ...).
    pub action: &'static str,
    /// The file (or folder) concerned.
    pub path: PathBuf,
    /// The underlying error.
    #[source]
    pub source: std::io::Error,
}

impl FileError {
    /// Wraps `source` with the action and path it happened in.
    pub fn new(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Writes `contents` to `path` atomically: a temporary file in the same folder, synced,
/// then renamed over the target, so a crash leaves either the old file or the new one.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), FileError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| FileError::new("creating a temporary file in", dir, e))?;
    std::io::Write::write_all(&mut tmp, contents)
        .map_err(|e| FileError::new("writing", path, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| FileError::new("syncing", path, e))?;
    tmp.persist(path)
        .map_err(|e| FileError::new("replacing", path, e.error))?;
    Ok(())
}

/// Reads and parses a batch file.
pub fn read_batch(path: &Path) -> Result<Batch> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading batch file {}", path.display()))?;
    Batch::from_json(&text).with_context(|| format!("batch file {}", path.display()))
}

/// Reads a key file and checks that its secret and public keys match.
pub fn read_key(path: &Path) -> Result<SecretKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading key file {}", path.display()))?;
    let file: KeyFile = serde_json::from_str(&text)
        .with_context(|| format!("key file {}: malformed JSON", path.display()))?;
    if file.format != "bulwark-key" || file.version != 1 {
        anyhow::bail!(
            "key file {}: field `format`/`version`: expected bulwark-key version 1",
            path.display()
        );
    }
    file.secret_key()
        .with_context(|| format!("key file {}", path.display()))
}
