//! An L1 in this process: revm over an in-memory database, the Prague rules, chain id
//! [`DEV_CHAIN_ID`], and anvil's dev accounts funded. Deterministic: each transaction is
//! its own block, [`BLOCK_TIME`] seconds after the last, from block 1 at [`GENESIS_TIME`].
//! Gas is the EVM's own accounting (intrinsic and calldata gas with EIP-7623's floor,
//! execution, refunds), so figures match a real node's; fees are not charged (base fee and
//! gas price 0), so senders' balances move only by the value they send.

use alloy::primitives::{Address, Bytes, TxKind, U256};
use revm::context::result::ExecutionResult;
use revm::context::TxEnv;
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::hardfork::SpecId;
use revm::state::AccountInfo;
use revm::{Context, DatabaseRef, ExecuteCommitEvm, ExecuteEvm, MainBuilder, MainContext};

use crate::backend::{dev_signers, CallOutcome, L1Backend, TxReceipt, TxRequest, DEV_CHAIN_ID};
use crate::error::ContractsError;

/// Timestamp of the block before the first transaction.
pub const GENESIS_TIME: u64 = 1_700_000_000;
/// Seconds between consecutive blocks (one transaction each).
pub const BLOCK_TIME: u64 = 12;
/// Gas limit of each block, and of each transaction (Ethereum's 2024 block gas limit).
pub const BLOCK_GAS_LIMIT: u64 = 30_000_000;
/// What each dev account holds at the start: 10,000 ether, as on anvil.
pub const DEV_BALANCE_WEI: u128 = 10_000 * 1_000_000_000_000_000_000;

/// The in-process L1 (revm). See the module docs.
#[derive(Debug)]
pub struct InProcessL1 {
    db: CacheDB<EmptyDB>,
    accounts: Vec<Address>,
    block_number: u64,
    timestamp: u64,
}

impl Default for InProcessL1 {
    fn default() -> Self {
        Self::new()
    }
}

impl InProcessL1 {
    /// A fresh chain at block 0 with the dev accounts ([`crate::backend::DEV_KEYS`]) funded.
    pub fn new() -> Self {
        let mut db = CacheDB::new(EmptyDB::default());
        let accounts: Vec<Address> = dev_signers().iter().map(|s| s.address()).collect();
        for &a in &accounts {
            db.insert_account_info(
                a,
                AccountInfo {
                    balance: U256::from(DEV_BALANCE_WEI),
                    ..Default::default()
                },
            );
        }
        InProcessL1 {
            db,
            accounts,
            block_number: 0,
            timestamp: GENESIS_TIME,
        }
    }

    /// The latest block's number (one block per transaction or time jump).
    pub fn block_number(&self) -> u64 {
        self.block_number
    }

    fn nonce(&self, who: Address) -> u64 {
        match self.db.basic_ref(who) {
            Ok(Some(info)) => info.nonce,
            _ => 0,
        }
    }

    /// Runs `tx` in the next block (number + 1, time + [`BLOCK_TIME`]); commits its state
    /// changes only when `commit`.
    fn execute(
        &mut self,
        what: &'static str,
        tx: &TxRequest,
        commit: bool,
    ) -> Result<ExecutionResult, ContractsError> {
        let env = TxEnv::builder()
            .caller(tx.from)
            .kind(match tx.to {
                Some(to) => TxKind::Call(to),
                None => TxKind::Create,
            })
            .value(tx.value)
            .data(tx.data.clone())
            .nonce(self.nonce(tx.from))
            .chain_id(Some(DEV_CHAIN_ID))
            .gas_limit(BLOCK_GAS_LIMIT)
            .gas_price(0)
            .build()
            .map_err(|e| ContractsError::Evm {
                call: what,
                message: format!("{e:?}"),
            })?;
        let (number, timestamp) = (self.block_number + 1, self.timestamp + BLOCK_TIME);
        let mut evm = Context::mainnet()
            .with_db(&mut self.db)
            .modify_cfg_chained(|cfg| {
                cfg.set_spec_and_mainnet_gas_params(SpecId::PRAGUE);
                cfg.chain_id = DEV_CHAIN_ID;
            })
            .modify_block_chained(|block| {
                block.number = U256::from(number);
                block.timestamp = U256::from(timestamp);
                block.gas_limit = BLOCK_GAS_LIMIT;
                block.basefee = 0;
            })
            .build_mainnet();
        let result = if commit {
            evm.transact_commit(env)
        } else {
            evm.transact(env).map(|r| r.result)
        };
        result.map_err(|e| ContractsError::Evm {
            call: what,
            message: e.to_string(),
        })
    }
}

impl L1Backend for InProcessL1 {
    fn accounts(&self) -> Vec<Address> {
        self.accounts.clone()
    }

    fn chain_id(&self) -> u64 {
        DEV_CHAIN_ID
    }

    fn send(&mut self, tx: &TxRequest) -> Result<TxReceipt, ContractsError> {
        let result = self.execute("send transaction", tx, true)?;
        self.block_number += 1;
        self.timestamp += BLOCK_TIME;
        let gas_used = result.tx_gas_used();
        let contract_address = result.created_address();
        Ok(match result {
            ExecutionResult::Success { logs, .. } => TxReceipt {
                gas_used,
                success: true,
                logs,
                contract_address,
                revert_data: None,
                block_number: self.block_number,
            },
            ExecutionResult::Revert { output, .. } => TxReceipt {
                gas_used,
                success: false,
                logs: Vec::new(),
                contract_address: None,
                revert_data: Some(output),
                block_number: self.block_number,
            },
            ExecutionResult::Halt { .. } => TxReceipt {
                gas_used,
                success: false,
                logs: Vec::new(),
                contract_address: None,
                revert_data: Some(Bytes::new()),
                block_number: self.block_number,
            },
        })
    }

    fn call(&mut self, tx: &TxRequest) -> Result<CallOutcome, ContractsError> {
        Ok(match self.execute("eth_call", tx, false)? {
            ExecutionResult::Success { output, .. } => CallOutcome::Returned(output.into_data()),
            ExecutionResult::Revert { output, .. } => CallOutcome::Reverted(output),
            ExecutionResult::Halt { .. } => CallOutcome::Reverted(Bytes::new()),
        })
    }

    fn balance(&mut self, who: Address) -> Result<U256, ContractsError> {
        Ok(match self.db.basic_ref(who) {
            Ok(Some(info)) => info.balance,
            _ => U256::ZERO,
        })
    }

    fn code_at(&mut self, who: Address) -> Result<Bytes, ContractsError> {
        let Ok(Some(info)) = self.db.basic_ref(who) else {
            return Ok(Bytes::new());
        };
        let code = match info.code {
            Some(code) if !code.is_empty() => code,
            _ => self
                .db
                .code_by_hash_ref(info.code_hash)
                .map_err(|e| ContractsError::Evm {
                    call: "eth_getCode",
                    message: e.to_string(),
                })?,
        };
        Ok(code.original_bytes())
    }

    fn advance_time(&mut self, seconds: u64) -> Result<(), ContractsError> {
        self.timestamp += seconds;
        self.block_number += 1;
        Ok(())
    }

    fn timestamp(&mut self) -> Result<u64, ContractsError> {
        Ok(self.timestamp)
    }
}
