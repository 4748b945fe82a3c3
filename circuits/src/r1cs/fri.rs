//! FRI verification of a wrap proof in R1CS, mirroring plonky2's `fri/verifier.rs`
//! (`verify_fri_proof`) for the PLONK instance of `CommonCircuitData::get_fri_instance`
//! (no lookups, no salts):
//!
//! - the openings reduced by powers of FRI's alpha, once per proof (the zeta batch: every
//!   polynomial; the g·zeta batch: the Z polynomials);
//! - per query: the four initial Merkle paths (constants+sigmas, wires, zs+partial
//!   products, quotient) against their caps, the initial openings combined into
//!   `α^{n₁}·(R₀(x) − r₀)/(x − ζ) + (R₁(x) − r₁)/(x − gζ)`, then each commit phase: the
//!   coset's Merkle path, the coset value at x equal to the previous value, and the fold
//!   (the coset's interpolant evaluated at beta); finally the final polynomial at x.
//!
//! The proof-of-work check and the query index bits come from [`super::challenges`].
//!
//! # How the R1CS computes what plonky2 computes
//! - Domain points come from the index bits by constant lookups: `x = G·ω^{rev(index)}` is a
//!   product of per-bit constants, four bits per lookup table ([`product_of_selected`]).
//! - A fold evaluates the interpolant of the coset `{s·g^j}` at beta as
//!   `Σ_k c_k·(β/s)^k` with `c_k = (1/n)·Σ_j e'_j·g^{−jk}` (an inverse DFT with constant
//!   coefficients: linear, free), where `e'` is the coset's evaluations in plonky2's
//!   bit-reversed order and `s` the coset's first point; tested against plonky2's
//!   barycentric `interpolate`.
//! - Divisions are witnesses checked by one product; equalities of unreduced values are
//!   checked modulo p ([`LazyGoldilocks::enforce_zero`](super::goldilocks::LazyGoldilocks::enforce_zero)).
//!   A division by zero (x = ζ, x = gζ, or s = 0) cannot happen: x and s are non-zero base
//!   field points and ζ is a random extension element, so x = ζ has probability ~2^-128.

use ark_bn254::Fr;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::select::CondSelectGadget;
use ark_r1cs_std::R1CSVar;
use ark_relations::r1cs::SynthesisError;
use plonky2::field::extension::FieldExtension;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::plonk::circuit_data::CommonCircuitData;

use super::challenges::ChallengesVar;
use super::goldilocks::{GoldilocksVar, LazyGoldilocks};
use super::goldilocks_ext::{GoldilocksExt, GoldilocksExtVar, LazyGoldilocksExt};
use super::merkle::verify_merkle_proof_to_cap_var;
use super::proof::{ProofVar, QueryRoundVar};
use crate::wrap::circuit::{D, F};

/// `n`'s low `num_bits` bits in reverse order (plonky2's `reverse_bits`).
fn reverse_bits(n: usize, num_bits: usize) -> usize {
    (0..num_bits).fold(0, |acc, i| (acc << 1) | ((n >> i) & 1))
}

/// Bits per constant lookup table in [`product_of_selected`] (a table of 2^4 entries costs
/// 15 constraints).
const LOOKUP_BITS: usize = 4;

/// One-hot indicators of the value of `bits` (little-endian): `2^k − 1` constraints.
fn indicators(bits: &[Boolean<Fr>]) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    let mut ind = vec![FpVar::one()];
    for b in bits {
        let b = FpVar::from(b.clone());
        let high: Vec<FpVar<Fr>> = ind.iter().map(|i| i * &b).collect();
        let low: Vec<FpVar<Fr>> = ind.iter().zip(&high).map(|(i, h)| i - h).collect();
        ind = low.into_iter().chain(high).collect();
    }
    Ok(ind)
}

