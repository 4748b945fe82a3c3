//! Durability: a process killed with SIGKILL while applying a batch leaves, on reopen, the
//! root from before that batch (or, if the kill came after the commit, the root after it)
//! — never anything in between — and the store stays consistent and usable.
//!
//! The test re-runs its own test binary as the child: `crash_child` does the work when
//! `BULWARK_CRASH_CHILD_DIR` is set and prints `applied <i>` after each op (inside the
//! uncommitted transaction), so the parent can kill it at a chosen point.
#![allow(missing_docs)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use bulwark_state::{Batch, ChainConfig, Hash, Op, SecretKey, StateStore};
use rand::SeedableRng;

const CHILD_ENV: &str = "BULWARK_CRASH_CHILD_DIR";
const OPS: usize = 4000;
const CHAIN: u64 = 9;

fn batch_file(dir: &Path) -> std::path::PathBuf {
    dir.join("batch.json")
}

/// A fresh state with one funded account, and a large batch of deposits to apply to it.
fn prepare(dir: &Path) -> Hash {
    let mut store = StateStore::genesis(dir, ChainConfig::new(CHAIN)).unwrap();
    let key = SecretKey::random(&mut rand_chacha::ChaCha20Rng::seed_from_u64(1));
    let mut first = Batch::new(CHAIN, 0);
    first.ops.push(Op::Deposit {
        queue_index: 0,
        account: 0,
        public_key: key.public_key().to_bytes(),
        amount: 5,
    });
    store.apply_batch(&first).unwrap();
    let mut big = Batch::new(CHAIN, 0);
    for i in 0..OPS as u64 {
        let key = SecretKey::random(&mut rand_chacha::ChaCha20Rng::seed_from_u64(100 + i % 16));
        // Spread the accounts so that every op rewrites a long path.
        let account = (i as u32 + 1).wrapping_mul(2_654_435_761);
        big.ops.push(Op::Deposit {
            queue_index: 1 + i,
            account,
            public_key: key.public_key().to_bytes(),
            amount: 1 + i,
        });
    }
    std::fs::write(batch_file(dir), big.to_json()).unwrap();
    store.root().unwrap()
}

/// The root after the big batch, computed on a separate copy that is never killed.
fn expected_new_root() -> Hash {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let batch =
        Batch::from_json(&std::fs::read_to_string(batch_file(dir.path())).unwrap()).unwrap();
    StateStore::open(dir.path())
        .unwrap()
        .apply_batch(&batch)
        .unwrap()
        .new_root
}

#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let dir = Path::new(&dir);
    let batch = Batch::from_json(&std::fs::read_to_string(batch_file(dir)).unwrap()).unwrap();
    let mut store = StateStore::open(dir).unwrap();
    let mut out = std::io::stdout();
    // The harness has printed "test crash_child ... " with no newline: end that line.
    println!();
    store
        .apply_batch_with_progress(&batch, &mut |i| {
            use std::io::Write;
            writeln!(out, "applied {i}").unwrap();
            out.flush().unwrap();
        })
        .unwrap();
    println!("committed");
}

/// Runs the child on `dir` and SIGKILLs it once it prints `kill_at`; returns whether it
/// was still running when killed.
fn run_child_and_kill(dir: &Path, kill_at: &str) -> bool {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut seen = false;
    for line in BufReader::new(stdout).lines() {
        if line.unwrap().trim() == kill_at {
            child.kill().unwrap();
            seen = true;
            break;
        }
    }
    let status = child.wait().unwrap();
    assert!(seen, "child ended ({status}) without printing {kill_at:?}");
    !status.success()
}

fn check_after_kill(kill_at: &str, allowed: &[Hash]) -> Hash {
    let dir = tempfile::tempdir().unwrap();
    let old_root = prepare(dir.path());
    let killed = run_child_and_kill(dir.path(), kill_at);
    let store = StateStore::open(dir.path()).expect("the store reopens after a kill");
    let root = store
        .check_integrity()
        .expect("stored tree and accounts agree after a kill");
    let mut allowed = allowed.to_vec();
    allowed.push(old_root);
    assert!(
        allowed.contains(&root),
        "after kill at {kill_at:?} (killed: {killed}) the root is neither the old nor the new one"
    );
    if root == old_root {
        assert_eq!(
            store.next_deposit_index().unwrap(),
            1,
            "queue position rolled back with the root"
        );
        assert_eq!(store.batches_applied().unwrap(), 1);
        assert_eq!(store.accounts().unwrap().len(), 1);
    }
    // The store is usable: the batch applies from where it is.
    drop(store);
    if root == old_root {
        let batch =
            Batch::from_json(&std::fs::read_to_string(batch_file(dir.path())).unwrap()).unwrap();
        let outcome = StateStore::open(dir.path())
            .unwrap()
            .apply_batch(&batch)
            .unwrap();
        assert_eq!(outcome.old_root, old_root);
    }
    root
}

#[test]
fn kill_mid_batch_leaves_the_previous_root() {
    let new_root = expected_new_root();
    // Killed in the middle of the transaction: nothing of the batch may survive.
    let dir = tempfile::tempdir().unwrap();
    let old_root = prepare(dir.path());
    assert!(
        run_child_and_kill(dir.path(), &format!("applied {}", OPS / 2)),
        "child was killed mid-batch"
    );
    let store = StateStore::open(dir.path()).unwrap();
    assert_eq!(store.check_integrity().unwrap(), old_root);
    assert_eq!(store.next_deposit_index().unwrap(), 1);
    assert_eq!(store.accounts().unwrap().len(), 1);
    drop(store);
    // Early, at the last op (the commit is under way or about to start), and after the
    // commit: the root is always exactly the old or the new one.
    assert_eq!(check_after_kill("applied 0", &[]), old_root);
    check_after_kill(&format!("applied {}", OPS - 1), &[new_root]);
    assert_eq!(check_after_kill("committed", &[new_root]), new_root);
}
