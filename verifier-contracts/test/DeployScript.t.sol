// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Deploy} from "../script/Deploy.s.sol";
import {BulwarkHub} from "../src/BulwarkHub.sol";
import {IGroth16Verifier} from "../src/IGroth16Verifier.sol";
import {Fixtures} from "./fixtures/Fixtures.sol";

/// @notice script/Deploy.s.sol deploys a working verifier (from its artifact) and a hub
///         whose route becomes live after the timelock.
contract DeployScriptTest is Test {
    function test_deployScript() public {
        Deploy script = new Deploy();
        (address verifier, BulwarkHub hub, bytes memory call) = script.run();
        // The artifact's verifier accepts a real proof and refuses a flipped input.
        assertTrue(IGroth16Verifier(verifier).verifyProof(Fixtures.proofTypical(), Fixtures.INPUT_TYPICAL));
        vm.expectRevert();
        IGroth16Verifier(verifier).verifyProof(Fixtures.proofTypical(), Fixtures.INPUT_TYPICAL ^ 1);
        // The deployer (the script's broadcaster) owns the hub and scheduled the route.
        assertGt(call.length, 0);
        assertEq(hub.scheduledAt(keccak256(call)), block.timestamp + hub.GOVERNANCE_DELAY());
        vm.warp(block.timestamp + hub.GOVERNANCE_DELAY());
        vm.prank(hub.owner());
        hub.executeScheduled(call);
        assertEq(hub.route(0).verifier, verifier);
        assertEq(hub.route(0).opsPerLeaf, 32);
    }
}
