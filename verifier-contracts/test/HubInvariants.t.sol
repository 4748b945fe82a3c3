// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {Test, Vm} from "forge-std/Test.sol";
import {BulwarkHub} from "../src/BulwarkHub.sol";
import {MockVerifier} from "./HubBase.sol";

/// @notice Drives the hub through random sequences of user, operator and reporter actions,
///         keeping ghost totals the invariants compare against.
contract HubHandler is Test {
    BulwarkHub public hub;
    address public operatorAddr;
    uint256 internal operatorKey;
    uint64 internal constant CHAIN = 7;
    bytes internal constant PK = hex"abababababababababababababababababababababababababababababababababababababababab";
    address[3] internal users = [address(0xA11CE), address(0xB0B), address(0xCA7)];

    // ghosts
    uint256 public deposited; // wei into escrow
    uint256 public paidOut; // wei sent by claim
    uint256 public bonded; // wei bonded by the operator
    uint256 public slashed; // wei slashed from the operator
    uint256 public credited; // wei credited as withdrawals
    uint64 public lastExecuted;
    bool public executedOutOfOrder;
    bool public rootMismatch;
    mapping(uint64 => uint256) public executions;
    uint64 public maxBatch;
    uint64 internal queued;
    bytes internal pendingDeposits; // deposit ops not yet in a batch
    uint64 internal pendingCount;
    uint256 internal pendingUnits;
    uint256 internal escrowUnits;

    constructor(BulwarkHub hub_, address op, uint256 key) {
        hub = hub_;
        operatorAddr = op;
        operatorKey = key;
        bonded = 5 ether;
    }

    function deposit(uint256 who, uint256 units) external {
        units = bound(units, 1, 1e9);
        address u = users[who % 3];
        vm.deal(u, units * 1 gwei);
        vm.prank(u);
        uint64 i = hub.deposit{value: units * 1 gwei}(CHAIN, 1, PK);
        pendingDeposits = bytes.concat(pendingDeposits, abi.encodePacked(uint8(1), i, uint32(1), PK, uint64(units)));
        pendingCount++;
        pendingUnits += units;
        deposited += units * 1 gwei;
    }

    /// @dev Commits, proves and executes a batch with the pending deposits, some transfers
    ///      and a withdrawal of at most what the escrow holds.
    function batch(uint256 who, uint256 units, uint8 transfers) external {
        escrowUnits += pendingUnits;
        units = bound(units, 0, escrowUnits);
        bytes memory ops = pendingDeposits;
        uint256 n = pendingCount;
        for (uint256 t = 0; t < transfers % 4; t++) {
            ops = bytes.concat(ops, abi.encodePacked(uint8(2), uint32(1), uint32(2), uint40(7), uint16(0)));
            n++;
        }
        bytes memory w;
        if (units > 0) {
            address to = users[who % 3];
            ops = bytes.concat(ops, abi.encodePacked(uint8(3), uint32(1), to, uint64(units), uint16(0)));
            w = abi.encodePacked(to, uint64(units));
            n++;
        }
        uint256 target = 2;
        while (target < n) target *= 2;
        for (; n < target; n++) ops = bytes.concat(ops, hex"00");
        bytes32 newRoot = keccak256(abi.encode(ops, block.timestamp));
        vm.recordLogs();
        vm.prank(operatorAddr);
        hub.commitBatch(CHAIN, newRoot, 0, ops);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        BulwarkHub.BatchInfo memory info;
        for (uint256 i = 0; i < logs.length; i++) {
            if (logs[i].topics[0] == BulwarkHub.BatchCommitted.selector) {
                (,, info) = abi.decode(logs[i].data, (bytes32, bytes32, BulwarkHub.BatchInfo));
            }
        }
        uint256[8] memory proof;
        vm.prank(operatorAddr);
        hub.proveBatch(CHAIN, info, proof);
        vm.prank(operatorAddr);
        hub.executeBatch(CHAIN, info, w);
        if (info.batchIndex != lastExecuted) executedOutOfOrder = true;
        executions[info.batchIndex]++;
        lastExecuted = info.batchIndex + 1;
        (,,,,,,, bytes32 fin,) = hub.chainInfo(CHAIN);
        if (fin != newRoot) rootMismatch = true;
        credited += units * 1 gwei;
        escrowUnits -= units;
        pendingDeposits = "";
        pendingCount = 0;
        pendingUnits = 0;
    }

    /// @dev Tries to execute an already executed batch again (must fail).
    function replayExecute(uint64 index) external {
        BulwarkHub.BatchInfo memory info;
        info.batchIndex = index;
        vm.prank(operatorAddr);
        try hub.executeBatch(CHAIN, info, "") {
            executions[index]++;
        } catch {}
    }

    function claim(uint256 who) external {
        address u = users[who % 3];
        uint256 amount = hub.withdrawable(u);
        if (amount == 0) return;
        uint256 before = u.balance;
        hub.claim(u);
        paidOut += u.balance - before;
        // A second claim of the same credit must fail.
        try hub.claim(u) {
            paidOut += 1;
        } catch {}
    }

    function equivocate(uint64 slot) external {
        BulwarkHub.BatchClaim memory a = BulwarkHub.BatchClaim(CHAIN, slot, bytes32(uint256(1)));
        BulwarkHub.BatchClaim memory b = BulwarkHub.BatchClaim(CHAIN, slot, bytes32(uint256(2)));
        (uint8 v1, bytes32 r1, bytes32 s1) = vm.sign(operatorKey, hub.claimDigest(a));
        (uint8 v2, bytes32 r2, bytes32 s2) = vm.sign(operatorKey, hub.claimDigest(b));
        (uint128 before,,) = hub.bonds(operatorAddr);
        try hub.slashEquivocation(operatorAddr, a, abi.encodePacked(r1, s1, v1), b, abi.encodePacked(r2, s2, v2)) {
            (uint128 afterBond,,) = hub.bonds(operatorAddr);
            slashed += before - afterBond;
        } catch {}
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 0, 2 days));
    }
}

