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
use ark_relations::r1cs::{ConstraintMatrices, ConstraintSystemRef};
use rayon::prelude::*;

use super::{Backend, BackendError, NttDirection};

/// Why a proof could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// A kernel failed.
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// The constraint system has no assignment or no matrices (not finalized, or
    /// synthesized in setup mode).
    #[error("the constraint system cannot be proved: {0}")]
    ConstraintSystem(String),
    /// The proving key does not fit the constraint system.
    #[error("the proving key does not fit the circuit: {0}")]
    KeyMismatch(String),
}

/// A finalized constraint system's matrices and full assignment (the constant 1, the
/// public inputs, then the witness).
pub struct Assignment {
    /// The R1CS matrices.
    pub matrices: ConstraintMatrices<Fr>,
    /// Number of instance variables, the constant 1 included.
    pub num_instance: usize,
    /// `[1, inputs…, witness…]`.
    pub full: Vec<Fr>,
}

impl Assignment {
    /// Takes the matrices and assignment out of a synthesized, finalized system.
    pub fn from_cs(cs: &ConstraintSystemRef<Fr>) -> Result<Self, ProveError> {
        let matrices = cs
            .to_matrices()
            .ok_or_else(|| ProveError::ConstraintSystem("no matrices".into()))?;
        let inner = cs
            .borrow()
            .ok_or_else(|| ProveError::ConstraintSystem("no constraint system".into()))?;
        if inner.witness_assignment.len() != inner.num_witness_variables {
            return Err(ProveError::ConstraintSystem(
                "witness values are missing (synthesized in setup mode?)".into(),
            ));
        }
        let mut full = inner.instance_assignment.clone();
        full.extend_from_slice(&inner.witness_assignment);
        Ok(Assignment {
            matrices,
            num_instance: inner.num_instance_variables,
            full,
        })
    }
}

fn row_value(row: &[(Fr, usize)], full: &[Fr]) -> Fr {
    row.iter().map(|(coeff, i)| *coeff * full[*i]).sum()
}

/// The coefficients of `h = (A·B − C) / Z_H` over the smallest radix-2 domain holding the
/// constraints plus one input-consistency row per instance variable (libsnark's reduction).
pub fn witness_map(backend: &dyn Backend, a: &Assignment) -> Result<Vec<Fr>, ProveError> {
    let m = &a.matrices;
    let rows = m.num_constraints + a.num_instance;
    let n = rows.next_power_of_two();
    let mut va = vec![Fr::zero(); n];
    let mut vb = vec![Fr::zero(); n];
    let mut vc = vec![Fr::zero(); n];
    va[..m.num_constraints]
        .par_iter_mut()
        .zip(vb[..m.num_constraints].par_iter_mut())
        .zip(vc[..m.num_constraints].par_iter_mut())
        .enumerate()
        .for_each(|(i, ((x, y), z))| {
            *x = row_value(&m.a[i], &a.full);
            *y = row_value(&m.b[i], &a.full);
            *z = row_value(&m.c[i], &a.full);
        });
    // Input consistency: A gets one row per instance variable holding its value.
    va[m.num_constraints..rows].copy_from_slice(&a.full[..a.num_instance]);

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
    assignment: &Assignment,
    r: Fr,
    s: Fr,
) -> Result<Proof<Bn254>, ProveError> {
    let n_vars = assignment.full.len();
    let ni = assignment.num_instance;
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
    let h = witness_map(backend, assignment)?;
    // h has degree at most n − 2: the key holds n − 1 powers.
    let h_len = pk.h_query.len();
    if h_len + 1 != h.len() {
        return Err(ProveError::KeyMismatch(format!(
            "h_query has {h_len} entries, the circuit's domain {}",
            h.len()
        )));
    }
    let h_acc = backend.msm_g1(&pk.h_query, &bigints(&h[..h_len]))?;
    let vars = bigints(&assignment.full[1..]);
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
    use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisError};
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

    fn synthesize(circuit: Powers) -> Assignment {
        let cs = ConstraintSystem::new_ref();
        circuit.generate_constraints(cs.clone()).unwrap();
        cs.finalize();
        Assignment::from_cs(&cs).unwrap()
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
        let assignment = synthesize(circuit.clone());
        let (r, s) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
        let ours = create_proof(&CpuBackend, &pk, &assignment, r, s).unwrap();
        let theirs = Groth16::<Bn254, LibsnarkReduction>::create_proof_with_reduction_and_matrices(
            &pk,
            r,
            s,
            &assignment.matrices,
            assignment.num_instance,
            assignment.matrices.num_constraints,
            &assignment.full,
        )
        .unwrap();
        assert_eq!(ours, theirs);
        let y = circuit.output();
        assert!(Groth16::<Bn254>::verify_with_processed_vk(&pvk, &[y], &ours).unwrap());
        assert!(!Groth16::<Bn254>::verify_with_processed_vk(&pvk, &[y + Fr::ONE], &ours).unwrap());

        // r = 0 takes the branch without B in G1.
        let no_r = create_proof(&CpuBackend, &pk, &assignment, Fr::zero(), s).unwrap();
        assert!(Groth16::<Bn254>::verify_with_processed_vk(&pvk, &[y], &no_r).unwrap());

        // A witness that breaks a constraint: the quotient is not a polynomial.
        let mut bad = synthesize(circuit);
        let last = bad.full.len() - 1;
        bad.full[last] += Fr::ONE;
        let forged = create_proof(&CpuBackend, &pk, &bad, r, s).unwrap();
        assert!(!Groth16::<Bn254>::verify_with_processed_vk(&pvk, &[y], &forged).unwrap());
    }

    /// A key made for another circuit is refused with the mismatch named.
    #[test]
    fn a_key_for_another_circuit_is_refused() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(4);
        let (pk, _) =
            Groth16::<Bn254>::circuit_specific_setup(Powers { x: None, k: 3 }, &mut rng).unwrap();
        let assignment = synthesize(Powers {
            x: Some(Fr::from(2u8)),
            k: 40,
        });
        let err = create_proof(&CpuBackend, &pk, &assignment, Fr::ONE, Fr::ONE).unwrap_err();
        assert!(matches!(err, ProveError::KeyMismatch(_)), "{err}");
    }
}
