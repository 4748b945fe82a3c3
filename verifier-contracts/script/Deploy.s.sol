// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {Script, console} from "forge-std/Script.sol";
import {BulwarkHub} from "../src/BulwarkHub.sol";

/// @notice Deploys a Groth16 verifier (from its checked-in artifact, artifacts/*.json, so a
///         key's verifier is exactly the bytecode the artifact test checked) and a hub, and
///         schedules the verifier's route on the hub's timelock when the deployer owns it.
/// @dev Environment (all optional):
///      VERIFIER_ARTIFACT  artifact path (default artifacts/FixtureGroth16Verifier.json)
///      OWNER, GUARDIAN    hub roles (default: the deployer for both)
///      OPS_PER_LEAF, MAX_LEAVES  the route's batch shape (default 32, 64)
///      Run: forge script script/Deploy.s.sol --rpc-url URL --private-key KEY --broadcast
///      (the Rust deploy helper, src/deploy.rs, does the same through alloy).
contract Deploy is Script {
    /// @notice The artifact's creation bytecode could not be deployed.
    error DeployFailed(string artifact);

    /// @notice Deploys; returns the verifier, the hub and the scheduled route call (empty
    ///         when the owner is not the deployer: the owner schedules it).
    function run() external returns (address verifier, BulwarkHub hub, bytes memory addRouteCall) {
        string memory artifact = vm.envOr("VERIFIER_ARTIFACT", string("artifacts/FixtureGroth16Verifier.json"));
        uint32 opsPerLeaf = uint32(vm.envOr("OPS_PER_LEAF", uint256(32)));
        uint32 maxLeaves = uint32(vm.envOr("MAX_LEAVES", uint256(64)));
        bytes memory code = vm.parseJsonBytes(vm.readFile(artifact), ".bytecode");

        vm.startBroadcast();
        // The broadcasting account (--private-key / --sender), which sends every call below.
        (, address deployer,) = vm.readCallers();
        address owner = vm.envOr("OWNER", deployer);
        address guardian = vm.envOr("GUARDIAN", deployer);
        assembly ("memory-safe") {
            verifier := create(0, add(code, 0x20), mload(code))
        }
        if (verifier == address(0)) revert DeployFailed(artifact);
        hub = new BulwarkHub(owner, guardian);
        addRouteCall = abi.encodeCall(BulwarkHub.addRoute, (verifier, opsPerLeaf, maxLeaves));
        if (owner == deployer) hub.schedule(addRouteCall);
        else addRouteCall = "";
        vm.stopBroadcast();

        console.log("verifier", verifier);
        console.log("hub", address(hub));
        if (addRouteCall.length > 0) {
            console.log("addRoute scheduled; executeScheduled after GOVERNANCE_DELAY with:");
            console.logBytes(addRouteCall);
        }
    }
}
