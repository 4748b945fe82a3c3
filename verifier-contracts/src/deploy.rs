//! Reverts in words: the contracts' custom errors decoded from revert data. Deploying goes
//! through [`crate::HubClient`] and [`crate::hub_client`] over any [`crate::L1Backend`].

use alloy::primitives::Bytes;
use alloy::sol_types::{Panic, Revert, SolInterface};

use crate::bindings::{BulwarkHub, Groth16Verifier, KeyedGroth16Verifier, PubdataErrors};
use crate::error::ContractsError;

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

/// A transport error as a [`ContractsError`]: a decoded revert when it carries revert data.
pub(crate) fn rpc_error(
    call: &'static str,
) -> impl FnOnce(alloy::transports::TransportError) -> ContractsError {
    move |e| {
        let revert = e.as_error_resp().and_then(|r| r.as_revert_data());
        revert_or_rpc(call, revert, e.to_string())
    }
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
