//! A Groth16 prover (BN254) whose heavy work runs on a [`Backend`]: the QAP witness map's
//! six NTTs and the proof's five MSMs (four in G1, one in G2).
//!
//! It computes exactly what arkworks' `Groth16::create_proof_with_reduction_and_matrices`
//! computes with the libsnark reduction (the one `ark_groth16`'s setup uses): the quotient
//! `h = (A·B − C) / Z_H` is evaluated on the coset `g·H` (g = Fr's multiplicative
//! generator) and interpolated back; then
//! `A = α + Σ aᵢ·Aᵢ + r·δ`, `B = β + Σ aᵢ·Bᵢ + s·δ` (in G2, and in G1 for C),
//! `C = s·A + r·B₁ − r·s·δ + Σ wᵢ·Lᵢ + Σ hᵢ·Hᵢ`.

use ark_bn254::{Bn254, Fr, G1Projective};
use ark_ec::CurveGroup;
use ark_ff::{BigInteger256, FftField, Field, PrimeField, Zero};
use ark_groth16::{Proof, ProvingKey};
use ark_relations::r1cs::ConstraintSystemRef;
use rayon::prelude::*;

use super::r1cs::{R1cs, RowValues};
use super::{Backend, BackendError, NttDirection};

/// Why a proof could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// A kernel failed.
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// The constraint system has no assignment or no matrices (not finalized, or
    /// synthesized in setup mode), or the assignment does not fit the matrices.
    #[error("the constraint system cannot be proved: {0}")]
    ConstraintSystem(String),
    /// The proving key does not fit the constraint system.
    #[error("the proving key does not fit the circuit: {0}")]
    KeyMismatch(String),
}

/// A full assignment (the constant 1, the public inputs, then the witness) with the
/// evaluations `A·z`, `B·z`, `C·z` of every constraint of its [`R1cs`], zero-padded to the
/// QAP domain.
pub struct Assignment<'r> {
    r1cs: &'r R1cs,
    full: Vec<Fr>,
    rows: RowValues,
}

impl<'r> Assignment<'r> {
    /// Evaluates `full` against `r1cs` (in parallel; the satisfaction check and the witness
    /// map both need these values, so they are computed once).
    pub fn new(r1cs: &'r R1cs, full: Vec<Fr>) -> Result<Self, ProveError> {
        let vars = r1cs.num_instance + r1cs.num_witness;
        if full.len() != vars {
            return Err(ProveError::ConstraintSystem(format!(
                "the assignment has {} values, the constraint system {vars} variables",
                full.len()
            )));
        }
        let rows = r1cs.evaluate(&full, domain_size(r1cs));
        Ok(Self { r1cs, full, rows })
    }

    /// The first constraint the assignment violates (its row index), if any.
    pub fn first_unsatisfied(&self) -> Option<usize> {
        self.r1cs.first_unsatisfied(&self.rows)
    }

    /// `[1, inputs…, witness…]`.
    pub fn full(&self) -> &[Fr] {
        &self.full
    }
}

/// The full assignment `[1, inputs…, witness…]` of a system synthesized in a proving mode,
/// moved out of it (the system is left with empty assignment vectors).
pub fn take_full_assignment(cs: &ConstraintSystemRef<Fr>) -> Result<Vec<Fr>, ProveError> {
    let mut inner = cs
        .borrow_mut()
        .ok_or_else(|| ProveError::ConstraintSystem("no constraint system".into()))?;
    if inner.instance_assignment.len() != inner.num_instance_variables
        || inner.witness_assignment.len() != inner.num_witness_variables
    {
        return Err(ProveError::ConstraintSystem(
            "witness values are missing (synthesized in setup mode?)".into(),
        ));
    }
    let mut full = Vec::with_capacity(inner.num_instance_variables + inner.num_witness_variables);
    full.append(&mut inner.instance_assignment);
    full.append(&mut inner.witness_assignment);
    Ok(full)
}

/// The matrices of a synthesized, finalized system that constructed them.
pub fn matrices_of(cs: &ConstraintSystemRef<Fr>) -> Result<R1cs, ProveError> {
    let matrices = cs
        .to_matrices()
        .ok_or_else(|| ProveError::ConstraintSystem("no matrices".into()))?;
    R1cs::from_arkworks(&matrices).map_err(|e| ProveError::ConstraintSystem(e.to_string()))
}

/// The smallest radix-2 domain holding the constraints plus one input-consistency row per
/// instance variable (libsnark's reduction).
fn domain_size(r1cs: &R1cs) -> usize {
    (r1cs.num_constraints() + r1cs.num_instance).next_power_of_two()
}

/// The coefficients of `h = (A·B − C) / Z_H` over [`domain_size`]'s domain.
pub fn witness_map(backend: &dyn Backend, a: Assignment<'_>) -> Result<Vec<Fr>, ProveError> {
    quotient(backend, a.r1cs, &a.full, a.rows)
}

