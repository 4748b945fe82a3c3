//! The circuit cache: the leaf and aggregation circuits, built once and kept on disk.
//!
//! Building the circuits takes far longer than reading them back, so they are stored under
//! a folder per *key*: a hash of the circuit parameters ([`CircuitParams`]: ops per leaf,
//! tree depth, balance bound), the plonky2 configuration and
//! [`bulwark_circuits::CODE_FINGERPRINT`] (the circuit sources). Circuits built from other
//! code or for other parameters live under another key, so a stale entry is never found,
//! let alone used. Beside the data, `meta.json` records what the entry is for, the SHA-256
//! of each file and the circuit digests; a loaded entry must match all of them. An entry
//! that is missing, corrupt, truncated or disagrees with its record is rebuilt (with a
//! warning when it existed) and rewritten atomically.

use std::path::{Path, PathBuf};
use std::time::Instant;

use bulwark_circuits::leaf::{LeafCircuit, LeafParams};
use bulwark_circuits::node::Aggregation;
use bulwark_circuits::op::SlotParams;
use bulwark_circuits::serialization::{circuit_from_bytes, circuit_to_bytes};
use bulwark_circuits::{C, CODE_FINGERPRINT, D};
use plonky2::plonk::circuit_data::{CircuitConfig, VerifierOnlyCircuitData};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::files::{write_atomic, FileError};

/// The default K (ops per leaf proof), chosen by measurement (docs/prover.md, "Choosing
/// K"): about 510 rows per op fill a 2^15-row leaf, and four such leaves aggregate in three
/// node proofs, so a batch of 256 proves fastest. Smaller batches are padded to 4·K ops.
pub const DEFAULT_OPS_PER_LEAF: usize = 64;

/// The `format` of a cache entry's `meta.json`.
pub const CACHE_FORMAT: &str = "bulwark-circuit-cache";
/// The version of the cache entry layout.
pub const CACHE_VERSION: u32 = 1;

const META_FILE: &str = "meta.json";
const LEAF_FILE: &str = "leaf.bin";
const AGGREGATION_FILE: &str = "aggregation.bin";

/// Errors of the circuit cache.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// A file could not be read or written.
    #[error(transparent)]
    File(#[from] FileError),
    /// The circuits could not be built for these parameters.
    #[error("building the {what} circuit: {source:#}")]
    Build {
        /// Which circuit.
        what: &'static str,
        /// Why.
        source: anyhow::Error,
    },
    /// A freshly built circuit could not be serialized.
    #[error("serializing the {what} circuit: {source}")]
    Serialize {
        /// Which circuit.
        what: &'static str,
        /// Why.
        source: bulwark_circuits::serialization::SerializationError,
    },
    /// The parameters are out of range.
    #[error("circuit parameter `{field}`: {reason}")]
    Params {
        /// The parameter.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// What fixes the shape of the circuits: every proof of a deployment uses the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircuitParams {
    /// Op slots per leaf proof (K).
    pub ops_per_leaf: usize,
    /// Depth of the account tree.
    pub tree_depth: usize,
    /// The largest balance an account may hold.
    pub max_balance: u64,
}

impl CircuitParams {
    /// Checks the values the circuits can be built for.
    pub fn validate(&self) -> Result<(), CacheError> {
        let bad = |field, reason: &str| {
            Err(CacheError::Params {
                field,
                reason: reason.to_string(),
            })
        };
        if self.ops_per_leaf == 0 {
            return bad("ops_per_leaf", "must be at least 1");
        }
        if self.tree_depth == 0 || self.tree_depth > 32 {
            return bad("tree_depth", "must be between 1 and 32");
        }
        if self.max_balance == 0 || self.max_balance >= 1 << 62 {
            return bad("max_balance", "must be between 1 and 2^62 - 1");
        }
        Ok(())
    }

    /// The leaf circuit's parameters.
    pub fn leaf(&self) -> LeafParams {
        LeafParams {
            slot: SlotParams {
                depth: self.tree_depth,
                max_balance: self.max_balance,
            },
            ops: self.ops_per_leaf,
        }
    }

    /// The plonky2 configuration of leaf and aggregation proofs.
    pub fn config() -> CircuitConfig {
        CircuitConfig::standard_recursion_config()
    }

    /// The cache key: a hash of everything the built circuits depend on.
    pub fn cache_key(&self, fingerprint: &str) -> String {
        let mut h = Sha256::new();
        h.update(format!(
            "{CACHE_FORMAT}/{CACHE_VERSION}|code {fingerprint}|K {}|depth {}|max {}|config {:?}",
            self.ops_per_leaf,
            self.tree_depth,
            self.max_balance,
            Self::config()
        ));
        hex::encode(&h.finalize()[..16])
    }
}

/// The built circuits of one deployment.
pub struct Circuits {
    /// What they were built for.
    pub params: CircuitParams,
    /// The leaf circuit.
    pub leaf: LeafCircuit,
    /// The leaf-pair and node circuits.
    pub aggregation: Aggregation,
}

/// The circuit digests (hex) that identify a set of circuits; artifacts record them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircuitDigests {
    /// The leaf circuit's digest.
    pub leaf: String,
    /// The leaf-pair circuit's digest.
    pub pair: String,
    /// The node circuit's digest (the one the top proof is verified against).
    pub node: String,
}

