//! An L1 reached over Ethereum JSON-RPC (HTTP) through alloy, signing locally with private
//! keys. The API is synchronous: a single-threaded tokio runtime inside blocks on each
//! request, so callers need no async code.

use std::future::Future;

use alloy::eips::BlockNumberOrTag;
use alloy::network::{Ethereum, EthereumWallet, Network, ReceiptResponse, TransactionBuilder};
use alloy::primitives::{Address, Bytes, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::signers::local::PrivateKeySigner;
use alloy::transports::http::reqwest::Url;
use alloy::transports::TransportError;

use crate::backend::{CallOutcome, L1Backend, TxReceipt, TxRequest};
use crate::deploy::rpc_error;
use crate::error::ContractsError;

/// An L1 over JSON-RPC. See the module docs.
pub struct RpcL1 {
    runtime: tokio::runtime::Runtime,
    provider: DynProvider<Ethereum>,
    accounts: Vec<Address>,
    chain_id: u64,
}

impl std::fmt::Debug for RpcL1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RpcL1")
            .field("accounts", &self.accounts)
            .field("chain_id", &self.chain_id)
            .finish_non_exhaustive()
    }
}

fn rpc_failure(call: &'static str) -> impl FnOnce(TransportError) -> ContractsError {
    move |e| ContractsError::Rpc {
        call,
        message: e.to_string(),
    }
}

impl RpcL1 {
    /// Connects to the node at `url` (`http://…`), sending from `signers` (the first is the
    /// default sender of the wallet; each must be funded on that chain). Asks the node for
    /// its chain id, so an unreachable node fails here.
    pub fn connect(url: &str, signers: Vec<PrivateKeySigner>) -> Result<Self, ContractsError> {
        let url: Url = url
            .parse()
            .map_err(|e| ContractsError::field("l1 url", format!("{e}")))?;
        let mut signers = signers.into_iter();
        let first = signers
            .next()
            .ok_or_else(|| ContractsError::field("signers", "at least one key is needed"))?;
        let mut accounts = vec![first.address()];
        let mut wallet = EthereumWallet::new(first);
        for s in signers {
            accounts.push(s.address());
            wallet.register_signer(s);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ContractsError::Rpc {
                call: "connect",
                message: format!("cannot start a tokio runtime: {e}"),
            })?;
        let provider = ProviderBuilder::new()
            .wallet(wallet)
            .connect_http(url)
            .erased();
        let chain_id = runtime
            .block_on(provider.get_chain_id())
            .map_err(rpc_failure("eth_chainId"))?;
        Ok(RpcL1 {
            runtime,
            provider,
            accounts,
            chain_id,
        })
    }

    /// The alloy provider (with the wallet), for what the trait does not cover.
    pub fn provider(&self) -> &DynProvider<Ethereum> {
        &self.provider
    }

    fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    fn request(&self, tx: &TxRequest) -> <Ethereum as Network>::TransactionRequest {
        let req = <Ethereum as Network>::TransactionRequest::default()
            .with_from(tx.from)
            .with_value(tx.value);
        match tx.to {
            Some(to) => req.with_to(to).with_input(tx.data.clone()),
            None => req.with_deploy_code(tx.data.clone()),
        }
    }

    fn raw(&self, method: &'static str, params: serde_json::Value) -> Result<(), ContractsError> {
        self.block_on(async {
            self.provider
                .raw_request::<_, serde_json::Value>(method.into(), params)
                .await
        })
        .map(drop)
        .map_err(|e| ContractsError::Unsupported {
            call: method,
            message: format!(
                "{e} (moving time needs a dev node that has {method}: anvil or hardhat)"
            ),
        })
    }
}

impl L1Backend for RpcL1 {
    fn accounts(&self) -> Vec<Address> {
        self.accounts.clone()
    }

    fn chain_id(&self) -> u64 {
        self.chain_id
    }

    fn send(&mut self, tx: &TxRequest) -> Result<TxReceipt, ContractsError> {
        let req = self.request(tx);
        let receipt = self.block_on(async {
            let pending = self
                .provider
                .send_transaction(req)
                .await
                .map_err(rpc_error("eth_sendTransaction"))?;
            pending
                .get_receipt()
                .await
                .map_err(|e| ContractsError::Rpc {
                    call: "eth_getTransactionReceipt",
                    message: e.to_string(),
                })
        })?;
        Ok(TxReceipt {
            gas_used: receipt.gas_used(),
            success: receipt.status(),
            logs: receipt.logs().iter().map(|l| l.inner.clone()).collect(),
            contract_address: receipt.contract_address(),
            // A node does not keep a mined transaction's revert data; callers replay it
            // with `call` to learn the reason.
            revert_data: None,
            block_number: receipt.block_number.unwrap_or_default(),
        })
    }

    fn call(&mut self, tx: &TxRequest) -> Result<CallOutcome, ContractsError> {
        let req = self.request(tx);
        match self.block_on(async { self.provider.call(req).await }) {
            Ok(data) => Ok(CallOutcome::Returned(data)),
            Err(e) => {
                let resp = e.as_error_resp();
                if let Some(data) = resp.and_then(|r| r.as_revert_data()) {
                    Ok(CallOutcome::Reverted(data))
                } else if resp.is_some_and(|r| r.message.contains("revert")) {
                    Ok(CallOutcome::Reverted(Bytes::new()))
                } else {
                    Err(rpc_failure("eth_call")(e))
                }
            }
        }
    }

    fn balance(&mut self, who: Address) -> Result<U256, ContractsError> {
        self.block_on(async { self.provider.get_balance(who).await })
            .map_err(rpc_failure("eth_getBalance"))
    }

    fn code_at(&mut self, who: Address) -> Result<Bytes, ContractsError> {
        self.block_on(async { self.provider.get_code_at(who).await })
            .map_err(rpc_failure("eth_getCode"))
    }

    fn advance_time(&mut self, seconds: u64) -> Result<(), ContractsError> {
        self.raw("evm_increaseTime", serde_json::json!([seconds]))?;
        self.raw("evm_mine", serde_json::json!([]))
    }

    fn timestamp(&mut self) -> Result<u64, ContractsError> {
        let block = self
            .block_on(async {
                self.provider
                    .get_block_by_number(BlockNumberOrTag::Latest)
                    .await
            })
            .map_err(rpc_failure("eth_getBlockByNumber"))?
            .ok_or_else(|| ContractsError::Rpc {
                call: "eth_getBlockByNumber",
                message: "the node has no latest block".into(),
            })?;
        Ok(block.header.timestamp)
    }
}
