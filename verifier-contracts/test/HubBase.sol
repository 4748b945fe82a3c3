// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {Test, Vm} from "forge-std/Test.sol";
import {BulwarkHub} from "../src/BulwarkHub.sol";
import {IGroth16Verifier, IExitVerifier} from "../src/IGroth16Verifier.sol";

/// @notice A verifier whose answer the test sets: accept, revert, or return false.
contract MockVerifier is IGroth16Verifier {
    error MockRejected();

    uint8 public mode; // 0 accept, 1 revert, 2 return false

    function setMode(uint8 m) external {
        mode = m;
    }

    function verifyProof(uint256[8] calldata, uint256) external view returns (bool) {
        if (mode == 1) revert MockRejected();
        return mode == 0;
    }
}

/// @notice An exit verifier that accepts exactly what the test allows.
contract MockExitVerifier is IExitVerifier {
    mapping(bytes32 => bool) public allowed;

    function allow(uint64 chainId, bytes32 root, uint32 account, uint64 amount, address recipient) external {
        allowed[keccak256(abi.encode(chainId, root, account, amount, recipient))] = true;
    }

    function verifyExit(uint64 chainId, bytes32 root, uint32 account, uint64 amount, address recipient, bytes calldata)
        external
        view
        returns (bool)
    {
        return allowed[keccak256(abi.encode(chainId, root, account, amount, recipient))];
    }
}

/// @notice Shared set-up and pubdata builders for the hub tests.
abstract contract HubBase is Test {
    BulwarkHub internal hub;
    MockVerifier internal mock;
    address internal guardian = makeAddr("guardian");
    address internal operatorAddr;
    uint256 internal operatorKey;
    address internal user = makeAddr("user");
    uint64 internal constant CHAIN = 7;
    bytes32 internal constant GENESIS = bytes32(uint256(0x11));
    uint32 internal constant K = 2;
    uint32 internal constant MAX_LEAVES = 1024;
    uint8 internal constant DEPTH = 32;
    bytes internal constant PK = hex"abababababababababababababababababababababababababababababababababababababababab";

    function _deployHub() internal {
        (operatorAddr, operatorKey) = makeAddrAndKey("operator");
        mock = new MockVerifier();
        hub = new BulwarkHub(address(this), guardian);
    }

    function setUpChain() internal {
        _deployHub();
        _gov(abi.encodeCall(BulwarkHub.addRoute, (address(mock), K, MAX_LEAVES)));
        _gov(abi.encodeCall(BulwarkHub.registerChain, (CHAIN, GENESIS, 0, operatorAddr, uint64((1 << 62) - 1), DEPTH)));
        vm.deal(operatorAddr, 10 ether);
        vm.prank(operatorAddr);
        hub.bond{value: 2 ether}();
        vm.deal(user, 1000 ether);
    }

    /// @dev Runs a governance call through the timelock.
    function _gov(bytes memory data) internal {
        hub.schedule(data);
        vm.warp(block.timestamp + hub.GOVERNANCE_DELAY());
        hub.executeScheduled(data);
    }

    // ---- pubdata builders (docs/l1-interface.md)

    function _noop() internal pure returns (bytes memory) {
        return hex"00";
    }

    /// @dev The record of a deposit that creates `account` with the key PK.
    function _newDepositOp(uint64 index, uint32 account, uint64 amount) internal pure returns (bytes memory) {
        return abi.encodePacked(uint8(1), index, account, PK, amount);
    }

    /// @dev The record of a deposit to an existing account: the key is 40 zero bytes.
    function _toDepositOp(uint64 index, uint32 account, uint64 amount) internal pure returns (bytes memory) {
        return abi.encodePacked(uint8(1), index, account, new bytes(40), amount);
    }

    function _transferOp(uint32 from, uint32 to) internal pure returns (bytes memory) {
        return abi.encodePacked(uint8(2), from, to, uint40(0x3039), uint16(1));
    }

    function _withdrawOp(uint32 from, address to, uint64 amount) internal pure returns (bytes memory) {
        return abi.encodePacked(uint8(3), from, to, amount, uint16(1));
    }

    /// @dev Pads `ops` ops of `data` with noops up to K * 2^h ops.
    function _pad(bytes memory data, uint256 ops) internal pure returns (bytes memory) {
        uint256 target = K;
        while (target < ops) target *= 2;
        for (uint256 i = ops; i < target; i++) data = bytes.concat(data, hex"00");
        return data;
    }

    /// @dev depositNew with the key PK, as `user`; returns the queue index.
    function _depositNew(uint256 value) internal returns (uint64 queueIndex) {
        vm.prank(user);
        (queueIndex,) = hub.depositNew{value: value}(CHAIN, PK);
    }

    /// @dev depositTo as `user`; returns the queue index.
    function _depositTo(uint32 account, uint256 value) internal returns (uint64) {
        vm.prank(user);
        return hub.depositTo{value: value}(CHAIN, account);
    }

    /// @dev Commits as the operator and returns the recorded BatchInfo (from the event).
    function _commit(bytes32 newRoot, bytes memory pubdata) internal returns (BulwarkHub.BatchInfo memory info) {
        vm.recordLogs();
        vm.prank(operatorAddr);
        hub.commitBatch(CHAIN, newRoot, 0, pubdata);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; i++) {
            if (logs[i].topics[0] == BulwarkHub.BatchCommitted.selector) {
                (,, info) = abi.decode(logs[i].data, (bytes32, bytes32, BulwarkHub.BatchInfo));
                return info;
            }
        }
        revert("no BatchCommitted event");
    }

    function _prove(BulwarkHub.BatchInfo memory info) internal {
        uint256[8] memory proof;
        vm.prank(operatorAddr);
        hub.proveBatch(CHAIN, info, proof);
    }

    function _execute(BulwarkHub.BatchInfo memory info, bytes memory withdrawals) internal {
        vm.prank(operatorAddr);
        hub.executeBatch(CHAIN, info, withdrawals);
    }

    /// @dev The independent reference: SHA-256 tree over K-op leaves, each op hashed as its
    ///      zero-padded 61-byte record.
    function _commitment(bytes[] memory leaves) internal pure returns (bytes32) {
        bytes32[] memory level = new bytes32[](leaves.length);
        for (uint256 i = 0; i < leaves.length; i++) level[i] = sha256(_records(leaves[i]));
        for (uint256 n = leaves.length; n > 1; n /= 2) {
            for (uint256 i = 0; i < n / 2; i++) level[i] = sha256(abi.encodePacked(level[2 * i], level[2 * i + 1]));
        }
        return level[0];
    }

    /// @dev A leaf's ops (concatenated pubdata) as concatenated 61-byte records.
    function _records(bytes memory ops) internal pure returns (bytes memory out) {
        uint256 at = 0;
        while (at < ops.length) {
            uint8 ty = uint8(ops[at]);
            uint256 size = ty == 0 ? 1 : ty == 1 ? 61 : ty == 2 ? 16 : 35;
            bytes memory record = new bytes(61);
            for (uint256 j = 0; j < size; j++) record[j] = ops[at + j];
            out = bytes.concat(out, record);
            at += size;
        }
    }

    function _sign(uint256 key, BulwarkHub.BatchClaim memory c) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, hub.claimDigest(c));
        return abi.encodePacked(r, s, v);
    }
}
