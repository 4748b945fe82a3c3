//! `bulwark demo`: a fresh chain in a temporary folder, funded by deposits, then a batch of
//! signed transfers and withdrawals, and a replayed op refused. Deterministic: the keys and
//! ops come from a fixed seed, so two runs print the same roots.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use bulwark_state::tree::hash_to_hex;
use bulwark_state::{Batch, ChainConfig, Op, SecretKey, StateError, StateStore};
use rand::{Rng, SeedableRng};
use serde::Serialize;

/// Demo parameters.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Number of signed ops (transfers and withdrawals) in the main batch.
    pub ops: usize,
    /// Number of user accounts funded by deposits.
    pub users: u32,
    /// Chain id of the demo chain.
    pub chain_id: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            ops: 64,
            users: 8,
            chain_id: 1,
        }
    }
}

/// Hooks the CLI uses to show progress.
pub trait DemoProgress {
    /// A stage with `len` steps starts.
    fn start(&mut self, stage: &str, len: u64);
    /// One step of the current stage is done.
    fn step(&mut self);
    /// The current stage is done.
    fn finish(&mut self);
}

/// Progress that shows nothing.
pub struct NoProgress;

impl DemoProgress for NoProgress {
    fn start(&mut self, _: &str, _: u64) {}
    fn step(&mut self) {}
    fn finish(&mut self) {}
}

/// One applied batch in the report.
#[derive(Clone, Debug, Serialize)]
pub struct BatchSummary {
    /// What the batch was.
    pub name: String,
    /// Ops by type.
    pub deposits: usize,
    /// Transfers in the batch.
    pub transfers: usize,
    /// Withdrawals in the batch.
    pub withdrawals: usize,
    /// Root before.
    pub old_root: String,
    /// Root after.
    pub new_root: String,
    /// Pubdata bytes (L1 calldata).
    pub pubdata_bytes: usize,
    /// Wall time of `apply_batch`, milliseconds.
    pub apply_ms: f64,
}

/// What the demo did, for people (Display) and scripts (JSON).
#[derive(Clone, Debug, Serialize)]
pub struct DemoReport {
    /// Chain id.
    pub chain_id: u64,
    /// Tree depth.
    pub tree_depth: u8,
    /// The batches applied.
    pub batches: Vec<BatchSummary>,
    /// Milliseconds spent signing the main batch.
    pub sign_ms: f64,
    /// Signed ops applied per second in the main batch (signature checks included).
    pub ops_per_second: f64,
    /// The replayed op's refusal, as the executor words it.
    pub replay_refused: String,
    /// Whether the root stayed unchanged after the refusal.
    pub root_unchanged_after_refusal: bool,
    /// Sum of deposits.
    pub deposited: u64,
    /// Sum of withdrawals.
    pub withdrawn: u64,
    /// Sum of L2 balances at the end (deposited = withdrawn + balances).
    pub l2_balances: u64,
    /// Final state root.
    pub final_root: String,
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summarize(
    name: &str,
    batch: &Batch,
    outcome: &bulwark_state::BatchOutcome,
    elapsed: Duration,
) -> BatchSummary {
    let count = |kind: &str| batch.ops.iter().filter(|op| op.kind() == kind).count();
    BatchSummary {
        name: name.into(),
        deposits: count("deposit"),
        transfers: count("transfer"),
        withdrawals: count("withdraw"),
        old_root: hash_to_hex(&outcome.old_root),
        new_root: hash_to_hex(&outcome.new_root),
        pubdata_bytes: outcome.pubdata.len(),
        apply_ms: millis(elapsed),
    }
}

/// Runs the demo in a fresh temporary folder (removed afterwards).
pub fn run(opts: &DemoOptions, progress: &mut dyn DemoProgress) -> Result<DemoReport> {
    ensure!(opts.users >= 2, "the demo needs at least two users");
    let dir = tempfile::tempdir().context("creating the demo's temporary folder")?;
    let config = ChainConfig::new(opts.chain_id);
    let mut store = StateStore::genesis(dir.path(), config)?;
    tracing::info!(dir = %dir.path().display(), "genesis");

    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0xB01_3A2C);
    // Account 0 is the operator, which collects fees; users are 1..=users.
    let keys: Vec<SecretKey> = (0..=opts.users)
        .map(|_| SecretKey::random(&mut rng))
        .collect();
    let initial = 1_000_000_000u64;

    let mut funding = Batch::new(opts.chain_id, 0);
    for (i, key) in keys.iter().enumerate() {
        funding.ops.push(Op::Deposit {
            queue_index: i as u64,
            account: i as u32,
            public_key: key.public_key().to_bytes(),
            amount: initial,
        });
    }
    let started = Instant::now();
    let funded = store.apply_batch(&funding)?;
    let mut batches = vec![summarize("deposits", &funding, &funded, started.elapsed())];

