//! The circuit cache, the proving pipeline and proof artifacts through the library API, on
//! small circuits (2 ops per leaf, an 8-deep account tree): cache hit, stale and corrupt
//! entries; a batch proved, written and verified; tampered artifacts refused; a rerun
//! resuming from checkpoints.
#![allow(missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use bulwark_prover::artifact::{
    read_manifest, verify_artifact, write_artifact, ArtifactError, MANIFEST_FILE, PROOF_FILE,
};
use bulwark_prover::cache::{CacheOutcome, CircuitCache, CircuitParams};
use bulwark_prover::pipeline::{
    checkpoint_path, leaf_count, padded_pubdata, prove_batch, prove_outcome, PipelineError,
    ProveOptions,
};
use bulwark_state::{Batch, ChainConfig, Op, SecretKey, StateStore, WitnessLayout};
use rand::SeedableRng;

const CHAIN: u64 = 0x2_0000_0011;
const PARAMS: CircuitParams = CircuitParams {
    ops_per_leaf: 2,
    tree_depth: 8,
    max_balance: 1 << 40,
};

/// One cache shared by the tests of this binary, built once.
fn shared_cache() -> &'static (tempfile::TempDir, CircuitCache) {
    static CACHE: OnceLock<(tempfile::TempDir, CircuitCache)> = OnceLock::new();
    CACHE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let cache = CircuitCache::new(dir.path());
        let (_, outcome) = cache.load_or_build(PARAMS).unwrap();
        assert_eq!(outcome, CacheOutcome::BuiltMissing);
        (dir, cache)
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn cache_hit_stale_and_corrupt_entries() {
    let (_, shared) = shared_cache();
    let (reference, outcome) = shared.load_or_build(PARAMS).unwrap();
    assert_eq!(outcome, CacheOutcome::Loaded, "a second load is a hit");
    let digests = reference.digests();

    // A private copy of the entry to damage.
    let dir = tempfile::tempdir().unwrap();
    let cache = CircuitCache::new(dir.path());
    let entry = cache.entry_dir(&PARAMS);
    copy_dir(&shared.entry_dir(&PARAMS), &entry);
    let (loaded, outcome) = cache.load_or_build(PARAMS).unwrap();
    assert_eq!(outcome, CacheOutcome::Loaded);
    assert_eq!(loaded.digests(), digests);

    // One flipped byte in the leaf data: detected, rebuilt, rewritten.
    let leaf = entry.join("leaf.bin");
    let mut bytes = std::fs::read(&leaf).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&leaf, &bytes).unwrap();
    let (rebuilt, outcome) = cache.load_or_build(PARAMS).unwrap();
    assert!(
        matches!(&outcome, CacheOutcome::Rebuilt(r) if r.contains("leaf.bin is corrupt")),
        "{outcome:?}"
    );
    assert_eq!(rebuilt.digests(), digests);
    assert_eq!(cache.load_or_build(PARAMS).unwrap().1, CacheOutcome::Loaded);

    // A truncated aggregation file (a crash mid-copy): rebuilt.
    let agg = entry.join("aggregation.bin");
    let bytes = std::fs::read(&agg).unwrap();
    std::fs::write(&agg, &bytes[..bytes.len() - 100]).unwrap();
    let (_, outcome) = cache.load_or_build(PARAMS).unwrap();
    assert!(
        matches!(&outcome, CacheOutcome::Rebuilt(r) if r.contains("aggregation.bin is corrupt")),
        "{outcome:?}"
    );

    // Other circuit code: another key, so the old entry is never found...
    let stale = CircuitCache::with_fingerprint(dir.path(), "other-code");
    assert_ne!(stale.entry_dir(&PARAMS), entry);
    // ...and an entry recorded for other code, even under this code's key, is rebuilt.
    copy_dir(&entry, &stale.entry_dir(&PARAMS));
    let (_, outcome) = stale.load_or_build(PARAMS).unwrap();
    assert!(
        matches!(&outcome, CacheOutcome::Rebuilt(r) if r.contains("built from circuit code")),
        "{outcome:?}"
    );
    assert_eq!(stale.load_or_build(PARAMS).unwrap().1, CacheOutcome::Loaded);
}

fn keys() -> Vec<SecretKey> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(21);
    (0..4).map(|_| SecretKey::random(&mut rng)).collect()
}

