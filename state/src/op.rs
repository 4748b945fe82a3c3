//! Rollup operations, their JSON form, their signing messages and their pubdata bytes.
//!
//! # Pubdata (what goes on L1 as calldata)
//!
//! Each op type has a fixed size; integers are big-endian (as the EVM reads them), public
//! keys are their 40-byte canonical encoding, amounts and fees marked "packed" use
//! [`crate::amount`]:
//!
//! | op | bytes | layout |
//! | --- | --- | --- |
//! | `Noop` | 1 | `0x00` |
//! | `Deposit` | 61 | `0x01`, queue index (8), account (4), public key (40), amount (8) |
//! | `Transfer` | 16 | `0x02`, from (4), to (4), amount (5, packed), fee (2, packed) |
//! | `Withdraw` | 35 | `0x03`, from (4), L1 address (20), amount (8), fee (2, packed) |
//!
//! Nonces and signatures are not pubdata: the circuit checks them, and anyone replaying
//! the pubdata from genesis recovers every nonce by counting ops.

use plonky2_field::types::Field;
use serde::{Deserialize, Serialize};

use crate::amount::{AMOUNT, FEE};
use crate::ecgfp5::Fp;
use crate::error::PubdataError;
use crate::schnorr::{
    hex_bytes, PublicKey, Signature, SignatureError, PUBLIC_KEY_BYTES, SIGNATURE_BYTES,
};

/// Length of every signing message ([`Op::signing_message`]).
pub const SIGNING_MESSAGE_LEN: usize = 12;

/// The key a deposit carries to credit an existing account rather than create one (the
/// all-zero encoding, which is also the empty slot's and never a valid public key).
pub const EXISTING_ACCOUNT: [u8; PUBLIC_KEY_BYTES] = [0; PUBLIC_KEY_BYTES];

/// Checks a deposit's key as L1 does: five little-endian 64-bit limbs, each below the
/// Goldilocks modulus. Whether the key encodes a point is not checked (see
/// [`Op::Deposit`]).
pub fn check_deposit_key(key: &[u8; PUBLIC_KEY_BYTES]) -> Result<(), SignatureError> {
    crate::ecgfp5::field::decode(key)
        .map(|_| ())
        .ok_or(SignatureError::InvalidPublicKey)
}

/// A 20-byte Ethereum address.
pub type L1Address = [u8; 20];

/// Domain tag of transfer signing messages ("bwxfer").
pub const TRANSFER_TAG: u64 = 0x72_65_66_78_77_62;
/// Domain tag of withdrawal signing messages ("bwwdrw").
pub const WITHDRAW_TAG: u64 = 0x77_72_64_77_77_62;

/// One rollup operation, as a person writes it in a batch file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    /// Padding: changes nothing.
    Noop,
    /// Credits an L1 deposit, consumed from the hub's queue in order. Authorized by L1, so
    /// unsigned. A deposit with a key creates the account in an empty slot; one with
    /// [`EXISTING_ACCOUNT`] credits the account already there.
    Deposit {
        /// Position in the hub's deposit queue; must be the next unconsumed one.
        queue_index: u64,
        /// The recipient's account index.
        account: u32,
        /// The new account's public key, or [`EXISTING_ACCOUNT`] to credit an existing
        /// account. Only canonical limbs are required: a key that encodes no point makes an
        /// account nobody can spend from, the depositor's loss, and never blocks the queue.
        #[serde(with = "hex_bytes")]
        public_key: [u8; PUBLIC_KEY_BYTES],
        /// Amount credited.
        amount: u64,
    },
    /// Moves `amount` from `from` to `to`, paying `fee` to the batch's fee recipient.
    Transfer {
        /// Sender account index (the signer).
        from: u32,
        /// Recipient account index (must exist).
        to: u32,
        /// Amount moved (must be representable in the packed 5-byte form).
        amount: u64,
        /// Fee paid (must be representable in the packed 2-byte form).
        fee: u64,
        /// The sender's current nonce.
        nonce: u32,
        /// Schnorr signature by the sender over [`Op::signing_message`].
        #[serde(with = "hex_bytes")]
        signature: [u8; SIGNATURE_BYTES],
    },
    /// Burns `amount` from `from` on L2; the hub pays it to `to_l1` when the batch executes.
    Withdraw {
        /// Account index (the signer).
        from: u32,
        /// L1 recipient address.
        #[serde(with = "hex_bytes")]
        to_l1: L1Address,
        /// Amount withdrawn.
        amount: u64,
        /// Fee paid (must be representable in the packed 2-byte form).
        fee: u64,
        /// The sender's current nonce.
        nonce: u32,
        /// Schnorr signature by the sender over [`Op::signing_message`].
        #[serde(with = "hex_bytes")]
        signature: [u8; SIGNATURE_BYTES],
    },
}

