//! A wrap-layer proof allocated as R1CS witnesses, shaped by the wrap circuit's
//! [`CommonCircuitData`] (so setup, with no proof, allocates exactly the variables that
//! proving does).
//!
//! Every Goldilocks value is range-checked on allocation ([`GoldilocksVar`]); digests are
//! BN254 variables (any field element is a possible digest, and the transcript observes them
//! through their canonical bits).

use ark_bn254::Fr;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::r1cs::{ConstraintSystemRef, SynthesisError};
use plonky2::hash::merkle_tree::MerkleCap;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::plonk::proof::ProofWithPublicInputs;

use super::goldilocks::GoldilocksVar;
use super::goldilocks_ext::{GoldilocksExt, GoldilocksExtVar};
use crate::wrap::circuit::{WrapConfig, D, F};
use crate::wrap::hasher::PoseidonBn254Hash;

/// A wrap proof with its public inputs, as the R1CS verifier sees it.
pub type WrapProof = ProofWithPublicInputs<F, WrapConfig, D>;

/// Why a proof cannot be allocated against a circuit's shape.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShapeError {
    /// A list in the proof has the wrong length for the wrap circuit.
    #[error("proof field `{field}` has {got} entries, the wrap circuit expects {want}")]
    Length {
        /// Which list.
        field: String,
        /// Its length in the proof.
        got: usize,
        /// The length the circuit fixes.
        want: usize,
    },
    /// The circuit uses a feature the R1CS verifier does not implement.
    #[error("unsupported wrap circuit: {0}")]
    Unsupported(&'static str),
}

/// The lengths of every list in a wrap proof, derived from the circuit's common data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofShape {
    /// Digests per Merkle cap.
    pub cap_len: usize,
    /// Opened constants (selectors included).
    pub num_constants: usize,
    /// Opened sigmas (one per routed wire).
    pub num_sigmas: usize,
    /// Opened wires.
    pub num_wires: usize,
    /// Opened Z polynomials (one per challenge), at zeta and at g·zeta.
    pub num_zs: usize,
    /// Opened partial products.
    pub num_partial_products: usize,
    /// Opened quotient chunks.
    pub num_quotient: usize,
    /// Leaf lengths of the four initial oracles (constants+sigmas, wires, zs+partial
    /// products, quotient).
    pub oracle_leaf_lens: [usize; 4],
    /// Siblings of an initial-tree Merkle path.
    pub initial_path_len: usize,
    /// FRI reduction arities (log2), one per commit phase.
    pub arity_bits: Vec<usize>,
    /// Siblings of each commit-phase Merkle path.
    pub step_path_lens: Vec<usize>,
    /// Coefficients of the final polynomial.
    pub final_poly_len: usize,
    /// FRI query rounds.
    pub num_queries: usize,
    /// Public inputs.
    pub num_public_inputs: usize,
}

impl ProofShape {
    /// The shape plonky2 gives proofs of the circuit described by `common`.
    pub fn new(common: &CommonCircuitData<F, D>) -> Result<Self, ShapeError> {
        if common.num_lookup_polys != 0 || !common.luts.is_empty() {
            return Err(ShapeError::Unsupported("lookup tables"));
        }
        if common.fri_params.hiding || common.config.zero_knowledge {
            return Err(ShapeError::Unsupported(
                "zero-knowledge (salted) commitments",
            ));
        }
        let fri = &common.fri_params;
        let cap_height = fri.config.cap_height;
        let lde_bits = fri.degree_bits + fri.config.rate_bits;
        let num_challenges = common.config.num_challenges;
        let num_zs_pp = num_challenges * (1 + common.num_partial_products);
        let mut bits = lde_bits;
        let step_path_lens = fri
            .reduction_arity_bits
            .iter()
            .map(|a| {
                bits -= a;
                bits - cap_height
            })
            .collect();
        Ok(Self {
            cap_len: 1 << cap_height,
            num_constants: common.num_constants,
            num_sigmas: common.config.num_routed_wires,
            num_wires: common.config.num_wires,
            num_zs: num_challenges,
            num_partial_products: num_challenges * common.num_partial_products,
            num_quotient: num_challenges * common.quotient_degree_factor,
            oracle_leaf_lens: [
                common.num_constants + common.config.num_routed_wires,
                common.config.num_wires,
                num_zs_pp,
                num_challenges * common.quotient_degree_factor,
            ],
            initial_path_len: lde_bits - cap_height,
            arity_bits: fri.reduction_arity_bits.clone(),
            step_path_lens,
            final_poly_len: fri.final_poly_len(),
            num_queries: fri.config.num_query_rounds,
            num_public_inputs: common.num_public_inputs,
        })
    }

