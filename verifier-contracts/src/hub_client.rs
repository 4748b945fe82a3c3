//! One typed client of the hub (and its verifier) over any [`L1Backend`]: deploys the keyed
//! verifier for a [`VkFile`] and the hub, runs governance through the timelock, and makes
//! every call a rollup flow needs. Each transaction is first run as a call: one that would
//! revert is refused with the contract's error in words and never sent. Each returns its
//! gas ([`Sent`]).

use std::collections::BTreeMap;

use alloy::primitives::{Address, Bytes, FixedBytes, U256};
use alloy::sol_types::{SolCall, SolConstructor, SolEvent};

use crate::artifacts::ContractArtifact;
use crate::backend::{CallOutcome, L1Backend, TxReceipt, TxRequest};
use crate::bindings::{BulwarkHub, Groth16Verifier, KeyedGroth16Verifier};
use crate::deploy::revert_reason;
use crate::error::ContractsError;
use crate::solidity::{keyed_verifier_args, KEY_WORD_NAMES};
use crate::vk::VkFile;

/// The record `commitBatch` returns (in its `BatchCommitted` event) and `proveBatch` and
/// `executeBatch` take back.
pub type BatchInfo = BulwarkHub::BatchInfo;

/// What a transaction gave back, with what it cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent<T> {
    /// The result (from the return data or the events).
    pub value: T,
    /// Gas used, summed over the transactions this step sent (see [`TxReceipt::gas_used`]).
    pub gas_used: u64,
    /// Calldata bytes sent, summed likewise.
    pub calldata_bytes: usize,
    /// Calldata tokens (EIP-7623: zero bytes + 4 × non-zero bytes), summed likewise: the
    /// calldata's gas is 4 per token, or 10 per token where the floor binds.
    pub calldata_tokens: u64,
    /// Transactions sent.
    pub transactions: u32,
}

impl Sent<TxReceipt> {
    fn new(receipt: TxReceipt, data: &[u8]) -> Self {
        Sent {
            gas_used: receipt.gas_used,
            calldata_bytes: data.len(),
            calldata_tokens: data.iter().map(|&b| if b == 0 { 1 } else { 4 }).sum(),
            transactions: 1,
            value: receipt,
        }
    }
}

impl<T> Sent<T> {
    /// The same costs with another value.
    pub fn with<U>(&self, value: U) -> Sent<U> {
        Sent {
            value,
            gas_used: self.gas_used,
            calldata_bytes: self.calldata_bytes,
            calldata_tokens: self.calldata_tokens,
            transactions: self.transactions,
        }
    }

    /// These costs plus `other`'s.
    fn plus<U>(mut self, other: &Sent<U>) -> Self {
        self.gas_used += other.gas_used;
        self.calldata_bytes += other.calldata_bytes;
        self.calldata_tokens += other.calldata_tokens;
        self.transactions += other.transactions;
        self
    }
}

/// A consumer chain to register, with the verifier route it is proved under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainConfig {
    /// The consumer chain's id (in every public input).
    pub chain_id: u64,
    /// The root of its empty account tree (`docs/l1-interface.md`).
    pub genesis_root: [u8; 32],
    /// Who may commit, prove and execute its batches (must be bonded).
    pub operator: Address,
    /// Largest L2 balance and escrow cap, in gwei units (at most 2^62 − 1).
    pub max_balance: u64,
    /// Depth of its account tree (1..=32).
    pub tree_depth: u8,
    /// Ops per leaf proof (K) of the route.
    pub ops_per_leaf: u32,
    /// Most leaves a batch may have (a power of two) on the route.
    pub max_leaves: u32,
}

/// A deposit the hub queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueuedDeposit {
    /// Its position in the chain's deposit queue.
    pub queue_index: u64,
    /// The account it credits (for `depositNew`: the one the hub allocated).
    pub account: u32,
    /// The amount in gwei units.
    pub amount: u64,
}

