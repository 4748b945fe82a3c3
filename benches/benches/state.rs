//! Criterion benches of the state layer: signatures, tree updates, batch application.
//!
//! Run: `cargo bench -p bulwark-benches --bench state`.
#![allow(missing_docs)]

use bulwark_benches::{funded_state, keys, transfer_batch};
use bulwark_state::tree::{SparseMerkleTree, NODES};
use bulwark_state::Account;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use plonky2_field::goldilocks_field::GoldilocksField;
use plonky2_field::types::Field;

fn signatures(c: &mut Criterion) {
    let key = &keys(1)[0];
    let msg: Vec<GoldilocksField> = (0..8u64).map(GoldilocksField::from_canonical_u64).collect();
    let sig = key.sign(&msg);
    let pk = key.public_key();
    let mut g = c.benchmark_group("schnorr");
    g.bench_function("sign", |b| b.iter(|| key.sign(std::hint::black_box(&msg))));
    g.bench_function("verify", |b| {
        b.iter(|| pk.verify(std::hint::black_box(&msg), &sig).unwrap())
    });
    g.finish();
}

fn tree(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let db = redb::Database::create(dir.path().join("bench.redb")).unwrap();
    let smt = SparseMerkleTree::new(32);
    let txn = db.begin_write().unwrap();
    let mut nodes = txn.open_table(NODES).unwrap();
    // 1024 accounts spread over the index space, so paths share little.
    for i in 0..1024u32 {
        let leaf = Account {
            balance: i as u64,
            ..Account::EMPTY
        }
        .leaf_hash();
        smt.update(&mut nodes, i.wrapping_mul(2_654_435_761), leaf)
            .unwrap();
    }
    let mut g = c.benchmark_group("smt_depth32");
    let mut i = 0u32;
    g.bench_function("update", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            let leaf = Account {
                balance: i as u64,
                ..Account::EMPTY
            }
            .leaf_hash();
            smt.update(&mut nodes, (i % 1024).wrapping_mul(2_654_435_761), leaf)
                .unwrap()
        })
    });
    g.bench_function("proof", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            smt.proof(&nodes, (i % 1024).wrapping_mul(2_654_435_761))
                .unwrap()
        })
    });
    g.finish();
}

fn apply(c: &mut Criterion) {
    let keys = keys(17);
    let batch = transfer_batch(&keys, 64);
    let mut g = c.benchmark_group("executor");
    g.sample_size(20);
    g.bench_function("apply_64_signed_transfers", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let store = funded_state(dir.path(), &keys);
                (dir, store)
            },
            |(dir, mut store)| {
                store.apply_batch(&batch).unwrap();
                (dir, store)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, signatures, tree, apply);
criterion_main!(benches);