    /// Checks that `proof` has exactly this shape, naming the first list that does not.
    pub fn check(&self, proof: &WrapProof) -> Result<(), ShapeError> {
        let p = &proof.proof;
        let o = &p.openings;
        let fri = &p.opening_proof;
        let mut lens: Vec<(String, usize, usize)> = vec![
            (
                "public_inputs".into(),
                proof.public_inputs.len(),
                self.num_public_inputs,
            ),
            ("wires_cap".into(), p.wires_cap.0.len(), self.cap_len),
            (
                "plonk_zs_partial_products_cap".into(),
                p.plonk_zs_partial_products_cap.0.len(),
                self.cap_len,
            ),
            (
                "quotient_polys_cap".into(),
                p.quotient_polys_cap.0.len(),
                self.cap_len,
            ),
            (
                "openings.constants".into(),
                o.constants.len(),
                self.num_constants,
            ),
            (
                "openings.plonk_sigmas".into(),
                o.plonk_sigmas.len(),
                self.num_sigmas,
            ),
            ("openings.wires".into(), o.wires.len(), self.num_wires),
            ("openings.plonk_zs".into(), o.plonk_zs.len(), self.num_zs),
            (
                "openings.plonk_zs_next".into(),
                o.plonk_zs_next.len(),
                self.num_zs,
            ),
            (
                "openings.partial_products".into(),
                o.partial_products.len(),
                self.num_partial_products,
            ),
            (
                "openings.quotient_polys".into(),
                o.quotient_polys.len(),
                self.num_quotient,
            ),
            ("openings.lookup_zs".into(), o.lookup_zs.len(), 0),
            ("openings.lookup_zs_next".into(), o.lookup_zs_next.len(), 0),
            (
                "opening_proof.commit_phase_merkle_caps".into(),
                fri.commit_phase_merkle_caps.len(),
                self.arity_bits.len(),
            ),
            (
                "opening_proof.final_poly".into(),
                fri.final_poly.coeffs.len(),
                self.final_poly_len,
            ),
            (
                "opening_proof.query_round_proofs".into(),
                fri.query_round_proofs.len(),
                self.num_queries,
            ),
        ];
        for (i, cap) in fri.commit_phase_merkle_caps.iter().enumerate() {
            lens.push((
                format!("commit_phase_merkle_caps[{i}]"),
                cap.0.len(),
                self.cap_len,
            ));
        }
        for (q, round) in fri.query_round_proofs.iter().enumerate() {
            let trees = &round.initial_trees_proof.evals_proofs;
            lens.push((format!("query[{q}].initial_trees"), trees.len(), 4));
            for (t, ((evals, path), want)) in trees.iter().zip(self.oracle_leaf_lens).enumerate() {
                lens.push((
                    format!("query[{q}].initial_trees[{t}].evals"),
                    evals.len(),
                    want,
                ));
                lens.push((
                    format!("query[{q}].initial_trees[{t}].siblings"),
                    path.siblings.len(),
                    self.initial_path_len,
                ));
            }
            lens.push((
                format!("query[{q}].steps"),
                round.steps.len(),
                self.arity_bits.len(),
            ));
            for (s, (step, (&a, &path))) in round
                .steps
                .iter()
                .zip(self.arity_bits.iter().zip(&self.step_path_lens))
                .enumerate()
            {
                lens.push((
                    format!("query[{q}].steps[{s}].evals"),
                    step.evals.len(),
                    1 << a,
                ));
                lens.push((
                    format!("query[{q}].steps[{s}].siblings"),
                    step.merkle_proof.siblings.len(),
                    path,
                ));
            }
        }
        match lens.into_iter().find(|(_, got, want)| got != want) {
            Some((field, got, want)) => Err(ShapeError::Length { field, got, want }),
            None => Ok(()),
        }
    }
}