    progress.start("signing", opts.ops as u64);
    let started = Instant::now();
    let mut nonces = vec![0u32; keys.len()];
    let mut main = Batch::new(opts.chain_id, 0);
    for i in 0..opts.ops {
        let from = rng.gen_range(1..=opts.users);
        let fee = 10;
        let op = if i % 8 == 7 {
            let mut to_l1 = [0u8; 20];
            rng.fill(&mut to_l1);
            Op::signed_withdraw(
                &keys[from as usize],
                opts.chain_id,
                from,
                to_l1,
                rng.gen_range(1..10_000),
                fee,
                nonces[from as usize],
            )
        } else {
            let to = (from % opts.users) + 1;
            Op::signed_transfer(
                &keys[from as usize],
                opts.chain_id,
                from,
                to,
                rng.gen_range(1..100_000),
                fee,
                nonces[from as usize],
            )
        };
        nonces[from as usize] += 1;
        main.ops.push(op);
        progress.step();
    }
    progress.finish();
    let sign_time = started.elapsed();

    progress.start("applying", opts.ops as u64);
    let started = Instant::now();
    let applied = store.apply_batch_with_progress(&main, &mut |_| progress.step())?;
    let apply_time = started.elapsed();
    progress.finish();
    batches.push(summarize(
        "transfers and withdrawals",
        &main,
        &applied,
        apply_time,
    ));

    // Replaying a signed op is refused: its nonce is spent.
    let root_before = store.root()?;
    let mut replay = Batch::new(opts.chain_id, 0);
    replay.ops.push(
        main.ops
            .first()
            .cloned()
            .context("the demo needs at least one op")?,
    );
    let replay_refused = match store.apply_batch(&replay) {
        Err(e @ StateError::Op { .. }) => e.to_string(),
        Err(e) => return Err(e.into()),
        Ok(_) => anyhow::bail!("a replayed op was accepted"),
    };
    let root_unchanged_after_refusal = store.root()? == root_before;

    let final_root = store.check_integrity()?;
    let deposited = initial * keys.len() as u64;
    let withdrawn: u64 = applied.withdrawals.iter().map(|w| w.amount).sum();
    let l2_balances: u64 = store.accounts()?.iter().map(|(_, a)| a.balance).sum();
    ensure!(
        deposited == withdrawn + l2_balances,
        "value is not conserved: {deposited} != {withdrawn} + {l2_balances}"
    );

    Ok(DemoReport {
        chain_id: opts.chain_id,
        tree_depth: config.tree_depth,
        batches,
        sign_ms: millis(sign_time),
        ops_per_second: opts.ops as f64 / apply_time.as_secs_f64().max(1e-9),
        replay_refused,
        root_unchanged_after_refusal,
        deposited,
        withdrawn,
        l2_balances,
        final_root: hash_to_hex(&final_root),
    })
}

impl std::fmt::Display for DemoReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Bulwark state demo — chain {}, account tree depth {}",
            self.chain_id, self.tree_depth
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "{:<26} {:>8} {:>9} {:>11} {:>9} {:>10}",
            "batch", "deposits", "transfers", "withdrawals", "pubdata", "apply"
        )?;
        for b in &self.batches {
            writeln!(
                f,
                "{:<26} {:>8} {:>9} {:>11} {:>7} B {:>7.1} ms",
                b.name, b.deposits, b.transfers, b.withdrawals, b.pubdata_bytes, b.apply_ms
            )?;
        }
        writeln!(f)?;
        for b in &self.batches {
            writeln!(f, "{}: {} -> {}", b.name, b.old_root, b.new_root)?;
        }
        writeln!(f)?;
        writeln!(f, "signing: {:.1} ms; applying: {:.0} signed ops/s (signature checks, tree updates, one redb commit)", self.sign_ms, self.ops_per_second)?;
        writeln!(f, "replayed op refused: {}", self.replay_refused)?;
        writeln!(
            f,
            "root unchanged after the refusal: {}",
            if self.root_unchanged_after_refusal {
                "yes"
            } else {
                "NO"
            }
        )?;
        writeln!(
            f,
            "value conserved: deposited {} = withdrawn {} + L2 balances {}",
            self.deposited, self.withdrawn, self.l2_balances
        )?;
        write!(f, "final root (integrity checked): {}", self.final_root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_runs_conserves_value_and_is_deterministic() {
        let opts = DemoOptions {
            ops: 24,
            ..DemoOptions::default()
        };
        let a = run(&opts, &mut NoProgress).unwrap();
        let b = run(&opts, &mut NoProgress).unwrap();
        assert_eq!(a.final_root, b.final_root);
        assert!(a.root_unchanged_after_refusal);
        assert!(a.replay_refused.contains("`nonce`"), "{}", a.replay_refused);
        assert_eq!(a.batches[1].transfers + a.batches[1].withdrawals, 24);
        assert_eq!(a.deposited, a.withdrawn + a.l2_balances);
        assert!(a.withdrawn > 0);
    }
}
