// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

/// @title Pubdata
/// @notice Reads a batch's pubdata (docs/l1-interface.md) in one pass: the SHA-256
///         commitment tree, the rolling hash of its deposits and the list of its withdrawals.
/// @dev Op layouts (big-endian): Noop 1 byte `00`; Deposit 61 bytes `01 queueIndex(8)
///      account(4) publicKey(40) amount(8)`; Transfer 16 bytes `02 ...`; Withdraw 35 bytes
///      `03 from(4) to(20) amount(8) fee(2)`.
library Pubdata {
    /// @notice An op's type byte is not 0-3.
    error UnknownOpType(uint256 offset, uint256 opType);
    /// @notice The last op runs past the end of the pubdata.
    error TruncatedOp();
    /// @notice The op count is not opsPerLeaf * 2^h with 1 <= 2^h <= maxLeaves.
    error BadOpCount();

    /// @notice What the hub needs from a batch's pubdata.
    struct Summary {
        bytes32 commitment; // root of the SHA-256 tree
        bytes32 depositHash; // rolling hash after the batch's deposits
        uint64 deposits; // number of deposit ops
        bytes32 withdrawalsHash; // keccak256 of the packed (address, uint64 gwei) list
        uint256 withdrawalsTotal; // sum of withdrawal amounts, gwei
    }

    /// @notice Parses `pubdata` and commits to it.
    /// @param depositHash The queue's rolling hash before the batch's first deposit.
    function read(bytes calldata pubdata, uint256 opsPerLeaf, uint256 maxLeaves, bytes32 depositHash)
        internal
        view
        returns (Summary memory s)
    {
        assembly ("memory-safe") {
            // Memory from the free pointer: [scratch: 96][records: opsPerLeaf * 61 + 32]
            // [leaves: maxLeaves words][withdrawals: 28 bytes each]. Nothing here outlives
            // the function. The counters live in `s` (deposits at s+0x40, withdrawalsTotal
            // at s+0x80). Each op is expanded into its zero-padded 61-byte record (the
            // commitment hashes records, docs/l1-interface.md).
            // (Few locals: the stack is tight. Scratch is recBuf - 96, the leaves start at
            // recBuf + opsPerLeaf * 61 + 32.)
            let recBuf := add(mload(0x40), 96)
            let wPtr := add(add(recBuf, add(mul(opsPerLeaf, 61), 32)), mul(maxLeaves, 32))
            let ptr := pubdata.offset
            let end := add(ptr, pubdata.length)
            let inLeaf := 0
            let leaves := 0
            for {} lt(ptr, end) {} {
                let ty := byte(0, calldataload(ptr))
                let rec := add(recBuf, mul(inLeaf, 61))
                mstore(rec, 0)
                mstore(add(rec, 32), 0)
                switch ty
                case 2 {
                    calldatacopy(rec, ptr, 16)
                    ptr := add(ptr, 16)
                }
                case 0 { ptr := add(ptr, 1) }
                case 1 {
                    calldatacopy(rec, ptr, 61)
                    mstore(sub(recBuf, 96), depositHash)
                    calldatacopy(sub(recBuf, 64), ptr, 61)
                    depositHash := keccak256(sub(recBuf, 96), 93)
                    mstore(add(s, 0x40), add(mload(add(s, 0x40)), 1))
                    ptr := add(ptr, 61)
                }
                case 3 {
                    calldatacopy(rec, ptr, 35)
                    // Bytes 5..33 of the op: the L1 address (20) and the amount (8).
                    let w := calldataload(add(ptr, 5))
                    mstore(wPtr, w)
                    wPtr := add(wPtr, 28)
                    mstore(add(s, 0x80), add(mload(add(s, 0x80)), shr(192, shl(160, w))))
                    ptr := add(ptr, 35)
                }
                default {
                    mstore(0x00, 0x3ee94d6d) // UnknownOpType(uint256,uint256)
                    mstore(0x20, sub(ptr, pubdata.offset))
                    mstore(0x40, ty)
                    revert(0x1c, 0x44)
                }
                inLeaf := add(inLeaf, 1)
                if eq(inLeaf, opsPerLeaf) {
                    if eq(leaves, maxLeaves) {
                        mstore(0x00, 0xf38ecf4e) // BadOpCount()
                        revert(0x1c, 0x04)
                    }
                    let leafOut := add(add(recBuf, add(mul(opsPerLeaf, 61), 32)), mul(leaves, 32))
                    if iszero(staticcall(gas(), 0x02, recBuf, mul(opsPerLeaf, 61), leafOut, 32)) {
                        revert(0x00, 0x00)
                    }
                    leaves := add(leaves, 1)
                    inLeaf := 0
                }
            }
            if gt(ptr, end) {
                mstore(0x00, 0x74084ccd) // TruncatedOp()
                revert(0x1c, 0x04)
            }
            // Whole leaves only, and a power of two of them (at least one).
            if or(or(inLeaf, iszero(leaves)), and(leaves, sub(leaves, 1))) {
                mstore(0x00, 0xf38ecf4e) // BadOpCount()
                revert(0x1c, 0x04)
            }
            let leafBuf := add(recBuf, add(mul(opsPerLeaf, 61), 32))
            for {} gt(leaves, 1) { leaves := shr(1, leaves) } {
                for { let i := 0 } lt(i, shr(1, leaves)) { i := add(i, 1) } {
                    if iszero(staticcall(gas(), 0x02, add(leafBuf, mul(i, 64)), 64, add(leafBuf, mul(i, 32)), 32)) {
                        revert(0x00, 0x00)
                    }
                }
            }
            mstore(s, mload(leafBuf))
            mstore(add(s, 0x20), depositHash)
            let wBuf := add(leafBuf, mul(maxLeaves, 32))
            mstore(add(s, 0x60), keccak256(wBuf, sub(wPtr, wBuf)))
        }
    }
}
