//! The `bulwark` binary end to end: the happy path an operator scripts, and each kind of bad
//! input giving a clear one-line error that names the field or op, a non-zero exit, and an
//! unchanged state root.
#![allow(missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn state(&self) -> String {
        self.path("state").display().to_string()
    }

    fn batch(&self) -> String {
        self.path("batch.json").display().to_string()
    }

    fn run(&self, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_bulwark"))
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs with --json and expects success.
    fn ok(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Runs without --json, expects failure, returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} unexpectedly succeeded");
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        assert_eq!(
            err.lines().count(),
            1,
            "one-line error expected, got {err:?}"
        );
        assert!(err.starts_with("error: "), "{err}");
        err
    }

    fn root(&self) -> String {
        self.ok(&["state", "root", "--state", &self.state()])["root"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn keygen(&self, name: &str) -> String {
        let path = self.path(name).display().to_string();
        self.ok(&["keygen", "--out", &path]);
        path
    }

    /// Genesis and two funded accounts (0: alice, 1: bob); returns the key file paths.
    fn funded(&self, max_balance: &str) -> (String, String) {
        self.ok(&[
            "genesis",
            "--state",
            &self.state(),
            "--chain-id",
            "77",
            "--max-balance",
            max_balance,
        ]);
        let alice = self.keygen("alice.json");
        let bob = self.keygen("bob.json");
        for (i, key) in [&alice, &bob].iter().enumerate() {
            let (q, a) = (i.to_string(), i.to_string());
            self.ok(&[
                "op",
                "deposit",
                "--batch",
                &self.batch(),
                "--state",
                &self.state(),
                "--queue-index",
                &q,
                "--account",
                &a,
                "--key-file",
                key,
                "--amount",
                "1000",
            ]);
        }
        self.ok(&["apply", "--state", &self.state(), "--batch", &self.batch()]);
        std::fs::remove_file(self.batch()).unwrap();
        (alice, bob)
    }

    fn transfer(&self, key: &str, extra: &[&str]) -> Output {
        let mut args = vec![
            "op", "transfer", "--batch", "__B", "--state", "__S", "--key", key, "--from", "0",
            "--to", "1", "--fee", "1",
        ];
        args.extend_from_slice(extra);
        let (b, s) = (self.batch(), self.state());
        let args: Vec<&str> = args
            .into_iter()
            .map(|a| {
                if a == "__B" {
                    b.as_str()
                } else if a == "__S" {
                    s.as_str()
                } else {
                    a
                }
            })
            .collect();
        self.run(&args)
    }

    /// Applies the batch file, expecting a refusal that mentions every one of `needles`;
    /// checks that the root did not move.
    fn apply_refused(&self, needles: &[&str]) {
        let before = self.root();
        let err = self.fails(&["apply", "--state", &self.state(), "--batch", &self.batch()]);
        for n in needles {
            assert!(err.contains(n), "error {err:?} does not mention {n:?}");
        }
        assert_eq!(self.root(), before, "root changed after a refused batch");
    }
}

fn edit_batch(path: &Path, f: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

#[test]
fn operator_flow_keygen_genesis_deposit_transfer_withdraw() {
    let env = Env::new();
    let (alice, _bob) = env.funded("1000000000");
    let genesis_funded = env.root();
    // Two transfers and a withdrawal with nonces taken from the state and the batch.
    // Bob (account 1) collects the batch's fees.
    assert!(env
        .transfer(&alice, &["--amount", "100", "--fee-recipient", "1"])
        .status
        .success());
    assert!(env.transfer(&alice, &["--amount", "100"]).status.success());
    let w = env.ok(&[
        "op",
        "withdraw",
        "--batch",
        &env.batch(),
        "--state",
        &env.state(),
        "--key",
        &alice,
        "--from",
        "0",
        "--to-l1",
        "0x00000000000000000000000000000000000000aa",
        "--amount",
        "50",
    ]);
    assert_eq!(w["op_index"], 2);
    // A deposit topping up alice's existing account carries no key.
    let top_up = [
        "op",
        "deposit",
        "--batch",
        &env.batch(),
        "--state",
        &env.state(),
        "--queue-index",
        "2",
        "--account",
        "0",
        "--amount",
        "7",
    ];
    let usage = env.run(&top_up);
    assert_eq!(usage.status.code(), Some(2), "a usage error");
    assert!(String::from_utf8_lossy(&usage.stderr).contains("--existing"));
    let mut with_existing = top_up.to_vec();
    with_existing.push("--existing");
    env.ok(&with_existing);
    let applied = env.ok(&["apply", "--state", &env.state(), "--batch", &env.batch()]);
    assert_eq!(applied["old_root"], genesis_funded.as_str());
    assert_eq!(applied["new_root"], env.root().as_str());
    assert_eq!(applied["withdrawals"][0]["amount"], 50);
    let alice_acc = env.ok(&["state", "account", "--state", &env.state(), "0", "--proof"]);
    assert_eq!(alice_acc["balance"], 1000 - 100 - 1 - 100 - 1 - 50 + 7);
    assert_eq!(alice_acc["nonce"], 3);
    assert_eq!(alice_acc["proof"]["siblings"].as_array().unwrap().len(), 32);
    let bob_acc = env.ok(&["state", "account", "--state", &env.state(), "1"]);
    assert_eq!(
        bob_acc["balance"],
        1000 + 200 + 2,
        "bob receives both transfers and their fees"
    );
}

#[test]
fn human_output_prints_the_root() {
    let env = Env::new();
    let out = env.run(&["genesis", "--state", &env.state(), "--chain-id", "1"]);
    assert!(out.status.success());
    let root = env.root();
    let out = env.run(&["state", "root", "--state", &env.state()]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), root);
}

#[test]
fn malformed_json_is_refused() {
    let env = Env::new();
    env.funded("1000000000");
    std::fs::write(env.batch(), "{ \"format\": \"bulwark-batch\", \"ops\": [ }").unwrap();
    env.apply_refused(&["batch file", "line 1"]);
    std::fs::write(env.batch(), r#"{"format":"bulwark-batch","version":1,"chain_id":77,"fee_recipient":0,"ops":[{"type":"transfer","from":0}]}"#).unwrap();
    env.apply_refused(&["missing field"]);
    std::fs::write(
        env.batch(),
        r#"{"format":"something-else","version":1,"chain_id":77,"fee_recipient":0,"ops":[]}"#,
    )
    .unwrap();
    env.apply_refused(&["`format`"]);
}

#[test]
fn bad_signature_is_refused() {
    let env = Env::new();
    let (alice, _) = env.funded("1000000000");
    assert!(env.transfer(&alice, &["--amount", "5"]).status.success());
    edit_batch(Path::new(&env.batch()), |v| {
        v["ops"][0]["amount"] = 6.into();
    });
    env.apply_refused(&["op 0 (transfer)", "`signature`"]);
}

#[test]
fn signature_by_another_key_is_refused() {
    let env = Env::new();
    let (_, bob) = env.funded("1000000000");
    assert!(env.transfer(&bob, &["--amount", "5"]).status.success());
    env.apply_refused(&["op 0 (transfer)", "`signature`"]);
}

#[test]
fn wrong_nonce_is_refused() {
    let env = Env::new();
    let (alice, _) = env.funded("1000000000");
    assert!(env
        .transfer(&alice, &["--amount", "5", "--nonce", "3"])
        .status
        .success());
    env.apply_refused(&["op 0 (transfer)", "`nonce`", "expects nonce 0"]);
}

#[test]
fn overdraft_is_refused() {
    let env = Env::new();
    let (alice, _) = env.funded("1000000000");
    assert!(
        env.transfer(&alice, &["--amount", "1000"]).status.success(),
        "1000 + fee 1 > 1000"
    );
    env.apply_refused(&["op 0 (transfer)", "overdraft"]);
}

#[test]
fn balance_overflow_is_refused() {
    let env = Env::new();
    let (alice, _) = env.funded("1500");
    assert!(env.transfer(&alice, &["--amount", "600"]).status.success());
    env.apply_refused(&["op 0 (transfer)", "`amount`", "overflow"]);
}

#[test]
fn unknown_account_is_refused() {
    let env = Env::new();
    let (alice, _) = env.funded("1000000000");
    assert!(env.transfer(&alice, &["--amount", "5"]).status.success());
    edit_batch(Path::new(&env.batch()), |v| {
        v["ops"][0]["to"] = 9.into();
    });
    // The signature no longer matches either, but the executor reports the account first.
    env.apply_refused(&["op 0 (transfer)", "`to`", "unknown account 9"]);
    // And the CLI refuses to infer a nonce for an account that does not exist.
    let err = env.fails(&[
        "op",
        "transfer",
        "--batch",
        &env.batch(),
        "--state",
        &env.state(),
        "--key",
        &alice,
        "--from",
        "5",
        "--to",
        "1",
        "--amount",
        "1",
    ]);
    assert!(
        err.contains("`from`") && err.contains("unknown account 5"),
        "{err}"
    );
}

#[test]
fn non_canonical_encodings_are_refused() {
    let env = Env::new();
    let (alice, _) = env.funded("1000000000");
    assert!(env.transfer(&alice, &["--amount", "5"]).status.success());
    // R's first limb set to p (>= p is not canonical).
    edit_batch(Path::new(&env.batch()), |v| {
        let sig = v["ops"][0]["signature"].as_str().unwrap().to_string();
        let p_le = hex::encode(0xFFFF_FFFF_0000_0001u64.to_le_bytes());
        v["ops"][0]["signature"] = format!("{p_le}{}", &sig[16..]).into();
    });
    env.apply_refused(&["op 0 (transfer)", "`signature`", "canonical"]);
    // A deposit key that is not a point, through the CLI and through a batch file.
    let bad_key = format!("{}{}", "ff".repeat(8), "00".repeat(32));
    let err = env.fails(&[
        "op",
        "deposit",
        "--batch",
        &env.batch(),
        "--state",
        &env.state(),
        "--queue-index",
        "2",
        "--account",
        "3",
        "--public-key",
        &bad_key,
        "--amount",
        "1",
    ]);
    assert!(err.contains("`public_key`"), "{err}");
    edit_batch(Path::new(&env.batch()), |v| {
        v["ops"][0] = serde_json::json!({"type": "deposit", "queue_index": 2, "account": 3, "public_key": bad_key, "amount": 1});
    });
    env.apply_refused(&["op 0 (deposit)", "`public_key`"]);
    // An amount with no packed encoding is refused when the op is built.
    let out = env.transfer(&alice, &["--amount", "34359738369"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("amount"));
}

#[test]
fn errors_in_json_mode_are_json_with_non_zero_exit() {
    let env = Env::new();
    let out = env.run(&["state", "root", "--state", &env.state(), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["error"].as_str().unwrap().contains("no state store"),
        "{v}"
    );
    // Genesis twice is refused and leaves the first state alone.
    env.ok(&["genesis", "--state", &env.state(), "--chain-id", "3"]);
    let root = env.root();
    let err = env.fails(&["genesis", "--state", &env.state(), "--chain-id", "4"]);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(env.root(), root);
    // Usage errors exit with clap's status 2.
    assert_eq!(env.run(&["apply"]).status.code(), Some(2));
}

/// The demo refuses a batch too small to hold its deposits before it builds anything (its
/// whole flow is `tests/demo_anvil.rs` and CI's main job).
#[test]
fn demo_refuses_a_batch_smaller_than_its_deposits() {
    let env = Env::new();
    let cache = env.path("cache").display().to_string();
    let out = env.run(&["demo", "--ops", "5", "--cache", &cache, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let err = v["error"].as_str().unwrap();
    assert!(err.contains("--ops") && err.contains("deposits"), "{err}");
    assert!(
        !env.path("cache").exists(),
        "nothing is built for a refused demo"
    );
}

/// `verify` and `prove` refuse bad input before any circuit is built: a missing artifact, a
/// manifest of another format, a batch for another chain.
#[test]
fn prove_and_verify_refuse_bad_input_clearly() {
    let env = Env::new();
    let cache = env.path("cache").display().to_string();
    let missing = env.path("nothing.json").display().to_string();
    let err = env.fails(&["verify", &missing, "--cache", &cache]);
    assert!(err.contains("nothing.json"), "{err}");

    let manifest = env.path("proof.json");
    std::fs::write(
        &manifest,
        r#"{"format":"bulwark-batch","version":1,"circuit":{},"batch":{},"public":{},"proof_file":"p"}"#,
    )
    .unwrap();
    let err = env.fails(&["verify", &manifest.display().to_string(), "--cache", &cache]);
    assert!(
        err.contains("proof.json") && err.contains("malformed"),
        "{err}"
    );

    let (alice, _) = env.funded("1000000");
    assert!(env.transfer(&alice, &["--amount", "5"]).status.success());
    let out = env.path("out").display().to_string();
    edit_batch(&env.path("batch.json"), |v| {
        v["chain_id"] = serde_json::json!(78)
    });
    let err = env.fails(&[
        "prove",
        "--state",
        &env.state(),
        "--batch",
        &env.batch(),
        "--out",
        &out,
        "--cache",
        &cache,
    ]);
    assert!(err.contains("chain"), "{err}");
    assert!(
        !env.path("cache").exists(),
        "nothing is built for a batch that cannot be proved"
    );
}
