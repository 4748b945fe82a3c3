// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {IGroth16Verifier, IExitVerifier} from "./IGroth16Verifier.sol";
import {Pubdata} from "./Pubdata.sol";

/// @title BulwarkHub
/// @notice The shared-security settlement hub: one contract finalizes the state roots of many
///         consumer rollups by verifying one Groth16 proof per batch, escrows their deposits,
///         credits their withdrawals, holds the operators' bonds and slashes them for
///         provable faults (DESIGN.md, "The L1 side"; bytes per docs/l1-interface.md).
/// @dev Flow per chain: depositNew / depositTo -> commitBatch -> proveBatch -> executeBatch
///      -> claim. Every queued deposit is applicable by the chain's executor (the hub assigns
///      new account indices, checks keys, and caps the escrow at maxBalance; see depositNew).
///      Governance: every parameter change goes through `schedule` + `executeScheduled`
///      after GOVERNANCE_DELAY (the owner is behind this built-in timelock); the guardian can
///      pause for at most MAX_PAUSE, cancel scheduled calls and freeze verifier routes, and
///      can never move funds. Every payout is a credit to `withdrawable`, paid by `claim`.
contract BulwarkHub {
    // ------------------------------------------------------------------ constants

    /// @notice Wei per L2 balance unit (1 gwei).
    uint256 public constant UNIT = 1 gwei;
    /// @notice Largest max_balance a chain may have (2^62 - 1 units).
    uint64 public constant MAX_MAX_BALANCE = (1 << 62) - 1;
    /// @notice Deepest account tree a chain may have (account indices are u32).
    uint8 public constant MAX_TREE_DEPTH = 32;
    /// @notice Bytes of an ECgFp5 public key: five Goldilocks limbs, 8 little-endian bytes each.
    uint256 public constant PUBLIC_KEY_BYTES = 40;
    /// @notice The Goldilocks modulus p = 2^64 - 2^32 + 1: every key limb must be below it.
    uint64 public constant GOLDILOCKS_P = 0xFFFFFFFF00000001;
    /// @notice Delay between scheduling and executing a governance call.
    uint256 public constant GOVERNANCE_DELAY = 2 days;
    /// @notice A committed batch must be proved within this time, or its operator is slashed.
    uint256 public constant PROVE_DEADLINE = 1 days;
    /// @notice A queued deposit must be executed within this time, or the operator is slashed.
    uint256 public constant DEPOSIT_DEADLINE = 3 days;
    /// @notice A deposit left this long unexecuted lets anyone put the chain in exit mode.
    uint256 public constant EXIT_DEADLINE = 7 days;
    /// @notice Bond withdrawals wait this long: longer than every deadline, so a fault can
    ///         always be reported while the bond is still held.
    uint256 public constant UNBONDING_DELAY = 14 days;
    /// @notice The bond an operator must keep (not unbonding) to commit, prove and execute.
    uint256 public constant MIN_BOND = 1 ether;
    /// @notice The most one fault slashes (never more than the bond).
    uint256 public constant SLASH_AMOUNT = 1 ether;
    /// @notice Longest guardian pause, and the wait after a pause before the next one.
    uint256 public constant MAX_PAUSE = 3 days;
    /// @notice Bytes of a withdrawal record in `executeBatch`'s list: address(20) ‖ gwei(8).
    uint256 internal constant WITHDRAWAL_BYTES = 28;

    /// @notice EIP-712 type of an operator's signed claim about one batch slot.
    bytes32 public constant BATCH_CLAIM_TYPEHASH =
        keccak256("BatchClaim(uint64 chainId,uint64 batchIndex,bytes32 publicInput)");

    // ------------------------------------------------------------------ types

    /// @notice A verifier route: the Groth16 verifier and the batch shape it proves.
    struct Route {
        address verifier;
        uint32 opsPerLeaf; // K
        uint32 maxLeaves; // a power of two
        bool frozen;
    }

    /// @notice What commitBatch records about a batch; stored as its keccak256 and resupplied
    ///         by the caller of prove, execute and revert.
    struct BatchInfo {
        uint64 batchIndex;
        uint64 depositLast;
        uint64 committedAt;
        uint32 route;
        address operator;
        bytes32 newRoot;
        bytes32 publicInput;
        bytes32 withdrawalsHash;
        uint256 withdrawalsTotal; // gwei
    }

    /// @notice The fields of the public input's header (docs/l1-interface.md).
    struct Header {
        uint64 chainId;
        uint64 batchIndex;
        bytes32 oldRoot;
        bytes32 newRoot;
        uint64 depositFirst;
        uint64 depositLast;
        uint32 feeRecipient;
        bytes32 commitment;
    }

    /// @notice An operator's signed claim, for equivocation evidence.
    struct BatchClaim {
        uint64 chainId;
        uint64 batchIndex;
        bytes32 publicInput;
    }

    /// @notice Per-deposit record: who paid (for a refund in exit mode) and when.
    struct DepositMeta {
        address depositor;
        uint64 enqueuedAt;
    }

    /// @notice One consumer chain.
    struct Chain {
        // slot: batch counters and flags
        uint64 committed; // batches committed (the next batch index)
        uint64 proved; // batches proved
        uint64 executed; // batches executed (finalized)
        uint32 route;
        bool registered;
        bool exitMode;
        uint8 treeDepth; // accounts are [0, 2^treeDepth)
        // slot: deposit queue positions and the balance cap
        uint64 depositCount; // deposits queued
        uint64 depositCommitted; // deposits consumed by committed batches
        uint64 depositExecuted; // deposits consumed by executed batches
        uint64 maxBalance; // units
        address operator;
        uint64 accountCount; // accounts created by depositNew (the next account index)
        address exitVerifier;
        bytes32 committedRoot; // root after the last committed batch
        bytes32 finalizedRoot; // root after the last executed batch
        uint256 escrow; // wei held for this chain's users
        mapping(uint64 => bytes32) batchHash;
        mapping(uint64 => bytes32) depositHash; // rolling hash of deposits [0, i)
        mapping(uint64 => DepositMeta) deposits;
        mapping(uint32 => bool) exited;
    }

    /// @notice An operator's bond.
    struct Bond {
        uint128 amount; // total held, unbonding part included (all of it is slashable)
        uint128 unbonding; // part requested out
        uint64 unlockAt; // when the unbonding part can be withdrawn
    }

    // ------------------------------------------------------------------ storage

    /// @notice The owner: proposes governance calls (behind GOVERNANCE_DELAY).
    address public owner;
    /// @notice The guardian: pause, cancel scheduled calls, freeze routes; never moves funds.
    address public guardian;
    /// @notice End of the current or last pause (0 if never paused).
    uint64 public pausedUntil;
    /// @notice Earliest time of the execution of a scheduled call, by id (0 if none).
    mapping(bytes32 => uint256) public scheduledAt;
    /// @notice Wei each L1 address can claim (withdrawals, refunds, exits, rewards, bonds).
    mapping(address => uint256) public withdrawable;
    /// @notice Operator bonds.
    mapping(address => Bond) public bonds;
    /// @notice Faults already slashed, by fault id.
    mapping(bytes32 => bool) public faultSlashed;
    /// @notice Wei slashed and not paid to reporters: locked in the hub for good.
    uint256 public burned;
    Route[] internal _routes;
    mapping(uint64 => Chain) internal _chains;

    bytes32 internal immutable _domainSeparator;

    // ------------------------------------------------------------------ events

    event CallScheduled(bytes32 indexed id, bytes data, uint256 executableAt);
    event CallExecuted(bytes32 indexed id);
    event CallCancelled(bytes32 indexed id);
    event OwnerChanged(address indexed owner);
    event GuardianChanged(address indexed guardian);
    event Paused(uint64 until);
    event Unpaused();
    event RouteAdded(uint32 indexed route, address verifier, uint32 opsPerLeaf, uint32 maxLeaves);
    event RouteFrozen(uint32 indexed route);
    event ChainRegistered(
        uint64 indexed chainId, bytes32 genesisRoot, uint32 route, address operator, uint64 maxBalance, uint8 treeDepth
    );
    event ChainRouteChanged(uint64 indexed chainId, uint32 route);
    event ChainOperatorChanged(uint64 indexed chainId, address operator);
    event ExitVerifierChanged(uint64 indexed chainId, address exitVerifier);
    /// @notice A deposit entered the queue. `publicKey` is the new account's key, or 40 zero
    ///         bytes for a deposit to an existing account: with `account` and `amount` it gives
    ///         the deposit's 61 pubdata bytes.
    event DepositQueued(
        uint64 indexed chainId,
        uint64 indexed queueIndex,
        address depositor,
        uint32 account,
        uint64 amount,
        bytes publicKey,
        bytes32 rollingHash
    );
    event BatchCommitted(uint64 indexed chainId, uint64 indexed batchIndex, bytes32 newRoot, bytes32 publicInput, BatchInfo info);
    event BatchProved(uint64 indexed chainId, uint64 indexed batchIndex);
    event BatchExecuted(uint64 indexed chainId, uint64 indexed batchIndex, bytes32 newRoot);
    event BatchesReverted(uint64 indexed chainId, uint64 committed);
    event WithdrawalCredited(uint64 indexed chainId, address indexed to, uint256 amountWei);
    event Claimed(address indexed account, uint256 amountWei);
    event Bonded(address indexed operator, uint256 amountWei);
    event UnbondRequested(address indexed operator, uint256 amountWei, uint64 unlockAt);
    event BondWithdrawn(address indexed operator, uint256 amountWei);
    event Slashed(address indexed operator, bytes32 indexed faultId, address reporter, uint256 amountWei, uint256 rewardWei);
    event ExitModeActivated(uint64 indexed chainId);
    event Exited(uint64 indexed chainId, uint32 indexed account, address recipient, uint64 amount);
    event DepositRefunded(uint64 indexed chainId, uint64 indexed queueIndex, address depositor, uint256 amountWei);

    // ------------------------------------------------------------------ errors

    error NotOwner();
    error NotGuardian();
    error NotGovernance();
    error NotScheduled(bytes32 id);
    error AlreadyScheduled(bytes32 id);
    error TooEarly(uint256 executableAt);
    error IsPaused();
    error NotPaused();
    error PauseUnavailable(uint256 availableAt);
    error ZeroAddress();
    error UnknownRoute(uint32 route);
    error RouteIsFrozen(uint32 route);
    error BadRouteShape();
    error ChainExists(uint64 chainId);
    error UnknownChain(uint64 chainId);
    error InExitMode(uint64 chainId);
    error NotInExitMode(uint64 chainId);
    error BadMaxBalance();
    error BadTreeDepth(uint8 treeDepth);
    error BadPublicKey();
    error BadDepositAmount(uint256 value);
    error AccountSpaceFull();
    error UnknownAccount(uint32 account);
    error DepositCapReached();
    error NotChainOperator(address caller);
    error InsufficientBond(address operator);
    error BadOldRoot();
    error DepositsNotQueued(uint64 last, uint64 queued);
    error DepositMismatch();
    error UnknownBatch(uint64 batchIndex);
    error WrongBatch(uint64 expected, uint64 got);
    error BatchNotProved(uint64 batchIndex);
    error BadProof();
    error BadWithdrawals();
    error EscrowShort(uint256 escrow, uint256 needed);
    error NothingToClaim();
    error TransferFailed();
    error ZeroAmount();
    error UnbondTooLarge(uint256 available);
    error NothingUnlocked();
    error NotEquivocation();
    error BadSignature();
    error AlreadySlashed(bytes32 faultId);
    error DeadlineNotPassed(uint256 deadline);
    error NoBond(address operator);
    error NoStaleDeposit();
    error ExitVerifierUnset();
    error AlreadyExited(uint32 account);
    error BadExitProof();
    error DepositNotRefundable(uint64 queueIndex);

    // ------------------------------------------------------------------ modifiers

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// @dev Only through the timelock: `executeScheduled` calls the hub itself.
    modifier onlyGovernance() {
        if (msg.sender != address(this)) revert NotGovernance();
        _;
    }

    modifier whenNotPaused() {
        if (block.timestamp < pausedUntil) revert IsPaused();
        _;
    }

    /// @param owner_ The governance owner (expected: a multisig; every call waits the delay).
    /// @param guardian_ The guardian.
    constructor(address owner_, address guardian_) {
        if (owner_ == address(0) || guardian_ == address(0)) revert ZeroAddress();
        owner = owner_;
        guardian = guardian_;
        _domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("BulwarkHub"),
                keccak256("1"),
                block.chainid,
                address(this)
            )
        );
        emit OwnerChanged(owner_);
        emit GuardianChanged(guardian_);
    }

    // ================================================================== governance

    /// @notice Schedules a governance call (ABI-encoded call to this hub) for after the delay.
    /// @return id keccak256 of the call data.
    function schedule(bytes calldata data) external onlyOwner returns (bytes32 id) {
        id = keccak256(data);
        if (scheduledAt[id] != 0) revert AlreadyScheduled(id);
        uint256 at = block.timestamp + GOVERNANCE_DELAY;
        scheduledAt[id] = at;
        emit CallScheduled(id, data, at);
    }

    /// @notice Executes a scheduled call once its delay has passed; bubbles up its revert.
    function executeScheduled(bytes calldata data) external onlyOwner {
        bytes32 id = keccak256(data);
        uint256 at = scheduledAt[id];
        if (at == 0) revert NotScheduled(id);
        if (block.timestamp < at) revert TooEarly(at);
        delete scheduledAt[id];
        (bool ok, bytes memory ret) = address(this).call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        emit CallExecuted(id);
    }

    /// @notice Cancels a scheduled call (owner or guardian).
    function cancel(bytes32 id) external {
        if (msg.sender != owner && msg.sender != guardian) revert NotGuardian();
        if (scheduledAt[id] == 0) revert NotScheduled(id);
        delete scheduledAt[id];
        emit CallCancelled(id);
    }

    /// @notice Governance: hands ownership over.
    function setOwner(address newOwner) external onlyGovernance {
        if (newOwner == address(0)) revert ZeroAddress();
        owner = newOwner;
        emit OwnerChanged(newOwner);
    }

    /// @notice Governance: replaces the guardian.
    function setGuardian(address newGuardian) external onlyGovernance {
        if (newGuardian == address(0)) revert ZeroAddress();
        guardian = newGuardian;
        emit GuardianChanged(newGuardian);
    }

    /// @notice Governance: adds a verifier route (a new verifier never replaces an old one).
    function addRoute(address verifier, uint32 opsPerLeaf, uint32 maxLeaves) external onlyGovernance returns (uint32 routeId) {
        if (verifier == address(0)) revert ZeroAddress();
        if (opsPerLeaf == 0 || maxLeaves == 0 || maxLeaves & (maxLeaves - 1) != 0) revert BadRouteShape();
        routeId = uint32(_routes.length);
        _routes.push(Route(verifier, opsPerLeaf, maxLeaves, false));
        emit RouteAdded(routeId, verifier, opsPerLeaf, maxLeaves);
    }

    /// @notice Freezes a route for good (governance, or the guardian at once): no batch
    ///         committed on it can be proved afterwards.
    function freezeRoute(uint32 routeId) external {
        if (msg.sender != address(this) && msg.sender != guardian) revert NotGuardian();
        if (routeId >= _routes.length) revert UnknownRoute(routeId);
        _routes[routeId].frozen = true;
        emit RouteFrozen(routeId);
    }

    /// @notice Governance: registers a consumer chain.
    /// @param genesisRoot The root of the chain's EMPTY account tree of depth `treeDepth`:
    ///        the hub numbers accounts from 0 as deposits create them (see depositNew).
    /// @param maxBalance Largest L2 balance (units), and cap of the chain's escrow.
    /// @param treeDepth Depth of the account tree (1..=32): accounts are [0, 2^treeDepth).
    function registerChain(
        uint64 chainId,
        bytes32 genesisRoot,
        uint32 routeId,
        address operator_,
        uint64 maxBalance,
        uint8 treeDepth
    ) external onlyGovernance {
        Chain storage c = _chains[chainId];
        if (c.registered) revert ChainExists(chainId);
        _liveRoute(routeId);
        if (operator_ == address(0)) revert ZeroAddress();
        if (maxBalance == 0 || maxBalance > MAX_MAX_BALANCE) revert BadMaxBalance();
        if (treeDepth == 0 || treeDepth > MAX_TREE_DEPTH) revert BadTreeDepth(treeDepth);
        c.registered = true;
        c.route = routeId;
        c.operator = operator_;
        c.maxBalance = maxBalance;
        c.treeDepth = treeDepth;
        c.committedRoot = genesisRoot;
        c.finalizedRoot = genesisRoot;
        emit ChainRegistered(chainId, genesisRoot, routeId, operator_, maxBalance, treeDepth);
    }

    /// @notice Governance: moves a chain to another (live) route for its next commits.
    function setChainRoute(uint64 chainId, uint32 routeId) external onlyGovernance {
        _chain(chainId).route = routeId;
        _liveRoute(routeId);
        emit ChainRouteChanged(chainId, routeId);
    }

    /// @notice Governance: replaces a chain's operator.
    function setChainOperator(uint64 chainId, address operator_) external onlyGovernance {
        if (operator_ == address(0)) revert ZeroAddress();
        _chain(chainId).operator = operator_;
        emit ChainOperatorChanged(chainId, operator_);
    }

    /// @notice Governance: sets the exit-proof checker of a chain (see IExitVerifier).
    function setExitVerifier(uint64 chainId, address exitVerifier) external onlyGovernance {
        _chain(chainId).exitVerifier = exitVerifier;
        emit ExitVerifierChanged(chainId, exitVerifier);
    }

    // ================================================================== guardian

    /// @notice Guardian: pauses deposits, batches, claims, bonds, slashing and exits for
    ///         MAX_PAUSE, at most once per 2 * MAX_PAUSE. Deadlines restart after a pause.
    function pause() external {
        if (msg.sender != guardian) revert NotGuardian();
        uint256 available = pausedUntil == 0 ? 0 : uint256(pausedUntil) + MAX_PAUSE;
        if (block.timestamp < available) revert PauseUnavailable(available);
        pausedUntil = uint64(block.timestamp + MAX_PAUSE);
        emit Paused(pausedUntil);
    }

    /// @notice Guardian or governance: ends the pause now.
    function unpause() external {
        if (msg.sender != guardian && msg.sender != address(this)) revert NotGuardian();
        if (block.timestamp >= pausedUntil) revert NotPaused();
        pausedUntil = uint64(block.timestamp);
        emit Unpaused();
    }

    // ================================================================== deposits

    // Every queued deposit must be applicable by the chain's executor: the operator has to
    // consume the queue in order and is slashed for a deposit left unprocessed, so one
    // deposit the executor could refuse would block the chain and slash an honest operator.
    // Hence the hub, not the executor, decides what enters the queue:
    // - depositNew creates the next account (index accountCount, below 2^treeDepth) with a
    //   canonical, non-zero key: no key mismatch, no index outside the tree;
    // - depositTo credits an account that an earlier deposit created (its record carries 40
    //   zero bytes as the key, meaning "existing account");
    // - the escrow (units) never exceeds maxBalance: L2 balances sum to at most the escrow, so
    //   no credit (deposit or transfer) can take a balance past maxBalance.

    /// @notice Queues a deposit of msg.value (whole gwei) that creates a new account owned by
    ///         `publicKey`; the hub assigns the account index (the chain's account count).
    /// @param publicKey The owner's ECgFp5 public key: 40 bytes, five little-endian u64 limbs,
    ///        each below the Goldilocks modulus p = 2^64 - 2^32 + 1, not all zero.
    /// @return queueIndex The deposit's position in the chain's queue.
    /// @return account The index of the new account.
    function depositNew(uint64 chainId, bytes calldata publicKey)
        external
        payable
        whenNotPaused
        returns (uint64 queueIndex, uint32 account)
    {
        Chain storage c = _liveChain(chainId);
        if (!isCanonicalPublicKey(publicKey)) revert BadPublicKey();
        uint64 count = c.accountCount;
        if (count >= uint64(1) << c.treeDepth) revert AccountSpaceFull();
        c.accountCount = count + 1;
        account = uint32(count);
        queueIndex = _enqueue(c, chainId, account, publicKey);
    }

    /// @notice Queues a deposit of msg.value (whole gwei) to an existing account: one that an
    ///         earlier depositNew created (it may still be in the queue).
    /// @return queueIndex The deposit's position in the chain's queue.
    function depositTo(uint64 chainId, uint32 account) external payable whenNotPaused returns (uint64 queueIndex) {
        Chain storage c = _liveChain(chainId);
        if (account >= c.accountCount) revert UnknownAccount(account);
        queueIndex = _enqueue(c, chainId, account, new bytes(PUBLIC_KEY_BYTES));
    }

    /// @notice Whether `publicKey` is a key depositNew accepts: 40 bytes, five little-endian
    ///         u64 limbs each below p = 2^64 - 2^32 + 1, not all zero (the zero key marks a
    ///         deposit to an existing account). Whether it decodes to a curve point is not
    ///         checked here: the executor accepts any canonical key.
    function isCanonicalPublicKey(bytes calldata publicKey) public pure returns (bool) {
        if (publicKey.length != PUBLIC_KEY_BYTES) return false;
        bool nonZero = false;
        for (uint256 at = 0; at < PUBLIC_KEY_BYTES; at += 8) {
            // Read big-endian, the limb's low 4 bytes come first. A little-endian limb is
            // >= p iff its high half is 0xFFFFFFFF and its low half is not zero.
            uint64 word = uint64(bytes8(publicKey[at:at + 8]));
            if (uint32(word) == type(uint32).max && (word >> 32) != 0) return false;
            if (word != 0) nonZero = true;
        }
        return nonZero;
    }

    /// @dev Checks the amount and the escrow cap, then appends the 61-byte deposit record
    ///      (0x01 ‖ queueIndex ‖ account ‖ publicKey ‖ amount) to the queue's rolling hash.
    function _enqueue(Chain storage c, uint64 chainId, uint32 account, bytes memory publicKey)
        internal
        returns (uint64 queueIndex)
    {
        uint256 units = msg.value / UNIT;
        if (msg.value == 0 || msg.value % UNIT != 0 || units > c.maxBalance) revert BadDepositAmount(msg.value);
        uint256 escrow = c.escrow + msg.value;
        if (escrow > uint256(c.maxBalance) * UNIT) revert DepositCapReached();
        queueIndex = c.depositCount;
        bytes32 h = keccak256(
            abi.encodePacked(c.depositHash[queueIndex], uint8(1), queueIndex, account, publicKey, uint64(units))
        );
        c.depositHash[queueIndex + 1] = h;
        c.deposits[queueIndex] = DepositMeta(msg.sender, uint64(block.timestamp));
        c.depositCount = queueIndex + 1;
        c.escrow = escrow;
        emit DepositQueued(chainId, queueIndex, msg.sender, account, uint64(units), publicKey, h);
    }

    // ================================================================== batches

    /// @notice Chain operator: commits the next batch. Recomputes the pubdata commitment and
    ///         the public input from calldata, checks the batch's deposits against the queue.
    /// @param pubdata The batch's padded pubdata (docs/l1-interface.md).
    function commitBatch(uint64 chainId, bytes32 newRoot, uint32 feeRecipient, bytes calldata pubdata)
        external
        whenNotPaused
    {
        Chain storage c = _liveChain(chainId);
        _checkOperator(c);
        BatchInfo memory info = _newBatch(c, chainId, newRoot, feeRecipient, pubdata);
        uint64 index = info.batchIndex;
        c.batchHash[index] = keccak256(abi.encode(info));
        c.committed = index + 1;
        c.committedRoot = newRoot;
        c.depositCommitted = info.depositLast;
        emit BatchCommitted(chainId, index, newRoot, info.publicInput, info);
    }

    /// @dev Reads the pubdata, checks its deposits against the queue and builds the record.
    function _newBatch(Chain storage c, uint64 chainId, bytes32 newRoot, uint32 feeRecipient, bytes calldata pubdata)
        internal
        view
        returns (BatchInfo memory info)
    {
        info.route = c.route;
        Route memory r = _liveRoute(info.route);
        Header memory h;
        h.depositFirst = c.depositCommitted;
        Pubdata.Summary memory s = Pubdata.read(pubdata, r.opsPerLeaf, r.maxLeaves, c.depositHash[h.depositFirst]);
        h.depositLast = h.depositFirst + s.deposits;
        if (h.depositLast > c.depositCount) revert DepositsNotQueued(h.depositLast, c.depositCount);
        if (s.depositHash != c.depositHash[h.depositLast]) revert DepositMismatch();
        h.chainId = chainId;
        h.batchIndex = c.committed;
        h.oldRoot = c.committedRoot;
        h.newRoot = newRoot;
        h.feeRecipient = feeRecipient;
        h.commitment = s.commitment;
        info.batchIndex = h.batchIndex;
        info.depositLast = h.depositLast;
        info.committedAt = uint64(block.timestamp);
        info.operator = msg.sender;
        info.newRoot = newRoot;
        info.publicInput = _publicInput(h);
        info.withdrawalsHash = s.withdrawalsHash;
        info.withdrawalsTotal = s.withdrawalsTotal;
    }

    /// @notice Chain operator: proves the next committed batch with a Groth16 proof.
    function proveBatch(uint64 chainId, BatchInfo calldata info, uint256[8] calldata proof) external whenNotPaused {
        Chain storage c = _liveChain(chainId);
        _checkOperator(c);
        uint64 index = c.proved;
        _checkBatch(c, info, index);
        Route memory r = _routes[info.route];
        if (r.frozen) revert RouteIsFrozen(info.route);
        // The verifier reverts on a bad proof; a verifier that returns false is refused too.
        if (!IGroth16Verifier(r.verifier).verifyProof(proof, uint256(info.publicInput))) revert BadProof();
        c.proved = index + 1;
        emit BatchProved(chainId, index);
    }

    /// @notice Chain operator: executes the next proved batch: its new root becomes final and
    ///         its withdrawals are credited.
    /// @param withdrawals The batch's withdrawals, packed: address(20) ‖ gwei amount(8) each,
    ///        in pubdata order (keccak256 must equal the one recorded at commit).
    function executeBatch(uint64 chainId, BatchInfo calldata info, bytes calldata withdrawals) external whenNotPaused {
        Chain storage c = _liveChain(chainId);
        _checkOperator(c);
        uint64 index = c.executed;
        _checkBatch(c, info, index);
        if (index >= c.proved) revert BatchNotProved(index);
        if (keccak256(withdrawals) != info.withdrawalsHash) revert BadWithdrawals();
        uint256 total = info.withdrawalsTotal * UNIT;
        uint256 escrow = c.escrow;
        if (total > escrow) revert EscrowShort(escrow, total);
        c.escrow = escrow - total;
        c.executed = index + 1;
        c.finalizedRoot = info.newRoot;
        c.depositExecuted = info.depositLast;
        delete c.batchHash[index];
        for (uint256 at = 0; at < withdrawals.length; at += WITHDRAWAL_BYTES) {
            address to = address(bytes20(withdrawals[at:at + 20]));
            uint256 amount = uint256(uint64(bytes8(withdrawals[at + 20:at + 28]))) * UNIT;
            withdrawable[to] += amount;
            emit WithdrawalCredited(chainId, to, amount);
        }
        emit BatchExecuted(chainId, index, info.newRoot);
    }

    /// @notice Chain operator or governance: drops every committed, unproved batch.
    /// @param lastProved The record of the last proved, unexecuted batch (ignored when every
    ///        proved batch is executed).
    function revertBatches(uint64 chainId, BatchInfo calldata lastProved) external whenNotPaused {
        Chain storage c = _liveChain(chainId);
        if (msg.sender != address(this)) _checkOperator(c);
        uint64 proved = c.proved;
        bytes32 root = c.finalizedRoot;
        uint64 depositLast = c.depositExecuted;
        if (proved > c.executed) {
            _checkBatch(c, lastProved, proved - 1);
            root = lastProved.newRoot;
            depositLast = lastProved.depositLast;
        }
        for (uint64 i = proved; i < c.committed; i++) {
            delete c.batchHash[i];
        }
        c.committed = proved;
        c.committedRoot = root;
        c.depositCommitted = depositLast;
        emit BatchesReverted(chainId, proved);
    }

    // ================================================================== claims

    /// @notice Pays `account` everything credited to it (withdrawals, refunds, exits,
    ///         rewards, bonds). Anyone may trigger it; the money goes only to `account`.
    function claim(address account) external whenNotPaused {
        uint256 amount = withdrawable[account];
        if (amount == 0) revert NothingToClaim();
        withdrawable[account] = 0;
        emit Claimed(account, amount);
        (bool ok,) = account.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    // ================================================================== bonds

    /// @notice Adds msg.value to the caller's bond.
    function bond() external payable whenNotPaused {
        if (msg.value == 0) revert ZeroAmount();
        bonds[msg.sender].amount += uint128(msg.value);
        emit Bonded(msg.sender, msg.value);
    }

    /// @notice Starts unbonding `amount` (added to any part already unbonding, whose clock
    ///         restarts). It stays slashable until withdrawn.
    function requestUnbond(uint256 amount) external whenNotPaused {
        Bond storage b = bonds[msg.sender];
        uint256 available = b.amount - b.unbonding;
        if (amount == 0) revert ZeroAmount();
        if (amount > available) revert UnbondTooLarge(available);
        b.unbonding += uint128(amount);
        b.unlockAt = uint64(block.timestamp + UNBONDING_DELAY);
        emit UnbondRequested(msg.sender, amount, b.unlockAt);
    }

    /// @notice Credits the unbonded part to the caller once UNBONDING_DELAY has passed.
    function withdrawBond() external whenNotPaused {
        Bond storage b = bonds[msg.sender];
        uint256 amount = b.unbonding;
        if (amount == 0 || block.timestamp < b.unlockAt) revert NothingUnlocked();
        b.unbonding = 0;
        b.amount -= uint128(amount);
        withdrawable[msg.sender] += amount;
        emit BondWithdrawn(msg.sender, amount);
    }

    // ================================================================== slashing

    /// @notice Slashes an operator who signed two different claims for one batch slot.
    function slashEquivocation(
        address operator_,
        BatchClaim calldata a,
        bytes calldata sigA,
        BatchClaim calldata b,
        bytes calldata sigB
    ) external whenNotPaused {
        if (a.chainId != b.chainId || a.batchIndex != b.batchIndex || a.publicInput == b.publicInput) {
            revert NotEquivocation();
        }
        if (_signer(a, sigA) != operator_ || _signer(b, sigB) != operator_) revert BadSignature();
        _slash(operator_, keccak256(abi.encode("equivocation", operator_, a.chainId, a.batchIndex)));
    }

    /// @notice Slashes the operator of a committed batch left unproved past PROVE_DEADLINE.
    function slashUnprovedBatch(uint64 chainId, BatchInfo calldata info) external whenNotPaused {
        Chain storage c = _chain(chainId);
        if (info.batchIndex < c.proved || info.batchIndex >= c.committed) revert UnknownBatch(info.batchIndex);
        _checkBatch(c, info, info.batchIndex);
        uint256 deadline = _deadline(info.committedAt, PROVE_DEADLINE);
        if (block.timestamp <= deadline) revert DeadlineNotPassed(deadline);
        _slash(info.operator, keccak256(abi.encode("unproved", chainId, c.batchHash[info.batchIndex])));
    }

    /// @notice Slashes a chain's operator for its oldest deposit left unexecuted past
    ///         DEPOSIT_DEADLINE (once per deposit).
    function slashStaleDeposit(uint64 chainId) external whenNotPaused {
        Chain storage c = _chain(chainId);
        uint64 oldest = c.depositExecuted;
        if (oldest >= c.depositCount) revert NoStaleDeposit();
        uint256 deadline = _deadline(c.deposits[oldest].enqueuedAt, DEPOSIT_DEADLINE);
        if (block.timestamp <= deadline) revert DeadlineNotPassed(deadline);
        _slash(c.operator, keccak256(abi.encode("deposit", chainId, oldest)));
    }

    // ================================================================== exit mode

    /// @notice Anyone: puts a chain in exit mode once a deposit has waited EXIT_DEADLINE
    ///         unexecuted. Batches stop; users leave with what the finalized root proves.
    function activateExitMode(uint64 chainId) external whenNotPaused {
        Chain storage c = _liveChain(chainId);
        uint64 oldest = c.depositExecuted;
        if (oldest >= c.depositCount) revert NoStaleDeposit();
        uint256 deadline = _deadline(c.deposits[oldest].enqueuedAt, EXIT_DEADLINE);
        if (block.timestamp <= deadline) revert DeadlineNotPassed(deadline);
        c.exitMode = true;
        emit ExitModeActivated(chainId);
    }

    /// @notice In exit mode: credits `recipient` with an account's balance in the last
    ///         finalized root, once per account, on a proof checked by the chain's exit verifier.
    function exit(uint64 chainId, uint32 account, uint64 amount, address recipient, bytes calldata proof)
        external
        whenNotPaused
    {
        Chain storage c = _chain(chainId);
        if (!c.exitMode) revert NotInExitMode(chainId);
        if (c.exitVerifier == address(0)) revert ExitVerifierUnset();
        if (c.exited[account]) revert AlreadyExited(account);
        if (!IExitVerifier(c.exitVerifier).verifyExit(chainId, c.finalizedRoot, account, amount, recipient, proof)) {
            revert BadExitProof();
        }
        c.exited[account] = true;
        _payFromEscrow(c, recipient, uint256(amount) * UNIT);
        emit Exited(chainId, account, recipient, amount);
    }

    /// @notice In exit mode: refunds a deposit that no executed batch consumed.
    /// @param op The deposit's 61 pubdata bytes, as queued.
    function refundDeposit(uint64 chainId, uint64 queueIndex, bytes calldata op) external whenNotPaused {
        Chain storage c = _chain(chainId);
        if (!c.exitMode) revert NotInExitMode(chainId);
        DepositMeta memory m = c.deposits[queueIndex];
        if (queueIndex < c.depositExecuted || m.depositor == address(0) || op.length != 61) {
            revert DepositNotRefundable(queueIndex);
        }
        if (keccak256(abi.encodePacked(c.depositHash[queueIndex], op)) != c.depositHash[queueIndex + 1]) {
            revert DepositMismatch();
        }
        c.deposits[queueIndex].depositor = address(0);
        uint256 amount = uint256(uint64(bytes8(op[53:61]))) * UNIT;
        _payFromEscrow(c, m.depositor, amount);
        emit DepositRefunded(chainId, queueIndex, m.depositor, amount);
    }

    // ================================================================== views

    /// @notice A route's verifier, shape and frozen flag.
    function route(uint32 id) external view returns (Route memory) {
        if (id >= _routes.length) revert UnknownRoute(id);
        return _routes[id];
    }

    /// @notice Number of routes.
    function routeCount() external view returns (uint256) {
        return _routes.length;
    }

    /// @notice A chain's counters: batches committed, proved, executed; deposits queued,
    ///         committed, executed.
    function chainCounters(uint64 chainId)
        external
        view
        returns (uint64 committed, uint64 proved, uint64 executed, uint64 depositCount, uint64 depositCommitted, uint64 depositExecuted)
    {
        Chain storage c = _chains[chainId];
        return (c.committed, c.proved, c.executed, c.depositCount, c.depositCommitted, c.depositExecuted);
    }

    /// @notice A chain's settings and roots.
    function chainInfo(uint64 chainId)
        external
        view
        returns (
            bool registered,
            bool exitMode,
            uint32 routeId,
            address operator_,
            address exitVerifier,
            uint64 maxBalance,
            bytes32 committedRoot,
            bytes32 finalizedRoot,
            uint256 escrow
        )
    {
        Chain storage c = _chains[chainId];
        return (c.registered, c.exitMode, c.route, c.operator, c.exitVerifier, c.maxBalance, c.committedRoot, c.finalizedRoot, c.escrow);
    }

    /// @notice keccak256 of the stored BatchInfo of a committed, unexecuted batch (0 otherwise).
    function batchHash(uint64 chainId, uint64 batchIndex) external view returns (bytes32) {
        return _chains[chainId].batchHash[batchIndex];
    }

    /// @notice The queue's rolling hash over deposits [0, index).
    function depositHash(uint64 chainId, uint64 index) external view returns (bytes32) {
        return _chains[chainId].depositHash[index];
    }

    /// @notice Who queued a deposit and when (depositor 0 once refunded).
    function depositMeta(uint64 chainId, uint64 index) external view returns (DepositMeta memory) {
        return _chains[chainId].deposits[index];
    }

    /// @notice A chain's account tree depth and the number of accounts deposits created.
    function accountSpace(uint64 chainId) external view returns (uint8 treeDepth, uint64 accountCount) {
        Chain storage c = _chains[chainId];
        return (c.treeDepth, c.accountCount);
    }

    /// @notice Whether an account has exited a chain in exit mode.
    function hasExited(uint64 chainId, uint32 account) external view returns (bool) {
        return _chains[chainId].exited[account];
    }

    /// @notice The EIP-712 digest an operator signs for a BatchClaim.
    function claimDigest(BatchClaim calldata claim_) public view returns (bytes32) {
        return keccak256(
            abi.encodePacked(
                "\x19\x01",
                _domainSeparator,
                keccak256(abi.encode(BATCH_CLAIM_TYPEHASH, claim_.chainId, claim_.batchIndex, claim_.publicInput))
            )
        );
    }

    /// @notice The public input of a batch, exactly as l1-interface.md defines it.
    function publicInputOf(
        uint64 chainId,
        uint64 batchIndex,
        bytes32 oldRoot,
        bytes32 newRoot,
        uint64 depositFirst,
        uint64 depositLast,
        uint32 feeRecipient,
        bytes32 commitment
    ) external view returns (bytes32) {
        return _publicInput(
            Header(chainId, batchIndex, oldRoot, newRoot, depositFirst, depositLast, feeRecipient, commitment)
        );
    }

    // ================================================================== internals

    function _chain(uint64 chainId) internal view returns (Chain storage c) {
        c = _chains[chainId];
        if (!c.registered) revert UnknownChain(chainId);
    }

    function _liveChain(uint64 chainId) internal view returns (Chain storage c) {
        c = _chain(chainId);
        if (c.exitMode) revert InExitMode(chainId);
    }

    function _liveRoute(uint32 id) internal view returns (Route memory r) {
        if (id >= _routes.length) revert UnknownRoute(id);
        r = _routes[id];
        if (r.frozen) revert RouteIsFrozen(id);
    }

    function _checkOperator(Chain storage c) internal view {
        if (msg.sender != c.operator) revert NotChainOperator(msg.sender);
        Bond memory b = bonds[msg.sender];
        if (b.amount - b.unbonding < MIN_BOND) revert InsufficientBond(msg.sender);
    }

    function _checkBatch(Chain storage c, BatchInfo calldata info, uint64 expected) internal view {
        if (info.batchIndex != expected) revert WrongBatch(expected, info.batchIndex);
        bytes32 stored = c.batchHash[expected];
        if (stored == bytes32(0) || stored != keccak256(abi.encode(info))) revert UnknownBatch(expected);
    }

    /// @dev A deadline never falls inside a pause, nor earlier than `window` after it ends.
    function _deadline(uint256 since, uint256 window) internal view returns (uint256) {
        uint256 start = since > pausedUntil ? since : pausedUntil;
        return start + window;
    }

    function _slash(address operator_, bytes32 faultId) internal {
        if (faultSlashed[faultId]) revert AlreadySlashed(faultId);
        Bond storage b = bonds[operator_];
        uint256 held = b.amount;
        if (held == 0) revert NoBond(operator_);
        uint256 amount = held < SLASH_AMOUNT ? held : SLASH_AMOUNT;
        faultSlashed[faultId] = true;
        b.amount = uint128(held - amount);
        if (b.unbonding > b.amount) b.unbonding = b.amount;
        // Half to the reporter, half locked for good: self-reporting never pays.
        uint256 reward = amount / 2;
        burned += amount - reward;
        withdrawable[msg.sender] += reward;
        emit Slashed(operator_, faultId, msg.sender, amount, reward);
    }

    function _payFromEscrow(Chain storage c, address to, uint256 amount) internal {
        uint256 escrow = c.escrow;
        if (amount > escrow) revert EscrowShort(escrow, amount);
        c.escrow = escrow - amount;
        withdrawable[to] += amount;
    }

    function _signer(BatchClaim calldata claim_, bytes calldata sig) internal view returns (address) {
        if (sig.length != 65) revert BadSignature();
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        // Low-s only (EIP-2): one signature per message.
        if (uint256(s) > 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0) revert BadSignature();
        address signer = ecrecover(claimDigest(claim_), v, r, s);
        if (signer == address(0)) revert BadSignature();
        return signer;
    }

    /// @dev uint256(sha256(header)) & (2^253 - 1), header = chainId(8) ‖ hub(20) ‖
    ///      batchIndex(8) ‖ oldRoot ‖ newRoot ‖ depositFirst(8) ‖ depositLast(8) ‖
    ///      feeRecipient(4) ‖ commitment: 152 bytes.
    function _publicInput(Header memory h) internal view returns (bytes32) {
        bytes memory head = abi.encodePacked(h.chainId, address(this), h.batchIndex, h.oldRoot);
        bytes memory tail = abi.encodePacked(h.newRoot, h.depositFirst, h.depositLast, h.feeRecipient, h.commitment);
        return sha256(bytes.concat(head, tail)) & bytes32(uint256((1 << 253) - 1));
    }
}