/// One FRI query round's initial-tree openings and paths.
#[derive(Clone, Debug)]
pub struct InitialTreesVar {
    /// Per oracle: the opened leaf and its Merkle siblings.
    pub evals_proofs: Vec<(Vec<GoldilocksVar>, Vec<FpVar<Fr>>)>,
}

/// One FRI commit-phase step of a query round.
#[derive(Clone, Debug)]
pub struct QueryStepVar {
    /// The coset's evaluations.
    pub evals: Vec<GoldilocksExtVar>,
    /// Merkle siblings of the coset's leaf.
    pub siblings: Vec<FpVar<Fr>>,
}

/// One FRI query round.
#[derive(Clone, Debug)]
pub struct QueryRoundVar {
    /// Openings of the four initial oracles.
    pub initial: InitialTreesVar,
    /// The commit-phase steps.
    pub steps: Vec<QueryStepVar>,
}

/// The openings at zeta and g·zeta (plonky2's `OpeningSet`, without lookups).
#[derive(Clone, Debug)]
pub struct OpeningSetVar {
    /// Constants (selectors first).
    pub constants: Vec<GoldilocksExtVar>,
    /// Permutation sigmas.
    pub plonk_sigmas: Vec<GoldilocksExtVar>,
    /// Wires.
    pub wires: Vec<GoldilocksExtVar>,
    /// Z at zeta.
    pub plonk_zs: Vec<GoldilocksExtVar>,
    /// Z at g·zeta.
    pub plonk_zs_next: Vec<GoldilocksExtVar>,
    /// Partial products.
    pub partial_products: Vec<GoldilocksExtVar>,
    /// Quotient chunks.
    pub quotient_polys: Vec<GoldilocksExtVar>,
}

impl OpeningSetVar {
    /// The zeta batch in plonky2's FRI order (constants, sigmas, wires, zs, partial
    /// products, quotient).
    pub fn zeta_batch(&self) -> Vec<GoldilocksExtVar> {
        [
            self.constants.as_slice(),
            &self.plonk_sigmas,
            &self.wires,
            &self.plonk_zs,
            &self.partial_products,
            &self.quotient_polys,
        ]
        .concat()
    }
}

/// A whole wrap proof as witnesses.
#[derive(Clone, Debug)]
pub struct ProofVar {
    /// The public inputs.
    pub public_inputs: Vec<GoldilocksVar>,
    /// Cap of the wire polynomials.
    pub wires_cap: Vec<FpVar<Fr>>,
    /// Cap of the Z and partial-product polynomials.
    pub zs_partial_products_cap: Vec<FpVar<Fr>>,
    /// Cap of the quotient chunks.
    pub quotient_cap: Vec<FpVar<Fr>>,
    /// The openings.
    pub openings: OpeningSetVar,
    /// The commit-phase caps.
    pub commit_phase_caps: Vec<Vec<FpVar<Fr>>>,
    /// The query rounds.
    pub query_rounds: Vec<QueryRoundVar>,
    /// The final polynomial's coefficients.
    pub final_poly: Vec<GoldilocksExtVar>,
    /// The proof-of-work witness.
    pub pow_witness: GoldilocksVar,
}

/// A closure yielding `v`, or `AssignmentMissing` in setup mode.
fn given<T>(v: Option<T>) -> impl FnOnce() -> Result<T, SynthesisError> {
    move || v.ok_or(SynthesisError::AssignmentMissing)
}

fn alloc_base(
    cs: &ConstraintSystemRef<Fr>,
    values: Option<&[F]>,
    n: usize,
) -> Result<Vec<GoldilocksVar>, SynthesisError> {
    (0..n)
        .map(|i| GoldilocksVar::new_witness(cs.clone(), given(values.map(|v| v[i]))))
        .collect()
}

fn alloc_ext(
    cs: &ConstraintSystemRef<Fr>,
    values: Option<&[GoldilocksExt]>,
    n: usize,
) -> Result<Vec<GoldilocksExtVar>, SynthesisError> {
    (0..n)
        .map(|i| GoldilocksExtVar::new_witness(cs.clone(), given(values.map(|v| v[i]))))
        .collect()
}

fn alloc_digests(
    cs: &ConstraintSystemRef<Fr>,
    values: Option<Vec<Fr>>,
    n: usize,
) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    (0..n)
        .map(|i| FpVar::new_witness(cs.clone(), given(values.as_ref().map(|v| v[i]))))
        .collect()
}

