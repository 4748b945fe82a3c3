//! Fixtures shared by the criterion benches: deterministic keys, funded states and batches.

use bulwark_state::{Batch, ChainConfig, Op, SecretKey, StateStore};
use rand::SeedableRng;

/// Chain id of every bench fixture.
pub const CHAIN_ID: u64 = 1;

/// `n` deterministic keys.
pub fn keys(n: usize) -> Vec<SecretKey> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    (0..n).map(|_| SecretKey::random(&mut rng)).collect()
}

/// A fresh state in `dir` with accounts 0..keys.len() funded by deposits.
pub fn funded_state(dir: &std::path::Path, keys: &[SecretKey]) -> StateStore {
    bulwark_prover::bench::funded_chain(dir, ChainConfig::new(CHAIN_ID), keys, 1_000_000_000)
        .expect("funding batch applies")
}

/// `ops` signed transfers among freshly funded accounts (nonces start at 0).
pub fn transfer_batch(keys: &[SecretKey], ops: usize) -> Batch {
    let mut nonces = vec![0u32; keys.len()];
    let mut batch = Batch::new(CHAIN_ID, 0);
    for i in 0..ops {
        let from = 1 + i % (keys.len() - 1);
        let to = 1 + (i + 1) % (keys.len() - 1);
        batch.ops.push(Op::signed_transfer(
            &keys[from],
            CHAIN_ID,
            from as u32,
            to as u32,
            1000,
            10,
            nonces[from],
        ));
        nonces[from] += 1;
    }
    batch
}
