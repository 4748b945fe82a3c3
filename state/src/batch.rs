//! Batch files: the ops an operator applies in one state transition.

use serde::{Deserialize, Serialize};

use crate::error::StateError;
use crate::op::Op;

/// The `format` marker of batch files.
pub const BATCH_FORMAT: &str = "bulwark-batch";
/// The current batch file version.
pub const BATCH_VERSION: u32 = 1;

/// An ordered list of ops for one chain, with the account that collects their fees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// Always [`BATCH_FORMAT`].
    pub format: String,
    /// Always [`BATCH_VERSION`].
    pub version: u32,
    /// The chain the ops are signed for.
    pub chain_id: u64,
    /// Account credited with every fee of the batch.
    pub fee_recipient: u32,
    /// The ops, applied in order.
    pub ops: Vec<Op>,
}

impl Batch {
    /// An empty batch.
    pub fn new(chain_id: u64, fee_recipient: u32) -> Self {
        Batch {
            format: BATCH_FORMAT.into(),
            version: BATCH_VERSION,
            chain_id,
            fee_recipient,
            ops: Vec::new(),
        }
    }

    /// Parses a batch file, checking its format marker and version.
    pub fn from_json(text: &str) -> Result<Self, StateError> {
        let batch: Batch =
            serde_json::from_str(text).map_err(|e| StateError::BatchFormat(e.to_string()))?;
        if batch.format != BATCH_FORMAT {
            return Err(StateError::BatchFormat(format!(
                "field `format`: expected \"{BATCH_FORMAT}\", got {:?}",
                batch.format
            )));
        }
        if batch.version != BATCH_VERSION {
            return Err(StateError::BatchFormat(format!(
                "field `version`: unsupported version {}, expected {BATCH_VERSION}",
                batch.version
            )));
        }
        Ok(batch)
    }

    /// The pretty JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("batches serialize")
    }
}
