//! [`WrapVerifierCircuit`]: the whole R1CS verifier of a wrap proof, the circuit that
//! Groth16 proves. It is fixed by the wrap circuit's common data and verifier data (its
//! constants, DESIGN.md rule 2); the proof is the witness, absent at setup.
//!
//! What it enforces, in order:
//! 1. the proof allocated with its shape, every Goldilocks value range-checked;
//! 2. the one public input: the 8 public values are 32-bit words and the instance variable
//!    is their big-endian value `& (2^253 − 1)` ([`super::public_input`]);
//! 3. the public-inputs hash, recomputed from the words (Goldilocks Poseidon `hash_no_pad`);
//! 4. the transcript replayed from the pinned circuit digest and that hash
//!    ([`super::challenges`], proof of work included);
//! 5. the PLONK identity at zeta ([`super::vanishing`]);
//! 6. FRI against the pinned constants-sigmas cap ([`super::fri`]).

use ark_bn254::Fr;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use plonky2::plonk::circuit_data::{CommonCircuitData, VerifierOnlyCircuitData};

use super::challenges::derive_challenges;
use super::fri::verify_fri_proof;
use super::gates::{check_supported, UnsupportedGate};
use super::poseidon_goldilocks::hash_no_pad_var;
use super::proof::{ProofShape, ProofVar, ShapeError, WrapProof};
use super::public_input::{enforce_public_input, public_input, PublicInputError};
use super::vanishing::enforce_vanishing;
use crate::wrap::circuit::{WrapConfig, D, F};
use crate::wrap::words::NUM_WORDS;

