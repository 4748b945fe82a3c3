//! Groth16 over BN254 for the R1CS verifier of a wrap-layer proof
//! ([`bulwark_circuits::r1cs::verifier::WrapVerifierCircuit`]): circuit-specific keys keyed
//! by a digest of the wrap circuit ([`digest`]), setup and key files ([`keys`]), proving on a
//! kernel backend ([`prove`]), verification ([`verify`]), the proof files ([`artifact`]),
//! the input plonky2 proof file ([`inner_proof`]), the circuits commands work on
//! ([`target`]) and the commands themselves ([`commands`]).

pub mod artifact;
pub mod commands;
pub mod digest;
pub mod inner_proof;
pub mod keys;
pub mod prove;
pub mod target;
pub mod verify;

use ark_relations::r1cs::SynthesisError;
use bulwark_circuits::r1cs::verifier::VerifierError;
use bulwark_contracts::ContractsError;

use crate::backend::groth16::ProveError;

/// Why a Groth16 step failed.
#[derive(Debug, thiserror::Error)]
pub enum Groth16Error {
    /// The wrap circuit or proof cannot be turned into an R1CS instance.
    #[error(transparent)]
    Verifier(#[from] VerifierError),
    /// The wrap proof does not verify natively (checked before the expensive proving).
    #[error("the wrap proof does not verify: {0}")]
    WrapProof(String),
    /// Constraint synthesis failed.
    #[error("constraint synthesis failed: {0}")]
    Synthesis(#[from] SynthesisError),
    /// The R1CS is not satisfied by the witness (names the first failing constraint).
    #[error("the R1CS verifier is not satisfied (first failing constraint: {0})")]
    Unsatisfied(String),
    /// The backend prover failed.
    #[error(transparent)]
    Prove(#[from] ProveError),
    /// A key or proof file is malformed.
    #[error("{what}: {reason}")]
    File {
        /// Which file or field.
        what: String,
        /// Why it was refused.
        reason: String,
    },
    /// A file belongs to another circuit than the one at hand.
    #[error("{what} is for circuit {found}, expected {expected}")]
    DigestMismatch {
        /// Which file.
        what: String,
        /// The digest of the circuit at hand.
        expected: String,
        /// The digest the file carries.
        found: String,
    },
    /// The verifying-key or proof file format of the contracts crate.
    #[error(transparent)]
    Contracts(#[from] ContractsError),
}

impl Groth16Error {
    pub(crate) fn file(what: impl Into<String>, reason: impl ToString) -> Self {
        Self::File {
            what: what.into(),
            reason: reason.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use ark_bn254::Fr;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::eq::EqGadget;
    use ark_r1cs_std::fields::fp::FpVar;
    use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef};
    use bulwark_circuits::r1cs::verifier::WrapVerifierCircuit;
    use bulwark_circuits::wrap::test_proof::fixture;
    use plonky2::field::types::Field;
    use rand::SeedableRng;

    use super::artifact::{read_proof_file, write_proof_files};
    use super::digest::wrap_circuit_digest;
    use super::keys::{
        circuit_matrices, load_matrices, r1cs_bytes, r1cs_from_bytes, setup, Keys, SetupMode,
        R1CS_FILE,
    };
    use super::prove::prove;
    use super::verify::verify;
    use super::*;
    use crate::backend::cpu::CpuBackend;

    /// x·x = y with y public: a tiny circuit for the key-file tests.
    struct Square(Option<Fr>);

    impl ConstraintSynthesizer<Fr> for Square {
        fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
            let x = FpVar::new_witness(cs.clone(), || {
                self.0.ok_or(SynthesisError::AssignmentMissing)
            })?;
            let y = FpVar::new_input(cs, || {
                self.0
                    .map(|x| x * x)
                    .ok_or(SynthesisError::AssignmentMissing)
            })?;
            (&x * &x).enforce_equal(&y)
        }
    }

    #[test]
    fn key_files_round_trip_and_refuse_other_circuits() {
        let digest = [7u8; 32];
        let keys = setup(Square(None), digest, SetupMode::Dev).unwrap();
        let again = setup(Square(None), digest, SetupMode::Dev).unwrap();
        assert!(keys.pk == again.pk, "dev keys are deterministic");
        let secure = setup(Square(None), digest, SetupMode::Secure).unwrap();
        assert!(secure.pk.vk != keys.pk.vk, "secure keys are fresh");

        let bytes = keys.pk_bytes().unwrap();
        let back = Keys::from_pk_bytes(&bytes, &digest).unwrap();
        assert!(back.pk == keys.pk && back.dev);
        let err = Keys::from_pk_bytes(&bytes, &[8u8; 32]).err().unwrap();
        assert!(matches!(err, Groth16Error::DigestMismatch { .. }), "{err}");
        let err = Keys::from_pk_bytes(&bytes[1..], &digest).err().unwrap();
        assert!(
            err.to_string()
                .contains("not a bulwark Groth16 proving key"),
            "{err}"
        );
        let vk = keys.vk_file().unwrap();
        assert_eq!(vk.circuit_digest().unwrap(), digest);
        assert!(vk.to_vk().unwrap() == keys.pk.vk);
    }

    #[test]
    fn matrices_files_round_trip_refuse_other_circuits_and_are_made_once() {
        let digest = [7u8; 32];
        let r1cs = circuit_matrices(Square(None)).unwrap();
        // x·x into a product variable, then its equality with y.
        assert_eq!(r1cs.num_constraints(), 2);
        let bytes = r1cs_bytes(&r1cs, &digest);
        assert_eq!(r1cs_from_bytes(&bytes, &digest).unwrap(), r1cs);
        let err = r1cs_from_bytes(&bytes, &[8u8; 32]).unwrap_err();
        assert!(matches!(err, Groth16Error::DigestMismatch { .. }), "{err}");
        let err = r1cs_from_bytes(&bytes[1..], &digest).unwrap_err();
        assert!(err.to_string().contains("not a bulwark R1CS"), "{err}");
        let err = r1cs_from_bytes(&bytes[..bytes.len() - 1], &digest).unwrap_err();
        assert!(err.to_string().contains("malformed"), "{err}");

        // Missing: made from the circuit and stored; then read back without the circuit.
        let dir = tempfile::tempdir().unwrap();
        let made = load_matrices(dir.path(), &digest, || Ok(Square(None))).unwrap();
        assert_eq!(made, r1cs);
        assert_eq!(std::fs::read(dir.path().join(R1CS_FILE)).unwrap(), bytes);
        let read = load_matrices(dir.path(), &digest, || -> Result<Square, _> {
            panic!("the stored matrices are used")
        })
        .unwrap();
        assert_eq!(read, r1cs);
        // A file of another circuit is replaced.
        let other = load_matrices(dir.path(), &[9u8; 32], || Ok(Square(None))).unwrap();
        assert_eq!(other, r1cs);
        let stored = std::fs::read(dir.path().join(R1CS_FILE)).unwrap();
        assert!(r1cs_from_bytes(&stored, &[9u8; 32]).is_ok());
    }

    /// Setup and prove the R1CS verifier of the test wrap proof (insecure FRI parameters,
    /// ~1.4M constraints), verify, and check the files and the refusals.
    #[test]
    fn wraps_the_test_proof_and_verifies() {
        let fx = fixture();
        let (common, verifier) = (&fx.wrap.data.common, &fx.wrap.data.verifier_only);
        let digest = wrap_circuit_digest(common, verifier);
        let circuit = WrapVerifierCircuit::setup(common, verifier).unwrap();
        let keys = setup(circuit, digest, SetupMode::Dev).unwrap();
        let r1cs = circuit_matrices(WrapVerifierCircuit::setup(common, verifier).unwrap()).unwrap();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let wrapped = prove(
            &CpuBackend,
            &keys,
            &r1cs,
            common,
            verifier,
            fx.proof.clone(),
            &mut rng,
        )
        .unwrap();
        assert!(verify(&keys.pk.vk, &wrapped.proof, &wrapped.public_input).unwrap());
        assert!(!verify(
            &keys.pk.vk,
            &wrapped.proof,
            &(wrapped.public_input + Fr::from(1u64))
        )
        .unwrap());
        let mut bad = wrapped.proof.clone();
        bad.a = (bad.a + bad.a).into();
        assert!(!verify(&keys.pk.vk, &bad, &wrapped.public_input).unwrap());

        let dir = tempfile::tempdir().unwrap();
        write_proof_files(dir.path(), &wrapped, digest).unwrap();
        for name in ["proof.json", "proof-compressed.json"] {
            let read = read_proof_file(&dir.path().join(name)).unwrap();
            assert_eq!(read.circuit_digest, digest);
            assert!(read.wrapped == wrapped, "{name}");
        }

        // A wrap proof that does not verify is refused before proving.
        let mut mangled = fx.proof.clone();
        mangled.public_inputs[0] += plonky2::field::goldilocks_field::GoldilocksField::ONE;
        let err = prove(
            &CpuBackend,
            &keys,
            &r1cs,
            common,
            verifier,
            mangled,
            &mut rng,
        )
        .err()
        .unwrap();
        assert!(matches!(err, Groth16Error::WrapProof(_)), "{err}");
    }
}
