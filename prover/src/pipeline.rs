//! The proving pipeline: a batch's witnesses in, one aggregated node proof out.
//!
//! 1. The executor runs the batch without committing ([`StateStore::dry_run_batch`]) and
//!    emits one witness per op.
//! 2. The ops are cut into leaves of K, padded with `Noop`s to `K · 2^h` ops where `2^h` is
//!    the smallest power of two ≥ 4 that holds them (docs/l1-interface.md: the hub pads
//!    the same way; the top proof must be a node proof, hence at least four leaves).
//! 3. The tree is proved depth-first with `rayon::join`: both halves of every subtree run
//!    in parallel, and a parent is proved as soon as its two children are done, not after
//!    a whole level. Children are dropped once their parent is proved, so at most a few
//!    proofs per tree level are alive at once, however large the batch.
//! 4. Every finished proof is checkpointed under the checkpoint folder (atomic writes). A
//!    rerun loads a checkpoint instead of proving again — after verifying it and checking
//!    its public values against what this batch expects, so a stale or corrupt one is
//!    simply proved again.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bulwark_circuits::leaf::{leaf_commitment, LeafInputs, PublicValues};
use bulwark_circuits::node::{public_values, Proof};
use bulwark_state::{
    Batch, BatchOutcome, LeafUpdate, Op, OpWitness, StateError, StateStore, WitnessLayout,
};
use indicatif::ProgressBar;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::cache::Circuits;
use crate::files::{write_atomic, FileError};

/// The fewest leaves a batch is proved with (the top proof must be a node proof).
pub const MIN_LEAVES: usize = 4;

/// Errors of the pipeline.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The executor refused the batch (the reason names the op).
    #[error("the batch does not execute: {0}")]
    Execution(#[from] StateError),
    /// The state's parameters are not those the circuits were built for.
    #[error("field `{field}`: the state has {state}, the circuits were built for {circuits}")]
    ParamsMismatch {
        /// The parameter.
        field: &'static str,
        /// The state's value.
        state: u64,
        /// The circuits' value.
        circuits: u64,
    },
    /// Proving a step failed (a witness the circuit refuses).
    #[error("proving {step}: {source:#}")]
    Prove {
        /// Which proof (e.g. "leaf 3", "node 2.1").
        step: String,
        /// Why.
        source: anyhow::Error,
    },
    /// A proof's public values differ from what the executor computed: a bug, never
    /// silently ignored.
    #[error("{step}: public values {got:?} differ from the expected {expected:?}")]
    Disagreement {
        /// Which proof.
        step: String,
        /// What the executor computed.
        expected: Box<PublicValues>,
        /// What the proof carries.
        got: Box<PublicValues>,
    },
    /// The executor's witnesses were laid out for leaves of another size (they write the
    /// pending fees at the end of each leaf): run it with `WitnessLayout::leaves_of(K)`.
    #[error(
        "the batch was executed with witnesses for leaves of {outcome} ops, the circuits take {circuits}"
    )]
    WitnessLayout {
        /// The outcome's ops per leaf.
        outcome: usize,
        /// The circuits' ops per leaf.
        circuits: usize,
    },
    /// A checkpoint could not be written.
    #[error(transparent)]
    File(#[from] FileError),
}

/// Options of one pipeline run.
#[derive(Clone, Debug, Default)]
pub struct ProveOptions {
    /// Where finished proofs are checkpointed (and resumed from); none: no checkpoints.
    pub checkpoint_dir: Option<PathBuf>,
    /// Keep the checkpoints after the top proof is done (they are removed otherwise).
    pub keep_checkpoints: bool,
    /// Progress bar advanced once per finished proof (hidden when `None`).
    pub progress: Option<ProgressBar>,
}

/// Time spent on one kind of proof.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StageTimes {
    /// Proofs made.
    pub proved: usize,
    /// Proofs taken from checkpoints instead.
    pub resumed: usize,
    /// Sum of the proving times, in milliseconds (proofs overlap in time).
    pub total_ms: f64,
    /// Longest single proof, in milliseconds.
    pub max_ms: f64,
}

impl StageTimes {
    fn add(&mut self, took: Duration) {
        let ms = took.as_secs_f64() * 1e3;
        self.proved += 1;
        self.total_ms += ms;
        self.max_ms = self.max_ms.max(ms);
    }

    /// Mean proving time in milliseconds (0 when nothing was proved).
    pub fn mean_ms(&self) -> f64 {
        if self.proved == 0 {
            0.0
        } else {
            self.total_ms / self.proved as f64
        }
    }
}

