//! `bulwark`: the command-line tool of the Bulwark zk-rollup prover.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use bulwark_prover::artifact::{verify_artifact, write_artifact, PublicOutputs};
use bulwark_prover::backend::BackendKind;
use bulwark_prover::bench::{bench_leaf_sizes, bench_prove, bench_settlement};
use bulwark_prover::cache::{
    CacheOutcome, CircuitCache, CircuitParams, Circuits, DEFAULT_OPS_PER_LEAF,
};
use bulwark_prover::demo::{self, DemoOptions};
use bulwark_prover::files::{read_batch, read_key, write_atomic};
use bulwark_prover::groth16::commands::{run_bench_wrap, run_setup, run_verify, run_wrap};
use bulwark_prover::groth16::keys::{SetupMode, DEV_WARNING};
use bulwark_prover::groth16::target::{root_params, WrapTarget};
use bulwark_prover::pipeline::{prove_outcome, ProveOptions};
use bulwark_prover::progress::bar;
use bulwark_prover::settlement::{
    prove_settlement, L1BatchFile, L1Slot, SettlementCircuits, SettlementKeys,
};
use bulwark_state::config::{DEFAULT_TREE_DEPTH, MAX_MAX_BALANCE};
use bulwark_state::op::EXISTING_ACCOUNT;
use bulwark_state::tree::hash_to_hex;
use bulwark_state::{
    Batch, ChainConfig, KeyFile, Op, PublicKey, SecretKey, StateError, StateStore,
};
use clap::{ArgGroup, Args, Parser, Subcommand};
use indicatif::ProgressBar;
use serde_json::json;

/// Bulwark: a zk-rollup prover and on-chain verifier.
#[derive(Parser, Debug)]
#[command(name = "bulwark", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// Print results as one JSON object on stdout (errors too, as {"error": ...}).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Generate an ECgFp5 Schnorr key pair.
    Keygen {
        /// Write the key file here (JSON, holds the secret key) instead of printing it.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Create the genesis state of a chain (every account slot empty).
    Genesis {
        /// State directory (created if missing; must not hold a state yet).
        #[arg(long)]
        state: PathBuf,
        /// The consumer chain's id, signed into every op.
        #[arg(long)]
        chain_id: u64,
        /// Depth of the account tree (accounts are indexed below 2^depth).
        #[arg(long, default_value_t = DEFAULT_TREE_DEPTH)]
        tree_depth: u8,
        /// Largest balance an account may hold.
        #[arg(long, default_value_t = MAX_MAX_BALANCE)]
        max_balance: u64,
    },
    /// Build (and sign) an op and append it to a batch file.
    #[command(subcommand)]
    Op(OpCommand),
    /// Apply a batch file to the state atomically and print the new root.
    Apply {
        /// State directory.
        #[arg(long)]
        state: PathBuf,
        /// Batch file (JSON).
        #[arg(long)]
        batch: PathBuf,
    },
    /// Read the state.
    #[command(subcommand)]
    State(StateCommand),
    /// Run the demo: a fresh chain funded by deposits, a batch of signed transfers and
    /// withdrawals, and a replayed op refused.
    Demo {
        /// Ops in the batch: the deposits that fund the demo's accounts, then signed
        /// transfers and withdrawals up to this many.
        #[arg(long, default_value_t = 64)]
        ops: usize,
        /// Run against this Ethereum JSON-RPC node (through alloy) instead of the
        /// in-process EVM. It must let the demo move time forward (anvil does), for the
        /// hub's governance delay.
        #[arg(long, requires = "l1_key")]
        l1_rpc: Option<String>,
        /// The private key (0x-hex) that deploys, operates and deposits on --l1-rpc.
        #[arg(long, requires = "l1_rpc")]
        l1_key: Option<String>,
        /// Folder holding the Groth16 keys (pk.bin of `bulwark setup --circuit root-64`);
        /// default: deterministic, INSECURE development keys, made once and cached.
        #[arg(long)]
        keys: Option<PathBuf>,
        /// Circuit cache directory (default: $XDG_CACHE_HOME/bulwark or ~/.cache/bulwark).
        #[arg(long)]
        cache: Option<PathBuf>,
        /// Where the Groth16 kernels run.
        #[arg(long, default_value = "cpu")]
        backend: BackendKind,
    },
    /// Prove a batch: execute it on the state without committing (the state is left as it
    /// is; `apply` commits), prove it, and write the proof artifact (proof.json, proof.bin).
    /// A rerun with the same --out resumes from the proofs already checkpointed there.
    Prove {
        /// State directory.
        #[arg(long)]
        state: PathBuf,
        /// Batch file (JSON).
        #[arg(long)]
        batch: PathBuf,
        /// Output directory for the artifact (and checkpoints while proving).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        circuits: CircuitArgs,
        #[command(flatten)]
        l1: L1ProveArgs,
    },
    /// Verify a proof: a batch proof artifact (proof.json, or its folder) against the
    /// circuits, or a Groth16 proof file (proof.json or proof-compressed.json of `wrap`)
    /// against --vk. The file's `format` field says which.
    Verify {
        /// The proof file (or the folder of a batch proof artifact).
        proof: PathBuf,
        /// Circuit cache directory (default: $XDG_CACHE_HOME/bulwark or ~/.cache/bulwark).
        #[arg(long)]
        cache: Option<PathBuf>,
        /// The verifying key (vk.json, format bulwark-groth16-vk), for a Groth16 proof.
        #[arg(long)]
        vk: Option<PathBuf>,
    },
    /// Benchmarks.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Write the Solidity Groth16 verifier for a verifying key (vk.json).
    ExportVerifier {
        /// Verifying key file (format bulwark-groth16-vk, version 1).
        #[arg(long)]
        vk: PathBuf,
        /// Solidity file to write.
        #[arg(long)]
        out: PathBuf,
        /// Name of the generated contract.
        #[arg(long, default_value = "BulwarkGroth16Verifier")]
        contract: String,
    },
    /// Make the Groth16 keys (pk.bin, vk.json) of a wrap circuit's R1CS verifier.
    Setup {
        /// Deterministic keys from a public seed: INSECURE, for tests only.
        #[arg(long)]
        dev: bool,
        /// Folder for pk.bin and vk.json (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// The wrap circuit: `root-K` (the ROOT circuit over K-op leaves) or `words-test`
        /// (insecure test parameters).
        #[arg(long)]
        circuit: WrapTarget,
        /// Circuit cache directory (default: $XDG_CACHE_HOME/bulwark or ~/.cache/bulwark).
        #[arg(long)]
        cache: Option<PathBuf>,
    },
    /// Wrap a plonky2 proof of the wrap's inner circuit into a Groth16 proof.
    Wrap {
        /// The inner proof (format bulwark-plonky2-proof, version 1).
        #[arg(long)]
        proof: PathBuf,
        /// Folder for proof.json and proof-compressed.json (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Folder holding pk.bin (from `bulwark setup`).
        #[arg(long)]
        keys: PathBuf,
        /// The wrap circuit the keys were made for.
        #[arg(long)]
        circuit: WrapTarget,
        /// Where the heavy kernels run.
        #[arg(long, default_value = "cpu")]
        backend: BackendKind,
        /// Circuit cache directory (default: $XDG_CACHE_HOME/bulwark or ~/.cache/bulwark).
        #[arg(long)]
        cache: Option<PathBuf>,
    },
}

