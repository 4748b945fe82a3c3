//! The in-process L1 (revm): the full hub round with its boundary refusals
//! (`common::round`), and the keyed verifier's constructor refusing malformed keys.

mod common;

use alloy::primitives::{Address, Bytes, U256};
use alloy::sol_types::SolConstructor;
use bulwark_contracts::bindings::KeyedGroth16Verifier;
use bulwark_contracts::{
    deploy_keyed_verifier, deploy_verifier, keyed_verifier_args, ContractArtifact, ContractsError,
    HubClient, InProcessL1, L1Backend, TxRequest,
};
use common::round::{fixture_proof, fixture_vk, round};

#[test]
fn full_round_on_revm() {
    let gas = round(InProcessL1::new());
    // The verifier alone costs about 188,000 gas; a proveBatch transaction more.
    assert!(gas["proveBatch"].gas > 200_000, "{gas:?}");
}

/// The keyed verifier's constructor with `words` (and the fixture digest), sent raw.
fn construct(l1: &mut InProcessL1, words: [[u8; 32]; 18]) -> Result<Address, String> {
    let (digest, _) = keyed_verifier_args(&fixture_vk()).unwrap();
    let mut code = ContractArtifact::keyed_verifier().creation_code().unwrap();
    code.extend(
        KeyedGroth16Verifier::constructorCall {
            circuitDigest: digest.into(),
            key: words.map(U256::from_be_bytes),
        }
        .abi_encode(),
    );
    let from = l1.accounts()[0];
    let receipt = l1
        .send(&TxRequest {
            from,
            to: None,
            value: U256::ZERO,
            data: Bytes::from(code),
        })
        .unwrap();
    match receipt.contract_address {
        Some(a) if receipt.success => Ok(a),
        _ => Err(bulwark_contracts::revert_reason(
            &receipt.revert_data.unwrap_or_default(),
        )),
    }
}

/// BN254's base field modulus p, big-endian.
const P: [u8; 32] = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x97, 0x81, 0x6a, 0x91, 0x68, 0x71, 0xca, 0x8d, 0x3c, 0x20, 0x8c, 0x16, 0xd8, 0x7c, 0xfd, 0x47,
];

#[test]
fn keyed_verifier_constructor_refuses_malformed_keys() {
    let mut l1 = InProcessL1::new();
    let (_, words) = keyed_verifier_args(&fixture_vk()).unwrap();
    construct(&mut l1, words).expect("the fixture key deploys");
    // Every word: p itself is refused, as not in the field.
    for i in 0..18 {
        let mut w = words;
        w[i] = P;
        assert_eq!(
            construct(&mut l1, w).unwrap_err(),
            format!("KeyWordNotInField(KeyWordNotInField {{ word: {i} }})")
        );
    }
    // Every point: moved off its curve (a changed y), and the point at infinity.
    for first in [0usize, 2, 6, 10, 14, 16] {
        let last = if (2..14).contains(&first) {
            first + 3
        } else {
            first + 1
        };
        let mut w = words;
        w[last][31] ^= 1;
        assert_eq!(
            construct(&mut l1, w).unwrap_err(),
            format!("KeyPointInvalid(KeyPointInvalid {{ word: {first} }})"),
            "off-curve point at word {first}"
        );
        let mut w = words;
        for word in &mut w[first..=last] {
            *word = [0; 32];
        }
        assert_eq!(
            construct(&mut l1, w).unwrap_err(),
            format!("KeyPointInvalid(KeyPointInvalid {{ word: {first} }})"),
            "infinity at word {first}"
        );
    }
}

#[test]
fn deploying_a_malformed_key_file_is_refused_before_sending() {
    let mut l1 = InProcessL1::new();
    let from = l1.accounts()[0];
    let mut vk = fixture_vk();
    vk.alpha_g1.y = vk.alpha_g1.x.clone();
    let err = deploy_keyed_verifier(&mut l1, from, &vk).unwrap_err();
    assert!(matches!(err, ContractsError::Field { .. }), "{err}");
    assert!(err.to_string().contains("alpha_g1"), "{err}");
    assert_eq!(l1.block_number(), 0, "nothing was sent");
}

/// The embedded-constant form (`bulwark export-verifier` + `./artifacts.sh`) still deploys
/// from its artifact, with its code checked, and verifies.
#[test]
fn embedded_verifier_deploys_from_its_artifact() {
    let mut l1 = InProcessL1::new();
    let from = l1.accounts()[0];
    let artifact = ContractArtifact::fixture_verifier();
    let verifier = deploy_verifier(&mut l1, from, &artifact).unwrap().value;
    let mut client = HubClient::at(l1, Address::ZERO, verifier);
    let (proof, input) = fixture_proof();
    client.verify_proof(&proof, input).unwrap();
    assert_eq!(client.circuit_digest().unwrap(), common::TEST_DIGEST);
    let mut bad = proof;
    bad[0][31] ^= 1;
    assert!(client.verify_proof(&bad, input).is_err());
}