/// A chain's counters (`chainCounters`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainCounters {
    /// Batches committed (the next batch index).
    pub committed: u64,
    /// Batches proved.
    pub proved: u64,
    /// Batches executed.
    pub executed: u64,
    /// Deposits queued.
    pub deposit_count: u64,
    /// Deposits consumed by committed batches.
    pub deposit_committed: u64,
    /// Deposits consumed by executed batches.
    pub deposit_executed: u64,
}

/// A hub (and its verifier) on an L1. See the module docs.
#[derive(Debug)]
pub struct HubClient<B: L1Backend> {
    l1: B,
    hub: Address,
    verifier: Address,
}

/// The keyed verifier's constructor calldata for `vk` and the runtime code its deployment
/// must hold.
fn keyed_verifier_code(vk: &VkFile) -> Result<(Vec<u8>, Vec<u8>), ContractsError> {
    let artifact = ContractArtifact::keyed_verifier();
    let (digest, words) = keyed_verifier_args(vk)?;
    let mut values = BTreeMap::new();
    values.insert("CIRCUIT_DIGEST", digest);
    for (name, word) in KEY_WORD_NAMES.iter().zip(words) {
        values.insert(*name, word);
    }
    let runtime = artifact.runtime_code_with(&values)?;
    let mut creation = artifact.creation_code()?;
    creation.extend(
        KeyedGroth16Verifier::constructorCall {
            circuitDigest: FixedBytes::from(digest),
            key: words.map(U256::from_be_bytes),
        }
        .abi_encode(),
    );
    Ok((creation, runtime))
}

/// Deploys the keyed verifier (`artifacts/KeyedGroth16Verifier.json`) with `vk` given to its
/// constructor, then checks that the chain holds exactly the artifact's runtime code with
/// the key's words in its immutables. Returns the verifier's address.
pub fn deploy_keyed_verifier<B: L1Backend>(
    l1: &mut B,
    from: Address,
    vk: &VkFile,
) -> Result<Sent<Address>, ContractsError> {
    let (creation, runtime) = keyed_verifier_code(vk)?;
    let sent = create(l1, "deploy KeyedGroth16Verifier", from, creation)?;
    let code = l1.code_at(sent.value)?;
    if code.as_ref() != runtime.as_slice() {
        return Err(ContractsError::Deployed {
            contract: "KeyedGroth16Verifier".into(),
            address: sent.value.to_string(),
            reason: "runtime code differs from the artifact's with the key's immutables".into(),
        });
    }
    Ok(sent)
}

/// Deploys a verifier with its key embedded as constants (an artifact `./artifacts.sh` made
/// from `bulwark export-verifier`'s source), then checks that the chain holds exactly the
/// artifact's runtime code. Returns its address.
pub fn deploy_verifier<B: L1Backend>(
    l1: &mut B,
    from: Address,
    artifact: &ContractArtifact,
) -> Result<Sent<Address>, ContractsError> {
    let sent = create(l1, "deploy verifier", from, artifact.creation_code()?)?;
    let runtime = artifact.runtime_code_with(&BTreeMap::new())?;
    if l1.code_at(sent.value)?.as_ref() != runtime.as_slice() {
        return Err(ContractsError::Deployed {
            contract: artifact.contract_name.clone(),
            address: sent.value.to_string(),
            reason: "runtime code differs from the artifact's deployedBytecode".into(),
        });
    }
    Ok(sent)
}

/// Creates a contract, first as a call so a reverting constructor is refused in words.
fn create<B: L1Backend>(
    l1: &mut B,
    what: &'static str,
    from: Address,
    code: Vec<u8>,
) -> Result<Sent<Address>, ContractsError> {
    let tx = TxRequest {
        from,
        to: None,
        value: U256::ZERO,
        data: code.into(),
    };
    let sent = Sent::new(checked_send(l1, what, &tx)?, &tx.data);
    let address = sent
        .value
        .contract_address
        .ok_or_else(|| ContractsError::Decode {
            call: what,
            reason: "the receipt names no created contract".into(),
        })?;
    Ok(sent.with(address))
}