/// Where the time of a run went.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PipelineReport {
    /// Ops in the batch.
    pub ops: usize,
    /// Ops after padding (`K · leaves`).
    pub padded_ops: usize,
    /// Leaf proofs in the tree.
    pub leaves: usize,
    /// Executing the batch (dry run), milliseconds.
    pub execute_ms: f64,
    /// Leaf proofs.
    pub leaf: StageTimes,
    /// Leaf-pair proofs (first aggregation level).
    pub pair: StageTimes,
    /// Node proofs (every higher level).
    pub node: StageTimes,
    /// Wall-clock time of the tree (all proofs), milliseconds.
    pub tree_ms: f64,
}

impl std::fmt::Display for PipelineReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} ops ({} padded) in {} leaves; execute {:.0} ms; tree {:.1} s wall",
            self.ops,
            self.padded_ops,
            self.leaves,
            self.execute_ms,
            self.tree_ms / 1e3
        )?;
        for (name, s) in [
            ("leaf", &self.leaf),
            ("pair", &self.pair),
            ("node", &self.node),
        ] {
            writeln!(
                f,
                "  {name:>4}: {} proved ({} resumed), mean {:.0} ms, max {:.0} ms, sum {:.1} s",
                s.proved,
                s.resumed,
                s.mean_ms(),
                s.max_ms,
                s.total_ms / 1e3
            )?;
        }
        Ok(())
    }
}

/// A proved batch.
#[derive(Debug)]
pub struct BatchProof {
    /// The top (node) proof.
    pub proof: Proof,
    /// Its public values.
    pub public: PublicValues,
    /// The executor's outcome the proof is for.
    pub outcome: BatchOutcome,
    /// Where the time went.
    pub report: PipelineReport,
}

/// One leaf's share of the batch.
#[derive(Clone, Debug)]
pub struct LeafJob {
    /// The leaf's inputs (root and deposit counter before its first op).
    pub inputs: LeafInputs,
    /// Its K op witnesses, `Noop`-padded.
    pub ops: Vec<OpWitness>,
    /// The write of the fees pending after them (the executor's; for a leaf of padding,
    /// the fee recipient's leaf unchanged).
    pub fee_flush: LeafUpdate,
    /// The public values its proof must carry.
    pub expected: PublicValues,
}

/// The tree to prove: its leaves and the public values expected at every position.
struct Plan {
    leaves: Vec<LeafJob>,
}

/// How many leaves a batch of `ops` ops is proved with, at `k` ops per leaf.
pub fn leaf_count(ops: usize, k: usize) -> usize {
    ops.div_ceil(k).next_power_of_two().max(MIN_LEAVES)
}

fn noop() -> OpWitness {
    OpWitness {
        op: Op::Noop,
        updates: Vec::new(),
    }
}

impl Plan {
    fn new(
        outcome: &BatchOutcome,
        chain_id: u64,
        fee_recipient: u32,
        k: usize,
    ) -> Result<Self, PipelineError> {
        if outcome.layout != WitnessLayout::leaves_of(k) {
            return Err(PipelineError::WitnessLayout {
                outcome: outcome.layout.ops_per_leaf,
                circuits: k,
            });
        }
        let n = leaf_count(outcome.witnesses.len(), k);
        let mut witnesses = outcome.witnesses.iter().cloned();
        // Leaves of padding write nothing: the last flush again, with nothing pending.
        let last = outcome
            .fee_flushes
            .last()
            .expect("the executor writes the fees at least once");
        let unchanged = LeafUpdate {
            before: last.after,
            root_before: last.root_after,
            ..last.clone()
        };
        let mut flushes = outcome.fee_flushes.iter();
        let mut root = outcome.old_root;
        let mut next_deposit = outcome.deposits.0;
        let leaves = (0..n)
            .map(|_| {
                let ops: Vec<OpWitness> = (0..k)
                    .map(|_| witnesses.next().unwrap_or_else(noop))
                    .collect();
                let inputs = LeafInputs {
                    old_root: root,
                    deposit_first: next_deposit,
                    fee_recipient,
                    chain_id,
                };
                for w in &ops {
                    if matches!(w.op, Op::Deposit { .. }) {
                        next_deposit += 1;
                    }
                }
                let fee_flush = flushes.next().unwrap_or(&unchanged).clone();
                root = fee_flush.root_after;
                let plain: Vec<Op> = ops.iter().map(|w| w.op.clone()).collect();
                let expected = PublicValues {
                    old_root: inputs.old_root,
                    new_root: root,
                    deposit_first: inputs.deposit_first,
                    deposit_last: next_deposit,
                    fee_recipient,
                    chain_id,
                    commitment: leaf_commitment(&plain).expect("executed ops encode as pubdata"),
                };
                LeafJob {
                    inputs,
                    ops,
                    fee_flush,
                    expected,
                }
            })
            .collect();
        Ok(Self { leaves })
    }

