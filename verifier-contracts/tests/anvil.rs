//! End to end on a real node: starts anvil (npm `@foundry-rs/anvil-linux-amd64`, installed by
//! `install.sh`), deploys the fixture verifier and the hub through alloy from the checked-in
//! artifacts, verifies a real Groth16 proof on-chain, and settles one batch: depositNew ->
//! commit -> prove (a proof made here for the public input the Rust reference computes for
//! this hub's address) -> execute -> claim. Reverts come back as the contracts' errors.

mod common;

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use alloy::network::EthereumWallet;
use alloy::primitives::{Address, Bytes, FixedBytes, U256};
use alloy::providers::{Provider, ProviderBuilder};
use alloy::signers::local::PrivateKeySigner;
use alloy::transports::http::reqwest::Url;
use ark_bn254::Fr;
use ark_ff::PrimeField;
use bulwark_contracts::bindings::{BulwarkHub, Groth16Verifier};
use bulwark_contracts::deploy::{call_error, send};
use bulwark_contracts::{
    deploy, proof_words, public_input, ContractArtifact, ContractsError, ProofFile,
};
use common::{
    crate_dir, keys, prove, scenario_header, scenario_pubdata, SCENARIO_RECIPIENT, TEST_DIGEST,
};

/// anvil's first two dev accounts (its fixed test mnemonic).
const OWNER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const USER_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const CHAIN: u64 = 7;
const RECIPIENT: Address = Address::new(SCENARIO_RECIPIENT);

