//! Writes (with `BULWARK_BLESS=1`) or checks (otherwise) the checked-in fixtures that the
//! Foundry tests use: the test verifying key, the verifier generated from it, Groth16
//! proofs made by arkworks, and the keyed verifier's source (`src/KeyedGroth16Verifier.sol`,
//! the same for every key; `artifacts.sh` then compiles it). A stale fixture fails this test; regenerate with
//!
//! ```sh
//! BULWARK_BLESS=1 cargo test --release -p bulwark-contracts --test fixtures
//! ```

mod common;

use std::fmt::Write as _;
use std::path::Path;

use ark_bn254::{Bn254, Fr};
use ark_ff::PrimeField;
use ark_groth16::Groth16;
use ark_snark::SNARK;
use bulwark_contracts::proof::fr_bytes;
use bulwark_contracts::{
    export_keyed_verifier, export_verifier_with, keyed_verifier_args, proof_words, ProofFile,
    VkFile,
};
use common::{
    crate_dir, fixture_verifier_options, keys, prove, scenario_header, scenario_pubdata,
    TEST_DIGEST,
};

/// A fixture file: where it lives (relative to the crate) and what it must hold.
struct Fixture {
    path: &'static str,
    text: String,
}

fn hex32(b: &[u8; 32]) -> String {
    format!("0x{}", hex::encode(b))
}

fn sol_proof(name: &str, words: &[[u8; 32]; 8], w: &mut String) {
    sol_words(name, 8, words, w);
}

fn sol_words(name: &str, n: usize, words: &[[u8; 32]], w: &mut String) {
    let _ = writeln!(
        w,
        "    function {name}() internal pure returns (uint256[{n}] memory p) {{"
    );
    let _ = writeln!(w, "        p = [");
    for (i, word) in words.iter().enumerate() {
        let sep = if i + 1 == words.len() { "" } else { "," };
        let _ = writeln!(w, "            uint256({}){sep}", hex32(word));
    }
    let _ = writeln!(w, "        ];");
    let _ = writeln!(w, "    }}");
}

fn non_subgroup_g2() -> Vec<[u8; 32]> {
    use ark_bn254::{Fq, Fq2, G2Affine};
    use ark_ec::AffineRepr;
    use bulwark_contracts::vk::fq_bytes;
    let mut x0 = 1u64;
    loop {
        let x = Fq2::new(Fq::from(x0), Fq::from(1u64));
        if let Some(p) = G2Affine::get_point_from_x_unchecked(x, false) {
            if !p.is_in_correct_subgroup_assuming_on_curve() {
                let (x, y) = p.xy().unwrap();
                return vec![
                    fq_bytes(&x.c1),
                    fq_bytes(&x.c0),
                    fq_bytes(&y.c1),
                    fq_bytes(&y.c0),
                ];
            }
        }
        x0 += 1;
    }
}

/// forge's default test contract address, the deployer in test/HubEndToEnd.t.sol.
const FORGE_TEST_CONTRACT: &str = "7fa9385be102ac3eac297483dd6233d62b3e1496";

/// The address CREATE gives the `nonce`-th contract deployed by `deployer` (nonce < 0x80).
fn create_address(deployer: [u8; 20], nonce: u8) -> [u8; 20] {
    use sha3::{Digest, Keccak256};
    let mut rlp = vec![0xd6, 0x94];
    rlp.extend(deployer);
    rlp.push(nonce);
    Keccak256::digest(&rlp)[12..].try_into().unwrap()
}

/// A batch for test/HubEndToEnd.t.sol: chain 7, batch 0 of a hub deployed second by the
/// test contract (after the verifier); one deposit creating account 0 (`depositNew`), one
/// transfer, one withdrawal, one noop, two ops per leaf. The public input is computed here from l1-interface.md, independently
/// of the hub, and proved with the test circuit.
fn hub_scenario(pk: &ark_groth16::ProvingKey<Bn254>, w: &mut String) {
    use bulwark_contracts::public_input;
    let deployer: [u8; 20] = hex::decode(FORGE_TEST_CONTRACT)
        .unwrap()
        .try_into()
        .unwrap();
    let hub = create_address(deployer, 2);
    let pubdata = scenario_pubdata();
    let header = scenario_header(hub);
    let input_bytes = public_input(&header);
    let input = Fr::from_be_bytes_mod_order(&input_bytes);
    assert_eq!(fr_bytes(&input), input_bytes, "253-bit input is below r");
    let proof = prove(pk, input, 4);
    let _ = writeln!(
        w,
        "    // Hub end-to-end scenario (see tests/fixtures.rs, hub_scenario)."
    );
    let _ = writeln!(
        w,
        "    address internal constant HUB = 0x{};",
        to_checksum(&hub)
    );
    let _ = writeln!(
        w,
        "    bytes internal constant HUB_PUBDATA = hex\"{}\";",
        hex::encode(&pubdata)
    );
    let _ = writeln!(
        w,
        "    bytes32 internal constant HUB_COMMITMENT = {};",
        hex32(&header.pubdata_commitment)
    );
    let _ = writeln!(
        w,
        "    uint256 internal constant HUB_INPUT = {};",
        hex32(&input_bytes)
    );
    sol_proof("hubProof", &proof_words(&proof), w);
}