/// The hex form of a circuit's digest.
pub fn digest_hex(vd: &VerifierOnlyCircuitData<C, D>) -> String {
    use plonky2::field::types::PrimeField64;
    let bytes: Vec<u8> = vd
        .circuit_digest
        .elements
        .iter()
        .flat_map(|e| e.to_canonical_u64().to_le_bytes())
        .collect();
    hex::encode(bytes)
}

impl Circuits {
    /// Builds the circuits from scratch (slow: minutes for large leaves).
    pub fn build(params: CircuitParams) -> Result<Self, CacheError> {
        params.validate()?;
        let _span = tracing::info_span!("build_circuits", k = params.ops_per_leaf).entered();
        let leaf = LeafCircuit::build(params.leaf(), CircuitParams::config());
        let aggregation =
            Aggregation::build(&leaf.data, &CircuitParams::config()).map_err(|source| {
                CacheError::Build {
                    what: "aggregation",
                    source,
                }
            })?;
        Ok(Self {
            params,
            leaf,
            aggregation,
        })
    }

    /// The circuits' digests.
    pub fn digests(&self) -> CircuitDigests {
        CircuitDigests {
            leaf: digest_hex(&self.leaf.data.verifier_only),
            pair: digest_hex(&self.aggregation.pair.data.verifier_only),
            node: digest_hex(&self.aggregation.node.data.verifier_only),
        }
    }
}

/// `meta.json` of a cache entry.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryMeta {
    format: String,
    version: u32,
    fingerprint: String,
    params: CircuitParams,
    digests: CircuitDigests,
    /// SHA-256 (hex) of `leaf.bin`.
    leaf_sha256: String,
    /// SHA-256 (hex) of `aggregation.bin`.
    aggregation_sha256: String,
}

/// How [`CircuitCache::load_or_build`] obtained the circuits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Read from the cache.
    Loaded,
    /// Built, because no entry existed.
    BuiltMissing,
    /// Built, because the entry existed but could not be used (the reason).
    Rebuilt(String),
}

/// A folder of cached circuits.
#[derive(Clone, Debug)]
pub struct CircuitCache {
    dir: PathBuf,
    fingerprint: String,
}