/// The public part of an op: exactly what its pubdata bytes carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpPubdata {
    /// See [`Op::Noop`].
    Noop,
    /// See [`Op::Deposit`].
    Deposit {
        /// Queue position.
        queue_index: u64,
        /// Account index.
        account: u32,
        /// Recipient key.
        public_key: [u8; PUBLIC_KEY_BYTES],
        /// Amount.
        amount: u64,
    },
    /// See [`Op::Transfer`].
    Transfer {
        /// Sender.
        from: u32,
        /// Recipient.
        to: u32,
        /// Amount.
        amount: u64,
        /// Fee.
        fee: u64,
    },
    /// See [`Op::Withdraw`].
    Withdraw {
        /// Sender.
        from: u32,
        /// L1 recipient.
        to_l1: L1Address,
        /// Amount.
        amount: u64,
        /// Fee.
        fee: u64,
    },
}

/// Type bytes of the pubdata encoding.
mod tag {
    pub const NOOP: u8 = 0;
    pub const DEPOSIT: u8 = 1;
    pub const TRANSFER: u8 = 2;
    pub const WITHDRAW: u8 = 3;
}

/// Pubdata size of each op type, indexed by type byte.
pub const PUBDATA_SIZES: [usize; 4] = [1, 61, 16, 35];

