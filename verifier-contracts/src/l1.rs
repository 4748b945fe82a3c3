//! A reference implementation of what the hub computes from calldata
//! (`docs/l1-interface.md`): the SHA-256 pubdata commitment tree and the one public input.
//! The Foundry tests check the hub against fixtures made with these functions.

use sha2::{Digest, Sha256};

use crate::error::ContractsError;

/// Pubdata size of each op type, indexed by its type byte (Noop, Deposit, Transfer, Withdraw).
pub const OP_SIZES: [usize; 4] = [1, 61, 16, 35];

/// Size of an op's record in the commitment: its bytes zero-padded to the largest op.
pub const RECORD_BYTES: usize = 61;

/// The batch header whose SHA-256 digest, cut to 253 bits, is the one public input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchHeader {
    /// The consumer chain's id.
    pub chain_id: u64,
    /// The hub contract's address.
    pub hub: [u8; 20],
    /// Index of the batch (0 is the first after genesis).
    pub batch_index: u64,
    /// State root before the batch.
    pub old_root: [u8; 32],
    /// State root after the batch.
    pub new_root: [u8; 32],
    /// First deposit queue index consumed.
    pub deposit_first: u64,
    /// One past the last deposit queue index consumed.
    pub deposit_last: u64,
    /// Account that collects the batch's fees.
    pub fee_recipient: u32,
    /// Root of the SHA-256 pubdata commitment tree.
    pub pubdata_commitment: [u8; 32],
}

impl BatchHeader {
    /// The 152 header bytes, in the order of `docs/l1-interface.md`.
    pub fn encode(&self) -> [u8; 152] {
        let mut out = [0u8; 152];
        let mut at = 0;
        let mut put = |bytes: &[u8]| {
            out[at..at + bytes.len()].copy_from_slice(bytes);
            at += bytes.len();
        };
        put(&self.chain_id.to_be_bytes());
        put(&self.hub);
        put(&self.batch_index.to_be_bytes());
        put(&self.old_root);
        put(&self.new_root);
        put(&self.deposit_first.to_be_bytes());
        put(&self.deposit_last.to_be_bytes());
        put(&self.fee_recipient.to_be_bytes());
        put(&self.pubdata_commitment);
        out
    }
}

/// `uint256(sha256(header)) & (2^253 − 1)`, as 32 big-endian bytes.
pub fn public_input(header: &BatchHeader) -> [u8; 32] {
    let mut digest: [u8; 32] = Sha256::digest(header.encode()).into();
    digest[0] &= 0x1f;
    digest
}

/// Splits pubdata into its ops' byte ranges by their type bytes.
pub fn split_ops(pubdata: &[u8]) -> Result<Vec<&[u8]>, ContractsError> {
    let mut ops = Vec::new();
    let mut at = 0;
    while at < pubdata.len() {
        let ty = pubdata[at] as usize;
        let size = *OP_SIZES
            .get(ty)
            .ok_or_else(|| ContractsError::Pubdata(format!("unknown op type {ty} at byte {at}")))?;
        if at + size > pubdata.len() {
            return Err(ContractsError::Pubdata(format!(
                "op at byte {at} is truncated"
            )));
        }
        ops.push(&pubdata[at..at + size]);
        at += size;
    }
    Ok(ops)
}

/// Bytes of one entry of `executeBatch`'s withdrawals: L1 address (20) ‖ gwei amount (8).
pub const WITHDRAWAL_BYTES: usize = 28;

/// The `withdrawals` argument of `executeBatch` for a batch's pubdata: for each Withdraw op
/// in order, its L1 address (20 bytes) and amount (8 bytes, big-endian gwei), packed. The
/// hub checks their keccak256 against the one it computed from the same pubdata at commit.
pub fn withdrawals_from_pubdata(pubdata: &[u8]) -> Result<Vec<u8>, ContractsError> {
    let mut out = Vec::new();
    for op in split_ops(pubdata)? {
        if op[0] == 3 {
            // 0x03 ‖ from (4) ‖ L1 address (20) ‖ amount (8) ‖ fee (2)
            out.extend_from_slice(&op[5..5 + WITHDRAWAL_BYTES]);
        }
    }
    Ok(out)
}

