// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {HubBase, MockVerifier, MockExitVerifier} from "./HubBase.sol";
import {BulwarkHub} from "../src/BulwarkHub.sol";
import {Pubdata} from "../src/Pubdata.sol";

contract RejectsEther {
    receive() external payable {
        revert("no");
    }
}

/// @notice Unit tests: every function of the hub and every revert path (reason asserted).
contract BulwarkHubTest is HubBase {
    function setUp() public {
        setUpChain();
    }

    function _copy(BulwarkHub.BatchInfo memory info) internal pure returns (BulwarkHub.BatchInfo memory) {
        return abi.decode(abi.encode(info), (BulwarkHub.BatchInfo));
    }

    /// @notice The hub deploys on mainnet: its runtime code fits EIP-170's limit.
    function test_hubFitsCodeSizeLimit() public view {
        assertLe(address(hub).code.length, 24_576);
    }

    // ------------------------------------------------------------ governance

    function test_constructor_RevertWhen_zeroAddress() public {
        vm.expectRevert(BulwarkHub.ZeroAddress.selector);
        new BulwarkHub(address(0), guardian);
        vm.expectRevert(BulwarkHub.ZeroAddress.selector);
        new BulwarkHub(address(this), address(0));
    }

    function test_schedule_RevertWhen_notOwner() public {
        vm.prank(user);
        vm.expectRevert(BulwarkHub.NotOwner.selector);
        hub.schedule(hex"01");
    }

    function test_schedule_RevertWhen_twice() public {
        bytes32 id = hub.schedule(hex"01");
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.AlreadyScheduled.selector, id));
        hub.schedule(hex"01");
    }

    function test_executeScheduled_RevertWhen_notOwner() public {
        vm.prank(user);
        vm.expectRevert(BulwarkHub.NotOwner.selector);
        hub.executeScheduled(hex"01");
    }

    function test_executeScheduled_RevertWhen_notScheduled() public {
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.NotScheduled.selector, keccak256(hex"01")));
        hub.executeScheduled(hex"01");
    }

    function test_executeScheduled_RevertWhen_tooEarly() public {
        bytes memory data = abi.encodeCall(BulwarkHub.setGuardian, (user));
        hub.schedule(data);
        vm.warp(block.timestamp + hub.GOVERNANCE_DELAY() - 1);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.TooEarly.selector, block.timestamp + 1));
        hub.executeScheduled(data);
    }

    function test_executeScheduled_bubblesRevert() public {
        bytes memory data = abi.encodeCall(BulwarkHub.registerChain, (CHAIN, GENESIS, 0, operatorAddr, 1, 32));
        hub.schedule(data);
        vm.warp(block.timestamp + hub.GOVERNANCE_DELAY());
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.ChainExists.selector, CHAIN));
        hub.executeScheduled(data);
    }

    function test_cancel() public {
        bytes32 id = hub.schedule(hex"01");
        vm.prank(guardian);
        hub.cancel(id);
        assertEq(hub.scheduledAt(id), 0);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.NotScheduled.selector, id));
        hub.cancel(id);
        vm.prank(user);
        vm.expectRevert(BulwarkHub.NotGuardian.selector);
        hub.cancel(id);
    }

    function test_governedFunctions_RevertWhen_direct() public {
        vm.expectRevert(BulwarkHub.NotGovernance.selector);
        hub.setOwner(user);
        vm.expectRevert(BulwarkHub.NotGovernance.selector);
        hub.setGuardian(user);
        vm.expectRevert(BulwarkHub.NotGovernance.selector);
        hub.addRoute(address(mock), 1, 1);
        vm.expectRevert(BulwarkHub.NotGovernance.selector);
        hub.registerChain(8, GENESIS, 0, operatorAddr, 1, 32);
        vm.expectRevert(BulwarkHub.NotGovernance.selector);
        hub.setChainRoute(CHAIN, 0);
        vm.expectRevert(BulwarkHub.NotGovernance.selector);
        hub.setChainOperator(CHAIN, user);
        vm.expectRevert(BulwarkHub.NotGovernance.selector);
        hub.setExitVerifier(CHAIN, user);
    }

    function test_setOwnerAndGuardian() public {
        _gov(abi.encodeCall(BulwarkHub.setGuardian, (user)));
        assertEq(hub.guardian(), user);
        _gov(abi.encodeCall(BulwarkHub.setOwner, (user)));
        assertEq(hub.owner(), user);
    }

    function test_setOwner_RevertWhen_zero() public {
        bytes memory data = abi.encodeCall(BulwarkHub.setOwner, (address(0)));
        hub.schedule(data);
        vm.warp(block.timestamp + hub.GOVERNANCE_DELAY());
        vm.expectRevert(BulwarkHub.ZeroAddress.selector);
        hub.executeScheduled(data);
        data = abi.encodeCall(BulwarkHub.setGuardian, (address(0)));
        hub.schedule(data);
        vm.warp(block.timestamp + hub.GOVERNANCE_DELAY());
        vm.expectRevert(BulwarkHub.ZeroAddress.selector);
        hub.executeScheduled(data);
    }

    function _govExpect(bytes memory data, bytes memory err) internal {
        hub.schedule(data);
        vm.warp(block.timestamp + hub.GOVERNANCE_DELAY());
        vm.expectRevert(err);
        hub.executeScheduled(data);
    }

    function test_addRoute_reverts() public {
        _govExpect(abi.encodeCall(BulwarkHub.addRoute, (address(0), 1, 1)), abi.encodeWithSelector(BulwarkHub.ZeroAddress.selector));
        _govExpect(abi.encodeCall(BulwarkHub.addRoute, (address(mock), 0, 1)), abi.encodeWithSelector(BulwarkHub.BadRouteShape.selector));
        _govExpect(abi.encodeCall(BulwarkHub.addRoute, (address(mock), 1, 3)), abi.encodeWithSelector(BulwarkHub.BadRouteShape.selector));
        _govExpect(abi.encodeCall(BulwarkHub.addRoute, (address(mock), 1, 0)), abi.encodeWithSelector(BulwarkHub.BadRouteShape.selector));
    }

    function test_addRouteAndView() public {
        _gov(abi.encodeCall(BulwarkHub.addRoute, (address(mock), 4, 8)));
        assertEq(hub.routeCount(), 2);
        BulwarkHub.Route memory r = hub.route(1);
        assertEq(r.verifier, address(mock));
        assertEq(r.opsPerLeaf, 4);
        assertEq(r.maxLeaves, 8);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.UnknownRoute.selector, 2));
        hub.route(2);
    }

    function test_freezeRoute() public {
        vm.prank(user);
        vm.expectRevert(BulwarkHub.NotGuardian.selector);
        hub.freezeRoute(0);
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.UnknownRoute.selector, 5));
        hub.freezeRoute(5);
        vm.prank(guardian);
        hub.freezeRoute(0);
        assertTrue(hub.route(0).frozen);
        vm.prank(operatorAddr);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.RouteIsFrozen.selector, 0));
        hub.commitBatch(CHAIN, bytes32(0), 0, _pad("", 0));
    }

    function test_registerChain_reverts() public {
        _govExpect(abi.encodeCall(BulwarkHub.registerChain, (8, GENESIS, 3, operatorAddr, 1, 32)), abi.encodeWithSelector(BulwarkHub.UnknownRoute.selector, 3));
        _govExpect(abi.encodeCall(BulwarkHub.registerChain, (8, GENESIS, 0, address(0), 1, 32)), abi.encodeWithSelector(BulwarkHub.ZeroAddress.selector));
        _govExpect(abi.encodeCall(BulwarkHub.registerChain, (8, GENESIS, 0, operatorAddr, 0, 32)), abi.encodeWithSelector(BulwarkHub.BadMaxBalance.selector));
        _govExpect(abi.encodeCall(BulwarkHub.registerChain, (8, GENESIS, 0, operatorAddr, uint64(1 << 62), 32)), abi.encodeWithSelector(BulwarkHub.BadMaxBalance.selector));
        vm.prank(guardian);
        hub.freezeRoute(0);
        _govExpect(abi.encodeCall(BulwarkHub.registerChain, (8, GENESIS, 0, operatorAddr, 1, 32)), abi.encodeWithSelector(BulwarkHub.RouteIsFrozen.selector, 0));
    }

    function test_registerChain_state() public view {
        (bool registered, bool exitMode, uint32 routeId, address op,, uint64 maxBalance, bytes32 committedRoot, bytes32 finalizedRoot, uint256 escrow) = hub.chainInfo(CHAIN);
        assertTrue(registered);
        assertFalse(exitMode);
        assertEq(routeId, 0);
        assertEq(op, operatorAddr);
        assertEq(maxBalance, (1 << 62) - 1);
        assertEq(committedRoot, GENESIS);
        assertEq(finalizedRoot, GENESIS);
        assertEq(escrow, 0);
    }

    function test_chainSetters() public {
        _gov(abi.encodeCall(BulwarkHub.addRoute, (address(mock), 4, 8)));
        _gov(abi.encodeCall(BulwarkHub.setChainRoute, (CHAIN, 1)));
        _gov(abi.encodeCall(BulwarkHub.setChainOperator, (CHAIN, user)));
        _gov(abi.encodeCall(BulwarkHub.setExitVerifier, (CHAIN, address(0xe))));
        (,, uint32 routeId, address op, address ev,,,,) = hub.chainInfo(CHAIN);
        assertEq(routeId, 1);
        assertEq(op, user);
        assertEq(ev, address(0xe));
        _govExpect(abi.encodeCall(BulwarkHub.setChainRoute, (CHAIN, 9)), abi.encodeWithSelector(BulwarkHub.UnknownRoute.selector, 9));
        _govExpect(abi.encodeCall(BulwarkHub.setChainRoute, (99, 0)), abi.encodeWithSelector(BulwarkHub.UnknownChain.selector, 99));
        _govExpect(abi.encodeCall(BulwarkHub.setChainOperator, (99, user)), abi.encodeWithSelector(BulwarkHub.UnknownChain.selector, 99));
        _govExpect(abi.encodeCall(BulwarkHub.setChainOperator, (CHAIN, address(0))), abi.encodeWithSelector(BulwarkHub.ZeroAddress.selector));
        _govExpect(abi.encodeCall(BulwarkHub.setExitVerifier, (99, user)), abi.encodeWithSelector(BulwarkHub.UnknownChain.selector, 99));
    }

    // ------------------------------------------------------------ pause

    function test_pause() public {
        vm.prank(user);
        vm.expectRevert(BulwarkHub.NotGuardian.selector);
        hub.pause();
        vm.prank(guardian);
        hub.pause();
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        _depositNew(1 gwei);
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        hub.claim(user);
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        vm.prank(operatorAddr);
        hub.withdrawBond();
        // The pause ends by itself; the next one waits MAX_PAUSE more.
        vm.warp(block.timestamp + hub.MAX_PAUSE());
        _depositNew(1 gwei);
        uint256 maxPause = hub.MAX_PAUSE();
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.PauseUnavailable.selector, block.timestamp + maxPause));
        hub.pause();
        vm.warp(block.timestamp + maxPause);
        vm.prank(guardian);
        hub.pause();
    }

    function test_unpause() public {
        vm.prank(guardian);
        vm.expectRevert(BulwarkHub.NotPaused.selector);
        hub.unpause();
        vm.prank(guardian);
        hub.pause();
        vm.prank(user);
        vm.expectRevert(BulwarkHub.NotGuardian.selector);
        hub.unpause();
        vm.prank(guardian);
        hub.unpause();
        _depositNew(1 gwei);
    }

    function test_pausedFunctionsAllRevert() public {
        vm.prank(guardian);
        hub.pause();
        BulwarkHub.BatchInfo memory info;
        uint256[8] memory proof;
        BulwarkHub.BatchClaim memory c;
        vm.startPrank(operatorAddr);
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        hub.commitBatch(CHAIN, bytes32(0), 0, hex"0000");
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        hub.proveBatch(CHAIN, info, proof);
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        hub.executeBatch(CHAIN, info, "");
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        hub.revertBatches(CHAIN, info);
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        hub.bond{value: 1}();
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        hub.requestUnbond(1);
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        hub.slashEquivocation(operatorAddr, c, "", c, "");
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        hub.slashUnprovedBatch(CHAIN, info);
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        hub.slashStaleDeposit(CHAIN);
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        hub.activateExitMode(CHAIN);
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        hub.exit(CHAIN, 0, 0, user, "");
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        hub.refundDeposit(CHAIN, 0, "");
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        hub.depositNew{value: 1 gwei}(CHAIN, PK);
        vm.expectRevert(BulwarkHub.IsPaused.selector);
        hub.depositTo{value: 1 gwei}(CHAIN, 0);
        vm.stopPrank();
    }

    // ------------------------------------------------------------ deposits

    function test_depositNew() public {
        vm.expectEmit(address(hub));
        bytes32 h = keccak256(abi.encodePacked(bytes32(0), _newDepositOp(0, 0, 5)));
        emit BulwarkHub.DepositQueued(CHAIN, 0, user, 0, 5, PK, h);
        vm.prank(user);
        (uint64 i, uint32 account) = hub.depositNew{value: 5 gwei}(CHAIN, PK);
        assertEq(i, 0);
        assertEq(account, 0);
        assertEq(hub.depositHash(CHAIN, 1), h);
        assertEq(hub.depositMeta(CHAIN, 0).depositor, user);
        assertEq(hub.depositMeta(CHAIN, 0).enqueuedAt, block.timestamp);
        (,,, uint64 count,,) = hub.chainCounters(CHAIN);
        assertEq(count, 1);
        (,,,,,,,, uint256 escrow) = hub.chainInfo(CHAIN);
        assertEq(escrow, 5 gwei);
        // The next new account gets the next index.
        vm.prank(user);
        (i, account) = hub.depositNew{value: 1 gwei}(CHAIN, PK);
        assertEq(i, 1);
        assertEq(account, 1);
        (uint8 depth, uint64 accounts) = hub.accountSpace(CHAIN);
        assertEq(depth, DEPTH);
        assertEq(accounts, 2);
    }

    function test_depositTo() public {
        _depositNew(5 gwei);
        bytes32 h1 = hub.depositHash(CHAIN, 1);
        bytes32 h2 = keccak256(abi.encodePacked(h1, _toDepositOp(1, 0, 7)));
        vm.expectEmit(address(hub));
        emit BulwarkHub.DepositQueued(CHAIN, 1, user, 0, 7, new bytes(40), h2);
        assertEq(_depositTo(0, 7 gwei), 1);
        assertEq(hub.depositHash(CHAIN, 2), h2);
        (, uint64 accounts) = hub.accountSpace(CHAIN);
        assertEq(accounts, 1, "depositTo creates no account");
        (,,,,,,,, uint256 escrow) = hub.chainInfo(CHAIN);
        assertEq(escrow, 12 gwei);
    }

    function test_depositNew_reverts() public {
        vm.startPrank(user);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.UnknownChain.selector, 99));
        hub.depositNew{value: 1 gwei}(99, PK);
        vm.expectRevert(BulwarkHub.BadPublicKey.selector);
        hub.depositNew{value: 1 gwei}(CHAIN, hex"00");
        vm.expectRevert(BulwarkHub.BadPublicKey.selector);
        hub.depositNew{value: 1 gwei}(CHAIN, bytes.concat(PK, hex"00")); // 41 bytes
        vm.expectRevert(BulwarkHub.BadPublicKey.selector);
        hub.depositNew{value: 1 gwei}(CHAIN, new bytes(40)); // the zero key marks depositTo
        // Limb 2 (little-endian) = p: not canonical.
        bytes memory key = bytes.concat(PK);
        bytes8 pLe = hex"01000000ffffffff";
        for (uint256 j = 0; j < 8; j++) key[16 + j] = pLe[j];
        vm.expectRevert(BulwarkHub.BadPublicKey.selector);
        hub.depositNew{value: 1 gwei}(CHAIN, key);
        // p - 1 is canonical.
        key[16] = 0x00;
        hub.depositNew{value: 1 gwei}(CHAIN, key);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.BadDepositAmount.selector, 0));
        hub.depositNew{value: 0}(CHAIN, PK);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.BadDepositAmount.selector, 1 gwei + 1));
        hub.depositNew{value: 1 gwei + 1}(CHAIN, PK);
        vm.stopPrank();
        _gov(abi.encodeCall(BulwarkHub.registerChain, (8, GENESIS, 0, operatorAddr, 10, 32)));
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.BadDepositAmount.selector, 11 gwei));
        hub.depositNew{value: 11 gwei}(8, PK);
        // A refused deposit takes no account index.
        (, uint64 accounts) = hub.accountSpace(CHAIN);
        assertEq(accounts, 1);
    }

    function test_depositTo_reverts() public {
        vm.startPrank(user);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.UnknownChain.selector, 99));
        hub.depositTo{value: 1 gwei}(99, 0);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.UnknownAccount.selector, 0));
        hub.depositTo{value: 1 gwei}(CHAIN, 0);
        hub.depositNew{value: 1 gwei}(CHAIN, PK);
        hub.depositTo{value: 1 gwei}(CHAIN, 0);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.UnknownAccount.selector, 1));
        hub.depositTo{value: 1 gwei}(CHAIN, 1);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.UnknownAccount.selector, type(uint32).max));
        hub.depositTo{value: 1 gwei}(CHAIN, type(uint32).max);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.BadDepositAmount.selector, 0));
        hub.depositTo{value: 0}(CHAIN, 0);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.BadDepositAmount.selector, 2 gwei - 1));
        hub.depositTo{value: 2 gwei - 1}(CHAIN, 0);
        vm.stopPrank();
    }

    function test_registerChain_RevertWhen_badTreeDepth() public {
        _govExpect(abi.encodeCall(BulwarkHub.registerChain, (8, GENESIS, 0, operatorAddr, 1, 0)), abi.encodeWithSelector(BulwarkHub.BadTreeDepth.selector, 0));
        _govExpect(abi.encodeCall(BulwarkHub.registerChain, (8, GENESIS, 0, operatorAddr, 1, 33)), abi.encodeWithSelector(BulwarkHub.BadTreeDepth.selector, 33));
    }

    /// @notice A tree of depth d holds exactly 2^d accounts: the next depositNew reverts.
    function testFuzz_depositNew_RevertWhen_accountSpaceFull(uint8 depth) public {
        depth = uint8(bound(depth, 1, 5));
        _gov(abi.encodeCall(BulwarkHub.registerChain, (8, GENESIS, 0, operatorAddr, 1e9, depth)));
        vm.startPrank(user);
        for (uint256 n = 0; n < (uint256(1) << depth); n++) {
            (, uint32 account) = hub.depositNew{value: 1 gwei}(8, PK);
            assertEq(account, n);
        }
        vm.expectRevert(BulwarkHub.AccountSpaceFull.selector);
        hub.depositNew{value: 1 gwei}(8, PK);
        // Existing accounts still take deposits; one past the last does not.
        uint32 last = uint32((uint256(1) << depth) - 1);
        hub.depositTo{value: 1 gwei}(8, last);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.UnknownAccount.selector, last + 1));
        hub.depositTo{value: 1 gwei}(8, last + 1);
        vm.stopPrank();
    }

    /// @notice The escrow (units, this deposit included) never exceeds maxBalance; executed
    ///         withdrawals free room under the cap again.
    function test_deposit_RevertWhen_capReached() public {
        _gov(abi.encodeCall(BulwarkHub.registerChain, (8, GENESIS, 0, operatorAddr, 10, 32)));
        vm.startPrank(user);
        hub.depositNew{value: 6 gwei}(8, PK);
        vm.expectRevert(BulwarkHub.DepositCapReached.selector);
        hub.depositTo{value: 5 gwei}(8, 0);
        vm.expectRevert(BulwarkHub.DepositCapReached.selector);
        hub.depositNew{value: 5 gwei}(8, PK);
        hub.depositTo{value: 4 gwei}(8, 0); // exactly at the cap
        vm.expectRevert(BulwarkHub.DepositCapReached.selector);
        hub.depositTo{value: 1 gwei}(8, 0);
        vm.stopPrank();
        // Withdraw 3 units of account 0 in a batch: the cap has room for 3 more.
        bytes memory ops = bytes.concat(_newDepositOp(0, 0, 6), _toDepositOp(1, 0, 4), _withdrawOp(0, user, 3), _noop());
        vm.prank(operatorAddr);
        hub.commitBatch(8, bytes32(uint256(5)), 0, ops);
        BulwarkHub.BatchInfo memory info = BulwarkHub.BatchInfo({
            batchIndex: 0,
            depositLast: 2,
            committedAt: uint64(block.timestamp),
            route: 0,
            operator: operatorAddr,
            newRoot: bytes32(uint256(5)),
            publicInput: bytes32(0),
            withdrawalsHash: keccak256(abi.encodePacked(user, uint64(3))),
            withdrawalsTotal: 3
        });
        bytes[] memory leaves = new bytes[](2);
        leaves[0] = bytes.concat(_newDepositOp(0, 0, 6), _toDepositOp(1, 0, 4));
        leaves[1] = bytes.concat(_withdrawOp(0, user, 3), _noop());
        info.publicInput = hub.publicInputOf(8, 0, GENESIS, info.newRoot, 0, 2, 0, _commitment(leaves));
        uint256[8] memory proof;
        vm.startPrank(operatorAddr);
        hub.proveBatch(8, info, proof);
        hub.executeBatch(8, info, abi.encodePacked(user, uint64(3)));
        vm.stopPrank();
        vm.startPrank(user);
        vm.expectRevert(BulwarkHub.DepositCapReached.selector);
        hub.depositTo{value: 4 gwei}(8, 0);
        hub.depositTo{value: 3 gwei}(8, 0);
        vm.stopPrank();
    }

    /// @dev The reference: five little-endian u64 limbs, each below p, not all zero.
    function _refCanonical(bytes memory key) internal pure returns (bool) {
        if (key.length != 40) return false;
        bool nonZero = false;
        for (uint256 l = 0; l < 5; l++) {
            uint256 limb = 0;
            for (uint256 j = 0; j < 8; j++) limb |= uint256(uint8(key[8 * l + j])) << (8 * j);
            if (limb >= 0xFFFFFFFF00000001) return false;
            if (limb != 0) nonZero = true;
        }
        return nonZero;
    }

    /// @dev A limb biased toward the edges: 0, p - 1, p, p + 1, 2^64 - 1, 2^64 - 2^32, any.
    function _edgeLimb(uint256 seed) internal pure returns (uint64) {
        uint256 kind = seed % 8;
        uint64 any = uint64(seed >> 8);
        if (kind == 0) return 0;
        if (kind == 1) return 0xFFFFFFFF00000000;
        if (kind == 2) return 0xFFFFFFFF00000001;
        if (kind == 3) return 0xFFFFFFFF00000002;
        if (kind == 4) return type(uint64).max;
        if (kind == 5) return 0xFFFFFFFF00000000 | (any & 0xFFFFFFFF);
        return any;
    }

    function _leKey(uint256[5] memory seeds) internal pure returns (bytes memory key) {
        key = new bytes(40);
        for (uint256 l = 0; l < 5; l++) {
            uint64 limb = _edgeLimb(seeds[l]);
            for (uint256 j = 0; j < 8; j++) key[8 * l + j] = bytes1(uint8(limb >> (8 * j)));
        }
    }

    /// @notice isCanonicalPublicKey agrees with the reference on edge-biased keys, and
    ///         depositNew accepts exactly the canonical ones.
    function testFuzz_publicKeyCanonicality(uint256[5] memory seeds) public {
        bytes memory key = _leKey(seeds);
        bool expected = _refCanonical(key);
        assertEq(hub.isCanonicalPublicKey(key), expected);
        vm.prank(user);
        if (!expected) vm.expectRevert(BulwarkHub.BadPublicKey.selector);
        hub.depositNew{value: 1 gwei}(CHAIN, key);
    }

    /// @notice Arbitrary bytes (any length) agree with the reference too.
    function testFuzz_publicKeyCanonicality_anyBytes(bytes memory key) public view {
        assertEq(hub.isCanonicalPublicKey(key), _refCanonical(key));
    }

    function testFuzz_deposit_amounts(uint256 value) public {
        value = bound(value, 0, 100 ether);
        vm.deal(user, value);
        vm.prank(user);
        if (value == 0 || value % 1 gwei != 0) {
            vm.expectRevert(abi.encodeWithSelector(BulwarkHub.BadDepositAmount.selector, value));
            hub.depositNew{value: value}(CHAIN, PK);
        } else {
            hub.depositNew{value: value}(CHAIN, PK);
            assertEq(hub.depositHash(CHAIN, 1), keccak256(abi.encodePacked(bytes32(0), _newDepositOp(0, 0, uint64(value / 1 gwei)))));
        }
    }

    // ------------------------------------------------------------ commit

    function test_commit_matchesReference() public {
        _depositNew(1000 gwei);
        bytes memory ops = bytes.concat(_newDepositOp(0, 0, 1000), _transferOp(1, 2), _withdrawOp(1, user, 400), _noop());
        BulwarkHub.BatchInfo memory info = _commit(bytes32(uint256(2)), ops);
        bytes[] memory leaves = new bytes[](2);
        leaves[0] = bytes.concat(_newDepositOp(0, 0, 1000), _transferOp(1, 2));
        leaves[1] = bytes.concat(_withdrawOp(1, user, 400), _noop());
        bytes32 input = hub.publicInputOf(CHAIN, 0, GENESIS, bytes32(uint256(2)), 0, 1, 0, _commitment(leaves));
        assertEq(info.publicInput, input);
        assertEq(info.depositLast, 1);
        assertEq(info.withdrawalsTotal, 400);
        assertEq(info.withdrawalsHash, keccak256(abi.encodePacked(user, uint64(400))));
        assertEq(info.operator, operatorAddr);
        assertEq(hub.batchHash(CHAIN, 0), keccak256(abi.encode(info)));
        (uint64 committed,,,, uint64 dc,) = hub.chainCounters(CHAIN);
        assertEq(committed, 1);
        assertEq(dc, 1);
    }

    function test_commit_singleLeaf() public {
        BulwarkHub.BatchInfo memory info = _commit(bytes32(uint256(2)), hex"0000");
        bytes[] memory leaves = new bytes[](1);
        leaves[0] = hex"0000";
        assertEq(info.publicInput, hub.publicInputOf(CHAIN, 0, GENESIS, bytes32(uint256(2)), 0, 0, 0, _commitment(leaves)));
    }

    function test_commit_RevertWhen_notOperator() public {
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.NotChainOperator.selector, user));
        hub.commitBatch(CHAIN, bytes32(0), 0, hex"0000");
    }

    function test_commit_RevertWhen_bondTooSmall() public {
        vm.prank(operatorAddr);
        hub.requestUnbond(1.5 ether);
        vm.prank(operatorAddr);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.InsufficientBond.selector, operatorAddr));
        hub.commitBatch(CHAIN, bytes32(0), 0, hex"0000");
    }

    function _commitExpect(bytes memory pubdata, bytes memory err) internal {
        vm.prank(operatorAddr);
        vm.expectRevert(err);
        hub.commitBatch(CHAIN, bytes32(0), 0, pubdata);
    }

    function test_commit_pubdataReverts() public {
        _commitExpect(hex"0009", abi.encodeWithSelector(Pubdata.UnknownOpType.selector, 1, 9));
        _commitExpect(hex"0002000000", abi.encodeWithSelector(Pubdata.TruncatedOp.selector));
        _commitExpect(hex"", abi.encodeWithSelector(Pubdata.BadOpCount.selector));
        _commitExpect(hex"00", abi.encodeWithSelector(Pubdata.BadOpCount.selector)); // half a leaf
        _commitExpect(hex"000000000000", abi.encodeWithSelector(Pubdata.BadOpCount.selector)); // 3 leaves
        _commitExpect(new bytes(2 * 1024 + 2), abi.encodeWithSelector(Pubdata.BadOpCount.selector)); // > maxLeaves
    }

    function test_commit_RevertWhen_depositNotQueued() public {
        _commitExpect(bytes.concat(_newDepositOp(0, 0, 1000), _noop()), abi.encodeWithSelector(BulwarkHub.DepositsNotQueued.selector, 1, 0));
    }

    function test_commit_RevertWhen_depositMismatch() public {
        _depositNew(1000 gwei);
        _commitExpect(bytes.concat(_newDepositOp(0, 0, 999), _noop()), abi.encodeWithSelector(BulwarkHub.DepositMismatch.selector));
        _commitExpect(bytes.concat(_newDepositOp(0, 1, 1000), _noop()), abi.encodeWithSelector(BulwarkHub.DepositMismatch.selector));
        _commitExpect(bytes.concat(_newDepositOp(1, 0, 1000), _noop()), abi.encodeWithSelector(BulwarkHub.DepositMismatch.selector));
        // The queued record carries the key: a zero key (existing account) does not match.
        _commitExpect(bytes.concat(_toDepositOp(0, 0, 1000), _noop()), abi.encodeWithSelector(BulwarkHub.DepositMismatch.selector));
    }

    function test_commit_RevertWhen_chainUnknownOrExit() public {
        vm.prank(operatorAddr);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.UnknownChain.selector, 99));
        hub.commitBatch(99, bytes32(0), 0, hex"0000");
        _enterExitMode();
        _commitExpect(hex"0000", abi.encodeWithSelector(BulwarkHub.InExitMode.selector, CHAIN));
    }

    function test_commit_chainsOldRoot() public {
        _commit(bytes32(uint256(2)), hex"0000");
        BulwarkHub.BatchInfo memory b = _commit(bytes32(uint256(3)), hex"0000");
        bytes[] memory leaves = new bytes[](1);
        leaves[0] = hex"0000";
        assertEq(b.publicInput, hub.publicInputOf(CHAIN, 1, bytes32(uint256(2)), bytes32(uint256(3)), 0, 0, 0, _commitment(leaves)));
    }

    // ------------------------------------------------------------ prove / execute

    function test_fullFlow_creditsAndClaims() public {
        _depositNew(1000 gwei);
        bytes memory ops = bytes.concat(_newDepositOp(0, 0, 1000), _transferOp(1, 2), _withdrawOp(1, user, 400), _noop());
        BulwarkHub.BatchInfo memory info = _commit(bytes32(uint256(2)), ops);
        _prove(info);
        _execute(info, abi.encodePacked(user, uint64(400)));
        (,,,,,,, bytes32 fin, uint256 escrow) = hub.chainInfo(CHAIN);
        assertEq(fin, bytes32(uint256(2)));
        assertEq(escrow, 600 gwei);
        assertEq(hub.withdrawable(user), 400 gwei);
        assertEq(hub.batchHash(CHAIN, 0), bytes32(0));
        uint256 before = user.balance;
        hub.claim(user);
        assertEq(user.balance, before + 400 gwei);
        vm.expectRevert(BulwarkHub.NothingToClaim.selector);
        hub.claim(user);
    }

    function test_prove_reverts() public {
        BulwarkHub.BatchInfo memory info = _commit(bytes32(uint256(2)), hex"0000");
        uint256[8] memory proof;
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.NotChainOperator.selector, user));
        hub.proveBatch(CHAIN, info, proof);
        BulwarkHub.BatchInfo memory bad = _copy(info);
        bad.batchIndex = 1;
        vm.prank(operatorAddr);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.WrongBatch.selector, 0, 1));
        hub.proveBatch(CHAIN, bad, proof);
        bad = _copy(info);
        bad.newRoot = bytes32(uint256(9));
        vm.prank(operatorAddr);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.UnknownBatch.selector, 0));
        hub.proveBatch(CHAIN, bad, proof);
        mock.setMode(1);
        vm.prank(operatorAddr);
        vm.expectRevert(MockVerifier.MockRejected.selector);
        hub.proveBatch(CHAIN, info, proof);
        mock.setMode(2);
        vm.prank(operatorAddr);
        vm.expectRevert(BulwarkHub.BadProof.selector);
        hub.proveBatch(CHAIN, info, proof);
        mock.setMode(0);
        vm.prank(guardian);
        hub.freezeRoute(0);
        vm.prank(operatorAddr);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.RouteIsFrozen.selector, 0));
        hub.proveBatch(CHAIN, info, proof);
    }

    function test_prove_RevertWhen_nothingCommitted() public {
        BulwarkHub.BatchInfo memory info;
        uint256[8] memory proof;
        vm.prank(operatorAddr);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.UnknownBatch.selector, 0));
        hub.proveBatch(CHAIN, info, proof);
    }

    function test_execute_reverts() public {
        BulwarkHub.BatchInfo memory info = _commit(bytes32(uint256(2)), bytes.concat(_withdrawOp(1, user, 400), _noop()));
        vm.prank(operatorAddr);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.BatchNotProved.selector, 0));
        hub.executeBatch(CHAIN, info, abi.encodePacked(user, uint64(400)));
        _prove(info);
        vm.prank(operatorAddr);
        vm.expectRevert(BulwarkHub.BadWithdrawals.selector);
        hub.executeBatch(CHAIN, info, abi.encodePacked(user, uint64(401)));
        // No deposit backs this withdrawal: the escrow refuses it.
        vm.prank(operatorAddr);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.EscrowShort.selector, 0, 400 gwei));
        hub.executeBatch(CHAIN, info, abi.encodePacked(user, uint64(400)));
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.NotChainOperator.selector, user));
        hub.executeBatch(CHAIN, info, "");
    }

    function test_execute_RevertWhen_twice() public {
        BulwarkHub.BatchInfo memory info = _commit(bytes32(uint256(2)), hex"0000");
        _prove(info);
        _execute(info, "");
        vm.prank(operatorAddr);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.WrongBatch.selector, 1, 0));
        hub.executeBatch(CHAIN, info, "");
    }

    function test_revertBatches() public {
        _depositNew(1000 gwei);
        BulwarkHub.BatchInfo memory a = _commit(bytes32(uint256(2)), bytes.concat(_newDepositOp(0, 0, 1000), _noop()));
        _prove(a);
        _commit(bytes32(uint256(3)), hex"0000");
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.NotChainOperator.selector, user));
        hub.revertBatches(CHAIN, a);
        BulwarkHub.BatchInfo memory bad = _copy(a);
        bad.newRoot = bytes32(0);
        vm.prank(operatorAddr);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.UnknownBatch.selector, 0));
        hub.revertBatches(CHAIN, bad);
        vm.prank(operatorAddr);
        hub.revertBatches(CHAIN, a);
        (uint64 committed, uint64 proved,,, uint64 dc,) = hub.chainCounters(CHAIN);
        assertEq(committed, 1);
        assertEq(proved, 1);
        assertEq(dc, 1);
        assertEq(hub.batchHash(CHAIN, 1), bytes32(0));
        (,,,,,, bytes32 committedRoot,,) = hub.chainInfo(CHAIN);
        assertEq(committedRoot, bytes32(uint256(2)));
        // After execution, reverting goes back to the finalized state.
        _execute(a, "");
        _commit(bytes32(uint256(4)), hex"0000");
        BulwarkHub.BatchInfo memory none;
        vm.prank(operatorAddr);
        hub.revertBatches(CHAIN, none);
        (,,,,,, committedRoot,,) = hub.chainInfo(CHAIN);
        assertEq(committedRoot, bytes32(uint256(2)));
    }

    // ------------------------------------------------------------ claims and bonds

    function test_claim_RevertWhen_transferFails() public {
        RejectsEther r = new RejectsEther();
        _depositNew(1000 gwei);
        BulwarkHub.BatchInfo memory info = _commit(bytes32(uint256(2)), bytes.concat(_newDepositOp(0, 0, 1000), _withdrawOp(1, address(r), 5)));
        _prove(info);
        _execute(info, abi.encodePacked(address(r), uint64(5)));
        vm.expectRevert(BulwarkHub.TransferFailed.selector);
        hub.claim(address(r));
    }

    function test_bonds() public {
        vm.prank(user);
        vm.expectRevert(BulwarkHub.ZeroAmount.selector);
        hub.bond();
        vm.startPrank(operatorAddr);
        vm.expectRevert(BulwarkHub.ZeroAmount.selector);
        hub.requestUnbond(0);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.UnbondTooLarge.selector, 2 ether));
        hub.requestUnbond(3 ether);
        vm.expectRevert(BulwarkHub.NothingUnlocked.selector);
        hub.withdrawBond();
        hub.requestUnbond(1 ether);
        vm.expectRevert(BulwarkHub.NothingUnlocked.selector);
        hub.withdrawBond();
        vm.warp(block.timestamp + hub.UNBONDING_DELAY());
        hub.withdrawBond();
        vm.stopPrank();
        assertEq(hub.withdrawable(operatorAddr), 1 ether);
        (uint128 amount, uint128 unbonding,) = hub.bonds(operatorAddr);
        assertEq(amount, 1 ether);
        assertEq(unbonding, 0);
    }

    // ------------------------------------------------------------ slashing

    function test_slashEquivocation() public {
        BulwarkHub.BatchClaim memory a = BulwarkHub.BatchClaim(CHAIN, 3, bytes32(uint256(1)));
        BulwarkHub.BatchClaim memory b = BulwarkHub.BatchClaim(CHAIN, 3, bytes32(uint256(2)));
        bytes memory sa = _sign(operatorKey, a);
        bytes memory sb = _sign(operatorKey, b);
        vm.prank(user);
        hub.slashEquivocation(operatorAddr, a, sa, b, sb);
        assertEq(hub.withdrawable(user), 0.5 ether);
        assertEq(hub.burned(), 0.5 ether);
        (uint128 amount,,) = hub.bonds(operatorAddr);
        assertEq(amount, 1 ether);
        bytes32 id = keccak256(abi.encode("equivocation", operatorAddr, CHAIN, uint64(3)));
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.AlreadySlashed.selector, id));
        hub.slashEquivocation(operatorAddr, a, sa, b, sb);
    }

    function test_slashEquivocation_reverts() public {
        BulwarkHub.BatchClaim memory a = BulwarkHub.BatchClaim(CHAIN, 3, bytes32(uint256(1)));
        BulwarkHub.BatchClaim memory b = BulwarkHub.BatchClaim(CHAIN, 3, bytes32(uint256(2)));
        BulwarkHub.BatchClaim memory other = BulwarkHub.BatchClaim(CHAIN, 4, bytes32(uint256(2)));
        bytes memory sa = _sign(operatorKey, a);
        vm.expectRevert(BulwarkHub.NotEquivocation.selector);
        hub.slashEquivocation(operatorAddr, a, sa, a, sa);
        bytes memory so = _sign(operatorKey, other);
        vm.expectRevert(BulwarkHub.NotEquivocation.selector);
        hub.slashEquivocation(operatorAddr, a, sa, other, so);
        (, uint256 otherKey) = makeAddrAndKey("other");
        bytes memory sOther = _sign(otherKey, b);
        vm.expectRevert(BulwarkHub.BadSignature.selector);
        hub.slashEquivocation(operatorAddr, a, sa, b, sOther);
        vm.expectRevert(BulwarkHub.BadSignature.selector);
        hub.slashEquivocation(operatorAddr, a, sa, b, hex"00");
    }

    function test_slashEquivocation_RevertWhen_highS() public {
        BulwarkHub.BatchClaim memory a = BulwarkHub.BatchClaim(CHAIN, 3, bytes32(uint256(1)));
        BulwarkHub.BatchClaim memory b = BulwarkHub.BatchClaim(CHAIN, 3, bytes32(uint256(2)));
        bytes memory sa = _sign(operatorKey, a);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(operatorKey, hub.claimDigest(b));
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        bytes memory high = abi.encodePacked(r, bytes32(n - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(BulwarkHub.BadSignature.selector);
        hub.slashEquivocation(operatorAddr, a, sa, b, high);
        // A v that recovers nothing.
        bytes memory badV = abi.encodePacked(r, s, uint8(5));
        vm.expectRevert(BulwarkHub.BadSignature.selector);
        hub.slashEquivocation(operatorAddr, a, sa, b, badV);
    }

    function test_slashUnprovedBatch() public {
        BulwarkHub.BatchInfo memory info = _commit(bytes32(uint256(2)), hex"0000");
        uint256 deadline = block.timestamp + hub.PROVE_DEADLINE();
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.DeadlineNotPassed.selector, deadline));
        hub.slashUnprovedBatch(CHAIN, info);
        vm.warp(deadline + 1);
        BulwarkHub.BatchInfo memory bad = _copy(info);
        bad.batchIndex = 5;
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.UnknownBatch.selector, 5));
        hub.slashUnprovedBatch(CHAIN, bad);
        vm.prank(user);
        hub.slashUnprovedBatch(CHAIN, info);
        assertEq(hub.withdrawable(user), 0.5 ether);
        vm.expectRevert();
        hub.slashUnprovedBatch(CHAIN, info);
        _prove(info);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.UnknownBatch.selector, 0));
        hub.slashUnprovedBatch(CHAIN, info);
    }

    function test_slash_pauseExtendsDeadline() public {
        BulwarkHub.BatchInfo memory info = _commit(bytes32(uint256(2)), hex"0000");
        vm.prank(guardian);
        hub.pause();
        uint256 end = block.timestamp + hub.MAX_PAUSE();
        vm.warp(end);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.DeadlineNotPassed.selector, end + hub.PROVE_DEADLINE()));
        hub.slashUnprovedBatch(CHAIN, info);
    }

    function test_slashStaleDeposit() public {
        vm.expectRevert(BulwarkHub.NoStaleDeposit.selector);
        hub.slashStaleDeposit(CHAIN);
        _depositNew(1 gwei);
        uint256 deadline = block.timestamp + hub.DEPOSIT_DEADLINE();
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.DeadlineNotPassed.selector, deadline));
        hub.slashStaleDeposit(CHAIN);
        vm.warp(deadline + 1);
        vm.prank(user);
        hub.slashStaleDeposit(CHAIN);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.AlreadySlashed.selector, keccak256(abi.encode("deposit", CHAIN, uint64(0)))));
        hub.slashStaleDeposit(CHAIN);
    }

    function test_slash_neverExceedsBond() public {
        (address op2, uint256 key2) = makeAddrAndKey("op2");
        vm.deal(op2, 1 ether);
        vm.prank(op2);
        hub.bond{value: 0.3 ether}();
        BulwarkHub.BatchClaim memory a = BulwarkHub.BatchClaim(CHAIN, 3, bytes32(uint256(1)));
        BulwarkHub.BatchClaim memory b = BulwarkHub.BatchClaim(CHAIN, 3, bytes32(uint256(2)));
        hub.slashEquivocation(op2, a, _sign(key2, a), b, _sign(key2, b));
        (uint128 amount,,) = hub.bonds(op2);
        assertEq(amount, 0);
        assertEq(hub.withdrawable(address(this)), 0.15 ether);
        a.batchIndex = 4;
        b.batchIndex = 4;
        bytes memory sa = _sign(key2, a);
        bytes memory sb = _sign(key2, b);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.NoBond.selector, op2));
        hub.slashEquivocation(op2, a, sa, b, sb);
    }

    function test_slash_capsUnbondingPart() public {
        vm.prank(operatorAddr);
        hub.requestUnbond(2 ether);
        BulwarkHub.BatchClaim memory a = BulwarkHub.BatchClaim(CHAIN, 3, bytes32(uint256(1)));
        BulwarkHub.BatchClaim memory b = BulwarkHub.BatchClaim(CHAIN, 3, bytes32(uint256(2)));
        hub.slashEquivocation(operatorAddr, a, _sign(operatorKey, a), b, _sign(operatorKey, b));
        (uint128 amount, uint128 unbonding,) = hub.bonds(operatorAddr);
        assertEq(amount, 1 ether);
        assertEq(unbonding, 1 ether);
    }

    // ------------------------------------------------------------ exit mode

    function _enterExitMode() internal {
        _depositNew(1000 gwei);
        vm.warp(block.timestamp + hub.EXIT_DEADLINE() + 1);
        hub.activateExitMode(CHAIN);
    }

    function test_activateExitMode() public {
        vm.expectRevert(BulwarkHub.NoStaleDeposit.selector);
        hub.activateExitMode(CHAIN);
        _depositNew(1000 gwei);
        uint256 deadline = block.timestamp + hub.EXIT_DEADLINE();
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.DeadlineNotPassed.selector, deadline));
        hub.activateExitMode(CHAIN);
        vm.warp(deadline + 1);
        hub.activateExitMode(CHAIN);
        (, bool exitMode,,,,,,,) = hub.chainInfo(CHAIN);
        assertTrue(exitMode);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.InExitMode.selector, CHAIN));
        hub.activateExitMode(CHAIN);
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.InExitMode.selector, CHAIN));
        hub.depositNew{value: 1 gwei}(CHAIN, PK);
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.InExitMode.selector, CHAIN));
        hub.depositTo{value: 1 gwei}(CHAIN, 0);
    }

    function test_exit() public {
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.NotInExitMode.selector, CHAIN));
        hub.exit(CHAIN, 1, 10, user, "");
        _enterExitMode();
        vm.expectRevert(BulwarkHub.ExitVerifierUnset.selector);
        hub.exit(CHAIN, 1, 10, user, "");
        MockExitVerifier ev = new MockExitVerifier();
        _gov(abi.encodeCall(BulwarkHub.setExitVerifier, (CHAIN, address(ev))));
        vm.expectRevert(BulwarkHub.BadExitProof.selector);
        hub.exit(CHAIN, 1, 10, user, "");
        ev.allow(CHAIN, GENESIS, 1, 10, user);
        ev.allow(CHAIN, GENESIS, 2, 5000, user);
        hub.exit(CHAIN, 1, 10, user, "");
        assertEq(hub.withdrawable(user), 10 gwei);
        assertTrue(hub.hasExited(CHAIN, 1));
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.AlreadyExited.selector, 1));
        hub.exit(CHAIN, 1, 10, user, "");
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.EscrowShort.selector, 990 gwei, 5000 gwei));
        hub.exit(CHAIN, 2, 5000, user, "");
    }

    function test_refundDeposit() public {
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.NotInExitMode.selector, CHAIN));
        hub.refundDeposit(CHAIN, 0, _newDepositOp(0, 0, 1000));
        _enterExitMode();
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.DepositNotRefundable.selector, 0));
        hub.refundDeposit(CHAIN, 0, hex"01");
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.DepositNotRefundable.selector, 1));
        hub.refundDeposit(CHAIN, 1, _newDepositOp(1, 0, 1000));
        vm.expectRevert(BulwarkHub.DepositMismatch.selector);
        hub.refundDeposit(CHAIN, 0, _newDepositOp(0, 0, 999));
        hub.refundDeposit(CHAIN, 0, _newDepositOp(0, 0, 1000));
        assertEq(hub.withdrawable(user), 1000 gwei);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.DepositNotRefundable.selector, 0));
        hub.refundDeposit(CHAIN, 0, _newDepositOp(0, 0, 1000));
    }

    function test_refund_RevertWhen_depositExecuted() public {
        _depositNew(1000 gwei);
        BulwarkHub.BatchInfo memory info = _commit(bytes32(uint256(2)), bytes.concat(_newDepositOp(0, 0, 1000), _noop()));
        _prove(info);
        _execute(info, "");
        _depositTo(0, 5 gwei);
        vm.warp(block.timestamp + hub.EXIT_DEADLINE() + 1);
        hub.activateExitMode(CHAIN);
        vm.expectRevert(abi.encodeWithSelector(BulwarkHub.DepositNotRefundable.selector, 0));
        hub.refundDeposit(CHAIN, 0, _newDepositOp(0, 0, 1000));
        hub.refundDeposit(CHAIN, 1, _toDepositOp(1, 0, 5));
    }
}
