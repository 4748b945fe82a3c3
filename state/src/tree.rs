//! The sparse Merkle tree of accounts: Poseidon over Goldilocks, nodes stored in redb.
//!
//! Level 0 holds leaf hashes, level `depth` the root. Internal nodes are plonky2's
//! `PoseidonHash::two_to_one(left, right)`. Only nodes that differ from the empty subtree
//! of their level are stored; the empty-subtree hashes are precomputed. The depth is fixed
//! per deployment and every proof has exactly `depth` siblings, so a leaf can never be
//! confused with an internal node.

use std::collections::BTreeMap;

use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;
use plonky2_field::types::{Field, Field64, PrimeField64};
use redb::{ReadableTable, Table, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::ecgfp5::Fp;

/// A Poseidon digest: four Goldilocks elements.
pub type Hash = HashOut<Fp>;

/// The redb table the tree keeps its nodes in, keyed by `level << 32 | index` (any redb
/// database can hold a tree).
pub const NODES: TableDefinition<u64, [u8; 32]> = TableDefinition::new("smt_nodes");

fn node_key(level: u8, index: u64) -> u64 {
    ((level as u64) << 32) | index
}

/// The 32-byte form of a digest: four 8-byte little-endian limbs.
pub fn hash_to_bytes(h: &Hash) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, e) in out.chunks_exact_mut(8).zip(h.elements) {
        chunk.copy_from_slice(&e.to_canonical_u64().to_le_bytes());
    }
    out
}

/// Inverse of [`hash_to_bytes`]; `None` for a non-canonical limb.
pub fn hash_from_bytes(bytes: &[u8; 32]) -> Option<Hash> {
    let mut elements = [Fp::ZERO; 4];
    for (e, chunk) in elements.iter_mut().zip(bytes.chunks_exact(8)) {
        let v = u64::from_le_bytes(chunk.try_into().unwrap());
        if v >= Fp::ORDER {
            return None;
        }
        *e = Fp::from_canonical_u64(v);
    }
    Some(HashOut { elements })
}

/// `0x` and the hex of [`hash_to_bytes`]: how roots are shown to people.
pub fn hash_to_hex(h: &Hash) -> String {
    format!("0x{}", hex::encode(hash_to_bytes(h)))
}

/// Parses [`hash_to_hex`]'s form.
pub fn hash_from_hex(s: &str) -> Option<Hash> {
    let bytes: [u8; 32] = hex::decode(s.strip_prefix("0x").unwrap_or(s))
        .ok()?
        .try_into()
        .ok()?;
    hash_from_bytes(&bytes)
}

/// A membership proof: the siblings from the leaf level up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerkleProof {
    /// The leaf's index; bit i says whether the node at level i is a right child.
    pub index: u32,
    /// Sibling digests, leaf level first; exactly `depth` of them.
    #[serde(with = "hash_list")]
    pub siblings: Vec<Hash>,
}

impl MerkleProof {
    /// The root implied by `leaf` at this position.
    pub fn root_from(&self, leaf: Hash) -> Hash {
        let mut node = leaf;
        for (level, sibling) in self.siblings.iter().enumerate() {
            node = if (self.index >> level) & 1 == 0 {
                PoseidonHash::two_to_one(node, *sibling)
            } else {
                PoseidonHash::two_to_one(*sibling, node)
            };
        }
        node
    }

    /// Whether `account` sits at this position under `root`.
    pub fn verify(&self, account: &Account, root: &Hash) -> bool {
        self.root_from(account.leaf_hash()) == *root
    }
}

mod hash_list {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{hash_from_hex, hash_to_hex, Hash};

    pub fn serialize<S: Serializer>(v: &[Hash], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(hash_to_hex))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Hash>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| {
                hash_from_hex(s)
                    .ok_or_else(|| serde::de::Error::custom(format!("invalid digest {s}")))
            })
            .collect()
    }
}

/// The tree's shape and its precomputed empty-subtree digests.
#[derive(Clone, Debug)]
pub struct SparseMerkleTree {
    depth: u8,
    empty: Vec<Hash>,
}

impl SparseMerkleTree {
    /// A tree of the given depth.
    pub fn new(depth: u8) -> Self {
        let mut empty = vec![Account::EMPTY.leaf_hash()];
        for level in 0..depth as usize {
            empty.push(PoseidonHash::two_to_one(empty[level], empty[level]));
        }
        SparseMerkleTree { depth, empty }
    }

    /// The depth.
    pub fn depth(&self) -> u8 {
        self.depth
    }

    /// The digest of an empty subtree whose root is at `level` (0 = an empty leaf).
    pub fn empty_hash(&self, level: u8) -> Hash {
        self.empty[level as usize]
    }

    /// The digest of the node at (`level`, `index`).
    pub fn node(
        &self,
        nodes: &impl ReadableTable<u64, [u8; 32]>,
        level: u8,
        index: u64,
    ) -> Result<Hash, redb::StorageError> {
        Ok(match nodes.get(node_key(level, index))? {
            Some(v) => hash_from_bytes(&v.value())
                .ok_or_else(|| redb::StorageError::Corrupted("non-canonical node digest".into()))?,
            None => self.empty[level as usize],
        })
    }

