//! Merkle path verification against a cap, in R1CS, mirroring plonky2's
//! `verify_merkle_proof_to_cap` with the wrap layer's hasher
//! ([`crate::wrap::hasher::PoseidonBn254Hash`]): leaves hashed by `hash_or_noop` (packed
//! when at most 3 elements, else the BN254 leaf sponge), inner nodes by circomlib's
//! `Poseidon(2)`, the index's low bits choosing the side at each level and its high bits
//! the cap element.

use ark_bn254::Fr;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::select::CondSelectGadget;
use ark_relations::r1cs::SynthesisError;

use super::goldilocks::GoldilocksVar;
use super::poseidon::{hash_var, pack_var, permute_var};
use crate::wrap::hasher::{GOLDILOCKS_PER_FR, LEAF_RATE, POSEIDON_WIDTH};

/// `hash_or_noop` of a leaf: packed if it has at most 3 elements, else the leaf sponge
/// (capacity initialised to the length, rate 3 BN254 elements, output element 1).
pub fn hash_or_noop_var(leaf: &[GoldilocksVar]) -> Result<FpVar<Fr>, SynthesisError> {
    if leaf.len() <= GOLDILOCKS_PER_FR {
        return Ok(pack_var(leaf));
    }
    let packed: Vec<FpVar<Fr>> = leaf.chunks(GOLDILOCKS_PER_FR).map(pack_var).collect();
    let mut state: [FpVar<Fr>; POSEIDON_WIDTH] = std::array::from_fn(|_| FpVar::zero());
    state[0] = FpVar::constant(Fr::from(leaf.len() as u64));
    for chunk in packed.chunks(LEAF_RATE) {
        for (s, x) in state[1..].iter_mut().zip(chunk) {
            *s = x.clone();
        }
        permute_var(&mut state)?;
    }
    Ok(state[1].clone())
}

/// Enforces that `leaf` sits at the position given by `index_bits` (little-endian; the first
/// `siblings.len()` bits walk the path, the rest select the cap element) under `cap`.
///
/// # Panics
/// If `cap.len() != 2^(index_bits.len() − siblings.len())`.
pub fn verify_merkle_proof_to_cap_var(
    leaf: &[GoldilocksVar],
    index_bits: &[Boolean<Fr>],
    cap: &[FpVar<Fr>],
    siblings: &[FpVar<Fr>],
) -> Result<(), SynthesisError> {
    let cap_bits = &index_bits[siblings.len()..];
    assert_eq!(
        cap.len(),
        1 << cap_bits.len(),
        "cap size must match the index bits"
    );
    let mut current = hash_or_noop_var(leaf)?;
    for (bit, sibling) in index_bits.iter().zip(siblings) {
        // bit = 1: the current node is a right child.
        let left = FpVar::conditionally_select(bit, sibling, &current)?;
        let right = FpVar::conditionally_select(bit, &current, sibling)?;
        current = hash_var::<3>(&[left, right])?;
    }
    // Select the cap element by a binary tree of selections on the remaining bits.
    let mut layer: Vec<FpVar<Fr>> = cap.to_vec();
    for bit in cap_bits {
        layer = layer
            .chunks(2)
            .map(|pair| FpVar::conditionally_select(bit, &pair[1], &pair[0]))
            .collect::<Result<_, _>>()?;
    }
    current.enforce_equal(&layer[0])
}

#[cfg(test)]
mod tests {
    use ark_r1cs_std::alloc::AllocVar;
    use ark_relations::r1cs::{ConstraintSystem, ConstraintSystemRef};
    use plonky2::field::goldilocks_field::GoldilocksField;
    use plonky2::field::types::{Field, Sample};
    use plonky2::hash::merkle_tree::MerkleTree;

    use super::*;
    use crate::wrap::hasher::PoseidonBn254Hash;

    type Tree = MerkleTree<GoldilocksField, PoseidonBn254Hash>;

    fn build(
        leaf_len: usize,
        log_leaves: usize,
        cap_height: usize,
    ) -> (Tree, Vec<Vec<GoldilocksField>>) {
        let leaves: Vec<Vec<GoldilocksField>> = (0..1 << log_leaves)
            .map(|_| (0..leaf_len).map(|_| GoldilocksField::rand()).collect())
            .collect();
        (Tree::new(leaves.clone(), cap_height), leaves)
    }

    /// Allocates everything as witnesses and runs the gadget; returns the constraint system.
    fn check(
        tree: &Tree,
        leaf: &[GoldilocksField],
        index: usize,
        log_leaves: usize,
        mutate: impl FnOnce(&mut Vec<Fr>, &mut Vec<Fr>),
    ) -> ConstraintSystemRef<Fr> {
        let proof = tree.prove(index);
        let mut siblings: Vec<Fr> = proof.siblings.iter().map(|h| h.0).collect();
        let mut cap: Vec<Fr> = tree.cap.0.iter().map(|h| h.0).collect();
        mutate(&mut siblings, &mut cap);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let leaf: Vec<GoldilocksVar> = leaf
            .iter()
            .map(|&x| GoldilocksVar::new_witness(cs.clone(), || Ok(x)).unwrap())
            .collect();
        let bits: Vec<Boolean<Fr>> = (0..log_leaves)
            .map(|i| Boolean::new_witness(cs.clone(), || Ok((index >> i) & 1 == 1)).unwrap())
            .collect();
        let cap: Vec<FpVar<Fr>> = cap
            .iter()
            .map(|&c| FpVar::new_witness(cs.clone(), || Ok(c)).unwrap())
            .collect();
        let siblings: Vec<FpVar<Fr>> = siblings
            .iter()
            .map(|&s| FpVar::new_witness(cs.clone(), || Ok(s)).unwrap())
            .collect();
        verify_merkle_proof_to_cap_var(&leaf, &bits, &cap, &siblings).unwrap();
        cs
    }

    #[test]
    fn accepts_native_proofs() {
        for (leaf_len, log_leaves, cap_height) in [(2, 5, 0), (3, 5, 2), (7, 6, 2), (135, 5, 4)] {
            let (tree, leaves) = build(leaf_len, log_leaves, cap_height);
            for index in [0, 5, (1 << log_leaves) - 1] {
                let cs = check(&tree, &leaves[index], index, log_leaves, |_, _| {});
                assert!(
                    cs.is_satisfied().unwrap(),
                    "leaf len {leaf_len} index {index}"
                );
                if index == 0 && leaf_len == 135 {
                    eprintln!(
                        "Merkle proof, 135-element leaf, depth {}: {} constraints",
                        log_leaves - cap_height,
                        cs.num_constraints()
                    );
                }
            }
        }
    }

    #[test]
    fn rejects_mutations() {
        let (tree, leaves) = build(7, 6, 2);
        let index = 13;
        // Mutated sibling.
        let cs = check(&tree, &leaves[index], index, 6, |s, _| {
            s[1] += Fr::from(1u64)
        });
        assert!(!cs.is_satisfied().unwrap());
        // Mutated cap element on the path.
        let cs = check(&tree, &leaves[index], index, 6, |_, c| {
            let i = index >> 4;
            c[i] += Fr::from(1u64);
        });
        assert!(!cs.is_satisfied().unwrap());
        // Mutated leaf element.
        let mut leaf = leaves[index].clone();
        leaf[6] += GoldilocksField::ONE;
        let cs = check(&tree, &leaf, index, 6, |_, _| {});
        assert!(!cs.is_satisfied().unwrap());
        // Right leaf, wrong index.
        let cs = check(&tree, &leaves[index], index ^ 1, 6, |_, _| {});
        assert!(!cs.is_satisfied().unwrap());
    }
}