fn quotient(
    backend: &dyn Backend,
    r1cs: &R1cs,
    full: &[Fr],
    rows: RowValues,
) -> Result<Vec<Fr>, ProveError> {
    let RowValues {
        a: mut va,
        b: mut vb,
        c: mut vc,
    } = rows;
    let n = va.len();
    // Input consistency: A gets one row per instance variable holding its value.
    let m = r1cs.num_constraints();
    va[m..m + r1cs.num_instance].copy_from_slice(&full[..r1cs.num_instance]);

    let g = Fr::GENERATOR;
    for v in [&mut va, &mut vb, &mut vc] {
        backend.ntt(v, NttDirection::Inverse, None)?;
        backend.ntt(v, NttDirection::Forward, Some(g))?;
    }
    // Z_H(g·ωⁱ) = gⁿ − 1 at every point of the coset.
    let z_inv = (g.pow([n as u64]) - Fr::ONE)
        .inverse()
        .expect("g is not in H");
    va.par_iter_mut()
        .zip(vb.par_iter())
        .zip(vc.par_iter())
        .for_each(|((x, y), z)| *x = (*x * y - z) * z_inv);
    backend.ntt(&mut va, NttDirection::Inverse, Some(g))?;
    Ok(va)
}

fn bigints(values: &[Fr]) -> Vec<BigInteger256> {
    values.par_iter().map(|v| v.into_bigint()).collect()
}