/// Runs `tx` as a call, refusing it in words if it would revert, then sends it.
fn checked_send<B: L1Backend>(
    l1: &mut B,
    what: &'static str,
    tx: &TxRequest,
) -> Result<TxReceipt, ContractsError> {
    if let CallOutcome::Reverted(data) = l1.call(tx)? {
        return Err(ContractsError::Reverted {
            call: what,
            reason: revert_reason(&data),
        });
    }
    let receipt = l1.send(tx)?;
    if !receipt.success {
        // It passed as a call just before: the state moved in between. Say why it failed
        // now, where the backend knows.
        let reason = match &receipt.revert_data {
            Some(data) => revert_reason(data),
            None => match l1.call(tx)? {
                CallOutcome::Reverted(data) => revert_reason(&data),
                CallOutcome::Returned(_) => format!(
                    "mined in block {} with status 0; the same call now succeeds",
                    receipt.block_number
                ),
            },
        };
        return Err(ContractsError::Reverted { call: what, reason });
    }
    Ok(receipt)
}

impl<B: L1Backend> HubClient<B> {
    /// Deploys the keyed verifier for `vk` and a hub owned by `owner` (with `guardian`), both
    /// sent from `owner`. Returns the client and the two deployments' gas.
    pub fn deploy(
        mut l1: B,
        vk: &VkFile,
        owner: Address,
        guardian: Address,
    ) -> Result<(Self, Sent<()>), ContractsError> {
        let verifier = deploy_keyed_verifier(&mut l1, owner, vk)?;
        let mut creation = ContractArtifact::hub().creation_code()?;
        creation.extend(
            BulwarkHub::constructorCall {
                owner_: owner,
                guardian_: guardian,
            }
            .abi_encode(),
        );
        let hub = create(&mut l1, "deploy BulwarkHub", owner, creation)?;
        let gas = verifier.with(()).plus(&hub);
        Ok((
            HubClient {
                l1,
                hub: hub.value,
                verifier: verifier.value,
            },
            gas,
        ))
    }

    /// A client of a hub and verifier already deployed.
    pub fn at(l1: B, hub: Address, verifier: Address) -> Self {
        HubClient { l1, hub, verifier }
    }

    /// The hub's address.
    pub fn hub(&self) -> Address {
        self.hub
    }

    /// The verifier's address.
    pub fn verifier(&self) -> Address {
        self.verifier
    }

    /// The L1 (balances, code, time, raw transactions).
    pub fn l1(&mut self) -> &mut B {
        &mut self.l1
    }

    /// Gives the L1 back.
    pub fn into_l1(self) -> B {
        self.l1
    }

    /// Sends `call` to `to` with `value` wei from `from`, after checking it as a call.
    fn transact<C: SolCall>(
        &mut self,
        what: &'static str,
        from: Address,
        to: Address,
        value: U256,
        call: &C,
    ) -> Result<Sent<TxReceipt>, ContractsError> {
        let tx = TxRequest {
            from,
            to: Some(to),
            value,
            data: Bytes::from(call.abi_encode()),
        };
        Ok(Sent::new(checked_send(&mut self.l1, what, &tx)?, &tx.data))
    }

    /// A view of contract `to`, decoded.
    fn view<C: SolCall>(
        &mut self,
        what: &'static str,
        to: Address,
        call: &C,
    ) -> Result<C::Return, ContractsError> {
        let tx = TxRequest {
            from: Address::ZERO,
            to: Some(to),
            value: U256::ZERO,
            data: Bytes::from(call.abi_encode()),
        };
        match self.l1.call(&tx)? {
            CallOutcome::Returned(data) => {
                C::abi_decode_returns(&data).map_err(|e| ContractsError::Decode {
                    call: what,
                    reason: e.to_string(),
                })
            }
            CallOutcome::Reverted(data) => Err(ContractsError::Reverted {
                call: what,
                reason: revert_reason(&data),
            }),
        }
    }