/// `c · Π_i (b_i ? f_i : 1)` for constants `c`, `f_i`: groups of [`LOOKUP_BITS`] bits pick
/// an entry of a constant table (one-hot indicators, so the entry is exactly one canonical
/// constant), and the picks are multiplied.
pub fn product_of_selected(
    c: F,
    factors: &[(Boolean<Fr>, F)],
) -> Result<GoldilocksVar, SynthesisError> {
    let mut acc: Option<GoldilocksVar> = None;
    for (w, group) in factors.chunks(LOOKUP_BITS).enumerate() {
        let bits: Vec<Boolean<Fr>> = group.iter().map(|(b, _)| b.clone()).collect();
        let ind = indicators(&bits)?;
        // The first table absorbs the constant factor.
        let scale = if w == 0 { c } else { F::ONE };
        let mut pick = FpVar::zero();
        for (v, i) in ind.iter().enumerate() {
            let entry = group
                .iter()
                .enumerate()
                .filter(|(k, _)| (v >> k) & 1 == 1)
                .fold(scale, |e, (_, (_, f))| e * *f);
            pick += i * Fr::from(entry.to_canonical_u64());
        }
        let pick = GoldilocksVar::from_canonical_fp(pick);
        acc = Some(match acc {
            None => pick,
            Some(a) => a.mul(&pick)?,
        });
    }
    Ok(acc.unwrap_or_else(|| GoldilocksVar::constant(c)))
}

/// `values[index]` for `index` given by little-endian `bits` (a tree of selections, one
/// constraint per coordinate and node).
///
/// # Panics
/// If `values.len() != 2^bits.len()`.
pub fn select_ext(
    bits: &[Boolean<Fr>],
    values: &[GoldilocksExtVar],
) -> Result<GoldilocksExtVar, SynthesisError> {
    assert_eq!(values.len(), 1 << bits.len(), "one value per index");
    let mut layer: Vec<[FpVar<Fr>; 2]> = values
        .iter()
        .map(|v| [v.coeffs[0].fp().clone(), v.coeffs[1].fp().clone()])
        .collect();
    for bit in bits {
        layer = layer
            .chunks(2)
            .map(|pair| {
                Ok([
                    FpVar::conditionally_select(bit, &pair[1][0], &pair[0][0])?,
                    FpVar::conditionally_select(bit, &pair[1][1], &pair[0][1])?,
                ])
            })
            .collect::<Result<_, SynthesisError>>()?;
    }
    let [c0, c1] = layer.pop().expect("one value left");
    // A selection among canonical values is canonical.
    Ok(GoldilocksExtVar {
        coeffs: [
            GoldilocksVar::from_canonical_fp(c0),
            GoldilocksVar::from_canonical_fp(c1),
        ],
    })
}

/// The cs of the first variable among `vars` (constants have none).
fn cs_of(vars: &[&FpVar<Fr>]) -> ark_relations::r1cs::ConstraintSystemRef<Fr> {
    vars.iter()
        .fold(ark_relations::r1cs::ConstraintSystemRef::None, |cs, v| {
            cs.or(v.cs())
        })
}

fn ext_const(x: GoldilocksExt) -> LazyGoldilocksExt {
    LazyGoldilocksExt::constant(x)
}

fn base_as_ext(x: F) -> GoldilocksExt {
    <GoldilocksExt as FieldExtension<D>>::from_basefield(x)
}

