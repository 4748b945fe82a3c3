//! Typed errors of the state crate. Every message names the field or op it is about.

use crate::schnorr::SignatureError;

/// A chain configuration parameter out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Tree depth outside 1..=32.
    #[error("tree_depth {0} is out of range 1..=32")]
    TreeDepth(u8),
    /// max_balance zero or above 2^62 - 1.
    #[error("max_balance {0} is out of range 1..=2^62-1")]
    MaxBalance(u64),
}

/// A value that cannot be put in, or read from, the packed amount form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Too many significant digits for the mantissa.
    #[error("{value} is not representable as a {mantissa_bits}-bit mantissa times a power of ten")]
    NotRepresentable {
        /// The value.
        value: u64,
        /// Mantissa width of the format.
        mantissa_bits: u32,
    },
    /// The exponent is not the smallest possible one.
    #[error(
        "non-canonical packed amount: mantissa {mantissa} with exponent {exponent} is not minimal"
    )]
    NonCanonical {
        /// Mantissa read.
        mantissa: u64,
        /// Exponent read.
        exponent: u32,
    },
    /// The value does not fit in 64 bits.
    #[error("packed amount {mantissa}e{exponent} does not fit in 64 bits")]
    TooLarge {
        /// Mantissa read.
        mantissa: u64,
        /// Exponent read.
        exponent: u32,
    },
    /// Wrong number of bytes.
    #[error("packed amount needs {expected} bytes, got {got}")]
    Length {
        /// Bytes expected.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
}

/// Pubdata bytes that are not a canonical op encoding.
#[derive(Debug, thiserror::Error)]
pub enum PubdataError {
    /// The type byte names no op.
    #[error("unknown op type byte {0:#04x}")]
    UnknownType(u8),
    /// Fewer bytes than the op type needs.
    #[error("truncated {kind} pubdata: needs {need} bytes, {have} left")]
    Truncated {
        /// Op type.
        kind: &'static str,
        /// Bytes needed.
        need: usize,
        /// Bytes present.
        have: usize,
    },
    /// A field failed to decode or encode.
    #[error("field `{field}`: {reason}")]
    Field {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// An error inside a stream, with the op's position.
    #[error("pubdata op {index}: {source}")]
    AtOp {
        /// Position of the op in the stream.
        index: usize,
        /// The error.
        source: Box<PubdataError>,
    },
}

impl PubdataError {
    pub(crate) fn field(field: &'static str, reason: impl std::fmt::Display) -> Self {
        PubdataError::Field {
            field,
            reason: reason.to_string(),
        }
    }
}

/// Why one op of a batch was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpRejection {
    /// An account index at or beyond 2^depth.
    #[error("field `{field}`: account index {index} is outside the tree (capacity {capacity})")]
    AccountOutOfRange {
        /// The field.
        field: &'static str,
        /// The index.
        index: u32,
        /// 2^depth.
        capacity: u64,
    },
    /// The account slot is empty.
    #[error("field `{field}`: unknown account {index}")]
    UnknownAccount {
        /// The field.
        field: &'static str,
        /// The index.
        index: u32,
    },
    /// Nonce differs from the account's.
    #[error("field `nonce`: account {account} expects nonce {expected}, op has {got}")]
    WrongNonce {
        /// The account.
        account: u32,
        /// Its nonce.
        expected: u32,
        /// The op's nonce.
        got: u32,
    },
    /// The account's nonce cannot increase further.
    #[error("field `nonce`: account {account} has used every nonce")]
    NonceExhausted {
        /// The account.
        account: u32,
    },
    /// Signature refused.
    #[error("field `signature`: {0}")]
    BadSignature(SignatureError),
    /// Amount plus fee exceeds the balance.
    #[error("field `amount`: overdraft: account {account} has {balance}, op needs {needed} (amount + fee)")]
    Overdraft {
        /// The account.
        account: u32,
        /// Its balance.
        balance: u64,
        /// amount + fee.
        needed: u64,
    },
    /// A credit would exceed the chain's maximum balance.
    #[error("field `{field}`: balance overflow: account {account} would hold more than max_balance {max}")]
    BalanceOverflow {
        /// The field whose credit overflows.
        field: &'static str,
        /// The account credited.
        account: u32,
        /// The maximum.
        max: u64,
    },
    /// A value above the chain's maximum balance.
    #[error("field `{field}`: {value} exceeds max_balance {max}")]
    ValueTooLarge {
        /// The field.
        field: &'static str,
        /// The value.
        value: u64,
        /// The maximum.
        max: u64,
    },
    /// An amount or fee with no packed encoding.
    #[error("field `{field}`: {source}")]
    NotPackable {
        /// The field.
        field: &'static str,
        /// Why.
        source: AmountError,
    },
    /// A deposit amount of zero.
    #[error("field `amount`: a deposit must credit a positive amount")]
    ZeroDeposit,
    /// A deposit not at the head of the queue.
    #[error("field `queue_index`: deposit out of queue order: expected {expected}, got {got}")]
    DepositOutOfOrder {
        /// The next queue index.
        expected: u64,
        /// The op's.
        got: u64,
    },
    /// A deposit's key has a non-canonical limb, or a signer's stored key encodes no
    /// valid point.
    #[error("field `public_key`: {0}")]
    BadPublicKey(SignatureError),
    /// A deposit with a key (one that creates an account) to a slot that holds one.
    #[error("field `account`: account {account} exists; a deposit to it carries the all-zero key")]
    AccountExists {
        /// The account.
        account: u32,
    },
}

/// Errors of the state store and the executor.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// An op of a batch was refused; nothing was written.
    #[error("op {index} ({kind}): {reason}")]
    Op {
        /// Position of the op in the batch.
        index: usize,
        /// Its type.
        kind: &'static str,
        /// Why.
        reason: OpRejection,
    },
    /// The batch is for another chain.
    #[error("field `chain_id`: batch is for chain {batch}, state is chain {state}")]
    ChainMismatch {
        /// The batch's chain id.
        batch: u64,
        /// The state's chain id.
        state: u64,
    },
    /// The batch's fee recipient is unusable.
    #[error("field `fee_recipient`: {0}")]
    FeeRecipient(OpRejection),
    /// A bad chain configuration.
    #[error("invalid chain configuration: {0}")]
    Config(#[from] ConfigError),
    /// Genesis over an existing store.
    #[error("a state store already exists at {0}")]
    AlreadyExists(std::path::PathBuf),
    /// No store where one was expected.
    #[error("no state store at {0} (run `bulwark genesis` first)")]
    NotFound(std::path::PathBuf),
    /// A store from another format version or a damaged one.
    #[error("state store is corrupt or of an unknown format: {0}")]
    Corrupt(String),
    /// A batch file that does not parse.
    #[error("batch file: {0}")]
    BatchFormat(String),
    /// An I/O failure.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// A failure of the storage engine.
    #[error("storage: {0}")]
    Storage(String),
}

macro_rules! storage_from {
    ($($t:ty),*) => {$(
        impl From<$t> for StateError {
            fn from(e: $t) -> Self {
                StateError::Storage(e.to_string())
            }
        }
    )*};
}
storage_from!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);
