//! `bulwark bench prove`: end-to-end proving figures for batches of signed transfers, and
//! the node step next to plonky2's standard recursion, measured in one run.
//!
//! For each batch size, a fresh chain funds one account per transfer (a committed deposit
//! batch, not measured), then a batch of that many signed transfers is executed (dry run)
//! and proved by the pipeline; "end to end" is execution plus the whole proof tree.
//!
//! The node comparison proves, in isolation (nothing else running), the node circuit over
//! two leaf-pair proofs, and a plain plonky2 circuit (standard recursion config) that
//! verifies the same two proofs against a constant verifier key and does nothing else
//! (no adjacency checks, no commitment hash, no cyclic verifier data, no padding).

use std::time::{Duration, Instant};

use bulwark_circuits::node::Proof;
use bulwark_circuits::{Builder, C};
use bulwark_state::{Batch, ChainConfig, Op, SecretKey, StateStore, WitnessLayout};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use rand::SeedableRng;
use serde::Serialize;

use crate::cache::{CircuitParams, Circuits};
use crate::pipeline::{checkpoint_path, prove_outcome, PipelineError, ProveOptions};

const CHAIN: u64 = 77;

/// Errors of a benchmark run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// Setting up the chain failed.
    #[error("bench setup: {0}")]
    Setup(#[from] bulwark_state::StateError),
    /// Proving failed.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// ROOT, the wrap or Groth16 failed.
    #[error(transparent)]
    Settlement(#[from] crate::settlement::SettlementError),
    /// Something else failed (temporary files, the comparison circuit).
    #[error("bench: {0}")]
    Other(String),
}

/// Figures for one batch size.
#[derive(Clone, Debug, Serialize)]
pub struct BatchFigures {
    /// Signed transfers in the batch.
    pub ops: usize,
    /// Leaf proofs (after padding).
    pub leaves: usize,
    /// Execution (dry run), milliseconds.
    pub execute_ms: f64,
    /// Mean leaf proof, milliseconds (leaves overlap on the cores, so this is per-core time).
    pub leaf_mean_ms: f64,
    /// Mean leaf-pair proof, milliseconds.
    pub pair_mean_ms: f64,
    /// Mean node proof, milliseconds (0 when the tree has one node).
    pub node_mean_ms: f64,
    /// Execution plus the whole tree, seconds.
    pub end_to_end_s: f64,
    /// `ops / end_to_end_s`.
    pub transfers_per_s: f64,
    /// The process's peak resident memory so far, MiB (VmHWM; cumulative, so the figure
    /// of the largest batch is the run's peak).
    pub peak_rss_mib: f64,
}

/// The node step against standard recursion, proved in isolation.
#[derive(Clone, Debug, Serialize)]
pub struct NodeComparison {
    /// Node circuit rows (2^degree_bits).
    pub node_rows: usize,
    /// Plain recursion circuit rows.
    pub plain_rows: usize,
    /// Best of the runs: node proof over two leaf-pair proofs, milliseconds.
    pub node_ms: f64,
    /// Best of the runs: plain two-proof verifier over the same proofs, milliseconds.
    pub plain_ms: f64,
    /// `node_ms / plain_ms` (the target is at most 1.2).
    pub ratio: f64,
    /// Runs of each (the best is reported).
    pub runs: usize,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct BenchReport {
    /// Circuit parameters.
    pub params: CircuitParams,
    /// Leaf circuit rows (2^degree_bits).
    pub leaf_rows: usize,
    /// `leaf_rows / K`: rows per op, padding included.
    pub rows_per_op: f64,
    /// Leaf-pair and node circuit rows.
    pub aggregation_rows: usize,
    /// Rayon threads used.
    pub threads: usize,
    /// One entry per batch size.
    pub batches: Vec<BatchFigures>,
    /// The node step against standard recursion.
    pub node_vs_plain: Option<NodeComparison>,
}

/// Peak resident memory of this process in MiB, from `/proc/self/status` (VmHWM, what
/// getrusage reports as ru_maxrss); 0 where unavailable.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A fresh chain in `dir` with account `i` owned by `keys[i]` and funded with `amount` by
/// one committed deposit batch.
pub fn funded_chain(
    dir: &std::path::Path,
    config: ChainConfig,
    keys: &[SecretKey],
    amount: u64,
) -> Result<StateStore, bulwark_state::StateError> {
    let mut store = StateStore::genesis(dir, config)?;
    let mut funding = Batch::new(config.chain_id, 0);
    for (i, k) in keys.iter().enumerate() {
        funding.ops.push(Op::Deposit {
            queue_index: i as u64,
            account: i as u32,
            public_key: k.public_key().to_bytes(),
            amount,
        });
    }
    store.apply_batch(&funding)?;
    Ok(store)
}

/// A chain with `n` funded accounts and a batch of `n` signed transfers (account `i` pays
/// account `(i + 1) mod n`, fee 1 to account 0).
pub fn transfer_batch(
    dir: &std::path::Path,
    params: &CircuitParams,
    n: usize,
) -> Result<(StateStore, Batch), BenchError> {
    let config = ChainConfig {
        chain_id: CHAIN,
        tree_depth: params.tree_depth as u8,
        max_balance: params.max_balance,
    };
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(n as u64);
    let keys: Vec<SecretKey> = (0..n).map(|_| SecretKey::random(&mut rng)).collect();
    let store = funded_chain(dir, config, &keys, 1_000_000)?;
    let mut batch = Batch::new(CHAIN, 0);
    for (i, k) in keys.iter().enumerate() {
        let to = ((i + 1) % n) as u32;
        batch
            .ops
            .push(Op::signed_transfer(k, CHAIN, i as u32, to, 1_000, 1, 0));
    }
    Ok((store, batch))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Proves one batch of `n` transfers and returns its figures, and the first two leaf-pair
/// proofs (kept for the node comparison).
fn run_batch(circuits: &Circuits, n: usize) -> Result<(BatchFigures, [Proof; 2]), BenchError> {
    let tmp = tempfile::tempdir().map_err(|e| BenchError::Other(e.to_string()))?;
    let (store, batch) = transfer_batch(&tmp.path().join("state"), &circuits.params, n)?;
    let checkpoints = tmp.path().join("checkpoints");
    let started = Instant::now();
    let outcome = store.dry_run_batch(
        &batch,
        WitnessLayout::leaves_of(circuits.params.ops_per_leaf),
    )?;
    let execute = started.elapsed();
    let options = ProveOptions {
        checkpoint_dir: Some(checkpoints.clone()),
        keep_checkpoints: true,
        progress: None,
    };
    let proved = prove_outcome(circuits, &batch, outcome, &options)?;
    let end_to_end = started.elapsed();
    let r = &proved.report;
    let load = |i| {
        let bytes = std::fs::read(checkpoint_path(&checkpoints, 1, i))
            .map_err(|e| BenchError::Other(e.to_string()))?;
        Proof::from_bytes(bytes, &circuits.aggregation.pair.data.common)
            .map_err(|e| BenchError::Other(e.to_string()))
    };
    let pairs = [load(0)?, load(1)?];
    let figures = BatchFigures {
        ops: n,
        leaves: r.leaves,
        execute_ms: ms(execute),
        leaf_mean_ms: r.leaf.mean_ms(),
        pair_mean_ms: r.pair.mean_ms(),
        node_mean_ms: r.node.mean_ms(),
        end_to_end_s: end_to_end.as_secs_f64(),
        transfers_per_s: n as f64 / end_to_end.as_secs_f64(),
        peak_rss_mib: peak_rss_mib(),
    };
    Ok((figures, pairs))
}

/// Proves the node over `pairs` and the plain two-proof verifier over the same proofs,
/// `runs` times each, alternating, and keeps the best time of each.
pub fn compare_node(
    circuits: &Circuits,
    pairs: &[Proof; 2],
    runs: usize,
) -> Result<NodeComparison, BenchError> {
    let pair = &circuits.aggregation.pair.data;
    let mut builder = Builder::new(CircuitParams::config());
    let vd = builder.constant_verifier_data(&pair.verifier_only);
    let targets = [0, 1].map(|_| builder.add_virtual_proof_with_pis(&pair.common));
    for t in &targets {
        builder.verify_proof::<C>(t, &vd, &pair.common);
    }
    let plain = builder.build::<C>();
    let node = &circuits.aggregation.node;
    let other = |e: anyhow::Error| BenchError::Other(format!("{e:#}"));
    let (mut node_best, mut plain_best) = (f64::MAX, f64::MAX);
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let p = node
            .prove((&pairs[0], false), (&pairs[1], false))
            .map_err(other)?;
        node_best = node_best.min(ms(started.elapsed()));
        node.verify(&p).map_err(other)?;

        let mut pw = PartialWitness::new();
        for (t, p) in targets.iter().zip(pairs) {
            pw.set_proof_with_pis_target(t, p).map_err(other)?;
        }
        let started = Instant::now();
        let p = plain.prove(pw).map_err(other)?;
        plain_best = plain_best.min(ms(started.elapsed()));
        plain.verify(p).map_err(other)?;
    }
    Ok(NodeComparison {
        node_rows: node.data.common.degree(),
        plain_rows: plain.common.degree(),
        node_ms: node_best,
        plain_ms: plain_best,
        ratio: node_best / plain_best,
        runs: runs.max(1),
    })
}

/// Runs the benchmark for each batch size in `ops` (in increasing order), then the node
/// comparison (`runs` times each) on the first batch's leaf-pair proofs.
pub fn bench_prove(
    circuits: &Circuits,
    ops: &[usize],
    runs: usize,
    mut on_batch: impl FnMut(&BatchFigures),
) -> Result<BenchReport, BenchError> {
    let mut sizes = ops.to_vec();
    sizes.sort_unstable();
    sizes.dedup();
    let mut batches = Vec::new();
    let mut first_pairs = None;
    for n in sizes {
        if n == 0 {
            return Err(BenchError::Other("batch sizes must be at least 1".into()));
        }
        let _span = tracing::info_span!("bench_batch", ops = n).entered();
        let (figures, pairs) = run_batch(circuits, n)?;
        on_batch(&figures);
        batches.push(figures);
        first_pairs.get_or_insert(pairs);
    }
    let node_vs_plain = match &first_pairs {
        Some(pairs) if runs > 0 => Some(compare_node(circuits, pairs, runs)?),
        _ => None,
    };
    let leaf_rows = circuits.leaf.data.common.degree();
    Ok(BenchReport {
        params: circuits.params,
        leaf_rows,
        rows_per_op: leaf_rows as f64 / circuits.params.ops_per_leaf as f64,
        aggregation_rows: circuits.aggregation.node.data.common.degree(),
        threads: rayon::current_num_threads(),
        batches,
        node_vs_plain,
    })
}

/// Leaf figures for one K (for choosing K).
#[derive(Clone, Debug, Serialize)]
pub struct LeafFigures {
    /// Ops per leaf.
    pub k: usize,
    /// Leaf circuit rows (2^degree_bits).
    pub rows: usize,
    /// `rows / k`.
    pub rows_per_op: f64,
    /// Building the leaf circuit, milliseconds.
    pub build_ms: f64,
    /// Best of `runs` proofs of a leaf full of signed transfers, milliseconds.
    pub prove_ms: f64,
    /// `prove_ms / k`.
    pub prove_ms_per_op: f64,
}

/// Builds the leaf circuit for each K in `ks` (no aggregation, no cache) and proves one
/// leaf of K signed transfers `runs` times, keeping the best time.
pub fn bench_leaf_sizes(
    ks: &[usize],
    tree_depth: usize,
    runs: usize,
) -> Result<Vec<LeafFigures>, BenchError> {
    use bulwark_circuits::leaf::LeafCircuit;
    let mut out = Vec::new();
    for &k in ks {
        let params = CircuitParams {
            ops_per_leaf: k,
            tree_depth,
            max_balance: bulwark_state::config::MAX_MAX_BALANCE,
        };
        params
            .validate()
            .map_err(|e| BenchError::Other(e.to_string()))?;
        let _span = tracing::info_span!("bench_leaf", k).entered();
        let started = Instant::now();
        let leaf = LeafCircuit::build(params.leaf(), CircuitParams::config());
        let build_ms = ms(started.elapsed());
        let tmp = tempfile::tempdir().map_err(|e| BenchError::Other(e.to_string()))?;
        let (store, batch) = transfer_batch(tmp.path(), &params, k)?;
        let outcome = store.dry_run_batch(&batch, WitnessLayout::leaves_of(k))?;
        let job = &crate::pipeline::leaf_jobs(&outcome, &batch, k)?[0];
        let mut best = f64::MAX;
        for _ in 0..runs.max(1) {
            let started = Instant::now();
            let proof = leaf
                .prove(&job.inputs, &job.ops, &job.fee_flush)
                .map_err(|e| BenchError::Other(format!("{e:#}")))?;
            best = best.min(ms(started.elapsed()));
            leaf.data
                .verify(proof)
                .map_err(|e| BenchError::Other(format!("{e:#}")))?;
        }
        let rows = leaf.data.common.degree();
        out.push(LeafFigures {
            k,
            rows,
            rows_per_op: rows as f64 / k as f64,
            build_ms,
            prove_ms: best,
            prove_ms_per_op: best / k as f64,
        });
    }
    Ok(out)
}

/// Figures of the whole settlement path of one batch (`bulwark bench wrap --circuit root-K`):
/// the proof tree, ROOT, the plonky2 wrap and Groth16, with the production FRI parameters.
#[derive(Clone, Debug, Serialize)]
pub struct SettlementFigures {
    /// The circuit, in words.
    pub circuit: String,
    /// Signed transfers in the batch.
    pub ops: usize,
    /// R1CS constraints of the wrap verifier.
    pub constraints: usize,
    /// Non-zero terms of its three matrices.
    pub matrix_terms: usize,
    /// Groth16 (development) setup, seconds; `None` when the keys were loaded.
    pub setup_s: Option<f64>,
    /// Loading the keys and matrices (or making them), seconds.
    pub keys_s: f64,
    /// The proof tree, seconds.
    pub tree_s: f64,
    /// The ROOT proof, seconds.
    pub root_s: f64,
    /// The plonky2 wrap proof, seconds.
    pub wrap_plonky2_s: f64,
    /// Groth16 prove (synthesis, checks and proof), seconds.
    pub prove_s: f64,
    /// Peak resident memory of the process, bytes (VmHWM).
    pub peak_rss_bytes: u64,
    /// Proof sizes.
    pub sizes: crate::settlement::ProofSizes,
}

/// Proves a batch of `ops` signed transfers on a fresh chain through ROOT, the wrap and
/// Groth16 for a fixed hub, with the keys in `keys_dir` or else the development keys cached
/// under `cache_dir` (made when missing: then `setup_s` is reported).
pub fn bench_settlement(
    circuits: Circuits,
    ops: usize,
    keys_dir: Option<&std::path::Path>,
    cache_dir: &std::path::Path,
    backend: &dyn crate::backend::Backend,
) -> Result<SettlementFigures, BenchError> {
    use crate::settlement::{
        prove_settlement, KeySource, L1Slot, SettlementCircuits, SettlementKeys,
    };
    if ops == 0 {
        return Err(BenchError::Other(
            "the batch needs at least one transfer".into(),
        ));
    }
    let tmp = tempfile::tempdir().map_err(|e| BenchError::Other(e.to_string()))?;
    let (store, batch) = transfer_batch(&tmp.path().join("state"), &circuits.params, ops)?;
    let k = circuits.params.ops_per_leaf;
    let circuit = format!("root (K = {k})");
    let settlement = SettlementCircuits::build(circuits)?;
    let keys = match keys_dir {
        Some(dir) => SettlementKeys::load(dir, &settlement)?,
        None => SettlementKeys::load_or_setup_dev(cache_dir, &settlement)?,
    };
    let setup_s = (keys.source == KeySource::Generated).then_some(keys.seconds);
    let outcome = store.dry_run_batch(&batch, WitnessLayout::leaves_of(k))?;
    let options = ProveOptions {
        checkpoint_dir: Some(tmp.path().join("checkpoints")),
        keep_checkpoints: false,
        progress: None,
    };
    let slot = L1Slot {
        hub: [0x5f; 20],
        batch_index: 0,
    };
    let proof = prove_settlement(&settlement, &keys, backend, &batch, outcome, slot, &options)?;
    let t = &proof.times;
    Ok(SettlementFigures {
        circuit,
        ops,
        constraints: keys.r1cs.num_constraints(),
        matrix_terms: keys.r1cs.num_terms(),
        setup_s,
        keys_s: keys.seconds,
        tree_s: t.tree_s,
        root_s: t.root_s,
        wrap_plonky2_s: t.wrap_s,
        prove_s: t.groth16_s,
        peak_rss_bytes: crate::groth16::commands::peak_rss_bytes(),
        sizes: proof.sizes.clone(),
    })
}