    /// The public values expected of the proof at `(level, index)` (level 0: leaves).
    fn expected(&self, level: usize, index: usize) -> PublicValues {
        if level == 0 {
            return self.leaves[index].expected.clone();
        }
        join_values(
            &self.expected(level - 1, 2 * index),
            &self.expected(level - 1, 2 * index + 1),
        )
    }
}

/// The parent's public values of two adjacent children, natively (the node circuit's join).
pub fn join_values(left: &PublicValues, right: &PublicValues) -> PublicValues {
    PublicValues {
        old_root: left.old_root,
        new_root: right.new_root,
        deposit_first: left.deposit_first,
        deposit_last: right.deposit_last,
        fee_recipient: left.fee_recipient,
        chain_id: left.chain_id,
        commitment: Sha256::digest([left.commitment, right.commitment].concat()).into(),
    }
}

/// Executes `batch` on `store` without committing and proves it.
pub fn prove_batch(
    circuits: &Circuits,
    store: &StateStore,
    batch: &Batch,
    options: &ProveOptions,
) -> Result<BatchProof, PipelineError> {
    let config = store.config();
    for (field, state, built) in [
        (
            "tree_depth",
            config.tree_depth as u64,
            circuits.params.tree_depth as u64,
        ),
        (
            "max_balance",
            config.max_balance,
            circuits.params.max_balance,
        ),
    ] {
        if state != built {
            return Err(PipelineError::ParamsMismatch {
                field,
                state,
                circuits: built,
            });
        }
    }
    let started = Instant::now();
    let outcome = {
        let _span = tracing::info_span!("execute", ops = batch.ops.len()).entered();
        store.dry_run_batch(
            batch,
            WitnessLayout::leaves_of(circuits.params.ops_per_leaf),
        )?
    };
    let execute = started.elapsed();
    let mut proved = prove_outcome(circuits, batch, outcome, options)?;
    proved.report.execute_ms = execute.as_secs_f64() * 1e3;
    Ok(proved)
}

/// Proves an executed batch (`outcome` of `batch`, from the executor).
pub fn prove_outcome(
    circuits: &Circuits,
    batch: &Batch,
    outcome: BatchOutcome,
    options: &ProveOptions,
) -> Result<BatchProof, PipelineError> {
    let plan = Plan::new(
        &outcome,
        batch.chain_id,
        batch.fee_recipient,
        circuits.params.ops_per_leaf,
    )?;
    let n = plan.leaves.len();
    let height = n.trailing_zeros() as usize;
    let progress = options.progress.clone().unwrap_or_else(ProgressBar::hidden);
    progress.set_length((2 * n - 1) as u64);
    let run = Run {
        circuits,
        plan: &plan,
        checkpoints: options.checkpoint_dir.as_deref(),
        progress: &progress,
        report: Mutex::new(PipelineReport {
            ops: outcome.witnesses.len(),
            padded_ops: n * circuits.params.ops_per_leaf,
            leaves: n,
            ..PipelineReport::default()
        }),
    };
    if let Some(dir) = run.checkpoints {
        std::fs::create_dir_all(dir).map_err(|e| FileError::new("creating", dir, e))?;
    }
    let started = Instant::now();
    let proof = {
        let _span = tracing::info_span!("tree", leaves = n).entered();
        run.prove(height, 0)?
    };
    progress.finish_and_clear();
    let mut report = run
        .report
        .into_inner()
        .expect("no panics while holding the lock");
    report.tree_ms = started.elapsed().as_secs_f64() * 1e3;
    let public = public_values(&proof);
    let expected = plan.expected(height, 0);
    if public != expected {
        return Err(PipelineError::Disagreement {
            step: "the top proof".into(),
            expected: Box::new(expected),
            got: Box::new(public),
        });
    }
    if let (Some(dir), false) = (&options.checkpoint_dir, options.keep_checkpoints) {
        // The result is complete; a failure to tidy up only leaves files behind.
        if let Err(e) = std::fs::remove_dir_all(dir) {
            tracing::warn!("could not remove the checkpoints in {}: {e}", dir.display());
        }
    }
    tracing::info!("{report}");
    Ok(BatchProof {
        proof,
        public,
        outcome,
        report,
    })
}

/// The state shared by the tasks of one run.
struct Run<'a> {
    circuits: &'a Circuits,
    plan: &'a Plan,
    checkpoints: Option<&'a Path>,
    progress: &'a ProgressBar,
    report: Mutex<PipelineReport>,
}

/// The proof kind at a tree level.
fn stage_name(level: usize) -> &'static str {
    match level {
        0 => "leaf",
        1 => "pair",
        _ => "node",
    }
}