impl Op {
    /// Short name of the op type, as used in JSON and error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Op::Noop => "noop",
            Op::Deposit { .. } => "deposit",
            Op::Transfer { .. } => "transfer",
            Op::Withdraw { .. } => "withdraw",
        }
    }

    /// The public part of the op.
    pub fn public(&self) -> OpPubdata {
        match *self {
            Op::Noop => OpPubdata::Noop,
            Op::Deposit {
                queue_index,
                account,
                public_key,
                amount,
            } => OpPubdata::Deposit {
                queue_index,
                account,
                public_key,
                amount,
            },
            Op::Transfer {
                from,
                to,
                amount,
                fee,
                ..
            } => OpPubdata::Transfer {
                from,
                to,
                amount,
                fee,
            },
            Op::Withdraw {
                from,
                to_l1,
                amount,
                fee,
                ..
            } => OpPubdata::Withdraw {
                from,
                to_l1,
                amount,
                fee,
            },
        }
    }

    /// The Goldilocks elements a user signs; `None` for unsigned ops.
    ///
    /// Both signed kinds have [`SIGNING_MESSAGE_LEN`] elements with the common fields at
    /// the same positions, so one circuit slot hashes either without branching:
    ///
    /// * Transfer: `[TRANSFER_TAG, chain_id lo32, chain_id hi32, from, amount, fee, nonce,
    ///   to, 0, 0, 0, 0]`.
    /// * Withdraw: `[WITHDRAW_TAG, chain_id lo32, chain_id hi32, from, amount, fee, nonce,
    ///   addr[0..4], addr[4..8], addr[8..12], addr[12..16], addr[16..20]]`, the address as
    ///   five big-endian 32-bit words.
    ///
    /// Amounts and fees are below 2^62, so each is one element.
    pub fn signing_message(&self, chain_id: u64) -> Option<Vec<Fp>> {
        let f = Fp::from_canonical_u64;
        let chain = [f(chain_id & 0xFFFF_FFFF), f(chain_id >> 32)];
        match *self {
            Op::Noop | Op::Deposit { .. } => None,
            Op::Transfer {
                from,
                to,
                amount,
                fee,
                nonce,
                ..
            } => {
                let mut m = vec![f(TRANSFER_TAG)];
                m.extend(chain);
                m.extend([f(from as u64), f(amount), f(fee), f(nonce as u64)]);
                m.extend([f(to as u64), Fp::ZERO, Fp::ZERO, Fp::ZERO, Fp::ZERO]);
                Some(m)
            }
            Op::Withdraw {
                from,
                to_l1,
                amount,
                fee,
                nonce,
                ..
            } => {
                let mut m = vec![f(WITHDRAW_TAG)];
                m.extend(chain);
                m.extend([f(from as u64), f(amount), f(fee), f(nonce as u64)]);
                m.extend(
                    to_l1
                        .chunks_exact(4)
                        .map(|w| f(u32::from_be_bytes(w.try_into().unwrap()) as u64)),
                );
                Some(m)
            }
        }
    }

    /// Builds and signs a transfer.
    pub fn signed_transfer(
        key: &crate::schnorr::SecretKey,
        chain_id: u64,
        from: u32,
        to: u32,
        amount: u64,
        fee: u64,
        nonce: u32,
    ) -> Op {
        let mut op = Op::Transfer {
            from,
            to,
            amount,
            fee,
            nonce,
            signature: [0; SIGNATURE_BYTES],
        };
        op.sign(key, chain_id);
        op
    }

    /// Builds and signs a withdrawal.
    pub fn signed_withdraw(
        key: &crate::schnorr::SecretKey,
        chain_id: u64,
        from: u32,
        to_l1: L1Address,
        amount: u64,
        fee: u64,
        nonce: u32,
    ) -> Op {
        let mut op = Op::Withdraw {
            from,
            to_l1,
            amount,
            fee,
            nonce,
            signature: [0; SIGNATURE_BYTES],
        };
        op.sign(key, chain_id);
        op
    }

    /// (Re)signs a user op in place; does nothing to unsigned ops.
    pub fn sign(&mut self, key: &crate::schnorr::SecretKey, chain_id: u64) {
        if let Some(msg) = self.signing_message(chain_id) {
            let sig = key.sign(&msg).to_bytes();
            if let Op::Transfer { signature, .. } | Op::Withdraw { signature, .. } = self {
                *signature = sig;
            }
        }
    }

    /// Checks the op's signature against `key`; unsigned ops always pass.
    pub fn verify_signature(
        &self,
        key: &PublicKey,
        chain_id: u64,
    ) -> Result<(), crate::schnorr::SignatureError> {
        match (self, self.signing_message(chain_id)) {
            (Op::Transfer { signature, .. } | Op::Withdraw { signature, .. }, Some(msg)) => {
                key.verify(&msg, &Signature::from_bytes(signature)?)
            }
            _ => Ok(()),
        }
    }
}

impl OpPubdata {
    /// The pubdata bytes. Fails only when a transfer amount or a fee is not representable
    /// in its packed form (the executor refuses such ops first, naming the field).
    pub fn encode(&self) -> Result<Vec<u8>, PubdataError> {
        let mut out = Vec::with_capacity(61);
        match self {
            OpPubdata::Noop => out.push(tag::NOOP),
            OpPubdata::Deposit {
                queue_index,
                account,
                public_key,
                amount,
            } => {
                out.push(tag::DEPOSIT);
                out.extend(queue_index.to_be_bytes());
                out.extend(account.to_be_bytes());
                out.extend(public_key);
                out.extend(amount.to_be_bytes());
            }
            OpPubdata::Transfer {
                from,
                to,
                amount,
                fee,
            } => {
                out.push(tag::TRANSFER);
                out.extend(from.to_be_bytes());
                out.extend(to.to_be_bytes());
                out.extend(
                    AMOUNT
                        .pack(*amount)
                        .map_err(|e| PubdataError::field("amount", e))?,
                );
                out.extend(FEE.pack(*fee).map_err(|e| PubdataError::field("fee", e))?);
            }
            OpPubdata::Withdraw {
                from,
                to_l1,
                amount,
                fee,
            } => {
                out.push(tag::WITHDRAW);
                out.extend(from.to_be_bytes());
                out.extend(to_l1);
                out.extend(amount.to_be_bytes());
                out.extend(FEE.pack(*fee).map_err(|e| PubdataError::field("fee", e))?);
            }
        }
        Ok(out)
    }

