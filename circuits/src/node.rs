//! Aggregation: joining two adjacent proofs into one, with every level served by circuits
//! of ONE shape, so the wrap layer and the Groth16 key never depend on the batch size.
//!
//! * The **node circuit** verifies two children and joins them. Each child is either a
//!   node proof, checked against the node circuit's own verifier data (cyclic recursion:
//!   that data is a public input, and every child must carry the same), or a proof of the
//!   leaf-pair circuit, checked against its verifier data pinned as a constant.
//! * The **leaf-pair circuit** is the first level: it verifies two leaf proofs against the
//!   leaf circuit's verifier data (a constant) and joins them the same way. It is built to
//!   the node circuit's exact shape (gates, degree, public inputs), which is what lets the
//!   node verify either kind with one verifier.
//!
//! Joining checks adjacency (left new root = right old root, left last deposit = right
//! first deposit, same fee recipient and chain) and outputs
//! `(left.old_root, right.new_root, left.first, right.last, fee recipient, chain,
//! sha256(left.commitment ‖ right.commitment))`, the hub's commitment tree
//! (docs/l1-interface.md). A batch's top proof is always a node proof (the prover pads to
//! at least four leaves), and the wrap layer pins the node circuit's verifier data.

use anyhow::{ensure, Context};
use plonky2::gates::noop::NoopGate;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_data::{
    CircuitConfig, CircuitData, CommonCircuitData, VerifierCircuitTarget, VerifierOnlyCircuitData,
};
use plonky2::plonk::proof::{ProofWithPublicInputs, ProofWithPublicInputsTarget};
use plonky2::recursion::cyclic_recursion::check_cyclic_proof_verifier_data;
use plonky2::util::serialization::{Buffer, IoError, IoResult, Read, Write};

use crate::gadgets::sha256::sha256_words;
use crate::leaf::{PublicValuesTarget, NUM_PUBLIC_VALUES};
use crate::serialization::serializers;
use crate::{Builder, C, D, F};

/// A proof of the leaf, leaf-pair or node circuit.
pub type Proof = ProofWithPublicInputs<F, C, D>;

/// Joins two children's public values into the parent's, enforcing adjacency.
fn join(
    builder: &mut Builder,
    left: &PublicValuesTarget,
    right: &PublicValuesTarget,
) -> Vec<Target> {
    builder.connect_hashes(left.new_root, right.old_root);
    builder.connect(left.deposit_last, right.deposit_first);
    builder.connect(left.fee_recipient, right.fee_recipient);
    builder.connect(left.chain[0], right.chain[0]);
    builder.connect(left.chain[1], right.chain[1]);
    // The children's commitment words are range-checked 32-bit words (the output of this
    // gadget in their own circuits), as `sha256_words` requires.
    let message: Vec<Target> = left
        .commitment
        .iter()
        .chain(&right.commitment)
        .copied()
        .collect();
    let commitment = sha256_words(builder, &message);
    PublicValuesTarget {
        old_root: left.old_root,
        new_root: right.new_root,
        deposit_first: left.deposit_first,
        deposit_last: right.deposit_last,
        fee_recipient: left.fee_recipient,
        chain: left.chain,
        commitment,
    }
    .to_vec()
}

/// Pads `builder` so the built circuit has exactly 2^degree_bits rows (the constants and
/// public-input gates added by `build` fit in the remaining room).
fn pad_to(builder: &mut Builder, degree_bits: usize) -> anyhow::Result<()> {
    let rows = builder.num_gates();
    ensure!(
        rows + 64 < 1 << degree_bits,
        "aggregation circuit needs {rows} rows, more than 2^{degree_bits}"
    );
    while builder.num_gates() <= 1 << (degree_bits - 1) {
        builder.add_gate(NoopGate, vec![]);
    }
    Ok(())
}

/// The leaf-pair circuit (first aggregation level).
pub struct LeafPairCircuit {
    /// The circuit.
    pub data: CircuitData<F, C, D>,
    children: [ProofWithPublicInputsTarget<D>; 2],
    /// Free public inputs carrying the node circuit's verifier data, as node children must.
    node_vd: VerifierCircuitTarget,
}

