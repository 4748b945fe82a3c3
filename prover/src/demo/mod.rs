//! `bulwark demo`: the whole pipeline on embedded defaults. A fresh state store in a
//! temporary folder; an L1 (the in-process EVM running the checked-in contracts, or a node
//! over JSON-RPC); the keyed verifier (with this build's Groth16 verifying key) and the hub
//! deployed; a consumer chain registered through the timelock; the operator bonded; the
//! users' deposits queued on L1; one batch of those deposits plus signed transfers and
//! withdrawals built and executed; the batch proved, aggregated, wrapped into Groth16,
//! committed, proved and executed on L1; a withdrawal claimed; and the boundary refusals
//! (this proof for another root, batch or chain, a replayed batch, a second claim) shown in
//! words.
//! Deterministic: keys and ops come from a fixed seed.

pub mod batch;
pub mod report;

use std::path::PathBuf;
use std::time::Instant;

use alloy::primitives::{Address, U256};
use anyhow::{ensure, Context, Result};
use bulwark_contracts::hub_client::{ChainConfig as HubChain, HubClient};
use bulwark_contracts::{InProcessL1, L1Backend, RpcL1};
use bulwark_state::tree::hash_to_bytes;
use bulwark_state::{ChainConfig, StateStore, WitnessLayout};
use rand::{Rng, SeedableRng};

use crate::backend::BackendKind;
use crate::cache::CircuitCache;
use crate::groth16::keys::DEV_WARNING;
use crate::groth16::target::root_params;
use crate::pipeline::{leaf_count, ProveOptions};
use crate::progress::{bar, spinner};
use crate::settlement::{prove_settlement, L1Slot, SettlementCircuits, SettlementKeys};
use report::{DemoReport, GasRow, Refusal, StageTime};

/// Ops per leaf of the demo's circuits (the default K).
pub const DEMO_OPS_PER_LEAF: usize = crate::cache::DEFAULT_OPS_PER_LEAF;

/// 1 unit on L2 is 1 gwei on L1.
const UNIT_WEI: u64 = 1_000_000_000;

/// Which L1 the demo runs on.
#[derive(Clone, Debug)]
pub enum L1Choice {
    /// The in-process EVM (revm) with funded dev accounts.
    InProcess,
    /// A node over JSON-RPC, sending from `private_key`'s account.
    Rpc {
        /// The node's URL.
        url: String,
        /// The 0x-hex private key that deploys, operates and deposits.
        private_key: String,
    },
}

/// Demo parameters.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Ops in the batch (deposits first, then signed transfers and withdrawals).
    pub ops: usize,
    /// Users funded by deposits (the operator's account comes first).
    pub users: u32,
    /// The consumer chain's id.
    pub chain_id: u64,
    /// The L1.
    pub l1: L1Choice,
    /// Groth16 keys (`pk.bin`) from `bulwark setup`; `None`: cached development keys.
    pub keys: Option<PathBuf>,
    /// The circuit cache.
    pub cache: PathBuf,
    /// Where the Groth16 kernels run.
    pub backend: BackendKind,
    /// Hide progress bars (for `--json`).
    pub quiet: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            ops: 64,
            users: 8,
            chain_id: 1,
            l1: L1Choice::InProcess,
            keys: None,
            cache: CircuitCache::default_dir(),
            backend: BackendKind::Cpu,
            quiet: false,
        }
    }
}

/// Stage timing and gas bookkeeping.
#[derive(Default)]
struct Ledger {
    stages: Vec<StageTime>,
    gas: Vec<GasRow>,
}

impl Ledger {
    fn stage(&mut self, stage: &str, started: Instant, note: String) {
        self.stages.push(StageTime {
            stage: stage.into(),
            seconds: started.elapsed().as_secs_f64(),
            note,
        });
    }

    fn gas(&mut self, step: &str, transactions: u32, gas: u64) {
        if let Some(row) = self.gas.iter_mut().find(|r| r.step == step) {
            row.transactions += transactions as usize;
            row.gas += gas;
        } else {
            self.gas.push(GasRow {
                step: step.into(),
                transactions: transactions as usize,
                gas,
            });
        }
    }

    fn gas_of(&self, step: &str) -> u64 {
        self.gas
            .iter()
            .find(|r| r.step == step)
            .map_or(0, |r| r.gas)
    }
}

/// Runs the demo on the chosen L1.
pub fn run(opts: &DemoOptions) -> Result<DemoReport> {
    match &opts.l1 {
        L1Choice::InProcess => run_on(InProcessL1::new(), "the in-process EVM (revm)", opts),
        L1Choice::Rpc { url, private_key } => {
            let signer = private_key
                .parse()
                .context("--l1-key is not a 0x-hex secp256k1 private key")?;
            let l1 = RpcL1::connect(url, vec![signer])
                .with_context(|| format!("connecting to {url}"))?;
            run_on(l1, url, opts)
        }
    }
}

