//! The state store: one redb file per chain holding accounts, tree nodes and metadata.

use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use crate::account::{Account, ACCOUNT_BYTES};
use crate::config::ChainConfig;
use crate::error::StateError;
use crate::tree::{Hash, MerkleProof, SparseMerkleTree, NODES};

/// Accounts by index; empty slots are absent.
pub(crate) const ACCOUNTS: TableDefinition<u32, [u8; ACCOUNT_BYTES]> =
    TableDefinition::new("accounts");
/// Metadata by name.
pub(crate) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// File name of the database inside a state directory.
pub const STATE_FILE: &str = "state.redb";
/// Format marker stored in the metadata; a store with another one is refused.
pub const STATE_FORMAT: &[u8] = b"bulwark-state/1";

pub(crate) mod meta {
    pub const FORMAT: &str = "format";
    pub const CONFIG: &str = "config";
    pub const NEXT_DEPOSIT: &str = "next_deposit";
    pub const BATCHES: &str = "batches_applied";
}

/// A chain's state on disk. Every mutation is one redb write transaction: a crash leaves
/// the state of the last committed batch.
pub struct StateStore {
    pub(crate) db: Database,
    pub(crate) config: ChainConfig,
    pub(crate) tree: SparseMerkleTree,
    path: PathBuf,
}

impl std::fmt::Debug for StateStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateStore")
            .field("path", &self.path)
            .field("config", &self.config)
            .finish()
    }
}

impl StateStore {
    /// Creates the genesis state (every slot empty) in `dir`, which may exist but must not
    /// hold a store already.
    pub fn genesis(dir: &Path, config: ChainConfig) -> Result<Self, StateError> {
        config.validate()?;
        let path = dir.join(STATE_FILE);
        if path.exists() {
            return Err(StateError::AlreadyExists(path));
        }
        std::fs::create_dir_all(dir)?;
        // Build under a temporary name and rename, so a crash never leaves a half-made store.
        let tmp = dir.join(format!("{STATE_FILE}.genesis-tmp"));
        let _ = std::fs::remove_file(&tmp);
        {
            let db = Database::create(&tmp)?;
            let txn = db.begin_write()?;
            {
                let mut m = txn.open_table(META)?;
                m.insert(meta::FORMAT, STATE_FORMAT)?;
                let cfg = serde_json::to_vec(&config).expect("config serializes");
                m.insert(meta::CONFIG, cfg.as_slice())?;
                m.insert(meta::NEXT_DEPOSIT, 0u64.to_le_bytes().as_slice())?;
                m.insert(meta::BATCHES, 0u64.to_le_bytes().as_slice())?;
                txn.open_table(ACCOUNTS)?;
                txn.open_table(NODES)?;
            }
            txn.commit()?;
        }
        std::fs::rename(&tmp, &path)?;
        Self::open(dir)
    }