impl CircuitCache {
    /// The cache's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cache in `dir`, for circuits of this build's code.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self::with_fingerprint(dir, CODE_FINGERPRINT)
    }

    /// The cache in `dir` for circuits of code with another fingerprint (tests use it to
    /// play a code change).
    pub fn with_fingerprint(dir: impl Into<PathBuf>, fingerprint: &str) -> Self {
        Self {
            dir: dir.into(),
            fingerprint: fingerprint.to_string(),
        }
    }

    /// The default location: `$XDG_CACHE_HOME/bulwark`, else `~/.cache/bulwark`, else a
    /// `bulwark-cache` folder in the system's temporary folder.
    pub fn default_dir() -> PathBuf {
        let nonempty = |v: &str| std::env::var_os(v).filter(|s| !s.is_empty());
        if let Some(xdg) = nonempty("XDG_CACHE_HOME") {
            return PathBuf::from(xdg).join("bulwark");
        }
        if let Some(home) = nonempty("HOME") {
            return PathBuf::from(home).join(".cache").join("bulwark");
        }
        std::env::temp_dir().join("bulwark-cache")
    }

    /// The circuit-code fingerprint this cache serves.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The folder of the entry for `params`.
    pub fn entry_dir(&self, params: &CircuitParams) -> PathBuf {
        self.dir.join(params.cache_key(&self.fingerprint))
    }

    /// The circuits for `params`: from the cache when a valid entry exists, else built
    /// and stored.
    pub fn load_or_build(
        &self,
        params: CircuitParams,
    ) -> Result<(Circuits, CacheOutcome), CacheError> {
        params.validate()?;
        let dir = self.entry_dir(&params);
        let outcome = if dir.join(META_FILE).exists() {
            let started = Instant::now();
            match self.load(&dir, params) {
                Ok(circuits) => {
                    tracing::info!(
                        dir = %dir.display(),
                        ms = started.elapsed().as_millis() as u64,
                        "circuits loaded from the cache"
                    );
                    return Ok((circuits, CacheOutcome::Loaded));
                }
                Err(reason) => {
                    tracing::warn!(
                        dir = %dir.display(),
                        "cached circuits unusable ({reason}); rebuilding"
                    );
                    CacheOutcome::Rebuilt(reason)
                }
            }
        } else {
            CacheOutcome::BuiltMissing
        };
        let started = Instant::now();
        let circuits = Circuits::build(params)?;
        tracing::info!(
            secs = started.elapsed().as_secs_f64(),
            "circuits built; storing them in {}",
            dir.display()
        );
        self.store(&dir, &circuits)?;
        Ok((circuits, outcome))
    }

    /// Reads an entry; any disagreement with its record is an error (a reason to rebuild).
    fn load(&self, dir: &Path, params: CircuitParams) -> Result<Circuits, String> {
        let read =
            |name: &str| std::fs::read(dir.join(name)).map_err(|e| format!("reading {name}: {e}"));
        let meta: EntryMeta =
            serde_json::from_slice(&read(META_FILE)?).map_err(|e| format!("{META_FILE}: {e}"))?;
        if meta.format != CACHE_FORMAT || meta.version != CACHE_VERSION {
            return Err(format!(
                "{META_FILE}: format {} version {}, expected {CACHE_FORMAT} version {CACHE_VERSION}",
                meta.format, meta.version
            ));
        }
        if meta.fingerprint != self.fingerprint {
            return Err(format!(
                "built from circuit code {}, this code is {}",
                meta.fingerprint, self.fingerprint
            ));
        }
        if meta.params != params {
            return Err(format!("built for {:?}, wanted {params:?}", meta.params));
        }
        let leaf_bytes = read(LEAF_FILE)?;
        check_sha(LEAF_FILE, &leaf_bytes, &meta.leaf_sha256)?;
        let agg_bytes = read(AGGREGATION_FILE)?;
        check_sha(AGGREGATION_FILE, &agg_bytes, &meta.aggregation_sha256)?;
        let leaf_data = circuit_from_bytes(&leaf_bytes).map_err(|e| format!("{LEAF_FILE}: {e}"))?;
        let leaf = LeafCircuit::from_data(params.leaf(), CircuitParams::config(), leaf_data)
            .map_err(|e| format!("{LEAF_FILE}: {e}"))?;
        let aggregation = Aggregation::from_bytes(&agg_bytes)
            .map_err(|_| format!("{AGGREGATION_FILE}: not readable circuit data"))?;
        let circuits = Circuits {
            params,
            leaf,
            aggregation,
        };
        if circuits.digests() != meta.digests {
            return Err(format!(
                "digests {:?} differ from the recorded {:?}",
                circuits.digests(),
                meta.digests
            ));
        }
        Ok(circuits)
    }

    /// Writes an entry: data files first, the record last, each atomically, so a crash
    /// leaves no record pointing at missing data.
    fn store(&self, dir: &Path, circuits: &Circuits) -> Result<(), CacheError> {
        std::fs::create_dir_all(dir).map_err(|e| FileError::new("creating", dir, e))?;
        let leaf_bytes =
            circuit_to_bytes(&circuits.leaf.data).map_err(|source| CacheError::Serialize {
                what: "leaf",
                source,
            })?;
        let agg_bytes = circuits
            .aggregation
            .to_bytes()
            .map_err(|_| CacheError::Serialize {
                what: "aggregation",
                source: bulwark_circuits::serialization::SerializationError::Write,
            })?;
        write_atomic(&dir.join(LEAF_FILE), &leaf_bytes)?;
        write_atomic(&dir.join(AGGREGATION_FILE), &agg_bytes)?;
        let meta = EntryMeta {
            format: CACHE_FORMAT.into(),
            version: CACHE_VERSION,
            fingerprint: self.fingerprint.clone(),
            params: circuits.params,
            digests: circuits.digests(),
            leaf_sha256: sha256_hex(&leaf_bytes),
            aggregation_sha256: sha256_hex(&agg_bytes),
        };
        let json = serde_json::to_vec_pretty(&meta).expect("cache records serialize");
        write_atomic(&dir.join(META_FILE), &json)?;
        Ok(())
    }
}

/// The SHA-256 of `bytes`, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn check_sha(name: &str, bytes: &[u8], recorded: &str) -> Result<(), String> {
    let actual = sha256_hex(bytes);
    if actual == recorded {
        Ok(())
    } else {
        Err(format!(
            "{name} is corrupt or truncated ({} bytes, SHA-256 {actual}, recorded {recorded})",
            bytes.len()
        ))
    }
}