    /// The first event `E` the hub emitted in `receipt`.
    fn event<E: SolEvent>(
        &self,
        what: &'static str,
        receipt: &TxReceipt,
    ) -> Result<E, ContractsError> {
        receipt
            .logs
            .iter()
            .filter(|l| l.address == self.hub)
            .find_map(|l| E::decode_log_data(&l.data).ok())
            .ok_or_else(|| ContractsError::Decode {
                call: what,
                reason: format!("no {} event from the hub", E::SIGNATURE),
            })
    }

    /// Runs governance calls (each an ABI-encoded call to the hub) through the timelock:
    /// `schedule` each, move time past `GOVERNANCE_DELAY`, `executeScheduled` each, in order.
    pub fn govern(&mut self, owner: Address, calls: &[Bytes]) -> Result<Sent<()>, ContractsError> {
        let mut sent = Sent {
            value: (),
            gas_used: 0,
            calldata_bytes: 0,
            calldata_tokens: 0,
            transactions: 0,
        };
        let mut ready_at = 0u64;
        for c in calls {
            let call = BulwarkHub::scheduleCall { data: c.clone() };
            let scheduled = self.transact("schedule", owner, self.hub, U256::ZERO, &call)?;
            let at = self
                .event::<BulwarkHub::CallScheduled>("schedule", &scheduled.value)?
                .executableAt;
            ready_at = ready_at.max(u64::try_from(at).unwrap_or(u64::MAX));
            sent = sent.plus(&scheduled);
        }
        let now = self.l1.timestamp()?;
        if ready_at > now {
            self.l1.advance_time(ready_at - now)?;
        }
        for c in calls {
            let call = BulwarkHub::executeScheduledCall { data: c.clone() };
            let executed = self.transact("executeScheduled", owner, self.hub, U256::ZERO, &call)?;
            sent = sent.plus(&executed);
        }
        Ok(sent)
    }

    /// Governance: adds a route to this client's verifier with the chain's batch shape and
    /// registers the chain on it, in one timelock round. Returns the route id.
    pub fn register_chain(
        &mut self,
        owner: Address,
        chain: &ChainConfig,
    ) -> Result<Sent<u32>, ContractsError> {
        let routes = self.view("routeCount", self.hub, &BulwarkHub::routeCountCall {})?;
        let route = u32::try_from(routes).map_err(|_| ContractsError::Decode {
            call: "routeCount",
            reason: format!("{routes} routes"),
        })?;
        let calls = [
            Bytes::from(
                BulwarkHub::addRouteCall {
                    verifier: self.verifier,
                    opsPerLeaf: chain.ops_per_leaf,
                    maxLeaves: chain.max_leaves,
                }
                .abi_encode(),
            ),
            Bytes::from(
                BulwarkHub::registerChainCall {
                    chainId: chain.chain_id,
                    genesisRoot: chain.genesis_root.into(),
                    routeId: route,
                    operator_: chain.operator,
                    maxBalance: chain.max_balance,
                    treeDepth: chain.tree_depth,
                }
                .abi_encode(),
            ),
        ];
        Ok(self.govern(owner, &calls)?.with(route))
    }

    /// Adds `wei` to `from`'s operator bond.
    pub fn bond(&mut self, from: Address, wei: U256) -> Result<Sent<()>, ContractsError> {
        let sent = self.transact("bond", from, self.hub, wei, &BulwarkHub::bondCall {})?;
        Ok(sent.with(()))
    }

    /// Deposits `wei` (whole gwei) into a new account owned by `public_key` (40 bytes);
    /// the hub allocates the account index.
    pub fn deposit_new(
        &mut self,
        from: Address,
        chain_id: u64,
        public_key: &[u8],
        wei: U256,
    ) -> Result<Sent<QueuedDeposit>, ContractsError> {
        let call = BulwarkHub::depositNewCall {
            chainId: chain_id,
            publicKey: Bytes::copy_from_slice(public_key),
        };
        let sent = self.transact("depositNew", from, self.hub, wei, &call)?;
        let queued = self.queued("depositNew", &sent.value)?;
        Ok(sent.with(queued))
    }