    /// Opens the store in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StateError> {
        let path = dir.join(STATE_FILE);
        if !path.is_file() {
            return Err(StateError::NotFound(dir.to_path_buf()));
        }
        let db = Database::open(&path)?;
        let config = {
            let txn = db.begin_read()?;
            let m = txn
                .open_table(META)
                .map_err(|e| StateError::Corrupt(e.to_string()))?;
            let format = m.get(meta::FORMAT)?.map(|v| v.value().to_vec());
            if format.as_deref() != Some(STATE_FORMAT) {
                return Err(StateError::Corrupt(format!(
                    "format marker {:?}",
                    format.map(|f| String::from_utf8_lossy(&f).into_owned())
                )));
            }
            let cfg = m
                .get(meta::CONFIG)?
                .ok_or_else(|| StateError::Corrupt("no chain config".into()))?;
            let config: ChainConfig = serde_json::from_slice(cfg.value())
                .map_err(|e| StateError::Corrupt(format!("chain config: {e}")))?;
            config.validate()?;
            config
        };
        Ok(StateStore {
            db,
            tree: SparseMerkleTree::new(config.tree_depth),
            config,
            path,
        })
    }

    /// The chain's parameters.
    pub fn config(&self) -> &ChainConfig {
        &self.config
    }

    /// The current state root.
    pub fn root(&self) -> Result<Hash, StateError> {
        let txn = self.db.begin_read()?;
        Ok(self.tree.root(&txn.open_table(NODES)?)?)
    }

    /// The account at `index` (the empty account for an empty slot).
    pub fn account(&self, index: u32) -> Result<Account, StateError> {
        let txn = self.db.begin_read()?;
        read_account(&txn.open_table(ACCOUNTS)?, index)
    }

    /// The account at `index` with its membership proof against [`StateStore::root`].
    pub fn account_with_proof(
        &self,
        index: u32,
    ) -> Result<(Account, MerkleProof, Hash), StateError> {
        let txn = self.db.begin_read()?;
        let nodes = txn.open_table(NODES)?;
        let account = read_account(&txn.open_table(ACCOUNTS)?, index)?;
        Ok((
            account,
            self.tree.proof(&nodes, index)?,
            self.tree.root(&nodes)?,
        ))
    }

    /// Index of the next deposit the L1 queue must deliver.
    pub fn next_deposit_index(&self) -> Result<u64, StateError> {
        self.meta_u64(meta::NEXT_DEPOSIT)
    }

    /// Number of batches applied since genesis.
    pub fn batches_applied(&self) -> Result<u64, StateError> {
        self.meta_u64(meta::BATCHES)
    }

    fn meta_u64(&self, key: &str) -> Result<u64, StateError> {
        let txn = self.db.begin_read()?;
        let m = txn.open_table(META)?;
        let v = m
            .get(key)?
            .ok_or_else(|| StateError::Corrupt(format!("missing {key}")))?;
        let bytes: [u8; 8] = v
            .value()
            .try_into()
            .map_err(|_| StateError::Corrupt(format!("bad {key}")))?;
        Ok(u64::from_le_bytes(bytes))
    }

    /// Every non-empty account, by index.
    pub fn accounts(&self) -> Result<Vec<(u32, Account)>, StateError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(ACCOUNTS)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (k, v) = entry?;
            out.push((k.value(), Account::from_bytes(&v.value())));
        }
        Ok(out)
    }

    /// Recomputes the root from the stored accounts alone and compares it with the stored
    /// tree: detects any disagreement between the two tables.
    pub fn check_integrity(&self) -> Result<Hash, StateError> {
        let accounts = self.accounts()?;
        let expected = self
            .tree
            .root_of(accounts.iter().map(|(i, a)| (*i, a.leaf_hash())));
        let stored = self.root()?;
        if expected != stored {
            return Err(StateError::Corrupt(format!(
                "stored root {} differs from the root of the stored accounts {}",
                crate::tree::hash_to_hex(&stored),
                crate::tree::hash_to_hex(&expected)
            )));
        }
        Ok(stored)
    }
}

pub(crate) fn read_account(
    table: &impl ReadableTable<u32, [u8; ACCOUNT_BYTES]>,
    index: u32,
) -> Result<Account, StateError> {
    Ok(table
        .get(index)?
        .map(|v| Account::from_bytes(&v.value()))
        .unwrap_or(Account::EMPTY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_with_another_format_marker_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::genesis(dir.path(), ChainConfig::new(1)).unwrap();
        let txn = store.db.begin_write().unwrap();
        txn.open_table(META)
            .unwrap()
            .insert(meta::FORMAT, b"bulwark-state/999".as_slice())
            .unwrap();
        txn.commit().unwrap();
        drop(store);
        let err = StateStore::open(dir.path()).unwrap_err();
        assert!(matches!(err, StateError::Corrupt(_)), "{err}");
        assert!(err.to_string().contains("bulwark-state/999"), "{err}");
    }

    #[test]
    fn genesis_refuses_an_invalid_config_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let bad = ChainConfig {
            tree_depth: 40,
            ..ChainConfig::new(1)
        };
        assert!(matches!(
            StateStore::genesis(dir.path(), bad),
            Err(StateError::Config(_))
        ));
        assert!(!dir.path().join(STATE_FILE).exists());
    }
}
