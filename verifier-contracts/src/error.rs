//! Typed errors of the crate: each names the field and the reason.

use thiserror::Error;

/// Everything that can go wrong reading a key or proof file, or generating a verifier.
#[derive(Debug, Error)]
pub enum ContractsError {
    /// The file is not valid JSON of the expected shape.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The `format` field names another kind of file.
    #[error("field `format`: expected {expected:?}, found {found:?}")]
    Format {
        /// The format this reader understands.
        expected: &'static str,
        /// The format the file declares.
        found: String,
    },
    /// The `version` field is one this reader does not understand.
    #[error("field `version`: unsupported version {found} (this build reads version {supported})")]
    Version {
        /// The version this reader understands.
        supported: u32,
        /// The version the file declares.
        found: u32,
    },
    /// A field holds a malformed or out-of-range value.
    #[error("field `{field}`: {reason}")]
    Field {
        /// Dotted path of the field (`beta_g2.x.c1`, `ic[1]`).
        field: String,
        /// Why it was refused.
        reason: String,
    },
    /// The key has a number of public inputs the verifier does not support.
    #[error("the verifying key has {found} public inputs; the Bulwark verifier takes exactly 1")]
    PublicInputs {
        /// Number of public inputs of the key (`ic.len() - 1`).
        found: usize,
    },
    /// Pubdata could not be split into ops or does not fill a commitment tree.
    #[error("pubdata: {0}")]
    Pubdata(String),
    /// A contract call or deployment reverted; `reason` is the contract's custom error in
    /// words (`UnknownAccount { account: 5 }`), or the raw revert data when unknown.
    #[error("{call} reverted: {reason}")]
    Reverted {
        /// What was called (`BulwarkHub.depositTo`, `deploy BulwarkHub`).
        call: &'static str,
        /// The decoded revert reason.
        reason: String,
    },
    /// The node could not be reached or answered with an error that is not a revert.
    #[error("{call}: JSON-RPC failed: {message}")]
    Rpc {
        /// What was called.
        call: &'static str,
        /// The transport's or node's message.
        message: String,
    },
    /// The in-process EVM refused a transaction before running it (bad nonce, balance too
    /// low for the value, ...): not a revert.
    #[error("{call}: the in-process EVM refused it: {message}")]
    Evm {
        /// What was run.
        call: &'static str,
        /// revm's message.
        message: String,
    },
    /// The L1 has no way to do what was asked (e.g. move time on a node that is not a dev
    /// node).
    #[error("{call}: not supported by this L1: {message}")]
    Unsupported {
        /// What was asked.
        call: &'static str,
        /// Why it cannot be done, and what would.
        message: String,
    },
    /// A transaction's receipt or a call's return data is not what the contract's ABI says.
    #[error("{call}: unexpected result: {reason}")]
    Decode {
        /// What was called.
        call: &'static str,
        /// What did not match.
        reason: String,
    },
    /// A deployed contract is not what its artifact says.
    #[error("deployed {contract} at {address}: {reason}")]
    Deployed {
        /// The artifact's contract name.
        contract: String,
        /// Where it was deployed.
        address: String,
        /// What differs.
        reason: String,
    },
}

impl ContractsError {
    /// A [`ContractsError::Field`] error.
    pub fn field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ContractsError::Field {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
