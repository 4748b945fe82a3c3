//! Deploys the verifier and the hub through any alloy [`Provider`] that signs (a wallet
//! filler over any JSON-RPC transport), from the checked-in artifacts, and turns reverts
//! into the contracts' custom errors in words.

use alloy::contract::{CallBuilder, CallDecoder};
use alloy::network::{Ethereum, Network, ReceiptResponse, TransactionBuilder};
use alloy::primitives::{Address, Bytes};
use alloy::providers::Provider;
use alloy::sol_types::{Panic, Revert, SolInterface};

use crate::artifacts::ContractArtifact;
use crate::bindings::{BulwarkHub, Groth16Verifier, KeyedGroth16Verifier, PubdataErrors};
use crate::error::ContractsError;

/// A transaction receipt on Ethereum.
pub type Receipt = <Ethereum as Network>::ReceiptResponse;

/// Where [`deploy`] put the contracts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deployment {
    /// The Groth16 verifier.
    pub verifier: Address,
    /// The hub.
    pub hub: Address,
}

/// Revert data in words: the hub's, a verifier's or the pubdata reader's custom error, a
/// `require` message or a panic code; hex when none of them matches.
pub fn revert_reason(data: &[u8]) -> String {
    if let Ok(e) = BulwarkHub::BulwarkHubErrors::abi_decode(data) {
        return format!("{e:?}");
    }
    if let Ok(e) = Groth16Verifier::Groth16VerifierErrors::abi_decode(data) {
        return format!("{e:?}");
    }
    if let Ok(e) = KeyedGroth16Verifier::KeyedGroth16VerifierErrors::abi_decode(data) {
        return format!("{e:?}");
    }
    if let Ok(e) = PubdataErrors::PubdataErrorsErrors::abi_decode(data) {
        return format!("{e:?}");
    }
    if let Ok(r) = <Revert as alloy::sol_types::SolError>::abi_decode(data) {
        return format!("Error({:?})", r.reason);
    }
    if let Ok(p) = <Panic as alloy::sol_types::SolError>::abi_decode(data) {
        return format!("Panic({})", p.code);
    }
    if data.is_empty() {
        "no revert data (out of gas, or a failed CREATE)".to_string()
    } else {
        format!("unknown revert data 0x{}", hex::encode(data))
    }
}

/// A revert (with its data) or, without revert data, an RPC failure.
fn revert_or_rpc(call: &'static str, revert: Option<Bytes>, message: String) -> ContractsError {
    match revert {
        Some(data) => ContractsError::Reverted {
            call,
            reason: revert_reason(&data),
        },
        None => ContractsError::Rpc { call, message },
    }
}

/// A contract error as a [`ContractsError`]: a decoded revert, or an RPC failure.
pub fn call_error(call: &'static str, err: alloy::contract::Error) -> ContractsError {
    revert_or_rpc(call, err.as_revert_data(), err.to_string())
}

/// A transport error as a [`ContractsError`]: a decoded revert when it carries revert data.
pub(crate) fn rpc_error(
    call: &'static str,
) -> impl FnOnce(alloy::transports::TransportError) -> ContractsError {
    move |e| {
        let revert = e.as_error_resp().and_then(|r| r.as_revert_data());
        revert_or_rpc(call, revert, e.to_string())
    }
}

/// Waits for a sent transaction's receipt.
async fn receipt<N: Network>(
    call: &'static str,
    pending: alloy::providers::PendingTransactionBuilder<N>,
) -> Result<N::ReceiptResponse, ContractsError> {
    pending
        .get_receipt()
        .await
        .map_err(|e| ContractsError::Rpc {
            call,
            message: e.to_string(),
        })
}

/// Sends a contract call as a transaction and waits for its receipt; a revert (at gas
/// estimation or in the mined transaction) is an error.
pub async fn send<P: Provider, D: CallDecoder>(
    call: &'static str,
    builder: CallBuilder<P, D>,
) -> Result<Receipt, ContractsError> {
    let pending = builder.send().await.map_err(|e| call_error(call, e))?;
    let receipt = receipt(call, pending).await?;
    if !receipt.status() {
        return Err(ContractsError::Reverted {
            call,
            reason: format!(
                "transaction {} failed (status 0)",
                receipt.transaction_hash()
            ),
        });
    }
    Ok(receipt)
}

async fn create<P: Provider>(
    provider: &P,
    call: &'static str,
    code: Vec<u8>,
) -> Result<Address, ContractsError> {
    let tx = <Ethereum as Network>::TransactionRequest::default().with_deploy_code(code);
    let pending = provider
        .send_transaction(tx)
        .await
        .map_err(rpc_error(call))?;
    let receipt = receipt(call, pending).await?;
    match receipt.contract_address() {
        Some(address) if receipt.status() => Ok(address),
        _ => Err(ContractsError::Reverted {
            call,
            reason: format!(
                "transaction {} created no contract",
                receipt.transaction_hash()
            ),
        }),
    }
}

/// Deploys a generated verifier from its artifact, then checks that the chain holds exactly
/// the artifact's runtime code (a verifier has no immutables).
pub async fn deploy_verifier<P: Provider>(
    provider: &P,
    artifact: &ContractArtifact,
) -> Result<Address, ContractsError> {
    let address = create(provider, "deploy verifier", artifact.creation_code()?).await?;
    let code = provider
        .get_code_at(address)
        .await
        .map_err(rpc_error("eth_getCode"))?;
    if code.as_ref() != artifact.runtime_code()?.as_slice() {
        return Err(ContractsError::Deployed {
            contract: artifact.contract_name.clone(),
            address: address.to_string(),
            reason: "runtime code differs from the artifact's deployedBytecode".into(),
        });
    }
    Ok(address)
}

/// Deploys the hub (`artifacts/BulwarkHub.json`) with its owner and guardian.
pub async fn deploy_hub<P: Provider + Clone>(
    provider: &P,
    owner: Address,
    guardian: Address,
) -> Result<Address, ContractsError> {
    let hub = BulwarkHub::deploy(provider.clone(), owner, guardian)
        .await
        .map_err(|e| call_error("deploy BulwarkHub", e))?;
    Ok(*hub.address())
}

/// Deploys a verifier (from `verifier`'s artifact) and a hub. The hub's routes and chains
/// are then set through its timelock (`schedule`, wait `GOVERNANCE_DELAY`,
/// `executeScheduled`), which no deploy step can skip.
pub async fn deploy<P: Provider + Clone>(
    provider: &P,
    verifier: &ContractArtifact,
    owner: Address,
    guardian: Address,
) -> Result<Deployment, ContractsError> {
    Ok(Deployment {
        verifier: deploy_verifier(provider, verifier).await?,
        hub: deploy_hub(provider, owner, guardian).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::sol_types::SolError;

    #[test]
    fn reverts_read_as_words() {
        let e = BulwarkHub::UnknownAccount { account: 5 }.abi_encode();
        assert_eq!(
            revert_reason(&e),
            "UnknownAccount(UnknownAccount { account: 5 })"
        );
        let e = Groth16Verifier::ProofInvalid {}.abi_encode();
        assert_eq!(revert_reason(&e), "ProofInvalid(ProofInvalid)");
        let e = PubdataErrors::BadOpCount {}.abi_encode();
        assert_eq!(revert_reason(&e), "BadOpCount(BadOpCount)");
        let e = Revert::from("no").abi_encode();
        assert_eq!(revert_reason(&e), "Error(\"no\")");
        assert!(revert_reason(&[1, 2, 3, 4]).starts_with("unknown revert data 0x01020304"));
        assert!(revert_reason(&[]).starts_with("no revert data"));
    }
}
