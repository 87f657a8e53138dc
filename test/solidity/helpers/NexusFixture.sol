// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {TermsSeen, VerificationMethod, ALL_AGENT_SCOPES, UNLIMITED_ALLOWANCE} from "../../../contracts/types/NexusTypes.sol";
import {Test} from "forge-std/Test.sol";
import {Nexus} from "../../../contracts/Nexus.sol";
import {Vault} from "../../../contracts/Vault.sol";
import {ProviderRegistry} from "../../../contracts/ProviderRegistry.sol";
import {Task} from "../../../contracts/Task.sol";
import {Source} from "../../../contracts/Source.sol";
import {INexusEvents} from "../../../contracts/interfaces/INexusEvents.sol";
import {ISource} from "../../../contracts/interfaces/ISource.sol";
import {ITask} from "../../../contracts/interfaces/ITask.sol";
import {
    DeliveryMethod,
    SourceParams,
    TaskTerms,
    ENV_CPU,
    ENV_NVIDIA
} from "../../../contracts/types/NexusTypes.sol";
import {termsSeenOf} from "./TermsSeenOf.sol";
import {ResponseCommitment} from "../../../contracts/libraries/ResponseCommitment.sol";

/// @title Shared deployment and helpers for GPU Nexus Solidity tests.
/// @notice Inherit it, call `super.setUp()` if you override `setUp`. Every helper acts through Nexus with
/// `vm.prank`, so tests see exactly the calls a user makes. Inherits the protocol events so tests can
/// `_expectEmit(); emit X(...)` directly.
abstract contract NexusFixture is Test, INexusEvents {
    // ------------------------------------------------------------ defaults
    uint256 internal constant START_TIME = 1_700_000_000;
    uint16 internal constant FEE_BPS = 250; // 2.5 %
    uint64 internal constant UNBONDING_PERIOD = 7 days;
    uint256 internal constant INITIAL_ETH = 1_000 ether;

    uint8 internal constant DEFAULT_ENVIRONMENTS = ENV_CPU | ENV_NVIDIA; // AMD deliberately not offered
    uint8 internal constant DEFAULT_MAX_CONCURRENT = 2;
    uint32 internal constant ATTEMPT_TIMEOUT = 1 hours;
    uint32 internal constant MAX_EXPIRY_DURATION = 1 days;
    uint32 internal constant REVIEW_WINDOW = 2 hours;
    uint96 internal constant MIN_PAYMENT = 0.1 ether;
    uint96 internal constant MIN_LOCKUP = 1 ether;
    uint96 internal constant LAPSE_PENALTY = 0.25 ether;

    uint256 internal constant PAYMENT = 1 ether;
    uint256 internal constant STAKE = 2 ether;
    uint64 internal constant EXPIRY_IN = 12 hours;
    string internal constant METADATA_URI = "ipfs://QmSourceMetadata";
    string internal constant CONFIG_URI = "ipfs://QmTaskConfig";
    /// @dev Immutable, not constant: a `sha256` constant is computed at use with a precompile call, which
    /// would consume a pending `vm.prank`.
    bytes32 internal immutable CONFIG_HASH = sha256("task config");
    string internal constant RESULT_URI = "ipfs://QmResult";
    bytes32 internal immutable RESULT_HASH = sha256("result");
    bytes32 internal constant SECRET = keccak256("the provider's secret");
    bytes32 internal immutable METADATA_HASH = sha256("source metadata");

    // ------------------------------------------------------------ deployment
    Nexus internal nexus;
    Vault internal vault;
    ProviderRegistry internal registry;
    Task internal taskImpl;
    Source internal sourceImpl;

    // ------------------------------------------------------------ actors
    address internal owner = makeAddr("owner");
    address internal treasury = makeAddr("treasury");
    address internal client = makeAddr("client");
    /// @dev Nobody's agent by default; tests call `_grantAllScopes(principal, agent)`.
    address internal agent = makeAddr("agent");
    address internal master = makeAddr("master");
    address internal provider = makeAddr("provider");
    address internal master2 = makeAddr("master2");
    address internal provider2 = makeAddr("provider2");
    address internal stranger = makeAddr("stranger");

    /// @dev Helper salts start high so literal salts in tests (< 1e6) never collide with them.
    uint64 private _taskSaltCounter = 1_000_000;
    uint256 private _sourceSaltCounter;

    function setUp() public virtual {
        vm.warp(START_TIME);
        taskImpl = new Task();
        sourceImpl = new Source();
        nexus = new Nexus(owner, treasury, FEE_BPS, UNBONDING_PERIOD, address(taskImpl), address(sourceImpl));
        vault = Vault(nexus.vault());
        registry = ProviderRegistry(nexus.registry());
        address[9] memory actors = [owner, treasury, client, agent, master, provider, master2, provider2, stranger];
        for (uint256 i; i < actors.length; ++i) {
            vm.deal(actors[i], INITIAL_ETH);
        }
    }

    // ------------------------------------------------------------ events / math

    /// @dev Expects the next event from Nexus, checking every topic and the data.
    function _expectEmit() internal {
        vm.expectEmit(true, true, true, true, address(nexus));
    }

    function _fee(uint256 paid) internal view returns (uint256) {
        return paid * nexus.feeBps() / 10_000;
    }

    /// @dev The current block time. Use it instead of `block.timestamp`: with via-IR the optimizer may reuse a
    /// `block.timestamp` read from before a `vm.warp` within the same test.
    function _now() internal view returns (uint64) {
        return uint64(vm.getBlockTimestamp());
    }

    /// @dev Moves time forward by `seconds_`.
    function _skip(uint256 seconds_) internal {
        vm.warp(vm.getBlockTimestamp() + seconds_);
    }

    // ------------------------------------------------------------ sources

    function _defaultParams(DeliveryMethod method) internal view returns (SourceParams memory p) {
        p = SourceParams({
            metadataUri: METADATA_URI,
            metadataHash: METADATA_HASH,
            environments: DEFAULT_ENVIRONMENTS,
            deliveryMethod: method,
            maxConcurrentAttempts: DEFAULT_MAX_CONCURRENT,
            attemptTimeout: ATTEMPT_TIMEOUT,
            maxExpiryDuration: MAX_EXPIRY_DURATION,
            reviewWindow: REVIEW_WINDOW,
            minPayment: MIN_PAYMENT,
            minAvailableLockup: MIN_LOCKUP,
            lapsePenalty: LAPSE_PENALTY,
            verification: VerificationMethod.NONE,
            quorum: 0
        });
    }

    function _nextSourceSalt() internal returns (bytes32) {
        return bytes32(++_sourceSaltCounter);
    }

    /// @dev Publishes a source for `client` with default params, FIRST_RESPONSE.
    function _publishFirstResponseSource() internal returns (address) {
        return _publishSource(client, _defaultParams(DeliveryMethod.FIRST_RESPONSE));
    }

    /// @dev Publishes a source for `client` with default params, MANUAL_CONFIRMATION.
    function _publishManualSource() internal returns (address) {
        return _publishSource(client, _defaultParams(DeliveryMethod.MANUAL_CONFIRMATION));
    }

    function _publishSource(address by, SourceParams memory p) internal returns (address source) {
        vm.prank(by);
        source = nexus.publishSource(p, _nextSourceSalt());
    }

    // ------------------------------------------------------------ providers

    /// @dev Grants every scope with an unlimited allowance: the widest agent, for tests of who may act at all.
    function _grantAllScopes(address principal, address agent_) internal {
        vm.prank(principal);
        nexus.grantAgent(agent_, ALL_AGENT_SCOPES, UNLIMITED_ALLOWANCE);
    }

    /// @dev Two-sided pairing: the master announces the provider, then the provider announces the master.
    function _pair(address master_, address provider_) internal {
        vm.prank(master_);
        nexus.announceProvider(provider_, type(uint88).max);
        vm.prank(provider_);
        nexus.announceMaster(master_);
    }

    /// @dev Deposits and locks `amount` for `master_` (from its own wallet).
    function _stake(address master_, uint256 amount) internal {
        vm.startPrank(master_);
        nexus.deposit{value: amount}(master_);
        nexus.lock(amount);
        vm.stopPrank();
    }

    function _register(address source, address provider_, uint8 environment) internal {
        vm.prank(provider_);
        nexus.register(source, provider_, environment);
    }

    /// @dev Pairs `provider_` with `master_`, stakes STAKE for the master and registers the provider on CPU.
    function _setupProvider(address source, address provider_, address master_) internal {
        _pair(master_, provider_);
        _stake(master_, STAKE);
        _register(source, provider_, ENV_CPU);
    }

    // ------------------------------------------------------------ tasks

    function _nextTaskSalt() internal returns (uint64) {
        return ++_taskSaltCounter;
    }

    /// @dev Publishes a task for `client` paying PAYMENT, expiring in EXPIRY_IN, funded by msg.value.
    function _publishTask(address source) internal returns (address) {
        return _publishTask(client, source, PAYMENT, _now() + EXPIRY_IN);
    }

    function _publishTask(address client_, address source, uint256 payment, uint64 expiryTime)
        internal
        returns (address task)
    {
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(client_);
        task = nexus.publishTask{value: payment}(client_, source, CONFIG_URI, CONFIG_HASH, expiryTime, payment, _nextTaskSalt(), seen);
    }

    /// @dev The terms Nexus builds for a task published now on `source` (reads the source's current params).
    function _termsFor(address client_, address source, uint64 expiryTime, uint256 payment, uint64 salt)
        internal
        view
        returns (TaskTerms memory t)
    {
        SourceParams memory p = ISource(source).params();
        t = TaskTerms({
            client: client_,
            source: source,
            configHash: CONFIG_HASH,
            payment: uint96(payment),
            expiryTime: expiryTime,
            salt: salt,
            attemptTimeout: p.attemptTimeout,
            reviewWindow: p.reviewWindow,
            lapsePenalty: p.lapsePenalty,
            maxConcurrentAttempts: p.maxConcurrentAttempts,
            deliveryMethod: p.deliveryMethod,
            feeBps: nexus.feeBps(),
            minAvailableLockup: p.minAvailableLockup,
            sourceVersion: ISource(source).version(),
            verification: p.verification,
            quorum: p.quorum
        });
    }

    function _attempt(address task, address provider_) internal {
        _attempt(task, provider_, 0);
    }

    function _attempt(address task, address provider_, uint256 suggestedPayment) internal {
        vm.prank(provider_);
        nexus.attempt(task, provider_, suggestedPayment);
    }

    /// @dev Commits, moves to the next block (one second later) and reveals: a provider's response.
    function _respond(address task, address provider_, uint256 askedPayment) internal {
        _commit(task, provider_, askedPayment);
        _nextBlock();
        _reveal(task, provider_, askedPayment);
    }

    function _commit(address task, address provider_, uint256 askedPayment) internal {
        vm.prank(provider_);
        nexus.commitResponse(task, _commitment(task, provider_, askedPayment));
    }

    function _reveal(address task, address provider_, uint256 askedPayment) internal {
        vm.prank(provider_);
        nexus.revealResponse(task, RESULT_URI, RESULT_HASH, askedPayment, SECRET);
    }

    function _commitment(address task, address provider_, uint256 askedPayment) internal view returns (bytes32) {
        return ResponseCommitment.hash(task, provider_, RESULT_HASH, askedPayment, SECRET);
    }

    /// @dev The next block, one second later.
    function _nextBlock() internal {
        _skip(1);
        vm.roll(vm.getBlockNumber() + 1);
    }

    function _confirm(address task, address provider_) internal {
        vm.prank(ITask(task).terms().client);
        nexus.confirmResponse(task, provider_);
    }

    function _deadline(address task, address provider_) internal view returns (uint40) {
        return ITask(task).attemptOf(provider_).deadline;
    }

}