/// EIP-55 mixed-case hex of an address (solc refuses other spellings of literals).
fn to_checksum(addr: &[u8; 20]) -> String {
    use sha3::{Digest, Keccak256};
    let lower = hex::encode(addr);
    let hash = Keccak256::digest(lower.as_bytes());
    lower
        .chars()
        .enumerate()
        .map(|(i, ch)| {
            let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0xf;
            if ch.is_ascii_alphabetic() && nibble >= 8 {
                ch.to_ascii_uppercase()
            } else {
                ch
            }
        })
        .collect()
}

fn fixtures() -> Vec<Fixture> {
    let (pk, vk) = keys();
    let vk_file = VkFile::from_vk(&vk, TEST_DIGEST).unwrap();
    let verifier = export_verifier_with(&vk, &fixture_verifier_options()).unwrap();

    // Proofs for a typical input, for 0 (x·IC1 is the point at infinity) and for r − 1.
    let typical = Fr::from_be_bytes_mod_order(b"bulwark fixture public input");
    let r_minus_1 = -Fr::from(1u64);
    let cases = [
        ("proofTypical", "INPUT_TYPICAL", typical, 1u64),
        ("proofZero", "INPUT_ZERO", Fr::from(0u64), 2),
        ("proofMax", "INPUT_MAX", r_minus_1, 3),
    ];
    let mut sol = String::new();
    let _ = writeln!(sol, "// SPDX-License-Identifier: MIT OR Apache-2.0");
    let _ = writeln!(
        sol,
        "// Generated by `BULWARK_BLESS=1 cargo test --release -p bulwark-contracts --test fixtures`."
    );
    let _ = writeln!(
        sol,
        "// Do not edit: Groth16 proofs made by arkworks for test/fixtures/vk.json."
    );
    let _ = writeln!(sol, "pragma solidity ^0.8.24;");
    let _ = writeln!(sol);
    let _ = writeln!(
        sol,
        "/// @notice Proof fixtures for FixtureGroth16Verifier."
    );
    let _ = writeln!(sol, "library Fixtures {{");
    let mut proof_json = None;
    for (fname, cname, x, seed) in cases {
        let proof = prove(&pk, x, seed);
        assert!(Groth16::<Bn254>::verify(&vk, &[x], &proof).unwrap());
        assert!(!Groth16::<Bn254>::verify(&vk, &[x + Fr::from(1u64)], &proof).unwrap());
        let _ = writeln!(
            sol,
            "    uint256 internal constant {cname} = {};",
            hex32(&fr_bytes(&x))
        );
        sol_proof(fname, &proof_words(&proof), &mut sol);
        if proof_json.is_none() {
            proof_json = Some(ProofFile::new(&proof, &x, TEST_DIGEST));
        }
    }
    // An on-curve G2 point outside the order-r subgroup (the twist has a large cofactor): the
    // pairing precompile must refuse it in B.
    let bad = non_subgroup_g2();
    let _ = writeln!(
        sol,
        "    /// @notice A G2 point on the twist but outside the order-r subgroup (EIP-197 order)."
    );
    sol_words("g2NotInSubgroup", 4, &bad, &mut sol);
    // The keyed verifier's constructor arguments for the same key.
    let (digest, key) = keyed_verifier_args(&vk_file).unwrap();
    let _ = writeln!(
        sol,
        "    /// @notice The KeyedGroth16Verifier constructor's arguments for test/fixtures/vk.json."
    );
    let _ = writeln!(
        sol,
        "    bytes32 internal constant KEY_DIGEST = {};",
        hex32(&digest)
    );
    sol_words("keyedKey", 18, &key, &mut sol);
    hub_scenario(&pk, &mut sol);
    let _ = writeln!(sol, "}}");
    let mut proof_text = serde_json::to_string_pretty(&proof_json.unwrap()).unwrap();
    proof_text.push('\n');

    vec![
        Fixture {
            path: "test/fixtures/vk.json",
            text: vk_file.to_json(),
        },
        Fixture {
            path: "test/fixtures/proof.json",
            text: proof_text,
        },
        Fixture {
            path: "test/fixtures/FixtureGroth16Verifier.sol",
            text: verifier,
        },
        Fixture {
            path: "test/fixtures/Fixtures.sol",
            text: sol,
        },
        // Key-independent; compiled by artifacts.sh into artifacts/KeyedGroth16Verifier.json.
        Fixture {
            path: "src/KeyedGroth16Verifier.sol",
            text: export_keyed_verifier(),
        },
    ]
}

#[test]
fn fixtures_are_current() {
    let bless = std::env::var_os("BULWARK_BLESS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for f in fixtures() {
        let path = crate_dir().join(f.path);
        if bless {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &f.text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(f.text.as_str()) {
            stale.push(f.path);
        }
    }
    assert!(
        stale.is_empty(),
        "stale fixtures {stale:?}: regenerate with \
         `BULWARK_BLESS=1 cargo test --release -p bulwark-contracts --test fixtures`"
    );
}

#[test]
fn vk_file_round_trips() {
    let (_, vk) = keys();
    let file = VkFile::from_vk(&vk, TEST_DIGEST).unwrap();
    let back = VkFile::from_json(&file.to_json()).unwrap();
    assert_eq!(back.to_vk().unwrap(), vk);
    assert_eq!(back.circuit_digest().unwrap(), TEST_DIGEST);
    let _ = Path::new("");
}