/// A fresh L1 address from the demo's seed: a withdrawal recipient with no balance yet.
fn recipient(i: usize) -> [u8; 20] {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0x00B0_1A2D ^ i as u64);
    let mut a = [0u8; 20];
    rng.fill(&mut a);
    a
}

/// The demo on `l1`.
pub fn run_on<B: L1Backend>(l1: B, l1_label: &str, opts: &DemoOptions) -> Result<DemoReport> {
    ensure!(opts.users >= 2, "the demo needs at least two users");
    let deposits = opts.users as usize + 1;
    ensure!(
        opts.ops > deposits,
        "--ops must exceed the {deposits} deposits that fund the demo's accounts"
    );
    let k = DEMO_OPS_PER_LEAF;
    let mut ledger = Ledger::default();
    let quiet = opts.quiet;

    // Circuits and keys: cached after the first run.
    let started = Instant::now();
    let s = spinner("circuits: loading (or building, first run only)", quiet);
    let cache = CircuitCache::new(&opts.cache);
    let (circuits, outcome) = cache.load_or_build(root_params(k))?;
    let circuits = SettlementCircuits::build(circuits)?;
    s.finish_and_clear();
    ledger.stage(
        "circuits",
        started,
        format!(
            "leaf, node, root and wrap circuits ({:?} from {})",
            outcome,
            cache.dir().display()
        ),
    );
    let started = Instant::now();
    let s = spinner(
        "Groth16 keys: loading (or making dev keys, first run only: minutes, ~7 GiB)",
        quiet,
    );
    let keys = match &opts.keys {
        Some(dir) => SettlementKeys::load(dir, &circuits)?,
        None => {
            if !quiet {
                eprintln!("{DEV_WARNING}");
            }
            SettlementKeys::load_or_setup_dev(&opts.cache, &circuits)?
        }
    };
    s.finish_and_clear();
    ledger.stage(
        "Groth16 keys",
        started,
        format!("{:?} ({})", keys.source, keys.dir.display()),
    );

    // L1: deploy, govern, bond.
    let started = Instant::now();
    let owner = *l1
        .accounts()
        .first()
        .context("the L1 has no account to send from")?;
    let operator = owner;
    let (mut hub, deployed) = HubClient::deploy(l1, &keys.vk_file()?, owner, owner)?;
    ledger.gas(
        "deploy verifier + hub",
        deployed.transactions,
        deployed.gas_used,
    );
    let dir = tempfile::tempdir().context("creating the demo's temporary folder")?;
    let config = ChainConfig::new(opts.chain_id);
    let mut store = StateStore::genesis(dir.path(), config)?;
    let genesis_root = hash_to_bytes(&store.root()?);
    let hub_chain = |chain_id| HubChain {
        chain_id,
        genesis_root,
        operator,
        max_balance: config.max_balance,
        tree_depth: config.tree_depth,
        ops_per_leaf: k as u32,
        max_leaves: 1 << 10,
    };
    let registered = hub.register_chain(owner, &hub_chain(opts.chain_id))?;
    ledger.gas(
        "governance: route + chain",
        registered.transactions,
        registered.gas_used,
    );
    let bonded = hub.bond(operator, U256::from(10u64).pow(U256::from(18u64)))?;
    ledger.gas("bond", bonded.transactions, bonded.gas_used);
    ledger.stage(
        "L1 setup",
        started,
        "deploy verifier and hub, register the chain (timelock), bond".into(),
    );

    // Deposits on L1, in queue order: the operator's account first.
    let started = Instant::now();
    let users = batch::users(opts.users);
    let mut queued = Vec::with_capacity(users.len());
    for user in &users {
        let sent = hub.deposit_new(
            owner,
            opts.chain_id,
            &user.key.public_key().to_bytes(),
            U256::from(user.deposit) * U256::from(UNIT_WEI),
        )?;
        ledger.gas("depositNew", sent.transactions, sent.gas_used);
        queued.push(batch::QueuedDeposit {
            queue_index: sent.value.queue_index,
            account: sent.value.account,
        });
    }
    ledger.stage(
        "deposits on L1",
        started,
        format!("{} depositNew", users.len()),
    );

    // The batch: built, signed, executed (dry run).
    let started = Instant::now();
    let the_batch = batch::build(opts.chain_id, &users, &queued, opts.ops, recipient);
    let outcome = store.dry_run_batch(&the_batch, WitnessLayout::leaves_of(k))?;
    ledger.stage(
        "build, sign, execute",
        started,
        format!("{} ops on the state store", the_batch.ops.len()),
    );

    // Prove for the hub's next batch slot.
    let started = Instant::now();
    let counters = hub.chain_counters(opts.chain_id)?;
    let slot = L1Slot {
        hub: hub.hub().into(),
        batch_index: counters.committed,
    };
    let leaves = leaf_count(the_batch.ops.len(), k);
    let progress = bar("proving", 0, quiet);
    let options = ProveOptions {
        progress: Some(progress.clone()),
        ..ProveOptions::default()
    };
    let backend = opts.backend.open()?;
    let proof = prove_settlement(
        &circuits,
        &keys,
        backend.as_ref(),
        &the_batch,
        outcome,
        slot,
        &options,
    )?;
    progress.finish_and_clear();
    let t = &proof.times;
    let proving_s = started.elapsed().as_secs_f64();
    for (stage, seconds, note) in [
        (
            "prove: leaves + aggregation",
            t.tree_s,
            format!("{leaves} leaves, {} aggregation proofs", leaves - 1),
        ),
        ("prove: root", t.root_s, "header digest".to_string()),
        (
            "prove: plonky2 wrap",
            t.wrap_s,
            "Poseidon-BN254 layer".to_string(),
        ),
        (
            "prove: Groth16",
            t.groth16_s,
            "R1CS verifier of the wrap".to_string(),
        ),
    ] {
        ledger.stages.push(StageTime {
            stage: stage.into(),
            seconds,
            note,
        });
    }
    tracing::info!(seconds = proving_s, "proved");

    // Settle on L1. First the boundary: the batch committed with another new root is
    // refused this proof, and the operator reverts that commitment.
    let outcome = &proof.batch.outcome;
    let new_root = hash_to_bytes(&outcome.new_root);
    let words = bulwark_contracts::proof_words(&proof.groth16.proof);
    let mut refusals = Vec::new();
    let wrong_root = hub.commit_batch(
        operator,
        opts.chain_id,
        genesis_root,
        the_batch.fee_recipient,
        &proof.pubdata,
    )?;
    refused(
        &mut refusals,
        "proving batch 0 committed with another new root",
        hub.prove_batch(operator, opts.chain_id, &wrong_root.value, &words),
    )?;
    hub.revert_batches(operator, opts.chain_id, &wrong_root.value)?;

    let started = Instant::now();
    let committed = hub.commit_batch(
        operator,
        opts.chain_id,
        new_root,
        the_batch.fee_recipient,
        &proof.pubdata,
    )?;
    ledger.gas("commitBatch", committed.transactions, committed.gas_used);
    let info = committed.value;
    ensure!(
        info.publicInput.0 == proof.public_input,
        "the hub computed public input 0x{} for the batch, the prover 0x{}",
        hex::encode(info.publicInput.0),
        hex::encode(proof.public_input)
    );
    let proved = hub.prove_batch(operator, opts.chain_id, &info, &words)?;
    ledger.gas("proveBatch", proved.transactions, proved.gas_used);
    let withdrawals = bulwark_contracts::withdrawals_from_pubdata(&proof.pubdata)?;
    let executed = hub.execute_batch(operator, opts.chain_id, &info, &withdrawals)?;
    ledger.gas("executeBatch", executed.transactions, executed.gas_used);

    // The operator's state follows L1: apply the proved batch.
    store.apply_batch(&the_batch)?;
    let store_root = store.check_integrity()?;
    let l1_root = hub.finalized_root(opts.chain_id)?;

    // Claim the first withdrawal's credit for its recipient.
    let first = outcome
        .withdrawals
        .first()
        .context("the batch has no withdrawal (use more --ops)")?;
    let to = Address::from(first.to_l1);
    let before = hub.l1().balance(to)?;
    let claimed = hub.claim(operator, to)?;
    ledger.gas("claim", claimed.transactions, claimed.gas_used);
    let after = hub.l1().balance(to)?;
    let expected: U256 = outcome
        .withdrawals
        .iter()
        .filter(|w| w.to_l1 == first.to_l1)
        .map(|w| U256::from(w.amount) * U256::from(UNIT_WEI))
        .sum();
    ensure!(
        after - before == expected && claimed.value == expected,
        "the claim paid {} wei, the recipient's balance rose by {}, the batch withdrew {expected}",
        claimed.value,
        after - before
    );
    ledger.stage(
        "L1: commit, prove, execute, claim",
        started,
        "hub recomputes the header; verifier checks Groth16".into(),
    );

    // The rest of the boundary: each refused by L1, in words, changing nothing.
    refused(
        &mut refusals,
        "replaying the executed batch",
        hub.execute_batch(operator, opts.chain_id, &info, &withdrawals),
    )?;
    refused(
        &mut refusals,
        "claiming the withdrawal twice",
        hub.claim(operator, to),
    )?;
    // A proof for another batch: commit batch 1, then offer batch 0's proof.
    let again = hub.commit_batch(
        operator,
        opts.chain_id,
        genesis_root,
        the_batch.fee_recipient,
        &noop_pubdata(k),
    )?;
    refused(
        &mut refusals,
        "proving batch 1 with batch 0's proof",
        hub.prove_batch(operator, opts.chain_id, &again.value, &words),
    )?;
    // A proof for another chain: a second chain with the same genesis, the same deposits
    // and the same batch (everything in the header equal but the chain id).
    let other_chain = opts.chain_id + 1;
    hub.register_chain(owner, &hub_chain(other_chain))?;
    for user in &users {
        hub.deposit_new(
            owner,
            other_chain,
            &user.key.public_key().to_bytes(),
            U256::from(user.deposit) * U256::from(UNIT_WEI),
        )?;
    }
    let elsewhere = hub.commit_batch(
        operator,
        other_chain,
        new_root,
        the_batch.fee_recipient,
        &proof.pubdata,
    )?;
    refused(
        &mut refusals,
        &format!(
            "proving chain {other_chain}'s identical batch with chain {}'s proof",
            opts.chain_id
        ),
        hub.prove_batch(operator, other_chain, &elsewhere.value, &words),
    )?;
    ensure!(
        hub.finalized_root(opts.chain_id)? == l1_root,
        "a refused call changed the finalized root"
    );

    let count = |kind: &str| the_batch.ops.iter().filter(|op| op.kind() == kind).count();
    let deposited: u64 = users.iter().map(|u| u.deposit).sum();
    let withdrawn: u64 = outcome.withdrawals.iter().map(|w| w.amount).sum();
    let l2_balances: u64 = store.accounts()?.iter().map(|(_, a)| a.balance).sum();
    ensure!(
        deposited == withdrawn + l2_balances,
        "value is not conserved: {deposited} != {withdrawn} + {l2_balances}"
    );
    let escrow = hub.escrow(opts.chain_id)?;
    let l1_escrow = u64::try_from(escrow / U256::from(UNIT_WEI)).unwrap_or(u64::MAX);
    ensure!(
        l1_escrow == l2_balances,
        "the hub holds {l1_escrow} units for the chain, L2 balances sum to {l2_balances}"
    );
    let batch_gas =
        ledger.gas_of("commitBatch") + ledger.gas_of("proveBatch") + ledger.gas_of("executeBatch");
    Ok(DemoReport {
        l1: l1_label.to_string(),
        chain_id: opts.chain_id,
        hub: hub.hub().to_string(),
        ops: the_batch.ops.len(),
        deposits: count("deposit"),
        transfers: count("transfer"),
        withdrawals: count("withdraw"),
        padded_ops: leaves * k,
        leaves,
        dev_keys: keys.keys.dev,
        stages: ledger.stages,
        proof_sizes: proof.sizes.clone(),
        batch_gas_per_op: batch_gas as f64 / the_batch.ops.len() as f64,
        batch_gas,
        gas: ledger.gas,
        pubdata_bytes: proof.pubdata.len(),
        store_root: format!("0x{}", hex::encode(hash_to_bytes(&store_root))),
        l1_root: format!("0x{}", hex::encode(l1_root)),
        deposited,
        withdrawn,
        l2_balances,
        l1_escrow,
        claim_recipient: to.to_string(),
        claimed_wei: expected.to_string(),
        refusals,
    })
}

/// Records a call L1 must refuse: its revert reason in words, or an error if L1 accepted it.
fn refused<T>(
    refusals: &mut Vec<Refusal>,
    attempt: &str,
    result: Result<T, bulwark_contracts::ContractsError>,
) -> Result<()> {
    match result {
        Err(e @ bulwark_contracts::ContractsError::Reverted { .. }) => {
            refusals.push(Refusal {
                attempt: attempt.into(),
                reason: e.to_string(),
            });
            Ok(())
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("L1 failed at: {attempt}"))),
        Ok(_) => Err(anyhow::anyhow!("L1 accepted: {attempt}")),
    }
}

/// The pubdata of a batch of nothing: `4 · k` Noops (the smallest batch shape).
fn noop_pubdata(k: usize) -> Vec<u8> {
    vec![0u8; crate::pipeline::MIN_LEAVES * k]
}