/// @notice Invariants of the hub (listed in PROPERTIES.md).
contract HubInvariantsTest is Test {
    BulwarkHub internal hub;
    HubHandler internal handler;

    function setUp() public {
        (address op, uint256 key) = makeAddrAndKey("operator");
        MockVerifier mock = new MockVerifier();
        hub = new BulwarkHub(address(this), makeAddr("guardian"));
        _gov(abi.encodeCall(BulwarkHub.addRoute, (address(mock), 2, 64)));
        _gov(abi.encodeCall(BulwarkHub.registerChain, (7, bytes32(uint256(1)), 0, op, uint64((1 << 62) - 1))));
        vm.deal(op, 5 ether);
        vm.prank(op);
        hub.bond{value: 5 ether}();
        handler = new HubHandler(hub, op, key);
        targetContract(address(handler));
    }

    function _gov(bytes memory data) internal {
        hub.schedule(data);
        vm.warp(block.timestamp + hub.GOVERNANCE_DELAY());
        hub.executeScheduled(data);
    }

    /// @notice The hub never pays out more than was deposited.
    function invariant_paysOutAtMostDeposits() public view {
        assertLe(handler.paidOut(), handler.deposited() + handler.slashed());
        assertLe(handler.credited(), handler.deposited());
    }

    /// @notice Every wei is accounted for: escrow + claimable + bonds + burned = balance.
    function invariant_solvency() public view {
        (,,,,,,,, uint256 escrow) = hub.chainInfo(7);
        (uint128 bond,,) = hub.bonds(handler.operatorAddr());
        uint256 claimable = hub.withdrawable(address(0xA11CE)) + hub.withdrawable(address(0xB0B))
            + hub.withdrawable(address(0xCA7)) + hub.withdrawable(address(handler));
        assertEq(address(hub).balance, escrow + claimable + bond + hub.burned());
    }

    /// @notice Finalization only advances, in order, each batch once, to the proved root.
    function invariant_finalizationAdvancesOnce() public view {
        assertFalse(handler.executedOutOfOrder());
        assertFalse(handler.rootMismatch());
        (uint64 committed, uint64 proved, uint64 executed,,,) = hub.chainCounters(7);
        assertEq(executed, handler.lastExecuted());
        assertLe(executed, proved);
        assertLe(proved, committed);
        for (uint64 i = 0; i < executed; i++) assertEq(handler.executions(i), 1);
    }

    /// @notice A claim pays each credit once (a second claim fails: no extra wei left).
    function invariant_claimedOnce() public view {
        assertLe(handler.paidOut(), handler.credited() + handler.slashed());
    }

    /// @notice Slashing never takes more than was bonded.
    function invariant_slashWithinBond() public view {
        assertLe(handler.slashed(), handler.bonded());
        (uint128 bond,,) = hub.bonds(handler.operatorAddr());
        assertEq(uint256(bond) + handler.slashed(), handler.bonded());
    }
}
