// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {BulwarkHub} from "../src/BulwarkHub.sol";
import {FixtureGroth16Verifier} from "./fixtures/FixtureGroth16Verifier.sol";
import {Fixtures} from "./fixtures/Fixtures.sol";

/// @notice The hub with the generated verifier and a proof made by arkworks for a public
///         input computed in Rust (tests/fixtures.rs, hub_scenario) from l1-interface.md:
///         the hub's commitment and public input must match it byte for byte.
contract HubEndToEndTest is Test {
    FixtureGroth16Verifier internal verifier;
    BulwarkHub internal hub;
    address internal operatorAddr = makeAddr("operator");
    address internal user = makeAddr("user");
    address internal constant RECIPIENT = 0xBEbeBeBEbeBebeBeBEBEbebEBeBeBebeBeBebebe;

    function setUp() public {
        verifier = new FixtureGroth16Verifier(); // nonce 1
        hub = new BulwarkHub(address(this), makeAddr("guardian")); // nonce 2: Fixtures.HUB
        _gov(abi.encodeCall(BulwarkHub.addRoute, (address(verifier), 2, 64)));
        _gov(abi.encodeCall(BulwarkHub.registerChain, (7, bytes32(hex"1111111111111111111111111111111111111111111111111111111111111111"), 0, operatorAddr, uint64((1 << 62) - 1), 32)));
        vm.deal(operatorAddr, 2 ether);
        vm.prank(operatorAddr);
        hub.bond{value: 1 ether}();
        vm.deal(user, 1 ether);
    }

    function _gov(bytes memory data) internal {
        hub.schedule(data);
        vm.warp(block.timestamp + hub.GOVERNANCE_DELAY());
        hub.executeScheduled(data);
    }

    function _commit() internal returns (BulwarkHub.BatchInfo memory info) {
        vm.prank(user);
        hub.depositNew{value: 0.001 ether}(7, hex"abababababababababababababababababababababababababababababababababababababababab");
        vm.prank(operatorAddr);
        bytes32 newRoot = bytes32(hex"2222222222222222222222222222222222222222222222222222222222222222");
        hub.commitBatch(7, newRoot, 0, Fixtures.HUB_PUBDATA);
        info = BulwarkHub.BatchInfo({
            batchIndex: 0,
            depositLast: 1,
            committedAt: uint64(block.timestamp),
            route: 0,
            operator: operatorAddr,
            newRoot: newRoot,
            publicInput: bytes32(Fixtures.HUB_INPUT),
            withdrawalsHash: keccak256(abi.encodePacked(RECIPIENT, uint64(400_000))),
            withdrawalsTotal: 400_000
        });
    }

    function test_hubAddressMatchesFixture() public view {
        assertEq(address(hub), Fixtures.HUB, "regenerate fixtures: the deploy order changed");
    }

    /// @notice Commit recomputes exactly the Rust public input (else the stored hash differs).
    function test_commitProveExecuteClaim_realProof() public {
        BulwarkHub.BatchInfo memory info = _commit();
        assertEq(hub.batchHash(7, 0), keccak256(abi.encode(info)), "hub public input != Rust reference");
        vm.prank(operatorAddr);
        hub.proveBatch(7, info, Fixtures.hubProof());
        // With --isolate this is the whole transaction (README.md, "Gas").
        emit log_named_uint("proveBatch gas (generated verifier)", vm.lastCallGas().gasTotalUsed);
        vm.prank(operatorAddr);
        hub.executeBatch(7, info, abi.encodePacked(RECIPIENT, uint64(400_000)));
        assertEq(hub.withdrawable(RECIPIENT), 400_000 gwei);
        hub.claim(RECIPIENT);
        assertEq(RECIPIENT.balance, 400_000 gwei);
        (,,,,,,, bytes32 fin, uint256 escrow) = hub.chainInfo(7);
        assertEq(fin, info.newRoot);
        assertEq(escrow, 600_000 gwei);
    }

    function test_prove_RevertWhen_anyProofWordFlipped() public {
        BulwarkHub.BatchInfo memory info = _commit();
        for (uint256 i = 0; i < 8; i++) {
            uint256[8] memory p = Fixtures.hubProof();
            p[i] ^= 1;
            vm.prank(operatorAddr);
            (bool ok,) = address(hub).call{gas: 1_000_000}(abi.encodeCall(BulwarkHub.proveBatch, (7, info, p)));
            assertFalse(ok);
        }
        (, uint64 proved,,,,) = hub.chainCounters(7);
        assertEq(proved, 0);
    }

    function test_prove_RevertWhen_proofOfAnotherInput() public {
        BulwarkHub.BatchInfo memory info = _commit();
        vm.prank(operatorAddr);
        vm.expectRevert(FixtureGroth16Verifier.ProofInvalid.selector);
        hub.proveBatch(7, info, Fixtures.proofTypical());
    }
}
