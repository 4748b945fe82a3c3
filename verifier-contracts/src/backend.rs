//! What a flow needs from an L1, as one small synchronous trait: send a transaction, make a
//! call, read balances and code, move time forward. [`crate::InProcessL1`] implements it on
//! revm in memory, [`crate::RpcL1`] over JSON-RPC; [`crate::HubClient`] drives either.

use alloy::primitives::{Address, Bytes, Log, U256};
use alloy::signers::local::PrivateKeySigner;

use crate::error::ContractsError;

/// The chain id of both dev L1s: anvil's default, so EIP-712 digests agree between them.
pub const DEV_CHAIN_ID: u64 = 31_337;

/// anvil's first four dev accounts' private keys (its fixed test mnemonic). [`crate::InProcessL1`]
/// funds the same addresses, so a flow sends the same bytes (and pays the same calldata gas)
/// on either L1.
pub const DEV_KEYS: [&str; 4] = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
];

/// The signers of [`DEV_KEYS`].
pub fn dev_signers() -> Vec<PrivateKeySigner> {
    DEV_KEYS
        .iter()
        .map(|k| k.parse().expect("a valid dev key"))
        .collect()
}

/// A transaction or call: who sends it, to which contract (`None` creates one), the wei it
/// carries and its calldata (for a creation: the creation code and constructor arguments).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TxRequest {
    /// The sender: one of the backend's [`L1Backend::accounts`].
    pub from: Address,
    /// The callee, or `None` to create a contract.
    pub to: Option<Address>,
    /// Wei sent along.
    pub value: U256,
    /// Calldata, or creation code for a creation.
    pub data: Bytes,
}

/// What a mined transaction did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxReceipt {
    /// Gas the transaction used: intrinsic (21,000 + calldata, EIP-7623's floor included)
    /// plus execution, less refunds; what the sender pays for.
    pub gas_used: u64,
    /// Whether it succeeded (receipt status 1).
    pub success: bool,
    /// The logs it emitted (none when it failed).
    pub logs: Vec<Log>,
    /// The created contract's address, for a successful creation.
    pub contract_address: Option<Address>,
    /// The revert data of a failed transaction, where the backend knows it.
    pub revert_data: Option<Bytes>,
    /// The block the transaction is in.
    pub block_number: u64,
}

/// The result of a call that changes nothing (`eth_call`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallOutcome {
    /// It returned this data.
    Returned(Bytes),
    /// It reverted with this data (empty for a halt such as running out of gas).
    Reverted(Bytes),
}

/// An L1 a flow runs against. Synchronous: the JSON-RPC backend blocks on its own runtime.
pub trait L1Backend {
    /// The accounts this backend can send from (funded dev accounts, local signers).
    fn accounts(&self) -> Vec<Address>;
    /// The chain id transactions are signed for.
    fn chain_id(&self) -> u64;
    /// Sends a transaction and waits until it is mined. A mined transaction that reverted is
    /// `Ok` with `success: false`; `Err` means it could not be sent or mined at all.
    fn send(&mut self, tx: &TxRequest) -> Result<TxReceipt, ContractsError>;
    /// Runs `tx` against the latest state without mining it (`eth_call`).
    fn call(&mut self, tx: &TxRequest) -> Result<CallOutcome, ContractsError>;
    /// The balance of `who`, in wei.
    fn balance(&mut self, who: Address) -> Result<U256, ContractsError>;
    /// The runtime code at `who` (empty for an account without code).
    fn code_at(&mut self, who: Address) -> Result<Bytes, ContractsError>;
    /// Moves the chain's clock `seconds` forward and mines a block, so the next transaction
    /// sees the later timestamp (the hub's governance delay). A node that cannot do this
    /// (not a dev node) is an error that says so.
    fn advance_time(&mut self, seconds: u64) -> Result<(), ContractsError>;
    /// The latest block's timestamp.
    fn timestamp(&mut self) -> Result<u64, ContractsError>;
}