/// Going on to the proof the hub takes: ROOT, wrap and Groth16 (`--hub` turns it on).
#[derive(Args, Debug)]
struct L1ProveArgs {
    /// The hub's address (0x-hex): also prove ROOT, wrap and Groth16 for this hub and
    /// write `groth16/proof.json`, `proof-compressed.json` and `l1-batch.json`.
    #[arg(long)]
    hub: Option<String>,
    /// The batch's index on the hub (its count of committed batches when it is committed).
    #[arg(long, requires = "hub")]
    batch_index: Option<u64>,
    /// Folder holding pk.bin from `bulwark setup --circuit root-K`.
    #[arg(long, requires = "hub", conflicts_with = "dev_keys")]
    keys: Option<PathBuf>,
    /// Use (and make once, in the cache) deterministic development keys: INSECURE.
    #[arg(long, requires = "hub")]
    dev_keys: bool,
    /// Where the Groth16 kernels run.
    #[arg(long, default_value = "cpu")]
    backend: BackendKind,
}

/// Which circuits to use and where they are cached.
#[derive(Args, Debug)]
struct CircuitArgs {
    /// Ops per leaf proof (K).
    #[arg(long, default_value_t = DEFAULT_OPS_PER_LEAF)]
    ops_per_leaf: usize,
    /// Circuit cache directory (default: $XDG_CACHE_HOME/bulwark or ~/.cache/bulwark).
    #[arg(long)]
    cache: Option<PathBuf>,
}