/// The root of the SHA-256 commitment tree over pubdata with `ops_per_leaf` ops a leaf.
/// The op count must be `ops_per_leaf · 2^h` (the prover pads with Noops).
pub fn pubdata_commitment(pubdata: &[u8], ops_per_leaf: usize) -> Result<[u8; 32], ContractsError> {
    let ops = split_ops(pubdata)?;
    if ops_per_leaf == 0 || ops.is_empty() || ops.len() % ops_per_leaf != 0 {
        return Err(ContractsError::Pubdata(format!(
            "{} ops is not a positive multiple of {ops_per_leaf} ops per leaf",
            ops.len()
        )));
    }
    let leaves = ops.len() / ops_per_leaf;
    if !leaves.is_power_of_two() {
        return Err(ContractsError::Pubdata(format!(
            "{leaves} leaves is not a power of two"
        )));
    }
    let mut level: Vec<[u8; 32]> = ops
        .chunks(ops_per_leaf)
        .map(|chunk| {
            let mut h = Sha256::new();
            for op in chunk {
                // Each op is hashed as its zero-padded 61-byte record.
                let mut record = [0u8; RECORD_BYTES];
                record[..op.len()].copy_from_slice(op);
                h.update(record);
            }
            h.finalize().into()
        })
        .collect();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| {
                let mut h = Sha256::new();
                h.update(pair[0]);
                h.update(pair[1]);
                h.finalize().into()
            })
            .collect();
    }
    Ok(level[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_152_bytes_in_order() {
        let h = BatchHeader {
            chain_id: 0x0102,
            hub: [0xaa; 20],
            batch_index: 3,
            old_root: [1; 32],
            new_root: [2; 32],
            deposit_first: 4,
            deposit_last: 5,
            fee_recipient: 6,
            pubdata_commitment: [7; 32],
        };
        let b = h.encode();
        assert_eq!(&b[0..8], &[0, 0, 0, 0, 0, 0, 1, 2]);
        assert_eq!(&b[8..28], &[0xaa; 20]);
        assert_eq!(b[35], 3);
        assert_eq!(b[36], 1);
        assert_eq!(b[68], 2);
        assert_eq!(b[107], 4);
        assert_eq!(b[115], 5);
        assert_eq!(b[119], 6);
        assert_eq!(&b[120..], &[7; 32]);
        assert!(public_input(&h)[0] < 0x20);
    }

    #[test]
    fn commitment_tree_shapes() {
        let noop = [0u8; 1];
        // One leaf of one op: sha256 of its record (61 zero bytes).
        let one = pubdata_commitment(&noop, 1).unwrap();
        assert_eq!(one, <[u8; 32]>::from(Sha256::digest([0u8; RECORD_BYTES])));
        // A transfer's record is its 16 bytes then 45 zeros.
        let mut transfer = [0u8; 16];
        transfer[0] = 2;
        transfer[5] = 9;
        let mut record = [0u8; RECORD_BYTES];
        record[..16].copy_from_slice(&transfer);
        assert_eq!(
            pubdata_commitment(&transfer, 1).unwrap(),
            <[u8; 32]>::from(Sha256::digest(record))
        );
        // Two leaves: sha256(leaf ‖ leaf).
        let two = pubdata_commitment(&[0, 0], 1).unwrap();
        let mut cat = one.to_vec();
        cat.extend(one);
        assert_eq!(two, <[u8; 32]>::from(Sha256::digest(&cat)));
        assert!(pubdata_commitment(&[0, 0, 0], 1).is_err());
        assert!(pubdata_commitment(&[0, 0, 0], 2).is_err());
        assert!(pubdata_commitment(&[9], 1).is_err());
        assert!(pubdata_commitment(&[2, 0], 1).is_err());
    }

    #[test]
    fn withdrawals_are_address_and_amount_of_each_withdraw_op() {
        let mut pubdata = vec![0u8]; // noop
        for (to, amount) in [([0x0a; 20], 5u64), ([0x0b; 20], 7)] {
            pubdata.push(3);
            pubdata.extend(9u32.to_be_bytes()); // from
            pubdata.extend(to);
            pubdata.extend(amount.to_be_bytes());
            pubdata.extend([0, 1]); // fee
        }
        pubdata.extend([2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x30, 0x39, 0, 1]); // transfer
        let w = withdrawals_from_pubdata(&pubdata).unwrap();
        let mut expected = [0x0a; 20].to_vec();
        expected.extend(5u64.to_be_bytes());
        expected.extend([0x0b; 20]);
        expected.extend(7u64.to_be_bytes());
        assert_eq!(w, expected);
        assert!(withdrawals_from_pubdata(&[0]).unwrap().is_empty());
        assert!(withdrawals_from_pubdata(&[3, 0]).is_err());
    }
}
