//! The PLONK identity at zeta in R1CS, mirroring plonky2's `eval_vanishing_poly` and the
//! quotient check of `verify_with_challenges` (no lookups):
//!
//! - `L_0(ζ)·(Z(ζ) − 1)` per challenge round (Z starts at 1);
//! - the permutation argument through partial products: with numerators
//!   `wire_j + β·k_j·ζ + γ` and denominators `wire_j + β·σ_j(ζ) + γ` in chunks of
//!   `quotient_degree_factor`, `prev·Π num − next·Π den` for the accumulators
//!   `Z(ζ), partial products…, Z(gζ)`;
//! - every gate's constraints, each multiplied by its selector filter exactly as plonky2's
//!   `eval_filtered` (`Π_{j ∈ group, j ≠ row} (j − s)`, times `(UNUSED − s)` when there are
//!   several selector groups);
//! - all terms combined with powers of each alpha, and each combination equal to
//!   `Z_H(ζ)·Σ_k t_k(ζ)·ζ^{n·k}`.
//!
//! `L_0(ζ) = Z_H(ζ) / (n·(ζ − 1))` is a witness constrained by one product, as in plonky2's
//! recursive verifier: sound except at ζ = 1, which the transcript hits with probability
//! 2^-128.

use std::ops::Range;

use ark_r1cs_std::R1CSVar;
use ark_relations::r1cs::SynthesisError;
use plonky2::field::extension::FieldExtension;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::plonk::circuit_data::CommonCircuitData;

use super::challenges::ChallengesVar;
use super::gates::{eval_unfiltered, EvalVarsVar};
use super::goldilocks::GoldilocksVar;
use super::goldilocks_ext::{GoldilocksExt, GoldilocksExtVar, LazyGoldilocksExt};
use super::proof::OpeningSetVar;
use crate::wrap::circuit::{D, F};

/// plonky2's marker for "no selector" (`UNUSED_SELECTOR`).
const UNUSED_SELECTOR: u64 = u32::MAX as u64;

/// The selector layout of a circuit: for each gate its selector column, and the gate range
/// of each selector group. plonky2 keeps the fields crate-private but serializes them.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct SelectorLayout {
    /// Selector column of each gate.
    pub selector_indices: Vec<usize>,
    /// Gates sharing each selector column.
    pub groups: Vec<Range<usize>>,
}

impl SelectorLayout {
    /// Reads the layout of `common`.
    pub fn of(common: &CommonCircuitData<F, D>) -> Self {
        let json = serde_json::to_value(&common.selectors_info)
            .expect("plonky2's SelectorsInfo serializes");
        serde_json::from_value(json).expect("SelectorsInfo has selector_indices and groups")
    }
}

fn ext_const(x: F) -> LazyGoldilocksExt {
    LazyGoldilocksExt::constant(<GoldilocksExt as FieldExtension<D>>::from_basefield(x))
}

/// `x^(2^k)` by squaring.
pub fn exp_power_of_2(x: &GoldilocksExtVar, k: usize) -> Result<GoldilocksExtVar, SynthesisError> {
    (0..k).try_fold(x.clone(), |acc, _| acc.mul(&acc))
}

/// The gate filter of gate `row` (plonky2's `compute_filter`), reduced.
fn filter(
    row: usize,
    group: &Range<usize>,
    s: &GoldilocksExtVar,
    many_selectors: bool,
) -> Result<GoldilocksExtVar, SynthesisError> {
    let factors = group
        .clone()
        .filter(|&i| i != row)
        .map(|i| i as u64)
        .chain(many_selectors.then_some(UNUSED_SELECTOR))
        .map(|i| ext_const(F::from_canonical_u64(i)).sub(&s.lazy()));
    let mut acc = ext_const(F::ONE);
    for f in factors {
        acc = acc.mul_narrow(&f)?;
    }
    acc.reduce()
}

/// Products of a chunk, lazily (narrowing between steps).
fn product(xs: &[LazyGoldilocksExt]) -> Result<LazyGoldilocksExt, SynthesisError> {
    xs.iter()
        .skip(1)
        .try_fold(xs[0].clone(), |acc, x| acc.mul_narrow(x))
}