/// The stages `bulwark bench` measures.
#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Groth16 wrapping: constraints, setup and prove time, peak memory, proof size. With
    /// `--circuit words-test` (the default) of the insecure test wrap proof; with
    /// `--circuit root-K` the production path of one batch of signed transfers (proof tree,
    /// ROOT, plonky2 wrap, Groth16), with `--keys DIR` or the cached development keys.
    Wrap {
        /// Where the heavy kernels run.
        #[arg(long, default_value = "cpu")]
        backend: BackendKind,
        /// `words-test` or `root-K` (e.g. `root-64`).
        #[arg(long, default_value = "words-test")]
        circuit: WrapTarget,
        /// Groth16 keys (pk.bin, r1cs.bin) from `bulwark setup` for a `root-K` circuit;
        /// without it, development keys from the cache (made once when missing).
        #[arg(long)]
        keys: Option<PathBuf>,
        /// Signed transfers in the `root-K` batch (default: K, one leaf).
        #[arg(long)]
        ops: Option<usize>,
        /// Circuit cache directory (default: $XDG_CACHE_HOME/bulwark or ~/.cache/bulwark).
        #[arg(long)]
        cache: Option<PathBuf>,
    },
    /// Prove batches of signed transfers end to end and compare the node step with
    /// plonky2's standard recursion (figures on stdout; --json for one JSON object).
    Prove {
        /// Batch sizes (signed transfers), comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "16,64,256")]
        ops: Vec<usize>,
        /// Runs of the node/standard-recursion comparison (best kept; 0 skips it).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Depth of the account tree of the benchmark chain.
        #[arg(long, default_value_t = DEFAULT_TREE_DEPTH)]
        tree_depth: u8,
        #[command(flatten)]
        circuits: CircuitArgs,
    },
    /// Build the leaf circuit for several K and prove one leaf of signed transfers with
    /// each: rows per op and prove time per op, to choose K.
    Leaf {
        /// Ops per leaf to try, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "16,32,64")]
        k: Vec<usize>,
        /// Proofs per K (best kept).
        #[arg(long, default_value_t = 1)]
        runs: usize,
        /// Depth of the account tree.
        #[arg(long, default_value_t = DEFAULT_TREE_DEPTH)]
        tree_depth: u8,
    },
}

fn cache_at(dir: Option<PathBuf>) -> CircuitCache {
    CircuitCache::new(dir.unwrap_or_else(CircuitCache::default_dir))
}

/// Loads (or builds, with a spinner) the circuits for `params`.
fn load_circuits(cache: &CircuitCache, params: CircuitParams, json: bool) -> Result<Circuits> {
    let spinner = if json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    spinner.set_message(format!(
        "loading circuits (K = {}) from {}",
        params.ops_per_leaf,
        cache.entry_dir(&params).display()
    ));
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    let (circuits, outcome) = cache.load_or_build(params)?;
    spinner.finish_and_clear();
    if !json && outcome != CacheOutcome::Loaded {
        eprintln!(
            "circuits built and cached in {}",
            cache.entry_dir(&params).display()
        );
    }
    Ok(circuits)
}

/// Where an op command finds the batch file, the chain id and (optionally) the state.
#[derive(Args, Debug)]
struct BatchTarget {
    /// Batch file to append to (created if missing).
    #[arg(long)]
    batch: PathBuf,
    /// State directory: supplies the chain id and, for signed ops, the next nonce.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Chain id, when no --state is given (a new batch file needs one).
    #[arg(long)]
    chain_id: Option<u64>,
    /// Account collecting the batch's fees (used when the batch file is created).
    #[arg(long, default_value_t = 0)]
    fee_recipient: u32,
}

/// Fields shared by signed ops.
#[derive(Args, Debug)]
struct Signer {
    /// The sender's key file.
    #[arg(long)]
    key: PathBuf,
    /// The sender's account index.
    #[arg(long)]
    from: u32,
    /// Fee paid to the batch's fee recipient.
    #[arg(long, default_value_t = 0)]
    fee: u64,
    /// Nonce; defaults to the account's nonce in --state plus its earlier ops in the batch.
    #[arg(long)]
    nonce: Option<u32>,
}

#[derive(Subcommand, Debug)]
enum OpCommand {
    /// A deposit from the L1 queue (unsigned: authorized by L1): creates an account with
    /// a key, or credits an existing one (--existing).
    #[command(group(ArgGroup::new("recipient_key").required(true)))]
    Deposit {
        #[command(flatten)]
        target: BatchTarget,
        /// Position in the L1 deposit queue.
        #[arg(long)]
        queue_index: u64,
        /// Recipient account index.
        #[arg(long)]
        account: u32,
        /// Public key of the account the deposit creates (hex, 40 bytes); or use
        /// --key-file, or --existing to credit an account that already exists.
        #[arg(long, group = "recipient_key")]
        public_key: Option<String>,
        /// Take the new account's public key from this key file.
        #[arg(long, group = "recipient_key")]
        key_file: Option<PathBuf>,
        /// Credit the existing account `--account` (the deposit carries the all-zero key).
        #[arg(long, group = "recipient_key")]
        existing: bool,
        /// Amount credited.
        #[arg(long)]
        amount: u64,
    },
    /// A signed transfer between two accounts.
    Transfer {
        #[command(flatten)]
        target: BatchTarget,
        #[command(flatten)]
        signer: Signer,
        /// Recipient account index.
        #[arg(long)]
        to: u32,
        /// Amount moved.
        #[arg(long)]
        amount: u64,
    },
    /// A signed withdrawal to an L1 address.
    Withdraw {
        #[command(flatten)]
        target: BatchTarget,
        #[command(flatten)]
        signer: Signer,
        /// L1 recipient address (hex, 20 bytes).
        #[arg(long)]
        to_l1: String,
        /// Amount withdrawn.
        #[arg(long)]
        amount: u64,
    },
}