/// A state with accounts 0..3 funded, and a batch of 5 ops (deposit, transfers, a
/// withdrawal, fees to account 0) not yet applied.
fn state_and_batch() -> (tempfile::TempDir, StateStore, Batch) {
    let keys = keys();
    let dir = tempfile::tempdir().unwrap();
    let config = ChainConfig {
        chain_id: CHAIN,
        tree_depth: PARAMS.tree_depth as u8,
        max_balance: PARAMS.max_balance,
    };
    let mut store = StateStore::genesis(dir.path(), config).unwrap();
    let mut funding = Batch::new(CHAIN, 0);
    for (i, k) in keys.iter().take(3).enumerate() {
        funding.ops.push(Op::Deposit {
            queue_index: i as u64,
            account: i as u32,
            public_key: k.public_key().to_bytes(),
            amount: 1_000_000,
        });
    }
    store.apply_batch(&funding).unwrap();
    let mut batch = Batch::new(CHAIN, 0);
    batch.ops = vec![
        Op::signed_transfer(&keys[1], CHAIN, 1, 2, 5_000, 10, 0),
        Op::Deposit {
            queue_index: 3,
            account: 3,
            public_key: keys[3].public_key().to_bytes(),
            amount: 42,
        },
        Op::signed_withdraw(&keys[2], CHAIN, 2, [0x5a; 20], 700, 1, 0),
        Op::signed_transfer(&keys[3], CHAIN, 3, 1, 40, 2, 0),
        Op::signed_transfer(&keys[1], CHAIN, 1, 0, 1, 0, 1),
    ];
    (dir, store, batch)
}

struct Proved {
    out: tempfile::TempDir,
    manifest: PathBuf,
}

/// The batch proved once for the artifact tests (checkpoints kept for the resume test).
fn proved() -> &'static Proved {
    static PROVED: OnceLock<Proved> = OnceLock::new();
    PROVED.get_or_init(|| {
        let (_, cache) = shared_cache();
        let (circuits, _) = cache.load_or_build(PARAMS).unwrap();
        let (_state_dir, store, batch) = state_and_batch();
        let root = store.root().unwrap();
        let out = tempfile::tempdir().unwrap();
        let options = ProveOptions {
            checkpoint_dir: Some(out.path().join("checkpoints")),
            keep_checkpoints: true,
            progress: None,
        };
        let proved = prove_batch(&circuits, &store, &batch, &options).unwrap();
        assert_eq!(
            store.root().unwrap(),
            root,
            "proving must not change the state"
        );
        assert_eq!(proved.report.leaves, 4);
        assert_eq!(proved.report.leaf.proved, 4);
        assert_eq!(
            (proved.report.pair.proved, proved.report.node.proved),
            (2, 1)
        );
        let manifest = write_artifact(out.path(), &circuits, cache.fingerprint(), &proved).unwrap();
        Proved { out, manifest }
    })
}

#[test]
fn a_batch_proves_and_its_artifact_verifies() {
    let (_, cache) = shared_cache();
    let p = proved();
    let (manifest, values) = verify_artifact(&p.manifest, cache).unwrap();
    // The proof states exactly the executor's outcome of the batch.
    let (_dir, mut store, batch) = state_and_batch();
    let outcome = store.apply_batch(&batch).unwrap();
    assert_eq!(values.old_root, outcome.old_root);
    assert_eq!(values.new_root, outcome.new_root);
    assert_eq!(
        (values.deposit_first, values.deposit_last),
        outcome.deposits
    );
    assert_eq!((values.chain_id, values.fee_recipient), (CHAIN, 0));
    assert_eq!(manifest.batch.index, outcome.batch_index);
    assert_eq!((manifest.batch.ops, manifest.batch.padded_ops), (5, 8));

    // The commitment is the hub's: the SHA-256 tree over the padded pubdata's records.
    use sha2::{Digest, Sha256};
    let pubdata = padded_pubdata(&outcome, PARAMS.ops_per_leaf);
    let ops = bulwark_state::OpPubdata::decode_all(&pubdata).unwrap();
    assert_eq!(ops.len(), 8);
    let record = |op: &bulwark_state::OpPubdata| {
        let mut r = op.encode().unwrap();
        r.resize(61, 0);
        r
    };
    let leaves: Vec<[u8; 32]> = ops
        .chunks(2)
        .map(|c| Sha256::digest([record(&c[0]), record(&c[1])].concat()).into())
        .collect();
    let pair = |a: [u8; 32], b: [u8; 32]| -> [u8; 32] { Sha256::digest([a, b].concat()).into() };
    let expected = pair(pair(leaves[0], leaves[1]), pair(leaves[2], leaves[3]));
    assert_eq!(values.commitment, expected);

    // Passing the folder works as well as the manifest.
    verify_artifact(p.out.path(), cache).unwrap();
}