/// Why a wrap circuit or proof cannot be turned into an R1CS verifier instance.
#[derive(Debug, thiserror::Error)]
pub enum VerifierError {
    /// The proof's lists do not have the circuit's lengths, or the circuit uses an
    /// unsupported feature.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// The wrap circuit has a gate with no R1CS evaluation.
    #[error(transparent)]
    Gate(#[from] UnsupportedGate),
    /// The wrap circuit does not expose exactly the 8 words of the public input.
    #[error("the wrap circuit has {0} public inputs, the R1CS verifier needs exactly {NUM_WORDS}")]
    PublicInputCount(usize),
    /// The proof's public values are not 8 32-bit words.
    #[error(transparent)]
    PublicInput(#[from] PublicInputError),
}

/// The R1CS verifier of proofs of one wrap circuit.
#[derive(Clone, Debug)]
pub struct WrapVerifierCircuit {
    common: CommonCircuitData<F, D>,
    verifier: VerifierOnlyCircuitData<WrapConfig, D>,
    shape: ProofShape,
    proof: Option<WrapProof>,
    public_input: Option<Fr>,
}

/// Constraints spent per component, in synthesis order.
pub type Breakdown = Vec<(&'static str, usize)>;

impl WrapVerifierCircuit {
    /// The circuit without a proof (Groth16 setup, constraint counting).
    pub fn setup(
        common: &CommonCircuitData<F, D>,
        verifier: &VerifierOnlyCircuitData<WrapConfig, D>,
    ) -> Result<Self, VerifierError> {
        check_supported(&common.gates)?;
        if common.num_public_inputs != NUM_WORDS {
            return Err(VerifierError::PublicInputCount(common.num_public_inputs));
        }
        Ok(Self {
            common: common.clone(),
            verifier: verifier.clone(),
            shape: ProofShape::new(common)?,
            proof: None,
            public_input: None,
        })
    }

    /// The circuit with `proof` as its witness. Checks the proof's shape and public values
    /// (so a malformed proof gets a clear error), not its validity: an invalid proof leaves
    /// the constraint system unsatisfied.
    pub fn new(
        common: &CommonCircuitData<F, D>,
        verifier: &VerifierOnlyCircuitData<WrapConfig, D>,
        proof: WrapProof,
    ) -> Result<Self, VerifierError> {
        let mut circuit = Self::setup(common, verifier)?;
        circuit.shape.check(&proof)?;
        circuit.public_input = Some(public_input(&proof.public_inputs)?);
        circuit.proof = Some(proof);
        Ok(circuit)
    }

    /// The public input the proof binds (`None` at setup).
    pub fn public_input(&self) -> Option<Fr> {
        self.public_input
    }

    /// Replaces the public input's assignment (tests show a wrong one is refused).
    #[cfg(test)]
    pub(crate) fn with_public_input(mut self, value: Fr) -> Self {
        self.public_input = Some(value);
        self
    }

    /// Generates the constraints and reports how many each component took.
    pub fn synthesize(self, cs: ConstraintSystemRef<Fr>) -> Result<Breakdown, SynthesisError> {
        let mut breakdown = Vec::new();
        let mut mark = cs.num_constraints();
        let mut record = |name, cs: &ConstraintSystemRef<Fr>| {
            let now = cs.num_constraints();
            breakdown.push((name, now - mark));
            mark = now;
        };
        let common = &self.common;
        let proof = ProofVar::new_witness(&cs, &self.shape, self.proof.as_ref())?;
        record("proof allocation (range checks)", &cs);
        enforce_public_input(&cs, &proof.public_inputs, self.public_input)?;
        record("public input (8 words)", &cs);
        let pis_hash = hash_no_pad_var(&proof.public_inputs)?;
        record("public-inputs hash (Goldilocks Poseidon)", &cs);
        let challenges =
            derive_challenges(common, &self.verifier.circuit_digest, &pis_hash, &proof)?;
        record("transcript replay", &cs);
        enforce_vanishing(common, &proof.openings, &challenges, &pis_hash)?;
        record("vanishing polynomial and quotient", &cs);
        let cap: Vec<FpVar<Fr>> = self
            .verifier
            .constants_sigmas_cap
            .0
            .iter()
            .map(|h| FpVar::constant(h.0))
            .collect();
        verify_fri_proof(common, &cap, &proof, &challenges)?;
        record("FRI", &cs);
        Ok(breakdown)
    }
}

impl ConstraintSynthesizer<Fr> for WrapVerifierCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.synthesize(cs).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use ark_relations::r1cs::ConstraintSystem;
    use plonky2::field::types::Field;

    use super::*;
    use crate::r1cs::goldilocks_ext::GoldilocksExt;
    use crate::wrap::hasher::Bn254HashOut;
    use crate::wrap::test_proof::{fixture, WORDS};

    fn satisfied(circuit: WrapVerifierCircuit) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        match circuit.generate_constraints(cs.clone()) {
            Ok(()) => cs.is_satisfied().unwrap(),
            // A witness that cannot even be computed (a division by zero) is a rejection.
            Err(SynthesisError::Unsatisfiable) => false,
            Err(e) => panic!("synthesis failed: {e}"),
        }
    }

    fn circuit(proof: WrapProof) -> WrapVerifierCircuit {
        let data = &fixture().wrap.data;
        WrapVerifierCircuit::new(&data.common, &data.verifier_only, proof).unwrap()
    }

    #[test]
    fn real_proof_satisfies_with_its_public_input() {
        let fx = fixture();
        let c = circuit(fx.proof.clone());
        let words = WORDS.map(F::from_canonical_u32);
        assert_eq!(c.public_input(), Some(public_input(&words).unwrap()));
        let cs = ConstraintSystem::<Fr>::new_ref();
        let breakdown = c.synthesize(cs.clone()).unwrap();
        assert!(cs.is_satisfied().unwrap());
        assert_eq!(
            cs.num_instance_variables(),
            2,
            "one public input (plus the constant 1)"
        );
        for (name, n) in &breakdown {
            eprintln!("{name}: {n}");
        }
        eprintln!("total (test FRI parameters): {}", cs.num_constraints());

        // Setup mode allocates exactly the same system.
        let data = &fx.wrap.data;
        let setup = ConstraintSystem::<Fr>::new_ref();
        setup.set_mode(ark_relations::r1cs::SynthesisMode::Setup);
        WrapVerifierCircuit::setup(&data.common, &data.verifier_only)
            .unwrap()
            .generate_constraints(setup.clone())
            .unwrap();
        assert_eq!(setup.num_constraints(), cs.num_constraints());
        assert_eq!(setup.num_witness_variables(), cs.num_witness_variables());
    }

    #[test]
    fn mangling_suite_each_case_unsatisfied() {
        let fx = fixture();
        let one = GoldilocksExt::ONE;
        let bump = |h: &mut Bn254HashOut| h.0 += Fr::from(1u64);
        type Mutation = Box<dyn Fn(&mut WrapProof) + Sync>;
        let cases: Vec<(&str, Mutation)> = vec![
            (
                "opening: constants",
                Box::new(move |p| p.proof.openings.constants[1] += one),
            ),
            (
                "opening: sigmas",
                Box::new(move |p| p.proof.openings.plonk_sigmas[9] += one),
            ),
            (
                "opening: wires",
                Box::new(move |p| p.proof.openings.wires[20] += one),
            ),
            (
                "opening: zs",
                Box::new(move |p| p.proof.openings.plonk_zs[0] += one),
            ),
            (
                "opening: zs next",
                Box::new(move |p| p.proof.openings.plonk_zs_next[1] += one),
            ),
            (
                "opening: partial products",
                Box::new(move |p| p.proof.openings.partial_products[2] += one),
            ),
            (
                "opening: quotient",
                Box::new(move |p| p.proof.openings.quotient_polys[3] += one),
            ),
            (
                "initial Merkle sibling",
                Box::new(move |p| {
                    bump(
                        &mut p.proof.opening_proof.query_round_proofs[0]
                            .initial_trees_proof
                            .evals_proofs[2]
                            .1
                            .siblings[4],
                    )
                }),
            ),
            (
                "initial leaf value",
                Box::new(|p| {
                    p.proof.opening_proof.query_round_proofs[1]
                        .initial_trees_proof
                        .evals_proofs[1]
                        .0[0] += F::ONE
                }),
            ),
            (
                "commit-phase Merkle sibling",
                Box::new(move |p| {
                    bump(
                        &mut p.proof.opening_proof.query_round_proofs[0].steps[0]
                            .merkle_proof
                            .siblings[2],
                    )
                }),
            ),
            (
                "wires cap element",
                Box::new(move |p| bump(&mut p.proof.wires_cap.0[3])),
            ),
            (
                "commit-phase cap element",
                Box::new(move |p| {
                    bump(&mut p.proof.opening_proof.commit_phase_merkle_caps[0].0[0])
                }),
            ),
            (
                "commit-phase value",
                Box::new(move |p| {
                    p.proof.opening_proof.query_round_proofs[1].steps[1].evals[0] += one
                }),
            ),
            (
                "final polynomial",
                Box::new(move |p| p.proof.opening_proof.final_poly.coeffs[0] += one),
            ),
            (
                "proof-of-work witness",
                Box::new(|p| p.proof.opening_proof.pow_witness += F::ONE),
            ),
            ("public value", Box::new(|p| p.public_inputs[4] += F::ONE)),
        ];
        // Two at a time: the machine has two cores.
        let failures: Vec<String> = std::thread::scope(|scope| {
            let chunks: Vec<_> = cases.chunks(cases.len().div_ceil(2)).collect();
            let handles: Vec<_> = chunks
                .into_iter()
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .filter_map(|(name, mutate)| {
                                let mut bad = fx.proof.clone();
                                mutate(&mut bad);
                                satisfied(circuit(bad)).then(|| name.to_string())
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        assert!(failures.is_empty(), "accepted mangled proofs: {failures:?}");

        // The right proof with a wrong public input.
        let honest = circuit(fx.proof.clone());
        let value = honest.public_input().unwrap();
        assert!(!satisfied(honest.with_public_input(value + Fr::from(1u64))));
    }

    #[test]
    fn malformed_proofs_get_clear_errors() {
        let fx = fixture();
        let data = &fx.wrap.data;
        let mut short = fx.proof.clone();
        short.proof.openings.wires.pop();
        let err = WrapVerifierCircuit::new(&data.common, &data.verifier_only, short).unwrap_err();
        assert!(err.to_string().contains("openings.wires"), "{err}");
        let mut big = fx.proof.clone();
        big.public_inputs[2] = F::from_canonical_u64(1 << 32);
        let err = WrapVerifierCircuit::new(&data.common, &data.verifier_only, big).unwrap_err();
        assert!(err.to_string().contains("not a 32-bit word"), "{err}");
    }
}

/// The wrap circuit over the real ROOT circuit (built, not proved): its gates must all have
/// an R1CS evaluation, and its shape is what the production R1CS is synthesized from.
#[cfg(test)]
mod root_wrap_tests {
    use plonky2::plonk::circuit_data::CircuitConfig;

    use super::*;
    use crate::leaf::{LeafCircuit, LeafParams};
    use crate::node::Aggregation;
    use crate::op::SlotParams;
    use crate::root::RootCircuit;
    use crate::wrap::circuit::{WrapCircuit, WrapFriParams};

    #[test]
    fn wrap_of_root_has_only_supported_gates() {
        let config = CircuitConfig::standard_recursion_config();
        let slot = SlotParams {
            depth: 32,
            max_balance: (1 << 62) - 1,
        };
        let leaf = LeafCircuit::build(LeafParams { slot, ops: 2 }, config.clone());
        let agg = Aggregation::build(&leaf.data, &config).unwrap();
        let root = RootCircuit::build(&agg.node, config).unwrap();
        let wrap = WrapCircuit::build(
            &root.data.verifier_only,
            &root.data.common,
            &WrapFriParams::DEFAULT,
        )
        .unwrap();
        let common = &wrap.data.common;
        let names: Vec<String> = common.gates.iter().map(|g| g.0.id()).collect();
        eprintln!(
            "wrap of root: degree 2^{}, arities {:?}, gates {names:#?}",
            common.degree_bits(),
            common.fri_params.reduction_arity_bits
        );
        check_supported(&common.gates).unwrap();

        // The production R1CS, synthesized in setup mode (no proof needed to count).
        let cs = ark_relations::r1cs::ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(ark_relations::r1cs::SynthesisMode::Setup);
        let breakdown = WrapVerifierCircuit::setup(common, &wrap.data.verifier_only)
            .unwrap()
            .synthesize(cs.clone())
            .unwrap();
        for (name, n) in &breakdown {
            eprintln!("{name}: {n}");
        }
        eprintln!(
            "total (wrap of ROOT, production FRI parameters): {} constraints",
            cs.num_constraints()
        );
        assert_eq!(cs.num_instance_variables(), 2);
    }
}
