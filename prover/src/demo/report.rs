//! What the demo did, for people (the summary table, [`std::fmt::Display`]) and for
//! scripts (JSON).

use serde::Serialize;

use crate::settlement::ProofSizes;

/// One stage's wall-clock time.
#[derive(Clone, Debug, Serialize)]
pub struct StageTime {
    /// The stage.
    pub stage: String,
    /// Seconds.
    pub seconds: f64,
    /// What it did, briefly.
    pub note: String,
}

/// The L1 gas of one step.
#[derive(Clone, Debug, Serialize)]
pub struct GasRow {
    /// The step (a contract call or deployment).
    pub step: String,
    /// Transactions of this step.
    pub transactions: usize,
    /// Gas of all of them together, intrinsic calldata gas included.
    pub gas: u64,
}

/// One refusal the demo provoked on L1, and the reason L1 gave.
#[derive(Clone, Debug, Serialize)]
pub struct Refusal {
    /// What was tried.
    pub attempt: String,
    /// The revert reason, in words.
    pub reason: String,
}

/// The demo's report.
#[derive(Clone, Debug, Serialize)]
pub struct DemoReport {
    /// Which L1: the in-process EVM or a node's URL.
    pub l1: String,
    /// The consumer chain's id.
    pub chain_id: u64,
    /// The hub's address.
    pub hub: String,
    /// Ops in the batch.
    pub ops: usize,
    /// Deposits among them.
    pub deposits: usize,
    /// Transfers among them.
    pub transfers: usize,
    /// Withdrawals among them.
    pub withdrawals: usize,
    /// Ops after `Noop` padding (leaves · K).
    pub padded_ops: usize,
    /// Leaf proofs.
    pub leaves: usize,
    /// Whether the Groth16 keys were insecure development keys.
    pub dev_keys: bool,
    /// Each stage's time.
    pub stages: Vec<StageTime>,
    /// Proof sizes.
    pub proof_sizes: ProofSizes,
    /// L1 gas per step.
    pub gas: Vec<GasRow>,
    /// Gas of commit + prove + execute.
    pub batch_gas: u64,
    /// `batch_gas` per op of the batch.
    pub batch_gas_per_op: f64,
    /// Bytes of pubdata committed (padded).
    pub pubdata_bytes: usize,
    /// The state store's root after the batch.
    pub store_root: String,
    /// The root the hub finalized.
    pub l1_root: String,
    /// Units deposited on L1 (1 unit = 1 gwei).
    pub deposited: u64,
    /// Units withdrawn to L1 by the batch.
    pub withdrawn: u64,
    /// Units left in L2 balances.
    pub l2_balances: u64,
    /// The hub's escrow for the chain after execution, in units.
    pub l1_escrow: u64,
    /// The claimed withdrawal's recipient.
    pub claim_recipient: String,
    /// Wei the claim paid (the recipient's balance rose by exactly this).
    pub claimed_wei: String,
    /// Refusals provoked at the boundary.
    pub refusals: Vec<Refusal>,
}

impl std::fmt::Display for DemoReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Bulwark demo — chain {} on {}, hub {}",
            self.chain_id, self.l1, self.hub
        )?;
        writeln!(
            f,
            "batch: {} ops ({} deposits, {} transfers, {} withdrawals), {} leaves of {} op slots{}",
            self.ops,
            self.deposits,
            self.transfers,
            self.withdrawals,
            self.leaves,
            self.padded_ops / self.leaves.max(1),
            if self.dev_keys {
                "; INSECURE development Groth16 keys"
            } else {
                ""
            }
        )?;
        writeln!(f)?;
        writeln!(f, "{:<34} {:>10}", "stage", "time")?;
        for s in &self.stages {
            writeln!(f, "{:<34} {:>8.1} s  {}", s.stage, s.seconds, s.note)?;
        }
        let total: f64 = self.stages.iter().map(|s| s.seconds).sum();
        writeln!(f, "{:<34} {:>8.1} s", "total", total)?;
        writeln!(f)?;
        writeln!(
            f,
            "proofs: top node {} B, root {} B, Groth16 {} B as calldata ({} B compressed)",
            self.proof_sizes.node,
            self.proof_sizes.root,
            self.proof_sizes.groth16_calldata,
            self.proof_sizes.groth16_compressed
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "{:<28} {:>4} {:>12} {:>10}",
            "L1 step", "txs", "gas", "gas/op"
        )?;
        for g in &self.gas {
            let per_op = match g.step.as_str() {
                "commitBatch" | "proveBatch" | "executeBatch" => {
                    format!("{:.0}", g.gas as f64 / self.ops as f64)
                }
                _ => String::new(),
            };
            writeln!(
                f,
                "{:<28} {:>4} {:>12} {:>10}",
                g.step, g.transactions, g.gas, per_op
            )?;
        }
        writeln!(
            f,
            "{:<28} {:>4} {:>12} {:>10.0}",
            "batch (commit+prove+execute)", 3, self.batch_gas, self.batch_gas_per_op
        )?;
        writeln!(f, "pubdata committed: {} B", self.pubdata_bytes)?;
        writeln!(f)?;
        writeln!(f, "state store root: {}", self.store_root)?;
        writeln!(
            f,
            "L1 finalized root: {} ({})",
            self.l1_root,
            if self.l1_root == self.store_root {
                "equal"
            } else {
                "DIFFERENT"
            }
        )?;
        writeln!(
            f,
            "value: deposited {} = withdrawn {} + L2 balances {} (units of 1 gwei); hub escrow {}",
            self.deposited, self.withdrawn, self.l2_balances, self.l1_escrow
        )?;
        writeln!(
            f,
            "claimed: {} wei arrived at {}",
            self.claimed_wei, self.claim_recipient
        )?;
        for r in &self.refusals {
            writeln!(f, "refused as expected: {} -> {}", r.attempt, r.reason)?;
        }
        Ok(())
    }
}