/// A copy of the proved artifact to tamper with.
fn artifact_copy() -> tempfile::TempDir {
    let p = proved();
    let dir = tempfile::tempdir().unwrap();
    for name in [MANIFEST_FILE, PROOF_FILE] {
        std::fs::copy(p.out.path().join(name), dir.path().join(name)).unwrap();
    }
    dir
}

fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = dir.join(MANIFEST_FILE);
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
}

#[test]
fn tampered_artifacts_are_refused_with_a_clear_error() {
    let (_, cache) = shared_cache();

    // Control: an untouched copy verifies.
    let dir = artifact_copy();
    verify_artifact(dir.path(), cache).unwrap();

    // A flipped byte in the proof's openings (past the wire caps, so it still parses).
    let proof = dir.path().join(PROOF_FILE);
    let mut bytes = std::fs::read(&proof).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x10;
    std::fs::write(&proof, &bytes).unwrap();
    let err = verify_artifact(dir.path(), cache).unwrap_err();
    assert!(
        matches!(
            err,
            ArtifactError::Invalid(_) | ArtifactError::Malformed { .. }
        ),
        "{err}"
    );

    // A public value changed in the manifest: the proof does not carry it.
    for (field, value) in [
        (
            "new_root",
            serde_json::json!(format!("0x{}", "11".repeat(32))),
        ),
        ("deposit_last", serde_json::json!(9)),
        ("fee_recipient", serde_json::json!(1)),
        (
            "commitment",
            serde_json::json!(format!("0x{}", "00".repeat(32))),
        ),
    ] {
        let dir = artifact_copy();
        edit_manifest(dir.path(), |v| v["public"][field] = value);
        let err = verify_artifact(dir.path(), cache).unwrap_err();
        assert!(
            matches!(err, ArtifactError::PublicMismatch { field: ref f, .. } if f == field),
            "{field}: {err}"
        );
        assert!(err.to_string().contains(field), "{err}");
    }

    // A public input of the proof itself changed (and the manifest to match): the proof
    // no longer verifies.
    let dir = artifact_copy();
    let (_, manifest) = read_manifest(dir.path()).unwrap();
    let (circuits, _) = cache.load_or_build(manifest.circuit.params).unwrap();
    let common = &circuits.aggregation.node.data.common;
    let mut proof = bulwark_circuits::node::Proof::from_bytes(
        std::fs::read(dir.path().join(PROOF_FILE)).unwrap(),
        common,
    )
    .unwrap();
    proof.public_inputs[9] += plonky2::field::types::Field::ONE; // deposit_last
    std::fs::write(dir.path().join(PROOF_FILE), proof.to_bytes()).unwrap();
    edit_manifest(dir.path(), |v| {
        let last = v["public"]["deposit_last"].as_u64().unwrap();
        v["public"]["deposit_last"] = serde_json::json!(last + 1);
    });
    let err = verify_artifact(dir.path(), cache).unwrap_err();
    assert!(matches!(err, ArtifactError::Invalid(_)), "{err}");

    // Another circuit digest: named as a circuit mismatch before anything is verified.
    let dir = artifact_copy();
    edit_manifest(dir.path(), |v| {
        v["circuit"]["digests"]["node"] = serde_json::json!("00".repeat(32))
    });
    let err = verify_artifact(dir.path(), cache).unwrap_err();
    assert!(
        matches!(
            err,
            ArtifactError::CircuitMismatch {
                circuit: "node",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("circuit digest"), "{err}");

    // Another format version.
    let dir = artifact_copy();
    edit_manifest(dir.path(), |v| v["version"] = serde_json::json!(2));
    let err = verify_artifact(dir.path(), cache).unwrap_err();
    assert!(err.to_string().contains("field `version`"), "{err}");
}

#[test]
fn a_rerun_resumes_from_checkpoints() {
    let (_, cache) = shared_cache();
    let p = proved();
    let (circuits, _) = cache.load_or_build(PARAMS).unwrap();
    let (_state_dir, store, batch) = state_and_batch();

    // A run that stopped after the leaves: only their checkpoints exist, one of them corrupt.
    let checkpoints = tempfile::tempdir().unwrap();
    let from = p.out.path().join("checkpoints");
    for i in 0..4 {
        std::fs::copy(
            checkpoint_path(&from, 0, i),
            checkpoint_path(checkpoints.path(), 0, i),
        )
        .unwrap();
    }
    let broken = checkpoint_path(checkpoints.path(), 0, 2);
    let mut bytes = std::fs::read(&broken).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x10;
    std::fs::write(&broken, &bytes).unwrap();

    let options = ProveOptions {
        checkpoint_dir: Some(checkpoints.path().to_path_buf()),
        keep_checkpoints: false,
        progress: None,
    };
    let rerun = prove_batch(&circuits, &store, &batch, &options).unwrap();
    assert_eq!(
        (rerun.report.leaf.resumed, rerun.report.leaf.proved),
        (3, 1)
    );
    assert_eq!((rerun.report.pair.proved, rerun.report.node.proved), (2, 1));
    let (_, manifest) = read_manifest(&p.manifest).unwrap();
    assert_eq!(
        bulwark_prover::artifact::PublicOutputs::from_values(&rerun.public),
        manifest.public
    );
    assert!(
        !checkpoints.path().exists(),
        "checkpoints are removed once the top proof is done"
    );

    // Leaf checkpoints of another batch are not taken: every leaf is proved again.
    let other = tempfile::tempdir().unwrap();
    for i in 0..4 {
        std::fs::copy(
            checkpoint_path(&from, 0, i),
            checkpoint_path(other.path(), 0, (i + 1) % 4),
        )
        .unwrap();
    }
    let options = ProveOptions {
        checkpoint_dir: Some(other.path().to_path_buf()),
        keep_checkpoints: true,
        progress: None,
    };
    let rerun = prove_batch(&circuits, &store, &batch, &options).unwrap();
    assert_eq!(
        (rerun.report.leaf.resumed, rerun.report.leaf.proved),
        (0, 4)
    );
}

#[test]
fn bad_batches_and_parameters_are_refused_before_proving() {
    let (_, cache) = shared_cache();
    let (circuits, _) = cache.load_or_build(PARAMS).unwrap();
    let (_state_dir, store, mut batch) = state_and_batch();
    batch.ops[3] = Op::signed_transfer(&keys()[3], CHAIN, 3, 1, 40, 2, 5);
    let err = prove_batch(&circuits, &store, &batch, &ProveOptions::default()).unwrap_err();
    assert!(matches!(err, PipelineError::Execution(_)), "{err}");
    assert!(err.to_string().contains("nonce"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let deeper = StateStore::genesis(
        dir.path(),
        ChainConfig {
            tree_depth: 16,
            ..*store.config()
        },
    )
    .unwrap();
    let err = prove_batch(
        &circuits,
        &deeper,
        &Batch::new(CHAIN, 0),
        &ProveOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("field `tree_depth`"), "{err}");

    // Witnesses laid out for other leaves (they write the pending fees elsewhere).
    let (_state_dir, store, batch) = state_and_batch();
    let outcome = store
        .dry_run_batch(&batch, WitnessLayout::WHOLE_BATCH)
        .unwrap();
    let err = prove_outcome(&circuits, &batch, outcome, &ProveOptions::default()).unwrap_err();
    assert!(
        matches!(err, PipelineError::WitnessLayout { circuits: 2, .. }),
        "{err}"
    );
}

#[test]
fn leaves_are_a_power_of_two_of_at_least_four() {
    assert_eq!(leaf_count(0, 8), 4);
    assert_eq!(leaf_count(1, 8), 4);
    assert_eq!(leaf_count(32, 8), 4);
    assert_eq!(leaf_count(33, 8), 8);
    assert_eq!(leaf_count(256, 8), 32);
    assert_eq!(leaf_count(257, 8), 64);
}

/// The bench plumbing on the smallest configuration (what CI can afford): one transfer,
/// four leaves, and one node/standard-recursion comparison run.
#[test]
fn bench_prove_reports_every_figure() {
    let (_, cache) = shared_cache();
    let (circuits, _) = cache.load_or_build(PARAMS).unwrap();
    let mut seen = Vec::new();
    let report =
        bulwark_prover::bench::bench_prove(&circuits, &[1], 1, |b| seen.push(b.ops)).unwrap();
    assert_eq!(seen, [1]);
    assert_eq!(report.rows_per_op * 2.0, report.leaf_rows as f64);
    let b = &report.batches[0];
    assert_eq!(b.leaves, 4);
    assert!(b.transfers_per_s > 0.0 && b.end_to_end_s > 0.0);
    assert!(b.leaf_mean_ms > 0.0 && b.pair_mean_ms > 0.0 && b.node_mean_ms > 0.0);
    assert!(b.peak_rss_mib > 0.0);
    let c = report.node_vs_plain.as_ref().unwrap();
    assert!(c.node_ms > 0.0 && c.plain_ms > 0.0 && c.plain_rows <= c.node_rows);
    let json = serde_json::to_value(&report).unwrap();
    assert!(json["batches"][0]["transfers_per_s"].is_number());
}