#[derive(Subcommand, Debug)]
enum StateCommand {
    /// Print the state root.
    Root {
        /// State directory.
        #[arg(long)]
        state: PathBuf,
    },
    /// Print one account (and, with --proof, its Merkle proof).
    Account {
        /// State directory.
        #[arg(long)]
        state: PathBuf,
        /// Account index.
        index: u32,
        /// Include the membership proof against the current root.
        #[arg(long)]
        proof: bool,
    },
}

/// Exit status for input the tool refuses (bad file, rejected batch, bad value).
const EXIT_INVALID_INPUT: u8 = 1;
/// Exit status for a failure of the machine (I/O, storage, corrupt store).
const EXIT_FAILURE: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let message = format!("{err:#}");
            if json {
                println!("{}", json!({ "error": message }));
            } else {
                eprintln!("error: {message}");
            }
            ExitCode::from(exit_status(&err))
        }
    }
}

fn exit_status(err: &anyhow::Error) -> u8 {
    match err.downcast_ref::<StateError>() {
        Some(StateError::Io(_) | StateError::Storage(_) | StateError::Corrupt(_)) => EXIT_FAILURE,
        _ if err.downcast_ref::<std::io::Error>().is_some() => EXIT_FAILURE,
        _ if err
            .downcast_ref::<bulwark_prover::files::FileError>()
            .is_some() =>
        {
            EXIT_FAILURE
        }
        _ => EXIT_INVALID_INPUT,
    }
}

/// Prints `value` as JSON with --json, or `human` otherwise.
fn emit(json: bool, value: serde_json::Value, human: impl FnOnce() -> String) {
    if json {
        println!("{value}");
    } else {
        println!("{}", human());
    }
}