    /// Deposits `wei` (whole gwei) to an existing account.
    pub fn deposit_to(
        &mut self,
        from: Address,
        chain_id: u64,
        account: u32,
        wei: U256,
    ) -> Result<Sent<QueuedDeposit>, ContractsError> {
        let call = BulwarkHub::depositToCall {
            chainId: chain_id,
            account,
        };
        let sent = self.transact("depositTo", from, self.hub, wei, &call)?;
        let queued = self.queued("depositTo", &sent.value)?;
        Ok(sent.with(queued))
    }

    fn queued(
        &self,
        what: &'static str,
        receipt: &TxReceipt,
    ) -> Result<QueuedDeposit, ContractsError> {
        let e = self.event::<BulwarkHub::DepositQueued>(what, receipt)?;
        Ok(QueuedDeposit {
            queue_index: e.queueIndex,
            account: e.account,
            amount: e.amount,
        })
    }

    /// Commits the chain's next batch: its new root, fee recipient and padded pubdata.
    /// Returns the [`BatchInfo`] the hub recorded (from its `BatchCommitted` event), whose
    /// `publicInput` is what the batch's proof must prove.
    pub fn commit_batch(
        &mut self,
        from: Address,
        chain_id: u64,
        new_root: [u8; 32],
        fee_recipient: u32,
        pubdata: &[u8],
    ) -> Result<Sent<BatchInfo>, ContractsError> {
        let call = BulwarkHub::commitBatchCall {
            chainId: chain_id,
            newRoot: new_root.into(),
            feeRecipient: fee_recipient,
            pubdata: Bytes::copy_from_slice(pubdata),
        };
        let sent = self.transact("commitBatch", from, self.hub, U256::ZERO, &call)?;
        let info = self
            .event::<BulwarkHub::BatchCommitted>("commitBatch", &sent.value)?
            .info;
        Ok(sent.with(info))
    }

    /// Proves the chain's next committed batch with a Groth16 proof (the eight words of
    /// [`crate::proof_words`]).
    pub fn prove_batch(
        &mut self,
        from: Address,
        chain_id: u64,
        info: &BatchInfo,
        proof: &[[u8; 32]; 8],
    ) -> Result<Sent<()>, ContractsError> {
        let call = BulwarkHub::proveBatchCall {
            chainId: chain_id,
            info: info.clone(),
            proof: proof.map(U256::from_be_bytes),
        };
        let sent = self.transact("proveBatch", from, self.hub, U256::ZERO, &call)?;
        Ok(sent.with(()))
    }

    /// Executes the chain's next proved batch: its root becomes final and its withdrawals
    /// (`withdrawals`: [`crate::withdrawals_from_pubdata`] of its pubdata) are credited.
    pub fn execute_batch(
        &mut self,
        from: Address,
        chain_id: u64,
        info: &BatchInfo,
        withdrawals: &[u8],
    ) -> Result<Sent<()>, ContractsError> {
        let call = BulwarkHub::executeBatchCall {
            chainId: chain_id,
            info: info.clone(),
            withdrawals: Bytes::copy_from_slice(withdrawals),
        };
        let sent = self.transact("executeBatch", from, self.hub, U256::ZERO, &call)?;
        Ok(sent.with(()))
    }

    /// Drops every committed, unproved batch of the chain (`revertBatches`); `last_proved` is
    /// the record of the last proved, unexecuted batch, or any record when there is none.
    pub fn revert_batches(
        &mut self,
        from: Address,
        chain_id: u64,
        last_proved: &BatchInfo,
    ) -> Result<Sent<()>, ContractsError> {
        let call = BulwarkHub::revertBatchesCall {
            chainId: chain_id,
            lastProved: last_proved.clone(),
        };
        let sent = self.transact("revertBatches", from, self.hub, U256::ZERO, &call)?;
        Ok(sent.with(()))
    }