fn cap_values(cap: &MerkleCap<F, PoseidonBn254Hash>) -> Vec<Fr> {
    cap.0.iter().map(|h| h.0).collect()
}

impl ProofVar {
    /// Allocates `proof` (or, with `None`, unassigned variables of the same shape). The
    /// proof must already satisfy [`ProofShape::check`].
    pub fn new_witness(
        cs: &ConstraintSystemRef<Fr>,
        shape: &ProofShape,
        proof: Option<&WrapProof>,
    ) -> Result<Self, SynthesisError> {
        let p = proof.map(|p| &p.proof);
        let o = p.map(|p| &p.openings);
        let fri = p.map(|p| &p.opening_proof);
        let cap = |c: Option<&MerkleCap<F, PoseidonBn254Hash>>| {
            alloc_digests(cs, c.map(cap_values), shape.cap_len)
        };
        let openings = OpeningSetVar {
            constants: alloc_ext(cs, o.map(|o| &o.constants[..]), shape.num_constants)?,
            plonk_sigmas: alloc_ext(cs, o.map(|o| &o.plonk_sigmas[..]), shape.num_sigmas)?,
            wires: alloc_ext(cs, o.map(|o| &o.wires[..]), shape.num_wires)?,
            plonk_zs: alloc_ext(cs, o.map(|o| &o.plonk_zs[..]), shape.num_zs)?,
            plonk_zs_next: alloc_ext(cs, o.map(|o| &o.plonk_zs_next[..]), shape.num_zs)?,
            partial_products: alloc_ext(
                cs,
                o.map(|o| &o.partial_products[..]),
                shape.num_partial_products,
            )?,
            quotient_polys: alloc_ext(cs, o.map(|o| &o.quotient_polys[..]), shape.num_quotient)?,
        };
        let query_rounds = (0..shape.num_queries)
            .map(|q| {
                let round = fri.map(|f| &f.query_round_proofs[q]);
                let evals_proofs = (0..4)
                    .map(|t| {
                        let tree = round.map(|r| &r.initial_trees_proof.evals_proofs[t]);
                        let leaf =
                            alloc_base(cs, tree.map(|t| &t.0[..]), shape.oracle_leaf_lens[t])?;
                        let siblings = alloc_digests(
                            cs,
                            tree.map(|t| t.1.siblings.iter().map(|h| h.0).collect()),
                            shape.initial_path_len,
                        )?;
                        Ok((leaf, siblings))
                    })
                    .collect::<Result<_, SynthesisError>>()?;
                let steps = shape
                    .arity_bits
                    .iter()
                    .zip(&shape.step_path_lens)
                    .enumerate()
                    .map(|(s, (&a, &path))| {
                        let step = round.map(|r| &r.steps[s]);
                        Ok(QueryStepVar {
                            evals: alloc_ext(cs, step.map(|s| &s.evals[..]), 1 << a)?,
                            siblings: alloc_digests(
                                cs,
                                step.map(|s| s.merkle_proof.siblings.iter().map(|h| h.0).collect()),
                                path,
                            )?,
                        })
                    })
                    .collect::<Result<_, SynthesisError>>()?;
                Ok(QueryRoundVar {
                    initial: InitialTreesVar { evals_proofs },
                    steps,
                })
            })
            .collect::<Result<_, SynthesisError>>()?;
        Ok(Self {
            public_inputs: alloc_base(
                cs,
                proof.map(|p| &p.public_inputs[..]),
                shape.num_public_inputs,
            )?,
            wires_cap: cap(p.map(|p| &p.wires_cap))?,
            zs_partial_products_cap: cap(p.map(|p| &p.plonk_zs_partial_products_cap))?,
            quotient_cap: cap(p.map(|p| &p.quotient_polys_cap))?,
            openings,
            commit_phase_caps: (0..shape.arity_bits.len())
                .map(|i| cap(fri.map(|f| &f.commit_phase_merkle_caps[i])))
                .collect::<Result<_, _>>()?,
            query_rounds,
            final_poly: alloc_ext(
                cs,
                fri.map(|f| &f.final_poly.coeffs[..]),
                shape.final_poly_len,
            )?,
            pow_witness: GoldilocksVar::new_witness(cs.clone(), given(fri.map(|f| f.pow_witness)))?,
        })
    }
}
