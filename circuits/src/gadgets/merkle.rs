//! Poseidon sparse-Merkle paths of the state tree, as constraints.
//!
//! Mirrors `bulwark_state::tree`: a node is `PoseidonHash::two_to_one(left, right)`, a leaf
//! is `hash_no_pad` of the account's seven elements. Each level is one Poseidon gate: the
//! gate's swap wire orders (node, sibling) by the index bit, so a path of depth d costs d rows.

use plonky2::field::extension::Extendable;
use plonky2::hash::hash_types::{HashOutTarget, RichField, NUM_HASH_OUT_ELTS};
use plonky2::hash::hashing::PlonkyPermutation;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::config::AlgebraicHasher;

/// The root reached from `leaf` at the position whose bits (least significant first, one
/// per level) are `index_bits`, given the siblings from the leaf level up.
pub fn root_from_path<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    leaf: HashOutTarget,
    index_bits: &[BoolTarget],
    siblings: &[HashOutTarget],
) -> HashOutTarget {
    assert_eq!(index_bits.len(), siblings.len(), "one sibling per level");
    let mut node = leaf;
    for (bit, sibling) in index_bits.iter().zip(siblings) {
        let mut state = <PoseidonHash as AlgebraicHasher<F>>::AlgebraicPermutation::new(
            core::iter::repeat(builder.zero()),
        );
        state.set_from_slice(&node.elements, 0);
        state.set_from_slice(&sibling.elements, NUM_HASH_OUT_ELTS);
        // With the bit set the gate swaps the halves: (sibling, node), as the native tree.
        let out = <PoseidonHash as AlgebraicHasher<F>>::permute_swapped(state, *bit, builder);
        node = HashOutTarget::from_vec(out.squeeze()[..NUM_HASH_OUT_ELTS].to_vec());
    }
    node
}

/// The leaf digest of an account given as its seven elements (key limbs, balance, nonce).
pub fn leaf_hash<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    elements: [Target; 7],
) -> HashOutTarget {
    builder.hash_n_to_hash_no_pad::<PoseidonHash>(elements.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{assert_unprovable, prove_and_verify, C, D, F};
    use bulwark_state::account::Account;
    use bulwark_state::schnorr::SecretKey;
    use bulwark_state::tree::{SparseMerkleTree, NODES};
    use plonky2::field::types::Field;
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use plonky2::plonk::circuit_data::CircuitConfig;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use redb::ReadableDatabase;

    const DEPTH: usize = 8;

    struct Path {
        leaf: [Target; 7],
        index: Target,
        siblings: Vec<HashOutTarget>,
        root: HashOutTarget,
    }

    fn circuit() -> (CircuitBuilder<F, D>, Path) {
        let mut builder = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let leaf = builder.add_virtual_target_arr::<7>();
        let index = builder.add_virtual_target();
        let bits = builder.split_le(index, DEPTH);
        let siblings = builder.add_virtual_hashes(DEPTH);
        let digest = leaf_hash(&mut builder, leaf);
        let root = root_from_path(&mut builder, digest, &bits, &siblings);
        builder.register_public_inputs(&root.elements);
        (
            builder,
            Path {
                leaf,
                index,
                siblings,
                root,
            },
        )
    }

    /// A tree with a few accounts, and the proof of one of them.
    fn fixture() -> (
        Account,
        bulwark_state::tree::MerkleProof,
        plonky2::hash::hash_types::HashOut<F>,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let db = redb::Database::create(dir.path().join("t.redb")).unwrap();
        let tree = SparseMerkleTree::new(DEPTH as u8);
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let mut accounts = Vec::new();
        let txn = db.begin_write().unwrap();
        {
            let mut nodes = txn.open_table(NODES).unwrap();
            for (i, index) in [3u32, 77, 78, 200].iter().enumerate() {
                let mut acc = Account::new(&SecretKey::random(&mut rng).public_key());
                acc.balance = 1000 * (i as u64 + 1);
                acc.nonce = i as u32;
                tree.update(&mut nodes, *index, acc.leaf_hash()).unwrap();
                accounts.push((*index, acc));
            }
        }
        txn.commit().unwrap();
        let read = db.begin_read().unwrap();
        let nodes = read.open_table(NODES).unwrap();
        let (index, acc) = accounts[1];
        let proof = tree.proof(&nodes, index).unwrap();
        let root = tree.root(&nodes).unwrap();
        (acc, proof, root)
    }

    fn witness(
        path: &Path,
        acc: &Account,
        proof: &bulwark_state::tree::MerkleProof,
    ) -> PartialWitness<F> {
        let mut pw = PartialWitness::new();
        pw.set_target_arr(&path.leaf, &acc.leaf_elements()).unwrap();
        pw.set_target(path.index, F::from_canonical_u32(proof.index))
            .unwrap();
        for (t, h) in path.siblings.iter().zip(&proof.siblings) {
            pw.set_hash_target(*t, *h).unwrap();
        }
        pw
    }

    #[test]
    fn matches_the_native_tree() {
        let (acc, proof, root) = fixture();
        let (builder, path) = circuit();
        let data = builder.build::<C>();
        let p = prove_and_verify(&data, witness(&path, &acc, &proof));
        assert_eq!(p.public_inputs, root.elements.to_vec());
        let _ = path.root;
    }

    #[test]
    fn a_wrong_path_or_leaf_cannot_reach_the_root() {
        let (acc, proof, root) = fixture();
        type Mutation = Box<dyn Fn(&mut Account, &mut bulwark_state::tree::MerkleProof)>;
        let cases: Vec<Mutation> = vec![
            Box::new(|_, p| p.siblings[2].elements[1] += F::ONE),
            Box::new(|_, p| p.index ^= 1),
            Box::new(|a, _| a.balance += 1),
            Box::new(|a, _| a.nonce += 1),
        ];
        for mutate in cases {
            let (mut builder, path) = circuit();
            let pinned = builder.constant_hash(root);
            builder.connect_hashes(path.root, pinned);
            let data = builder.build::<C>();
            let (mut a, mut p) = (acc, proof.clone());
            mutate(&mut a, &mut p);
            assert_unprovable(&data, witness(&path, &a, &p));
        }
    }
}