    /// Pays `account` everything credited to it; returns the wei paid.
    pub fn claim(&mut self, from: Address, account: Address) -> Result<Sent<U256>, ContractsError> {
        let call = BulwarkHub::claimCall { account };
        let sent = self.transact("claim", from, self.hub, U256::ZERO, &call)?;
        let paid = self
            .event::<BulwarkHub::Claimed>("claim", &sent.value)?
            .amountWei;
        Ok(sent.with(paid))
    }

    /// A chain's settings, roots and escrow (`chainInfo`).
    pub fn chain_info(
        &mut self,
        chain_id: u64,
    ) -> Result<BulwarkHub::chainInfoReturn, ContractsError> {
        self.view(
            "chainInfo",
            self.hub,
            &BulwarkHub::chainInfoCall { chainId: chain_id },
        )
    }

    /// The root of the chain's last executed batch (its genesis root before any).
    pub fn finalized_root(&mut self, chain_id: u64) -> Result<[u8; 32], ContractsError> {
        Ok(self.chain_info(chain_id)?.finalizedRoot.0)
    }

    /// The wei the hub holds for the chain's users.
    pub fn escrow(&mut self, chain_id: u64) -> Result<U256, ContractsError> {
        Ok(self.chain_info(chain_id)?.escrow)
    }

    /// The chain's batch and deposit counters.
    pub fn chain_counters(&mut self, chain_id: u64) -> Result<ChainCounters, ContractsError> {
        let c = self.view(
            "chainCounters",
            self.hub,
            &BulwarkHub::chainCountersCall { chainId: chain_id },
        )?;
        Ok(ChainCounters {
            committed: c.committed,
            proved: c.proved,
            executed: c.executed,
            deposit_count: c.depositCount,
            deposit_committed: c.depositCommitted,
            deposit_executed: c.depositExecuted,
        })
    }

    /// The number of accounts deposits created on the chain (the next account index).
    pub fn account_count(&mut self, chain_id: u64) -> Result<u64, ContractsError> {
        let a = self.view(
            "accountSpace",
            self.hub,
            &BulwarkHub::accountSpaceCall { chainId: chain_id },
        )?;
        Ok(a.accountCount)
    }

    /// The number of deposits queued on the chain.
    pub fn deposit_count(&mut self, chain_id: u64) -> Result<u64, ContractsError> {
        Ok(self.chain_counters(chain_id)?.deposit_count)
    }

    /// The wei credited to `account` and not yet claimed.
    pub fn withdrawable(&mut self, account: Address) -> Result<U256, ContractsError> {
        self.view(
            "withdrawable",
            self.hub,
            &BulwarkHub::withdrawableCall::new((account,)),
        )
    }

    /// The verifier's `CIRCUIT_DIGEST`.
    pub fn circuit_digest(&mut self) -> Result<[u8; 32], ContractsError> {
        Ok(self
            .view(
                "CIRCUIT_DIGEST",
                self.verifier,
                &Groth16Verifier::CIRCUIT_DIGESTCall {},
            )?
            .0)
    }

    /// Runs the verifier on a proof and public input (a call: nothing is sent); `Ok` when it
    /// verifies, the verifier's error in words when not.
    pub fn verify_proof(
        &mut self,
        proof: &[[u8; 32]; 8],
        public_input: [u8; 32],
    ) -> Result<(), ContractsError> {
        let call = Groth16Verifier::verifyProofCall {
            proof: proof.map(U256::from_be_bytes),
            input: U256::from_be_bytes(public_input),
        };
        match self.view("verifyProof", self.verifier, &call)? {
            true => Ok(()),
            false => Err(ContractsError::Reverted {
                call: "verifyProof",
                reason: "returned false".into(),
            }),
        }
    }
}
