// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {Test, Vm, console} from "forge-std/Test.sol";
import {BulwarkHub} from "../src/BulwarkHub.sol";
import {MockVerifier} from "./HubBase.sol";

/// @dev The invariant chain: 8 accounts and a cap of 5 ether, so random runs fill the tree
///      and reach the cap.
uint8 constant MODEL_DEPTH = 3;
uint64 constant MODEL_MAX_BALANCE = 5e9;

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
    bytes internal pendingDeposits; // deposit ops not yet in a batch
    uint64 internal pendingCount;

    // A model of the chain's executor (state/src/executor.rs), applied to every deposit in
    // queue order when a batch takes it: the hub's rules must make each one applicable.
    uint8 public constant DEPTH = MODEL_DEPTH;
    uint64 public constant MAX_BALANCE = MODEL_MAX_BALANCE;
    uint256 public constant P = 0xFFFFFFFF00000001;
    mapping(uint32 => bytes) internal l2Key; // empty = no account
    mapping(uint32 => uint256) internal l2Balance;
    uint32 internal l2Accounts; // accounts the model created
    uint256 public depositsApplied;
    uint256 public refusedDeposits; // deposits the model's executor would refuse
    uint256 public transferOverflows; // credits the model would refuse (balance > max)
    uint256 public badKeysAccepted; // non-canonical keys the hub queued
    uint256 public badKeysRefused; // non-canonical keys the hub refused (non-vacuity)
    uint256 public capRefusals; // DepositCapReached seen (non-vacuity)
    uint256 public fullRefusals; // AccountSpaceFull seen (non-vacuity)

    constructor(BulwarkHub hub_, address op, uint256 key) {
        hub = hub_;
        operatorAddr = op;
        operatorKey = key;
        bonded = 5 ether;
    }

    /// @dev A key from a seed: usually the canonical PK, sometimes zero or with a limb >= p.
    function _key(uint256 seed) internal pure returns (bytes memory key) {
        key = bytes.concat(PK);
        uint256 kind = seed % 6;
        if (kind == 0) return new bytes(40);
        if (kind == 1) {
            // Limb (seed >> 8) % 5 set to p + (seed >> 16) % 3, little-endian.
            uint256 limb = P + ((seed >> 16) % 3);
            uint256 at = 8 * ((seed >> 8) % 5);
            for (uint256 j = 0; j < 8; j++) key[at + j] = bytes1(uint8(limb >> (8 * j)));
        }
        if (kind == 2) key[0] = bytes1(uint8(seed >> 24)); // still canonical
    }

    function _isCanonical(bytes memory key) internal pure returns (bool) {
        bool nonZero = false;
        for (uint256 l = 0; l < 5; l++) {
            uint256 limb = 0;
            for (uint256 j = 0; j < 8; j++) limb |= uint256(uint8(key[8 * l + j])) << (8 * j);
            if (limb >= P) return false;
            if (limb != 0) nonZero = true;
        }
        return nonZero;
    }

    function _queue(uint64 i, uint32 account, bytes memory key, uint256 units) internal {
        pendingDeposits = bytes.concat(pendingDeposits, abi.encodePacked(uint8(1), i, account, key, uint64(units)));
        pendingCount++;
        deposited += units * 1 gwei;
    }

    function _note(bytes4 sel) internal {
        if (sel == BulwarkHub.DepositCapReached.selector) capRefusals++;
        if (sel == BulwarkHub.AccountSpaceFull.selector) fullRefusals++;
        if (sel == BulwarkHub.BadPublicKey.selector) badKeysRefused++;
    }

    function depositNew(uint256 who, uint256 units, uint256 keySeed) external {
        units = bound(units, 1, 1e9);
        address u = users[who % 3];
        bytes memory key = _key(keySeed);
        vm.deal(u, units * 1 gwei);
        vm.prank(u);
        try hub.depositNew{value: units * 1 gwei}(CHAIN, key) returns (uint64 i, uint32 account) {
            if (!_isCanonical(key)) badKeysAccepted++;
            _queue(i, account, key, units);
        } catch (bytes memory err) {
            _note(bytes4(err));
        }
    }

    function depositTo(uint256 who, uint32 account, uint256 units) external {
        units = bound(units, 1, 1e9);
        account = uint32(bound(account, 0, (1 << DEPTH) + 1));
        address u = users[who % 3];
        vm.deal(u, units * 1 gwei);
        vm.prank(u);
        try hub.depositTo{value: units * 1 gwei}(CHAIN, account) returns (uint64 i) {
            _queue(i, account, new bytes(40), units);
        } catch (bytes memory err) {
            _note(bytes4(err));
        }
    }

    /// @dev Applies the pending deposits to the model with the executor's rules.
    function _applyDeposits() internal {
        bytes memory d = pendingDeposits;
        for (uint256 at = 0; at < d.length; at += 61) {
            uint32 account;
            uint64 amount;
            bytes memory key = new bytes(40);
            assembly ("memory-safe") {
                let p := add(add(d, 32), at)
                account := shr(224, mload(add(p, 9)))
                amount := shr(192, mload(add(p, 53)))
            }
            for (uint256 j = 0; j < 40; j++) key[j] = d[at + 13 + j];
            depositsApplied++;
            bool isNew = keccak256(key) != keccak256(new bytes(40));
            bool ok = account < (uint256(1) << DEPTH);
            if (isNew) {
                // A new account: its slot must be empty, its key decodable (canonical here).
                ok = ok && l2Key[account].length == 0 && _isCanonical(key);
                if (ok) {
                    l2Key[account] = key;
                    l2Accounts++;
                }
            } else {
                ok = ok && l2Key[account].length != 0;
            }
            ok = ok && l2Balance[account] + amount <= MAX_BALANCE;
            if (ok) l2Balance[account] += amount;
            else refusedDeposits++;
        }
    }

    /// @dev Commits, proves and executes a batch with the pending deposits, transfers between
    ///      model accounts, and a withdrawal of at most one account's balance.
    function batch(uint256 who, uint256 units, uint8 transfers, uint256 seed) external {
        _applyDeposits();
        bytes memory ops = pendingDeposits;
        uint256 n = pendingCount;
        for (uint256 t = 0; t < transfers % 4; t++) {
            uint32 from = uint32(uint256(keccak256(abi.encode(seed, t, 0))) % (l2Accounts + 1));
            uint32 to = uint32(uint256(keccak256(abi.encode(seed, t, 1))) % (l2Accounts + 1));
            uint256 amount = l2Balance[from];
            if (from != to && l2Key[to].length != 0) {
                // Move everything: the largest credit the model can make.
                if (l2Balance[to] + amount > MAX_BALANCE) transferOverflows++;
                l2Balance[from] = 0;
                l2Balance[to] += amount;
            }
            ops = bytes.concat(ops, abi.encodePacked(uint8(2), from, to, uint40(7), uint16(0)));
            n++;
        }
        uint32 src = uint32(seed % (l2Accounts + 1));
        units = bound(units, 0, l2Balance[src]);
        bytes memory w;
        if (units > 0) {
            address to = users[who % 3];
            ops = bytes.concat(ops, abi.encodePacked(uint8(3), src, to, uint64(units), uint16(0)));
            w = abi.encodePacked(to, uint64(units));
            l2Balance[src] -= units;
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
        pendingDeposits = "";
        pendingCount = 0;
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
            // Top the bond up so that batches keep running for the rest of the sequence.
            if (afterBond < 1 ether) {
                vm.deal(operatorAddr, 1 ether);
                vm.prank(operatorAddr);
                hub.bond{value: 1 ether}();
                bonded += 1 ether;
            }
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
        _gov(abi.encodeCall(BulwarkHub.registerChain, (7, bytes32(uint256(1)), 0, op, MODEL_MAX_BALANCE, MODEL_DEPTH)));
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

    /// @notice Every queued deposit is applicable: the model executor refuses none (new
    ///         accounts in order inside the tree with canonical keys, credits to existing
    ///         accounts, no balance past maxBalance), and no transfer credit overflows.
    function invariant_queuedDepositsApplicable() public view {
        assertEq(handler.refusedDeposits(), 0, "a queued deposit the executor refuses");
        assertEq(handler.transferOverflows(), 0, "a credit past maxBalance");
        assertEq(handler.badKeysAccepted(), 0, "a non-canonical key queued");
    }

    /// @notice The escrow never exceeds maxBalance units; the accounts fit the tree.
    function invariant_escrowWithinCap() public view {
        (,,,,, uint64 maxBalance,,, uint256 escrow) = hub.chainInfo(7);
        assertLe(escrow, uint256(maxBalance) * 1 gwei);
        (uint8 depth, uint64 accounts) = hub.accountSpace(7);
        assertLe(accounts, uint64(1) << depth);
    }

    /// @notice The handler reaches every refusal (tree full, cap, bad key) and applies the
    ///         queued deposits: the invariants above are not vacuous.
    function test_handlerReachesEveryRefusal() public {
        for (uint256 i = 0; i < 9; i++) handler.depositNew(i, 1, 3); // 8 accounts, then full
        handler.depositNew(0, 1, 1); // limb >= p
        handler.depositNew(0, 1, 0); // zero key
        for (uint256 i = 0; i < 4; i++) handler.depositTo(0, 7, 1e9); // 8 + 4e9 units: within the cap
        handler.depositTo(0, 8, 1); // past the last account: refused
        handler.depositTo(0, 7, 1e9); // past the cap
        handler.batch(0, 1e9, 3, 7);
        assertEq(handler.fullRefusals(), 1, "tree full");
        assertEq(handler.badKeysRefused(), 2, "bad keys");
        assertEq(handler.capRefusals(), 1, "cap");
        assertEq(handler.depositsApplied(), 12, "applied");
        invariant_queuedDepositsApplicable();
        invariant_escrowWithinCap();
        invariant_solvency();
    }

    /// @notice Prints how often the refusals fired, so a run shows the invariants are not
    ///         vacuous (the tree fills and the cap is reached within the configured depth).
    function afterInvariant() public view {
        console.log("deposits applied", handler.depositsApplied());
        console.log("cap refusals", handler.capRefusals());
        console.log("tree-full refusals", handler.fullRefusals());
        console.log("bad keys refused", handler.badKeysRefused());
    }

    /// @notice Slashing never takes more than was bonded.
    function invariant_slashWithinBond() public view {
        assertLe(handler.slashed(), handler.bonded());
        (uint128 bond,,) = hub.bonds(handler.operatorAddr());
        assertEq(uint256(bond) + handler.slashed(), handler.bonded());
    }
}
