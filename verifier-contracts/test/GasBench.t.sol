// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {HubBase, MockVerifier} from "./HubBase.sol";
import {BulwarkHub} from "../src/BulwarkHub.sol";
import {FixtureGroth16Verifier} from "./fixtures/FixtureGroth16Verifier.sol";
import {Fixtures} from "./fixtures/Fixtures.sol";

/// @notice Gas figures, printed with `./test.sh --match-contract GasBench --isolate -vv`
///         (README.md, "Gas"). `--isolate` runs each call as its own transaction, so storage
///         starts cold and `gasTotalUsed` is the whole transaction's gas: 21,000 + calldata +
///         execution, with EIP-7623's calldata floor (Prague: at least 10 gas per token,
///         tokens = zero bytes + 4 * non-zero bytes). Without it the tests skip. Batches use
///         a route of K = 32 ops a leaf; proveBatch runs the mock verifier, and the totals
///         swap in the generated verifier's measured verifyProof.
contract GasBenchTest is HubBase {
    uint32 internal constant K32 = 32;

    function setUp() public {
        setUpChain();
        _gov(abi.encodeCall(BulwarkHub.addRoute, (address(mock), K32, 64)));
        _gov(abi.encodeCall(BulwarkHub.setChainRoute, (CHAIN, 1)));
    }

    /// @dev Skips unless calls are isolated transactions (then a call's gas includes 21,000).
    function _requireIsolate() internal {
        mock.setMode(0);
        if (vm.lastCallGas().gasTotalUsed < 21_000) {
            console.log("GasBench measures transactions: run it with --isolate");
            vm.skip(true);
        }
    }

    /// @dev Calldata tokens (EIP-7623): zero bytes count 1, others 4.
    function _tokens(bytes memory data) internal pure returns (uint256 tokens) {
        for (uint256 i = 0; i < data.length; i++) tokens += data[i] == 0 ? 1 : 4;
    }

    /// @dev Prints a transaction's calldata and gas; returns the gas.
    function _report(string memory what, bytes memory data, uint256 txGas) internal pure returns (uint256) {
        uint256 tokens = _tokens(data);
        console.log(what);
        console.log("    calldata bytes / tokens", data.length, tokens);
        if (txGas == 21_000 + 10 * tokens) console.log("    transaction gas (the EIP-7623 floor binds)", txGas);
        else console.log("    transaction gas (execution", txGas - 21_000 - 4 * tokens, ")", txGas);
        return txGas;
    }

    function _transfer(uint256 i) internal pure returns (bytes memory) {
        return abi.encodePacked(uint8(2), uint32(1000 + i), uint32(2000 + i), uint40(0x0102030405), uint16(0x0a0b));
    }

    /// @dev Copies `op` into `buf` at byte `at` (buffers are preallocated: concatenating in a
    ///      loop is quadratic in memory).
    function _put(bytes memory buf, uint256 at, bytes memory op) internal pure {
        assembly ("memory-safe") {
            mcopy(add(add(buf, 32), at), add(op, 32), mload(op))
        }
    }

    function _transfers(uint256 n) internal pure returns (bytes memory ops) {
        ops = new bytes(16 * n);
        for (uint256 i = 0; i < n; i++) _put(ops, 16 * i, _transfer(i));
    }

    /// @dev Commit, prove and execute one batch; returns the three transactions' gas.
    function _settle(bytes memory ops, bytes memory withdrawals, string memory label)
        internal
        returns (uint256 commitGas, uint256 proveGas, uint256 executeGas)
    {
        bytes32 root = keccak256(ops);
        BulwarkHub.BatchInfo memory info = _commit(root, ops);
        commitGas = _report(
            string.concat(label, ": commitBatch"),
            abi.encodeCall(BulwarkHub.commitBatch, (CHAIN, root, 0, ops)),
            vm.lastCallGas().gasTotalUsed
        );
        uint256[8] memory proof;
        _prove(info);
        proveGas = _report(
            string.concat(label, ": proveBatch (mock verifier)"),
            abi.encodeCall(BulwarkHub.proveBatch, (CHAIN, info, proof)),
            vm.lastCallGas().gasTotalUsed
        );
        _execute(info, withdrawals);
        executeGas = _report(
            string.concat(label, ": executeBatch"),
            abi.encodeCall(BulwarkHub.executeBatch, (CHAIN, info, withdrawals)),
            vm.lastCallGas().gasTotalUsed
        );
    }

    /// @dev The real verifier's verifyProof minus the mock's, both measured here: what
    ///      proveBatch costs more with the generated verifier than with the mock.
    function _realVerifierExtra() internal returns (uint256) {
        FixtureGroth16Verifier v = new FixtureGroth16Verifier();
        v.verifyProof(Fixtures.proofTypical(), Fixtures.INPUT_TYPICAL);
        uint256 real = vm.lastCallGas().gasTotalUsed;
        uint256[8] memory p;
        mock.verifyProof(p, 0);
        uint256 mocked = vm.lastCallGas().gasTotalUsed;
        console.log("verifyProof execution gas: generated verifier / mock", real, mocked);
        return real - mocked;
    }

    function _benchTransfers(uint256 n) internal {
        _requireIsolate();
        uint256 extra = _realVerifierExtra();
        (uint256 c, uint256 p, uint256 e) = _settle(_transfers(n), "", string.concat(vm.toString(n), " transfers"));
        uint256 total = c + p + extra + e;
        console.log("transfers / L1 gas of the batch (generated verifier)", n, total);
        console.log("  L1 gas per transfer", total / n);
    }

    function test_gas_transfers_64() public {
        _benchTransfers(64);
    }

    function test_gas_transfers_256() public {
        _benchTransfers(256);
    }

    function test_gas_transfers_1024() public {
        _benchTransfers(1024);
    }

    /// @notice The fixed gas of a batch: one leaf of 32 noops (32 calldata bytes).
    function test_gas_fixed() public {
        _requireIsolate();
        uint256 extra = _realVerifierExtra();
        (uint256 c, uint256 p, uint256 e) = _settle(new bytes(K32), "", "32 noops");
        console.log("fixed L1 gas of a batch (generated verifier)", c + p + extra + e);
    }

    /// @notice Per op type: the commit of 1024 ops of one type against 1024 noops (execution
    ///         and calldata), plus what executing a withdrawal and queueing a deposit cost.
    function test_gas_perOpType() public {
        _requireIsolate();
        uint256 n = 1024;
        (uint256 noopCommit,,) = _settle(new bytes(n), "", "1024 noops");
        (uint256 transferCommit,,) = _settle(_transfers(n), "", "1024 transfers");
        console.log("transfer: commit gas per op over a noop", (transferCommit - noopCommit) / n);

        bytes memory ops = new bytes(35 * n);
        bytes memory withdrawals = new bytes(28 * n);
        for (uint256 i = 0; i < n; i++) {
            address to = address(uint160(0x1000000 + i)); // distinct recipients: fresh slots
            _put(ops, 35 * i, _withdrawOp(uint32(1000 + i), to, uint64(1_000_000 + i)));
            _put(withdrawals, 28 * i, abi.encodePacked(to, uint64(1_000_000 + i)));
        }
        vm.prank(user);
        hub.depositNew{value: 100 ether}(CHAIN, PK); // backs the withdrawals
        bytes memory first = _newDepositOp(0, 0, 100 ether / 1 gwei);
        _settle(bytes.concat(first, new bytes(K32 - 1)), "", "backing deposit");
        (uint256 wCommit,, uint256 wExecute) = _settle(ops, withdrawals, "1024 withdrawals");
        (,, uint256 emptyExecute) = _settle(new bytes(n), "", "1024 noops again");
        console.log("withdraw: commit gas per op over a noop", (wCommit - noopCommit) / n);
        console.log("withdraw: execute gas per op (fresh recipient)", (wExecute - emptyExecute) / n);

        // 1023 deposits to account 0 and one new account, then 1024 noops: 2048 ops.
        uint64 base = 1; // queue index 0 was the backing deposit
        ops = new bytes(61 * n + n);
        for (uint256 i = 0; i + 1 < n; i++) {
            vm.prank(user);
            hub.depositTo{value: 1 gwei * (1 + i)}(CHAIN, 0);
            _put(ops, 61 * i, _toDepositOp(base + uint64(i), 0, uint64(1 + i)));
        }
        _report("depositTo (the depositor's L1 transaction)", abi.encodeCall(BulwarkHub.depositTo, (CHAIN, 0)), vm.lastCallGas().gasTotalUsed);
        vm.prank(user);
        hub.depositNew{value: 1 gwei}(CHAIN, PK);
        _report("depositNew (the depositor's L1 transaction)", abi.encodeCall(BulwarkHub.depositNew, (CHAIN, PK)), vm.lastCallGas().gasTotalUsed);
        _put(ops, 61 * (n - 1), _newDepositOp(base + uint64(n - 1), 1, 1));
        (uint256 dCommit,,) = _settle(ops, "", "1024 deposits + 1024 noops");
        (uint256 noop2048,,) = _settle(new bytes(2 * n), "", "2048 noops");
        console.log("deposit: commit gas per op over a noop", (dCommit - noop2048) / n);
        console.log("noop: commit gas per op", (noop2048 - noopCommit) / n);
    }
}