/// The unfiltered-and-filtered gate terms, combined per alpha: for each alpha `a`,
/// `Σ_g filter_g · Σ_k a^(offset + k) · c_{g,k}`, with `powers[a][i] = alpha_a^i`.
fn combined_gate_terms(
    common: &CommonCircuitData<F, D>,
    openings: &OpeningSetVar,
    public_inputs_hash: &[GoldilocksVar; 4],
    powers: &[Vec<GoldilocksVar>],
    offset: usize,
) -> Result<Vec<LazyGoldilocksExt>, SynthesisError> {
    let layout = SelectorLayout::of(common);
    let num_selectors = layout.groups.len();
    let vars = EvalVarsVar {
        local_constants: &openings.constants[num_selectors + common.num_lookup_selectors..],
        local_wires: &openings.wires,
        public_inputs_hash,
    };
    let mut sums: Vec<Vec<LazyGoldilocksExt>> = vec![Vec::new(); powers.len()];
    for (row, gate) in common.gates.iter().enumerate() {
        let constraints = eval_unfiltered(gate.0.as_ref(), vars)?;
        if constraints.is_empty() {
            continue;
        }
        let selector = layout.selector_indices[row];
        let f = filter(
            row,
            &layout.groups[selector],
            &openings.constants[selector],
            num_selectors > 1,
        )?;
        for (sum, pw) in sums.iter_mut().zip(powers) {
            let scaled = constraints
                .iter()
                .enumerate()
                .map(|(k, c)| c.scalar_mul_narrow(&pw[offset + k].lazy()))
                .collect::<Result<Vec<_>, _>>()?;
            let acc = LazyGoldilocksExt::sum(scaled);
            sum.push(acc.reduce()?.lazy().mul(&f.lazy())?);
        }
    }
    Ok(sums.into_iter().map(LazyGoldilocksExt::sum).collect())
}

