//! The full Fiat–Shamir replay of a wrap proof in R1CS, mirroring plonky2's
//! `get_challenges` and `Challenger::fri_challenges`: FRI parameters, circuit digest,
//! public-inputs hash, the three caps with betas/gammas/alphas/zeta between them, every
//! opening, FRI alpha, one beta per commit-phase cap, the final polynomial, the
//! proof-of-work witness and response, and the query indices.
//!
//! The proof-of-work check (`response < 2^(64 − pow_bits)`) is enforced here, and each
//! query index is returned as the low `lde_bits` bits of its challenge (plonky2 takes the
//! canonical value modulo the power-of-two LDE size).

use ark_bn254::Fr;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::r1cs::SynthesisError;
use plonky2::field::types::Field;
use plonky2::plonk::circuit_data::CommonCircuitData;

use super::challenger::ChallengerVar;
use super::goldilocks::GoldilocksVar;
use super::goldilocks_ext::GoldilocksExtVar;
use super::proof::ProofVar;
use crate::wrap::circuit::{D, F};
use crate::wrap::hasher::Bn254HashOut;

/// Every challenge of one wrap proof.
#[derive(Clone, Debug)]
pub struct ChallengesVar {
    /// Permutation-argument betas, one per challenge round.
    pub plonk_betas: Vec<GoldilocksVar>,
    /// Permutation-argument gammas.
    pub plonk_gammas: Vec<GoldilocksVar>,
    /// Constraint-combination alphas.
    pub plonk_alphas: Vec<GoldilocksVar>,
    /// The opening point.
    pub plonk_zeta: GoldilocksExtVar,
    /// FRI's batching challenge.
    pub fri_alpha: GoldilocksExtVar,
    /// One folding challenge per commit phase.
    pub fri_betas: Vec<GoldilocksExtVar>,
    /// Per query, the LDE index as `lde_bits` little-endian bits.
    pub fri_query_index_bits: Vec<Vec<Boolean<Fr>>>,
}

fn constant(x: F) -> GoldilocksVar {
    GoldilocksVar::constant(x)
}

fn observe_cap(challenger: &mut ChallengerVar, cap: &[FpVar<Fr>]) -> Result<(), SynthesisError> {
    cap.iter()
        .try_for_each(|h| challenger.observe_bn254_hash(h))
}

fn challenges(
    challenger: &mut ChallengerVar,
    n: usize,
) -> Result<Vec<GoldilocksVar>, SynthesisError> {
    (0..n).map(|_| challenger.get_challenge()).collect()
}

/// Replays the transcript of `proof` for the circuit `common` with the pinned
/// `circuit_digest`, given the (separately constrained) public-inputs hash.
pub fn derive_challenges(
    common: &CommonCircuitData<F, D>,
    circuit_digest: &Bn254HashOut,
    public_inputs_hash: &[GoldilocksVar; 4],
    proof: &ProofVar,
) -> Result<ChallengesVar, SynthesisError> {
    let fri = &common.fri_params;
    let num_challenges = common.config.num_challenges;
    let mut challenger = ChallengerVar::new();

    // FRI parameters (FriParams::observe): constants, no constraints.
    let mut params = vec![
        F::from_canonical_usize(fri.config.rate_bits),
        F::from_canonical_usize(fri.config.cap_height),
        F::from_canonical_u32(fri.config.proof_of_work_bits),
    ];
    params.extend(fri.config.reduction_strategy.serialize::<F>());
    params.push(F::from_canonical_usize(fri.config.num_query_rounds));
    params.push(F::from_bool(fri.hiding));
    params.push(F::from_canonical_usize(fri.degree_bits));
    params.extend(
        fri.reduction_arity_bits
            .iter()
            .map(|&a| F::from_canonical_usize(a)),
    );
    for p in params {
        challenger.observe_element(&constant(p))?;
    }

    // The instance: pinned circuit digest, then the public-inputs hash.
    for limb in circuit_digest.limbs() {
        challenger.observe_element(&constant(limb))?;
    }
    challenger.observe_elements(public_inputs_hash)?;

    observe_cap(&mut challenger, &proof.wires_cap)?;
    let plonk_betas = challenges(&mut challenger, num_challenges)?;
    let plonk_gammas = challenges(&mut challenger, num_challenges)?;
    observe_cap(&mut challenger, &proof.zs_partial_products_cap)?;
    let plonk_alphas = challenges(&mut challenger, num_challenges)?;
    observe_cap(&mut challenger, &proof.quotient_cap)?;
    let plonk_zeta = challenger.get_extension_challenge()?;

    for v in proof.openings.zeta_batch() {
        challenger.observe_extension_element(&v)?;
    }
    for v in &proof.openings.plonk_zs_next {
        challenger.observe_extension_element(v)?;
    }

    let fri_alpha = challenger.get_extension_challenge()?;
    let fri_betas = proof
        .commit_phase_caps
        .iter()
        .map(|cap| {
            observe_cap(&mut challenger, cap)?;
            challenger.get_extension_challenge()
        })
        .collect::<Result<Vec<_>, _>>()?;
    for c in &proof.final_poly {
        challenger.observe_extension_element(c)?;
    }
    challenger.observe_element(&proof.pow_witness)?;
    let pow_response = challenger.get_challenge()?;
    enforce_proof_of_work(&pow_response, fri.config.proof_of_work_bits)?;

    let lde_bits = fri.degree_bits + fri.config.rate_bits;
    let fri_query_index_bits = (0..fri.config.num_query_rounds)
        .map(|_| challenger.get_challenge()?.low_bits(lde_bits))
        .collect::<Result<_, _>>()?;

    Ok(ChallengesVar {
        plonk_betas,
        plonk_gammas,
        plonk_alphas,
        plonk_zeta,
        fri_alpha,
        fri_betas,
        fri_query_index_bits,
    })
}

