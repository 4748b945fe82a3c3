//! The demo's users and its batch: deterministic keys, the deposits the hub queued for
//! them, then signed transfers and withdrawals up to the batch size.

use bulwark_state::{Batch, Op, SecretKey};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// The demo's fixed seed: two runs make the same keys and ops.
const SEED: u64 = 0x0B01_3A2C;

/// Fee every signed op pays the operator (units).
pub const FEE: u64 = 10;

/// A user of the demo chain.
pub struct User {
    /// The user's L2 key.
    pub key: SecretKey,
    /// Units deposited from L1.
    pub deposit: u64,
}

/// One deposit the hub queued (from `depositNew`'s return values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueuedDeposit {
    /// Position in the chain's queue.
    pub queue_index: u64,
    /// The account the hub assigned.
    pub account: u32,
}

/// The operator (index 0, collects fees) and `users` users, each with its deposit.
pub fn users(users: u32) -> Vec<User> {
    let mut rng = ChaCha20Rng::seed_from_u64(SEED);
    (0..=users)
        .map(|i| User {
            key: SecretKey::random(&mut rng),
            // The operator deposits a little; users a round 1 ETH (10^9 gwei units).
            deposit: if i == 0 { 1_000_000 } else { 1_000_000_000 },
        })
        .collect()
}

/// The batch: the queued deposits of `users` in queue order, then signed ops up to `ops`
/// in all; every 8th signed op, starting with the first, is a withdrawal to
/// `recipient(i)` on L1, so any batch with a signed op has a withdrawal to claim.
pub fn build(
    chain_id: u64,
    users: &[User],
    queued: &[QueuedDeposit],
    ops: usize,
    recipient: impl Fn(usize) -> [u8; 20],
) -> Batch {
    let fee_recipient = queued[0].account;
    let mut batch = Batch::new(chain_id, fee_recipient);
    for (user, q) in users.iter().zip(queued) {
        batch.ops.push(Op::Deposit {
            queue_index: q.queue_index,
            account: q.account,
            public_key: user.key.public_key().to_bytes(),
            amount: user.deposit,
        });
    }
    let mut rng = ChaCha20Rng::seed_from_u64(SEED ^ 1);
    let mut nonces = vec![0u32; users.len()];
    let n = users.len() - 1;
    for i in 0..ops.saturating_sub(batch.ops.len()) {
        let from = rng.gen_range(1..=n);
        let account = queued[from].account;
        let op = if i % 8 == 0 {
            Op::signed_withdraw(
                &users[from].key,
                chain_id,
                account,
                recipient(i),
                rng.gen_range(1_000..10_000_000),
                FEE,
                nonces[from],
            )
        } else {
            let to = from % n + 1;
            Op::signed_transfer(
                &users[from].key,
                chain_id,
                account,
                queued[to].account,
                rng.gen_range(1..100_000),
                FEE,
                nonces[from],
            )
        };
        nonces[from] += 1;
        batch.ops.push(op);
    }
    batch
}