impl Run<'_> {
    /// Proves the subtree at `(level, index)`, both halves in parallel.
    fn prove(&self, level: usize, index: usize) -> Result<Proof, PipelineError> {
        let step = if level == 0 {
            format!("leaf {index}")
        } else {
            format!("{} {level}.{index}", stage_name(level))
        };
        let expected = self.plan.expected(level, index);
        if let Some(proof) = self.resume(level, index, &step, &expected) {
            self.record(level, None);
            return Ok(proof);
        }
        let proof = if level == 0 {
            let _span = tracing::info_span!("leaf", index).entered();
            let job = &self.plan.leaves[index];
            self.timed(level, &step, || {
                self.circuits
                    .leaf
                    .prove(&job.inputs, &job.ops, &job.fee_flush)
            })?
        } else {
            let (left, right) = rayon::join(
                || self.prove(level - 1, 2 * index),
                || self.prove(level - 1, 2 * index + 1),
            );
            let (left, right) = (left?, right?);
            let _span = tracing::info_span!("aggregate", level, index).entered();
            let agg = &self.circuits.aggregation;
            // The children are dropped after this: memory stays bounded by the tree height.
            self.timed(level, &step, || {
                if level == 1 {
                    agg.pair.prove(&left, &right, &agg.node.data.verifier_only)
                } else {
                    // Children above the pair level are node proofs.
                    let child_is_node = level > 2;
                    agg.node
                        .prove((&left, child_is_node), (&right, child_is_node))
                }
            })?
        };
        let got = public_values(&proof);
        if got != expected {
            return Err(PipelineError::Disagreement {
                step,
                expected: Box::new(expected),
                got: Box::new(got),
            });
        }
        if let Some(dir) = self.checkpoints {
            write_atomic(&checkpoint_path(dir, level, index), &proof.to_bytes())?;
        }
        Ok(proof)
    }

    /// Runs one proof, recording its time under `level`'s stage.
    fn timed(
        &self,
        level: usize,
        step: &str,
        prove: impl FnOnce() -> anyhow::Result<Proof>,
    ) -> Result<Proof, PipelineError> {
        let started = Instant::now();
        let proof = prove().map_err(|source| PipelineError::Prove {
            step: step.to_string(),
            source,
        })?;
        self.record(level, Some(started.elapsed()));
        Ok(proof)
    }

    fn record(&self, level: usize, took: Option<Duration>) {
        let mut report = self
            .report
            .lock()
            .expect("no panics while holding the lock");
        let stage = match level {
            0 => &mut report.leaf,
            1 => &mut report.pair,
            _ => &mut report.node,
        };
        match took {
            Some(t) => stage.add(t),
            None => stage.resumed += 1,
        }
        self.progress.inc(1);
    }

    /// A checkpointed proof of `(level, index)`, if one exists that verifies and carries
    /// the expected public values; anything else is ignored (with a warning).
    fn resume(
        &self,
        level: usize,
        index: usize,
        step: &str,
        expected: &PublicValues,
    ) -> Option<Proof> {
        let path = checkpoint_path(self.checkpoints?, level, index);
        let bytes = std::fs::read(&path).ok()?;
        let agg = &self.circuits.aggregation;
        let data = match level {
            0 => &self.circuits.leaf.data,
            1 => &agg.pair.data,
            _ => &agg.node.data,
        };
        let checked = Proof::from_bytes(bytes, &data.common).and_then(|proof| {
            match level {
                0 | 1 => data.verify(proof.clone())?,
                _ => agg.node.verify(&proof)?,
            }
            let got = public_values(&proof);
            anyhow::ensure!(&got == expected, "public values of another batch");
            Ok(proof)
        });
        match checked {
            Ok(proof) => {
                tracing::info!("{step}: resumed from {}", path.display());
                Some(proof)
            }
            Err(e) => {
                tracing::warn!("{step}: ignoring the checkpoint {}: {e:#}", path.display());
                None
            }
        }
    }
}

/// The checkpoint file of the proof at `(level, index)`.
pub fn checkpoint_path(dir: &Path, level: usize, index: usize) -> PathBuf {
    dir.join(format!("L{level}-{index}.proof"))
}

/// The leaves of an executed batch (`outcome` of `batch`) at `k` ops per leaf, padded to
/// [`leaf_count`] leaves.
pub fn leaf_jobs(
    outcome: &BatchOutcome,
    batch: &Batch,
    k: usize,
) -> Result<Vec<LeafJob>, PipelineError> {
    Ok(Plan::new(outcome, batch.chain_id, batch.fee_recipient, k)?.leaves)
}

/// The padded pubdata the hub reads: the ops' bytes then one zero byte per `Noop` added.
pub fn padded_pubdata(outcome: &BatchOutcome, k: usize) -> Vec<u8> {
    let n = leaf_count(outcome.witnesses.len(), k) * k;
    let mut bytes = outcome.pubdata.clone();
    bytes.resize(bytes.len() + (n - outcome.witnesses.len()), 0);
    bytes
}
