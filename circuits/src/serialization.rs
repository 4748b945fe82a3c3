//! The gate and witness-generator serializers of every circuit of the aggregation tree
//! (leaf, leaf-pair, node), so that built circuits can be cached on disk.
//!
//! The leaf uses plonky2's standard gates and generators plus the ECgFp5 and SHA-256 gates
//! and hints; the aggregation circuits add plonky2's recursion (including the dummy-proof
//! generator of cyclic recursion), which plonky2's default serializers cover. Both are handled by
//! [`crate::ecgfp5::serialization`], which falls back to the defaults; a new custom gate or
//! hint must be registered there, and [`unknown_parts`] names any that is not.

use plonky2::plonk::circuit_data::CircuitData;
use plonky2::util::serialization::{GateSerializer, WitnessGeneratorSerializer};

pub use crate::ecgfp5::serialization::{EcgFp5GateSerializer, EcgFp5GeneratorSerializer};
use crate::{C, D, F};

/// Why circuit data could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum SerializationError {
    /// Gates or generators the serializers do not know (by plonky2 id).
    #[error(
        "the circuit serializers do not know {0:?}: register them in circuits/src/ecgfp5/serialization.rs"
    )]
    Unknown(Vec<String>),
    /// Writing failed for another reason.
    #[error("circuit data could not be serialized")]
    Write,
    /// The bytes are not circuit data these serializers wrote (corrupt, truncated, or from
    /// other code).
    #[error("circuit data could not be read: corrupt, truncated or written by other code")]
    Read,
}

/// The gate and generator serializers for every Bulwark plonky2 circuit over [`F`].
pub fn serializers() -> (EcgFp5GateSerializer, EcgFp5GeneratorSerializer) {
    (EcgFp5GateSerializer, EcgFp5GeneratorSerializer::default())
}

/// Serializes circuit data (prover and verifier parts).
pub fn circuit_to_bytes(data: &CircuitData<F, C, D>) -> Result<Vec<u8>, SerializationError> {
    let (gates, generators) = serializers();
    data.to_bytes(&gates, &generators).map_err(|_| {
        let unknown = unknown_parts(data);
        if unknown.is_empty() {
            SerializationError::Write
        } else {
            SerializationError::Unknown(unknown)
        }
    })
}

/// Reads circuit data written by [`circuit_to_bytes`].
pub fn circuit_from_bytes(bytes: &[u8]) -> Result<CircuitData<F, C, D>, SerializationError> {
    let (gates, generators) = serializers();
    CircuitData::from_bytes(bytes, &gates, &generators).map_err(|_| SerializationError::Read)
}

/// The ids of the gates and witness generators of `data` that the serializers cannot
/// write, without duplicates (empty when the whole circuit serializes).
pub fn unknown_parts(data: &CircuitData<F, C, D>) -> Vec<String> {
    let (gates, generators) = serializers();
    let mut unknown = Vec::new();
    let mut scratch = Vec::new();
    for gate in &data.common.gates {
        scratch.clear();
        if gates.write_gate(&mut scratch, gate, &data.common).is_err() {
            unknown.push(gate.0.id());
        }
    }
    for generator in &data.prover_only.generators {
        scratch.clear();
        if generators
            .write_generator(&mut scratch, generator, &data.common)
            .is_err()
        {
            unknown.push(generator.0.id());
        }
    }
    unknown.sort();
    unknown.dedup();
    unknown
}

#[cfg(test)]
mod tests {
    use bulwark_state::{Op, OpWitness};
    use plonky2::plonk::circuit_data::CircuitConfig;

    use super::*;
    use crate::leaf::{LeafCircuit, LeafInputs, LeafParams, PublicValues};
    use crate::op::SlotParams;

    fn params() -> LeafParams {
        LeafParams {
            slot: SlotParams {
                depth: 8,
                max_balance: 1 << 40,
            },
            ops: 1,
        }
    }

    /// A leaf circuit comes back from its bytes with the same digest and proves; data of
    /// another shape is refused by `from_data`, and cut bytes do not read.
    #[test]
    fn leaf_round_trips_and_proves_after_reload() {
        let config = CircuitConfig::standard_recursion_config();
        let built = LeafCircuit::build(params(), config.clone());
        assert!(unknown_parts(&built.data).is_empty());
        let bytes = circuit_to_bytes(&built.data).unwrap();
        let data = circuit_from_bytes(&bytes).unwrap();
        assert_eq!(
            data.verifier_only.circuit_digest,
            built.data.verifier_only.circuit_digest
        );
        let leaf = LeafCircuit::from_data(params(), config.clone(), data).unwrap();
        // An empty tree: the leaf's fee flush proves the empty fee recipient unchanged.
        let tree = bulwark_state::SparseMerkleTree::new(8);
        let root = tree.empty_hash(8);
        let inputs = LeafInputs {
            old_root: root,
            deposit_first: 3,
            fee_recipient: 1,
            chain_id: 9,
        };
        let noop = OpWitness {
            op: Op::Noop,
            updates: vec![],
        };
        let flush = bulwark_state::LeafUpdate {
            index: 1,
            before: bulwark_state::Account::EMPTY,
            after: bulwark_state::Account::EMPTY,
            proof: bulwark_state::MerkleProof {
                index: 1,
                siblings: (0..8).map(|l| tree.empty_hash(l)).collect(),
            },
            root_before: root,
            root_after: root,
        };
        let proof = leaf.prove(&inputs, &[noop], &flush).unwrap();
        built.data.verify(proof.clone()).unwrap();
        assert_eq!(PublicValues::from_proof(&proof).deposit_last, 3);

        assert!(circuit_from_bytes(&bytes[..bytes.len() / 2]).is_err());
        let other_config = CircuitConfig::standard_ecc_config();
        assert!(LeafCircuit::from_data(params(), other_config, built.data).is_err());
    }
}
