//! Groth16 setup for a wrap circuit and the key files it writes: `pk.bin` (the proving key,
//! large, binary: a versioned header with the circuit digest, then arkworks' uncompressed
//! serialization) and `vk.json` (the verifying key in `bulwark-groth16-vk` format, for
//! `bulwark export-verifier` and the contracts).
//!
//! `--dev` keys come from a fixed seed: anyone can recompute their toxic waste and forge
//! proofs. They exist for tests and local runs only, and saying so loudly is the caller's
//! job ([`DEV_WARNING`]).

use std::path::Path;

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, ProvingKey};
use ark_relations::r1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisMode,
};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
#[cfg(doc)]
use bulwark_circuits::r1cs::verifier::WrapVerifierCircuit;
use bulwark_contracts::VkFile;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

use super::digest::{digest_hex, KEY_FORMAT_VERSION};
use super::Groth16Error;
use crate::backend::groth16::matrices_of;
use crate::backend::r1cs::R1cs;

/// The first bytes of a proving-key file.
pub const PK_MAGIC: &[u8; 19] = b"bulwark-groth16-pk\n";

/// The first bytes of an R1CS matrices file.
pub const R1CS_MAGIC: &[u8; 21] = b"bulwark-groth16-r1cs\n";

/// The matrices file's name beside `pk.bin`.
pub const R1CS_FILE: &str = "r1cs.bin";

/// The seed of development keys (public, hence insecure).
pub const DEV_SEED: u64 = 0x0b01_3a4c_de70_0001;

/// What `--dev` prints.
pub const DEV_WARNING: &str = "WARNING: INSECURE DEVELOPMENT KEYS. They come from a fixed, \
public seed: anyone can forge proofs that verify under them. Use them for tests only, never \
on a chain that holds value.";

/// How the setup's randomness is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetupMode {
    /// From the operating system's randomness, discarded after use.
    Secure,
    /// From [`DEV_SEED`]: deterministic and insecure.
    Dev,
}

/// A proving key with the digest of the circuit it belongs to.
pub struct Keys {
    /// The proving key (its `vk` field is the verifying key).
    pub pk: ProvingKey<Bn254>,
    /// The wrap circuit's digest ([`super::digest::wrap_circuit_digest`]).
    pub circuit_digest: [u8; 32],
    /// Whether these are development keys.
    pub dev: bool,
}

/// Runs the circuit-specific setup for `circuit` (synthesized without a proof): in
/// production a [`WrapVerifierCircuit`] from [`WrapVerifierCircuit::setup`].
pub fn setup<C: ConstraintSynthesizer<Fr>>(
    circuit: C,
    circuit_digest: [u8; 32],
    mode: SetupMode,
) -> Result<Keys, Groth16Error> {
    let mut rng = match mode {
        SetupMode::Dev => ChaCha20Rng::seed_from_u64(DEV_SEED),
        SetupMode::Secure => {
            let mut seed = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut seed);
            ChaCha20Rng::from_seed(seed)
        }
    };
    let pk = Groth16::<Bn254>::generate_random_parameters_with_reduction(circuit, &mut rng)?;
    Ok(Keys {
        pk,
        circuit_digest,
        dev: mode == SetupMode::Dev,
    })
}

impl Keys {
    /// The `pk.bin` bytes: magic, version (u32 LE), digest, dev flag, the key.
    pub fn pk_bytes(&self) -> Result<Vec<u8>, Groth16Error> {
        let mut out = Vec::with_capacity(self.pk.uncompressed_size() + 64);
        out.extend_from_slice(PK_MAGIC);
        out.extend_from_slice(&KEY_FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&self.circuit_digest);
        out.push(u8::from(self.dev));
        self.pk
            .serialize_uncompressed(&mut out)
            .map_err(|e| Groth16Error::file("proving key", e))?;
        Ok(out)
    }

    /// Parses `pk.bin` bytes, refusing another format, version or circuit.
    pub fn from_pk_bytes(bytes: &[u8], expected_digest: &[u8; 32]) -> Result<Self, Groth16Error> {
        let header = PK_MAGIC.len() + 4 + 32 + 1;
        if bytes.len() < header || &bytes[..PK_MAGIC.len()] != PK_MAGIC {
            return Err(Groth16Error::file(
                "proving key",
                "not a bulwark Groth16 proving key",
            ));
        }
        let mut at = PK_MAGIC.len();
        let version = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        if version != KEY_FORMAT_VERSION {
            return Err(Groth16Error::file(
                "proving key",
                format!("version {version}, this build reads version {KEY_FORMAT_VERSION}"),
            ));
        }
        at += 4;
        let digest: [u8; 32] = bytes[at..at + 32].try_into().expect("32 bytes");
        if &digest != expected_digest {
            return Err(Groth16Error::DigestMismatch {
                what: "proving key".into(),
                expected: digest_hex(expected_digest),
                found: digest_hex(&digest),
            });
        }
        at += 32;
        let dev = match bytes[at] {
            0 => false,
            1 => true,
            b => return Err(Groth16Error::file("proving key", format!("dev flag {b}"))),
        };
        // Our own file, written by `setup`: the points were checked when they were made.
        let pk = ProvingKey::<Bn254>::deserialize_uncompressed_unchecked(&bytes[at + 1..])
            .map_err(|e| Groth16Error::file("proving key", e))?;
        Ok(Self {
            pk,
            circuit_digest: digest,
            dev,
        })
    }