fn run(cli: Cli) -> Result<()> {
    let json = cli.json;
    match cli.command {
        Command::Keygen { out } => {
            let key = SecretKey::random(&mut rand::rngs::OsRng);
            let file = KeyFile::new(&key);
            let public = hex::encode(file.public_key);
            match out {
                Some(path) => {
                    if path.exists() {
                        bail!(
                            "refusing to overwrite the existing key file {}",
                            path.display()
                        );
                    }
                    write_atomic(&path, serde_json::to_string_pretty(&file)?.as_bytes())?;
                    emit(
                        json,
                        json!({ "public_key": public, "key_file": path }),
                        || {
                            format!(
                                "public key {public}\nsecret key written to {}",
                                path.display()
                            )
                        },
                    );
                }
                None => emit(json, serde_json::to_value(&file)?, || {
                    serde_json::to_string_pretty(&file).unwrap()
                }),
            }
        }
        Command::Genesis {
            state,
            chain_id,
            tree_depth,
            max_balance,
        } => {
            let config = ChainConfig {
                chain_id,
                tree_depth,
                max_balance,
            };
            let store = StateStore::genesis(&state, config)?;
            let root = hash_to_hex(&store.root()?);
            emit(
                json,
                json!({ "chain_id": chain_id, "tree_depth": tree_depth, "max_balance": max_balance, "root": root }),
                || {
                    format!(
                        "genesis of chain {chain_id} in {}\nroot {root}",
                        state.display()
                    )
                },
            );
        }
        Command::Op(op) => append_op(json, op)?,
        Command::Apply { state, batch } => {
            let batch = read_batch(&batch)?;
            let mut store = StateStore::open(&state)?;
            let bar = bar("applying", batch.ops.len() as u64, json);
            let outcome = store.apply_batch_with_progress(&batch, &mut |_| bar.inc(1))?;
            bar.finish_and_clear();
            let root = hash_to_hex(&outcome.new_root);
            emit(
                json,
                json!({
                    "batch_index": outcome.batch_index,
                    "old_root": hash_to_hex(&outcome.old_root),
                    "new_root": root,
                    "ops": batch.ops.len(),
                    "deposits": [outcome.deposits.0, outcome.deposits.1],
                    "withdrawals": outcome.withdrawals,
                    "pubdata_bytes": outcome.pubdata.len(),
                }),
                || root.clone(),
            );
        }
        Command::State(StateCommand::Root { state }) => {
            let root = hash_to_hex(&StateStore::open(&state)?.root()?);
            emit(json, json!({ "root": root }), || root.clone());
        }
        Command::State(StateCommand::Account {
            state,
            index,
            proof,
        }) => {
            let store = StateStore::open(&state)?;
            let (account, merkle, root) = store.account_with_proof(index)?;
            let mut value = json!({
                "index": index,
                "exists": !account.is_empty(),
                "public_key": hex::encode(account.public_key),
                "balance": account.balance,
                "nonce": account.nonce,
                "root": hash_to_hex(&root),
            });
            if proof {
                value["proof"] = serde_json::to_value(&merkle)?;
            }
            emit(json, value.clone(), || {
                if account.is_empty() {
                    format!("account {index}: empty")
                } else {
                    let mut s = format!(
                        "account {index}\n  public key {}\n  balance    {}\n  nonce      {}",
                        hex::encode(account.public_key),
                        account.balance,
                        account.nonce
                    );
                    if proof {
                        s.push_str(&format!(
                            "\n  proof      {}",
                            serde_json::to_string_pretty(&merkle).unwrap()
                        ));
                    }
                    s
                }
            });
        }
        Command::Demo {
            ops,
            l1_rpc,
            l1_key,
            keys,
            cache,
            backend,
        } => {
            let l1 = match (l1_rpc, l1_key) {
                (Some(url), Some(private_key)) => demo::L1Choice::Rpc { url, private_key },
                _ => demo::L1Choice::InProcess,
            };
            let opts = DemoOptions {
                ops,
                l1,
                keys,
                cache: cache.unwrap_or_else(CircuitCache::default_dir),
                backend,
                quiet: json,
                ..DemoOptions::default()
            };
            let report = demo::run(&opts)?;
            emit(json, serde_json::to_value(&report)?, || report.to_string());
        }
        Command::Prove {
            state,
            batch,
            out,
            circuits,
            l1,
        } => {
            let batch = read_batch(&batch)?;
            let store = StateStore::open(&state)?;
            // Execute first: a batch that cannot apply is refused before any circuit work.
            let started = std::time::Instant::now();
            let layout = bulwark_state::WitnessLayout::leaves_of(circuits.ops_per_leaf);
            let outcome = store.dry_run_batch(&batch, layout)?;
            let execute_ms = started.elapsed().as_secs_f64() * 1e3;
            let params = CircuitParams {
                ops_per_leaf: circuits.ops_per_leaf,
                tree_depth: store.config().tree_depth as usize,
                max_balance: store.config().max_balance,
            };
            let cache = cache_at(circuits.cache);
            let loaded = load_circuits(&cache, params, json)?;
            let options = ProveOptions {
                checkpoint_dir: Some(out.join("checkpoints")),
                keep_checkpoints: false,
                progress: Some(bar("proving", 0, json)),
            };
            if let Some(hub) = &l1.hub {
                let slot = L1Slot {
                    hub: parse_address(hub)?,
                    batch_index: l1.batch_index.context("--hub needs --batch-index")?,
                };
                let settled =
                    prove_for_hub(&cache, loaded, &l1, &batch, outcome, slot, &options, &out)?;
                emit(json, serde_json::to_value(&settled)?, || {
                    format!(
                        "proved batch {} for hub {}: public input {}\n  tree {:.1} s, root {:.1} s, wrap {:.1} s, Groth16 {:.1} s\nwrote {}",
                        slot.batch_index, hub, settled.public_input, settled.times.tree_s,
                        settled.times.root_s, settled.times.wrap_s, settled.times.groth16_s,
                        out.display()
                    )
                });
                return Ok(());
            }
            let mut proved = prove_outcome(&loaded, &batch, outcome, &options)?;
            proved.report.execute_ms = execute_ms;
            let manifest = write_artifact(&out, &loaded, cache.fingerprint(), &proved)?;
            let public = PublicOutputs::from_values(&proved.public);
            emit(
                json,
                json!({ "manifest": manifest, "public": public, "report": proved.report }),
                || format!("{}\nwrote {}", proved.report, manifest.display()),
            );
        }
        Command::Verify {
            proof,
            vk: Some(vk),
            ..
        } => {
            let r = run_verify(&proof, &vk)?;
            emit(json, serde_json::to_value(&r)?, || {
                format!(
                    "{}: public input {} (circuit {})",
                    if r.valid { "valid" } else { "INVALID" },
                    r.public_input,
                    r.circuit_digest
                )
            });
            if !r.valid {
                bail!("the proof does not verify");
            }
        }
        Command::Verify {
            proof,
            cache,
            vk: None,
        } => {
            if is_groth16_proof_file(&proof) {
                bail!("{} is a Groth16 proof: pass --vk FILE", proof.display());
            }
            let (manifest, _) = verify_artifact(&proof, &cache_at(cache))?;
            emit(
                json,
                json!({ "valid": true, "public": manifest.public, "batch": manifest.batch }),
                || {
                    format!(
                        "valid: chain {} batch {}, root {} -> {}, deposits [{}, {}), commitment {}",
                        manifest.public.chain_id,
                        manifest.batch.index,
                        manifest.public.old_root,
                        manifest.public.new_root,
                        manifest.public.deposit_first,
                        manifest.public.deposit_last,
                        manifest.public.commitment
                    )
                },
            );
        }
        Command::Bench(BenchCommand::Prove {
            ops,
            runs,
            tree_depth,
            circuits,
        }) => {
            let params = CircuitParams {
                ops_per_leaf: circuits.ops_per_leaf,
                tree_depth: tree_depth as usize,
                max_balance: MAX_MAX_BALANCE,
            };
            let loaded = load_circuits(&cache_at(circuits.cache), params, json)?;
            let report = bench_prove(&loaded, &ops, runs, |b| {
                if !json {
                    eprintln!(
                        "{:>4} transfers: {:.1} s end to end, {:.2} transfers/s, leaf {:.0} ms, pair {:.0} ms, node {:.0} ms, peak {:.0} MiB",
                        b.ops, b.end_to_end_s, b.transfers_per_s, b.leaf_mean_ms, b.pair_mean_ms, b.node_mean_ms, b.peak_rss_mib
                    );
                }
            })?;
            emit(json, serde_json::to_value(&report)?, || {
                let mut s = format!(
                    "K = {}: leaf 2^{} rows ({:.0} rows/op), aggregation {} rows, {} threads",
                    report.params.ops_per_leaf,
                    report.leaf_rows.trailing_zeros(),
                    report.rows_per_op,
                    report.aggregation_rows,
                    report.threads
                );
                if let Some(c) = &report.node_vs_plain {
                    s.push_str(&format!(
                        "\nnode step {:.0} ms vs plain two-proof recursion {:.0} ms ({} vs {} rows): {:.2}x",
                        c.node_ms, c.plain_ms, c.node_rows, c.plain_rows, c.ratio
                    ));
                }
                s
            });
        }
        Command::Bench(BenchCommand::Leaf {
            k,
            runs,
            tree_depth,
        }) => {
            let figures = bench_leaf_sizes(&k, tree_depth as usize, runs)?;
            emit(json, serde_json::to_value(&figures)?, || {
                figures
                    .iter()
                    .map(|f| {
                        format!(
                            "K = {:>2}: 2^{} rows, {:.0} rows/op, build {:.1} s, prove {:.1} s, {:.0} ms/op",
                            f.k,
                            f.rows.trailing_zeros(),
                            f.rows_per_op,
                            f.build_ms / 1e3,
                            f.prove_ms / 1e3,
                            f.prove_ms_per_op
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        Command::ExportVerifier { vk, out, contract } => {
            let r = bulwark_prover::export_verifier::export(&vk, &out, &contract)?;
            emit(json, serde_json::to_value(&r)?, || {
                format!(
                    "wrote {} (contract {}, circuit {})",
                    r.out, r.contract, r.circuit_digest
                )
            });
        }
        Command::Setup {
            dev,
            out,
            circuit,
            cache,
        } => {
            if dev {
                eprintln!("{DEV_WARNING}");
            }
            let mode = if dev {
                SetupMode::Dev
            } else {
                SetupMode::Secure
            };
            let r = run_setup(circuit, mode, &out, &cache_at(cache))?;
            emit(json, serde_json::to_value(&r)?, || {
                format!(
                    "wrote {}/pk.bin and vk.json for {} (digest {}, {} constraints){}",
                    r.out,
                    r.circuit,
                    r.circuit_digest,
                    r.constraints,
                    if r.dev { " with INSECURE dev keys" } else { "" }
                )
            });
        }
        Command::Wrap {
            proof,
            out,
            keys,
            circuit,
            backend,
            cache,
        } => {
            let r = run_wrap(circuit, &keys, &proof, &out, backend, &cache_at(cache))?;
            if r.dev_keys {
                eprintln!("{DEV_WARNING}");
            }
            emit(json, serde_json::to_value(&r)?, || {
                format!(
                    "wrote {}/proof.json and proof-compressed.json (public input {})",
                    r.out, r.public_input
                )
            });
        }
        Command::Bench(BenchCommand::Wrap {
            backend,
            circuit: WrapTarget::Root { ops: k },
            keys,
            ops,
            cache,
        }) => {
            let cache = cache_at(cache);
            let circuits = load_circuits(&cache, root_params(k), json)?;
            if keys.is_none() {
                eprintln!("{DEV_WARNING}");
            }
            let backend = backend.open()?;
            let r = bench_settlement(
                circuits,
                ops.unwrap_or(k),
                keys.as_deref(),
                cache.dir(),
                backend.as_ref(),
            )?;
            emit(json, serde_json::to_value(&r)?, || {
                let setup = r
                    .setup_s
                    .map_or("skipped (keys loaded)".to_string(), |s| format!("{s:.1} s"));
                format!(
                    "{}, {} transfers: {} constraints ({} matrix terms), setup {setup}, keys {:.1} s, \
                     tree {:.1} s, root {:.1} s, plonky2 wrap {:.1} s, Groth16 prove {:.1} s, \
                     peak RSS {:.2} GiB, proof {} bytes compressed ({} as calldata)",
                    r.circuit,
                    r.ops,
                    r.constraints,
                    r.matrix_terms,
                    r.keys_s,
                    r.tree_s,
                    r.root_s,
                    r.wrap_plonky2_s,
                    r.prove_s,
                    r.peak_rss_bytes as f64 / (1u64 << 30) as f64,
                    r.sizes.groth16_compressed,
                    r.sizes.groth16_calldata
                )
            });
        }
        Command::Bench(BenchCommand::Wrap {
            backend,
            circuit: WrapTarget::WordsTest,
            keys,
            ops,
            ..
        }) => {
            if keys.is_some() || ops.is_some() {
                bail!("--keys and --ops apply to `--circuit root-K` only");
            }
            let r = run_bench_wrap(backend)?;
            emit(json, serde_json::to_value(&r)?, || {
                format!(
                    "{}: {} constraints, setup {:.1} s, plonky2 wrap {:.1} s, Groth16 prove {:.1} s, \
                     peak RSS {:.2} GiB, proof {} bytes compressed ({} as calldata)",
                    r.circuit,
                    r.constraints,
                    r.setup_s,
                    r.wrap_plonky2_s,
                    r.prove_s,
                    r.peak_rss_bytes as f64 / (1u64 << 30) as f64,
                    r.proof_bytes_compressed,
                    r.proof_bytes_calldata
                )
            });
        }
    }
    Ok(())
}

/// A 20-byte address from `0x`-hex.
fn parse_address(s: &str) -> Result<[u8; 20]> {
    let mut out = [0u8; 20];
    hex::decode_to_slice(s.strip_prefix("0x").unwrap_or(s), &mut out)
        .with_context(|| format!("--hub `{s}` is not a 20-byte 0x-hex address"))?;
    Ok(out)
}

/// `bulwark prove --hub`: the proof tree, ROOT, wrap and Groth16; writes the batch
/// artifact, the Groth16 proof files and `l1-batch.json` into `out`.
#[allow(clippy::too_many_arguments)]
fn prove_for_hub(
    cache: &CircuitCache,
    circuits: Circuits,
    l1: &L1ProveArgs,
    batch: &Batch,
    outcome: bulwark_state::BatchOutcome,
    slot: L1Slot,
    options: &ProveOptions,
    out: &std::path::Path,
) -> Result<L1BatchFile> {
    let backend = l1.backend.open()?;
    let settlement = SettlementCircuits::build(circuits)?;
    let keys = match (&l1.keys, l1.dev_keys) {
        (Some(dir), _) => SettlementKeys::load(dir, &settlement)?,
        (None, true) => {
            eprintln!("{DEV_WARNING}");
            SettlementKeys::load_or_setup_dev(cache.dir(), &settlement)?
        }
        (None, false) => {
            bail!("--hub needs Groth16 keys: --keys DIR (from `bulwark setup`) or --dev-keys")
        }
    };
    let proof = prove_settlement(
        &settlement,
        &keys,
        backend.as_ref(),
        batch,
        outcome,
        slot,
        options,
    )?;
    write_artifact(out, &settlement.circuits, cache.fingerprint(), &proof.batch)?;
    let file = L1BatchFile::new(&proof, &settlement, &keys.keys);
    file.write(out, &proof, &settlement)?;
    Ok(file)
}

/// Loads the batch file (or starts one), returning it with the chain id to sign for.
fn open_batch(target: &BatchTarget) -> Result<(Batch, Option<StateStore>)> {
    let store = target.state.as_deref().map(StateStore::open).transpose()?;
    let state_chain = store.as_ref().map(|s| s.config().chain_id);
    if let (Some(s), Some(c)) = (state_chain, target.chain_id) {
        if s != c {
            bail!("field `chain_id`: --chain-id {c} differs from the state's chain {s}");
        }
    }
    let batch = if target.batch.exists() {
        let batch = read_batch(&target.batch)?;
        if let Some(c) = state_chain.or(target.chain_id) {
            if c != batch.chain_id {
                bail!(
                    "field `chain_id`: batch file {} is for chain {}, not {c}",
                    target.batch.display(),
                    batch.chain_id
                );
            }
        }
        batch
    } else {
        let chain_id = state_chain
            .or(target.chain_id)
            .context("a new batch file needs the chain id: pass --state DIR or --chain-id N")?;
        Batch::new(chain_id, target.fee_recipient)
    };
    Ok((batch, store))
}

/// The nonce for `signer`: explicit, or the state's plus the account's ops already queued.
fn next_nonce(signer: &Signer, batch: &Batch, store: Option<&StateStore>) -> Result<u32> {
    if let Some(n) = signer.nonce {
        return Ok(n);
    }
    let store =
        store.context("field `nonce`: pass --nonce, or --state DIR to read it from the state")?;
    let account = store.account(signer.from)?;
    if account.is_empty() {
        bail!("field `from`: unknown account {}", signer.from);
    }
    let queued = batch
        .ops
        .iter()
        .filter(|op| matches!(op, Op::Transfer { from, .. } | Op::Withdraw { from, .. } if *from == signer.from))
        .count() as u32;
    Ok(account.nonce + queued)
}

fn parse_hex<const N: usize>(field: &str, s: &str) -> Result<[u8; N]> {
    let bytes = hex::decode(s.strip_prefix("0x").unwrap_or(s))
        .with_context(|| format!("field `{field}`: not hex"))?;
    let len = bytes.len();
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("field `{field}`: expected {N} bytes, got {len}"))
}

fn append_op(json: bool, command: OpCommand) -> Result<()> {
    let (OpCommand::Deposit { target, .. }
    | OpCommand::Transfer { target, .. }
    | OpCommand::Withdraw { target, .. }) = &command;
    let (mut batch, store) = open_batch(target)?;
    let op = match &command {
        OpCommand::Deposit {
            queue_index,
            account,
            public_key,
            key_file,
            existing,
            amount,
            ..
        } => {
            let public_key = match (public_key, key_file, existing) {
                (_, _, true) => EXISTING_ACCOUNT,
                (Some(hex), _, _) => parse_hex::<40>("public_key", hex)?,
                (None, Some(path), _) => read_key(path)?.public_key().to_bytes(),
                (None, None, false) => {
                    bail!("field `public_key`: pass --public-key, --key-file or --existing")
                }
            };
            if public_key != EXISTING_ACCOUNT {
                // L1 and the executor accept any canonical key; refusing keys that encode
                // no point here keeps a typo from creating an account nobody can spend.
                PublicKey::from_bytes(&public_key).context("field `public_key`")?;
            }
            Op::Deposit {
                queue_index: *queue_index,
                account: *account,
                public_key,
                amount: *amount,
            }
        }
        OpCommand::Transfer {
            signer, to, amount, ..
        } => {
            let nonce = next_nonce(signer, &batch, store.as_ref())?;
            let key = read_key(&signer.key)?;
            Op::signed_transfer(
                &key,
                batch.chain_id,
                signer.from,
                *to,
                *amount,
                signer.fee,
                nonce,
            )
        }
        OpCommand::Withdraw {
            signer,
            to_l1,
            amount,
            ..
        } => {
            let to_l1 = parse_hex::<20>("to_l1", to_l1)?;
            let nonce = next_nonce(signer, &batch, store.as_ref())?;
            let key = read_key(&signer.key)?;
            Op::signed_withdraw(
                &key,
                batch.chain_id,
                signer.from,
                to_l1,
                *amount,
                signer.fee,
                nonce,
            )
        }
    };
    // Refuse what can never apply (unpackable amounts) now, naming the field.
    op.public()
        .encode()
        .context("op cannot be encoded as pubdata")?;
    let kind = op.kind();
    batch.ops.push(op);
    write_atomic(&target.batch, batch.to_json().as_bytes())?;
    let count = batch.ops.len();
    emit(
        json,
        json!({ "batch": target.batch, "op_index": count - 1, "type": kind, "ops": count }),
        || {
            format!(
                "appended {kind} as op {} to {} ({count} ops)",
                count - 1,
                target.batch.display()
            )
        },
    );
    Ok(())
}

/// Whether `path` is a file whose JSON `format` names a Groth16 proof (as `wrap` writes).
fn is_groth16_proof_file(path: &std::path::Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["format"].as_str().map(|f| f.contains("groth16")))
        .unwrap_or(false)
}
