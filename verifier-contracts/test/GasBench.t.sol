// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {HubBase} from "./HubBase.sol";
import {BulwarkHub} from "../src/BulwarkHub.sol";
import {FixtureGroth16Verifier} from "./fixtures/FixtureGroth16Verifier.sol";
import {Fixtures} from "./fixtures/Fixtures.sol";

/// @notice Gas figures (printed with -vv): execution gas of commit / prove / execute for
///         batches of N transfers (K = 2 ops a leaf). Transaction base cost and calldata are
///         not included: see PROPERTIES.md / the closing note for the calldata arithmetic.
contract GasBenchTest is HubBase {
    function setUp() public {
        setUpChain();
    }

    function _transfers(uint256 n) internal pure returns (bytes memory ops) {
        ops = new bytes(16 * n);
        for (uint256 i = 0; i < n; i++) {
            bytes memory t = abi.encodePacked(uint8(2), uint32(1000 + i), uint32(2000 + i), uint40(0x0102030405), uint16(0x0a0b));
            for (uint256 j = 0; j < 16; j++) ops[16 * i + j] = t[j];
        }
    }

    function _bench(uint256 n) internal {
        bytes memory ops = _transfers(n);
        BulwarkHub.BatchInfo memory info = _commit(bytes32(uint256(n)), ops);
        uint256 commitGas = vm.lastCallGas().gasTotalUsed;
        _prove(info);
        uint256 proveGas = vm.lastCallGas().gasTotalUsed;
        _execute(info, "");
        uint256 executeGas = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("transfers", n);
        emit log_named_uint("  commit execution gas", commitGas);
        emit log_named_uint("  prove execution gas (mock verifier)", proveGas);
        emit log_named_uint("  execute execution gas", executeGas);
    }

    function _useK32() internal {
        _gov(abi.encodeCall(BulwarkHub.addRoute, (address(mock), 32, 64)));
        _gov(abi.encodeCall(BulwarkHub.setChainRoute, (CHAIN, 1)));
    }

    function test_gas_k32_64() public {
        _useK32();
        _bench(64);
    }

    function test_gas_k32_256() public {
        _useK32();
        _bench(256);
    }

    function test_gas_k32_1024() public {
        _useK32();
        _bench(1024);
    }

    function test_gas_64() public {
        _bench(64);
    }

    function test_gas_256() public {
        _bench(256);
    }

    function test_gas_1024() public {
        _bench(1024);
    }

    /// @notice Prove with the real generated verifier (the end-to-end fixture's batch).
    function test_gas_proveRealVerifier() public {
        FixtureGroth16Verifier v = new FixtureGroth16Verifier();
        uint256[8] memory p = Fixtures.proofTypical();
        v.verifyProof(p, Fixtures.INPUT_TYPICAL);
        emit log_named_uint("verifyProof execution gas", vm.lastCallGas().gasTotalUsed);
    }
}