    /// The root digest.
    pub fn root(
        &self,
        nodes: &impl ReadableTable<u64, [u8; 32]>,
    ) -> Result<Hash, redb::StorageError> {
        self.node(nodes, self.depth, 0)
    }

    /// The membership proof of leaf `index`.
    pub fn proof(
        &self,
        nodes: &impl ReadableTable<u64, [u8; 32]>,
        index: u32,
    ) -> Result<MerkleProof, redb::StorageError> {
        let mut siblings = Vec::with_capacity(self.depth as usize);
        for level in 0..self.depth {
            let pos = (index as u64) >> level;
            siblings.push(self.node(nodes, level, pos ^ 1)?);
        }
        Ok(MerkleProof { index, siblings })
    }

    /// Sets leaf `index` to `leaf` and rewrites its path; returns the path's siblings (the
    /// same before and after: only this path changes) and the new root.
    pub fn update(
        &self,
        nodes: &mut Table<u64, [u8; 32]>,
        index: u32,
        leaf: Hash,
    ) -> Result<(MerkleProof, Hash), redb::StorageError> {
        let proof = self.proof(nodes, index)?;
        let mut node = leaf;
        for level in 0..=self.depth {
            let pos = (index as u64) >> level;
            if node == self.empty[level as usize] {
                nodes.remove(node_key(level, pos))?;
            } else {
                nodes.insert(node_key(level, pos), hash_to_bytes(&node))?;
            }
            if level < self.depth {
                let sibling = proof.siblings[level as usize];
                node = if pos & 1 == 0 {
                    PoseidonHash::two_to_one(node, sibling)
                } else {
                    PoseidonHash::two_to_one(sibling, node)
                };
            }
        }
        Ok((proof, node))
    }

    /// The root of a tree holding exactly `leaves` (index -> leaf digest), computed in
    /// memory from scratch: the reference the stored tree is checked against.
    pub fn root_of(&self, leaves: impl IntoIterator<Item = (u32, Hash)>) -> Hash {
        let mut level_nodes: BTreeMap<u64, Hash> =
            leaves.into_iter().map(|(i, h)| (i as u64, h)).collect();
        for level in 0..self.depth as usize {
            let mut parents = BTreeMap::new();
            for (&pos, &h) in &level_nodes {
                let parent = pos >> 1;
                if parents.contains_key(&parent) {
                    continue;
                }
                let sibling = level_nodes
                    .get(&(pos ^ 1))
                    .copied()
                    .unwrap_or(self.empty[level]);
                let (l, r) = if pos & 1 == 0 {
                    (h, sibling)
                } else {
                    (sibling, h)
                };
                parents.insert(parent, PoseidonHash::two_to_one(l, r));
            }
            level_nodes = parents;
        }
        level_nodes
            .get(&0)
            .copied()
            .unwrap_or(self.empty[self.depth as usize])
    }
}

#[cfg(test)]
mod tests {
    use redb::Database;

    use super::*;

    #[test]
    fn updates_match_the_in_memory_reference_and_proofs_verify() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::create(dir.path().join("t.redb")).unwrap();
        let smt = SparseMerkleTree::new(32);
        let txn = db.begin_write().unwrap();
        {
            let mut nodes = txn.open_table(NODES).unwrap();
            assert_eq!(smt.root(&nodes).unwrap(), smt.empty_hash(32));
            let mut leaves = BTreeMap::new();
            for (i, idx) in [0u32, 1, 7, 1 << 20, u32::MAX, 7].into_iter().enumerate() {
                let acc = Account {
                    balance: 100 + i as u64,
                    ..Account::EMPTY
                };
                let (before, root) = smt.update(&mut nodes, idx, acc.leaf_hash()).unwrap();
                leaves.insert(idx, acc.leaf_hash());
                assert_eq!(root, smt.root(&nodes).unwrap());
                assert_eq!(root, smt.root_of(leaves.clone()));
                assert_eq!(
                    before,
                    smt.proof(&nodes, idx).unwrap(),
                    "siblings unchanged by own update"
                );
                assert!(smt.proof(&nodes, idx).unwrap().verify(&acc, &root));
                // A wrong leaf, index or sibling fails.
                let p = smt.proof(&nodes, idx).unwrap();
                assert!(!p.verify(&Account { balance: 1, ..acc }, &root));
                let mut q = p.clone();
                q.index ^= 2;
                assert!(!q.verify(&acc, &root));
                let mut q = p.clone();
                q.siblings[31].elements[0] += Fp::ONE;
                assert!(!q.verify(&acc, &root));
            }
            // Emptying every leaf returns to the empty root and removes every node.
            for idx in leaves.keys().copied().collect::<Vec<_>>() {
                smt.update(&mut nodes, idx, Account::EMPTY.leaf_hash())
                    .unwrap();
            }
            assert_eq!(smt.root(&nodes).unwrap(), smt.empty_hash(32));
            assert_eq!(nodes.iter().unwrap().count(), 0);
        }
        txn.commit().unwrap();
    }

    #[test]
    fn digest_bytes_round_trip_and_reject_non_canonical() {
        let h = SparseMerkleTree::new(4).empty_hash(4);
        assert_eq!(hash_from_bytes(&hash_to_bytes(&h)), Some(h));
        assert_eq!(hash_from_hex(&hash_to_hex(&h)), Some(h));
        assert_eq!(hash_from_bytes(&[0xff; 32]), None);
    }
}