/// A running anvil, killed (by its own handle) when dropped.
struct Anvil {
    child: Child,
    url: Url,
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_anvil() -> Anvil {
    let dir = crate_dir();
    let installed = Command::new("bash")
        .arg(dir.join("install.sh"))
        .status()
        .expect("FAILURE: cannot run verifier-contracts/install.sh (needs bash, node, npm)");
    assert!(
        installed.success(),
        "FAILURE: verifier-contracts/install.sh failed: anvil comes from npm \
         (@foundry-rs/anvil-linux-amd64, package-lock.json)"
    );
    let bin = dir.join("node_modules/.bin/anvil");
    assert!(
        bin.exists(),
        "FAILURE: {} is missing after install.sh: run `npm ci` in verifier-contracts",
        bin.display()
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port();
    let child = Command::new(&bin)
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--silent",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("FAILURE: anvil does not start");
    let anvil = Anvil {
        child,
        url: format!("http://127.0.0.1:{port}").parse().unwrap(),
    };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "FAILURE: anvil did not listen on port {port} within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    anvil
}

fn words(w: &[[u8; 32]; 8]) -> [U256; 8] {
    w.map(|b| U256::from_be_bytes(b))
}

async fn advance_time<P: Provider>(provider: &P, seconds: u64) {
    let _: serde_json::Value = provider
        .raw_request("evm_increaseTime".into(), (seconds,))
        .await
        .unwrap();
    let _: serde_json::Value = provider.raw_request("evm_mine".into(), ()).await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn deploy_verify_and_settle_a_batch_on_anvil() {
    let anvil = start_anvil();
    tokio::time::timeout(Duration::from_secs(180), round(&anvil))
        .await
        .expect("FAILURE: the anvil round took over 180 s (see the last step printed)");
}

async fn round(anvil: &Anvil) {
    let owner_signer: PrivateKeySigner = OWNER_KEY.parse().unwrap();
    let user_signer: PrivateKeySigner = USER_KEY.parse().unwrap();
    let (owner, user) = (owner_signer.address(), user_signer.address());
    let mut wallet = EthereumWallet::new(owner_signer); // the default sender
    wallet.register_signer(user_signer);
    let provider = ProviderBuilder::new()
        .wallet(wallet)
        .connect_http(anvil.url.clone());

    eprintln!("step: deploy");
    let d = deploy(
        &provider,
        &ContractArtifact::fixture_verifier(),
        owner,
        Address::repeat_byte(0x99),
    )
    .await
    .unwrap();

    eprintln!("step: verify");
    // A real Groth16 proof (arkworks, test/fixtures/proof.json) verifies on-chain.
    let verifier = Groth16Verifier::new(d.verifier, &provider);
    let file = ProofFile::from_json(
        &std::fs::read_to_string(crate_dir().join("test/fixtures/proof.json")).unwrap(),
    )
    .unwrap();
    let proof: [U256; 8] = std::array::from_fn(|i| file.proof[i].parse().unwrap());
    let input: U256 = file.public_input.parse().unwrap();
    assert!(verifier.verifyProof(proof, input).call().await.unwrap());
    assert_eq!(
        verifier.CIRCUIT_DIGEST().call().await.unwrap(),
        FixedBytes::from(TEST_DIGEST)
    );
    let err = verifier
        .verifyProof(proof, input ^ U256::from(1))
        .call()
        .await
        .unwrap_err();
    assert_eq!(
        call_error("verifyProof", err).to_string(),
        "verifyProof reverted: ProofInvalid(ProofInvalid)"
    );

    eprintln!("step: governance");
    // Governance through the timelock: a route (K = 2, up to 64 leaves) and chain 7.
    let hub = BulwarkHub::new(d.hub, &provider);
    let genesis = FixedBytes::from([0x11; 32]);
    let max_balance = (1u64 << 62) - 1;
    let calls = [
        hub.addRoute(d.verifier, 2, 64).calldata().clone(),
        hub.registerChain(CHAIN, genesis, 0, owner, max_balance, 32)
            .calldata()
            .clone(),
    ];
    for c in &calls {
        send("schedule", hub.schedule(c.clone())).await.unwrap();
    }
    advance_time(&provider, 2 * 86_400).await;
    for c in &calls {
        send("executeScheduled", hub.executeScheduled(c.clone()))
            .await
            .unwrap();
    }
    let one_ether = U256::from(10u64).pow(U256::from(18));
    send("bond", hub.bond().value(one_ether)).await.unwrap();

    eprintln!("step: deposit");
    // A deposit creating account 0; crediting an account nobody created is refused.
    let gwei = U256::from(1_000_000_000u64);
    send(
        "depositNew",
        hub.depositNew(CHAIN, Bytes::from(vec![0xab; 40]))
            .value(U256::from(1_000_000u64) * gwei)
            .from(user),
    )
    .await
    .unwrap();
    let refused = send(
        "BulwarkHub.depositTo",
        hub.depositTo(CHAIN, 5).value(gwei).from(user),
    )
    .await
    .unwrap_err();
    assert!(matches!(refused, ContractsError::Reverted { .. }));
    assert_eq!(
        refused.to_string(),
        "BulwarkHub.depositTo reverted: UnknownAccount(UnknownAccount { account: 5 })"
    );

    eprintln!("step: commit");
    // Commit: the hub's public input equals the Rust reference for this hub's address.
    let pubdata = scenario_pubdata();
    let new_root = FixedBytes::from([0x22; 32]);
    let receipt = send(
        "commitBatch",
        hub.commitBatch(CHAIN, new_root, 0, Bytes::from(pubdata.clone())),
    )
    .await
    .unwrap();
    let info = receipt
        .decoded_log::<BulwarkHub::BatchCommitted>()
        .expect("a BatchCommitted event")
        .data
        .info
        .clone();
    let header = scenario_header(d.hub.into_array());
    let input = public_input(&header);
    assert_eq!(info.publicInput, FixedBytes::from(input));

    eprintln!("step: prove");
    // Prove with a proof of that input; a flipped proof word is refused in words.
    let (pk, _) = keys();
    let proof = words(&proof_words(&prove(
        &pk,
        Fr::from_be_bytes_mod_order(&input),
        9,
    )));
    let mut bad = proof;
    bad[7] ^= U256::from(1);
    eprintln!("step: bad proof");
    let refused = hub
        .proveBatch(CHAIN, info.clone(), bad)
        .call()
        .await
        .unwrap_err();
    let text = call_error("proveBatch", refused).to_string();
    assert!(
        text.contains("ProofMalformed") || text.contains("ProofInvalid"),
        "{text}"
    );
    eprintln!("step: good proof");
    send("proveBatch", hub.proveBatch(CHAIN, info.clone(), proof))
        .await
        .unwrap();

    eprintln!("step: execute");
    // Execute credits the withdrawal; claim pays it.
    let mut withdrawals = RECIPIENT.to_vec();
    withdrawals.extend(400_000u64.to_be_bytes());
    send(
        "executeBatch",
        hub.executeBatch(CHAIN, info, Bytes::from(withdrawals)),
    )
    .await
    .unwrap();
    send("claim", hub.claim(RECIPIENT)).await.unwrap();
    assert_eq!(
        provider.get_balance(RECIPIENT).await.unwrap(),
        U256::from(400_000u64) * gwei
    );
    let chain = hub.chainInfo(CHAIN).call().await.unwrap();
    assert_eq!(chain.finalizedRoot, new_root);
    assert_eq!(chain.escrow, U256::from(600_000u64) * gwei);
}