/// plonky2's grinding check: the response has at least `pow_bits` leading zeros among its
/// 64 bits, i.e. it fits in `64 − pow_bits` bits.
pub fn enforce_proof_of_work(
    response: &GoldilocksVar,
    pow_bits: u32,
) -> Result<(), SynthesisError> {
    response.bits_le(64 - pow_bits as usize).map(|_| ())
}

#[cfg(test)]
mod tests {
    use ark_r1cs_std::R1CSVar;
    use ark_relations::r1cs::ConstraintSystem;
    use plonky2::field::types::PrimeField64;

    use super::*;
    use crate::r1cs::proof::ProofShape;
    use crate::wrap::test_proof::fixture;

    fn bits_value(bits: &[Boolean<Fr>]) -> usize {
        bits.iter()
            .rev()
            .fold(0, |acc, b| (acc << 1) | usize::from(b.value().unwrap()))
    }

    #[test]
    fn matches_native_challenges() {
        let fx = fixture();
        let common = &fx.wrap.data.common;
        let digest = fx.wrap.data.verifier_only.circuit_digest;
        let pis_hash = fx.proof.get_public_inputs_hash();
        let native = fx.proof.get_challenges(pis_hash, &digest, common).unwrap();

        let cs = ConstraintSystem::<Fr>::new_ref();
        let shape = ProofShape::new(common).unwrap();
        shape.check(&fx.proof).unwrap();
        let proof = ProofVar::new_witness(&cs, &shape, Some(&fx.proof)).unwrap();
        let before = cs.num_constraints();
        let hash: [GoldilocksVar; 4] = std::array::from_fn(|i| {
            GoldilocksVar::new_witness(cs.clone(), || Ok(pis_hash.elements[i])).unwrap()
        });
        let ch = derive_challenges(common, &digest, &hash, &proof).unwrap();
        eprintln!(
            "transcript replay: {} constraints (proof allocation {before})",
            cs.num_constraints() - before
        );
        let base =
            |v: &[GoldilocksVar]| -> Vec<F> { v.iter().map(|x| x.value().unwrap()).collect() };
        assert_eq!(base(&ch.plonk_betas), native.plonk_betas);
        assert_eq!(base(&ch.plonk_gammas), native.plonk_gammas);
        assert_eq!(base(&ch.plonk_alphas), native.plonk_alphas);
        assert_eq!(ch.plonk_zeta.value().unwrap(), native.plonk_zeta);
        let fri = &native.fri_challenges;
        assert_eq!(ch.fri_alpha.value().unwrap(), fri.fri_alpha);
        let betas: Vec<_> = ch.fri_betas.iter().map(|b| b.value().unwrap()).collect();
        assert_eq!(betas, fri.fri_betas);
        let indices: Vec<usize> = ch
            .fri_query_index_bits
            .iter()
            .map(|b| bits_value(b))
            .collect();
        assert_eq!(indices, fri.fri_query_indices);
        assert!(cs.is_satisfied().unwrap());
    }

    #[test]
    fn proof_of_work_bound_is_enforced() {
        for (raw, ok) in [
            (0u64, true),
            ((1 << 48) - 1, true),
            (1 << 48, false),
            (F::NEG_ONE.to_canonical_u64(), false),
        ] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let r = GoldilocksVar::new_witness_u64(cs.clone(), || Ok(raw)).unwrap();
            enforce_proof_of_work(&r, 16).unwrap();
            assert_eq!(cs.is_satisfied().unwrap(), ok, "response {raw:#x}");
        }
    }
}