    /// Decodes one op from the front of `bytes`, returning it and its length. Rejects an
    /// unknown type byte, truncation, non-canonical packed values and public keys that are
    /// not canonical encodings of valid keys.
    pub fn decode(bytes: &[u8]) -> Result<(OpPubdata, usize), PubdataError> {
        let &kind = bytes.first().ok_or(PubdataError::Truncated {
            kind: "op",
            need: 1,
            have: 0,
        })?;
        let size = *PUBDATA_SIZES
            .get(kind as usize)
            .ok_or(PubdataError::UnknownType(kind))?;
        let name = ["noop", "deposit", "transfer", "withdraw"][kind as usize];
        if bytes.len() < size {
            return Err(PubdataError::Truncated {
                kind: name,
                need: size,
                have: bytes.len(),
            });
        }
        let b = &bytes[1..size];
        let u32_at = |i: usize| u32::from_be_bytes(b[i..i + 4].try_into().unwrap());
        let u64_at = |i: usize| u64::from_be_bytes(b[i..i + 8].try_into().unwrap());
        let op = match kind {
            tag::NOOP => OpPubdata::Noop,
            tag::DEPOSIT => {
                let public_key: [u8; PUBLIC_KEY_BYTES] = b[12..52].try_into().unwrap();
                check_deposit_key(&public_key).map_err(|e| PubdataError::field("public_key", e))?;
                OpPubdata::Deposit {
                    queue_index: u64_at(0),
                    account: u32_at(8),
                    public_key,
                    amount: u64_at(52),
                }
            }
            tag::TRANSFER => OpPubdata::Transfer {
                from: u32_at(0),
                to: u32_at(4),
                amount: AMOUNT
                    .unpack(&b[8..13])
                    .map_err(|e| PubdataError::field("amount", e))?,
                fee: FEE
                    .unpack(&b[13..15])
                    .map_err(|e| PubdataError::field("fee", e))?,
            },
            _ => OpPubdata::Withdraw {
                from: u32_at(0),
                to_l1: b[4..24].try_into().unwrap(),
                amount: u64_at(24),
                fee: FEE
                    .unpack(&b[32..34])
                    .map_err(|e| PubdataError::field("fee", e))?,
            },
        };
        Ok((op, size))
    }