/// The value at `beta` of the polynomial of degree `< n` taking the values `evals` (in
/// plonky2's bit-reversed coset order) on the coset `{s·g^j}` of the order-`n` subgroup
/// (plonky2's `compute_evaluation` with `s = x·g^{−rev(x_index_within_coset)}`). Unreduced.
pub fn coset_interpolate(
    evals: &[GoldilocksExtVar],
    s: &GoldilocksVar,
    beta: &GoldilocksExtVar,
) -> Result<LazyGoldilocksExt, SynthesisError> {
    let n = evals.len();
    let arity_bits = n.trailing_zeros() as usize;
    assert_eq!(n, 1 << arity_bits, "a coset has a power-of-two size");
    let g_inv = F::primitive_root_of_unity(arity_bits).inverse();
    let n_inv = F::from_canonical_usize(n).inverse();
    // e'_j = evals[rev(j)]; c_k = (1/n)·Σ_j e'_j·g^{−jk} (constant coefficients: free).
    let coeffs: Vec<LazyGoldilocksExt> = (0..n)
        .map(|k| {
            let terms = (0..n)
                .map(|j| {
                    let w = n_inv * g_inv.exp_u64((j * k) as u64);
                    evals[reverse_bits(j, arity_bits)]
                        .lazy()
                        .scalar_mul(&LazyGoldilocks::constant(w))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(LazyGoldilocksExt::sum(terms))
        })
        .collect::<Result<_, SynthesisError>>()?;

    // t = β/s, a witness checked by t·s = β.
    let cs = cs_of(&[s.fp(), beta.coeffs[0].fp(), beta.coeffs[1].fp()]);
    let t = GoldilocksExtVar::new_witness(cs, || {
        let s_inv = s
            .value()?
            .try_inverse()
            .ok_or(SynthesisError::Unsatisfiable)?;
        Ok(beta.value()? * base_as_ext(s_inv))
    })?;
    t.lazy()
        .scalar_mul(&s.lazy())?
        .enforce_equal(&beta.lazy())?;

    // Σ_k c_k·t^k = Σ_hi (t^m)^hi·(Σ_lo c_{m·hi+lo}·t^lo), m ≈ √n: each inner sum is
    // reduced once, so about 2√n powers of t are computed instead of n.
    let m = (1..=n).find(|m| m * m >= n).expect("n itself qualifies");
    let low = ext_powers(&t, m)?;
    let t_m = low[m - 1].mul(&t)?;
    let high = ext_powers(&t_m, n.div_ceil(m))?;
    let mut terms = Vec::with_capacity(high.len());
    for (chunk, outer) in coeffs.chunks(m).zip(&high) {
        let inner = chunk
            .iter()
            .zip(&low)
            .map(|(c, p)| c.mul(&p.lazy()))
            .collect::<Result<Vec<_>, _>>()?;
        terms.push(
            LazyGoldilocksExt::sum(inner)
                .reduce()?
                .lazy()
                .mul(&outer.lazy())?,
        );
    }
    Ok(LazyGoldilocksExt::sum(terms))
}

/// Powers `t^0 … t^(n−1)` of an extension variable, reduced.
fn ext_powers(t: &GoldilocksExtVar, n: usize) -> Result<Vec<GoldilocksExtVar>, SynthesisError> {
    let mut out = vec![GoldilocksExtVar::constant(GoldilocksExt::ONE), t.clone()];
    while out.len() < n {
        let next = out.last().expect("non-empty").mul(t)?;
        out.push(next);
    }
    out.truncate(n);
    Ok(out)
}

/// Powers `x^0 … x^(n−1)` of a base-field variable, reduced (`n − 2` multiplications).
fn powers(x: &GoldilocksVar, n: usize) -> Result<Vec<GoldilocksVar>, SynthesisError> {
    let mut out = vec![GoldilocksVar::constant(F::ONE), x.clone()];
    while out.len() < n {
        let next = out.last().expect("non-empty").mul(x)?;
        out.push(next);
    }
    out.truncate(n);
    Ok(out)
}

/// `Σ_k c_k·x^k` for extension coefficients and a base-field point, unreduced. With
/// `m ≈ √n`, `x^k = x^lo·(x^m)^hi`: the inner sums `Σ_lo c_{m·hi+lo}·x^lo` stay narrow
/// enough (≈ 131 bits) to be multiplied by `(x^m)^hi` without reduction, so only about
/// `2√n` powers are computed instead of `n`.
pub fn eval_at_base_point(
    coeffs: &[GoldilocksExtVar],
    x: &GoldilocksVar,
) -> Result<LazyGoldilocksExt, SynthesisError> {
    let n = coeffs.len().max(1);
    let m = (1..=n).find(|m| m * m >= n).expect("n itself qualifies");
    let low = powers(x, m)?;
    let x_m = low[m - 1].mul(x)?;
    let high = powers(&x_m, n.div_ceil(m))?;
    let mut terms = Vec::with_capacity(high.len());
    for (chunk, outer) in coeffs.chunks(m).zip(&high) {
        let inner = chunk
            .iter()
            .zip(&low)
            .map(|(c, p)| c.lazy().scalar_mul(&p.lazy()))
            .collect::<Result<Vec<_>, _>>()?;
        terms.push(LazyGoldilocksExt::sum(inner).scalar_mul(&outer.lazy())?);
    }
    Ok(LazyGoldilocksExt::sum(terms))
}

/// Powers of FRI's alpha split as `α^i = α^lo·(α^m)^hi` with `m ≈ √len`: about `2√len`
/// reduced extension powers instead of `len`. A base value times `α^lo` summed over a chunk
/// stays near 133 bits and an extension value's near 137, so the chunk sums are multiplied by
/// `(α^m)^hi` unreduced.
struct AlphaPowers {
    low: Vec<GoldilocksExtVar>,
    high: Vec<GoldilocksExtVar>,
}

impl AlphaPowers {
    fn new(alpha: &GoldilocksExtVar, len: usize) -> Result<Self, SynthesisError> {
        let len = len.max(1);
        let m = (2..=len.max(2))
            .find(|m| m * m >= len)
            .expect("len itself qualifies");
        let low = ext_powers(alpha, m)?;
        let alpha_m = low[m - 1].mul(alpha)?;
        let high = ext_powers(&alpha_m, len.div_ceil(m).max(1))?;
        Ok(Self { low, high })
    }

    fn chunk(&self) -> usize {
        self.low.len()
    }

    /// `Σ_i α^i·term(v_i, α^lo)` where `term` multiplies a value by a low power.
    fn reduce<T>(
        &self,
        values: &[T],
        term: impl Fn(&T, &GoldilocksExtVar) -> Result<LazyGoldilocksExt, SynthesisError>,
    ) -> Result<LazyGoldilocksExt, SynthesisError> {
        assert!(
            values.len() <= self.chunk() * self.high.len(),
            "enough powers"
        );
        let mut terms = Vec::new();
        for (chunk, outer) in values.chunks(self.chunk()).zip(&self.high) {
            let inner = chunk
                .iter()
                .zip(&self.low)
                .map(|(v, p)| term(v, p))
                .collect::<Result<Vec<_>, _>>()?;
            terms.push(LazyGoldilocksExt::sum(inner).mul(&outer.lazy())?);
        }
        Ok(LazyGoldilocksExt::sum(terms))
    }

    /// `α^k`, reduced.
    fn power(&self, k: usize) -> Result<GoldilocksExtVar, SynthesisError> {
        let (lo, hi) = (k % self.chunk(), k / self.chunk());
        if hi == 0 {
            Ok(self.low[lo].clone())
        } else {
            self.low[lo].mul(&self.high[hi])
        }
    }
}

/// The FRI instance's opening values in plonky2's batch order, reduced by powers of alpha.
struct ReducedOpenings {
    /// Powers of alpha, enough for the longest batch.
    alpha: AlphaPowers,
    /// `α^{n₁}` for the second batch's length `n₁` (ReducingFactor::shift).
    shift: GoldilocksExtVar,
    /// `Σ α^i·o_i` over each batch's openings.
    at_points: [LazyGoldilocksExt; 2],
    /// The batch points: zeta and g·zeta.
    points: [LazyGoldilocksExt; 2],
}

impl ReducedOpenings {
    fn new(
        common: &CommonCircuitData<F, D>,
        proof: &ProofVar,
        challenges: &ChallengesVar,
    ) -> Result<Self, SynthesisError> {
        let zeta_batch = proof.openings.zeta_batch();
        let next_batch = &proof.openings.plonk_zs_next;
        let alpha = AlphaPowers::new(
            &challenges.fri_alpha,
            zeta_batch.len().max(next_batch.len()),
        )?;
        let ext_term = |v: &GoldilocksExtVar, p: &GoldilocksExtVar| v.lazy().mul(&p.lazy());
        let at_points = [
            alpha.reduce(&zeta_batch, ext_term)?,
            alpha.reduce(next_batch, ext_term)?,
        ];
        let shift = alpha.power(next_batch.len())?;
        let g = GoldilocksExt::primitive_root_of_unity(common.degree_bits());
        let zeta = challenges.plonk_zeta.lazy();
        let zeta_next = zeta.mul(&ext_const(g))?.reduce()?.lazy();
        Ok(Self {
            alpha,
            shift,
            at_points,
            points: [zeta, zeta_next],
        })
    }
}

/// The oracles' evaluations at x combined into the first FRI value (plonky2's
/// `fri_combine_initial`), unreduced.
fn combine_initial(
    round: &QueryRoundVar,
    x: &GoldilocksVar,
    reduced: &ReducedOpenings,
    num_zs: usize,
) -> Result<LazyGoldilocksExt, SynthesisError> {
    let trees = &round.initial.evals_proofs;
    let reduce_base = |values: Vec<&GoldilocksVar>| {
        reduced
            .alpha
            .reduce(&values, |v, p| p.lazy().scalar_mul(&v.lazy()))
    };
    // The zeta batch: every polynomial of every oracle, in order; the g·zeta batch: the Zs.
    let all: Vec<&GoldilocksVar> = trees.iter().flat_map(|(leaf, _)| leaf).collect();
    let zs: Vec<&GoldilocksVar> = trees[2].0[..num_zs].iter().collect();
    let batch_evals = [reduce_base(all)?, reduce_base(zs)?];
    let x_ext = LazyGoldilocksExt::from_base(x.lazy());
    let cs = cs_of(&[x.fp()]);
    let mut quotients = Vec::with_capacity(2);
    for ((evals, opened), point) in batch_evals
        .iter()
        .zip(&reduced.at_points)
        .zip(&reduced.points)
    {
        // q = (R(x) − r)/(x − point), a witness checked by q·(x − point) = R(x) − r.
        let numerator = evals.sub(opened);
        let denominator = x_ext.sub(point);
        let q = GoldilocksExtVar::new_witness(cs.clone(), || {
            let d_inv = denominator
                .value()?
                .try_inverse()
                .ok_or(SynthesisError::Unsatisfiable)?;
            Ok(numerator.value()? * d_inv)
        })?;
        q.lazy().mul(&denominator)?.enforce_equal(&numerator)?;
        quotients.push(q);
    }
    // α^{n₁}·q₀ + q₁ (ReducingFactor::shift by the second batch's length).
    Ok(quotients[0]
        .lazy()
        .mul(&reduced.shift.lazy())?
        .add(&quotients[1].lazy()))
}

/// Verifies the FRI proof in `proof` for the circuit `common`, given the challenges
/// (query index bits included) and the constants-sigmas cap of the verifier data.
pub fn verify_fri_proof(
    common: &CommonCircuitData<F, D>,
    constants_sigmas_cap: &[FpVar<Fr>],
    proof: &ProofVar,
    challenges: &ChallengesVar,
) -> Result<(), SynthesisError> {
    let params = &common.fri_params;
    let lde_bits = params.degree_bits + params.config.rate_bits;
    let num_zs = common.config.num_challenges;
    let reduced = ReducedOpenings::new(common, proof, challenges)?;
    let caps: [&[FpVar<Fr>]; 4] = [
        constants_sigmas_cap,
        &proof.wires_cap,
        &proof.zs_partial_products_cap,
        &proof.quotient_cap,
    ];
    // Domain constants: x = G^{2^shift}·Π_{j ≥ shift} (b_j ? ω^{2^{shift + L − 1 − j}} : 1)
    // for the point reached after folding away `shift` index bits.
    let omega = F::primitive_root_of_unity(lde_bits);
    let point = |bits: &[Boolean<Fr>], shift: usize, from: usize| {
        let factors: Vec<(Boolean<Fr>, F)> = (from..lde_bits)
            .map(|j| {
                (
                    bits[j].clone(),
                    omega.exp_power_of_2(shift + lde_bits - 1 - j),
                )
            })
            .collect();
        product_of_selected(
            F::MULTIPLICATIVE_GROUP_GENERATOR.exp_power_of_2(shift),
            &factors,
        )
    };

    for (round, bits) in proof
        .query_rounds
        .iter()
        .zip(&challenges.fri_query_index_bits)
    {
        for ((leaf, siblings), cap) in round.initial.evals_proofs.iter().zip(caps) {
            verify_merkle_proof_to_cap_var(leaf, bits, cap, siblings)?;
        }
        let x = point(bits, 0, 0)?;
        let mut old_eval = combine_initial(round, &x, &reduced, num_zs)?;
        let mut shift = 0;
        for (i, ((step, &arity_bits), beta)) in round
            .steps
            .iter()
            .zip(&params.reduction_arity_bits)
            .zip(&challenges.fri_betas)
            .enumerate()
        {
            let within = &bits[shift..shift + arity_bits];
            select_ext(within, &step.evals)?
                .lazy()
                .enforce_equal(&old_eval)?;
            let leaf: Vec<GoldilocksVar> =
                step.evals.iter().flat_map(|e| e.coeffs.clone()).collect();
            verify_merkle_proof_to_cap_var(
                &leaf,
                &bits[shift + arity_bits..],
                &proof.commit_phase_caps[i],
                &step.siblings,
            )?;
            // The coset's first point: x with its within-coset bits dropped.
            let s = point(bits, shift, shift + arity_bits)?;
            old_eval = coset_interpolate(&step.evals, &s, beta)?;
            shift += arity_bits;
        }
        // The final polynomial at the last point.
        let x_final = point(bits, shift, shift)?;
        eval_at_base_point(&proof.final_poly, &x_final)?.enforce_equal(&old_eval)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ark_r1cs_std::alloc::AllocVar;
    use ark_relations::r1cs::{ConstraintSystem, ConstraintSystemRef};
    use plonky2::field::interpolation::{barycentric_weights, interpolate};
    use plonky2::field::types::Sample;
    use plonky2::util::reverse_index_bits_in_place;

    use super::*;
    use crate::r1cs::proof::{ProofShape, WrapProof};
    use crate::wrap::hasher::Bn254HashOut;
    use crate::wrap::test_proof::fixture;

    fn bits_of(cs: &ConstraintSystemRef<Fr>, v: usize, n: usize) -> Vec<Boolean<Fr>> {
        (0..n)
            .map(|i| Boolean::new_witness(cs.clone(), || Ok((v >> i) & 1 == 1)).unwrap())
            .collect()
    }

    #[test]
    fn product_of_selected_matches_native() {
        let factors: Vec<F> = (0..10).map(|_| F::rand()).collect();
        let c = F::rand();
        for v in [0usize, 1, 0b10_1101_0110, (1 << 10) - 1] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let bits = bits_of(&cs, v, 10);
            let pairs: Vec<(Boolean<Fr>, F)> = bits.into_iter().zip(factors.clone()).collect();
            let got = product_of_selected(c, &pairs).unwrap();
            let want = factors
                .iter()
                .enumerate()
                .filter(|(i, _)| (v >> i) & 1 == 1)
                .fold(c, |acc, (_, f)| acc * *f);
            assert_eq!(got.value().unwrap(), want);
            assert!(cs.is_satisfied().unwrap());
        }
    }

    /// plonky2's `compute_evaluation` (crate-private), from its public pieces.
    fn native_compute_evaluation(
        x: F,
        index_within_coset: usize,
        arity_bits: usize,
        evals: &[GoldilocksExt],
        beta: GoldilocksExt,
    ) -> GoldilocksExt {
        let arity = 1 << arity_bits;
        let g = F::primitive_root_of_unity(arity_bits);
        let mut evals = evals.to_vec();
        reverse_index_bits_in_place(&mut evals);
        let rev = reverse_bits(index_within_coset, arity_bits);
        let coset_start = x * g.exp_u64((arity - rev) as u64);
        let points: Vec<(GoldilocksExt, GoldilocksExt)> = g
            .powers()
            .map(|y| base_as_ext(coset_start * y))
            .zip(evals)
            .collect();
        interpolate(&points, beta, &barycentric_weights(&points))
    }

    #[test]
    fn evaluation_at_a_base_point_matches_native() {
        use plonky2::field::polynomial::PolynomialCoeffs;
        for n in [1, 2, 5, 16, 32] {
            let coeffs: Vec<GoldilocksExt> = (0..n).map(|_| GoldilocksExt::rand()).collect();
            let x = F::rand();
            let want = PolynomialCoeffs::new(coeffs.clone()).eval(base_as_ext(x));
            let cs = ConstraintSystem::<Fr>::new_ref();
            let cv: Vec<GoldilocksExtVar> = coeffs
                .iter()
                .map(|&c| GoldilocksExtVar::new_witness(cs.clone(), || Ok(c)).unwrap())
                .collect();
            let xv = GoldilocksVar::new_witness(cs.clone(), || Ok(x)).unwrap();
            let before = cs.num_constraints();
            let got = eval_at_base_point(&cv, &xv).unwrap();
            assert_eq!(got.value().unwrap(), want, "{n} coefficients");
            got.enforce_equal(&LazyGoldilocksExt::constant(want))
                .unwrap();
            assert!(cs.is_satisfied().unwrap());
            eprintln!(
                "evaluation of {n} coefficients: {}",
                cs.num_constraints() - before
            );
        }
    }

    #[test]
    fn coset_interpolation_matches_native() {
        for arity_bits in [1, 3, 4] {
            let arity = 1 << arity_bits;
            let evals: Vec<GoldilocksExt> = (0..arity).map(|_| GoldilocksExt::rand()).collect();
            let beta = GoldilocksExt::rand();
            let x = F::rand();
            let index = arity - 1;
            let want = native_compute_evaluation(x, index, arity_bits, &evals, beta);
            let g = F::primitive_root_of_unity(arity_bits);
            let s_native = x * g.exp_u64((arity - reverse_bits(index, arity_bits)) as u64);

            let cs = ConstraintSystem::<Fr>::new_ref();
            let ev: Vec<GoldilocksExtVar> = evals
                .iter()
                .map(|&e| GoldilocksExtVar::new_witness(cs.clone(), || Ok(e)).unwrap())
                .collect();
            let s = GoldilocksVar::new_witness(cs.clone(), || Ok(s_native)).unwrap();
            let b = GoldilocksExtVar::new_witness(cs.clone(), || Ok(beta)).unwrap();
            let before = cs.num_constraints();
            let got = coset_interpolate(&ev, &s, &b).unwrap();
            eprintln!(
                "coset interpolation, arity {arity}: {} constraints",
                cs.num_constraints() - before
            );
            assert_eq!(got.value().unwrap(), want);
            assert!(cs.is_satisfied().unwrap());
        }
    }

    /// Allocates `proof`, uses plonky2's own challenges for `challenges_from` (this test is
    /// about FRI; the transcript has its own), and verifies the FRI proof.
    fn run(proof: &WrapProof, challenges_from: &WrapProof) -> ConstraintSystemRef<Fr> {
        let fx = fixture();
        let common = &fx.wrap.data.common;
        let verifier = &fx.wrap.data.verifier_only;
        let pis_hash = challenges_from.get_public_inputs_hash();
        let all = challenges_from
            .get_challenges(pis_hash, &verifier.circuit_digest, common)
            .unwrap();
        let native = &all.fri_challenges;
        let cs = ConstraintSystem::<Fr>::new_ref();
        let shape = ProofShape::new(common).unwrap();
        let p = ProofVar::new_witness(&cs, &shape, Some(proof)).unwrap();
        let ext = |x: GoldilocksExt| GoldilocksExtVar::new_witness(cs.clone(), || Ok(x)).unwrap();
        let lde_bits = common.fri_params.degree_bits + common.fri_params.config.rate_bits;
        let zeta = all.plonk_zeta;
        let ch = ChallengesVar {
            plonk_betas: vec![],
            plonk_gammas: vec![],
            plonk_alphas: vec![],
            plonk_zeta: ext(zeta),
            fri_alpha: ext(native.fri_alpha),
            fri_betas: native.fri_betas.iter().map(|&b| ext(b)).collect(),
            fri_query_index_bits: native
                .fri_query_indices
                .iter()
                .map(|&i| bits_of(&cs, i, lde_bits))
                .collect(),
        };
        let cap: Vec<FpVar<Fr>> = verifier
            .constants_sigmas_cap
            .0
            .iter()
            .map(|h: &Bn254HashOut| FpVar::constant(h.0))
            .collect();
        let before = cs.num_constraints();
        verify_fri_proof(common, &cap, &p, &ch).unwrap();
        eprintln!(
            "FRI ({} queries): {} constraints",
            shape.num_queries,
            cs.num_constraints() - before
        );
        cs
    }

    #[test]
    fn real_proof_satisfies_and_each_mangled_part_fails() {
        let fx = fixture();
        assert!(run(&fx.proof, &fx.proof).is_satisfied().unwrap());
        let one = GoldilocksExt::ONE;
        let bump = |h: &mut Bn254HashOut| h.0 += Fr::from(1u64);
        type Mutation = Box<dyn Fn(&mut WrapProof)>;
        let mutations: Vec<(&str, Mutation)> = vec![
            (
                "initial leaf (wires) value",
                Box::new(|p| {
                    p.proof.opening_proof.query_round_proofs[0]
                        .initial_trees_proof
                        .evals_proofs[1]
                        .0[5] += F::ONE
                }),
            ),
            (
                "initial Merkle sibling (constants+sigmas)",
                Box::new(move |p| {
                    bump(
                        &mut p.proof.opening_proof.query_round_proofs[1]
                            .initial_trees_proof
                            .evals_proofs[0]
                            .1
                            .siblings[3],
                    )
                }),
            ),
            (
                "initial Merkle sibling (quotient)",
                Box::new(move |p| {
                    bump(
                        &mut p.proof.opening_proof.query_round_proofs[0]
                            .initial_trees_proof
                            .evals_proofs[3]
                            .1
                            .siblings[0],
                    )
                }),
            ),
            (
                "wires cap element",
                Box::new(move |p| {
                    for h in p.proof.wires_cap.0.iter_mut() {
                        bump(h)
                    }
                }),
            ),
            (
                "commit-phase value",
                Box::new(move |p| {
                    p.proof.opening_proof.query_round_proofs[0].steps[0].evals[3] += one
                }),
            ),
            (
                "commit-phase Merkle sibling",
                Box::new(move |p| {
                    bump(
                        &mut p.proof.opening_proof.query_round_proofs[1].steps[1]
                            .merkle_proof
                            .siblings[0],
                    )
                }),
            ),
            (
                "commit-phase cap",
                Box::new(move |p| {
                    for h in p.proof.opening_proof.commit_phase_merkle_caps[1]
                        .0
                        .iter_mut()
                    {
                        bump(h)
                    }
                }),
            ),
            (
                "final polynomial coefficient",
                Box::new(move |p| p.proof.opening_proof.final_poly.coeffs[2] += one),
            ),
            (
                "opening at zeta (quotient)",
                Box::new(move |p| p.proof.openings.quotient_polys[0] += one),
            ),
            (
                "opening at g·zeta",
                Box::new(move |p| p.proof.openings.plonk_zs_next[1] += one),
            ),
        ];
        for (name, mutate) in mutations {
            let mut bad = fx.proof.clone();
            mutate(&mut bad);
            assert!(
                !run(&bad, &fx.proof).is_satisfied().unwrap(),
                "mangled {name} accepted"
            );
        }
    }
}