    /// The verifying key as `vk.json`.
    pub fn vk_file(&self) -> Result<VkFile, Groth16Error> {
        Ok(VkFile::from_vk(&self.pk.vk, self.circuit_digest)?)
    }

    /// Writes `pk.bin` and `vk.json` into `dir` (created if missing), each atomically.
    pub fn write(&self, dir: &Path) -> Result<(), Groth16Error> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Groth16Error::file(dir.display().to_string(), e))?;
        write_atomic(&dir.join("pk.bin"), &self.pk_bytes()?)?;
        write_atomic(&dir.join("vk.json"), self.vk_file()?.to_json().as_bytes())
    }
}

/// Writes a file atomically (a temporary file in the same folder, synced, renamed).
pub(crate) fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Groth16Error> {
    crate::files::write_atomic(path, contents)
        .map_err(|e| Groth16Error::file(path.display().to_string(), format!("{e:#}")))
}

/// The R1CS matrices of `circuit` (synthesized without a witness, finalized as arkworks'
/// setup does). Peak memory is arkworks' full constraint system: make them once, at setup.
pub fn circuit_matrices<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Result<R1cs, Groth16Error> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Setup);
    circuit.generate_constraints(cs.clone())?;
    cs.finalize();
    Ok(matrices_of(&cs)?)
}

/// The `r1cs.bin` bytes: magic, version (u32 LE), circuit digest, the matrices.
pub fn r1cs_bytes(r1cs: &R1cs, circuit_digest: &[u8; 32]) -> Vec<u8> {
    let mut out = R1CS_MAGIC.to_vec();
    out.extend_from_slice(&KEY_FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(circuit_digest);
    out.extend_from_slice(&r1cs.to_bytes());
    out
}

/// Parses `r1cs.bin` bytes, refusing another format, version or circuit.
pub fn r1cs_from_bytes(bytes: &[u8], expected_digest: &[u8; 32]) -> Result<R1cs, Groth16Error> {
    let header = R1CS_MAGIC.len() + 4 + 32;
    if bytes.len() < header || &bytes[..R1CS_MAGIC.len()] != R1CS_MAGIC {
        return Err(Groth16Error::file(
            R1CS_FILE,
            "not a bulwark R1CS matrices file",
        ));
    }
    let at = R1CS_MAGIC.len();
    let version = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    if version != KEY_FORMAT_VERSION {
        return Err(Groth16Error::file(
            R1CS_FILE,
            format!("version {version}, this build reads version {KEY_FORMAT_VERSION}"),
        ));
    }
    let digest: [u8; 32] = bytes[at + 4..header].try_into().expect("32 bytes");
    if &digest != expected_digest {
        return Err(Groth16Error::DigestMismatch {
            what: R1CS_FILE.into(),
            expected: digest_hex(expected_digest),
            found: digest_hex(&digest),
        });
    }
    R1cs::from_bytes(&bytes[header..]).map_err(|e| Groth16Error::file(R1CS_FILE, e))
}

/// Writes `r1cs.bin` into `dir` (created if missing), atomically.
pub fn write_matrices(
    dir: &Path,
    r1cs: &R1cs,
    circuit_digest: &[u8; 32],
) -> Result<(), Groth16Error> {
    std::fs::create_dir_all(dir).map_err(|e| Groth16Error::file(dir.display().to_string(), e))?;
    write_atomic(&dir.join(R1CS_FILE), &r1cs_bytes(r1cs, circuit_digest))
}

/// The matrices of the keys in `dir`: `r1cs.bin` when it is there and belongs to
/// `circuit_digest`; otherwise made from `circuit()` (once: several GiB and about a minute
/// for the production circuit) and stored there for the next proof, a failure to store
/// being only a warning.
pub fn load_matrices<C: ConstraintSynthesizer<Fr>>(
    dir: &Path,
    circuit_digest: &[u8; 32],
    circuit: impl FnOnce() -> Result<C, Groth16Error>,
) -> Result<R1cs, Groth16Error> {
    let path = dir.join(R1CS_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => match r1cs_from_bytes(&bytes, circuit_digest) {
            Ok(r1cs) => return Ok(r1cs),
            Err(e) => {
                tracing::warn!(path = %path.display(), "unusable R1CS matrices ({e}); remaking")
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::info!(path = %path.display(), "no R1CS matrices yet; making them once")
        }
        Err(e) => return Err(Groth16Error::file(path.display().to_string(), e)),
    }
    let r1cs = circuit_matrices(circuit()?)?;
    if let Err(e) = write_matrices(dir, &r1cs, circuit_digest) {
        tracing::warn!("could not store the R1CS matrices beside the keys: {e}");
    }
    Ok(r1cs)
}
