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
use ark_relations::r1cs::ConstraintSynthesizer;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
#[cfg(doc)]
use bulwark_circuits::r1cs::verifier::WrapVerifierCircuit;
use bulwark_contracts::VkFile;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

use super::digest::{digest_hex, KEY_FORMAT_VERSION};
use super::Groth16Error;

/// The first bytes of a proving-key file.
pub const PK_MAGIC: &[u8; 19] = b"bulwark-groth16-pk\n";

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