impl LeafPairCircuit {
    /// Builds the circuit for `leaf`'s proofs in the given shape.
    fn build(
        config: &CircuitConfig,
        leaf: &CircuitData<F, C, D>,
        shape: Option<&CommonCircuitData<F, D>>,
        degree_bits: usize,
    ) -> anyhow::Result<Self> {
        let mut builder = Builder::new(config.clone());
        let leaf_vd = builder.constant_verifier_data(&leaf.verifier_only);
        let children = [0, 1].map(|_| builder.add_virtual_proof_with_pis(&leaf.common));
        for child in &children {
            builder.verify_proof::<C>(child, &leaf_vd, &leaf.common);
        }
        let [l, r] = children
            .each_ref()
            .map(|c| PublicValuesTarget::from_slice(&c.public_inputs));
        let out = join(&mut builder, &l, &r);
        builder.register_public_inputs(&out);
        let node_vd = builder.add_verifier_data_public_inputs();
        if let Some(shape) = shape {
            for g in &shape.gates {
                builder.add_gate_to_gate_set(g.clone());
            }
        }
        pad_to(&mut builder, degree_bits)?;
        Ok(Self {
            data: builder.build::<C>(),
            children,
            node_vd,
        })
    }

    /// Proves the pair `(left, right)` of adjacent leaf proofs.
    pub fn prove(
        &self,
        left: &Proof,
        right: &Proof,
        node: &VerifierOnlyCircuitData<C, D>,
    ) -> anyhow::Result<Proof> {
        let mut pw = PartialWitness::new();
        pw.set_proof_with_pis_target(&self.children[0], left)?;
        pw.set_proof_with_pis_target(&self.children[1], right)?;
        pw.set_verifier_data_target(&self.node_vd, node)?;
        self.data.prove(pw)
    }
}

/// The node circuit (every level above the first).
pub struct NodeCircuit {
    /// The circuit.
    pub data: CircuitData<F, C, D>,
    children: [ProofWithPublicInputsTarget<D>; 2],
    is_node: [BoolTarget; 2],
}

impl NodeCircuit {
    fn build(
        config: &CircuitConfig,
        pair_vd: &VerifierOnlyCircuitData<C, D>,
        shape: &CommonCircuitData<F, D>,
        degree_bits: usize,
    ) -> anyhow::Result<Self> {
        let mut builder = Builder::new(config.clone());
        let pair_vd = builder.constant_verifier_data(pair_vd);
        // Public values first, verifier data last (plonky2's cyclic layout).
        let children = [0, 1].map(|_| builder.add_virtual_proof_with_pis(shape));
        let is_node = [0, 1].map(|_| builder.add_virtual_bool_target_safe());
        let [l, r] = children
            .each_ref()
            .map(|c| PublicValuesTarget::from_slice(&c.public_inputs));
        let out = join(&mut builder, &l, &r);
        builder.register_public_inputs(&out);
        builder.add_verifier_data_public_inputs();
        for (child, flag) in children.iter().zip(is_node) {
            builder
                .conditionally_verify_cyclic_proof::<C>(flag, child, child, &pair_vd, shape)
                .context("cyclic verification")?;
        }
        pad_to(&mut builder, degree_bits)?;
        Ok(Self {
            data: builder.build::<C>(),
            children,
            is_node,
        })
    }

    /// Proves the join of two adjacent children; each is a node proof or a leaf-pair proof.
    pub fn prove(&self, left: (&Proof, bool), right: (&Proof, bool)) -> anyhow::Result<Proof> {
        let mut pw = PartialWitness::new();
        for (i, (proof, is_node)) in [left, right].into_iter().enumerate() {
            pw.set_proof_with_pis_target(&self.children[i], proof)?;
            pw.set_bool_target(self.is_node[i], is_node)?;
        }
        // The verifier data public inputs (this circuit's own) are filled by plonky2's
        // cyclic-recursion generator from the circuit data.
        self.data.prove(pw)
    }

