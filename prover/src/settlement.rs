//! From a batch to what the hub accepts: the batch's proof tree ([`crate::pipeline`]), the
//! ROOT proof over its L1 header (which adds the hub's address and the batch index), the
//! plonky2 wrap proof and the Groth16 proof of the wrap's R1CS verifier.
//!
//! Each seam is checked against the Rust reference of what the hub computes
//! (`bulwark_contracts::l1`): the ROOT proof's eight words must be the SHA-256 of the
//! header built from the executor's outcome, and the Groth16 public input must be the one
//! the hub derives from that header. A mismatch is an error before anything is sent to L1.
//!
//! Groth16 keys: [`SettlementKeys::load_or_setup_dev`] keeps deterministic development keys
//! in the circuit cache, keyed by the wrap circuit's digest (so a circuit change makes new
//! ones), and says loudly that they are insecure. Real deployments bring keys from a
//! `bulwark setup` ceremony ([`SettlementKeys::load`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use bulwark_circuits::root::digest_words;
use bulwark_contracts::l1::{public_input, BatchHeader};
use bulwark_contracts::proof::fr_bytes;
use bulwark_contracts::{pubdata_commitment, VkFile};
use bulwark_state::tree::hash_to_bytes;
use bulwark_state::{Batch, BatchOutcome};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::backend::r1cs::R1cs;
use crate::backend::Backend;
use crate::cache::Circuits;
use crate::groth16::commands::wrap_and_prove;
use crate::groth16::digest::{digest_hex, wrap_circuit_digest};
use crate::groth16::keys::{
    circuit_matrices, load_matrices, setup, write_matrices, Keys, SetupMode,
};
use crate::groth16::prove::WrappedProof;
use crate::groth16::target::{BuiltWrap, InnerCircuit};
use crate::groth16::Groth16Error;
use crate::pipeline::{padded_pubdata, prove_outcome, BatchProof, PipelineError, ProveOptions};
use bulwark_circuits::r1cs::verifier::WrapVerifierCircuit;

/// Why settling a batch failed.
#[derive(Debug, thiserror::Error)]
pub enum SettlementError {
    /// The proof tree failed.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// A Groth16 step (keys, wrap, proving) failed.
    #[error(transparent)]
    Groth16(#[from] Groth16Error),
    /// The ROOT proof could not be made.
    #[error("root proof: {0:#}")]
    Root(anyhow::Error),
    /// A seam check failed: the prover and the hub's reference disagree.
    #[error("{what}: the proof says {proved}, the hub would compute {expected}")]
    Disagreement {
        /// What was compared.
        what: &'static str,
        /// What the proof carries.
        proved: String,
        /// What `bulwark_contracts::l1` computes.
        expected: String,
    },
    /// An output file could not be written.
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    /// The batch's pubdata cannot be committed to as the hub does.
    #[error(transparent)]
    Contracts(#[from] bulwark_contracts::ContractsError),
}

/// The circuits of one deployment, ROOT and wrap included.
pub struct SettlementCircuits {
    /// The leaf, leaf-pair and node circuits.
    pub circuits: Circuits,
    /// The ROOT circuit and its wrap.
    pub wrap: BuiltWrap,
    /// The wrap circuit's digest (Groth16 keys are bound to it).
    pub wrap_digest: [u8; 32],
}

impl SettlementCircuits {
    /// Builds the ROOT and wrap circuits over `circuits` (seconds; deterministic).
    pub fn build(circuits: Circuits) -> Result<Self, SettlementError> {
        let wrap = BuiltWrap::for_root(&circuits)?;
        let data = &wrap.wrap.data;
        let wrap_digest = wrap_circuit_digest(&data.common, &data.verifier_only);
        Ok(Self {
            circuits,
            wrap,
            wrap_digest,
        })
    }

    fn root(&self) -> &bulwark_circuits::root::RootCircuit {
        match &self.wrap.inner {
            InnerCircuit::Root(root) => root,
            InnerCircuit::Words(_) => unreachable!("SettlementCircuits always wraps ROOT"),
        }
    }
}

/// Where a Groth16 key came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// Read from a folder.
    Loaded,
    /// Made now (development keys) and stored for the next run.
    Generated,
}

/// The Groth16 keys a deployment proves with.
pub struct SettlementKeys {
    /// The keys.
    pub keys: Keys,
    /// The R1CS matrices of the wrap verifier they were made for (`r1cs.bin` beside them).
    pub r1cs: R1cs,
    /// Where they came from.
    pub source: KeySource,
    /// The folder that holds `pk.bin` and `vk.json`.
    pub dir: PathBuf,
    /// Seconds spent loading or making them.
    pub seconds: f64,
}

impl SettlementKeys {
    /// The folder the development keys of `circuits` live in under `cache_dir`.
    pub fn dev_dir(cache_dir: &Path, circuits: &SettlementCircuits) -> PathBuf {
        cache_dir
            .join("groth16-dev")
            .join(hex::encode(circuits.wrap_digest))
    }