    /// Decodes a whole pubdata stream (every byte must belong to an op).
    pub fn decode_all(mut bytes: &[u8]) -> Result<Vec<OpPubdata>, PubdataError> {
        let mut ops = Vec::new();
        while !bytes.is_empty() {
            let (op, used) = Self::decode(bytes).map_err(|e| PubdataError::AtOp {
                index: ops.len(),
                source: Box::new(e),
            })?;
            ops.push(op);
            bytes = &bytes[used..];
        }
        Ok(ops)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::schnorr::SecretKey;

    fn sample_ops() -> (SecretKey, Vec<Op>) {
        let sk = SecretKey::random(&mut ChaCha20Rng::seed_from_u64(11));
        let ops = vec![
            Op::Noop,
            Op::Deposit {
                queue_index: 7,
                account: 3,
                public_key: sk.public_key().to_bytes(),
                amount: 1_000_000,
            },
            Op::signed_transfer(&sk, 5, 3, 4, 12_345, 10, 0),
            Op::signed_withdraw(&sk, 5, 3, [0xab; 20], 999_999_999_999, 2000, 1),
        ];
        (sk, ops)
    }

    #[test]
    fn pubdata_round_trips_with_documented_sizes() {
        let (_, ops) = sample_ops();
        let mut stream = Vec::new();
        for op in &ops {
            let bytes = op.public().encode().unwrap();
            let kind = bytes[0] as usize;
            assert_eq!(bytes.len(), PUBDATA_SIZES[kind], "{}", op.kind());
            let (back, used) = OpPubdata::decode(&bytes).unwrap();
            assert_eq!((back, used), (op.public(), bytes.len()));
            stream.extend(bytes);
        }
        let all = OpPubdata::decode_all(&stream).unwrap();
        assert_eq!(all, ops.iter().map(Op::public).collect::<Vec<_>>());
    }

    #[test]
    fn non_canonical_pubdata_is_rejected() {
        let (_, ops) = sample_ops();
        assert!(matches!(
            OpPubdata::decode(&[4]),
            Err(PubdataError::UnknownType(4))
        ));
        let transfer = ops[2].public().encode().unwrap();
        assert!(matches!(
            OpPubdata::decode(&transfer[..15]),
            Err(PubdataError::Truncated { .. })
        ));
        // A non-minimal packed amount: 100 as (10, exponent 1).
        let mut t = transfer.clone();
        let word: u64 = (10 << 5) | 1;
        t[9..14].copy_from_slice(&word.to_be_bytes()[3..]);
        assert!(matches!(
            OpPubdata::decode(&t),
            Err(PubdataError::Field {
                field: "amount",
                ..
            })
        ));
        // A deposit key limb >= p.
        let mut d = ops[1].public().encode().unwrap();
        d[13..21].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(
            OpPubdata::decode(&d),
            Err(PubdataError::Field {
                field: "public_key",
                ..
            })
        ));
        // Trailing garbage in a stream names the op position.
        let mut s = transfer.clone();
        s.push(9);
        assert!(matches!(
            OpPubdata::decode_all(&s),
            Err(PubdataError::AtOp { index: 1, .. })
        ));
    }

    #[test]
    fn json_round_trips_and_rejects_unknown_fields() {
        let (_, ops) = sample_ops();
        for op in &ops {
            let json = serde_json::to_string(op).unwrap();
            assert_eq!(&serde_json::from_str::<Op>(&json).unwrap(), op);
        }
        let mut deposit = serde_json::to_value(&ops[1]).unwrap();
        deposit["extra"] = 1.into();
        assert!(
            serde_json::from_value::<Op>(deposit).is_err(),
            "unknown field accepted"
        );
        assert!(serde_json::from_str::<Op>(r#"{"type":"teleport"}"#).is_err());
    }

    #[test]
    fn signatures_bind_chain_and_every_field() {
        let (sk, ops) = sample_ops();
        let pk = sk.public_key();
        for op in &ops[2..] {
            op.verify_signature(&pk, 5).unwrap();
            assert!(op.verify_signature(&pk, 6).is_err(), "other chain");
            let mut tampered = op.clone();
            match &mut tampered {
                Op::Transfer { amount, .. } | Op::Withdraw { amount, .. } => *amount += 1,
                _ => unreachable!(),
            }
            assert!(tampered.verify_signature(&pk, 5).is_err());
            let mut tampered = op.clone();
            match &mut tampered {
                Op::Transfer { nonce, .. } | Op::Withdraw { nonce, .. } => *nonce += 1,
                _ => unreachable!(),
            }
            assert!(tampered.verify_signature(&pk, 5).is_err());
        }
        let mut w = ops[3].clone();
        if let Op::Withdraw { to_l1, .. } = &mut w {
            to_l1[19] ^= 1;
        }
        assert!(
            w.verify_signature(&pk, 5).is_err(),
            "withdrawal address is signed"
        );
    }
}