    /// Verifies a node proof, including that it carries this circuit's verifier data.
    pub fn verify(&self, proof: &Proof) -> anyhow::Result<()> {
        check_cyclic_proof_verifier_data(proof, &self.data.verifier_only, &self.data.common)?;
        self.data.verify(proof.clone())
    }
}

/// The two aggregation circuits, built to one shape.
pub struct Aggregation {
    /// The first level.
    pub pair: LeafPairCircuit,
    /// Every other level.
    pub node: NodeCircuit,
}

impl Aggregation {
    /// Builds both circuits for proofs of `leaf`. The shape (common data) is found by
    /// building until the node circuit, which verifies proofs of its own shape, reproduces
    /// the shape it was built for.
    pub fn build(leaf: &CircuitData<F, C, D>, config: &CircuitConfig) -> anyhow::Result<Self> {
        let mut degree_bits = 12;
        let mut shape: Option<CommonCircuitData<F, D>> = None;
        for _ in 0..8 {
            let pair = match LeafPairCircuit::build(config, leaf, shape.as_ref(), degree_bits) {
                Ok(p) => p,
                Err(_) => {
                    degree_bits += 1;
                    continue;
                }
            };
            let goal = pair.data.common.clone();
            let node =
                match NodeCircuit::build(config, &pair.data.verifier_only, &goal, degree_bits) {
                    Ok(n) => n,
                    Err(_) => {
                        degree_bits += 1;
                        continue;
                    }
                };
            if node.data.common == goal {
                return Ok(Self { pair, node });
            }
            shape = Some(node.data.common.clone());
        }
        anyhow::bail!("aggregation circuits did not reach a common shape")
    }
}

impl Aggregation {
    /// Serializes both circuits with their witness targets (for the circuit cache).
    pub fn to_bytes(&self) -> IoResult<Vec<u8>> {
        let mut buf = Vec::new();
        let (gates, generators) = serializers();
        buf.write_circuit_data(&self.pair.data, &gates, &generators)?;
        for child in &self.pair.children {
            buf.write_target_proof_with_public_inputs(child)?;
        }
        buf.write_target_verifier_circuit(&self.pair.node_vd)?;
        buf.write_circuit_data(&self.node.data, &gates, &generators)?;
        for child in &self.node.children {
            buf.write_target_proof_with_public_inputs(child)?;
        }
        for flag in self.node.is_node {
            buf.write_target_bool(flag)?;
        }
        Ok(buf)
    }

    /// Reads circuits written by [`Aggregation::to_bytes`]; trailing bytes are an error.
    pub fn from_bytes(bytes: &[u8]) -> IoResult<Self> {
        let mut buf = Buffer::new(bytes);
        let (gates, generators) = serializers();
        let data = buf.read_circuit_data(&gates, &generators)?;
        let children = [
            buf.read_target_proof_with_public_inputs()?,
            buf.read_target_proof_with_public_inputs()?,
        ];
        let node_vd = buf.read_target_verifier_circuit()?;
        let pair = LeafPairCircuit {
            data,
            children,
            node_vd,
        };
        let data = buf.read_circuit_data(&gates, &generators)?;
        let children = [
            buf.read_target_proof_with_public_inputs()?,
            buf.read_target_proof_with_public_inputs()?,
        ];
        let is_node = [buf.read_target_bool()?, buf.read_target_bool()?];
        if buf.unread_bytes().is_empty() {
            Ok(Self {
                pair,
                node: NodeCircuit {
                    data,
                    children,
                    is_node,
                },
            })
        } else {
            Err(IoError)
        }
    }
}

/// The public values of an aggregation proof (its first [`NUM_PUBLIC_VALUES`] inputs).
pub fn public_values(proof: &Proof) -> crate::leaf::PublicValues {
    crate::leaf::PublicValues::from_elements(&proof.public_inputs[..NUM_PUBLIC_VALUES])
}
