// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {INexus} from "./interfaces/INexus.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {ISource} from "./interfaces/ISource.sol";
import {ITask} from "./interfaces/ITask.sol";
import {IVault} from "./interfaces/IVault.sol";
import {CloneAddress} from "./libraries/CloneAddress.sol";
import {TaskTermsCodec} from "./libraries/TaskTermsCodec.sol";
import {ProviderRegistry} from "./ProviderRegistry.sol";
import {ResponseCommitments} from "./ResponseCommitments.sol";
import {Vault} from "./Vault.sol";
import {
    AGENT_CLIENT,
    AGENT_OPERATOR,
    AgentGrant,
    MAX_FEE_BPS,
    MAX_UNBONDING_PERIOD,
    MIN_UNBONDING_PERIOD,
    Pairing,
    SourceParams,
    SourceStatus,
    SourceTerms,
    TermsSeen,
    TaskTerms,
    VerificationMethod
} from "./types/NexusTypes.sol";

/// @title GPU Nexus: the entry point and event hub of the protocol.
/// @notice Users call only this contract. It authenticates tasks and sources by their CREATE2 address, checks
/// who may act, moves money through the Vault and emits every protocol event. Admin powers are the fee (capped
/// at 10 %), the treasury and the unbonding period (1 to 30 days); none of them touches a user's funds.
contract Nexus is INexus, Ownable2Step, ResponseCommitments {
    uint256 private constant SOURCE_ARGS_LENGTH = 52;
    uint256 private constant BPS = 10_000;

    IVault private immutable VAULT;
    IProviderRegistry private immutable REGISTRY;
    address private immutable TASK_IMPLEMENTATION;
    address private immutable SOURCE_IMPLEMENTATION;

    uint16 private _feeBps;
    address private _treasury;

    /// @param initialOwner Protocol admin (two-step transferable).
    /// @param initialTreasury Account fees are collected to.
    /// @param initialFeeBps Protocol fee in basis points, at most 1,000.
    /// @param unbondingPeriod Time an unbonding takes to mature, from 1 to 30 days.
    /// @param taskImplementation_ A deployed `Task`, the implementation task clones delegate to.
    /// @param sourceImplementation_ A deployed `Source`, the implementation source clones delegate to.
    constructor(
        address initialOwner,
        address initialTreasury,
        uint16 initialFeeBps,
        uint64 unbondingPeriod,
        address taskImplementation_,
        address sourceImplementation_
    ) Ownable(initialOwner) {
        if (initialTreasury == address(0) || taskImplementation_ == address(0) || sourceImplementation_ == address(0)) {
            revert ZeroAddress();
        }
        _checkFee(initialFeeBps);
        _checkUnbondingPeriod(unbondingPeriod);
        _treasury = initialTreasury;
        _feeBps = initialFeeBps;
        TASK_IMPLEMENTATION = taskImplementation_;
        SOURCE_IMPLEMENTATION = sourceImplementation_;
        VAULT = new Vault(unbondingPeriod);
        REGISTRY = new ProviderRegistry();
        emit TreasurySet(initialTreasury);
        emit FeeSet(initialFeeBps);
        emit UnbondingPeriodSet(unbondingPeriod);
    }

    // ================================================================ sources

    /// @inheritdoc INexus
    function publishSource(SourceParams calldata params, bytes32 salt) external returns (address source) {
        source = CloneAddress.deploy(SOURCE_IMPLEMENTATION, abi.encodePacked(msg.sender, salt));
        ISource(source).initialize(params);
        emit SourcePublished(source, msg.sender, salt, params);
    }

    /// @inheritdoc INexus
    function updateSource(address source, SourceParams calldata params) external {
        _requireSourceClient(source);
        uint32 version = ISource(source).update(params);
        emit SourceUpdated(source, msg.sender, version, params);
    }

    /// @inheritdoc INexus
    function setSourceStatus(address source, SourceStatus status) external {
        _requireSourceClient(source);
        ISource(source).setStatus(status);
        emit SourceStatusChanged(source, msg.sender, status);
    }

    /// @inheritdoc INexus
    function register(address source, address provider, uint8 environment) external {
        _sourceClient(source);
        SourceTerms memory s = ISource(source).sourceTerms();
        if (s.status != SourceStatus.ACTIVE) revert SourceInactive(source);
        address master = _requireProviderActor(provider, s.lapsePenalty);
        _requireLockup(master, s.minAvailableLockup);
        ISource(source).addRegistrant(provider, environment);
        emit ProviderRegistered(source, provider, master, environment);
    }

    /// @inheritdoc INexus
    function unregister(address source, address provider) external {
        _sourceClient(source);
        if (msg.sender != provider) _requireProviderActor(provider, 0);
        ISource(source).removeRegistrant(provider);
        emit ProviderUnregistered(source, provider, msg.sender);
    }

    // ================================================================ tasks

    /// @inheritdoc INexus
    function publishTask(
        address client,
        address source,
        string calldata configUri,
        bytes32 configHash,
        uint64 expiryTime,
        uint256 payment,
        uint64 salt,
        TermsSeen calldata seen
    ) external payable returns (address task) {
        if (msg.sender != client) {
            _requireAgent(client, AGENT_CLIENT);
            // The agent's own value is not the client's money; only what is drawn from the balance is.
            if (payment > msg.value) REGISTRY.spendAllowance(client, msg.sender, payment - msg.value);
        }
        return _publishTask(client, source, configUri, configHash, expiryTime, payment, salt, seen);
    }

    /// @inheritdoc INexus
    function attempt(address task, address provider, uint256 suggestedPayment) external {
        TaskTerms memory t = _taskTerms(task);
        address master = _requireProviderActor(provider, t.lapsePenalty);
        uint8 environment = ISource(t.source).environmentOf(provider);
        if (environment == 0) revert ISource.NotRegistered(t.source, provider);
        uint40 deadline = ITask(task).recordAttempt(provider, master, suggestedPayment);
        // The minimum is the task's own copy: what the client saw at publish, whatever the source says now.
        if (t.lapsePenalty != 0 || t.minAvailableLockup != 0) {
            VAULT.reserve(master, t.lapsePenalty, t.minAvailableLockup);
        }
        emit TaskAttempted(task, provider, master, deadline, suggestedPayment);
    }

    /// @inheritdoc INexus
    function commitResponse(address task, bytes32 commitment) external {
        _commit(task, msg.sender, commitment);
        emit ResponseCommitted(task, msg.sender, commitment);
    }

    /// @inheritdoc INexus
    function commitVote(address task, bytes32 commitment) external {
        _taskTerms(task);
        ITask(task).recordCommitment(msg.sender);
        _commit(task, msg.sender, commitment);
        emit ResponseCommitted(task, msg.sender, commitment);
    }

    /// @inheritdoc INexus
    function revealResponse(
        address task,
        string calldata resultUri,
        bytes32 resultHash,
        uint256 askedPayment,
        bytes32 secret
    ) external {
        TaskTerms memory t = _taskTerms(task);
        _open(task, msg.sender, resultHash, askedPayment, secret);
        if (t.verification == VerificationMethod.AGREEMENT) return _vote(task, t, resultUri, resultHash);
        (bool finalized, address master) = ITask(task).recordResponse(msg.sender, askedPayment);
        emit ResponseSubmitted(task, msg.sender, resultUri, resultHash, finalized ? t.payment : askedPayment);
        if (!finalized) {
            if (t.lapsePenalty != 0) VAULT.release(master, t.lapsePenalty);
            return;
        }
        // A FIRST_RESPONSE win: its reservation released and the whole payment paid in one vault call.
        uint256 fee = uint256(t.payment) * t.feeBps / BPS;
        VAULT.payShare(master, t.lapsePenalty, t.payment, fee);
        emit TaskFinalized(task, msg.sender, master, t.payment, fee, 0, false);
    }

    /// @inheritdoc INexus
    function confirmResponse(address task, address provider) external {
        TaskTerms memory t = _taskTerms(task);
        _requireClientActor(t.client);
        (uint256 askedPayment, address master) = ITask(task).recordConfirmation(provider);
        _pay(task, t, provider, master, askedPayment, false);
    }

    /// @inheritdoc INexus
    function cancelTask(address task) external {
        TaskTerms memory t = _taskTerms(task);
        _requireClientActor(t.client);
        ITask(task).recordCancellation();
        VAULT.refundEscrow(t.client, t.payment);
        emit TaskCanceled(task, t.client, t.payment);
    }

    /// @inheritdoc INexus
    function settle(address task) external {
        TaskTerms memory t = _taskTerms(task);
        (address provider, uint256 askedPayment, address master) = ITask(task).recordSettlement();
        if (provider == address(0)) {
            VAULT.refundEscrow(t.client, t.payment);
            emit TaskExpired(task, t.client, t.payment);
        } else {
            _pay(task, t, provider, master, askedPayment, true);
        }
    }

    /// @inheritdoc INexus
    function reportLapse(address task, address provider) external {
        TaskTerms memory t = _taskTerms(task);
        (address master, bool burned) = ITask(task).recordLapse(provider);
        _takePenalty(t, master, burned);
        emit AttemptLapsed(task, provider, master, t.lapsePenalty, burned, msg.sender);
    }

    /// @inheritdoc INexus
    function rejectResponse(address task, address provider) external {
        TaskTerms memory t = _taskTerms(task);
        (address master, bool burned) = ITask(task).recordRejection(provider);
        _takePenalty(t, master, burned);
        emit ResponseRejected(task, provider, master, t.lapsePenalty, burned, msg.sender);
    }

    /// @inheritdoc INexus
    function releaseAttempt(address task, address provider) external {
        TaskTerms memory t = _taskTerms(task);
        address master = ITask(task).recordRelease(provider);
        if (t.lapsePenalty != 0) VAULT.release(master, t.lapsePenalty);
        emit AttemptReleased(task, provider, master, t.lapsePenalty, msg.sender);
    }

    // ================================================================ vault

    /// @inheritdoc INexus
    function deposit(address beneficiary) external payable {
        if (beneficiary == address(0)) revert ZeroAddress();
        VAULT.deposit{value: msg.value}(beneficiary);
        emit Deposited(beneficiary, msg.sender, msg.value);
    }

    /// @inheritdoc INexus
    function withdraw(uint256 amount) external {
        VAULT.withdraw(msg.sender, msg.sender, amount);
        emit Withdrawn(msg.sender, msg.sender, amount);
    }

    /// @inheritdoc INexus
    function withdrawTo(address recipient, uint256 amount) external {
        if (recipient == address(0)) revert ZeroAddress();
        VAULT.withdraw(msg.sender, recipient, amount);
        emit Withdrawn(msg.sender, recipient, amount);
    }

    /// @inheritdoc INexus
    function lock(uint256 amount) external {
        VAULT.lock(msg.sender, amount);
        emit Locked(msg.sender, amount);
    }

    /// @inheritdoc INexus
    function unbond(uint256 amount) external {
        uint64 maturesAt = VAULT.unbond(msg.sender, amount);
        emit UnbondingStarted(msg.sender, amount, VAULT.stakeOf(msg.sender).unbonding, maturesAt);
    }

    /// @inheritdoc INexus
    function cancelUnbonding() external {
        emit UnbondingCanceled(msg.sender, VAULT.cancelUnbonding(msg.sender));
    }

    /// @inheritdoc INexus
    function claim() external {
        emit Claimed(msg.sender, VAULT.claim(msg.sender));
    }

    /// @inheritdoc INexus
    function collectFees() external {
        address to = _treasury;
        emit FeesCollected(to, VAULT.collectFees(to));
    }

    // ================================================================ registry

    /// @inheritdoc INexus
    function announceProvider(address provider, uint88 maxPenalty) external {
        if (provider == address(0)) revert ZeroAddress();
        bool paired = REGISTRY.announceProvider(msg.sender, provider, maxPenalty);
        emit ProviderAnnounced(msg.sender, provider, maxPenalty, paired);
    }

    /// @inheritdoc INexus
    function revokeProvider(address provider) external {
        REGISTRY.revokeProvider(msg.sender, provider);
        emit ProviderRevoked(msg.sender, provider);
    }

    /// @inheritdoc INexus
    function announceMaster(address master) external {
        if (master == address(0)) revert ZeroAddress();
        emit MasterAnnounced(msg.sender, master, REGISTRY.announceMaster(msg.sender, master));
    }

    /// @inheritdoc INexus
    function revokeMaster() external {
        emit MasterRevoked(msg.sender, REGISTRY.revokeMaster(msg.sender));
    }

    /// @inheritdoc INexus
    function grantAgent(address agent, uint8 scopes, uint96 allowance) external {
        if (agent == address(0)) revert ZeroAddress();
        REGISTRY.grantAgent(msg.sender, agent, scopes, allowance);
        emit AgentGranted(msg.sender, agent, scopes, scopes == 0 ? 0 : allowance);
    }

    /// @inheritdoc INexus
    function setProviderInfo(address provider, string calldata uri) external {
        if (msg.sender != provider && msg.sender != REGISTRY.masterOf(provider)) {
            revert Unauthorized(msg.sender, provider);
        }
        REGISTRY.setProviderInfo(provider, uri);
        emit ProviderInfoSet(provider, msg.sender, uri);
    }

    // ================================================================ admin

    /// @inheritdoc INexus
    function setFee(uint16 feeBps_) external onlyOwner {
        _checkFee(feeBps_);
        _feeBps = feeBps_;
        emit FeeSet(feeBps_);
    }

    /// @inheritdoc INexus
    function setTreasury(address treasury_) external onlyOwner {
        if (treasury_ == address(0)) revert ZeroAddress();
        _treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    /// @inheritdoc INexus
    function setUnbondingPeriod(uint64 period) external onlyOwner {
        _checkUnbondingPeriod(period);
        VAULT.setUnbondingPeriod(period);
        emit UnbondingPeriodSet(period);
    }

    // ================================================================ views

    /// @inheritdoc INexus
    function vault() external view returns (address) {
        return address(VAULT);
    }

    /// @inheritdoc INexus
    function registry() external view returns (address) {
        return address(REGISTRY);
    }

    /// @inheritdoc INexus
    function taskImplementation() external view returns (address) {
        return TASK_IMPLEMENTATION;
    }

    /// @inheritdoc INexus
    function sourceImplementation() external view returns (address) {
        return SOURCE_IMPLEMENTATION;
    }

    /// @inheritdoc INexus
    function feeBps() external view returns (uint16) {
        return _feeBps;
    }

    /// @inheritdoc INexus
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc INexus
    function isTask(address task) public view returns (bool) {
        bytes memory args = CloneAddress.readArgs(task, TaskTermsCodec.LENGTH);
        return args.length != 0 && CloneAddress.predict(TASK_IMPLEMENTATION, args, address(this)) == task;
    }

    /// @inheritdoc INexus
    function isSource(address source) public view returns (bool) {
        bytes memory args = CloneAddress.readArgs(source, SOURCE_ARGS_LENGTH);
        return args.length != 0 && CloneAddress.predict(SOURCE_IMPLEMENTATION, args, address(this)) == source;
    }

    /// @inheritdoc INexus
    function predictSourceAddress(address client, bytes32 salt) external view returns (address) {
        return CloneAddress.predict(SOURCE_IMPLEMENTATION, abi.encodePacked(client, salt), address(this));
    }

    // ================================================================ internals

    function _publishTask(
        address client,
        address source,
        string calldata configUri,
        bytes32 configHash,
        uint64 expiryTime,
        uint256 payment,
        uint64 salt,
        TermsSeen calldata seen
    ) private returns (address task) {
        _sourceClient(source);
        SourceTerms memory s = ISource(source).sourceTerms();
        if (s.status != SourceStatus.ACTIVE) revert SourceInactive(source);
        // What the client saw, checked against what it gets: a source update or a fee change that lands first
        // (front-run or not) must not turn the client's transaction into a task on other terms.
        if (seen.sourceVersion != s.version) revert SourceChanged(source, seen.sourceVersion, s.version);
        uint16 feeBps_ = _feeBps;
        if (seen.feeBps != feeBps_) revert FeeChanged(seen.feeBps, feeBps_);
        uint256 minPayment = s.minPayment == 0 ? 1 : s.minPayment;
        if (payment < minPayment) revert PaymentBelowMinimum(payment, minPayment);
        if (payment > type(uint96).max) revert ValueOverflow(payment);
        uint256 latest = block.timestamp + s.maxExpiryDuration;
        if (expiryTime <= block.timestamp || expiryTime > latest) {
            revert InvalidExpiry(expiryTime, block.timestamp + 1, latest);
        }
        TaskTerms memory t = TaskTerms({
            client: client,
            source: source,
            configHash: configHash,
            payment: uint96(payment),
            expiryTime: expiryTime,
            salt: salt,
            attemptTimeout: s.attemptTimeout,
            reviewWindow: s.reviewWindow,
            lapsePenalty: s.lapsePenalty,
            maxConcurrentAttempts: s.maxConcurrentAttempts,
            deliveryMethod: s.deliveryMethod,
            feeBps: feeBps_,
            minAvailableLockup: s.minAvailableLockup,
            sourceVersion: s.version,
            verification: s.verification,
            quorum: s.quorum
        });
        task = CloneAddress.deploy(TASK_IMPLEMENTATION, TaskTermsCodec.encode(t));
        VAULT.fundEscrow{value: msg.value}(client, payment);
        // The value is credited to the client's balance before the escrow is drawn from it: say so, so that
        // balances can be rebuilt from events alone.
        if (msg.value != 0) emit Deposited(client, msg.sender, msg.value);
        emit TaskPublished(task, source, client, configUri, configHash, expiryTime, payment, salt);
    }

    /// @dev Pays `paid` of the task's escrow, less the fee fixed at publication, to the master that backed the
    /// provider's attempt, and refunds the rest to the client.
    function _pay(address task, TaskTerms memory t, address provider, address master, uint256 paid, bool bySettlement)
        private
    {
        uint256 fee = paid * t.feeBps / BPS;
        VAULT.releaseEscrow(t.client, t.payment, master, paid, fee);
        emit TaskFinalized(task, provider, master, paid, fee, t.payment - paid, bySettlement);
    }

    /// @dev An AGREEMENT reveal: the juror's reservation stays until the task's verdict; the vote that completes the
    /// quorum pays every agreeing juror an equal share (the remainder of the division goes back to the client).
    function _vote(address task, TaskTerms memory t, string calldata resultUri, bytes32 resultHash) private {
        (address master, address[] memory providers, address[] memory masters) =
            ITask(task).recordVote(msg.sender, resultHash);
        uint256 share = t.payment / t.quorum;
        emit ResponseSubmitted(task, msg.sender, resultUri, resultHash, share);
        uint256 agreed = providers.length;
        if (agreed == 0) return;
        uint256 fee = share * t.feeBps / BPS;
        for (uint256 i; i < agreed; ++i) {
            VAULT.payShare(masters[i], t.lapsePenalty, share, fee);
            emit SharePaid(task, providers[i], masters[i], share, fee);
        }
        uint256 refunded = t.payment - share * agreed;
        if (refunded != 0) VAULT.refundEscrow(t.client, refunded);
        emit TaskFinalized(task, msg.sender, master, share * agreed, fee * agreed, refunded, false);
    }

    /// @dev Takes a reserved penalty: to the client, or burned where giving it to anyone would reward griefing.
    function _takePenalty(TaskTerms memory t, address master, bool burned) private {
        if (t.lapsePenalty == 0) return;
        if (burned) VAULT.burn(master, t.lapsePenalty);
        else VAULT.slash(master, t.client, t.lapsePenalty);
    }

    /// @dev The terms of a task this Nexus created; reverts for any other address.
    function _taskTerms(address task) private view returns (TaskTerms memory) {
        bytes memory args = CloneAddress.readArgs(task, TaskTermsCodec.LENGTH);
        if (args.length == 0 || CloneAddress.predict(TASK_IMPLEMENTATION, args, address(this)) != task) {
            revert UnknownTask(task);
        }
        return TaskTermsCodec.decode(args);
    }

    /// @dev The client of a source this Nexus created; reverts for any other address.
    function _sourceClient(address source) private view returns (address client) {
        bytes memory args = CloneAddress.readArgs(source, SOURCE_ARGS_LENGTH);
        if (args.length == 0 || CloneAddress.predict(SOURCE_IMPLEMENTATION, args, address(this)) != source) {
            revert UnknownSource(source);
        }
        assembly ("memory-safe") {
            client := shr(96, mload(add(args, 0x20)))
        }
    }

    function _requireSourceClient(address source) private view {
        address client = _sourceClient(source);
        if (msg.sender != client) revert Unauthorized(msg.sender, client);
    }

    function _requireClientActor(address client) private view {
        if (msg.sender != client) _requireAgent(client, AGENT_CLIENT);
    }

    /// @dev Checks the caller is an agent of `principal` holding `scope`.
    function _requireAgent(address principal, uint8 scope) private view {
        AgentGrant memory g = REGISTRY.agentOf(principal, msg.sender);
        if (g.scopes == 0) revert Unauthorized(msg.sender, principal);
        if (g.scopes & scope == 0) revert IProviderRegistry.MissingAgentScope(principal, msg.sender, scope);
    }

    /// @dev The provider's master, after checking the caller is the provider, the master or the master's
    /// operator agent, and that the master backs `penalty` per attempt of this provider.
    function _requireProviderActor(address provider, uint256 penalty) private view returns (address master) {
        Pairing memory p = REGISTRY.pairingOf(provider);
        if (!p.paired) revert ProviderNotPaired(provider);
        master = p.master;
        if (msg.sender != provider && msg.sender != master) _requireAgent(master, AGENT_OPERATOR);
        if (penalty > p.maxPenalty) revert PenaltyAboveMasterCap(provider, penalty, p.maxPenalty);
    }

    function _requireLockup(address master, uint256 minAvailableLockup) private view {
        if (minAvailableLockup == 0) return;
        uint256 free = VAULT.freeLockupOf(master);
        if (free < minAvailableLockup) revert LockupBelowMinimum(master, free, minAvailableLockup);
    }

    function _checkFee(uint16 feeBps_) private pure {
        if (feeBps_ > MAX_FEE_BPS) revert FeeTooHigh(feeBps_, MAX_FEE_BPS);
    }

    function _checkUnbondingPeriod(uint64 period) private pure {
        if (period < MIN_UNBONDING_PERIOD || period > MAX_UNBONDING_PERIOD) {
            revert UnbondingPeriodOutOfRange(period, MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD);
        }
    }
}