/// Enforces the PLONK identity at zeta for the given openings and challenges.
pub fn enforce_vanishing(
    common: &CommonCircuitData<F, D>,
    openings: &OpeningSetVar,
    challenges: &ChallengesVar,
    public_inputs_hash: &[GoldilocksVar; 4],
) -> Result<(), SynthesisError> {
    let num_challenges = common.config.num_challenges;
    let max_degree = common.quotient_degree_factor;
    let num_prods = common.num_partial_products;
    let zeta = &challenges.plonk_zeta;
    let zeta_n = exp_power_of_2(zeta, common.degree_bits())?;
    let z_h = zeta_n.lazy().sub(&ext_const(F::ONE)).reduce()?;

    // L_0(ζ)·n·(ζ − 1) = Z_H(ζ).
    let n = F::from_canonical_usize(common.degree());
    let l_0 = GoldilocksExtVar::new_witness(z_h.coeffs[0].fp().cs(), || {
        let zv = zeta.value()?;
        let denominator =
            (zv - GoldilocksExt::ONE) * <GoldilocksExt as FieldExtension<D>>::from_basefield(n);
        Ok(z_h.value()? / denominator)
    })?;
    let n_zeta_minus_1 = zeta
        .lazy()
        .sub(&ext_const(F::ONE))
        .mul_small(n.to_canonical_u64());
    l_0.lazy()
        .mul_narrow(&n_zeta_minus_1)?
        .reduce()?
        .enforce_equal(&z_h)?;

    // Non-gate terms in plonky2's order: Z(1) terms, then partial-product checks.
    let mut terms: Vec<LazyGoldilocksExt> = Vec::new();
    for z in &openings.plonk_zs {
        terms.push(l_0.lazy().mul(&z.lazy().sub(&ext_const(F::ONE)))?);
    }
    for i in 0..num_challenges {
        let beta = &challenges.plonk_betas[i];
        let gamma = LazyGoldilocksExt::from_base(challenges.plonk_gammas[i].lazy());
        let beta_zeta = zeta.scalar_mul(beta)?;
        let numerators: Vec<LazyGoldilocksExt> = (0..common.config.num_routed_wires)
            .map(|j| {
                let k = common.k_is[j].to_canonical_u64();
                openings.wires[j]
                    .lazy()
                    .add(&beta_zeta.lazy().mul_small(k))
                    .add(&gamma)
            })
            .collect();
        let denominators: Vec<LazyGoldilocksExt> = (0..common.config.num_routed_wires)
            .map(|j| {
                Ok(openings.wires[j]
                    .lazy()
                    .add(&openings.plonk_sigmas[j].lazy().scalar_mul(&beta.lazy())?)
                    .add(&gamma))
            })
            .collect::<Result<_, SynthesisError>>()?;
        let accs: Vec<LazyGoldilocksExt> = std::iter::once(&openings.plonk_zs[i])
            .chain(&openings.partial_products[i * num_prods..(i + 1) * num_prods])
            .chain(std::iter::once(&openings.plonk_zs_next[i]))
            .map(GoldilocksExtVar::lazy)
            .collect();
        for ((num, den), pair) in numerators
            .chunks(max_degree)
            .zip(denominators.chunks(max_degree))
            .zip(accs.windows(2))
        {
            let lhs = pair[0].mul_narrow(&product(num)?)?;
            let rhs = pair[1].mul_narrow(&product(den)?)?;
            terms.push(lhs.sub(&rhs));
        }
    }

    // Powers of each alpha over all terms.
    let num_terms = terms.len() + common.num_gate_constraints;
    let powers: Vec<Vec<GoldilocksVar>> = challenges
        .plonk_alphas
        .iter()
        .map(|alpha| {
            let mut pw = vec![GoldilocksVar::constant(F::ONE)];
            for _ in 1..num_terms {
                pw.push(pw.last().expect("non-empty").mul(alpha)?);
            }
            Ok(pw)
        })
        .collect::<Result<_, SynthesisError>>()?;
    let gate_sums =
        combined_gate_terms(common, openings, public_inputs_hash, &powers, terms.len())?;

    // Quotient: t(ζ) = Σ_k t_k(ζ)·(ζ^n)^k per challenge round.
    for (i, (pw, gate_sum)) in powers.iter().zip(gate_sums).enumerate() {
        let mut scaled = terms
            .iter()
            .zip(pw)
            .map(|(t, p)| t.scalar_mul_narrow(&p.lazy()))
            .collect::<Result<Vec<_>, _>>()?;
        scaled.push(gate_sum);
        let vanishing = LazyGoldilocksExt::sum(scaled);
        let chunk = &openings.quotient_polys[i * max_degree..(i + 1) * max_degree];
        let mut t_zeta = chunk[max_degree - 1].clone();
        for t in chunk[..max_degree - 1].iter().rev() {
            t_zeta = t_zeta.mul(&zeta_n)?.add(t)?;
        }
        let rhs = z_h.mul(&t_zeta)?;
        vanishing.reduce()?.enforce_equal(&rhs)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ark_bn254::Fr;
    use ark_relations::r1cs::{ConstraintSystem, ConstraintSystemRef};

    use super::*;
    use crate::r1cs::proof::{ProofShape, ProofVar, WrapProof};
    use crate::wrap::test_proof::fixture;

    /// Allocates `proof` and the challenges plonky2 derives for it (natively: this test is
    /// about the identity, the transcript has its own), then enforces the identity.
    fn run(proof: &WrapProof, challenges_from: &WrapProof) -> ConstraintSystemRef<Fr> {
        let fx = fixture();
        let common = &fx.wrap.data.common;
        let digest = fx.wrap.data.verifier_only.circuit_digest;
        let pis_hash = challenges_from.get_public_inputs_hash();
        let native = challenges_from
            .get_challenges(pis_hash, &digest, common)
            .unwrap();
        let cs = ConstraintSystem::<Fr>::new_ref();
        let shape = ProofShape::new(common).unwrap();
        let p = ProofVar::new_witness(&cs, &shape, Some(proof)).unwrap();
        let base = |xs: &[F]| -> Vec<GoldilocksVar> {
            xs.iter()
                .map(|&x| GoldilocksVar::new_witness(cs.clone(), || Ok(x)).unwrap())
                .collect()
        };
        let ext = |x: GoldilocksExt| GoldilocksExtVar::new_witness(cs.clone(), || Ok(x)).unwrap();
        let ch = ChallengesVar {
            plonk_betas: base(&native.plonk_betas),
            plonk_gammas: base(&native.plonk_gammas),
            plonk_alphas: base(&native.plonk_alphas),
            plonk_zeta: ext(native.plonk_zeta),
            fri_alpha: ext(native.fri_challenges.fri_alpha),
            fri_betas: vec![],
            fri_query_index_bits: vec![],
        };
        let hash: [GoldilocksVar; 4] = base(&pis_hash.elements).try_into().unwrap();
        let before = cs.num_constraints();
        enforce_vanishing(common, &p.openings, &ch, &hash).unwrap();
        eprintln!(
            "vanishing + quotient check: {} constraints",
            cs.num_constraints() - before
        );
        cs
    }

    #[test]
    fn real_proof_satisfies_and_each_mutated_opening_set_fails() {
        let fx = fixture();
        assert!(run(&fx.proof, &fx.proof).is_satisfied().unwrap());
        let one = GoldilocksExt::ONE;
        type Mutation = fn(&mut WrapProof, GoldilocksExt);
        let mutations: [(&str, Mutation); 7] = [
            ("wires", |p, d| p.proof.openings.wires[3] += d),
            ("constants", |p, d| p.proof.openings.constants[4] += d),
            ("plonk_sigmas", |p, d| p.proof.openings.plonk_sigmas[7] += d),
            ("plonk_zs", |p, d| p.proof.openings.plonk_zs[1] += d),
            ("plonk_zs_next", |p, d| {
                p.proof.openings.plonk_zs_next[0] += d
            }),
            ("partial_products", |p, d| {
                p.proof.openings.partial_products[5] += d
            }),
            ("quotient_polys", |p, d| {
                p.proof.openings.quotient_polys[2] += d
            }),
        ];
        for (name, mutate) in mutations {
            let mut bad = fx.proof.clone();
            mutate(&mut bad, one);
            // Same challenges as the honest proof: the identity alone must catch it.
            assert!(
                !run(&bad, &fx.proof).is_satisfied().unwrap(),
                "mutated {name} accepted"
            );
        }
    }
}
