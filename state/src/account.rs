//! Accounts: the leaves of the state tree.

use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;
use plonky2_field::types::Field;
use serde::{Deserialize, Serialize};

use crate::ecgfp5::{field, Fp};
use crate::schnorr::{hex_bytes, PublicKey, PUBLIC_KEY_BYTES};

/// Size in bytes of an account's storage encoding.
pub const ACCOUNT_BYTES: usize = PUBLIC_KEY_BYTES + 8 + 4;

/// One leaf of the state tree. The empty slot is the all-zero account (its key bytes
/// encode the neutral element, which is never a valid public key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The owner's ECgFp5 public key (40-byte canonical encoding), zero when empty.
    #[serde(with = "hex_bytes")]
    pub public_key: [u8; PUBLIC_KEY_BYTES],
    /// Balance, at most the chain's `max_balance`.
    pub balance: u64,
    /// Number of user ops this account has signed and had applied.
    pub nonce: u32,
}

impl Account {
    /// The empty slot.
    pub const EMPTY: Account = Account {
        public_key: [0; PUBLIC_KEY_BYTES],
        balance: 0,
        nonce: 0,
    };

    /// A fresh account owned by `key`.
    pub fn new(key: &PublicKey) -> Self {
        Account {
            public_key: key.to_bytes(),
            ..Account::EMPTY
        }
    }

    /// Whether this slot holds no account.
    pub fn is_empty(&self) -> bool {
        self.public_key == [0; PUBLIC_KEY_BYTES]
    }

    /// The leaf hash: Poseidon `hash_no_pad` of the seven elements
    /// (key limbs 0..5, balance, nonce). The empty slot hashes the same way.
    pub fn leaf_hash(&self) -> HashOut<Fp> {
        PoseidonHash::hash_no_pad(&self.leaf_elements())
    }

    /// The seven Goldilocks elements the leaf hash absorbs.
    pub fn leaf_elements(&self) -> [Fp; 7] {
        let key = field::decode(&self.public_key).expect("stored keys are canonical");
        [
            key.0[0],
            key.0[1],
            key.0[2],
            key.0[3],
            key.0[4],
            Fp::from_canonical_u64(self.balance),
            Fp::from_canonical_u32(self.nonce),
        ]
    }

    /// Storage encoding: key bytes, balance (8 bytes LE), nonce (4 bytes LE).
    pub fn to_bytes(&self) -> [u8; ACCOUNT_BYTES] {
        let mut out = [0u8; ACCOUNT_BYTES];
        out[..PUBLIC_KEY_BYTES].copy_from_slice(&self.public_key);
        out[PUBLIC_KEY_BYTES..PUBLIC_KEY_BYTES + 8].copy_from_slice(&self.balance.to_le_bytes());
        out[PUBLIC_KEY_BYTES + 8..].copy_from_slice(&self.nonce.to_le_bytes());
        out
    }

    /// Inverse of [`Account::to_bytes`].
    pub fn from_bytes(bytes: &[u8; ACCOUNT_BYTES]) -> Self {
        Account {
            public_key: bytes[..PUBLIC_KEY_BYTES].try_into().unwrap(),
            balance: u64::from_le_bytes(
                bytes[PUBLIC_KEY_BYTES..PUBLIC_KEY_BYTES + 8]
                    .try_into()
                    .unwrap(),
            ),
            nonce: u32::from_le_bytes(bytes[PUBLIC_KEY_BYTES + 8..].try_into().unwrap()),
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::schnorr::SecretKey;

    #[test]
    fn storage_round_trip_and_leaf_hash_binds_every_field() {
        let key = SecretKey::random(&mut ChaCha20Rng::seed_from_u64(9)).public_key();
        let a = Account {
            balance: 77,
            nonce: 3,
            ..Account::new(&key)
        };
        assert_eq!(Account::from_bytes(&a.to_bytes()), a);
        let h = a.leaf_hash();
        assert_ne!(Account { balance: 78, ..a }.leaf_hash(), h);
        assert_ne!(Account { nonce: 4, ..a }.leaf_hash(), h);
        assert_ne!(Account::EMPTY.leaf_hash(), h);
        assert!(Account::EMPTY.is_empty() && !a.is_empty());
    }
}