/// Proves `assignment` under `pk` with blinding factors `r` and `s` (draw them uniformly at
/// random for zero knowledge).
pub fn create_proof(
    backend: &dyn Backend,
    pk: &ProvingKey<Bn254>,
    assignment: Assignment<'_>,
    r: Fr,
    s: Fr,
) -> Result<Proof<Bn254>, ProveError> {
    let Assignment { r1cs, full, rows } = assignment;
    let n_vars = full.len();
    let ni = r1cs.num_instance;
    for (name, len) in [
        ("a_query", pk.a_query.len()),
        ("b_g1_query", pk.b_g1_query.len()),
        ("b_g2_query", pk.b_g2_query.len()),
    ] {
        if len != n_vars {
            return Err(ProveError::KeyMismatch(format!(
                "{name} has {len} entries, the circuit {n_vars} variables"
            )));
        }
    }
    if pk.l_query.len() != n_vars - ni {
        return Err(ProveError::KeyMismatch(format!(
            "l_query has {} entries, the circuit {} witness variables",
            pk.l_query.len(),
            n_vars - ni
        )));
    }
    let vars = bigints(&full[1..]);
    let h = quotient(backend, r1cs, &full, rows)?;
    drop(full);
    // h has degree at most n − 2: the key holds n − 1 powers.
    let h_len = pk.h_query.len();
    if h_len + 1 != h.len() {
        return Err(ProveError::KeyMismatch(format!(
            "h_query has {h_len} entries, the circuit's domain {}",
            h.len()
        )));
    }
    let h_acc = backend.msm_g1(&pk.h_query, &bigints(&h[..h_len]))?;
    let l_acc = backend.msm_g1(&pk.l_query, &vars[ni - 1..])?;

    let delta1 = pk.delta_g1;
    let a = pk.vk.alpha_g1 + pk.a_query[0] + backend.msm_g1(&pk.a_query[1..], &vars)? + delta1 * r;
    let b2 = pk.vk.beta_g2
        + pk.b_g2_query[0]
        + backend.msm_g2(&pk.b_g2_query[1..], &vars)?
        + pk.vk.delta_g2 * s;
    let b1 = if r.is_zero() {
        G1Projective::zero()
    } else {
        pk.beta_g1 + pk.b_g1_query[0] + backend.msm_g1(&pk.b_g1_query[1..], &vars)? + delta1 * s
    };
    let c = a * s + b1 * r - delta1 * (r * s) + l_acc + h_acc;
    Ok(Proof {
        a: a.into_affine(),
        b: b2.into_affine(),
        c: c.into_affine(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::cpu::CpuBackend;
    use ark_ff::UniformRand;
    use ark_groth16::r1cs_to_qap::LibsnarkReduction;
    use ark_groth16::Groth16;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::eq::EqGadget;
    use ark_r1cs_std::fields::fp::FpVar;
    use ark_r1cs_std::fields::FieldVar;
    use ark_relations::r1cs::{
        ConstraintMatrices, ConstraintSynthesizer, ConstraintSystem, SynthesisError, SynthesisMode,
    };
    use ark_snark::SNARK;
    use rand::SeedableRng;

    /// y = x^(2^k) + x, with y public: k squarings, enough constraints to span a domain.
    #[derive(Clone)]
    struct Powers {
        x: Option<Fr>,
        k: usize,
    }

    impl Powers {
        fn output(&self) -> Fr {
            let x = self.x.unwrap();
            let mut acc = x;
            for _ in 0..self.k {
                acc.square_in_place();
            }
            acc + x
        }
    }

    impl ConstraintSynthesizer<Fr> for Powers {
        fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
            let y = FpVar::new_input(cs.clone(), || Ok(self.output()))?;
            let x = FpVar::new_witness(cs, || self.x.ok_or(SynthesisError::AssignmentMissing))?;
            let mut acc = x.clone();
            for _ in 0..self.k {
                acc = acc.square()?;
            }
            (acc + x).enforce_equal(&y)
        }
    }

    /// arkworks' matrices and the full assignment of `circuit`.
    fn synthesize(circuit: Powers) -> (ConstraintMatrices<Fr>, Vec<Fr>) {
        let cs = ConstraintSystem::new_ref();
        circuit.generate_constraints(cs.clone()).unwrap();
        cs.finalize();
        let matrices = cs.to_matrices().unwrap();
        (matrices, take_full_assignment(&cs).unwrap())
    }

    /// The full assignment of `circuit` synthesized as the prover does: no matrices.
    fn witness_only(circuit: Powers) -> Vec<Fr> {
        let cs = ConstraintSystem::new_ref();
        cs.set_mode(SynthesisMode::Prove {
            construct_matrices: false,
        });
        circuit.generate_constraints(cs.clone()).unwrap();
        cs.finalize();
        take_full_assignment(&cs).unwrap()
    }

    /// On the CPU backend the proof is bit-identical to arkworks' own prover for the same
    /// r and s, and verifies; the wrong public input, or a witness that does not satisfy
    /// the constraints, gives a proof that does not verify.
    #[test]
    fn backend_prover_matches_arkworks_and_verifies() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let circuit = Powers {
            x: Some(Fr::from(3u8)),
            k: 100,
        };
        let (pk, vk) =
            Groth16::<Bn254>::circuit_specific_setup(Powers { x: None, k: 100 }, &mut rng).unwrap();
        let pvk = Groth16::<Bn254>::process_vk(&vk).unwrap();
        let (matrices, full) = synthesize(circuit.clone());
        // The prover's path: matrices from setup mode, the witness synthesized without them.
        let setup_cs = ConstraintSystem::new_ref();
        setup_cs.set_mode(SynthesisMode::Setup);
        Powers { x: None, k: 100 }
            .generate_constraints(setup_cs.clone())
            .unwrap();
        setup_cs.finalize();
        let r1cs = matrices_of(&setup_cs).unwrap();
        assert_eq!(witness_only(circuit.clone()), full);

        let (r, s) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
        let assignment = Assignment::new(&r1cs, full.clone()).unwrap();
        assert_eq!(assignment.first_unsatisfied(), None);
        let ours = create_proof(&CpuBackend, &pk, assignment, r, s).unwrap();
        let theirs = Groth16::<Bn254, LibsnarkReduction>::create_proof_with_reduction_and_matrices(
            &pk,
            r,
            s,
            &matrices,
            matrices.num_instance_variables,
            matrices.num_constraints,
            &full,
        )
        .unwrap();
        assert_eq!(ours, theirs);
        let y = circuit.output();
        assert!(Groth16::<Bn254>::verify_with_processed_vk(&pvk, &[y], &ours).unwrap());
        assert!(!Groth16::<Bn254>::verify_with_processed_vk(&pvk, &[y + Fr::ONE], &ours).unwrap());

        // r = 0 takes the branch without B in G1.
        let assignment = Assignment::new(&r1cs, full.clone()).unwrap();
        let no_r = create_proof(&CpuBackend, &pk, assignment, Fr::zero(), s).unwrap();
        assert!(Groth16::<Bn254>::verify_with_processed_vk(&pvk, &[y], &no_r).unwrap());

        // A witness that breaks a constraint: it is named, and forcing a proof through
        // gives one that does not verify (the quotient is not a polynomial).
        let mut bad = full;
        let last = bad.len() - 1;
        bad[last] += Fr::ONE;
        let row = |m: &[Vec<(Fr, usize)>], i: usize| -> Fr {
            m[i].iter().map(|(c, v)| *c * bad[*v]).sum()
        };
        let expected = (0..matrices.num_constraints)
            .find(|&i| row(&matrices.a, i) * row(&matrices.b, i) != row(&matrices.c, i));
        assert!(expected.is_some());
        let bad = Assignment::new(&r1cs, bad).unwrap();
        assert_eq!(bad.first_unsatisfied(), expected);
        let forged = create_proof(&CpuBackend, &pk, bad, r, s).unwrap();
        assert!(!Groth16::<Bn254>::verify_with_processed_vk(&pvk, &[y], &forged).unwrap());

        // An assignment of the wrong length is refused.
        assert!(matches!(
            Assignment::new(&r1cs, vec![Fr::ONE; 3]),
            Err(ProveError::ConstraintSystem(_))
        ));
    }

    /// A key made for another circuit is refused with the mismatch named.
    #[test]
    fn a_key_for_another_circuit_is_refused() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(4);
        let (pk, _) =
            Groth16::<Bn254>::circuit_specific_setup(Powers { x: None, k: 3 }, &mut rng).unwrap();
        let (matrices, full) = synthesize(Powers {
            x: Some(Fr::from(2u8)),
            k: 40,
        });
        let r1cs = R1cs::from_arkworks(&matrices).unwrap();
        let assignment = Assignment::new(&r1cs, full).unwrap();
        let err = create_proof(&CpuBackend, &pk, assignment, Fr::ONE, Fr::ONE).unwrap_err();
        assert!(matches!(err, ProveError::KeyMismatch(_)), "{err}");
    }
}
