//! Criterion benches of the proving stages: one leaf proof, one leaf-pair proof and one
//! node proof (over two leaf-pair proofs), on circuits from the circuit cache.
//!
//! Run: `cargo bench -p bulwark-benches --bench prove`. `BULWARK_BENCH_K` sets the ops per
//! leaf (default: the prover's default K) and `BULWARK_CACHE` the cache folder (default:
//! the prover's); circuits missing from the cache are built first (minutes), outside the
//! measurement. The leaves are full of signed transfers on a 32-deep tree.
#![allow(missing_docs)]

use std::time::Duration;

use bulwark_prover::bench::transfer_batch;
use bulwark_prover::cache::{CircuitCache, CircuitParams, DEFAULT_OPS_PER_LEAF};
use bulwark_prover::pipeline::leaf_jobs;
use bulwark_state::config::{DEFAULT_TREE_DEPTH, MAX_MAX_BALANCE};
use bulwark_state::WitnessLayout;
use criterion::{criterion_group, criterion_main, Criterion};

fn stages(c: &mut Criterion) {
    let k = std::env::var("BULWARK_BENCH_K")
        .ok()
        .map(|v| v.parse().expect("BULWARK_BENCH_K: a number of ops"))
        .unwrap_or(DEFAULT_OPS_PER_LEAF);
    let cache = CircuitCache::new(
        std::env::var_os("BULWARK_CACHE")
            .map(Into::into)
            .unwrap_or_else(CircuitCache::default_dir),
    );
    let params = CircuitParams {
        ops_per_leaf: k,
        tree_depth: DEFAULT_TREE_DEPTH as usize,
        max_balance: MAX_MAX_BALANCE,
    };
    let (circuits, _) = cache.load_or_build(params).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (store, batch) = transfer_batch(dir.path(), &params, 4 * k).unwrap();
    let outcome = store
        .dry_run_batch(&batch, WitnessLayout::leaves_of(k))
        .unwrap();
    let jobs = leaf_jobs(&outcome, &batch, k).unwrap();
    let leaves: Vec<_> = jobs
        .iter()
        .map(|j| {
            circuits
                .leaf
                .prove(&j.inputs, &j.ops, &j.fee_flush)
                .unwrap()
        })
        .collect();
    let agg = &circuits.aggregation;
    let node_vd = &agg.node.data.verifier_only;
    let pairs = [0, 2].map(|i| agg.pair.prove(&leaves[i], &leaves[i + 1], node_vd).unwrap());

    let mut g = c.benchmark_group(format!("prove_k{k}"));
    g.sample_size(10).measurement_time(Duration::from_secs(60));
    g.bench_function("leaf", |b| {
        b.iter(|| {
            circuits
                .leaf
                .prove(&jobs[0].inputs, &jobs[0].ops, &jobs[0].fee_flush)
                .unwrap()
        })
    });
    g.bench_function("pair", |b| {
        b.iter(|| agg.pair.prove(&leaves[0], &leaves[1], node_vd).unwrap())
    });
    g.bench_function("node", |b| {
        b.iter(|| {
            agg.node
                .prove((&pairs[0], false), (&pairs[1], false))
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