    /// Reads `pk.bin` and `r1cs.bin` from `dir`, refusing files made for another circuit
    /// (keys from before `r1cs.bin` existed get their matrices made once and stored).
    pub fn load(dir: &Path, circuits: &SettlementCircuits) -> Result<Self, SettlementError> {
        let started = Instant::now();
        let data = &circuits.wrap.wrap.data;
        let r1cs = load_matrices(dir, &circuits.wrap_digest, || {
            Ok(WrapVerifierCircuit::setup(
                &data.common,
                &data.verifier_only,
            )?)
        })?;
        let path = dir.join("pk.bin");
        let bytes =
            std::fs::read(&path).map_err(|e| Groth16Error::file(path.display().to_string(), e))?;
        let keys = Keys::from_pk_bytes(&bytes, &circuits.wrap_digest)?;
        Ok(Self {
            keys,
            r1cs,
            source: KeySource::Loaded,
            dir: dir.to_path_buf(),
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// The development keys of `circuits` from the cache, made (minutes, several GiB)
    /// and stored when missing or unreadable. INSECURE: the caller must say so.
    pub fn load_or_setup_dev(
        cache_dir: &Path,
        circuits: &SettlementCircuits,
    ) -> Result<Self, SettlementError> {
        let dir = Self::dev_dir(cache_dir, circuits);
        if dir.join("pk.bin").exists() {
            match Self::load(&dir, circuits) {
                Ok(keys) if keys.keys.dev => return Ok(keys),
                Ok(_) => {
                    tracing::warn!(dir = %dir.display(), "non-dev keys in the dev key cache; remaking")
                }
                Err(e) => {
                    tracing::warn!(dir = %dir.display(), "cached dev keys unusable ({e}); remaking")
                }
            }
        }
        let started = Instant::now();
        let data = &circuits.wrap.wrap.data;
        // The matrices first, stored and kept; the Groth16 setup's own synthesis follows.
        let r1cs = circuit_matrices(
            WrapVerifierCircuit::setup(&data.common, &data.verifier_only)
                .map_err(Groth16Error::from)?,
        )?;
        write_matrices(&dir, &r1cs, &circuits.wrap_digest)?;
        let keys = setup(
            WrapVerifierCircuit::setup(&data.common, &data.verifier_only)
                .map_err(Groth16Error::from)?,
            circuits.wrap_digest,
            SetupMode::Dev,
        )?;
        keys.write(&dir)?;
        Ok(Self {
            keys,
            r1cs,
            source: KeySource::Generated,
            dir,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// The verifying key as the contracts take it.
    pub fn vk_file(&self) -> Result<VkFile, SettlementError> {
        Ok(self.keys.vk_file()?)
    }
}

/// Which L1 slot a batch is proved for: both are bound by the public input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct L1Slot {
    /// The hub contract's address.
    pub hub: [u8; 20],
    /// The batch's index on the hub (its `committed` count when it is committed).
    pub batch_index: u64,
}

/// Seconds each settlement stage took.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SettlementTimes {
    /// The proof tree (leaves and aggregation), wall clock.
    pub tree_s: f64,
    /// The ROOT proof.
    pub root_s: f64,
    /// The plonky2 wrap proof.
    pub wrap_s: f64,
    /// The Groth16 proof (synthesis, witness check and proving).
    pub groth16_s: f64,
}

/// Proof sizes in bytes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ProofSizes {
    /// The top node proof (plonky2, compressed form not used).
    pub node: usize,
    /// The ROOT proof.
    pub root: usize,
    /// The Groth16 proof as the hub takes it (8 words).
    pub groth16_calldata: usize,
    /// The Groth16 proof, compressed points.
    pub groth16_compressed: usize,
}

/// A batch proved for the hub.
pub struct SettlementProof {
    /// The batch's header as the hub rebuilds it.
    pub header: BatchHeader,
    /// The padded pubdata to commit (what the proof commits to).
    pub pubdata: Vec<u8>,
    /// The one public input (`bulwark_contracts::l1::public_input`).
    pub public_input: [u8; 32],
    /// The Groth16 proof and its public input.
    pub groth16: WrappedProof,
    /// The proof tree's report and the executor's outcome.
    pub batch: BatchProof,
    /// Where the time went.
    pub times: SettlementTimes,
    /// Proof sizes.
    pub sizes: ProofSizes,
}

/// The header the hub builds for `outcome` at `slot` (the commitment is over `pubdata`,
/// the padded pubdata the operator commits).
pub fn header_for(
    outcome: &BatchOutcome,
    chain_id: u64,
    fee_recipient: u32,
    pubdata: &[u8],
    ops_per_leaf: usize,
    slot: L1Slot,
) -> Result<BatchHeader, SettlementError> {
    Ok(BatchHeader {
        chain_id,
        hub: slot.hub,
        batch_index: slot.batch_index,
        old_root: hash_to_bytes(&outcome.old_root),
        new_root: hash_to_bytes(&outcome.new_root),
        deposit_first: outcome.deposits.0,
        deposit_last: outcome.deposits.1,
        fee_recipient,
        pubdata_commitment: pubdata_commitment(pubdata, ops_per_leaf)?,
    })
}

fn hex_words(words: &[u32]) -> String {
    words.iter().map(|w| format!("{w:08x}")).collect()
}

/// Proves `batch` (executed: `outcome`) for `slot`: the proof tree, ROOT, wrap and
/// Groth16, checking each seam against the hub's reference.
pub fn prove_settlement(
    circuits: &SettlementCircuits,
    keys: &SettlementKeys,
    backend: &dyn Backend,
    batch: &Batch,
    outcome: BatchOutcome,
    slot: L1Slot,
    options: &ProveOptions,
) -> Result<SettlementProof, SettlementError> {
    let k = circuits.circuits.params.ops_per_leaf;
    let pubdata = padded_pubdata(&outcome, k);
    let header = header_for(
        &outcome,
        batch.chain_id,
        batch.fee_recipient,
        &pubdata,
        k,
        slot,
    )?;

    let started = Instant::now();
    let proved = prove_outcome(&circuits.circuits, batch, outcome, options)?;
    let tree_s = started.elapsed().as_secs_f64();
    if proved.public.commitment != header.pubdata_commitment {
        return Err(SettlementError::Disagreement {
            what: "pubdata commitment",
            proved: hex::encode(proved.public.commitment),
            expected: hex::encode(header.pubdata_commitment),
        });
    }

    let stage = |name: &str| {
        if let Some(p) = &options.progress {
            p.set_message(name.to_string());
        }
    };
    stage("root");
    let started = Instant::now();
    let root = circuits.root();
    let root_proof = {
        let _span = tracing::info_span!("root").entered();
        root.prove(&proved.proof, slot.hub, slot.batch_index)
            .map_err(SettlementError::Root)?
    };
    let root_s = started.elapsed().as_secs_f64();
    let words = digest_words(&root_proof).map_err(SettlementError::Root)?;
    let expected: [u8; 32] = Sha256::digest(header.encode()).into();
    let expected_words: Vec<u32> = expected
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes(c.try_into().expect("4 bytes")))
        .collect();
    if words.as_slice() != expected_words.as_slice() {
        return Err(SettlementError::Disagreement {
            what: "header digest",
            proved: hex_words(&words),
            expected: hex_words(&expected_words),
        });
    }

    stage("wrap+g16");
    let (wrapped, [wrap_s, groth16_s]) = {
        let _span = tracing::info_span!("wrap").entered();
        wrap_and_prove(backend, &keys.keys, &keys.r1cs, &circuits.wrap, &root_proof)?
    };
    let expected_input = public_input(&header);
    let proved_input = fr_bytes(&wrapped.public_input);
    if proved_input != expected_input {
        return Err(SettlementError::Disagreement {
            what: "Groth16 public input",
            proved: hex::encode(proved_input),
            expected: hex::encode(expected_input),
        });
    }
    let mut compressed = Vec::new();
    ark_serialize::CanonicalSerialize::serialize_compressed(&wrapped.proof, &mut compressed)
        .map_err(|e| Groth16Error::file("proof", e))?;
    let sizes = ProofSizes {
        node: proved.proof.to_bytes().len(),
        root: root_proof.to_bytes().len(),
        groth16_calldata: 8 * 32,
        groth16_compressed: compressed.len(),
    };
    Ok(SettlementProof {
        header,
        pubdata,
        public_input: proved_input,
        groth16: wrapped,
        batch: proved,
        times: SettlementTimes {
            tree_s,
            root_s,
            wrap_s,
            groth16_s,
        },
        sizes,
    })
}

/// The hex digest of the wrap circuit, for reports.
pub fn wrap_digest_hex(circuits: &SettlementCircuits) -> String {
    digest_hex(&circuits.wrap_digest)
}

/// The `format` of `l1-batch.json`.
pub const L1_BATCH_FORMAT: &str = "bulwark-l1-batch";
/// Its version.
pub const L1_BATCH_VERSION: u32 = 1;

/// `l1-batch.json`: what an operator sends to the hub for a proved batch (`commitBatch`'s
/// new root, fee recipient and padded pubdata; `proveBatch`'s eight proof words), with the
/// header it is proved for and the figures of the run.
#[derive(Clone, Debug, Serialize)]
pub struct L1BatchFile {
    /// Always [`L1_BATCH_FORMAT`].
    pub format: &'static str,
    /// Always [`L1_BATCH_VERSION`].
    pub version: u32,
    /// The chain id.
    pub chain_id: u64,
    /// The hub, `0x`-hex.
    pub hub: String,
    /// The batch index on the hub.
    pub batch_index: u64,
    /// Root before, `0x`-hex (the hub's `bytes32`).
    pub old_root: String,
    /// Root after, `0x`-hex.
    pub new_root: String,
    /// Deposit queue range `[first, last)`.
    pub deposits: (u64, u64),
    /// Fee recipient account.
    pub fee_recipient: u32,
    /// The padded pubdata, `0x`-hex.
    pub pubdata: String,
    /// The pubdata commitment, `0x`-hex.
    pub pubdata_commitment: String,
    /// The one public input, `0x`-hex.
    pub public_input: String,
    /// `proveBatch`'s proof words, `0x`-hex.
    pub proof: Vec<String>,
    /// The wrap circuit's digest the Groth16 keys belong to.
    pub wrap_digest: String,
    /// Whether the keys were insecure development keys.
    pub dev_keys: bool,
    /// Where the time went.
    pub times: SettlementTimes,
    /// Proof sizes.
    pub sizes: ProofSizes,
}

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

impl L1BatchFile {
    /// The file for `proof`, proved with `keys` of `circuits`.
    pub fn new(proof: &SettlementProof, circuits: &SettlementCircuits, keys: &Keys) -> Self {
        let h = &proof.header;
        L1BatchFile {
            format: L1_BATCH_FORMAT,
            version: L1_BATCH_VERSION,
            chain_id: h.chain_id,
            hub: hex0x(&h.hub),
            batch_index: h.batch_index,
            old_root: hex0x(&h.old_root),
            new_root: hex0x(&h.new_root),
            deposits: (h.deposit_first, h.deposit_last),
            fee_recipient: h.fee_recipient,
            pubdata: hex0x(&proof.pubdata),
            pubdata_commitment: hex0x(&h.pubdata_commitment),
            public_input: hex0x(&proof.public_input),
            proof: bulwark_contracts::proof_words(&proof.groth16.proof)
                .iter()
                .map(|w| hex0x(w))
                .collect(),
            wrap_digest: wrap_digest_hex(circuits),
            dev_keys: keys.dev,
            times: proof.times.clone(),
            sizes: proof.sizes.clone(),
        }
    }

    /// Writes the file into `dir` atomically, with the Groth16 proof files in
    /// `dir/groth16/` (`bulwark verify --vk` reads them).
    pub fn write(
        &self,
        dir: &Path,
        proof: &SettlementProof,
        circuits: &SettlementCircuits,
    ) -> Result<PathBuf, SettlementError> {
        crate::groth16::artifact::write_proof_files(
            &dir.join("groth16"),
            &proof.groth16,
            circuits.wrap_digest,
        )?;
        let path = dir.join("l1-batch.json");
        let text = serde_json::to_string_pretty(self).expect("plain data serializes") + "\n";
        crate::files::write_atomic(&path, text.as_bytes())?;
        Ok(path)
    }
}
