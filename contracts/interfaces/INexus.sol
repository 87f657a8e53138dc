// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {INexusEvents} from "./INexusEvents.sol";
import {Commitment, SourceParams, SourceStatus, TermsSeen} from "../types/NexusTypes.sol";

/// @title The entry point of GPU Nexus: every state-changing call goes through it and every event comes from it.
interface INexus is INexusEvents {
    /// @notice An address argument must not be zero.
    error ZeroAddress();
    /// @notice `caller` may not act for `principal` (it is neither the principal nor one of its agents).
    error Unauthorized(address caller, address principal);
    /// @notice The address is not a source created by this Nexus.
    error UnknownSource(address source);
    /// @notice The address is not a task created by this Nexus.
    error UnknownTask(address task);
    /// @notice The source is inactive and takes no new tasks or registrations.
    error SourceInactive(address source);
    /// @notice The source was updated after the client read it: version `seenVersion` became `version`.
    error SourceChanged(address source, uint32 seenVersion, uint32 version);
    /// @notice The protocol fee changed after the client read it.
    error FeeChanged(uint16 seenFeeBps, uint16 feeBps);
    /// @notice The payment is below the source's minimum (or zero).
    error PaymentBelowMinimum(uint256 payment, uint256 minPayment);
    /// @notice The expiry is in the past or beyond the source's maximum duration.
    error InvalidExpiry(uint64 expiryTime, uint256 earliest, uint256 latest);
    /// @notice The provider is not paired with a master.
    error ProviderNotPaired(address provider);
    /// @notice The master's free lockup (not reserved by live attempts) is below the source's `minAvailableLockup`.
    error LockupBelowMinimum(address master, uint256 freeLockup, uint256 minAvailableLockup);
    /// @notice The lapse penalty exceeds what the provider's master accepted to risk per attempt of this provider.
    error PenaltyAboveMasterCap(address provider, uint256 penalty, uint256 maxPenalty);
    /// @notice The fee is above the 10 % cap.
    error FeeTooHigh(uint16 feeBps, uint16 maxFeeBps);
    /// @notice The unbonding period is below the floor (longer than any attempt) or above the cap.
    error UnbondingPeriodOutOfRange(uint64 period, uint64 minPeriod, uint64 maxPeriod);
    /// @notice The provider already committed a response to this task; a provider commits once per task.
    error AlreadyCommitted(address task, address provider, uint40 committedAt);
    /// @notice The provider has no commitment to reveal: a response is committed first, then revealed.
    error NotCommitted(address task, address provider);
    /// @notice A response is revealed in a later block than its commitment, at a later timestamp than `committedAt`.
    error RevealTooEarly(address task, address provider, uint40 committedAt);
    /// @notice The revealed response (task, provider, result hash, asked payment and secret) hashes to `revealed`,
    /// whose first 27 bytes are not the committed `digest`.
    error CommitmentMismatch(address task, address provider, bytes27 digest, bytes32 revealed);
    /// @notice The value does not fit the protocol's storage width.
    error ValueOverflow(uint256 value);

    // ---------------------------------------------------------------- sources

    /// @notice Publishes a source owned by the caller. Its address is `predictSourceAddress(caller, salt)`.
    function publishSource(SourceParams calldata params, bytes32 salt) external returns (address source);

    /// @notice Replaces a source's parameters. Only its client. Open tasks keep the terms they were created with.
    function updateSource(address source, SourceParams calldata params) external;

    /// @notice Switches a source ACTIVE or INACTIVE. Only its client.
    function setSourceStatus(address source, SourceStatus status) external;

    /// @notice Registers `provider` to `source` in one environment. By the provider, its master or the master's
    /// operator agent. The source's lapse penalty must be within the master's cap for the provider.
    function register(address source, address provider, uint8 environment) external;

    /// @notice Removes `provider` from `source`. By the provider, its master or the master's operator agent.
    function unregister(address source, address provider) external;

    // ---------------------------------------------------------------- tasks

    /// @notice Publishes a task for `client`, by the client itself or its client-scoped agent, escrowing `payment`
    /// from `msg.value` (credited to the client's balance first) and the client's balance. An agent's draw on that
    /// balance (`payment - msg.value`) spends its allowance. The task copies the source's terms and the protocol fee
    /// as they are now, so `seen` says which the client agreed to: the source's version and the fee. Reverts
    /// `SourceChanged` or `FeeChanged` if either moved.
    function publishTask(
        address client,
        address source,
        string calldata configUri,
        bytes32 configHash,
        uint64 expiryTime,
        uint256 payment,
        uint64 salt,
        TermsSeen calldata seen
    ) external payable returns (address task);

    /// @notice Takes an attempt slot on `task` for `provider`. By the provider, its master or the master's operator
    /// agent. The task's lapse penalty must be within the master's cap for the provider; it is reserved from the
    /// master's free lockup until the attempt responds (released), lapses (slashed) or is cut short (released).
    /// A master attempts a task once, and only while at least half the attempt timeout remains before expiry.
    function attempt(address task, address provider, uint256 suggestedPayment) external;

    /// @notice Seals the caller's (a provider's) response to `task`:
    /// `commitment = keccak256(abi.encode(task, provider, resultHash, askedPayment, secret))`, the secret 32 random
    /// bytes. One commitment per provider and task. A commitment is accepted at any time, but only a reveal counts,
    /// and only while the attempt is live: one never revealed by the attempt's deadline lapses like no response.
    function commitResponse(address task, bytes32 commitment) external;

    /// @notice AGREEMENT: seals the caller's result like `commitResponse` and makes its live attempt a juror of
    /// `task`. Jurors join until the first reveal; reveals open once `quorum` jurors have committed, and a juror
    /// reveals until the task expires.
    function commitVote(address task, bytes32 commitment) external;

    /// @notice Reveals the caller's committed response, in a later block than the commitment and while its attempt is
    /// live (AGREEMENT: while the task is open, once the jury reached its quorum). The response is the caller's
    /// alone: a copy sent by another provider opens no commitment of theirs. On an AGREEMENT task the reveal that
    /// gives one result hash `quorum` votes finalizes the task and pays each of those jurors an equal share.
    /// @param askedPayment MANUAL_CONFIRMATION: the price asked, at most the payment. FIRST_RESPONSE pays the payment
    /// whatever it says, but it is part of the commitment all the same.
    function revealResponse(
        address task,
        string calldata resultUri,
        bytes32 resultHash,
        uint256 askedPayment,
        bytes32 secret
    ) external;

    /// @notice Confirms `provider`'s response to a MANUAL_CONFIRMATION task. By the client or its client agent.
    function confirmResponse(address task, address provider) external;

    /// @notice Cancels a task with no live attempt and no response, refunding it. By the client or its client agent.
    function cancelTask(address task) external;

    /// @notice Closes a task nothing more can happen to: refunds it, or pays the earliest response. By anyone.
    function settle(address task) external;

    /// @notice Reports an attempt that passed its deadline without a response; its reserved penalty goes from the
    /// master's lockup to the client (AGREEMENT: only once the task is agreed; otherwise it is burned). By anyone.
    function reportLapse(address task, address provider) external;

    /// @notice AGREEMENT: takes the penalty of a juror whose revealed result the task rejected: to the client when
    /// it differs from the agreed result, to nobody (burned) when the task expired without agreement. By anyone.
    function rejectResponse(address task, address provider) external;

    /// @notice Releases the reservation of an attempt the task's closing cut short (another provider won, or the
    /// task was confirmed, canceled or settled before its deadline) back to its master's free lockup. By anyone.
    function releaseAttempt(address task, address provider) external;

    // ---------------------------------------------------------------- vault

    /// @notice Adds `msg.value` to `beneficiary`'s balance.
    function deposit(address beneficiary) external payable;

    /// @notice Sends `amount` of the caller's balance to the caller.
    function withdraw(uint256 amount) external;

    /// @notice Sends `amount` of the caller's balance to `recipient`: an account that cannot receive native
    /// currency itself (a contract treasury without a payable fallback) still gets its funds out.
    function withdrawTo(address recipient, uint256 amount) external;

    /// @notice Moves `amount` of the caller's balance into its lockup.
    function lock(uint256 amount) external;

    /// @notice Moves `amount` of the caller's lockup into unbonding (restarting the timer for the whole unbonding).
    function unbond(uint256 amount) external;

    /// @notice Returns the caller's unbonding to its lockup.
    function cancelUnbonding() external;

    /// @notice Moves the caller's matured unbonding into its balance.
    function claim() external;

    /// @notice Moves accrued protocol fees into the treasury's balance. By anyone.
    function collectFees() external;

    // ---------------------------------------------------------------- registry

    /// @notice The caller (a master) announces `provider`, accepting to lose at most `maxPenalty` of its stake per
    /// attempt of it (zero: only sources without a lapse penalty). Announcing again changes the cap for later
    /// registrations and attempts.
    function announceProvider(address provider, uint88 maxPenalty) external;

    /// @notice The caller (a master) withdraws its announcement of `provider`, unpairing it.
    function revokeProvider(address provider) external;

    /// @notice The caller (a provider) announces `master`.
    function announceMaster(address master) external;

    /// @notice The caller (a provider) leaves its master.
    function revokeMaster() external;

    /// @notice Grants `agent` the `scopes` (a bitmask of AGENT_CLIENT and AGENT_OPERATOR; zero revokes) and the
    /// `allowance` of the caller's balance it may draw into task escrow (`type(uint96).max`: unlimited), replacing
    /// any earlier grant. No agent withdraws, locks, unbonds, claims or grants, for anyone.
    function grantAgent(address agent, uint8 scopes, uint96 allowance) external;

    /// @notice Sets `provider`'s info URI. By the provider or its master.
    function setProviderInfo(address provider, string calldata uri) external;

    // ---------------------------------------------------------------- admin

    /// @notice Sets the protocol fee in basis points, at most 10 %. Only the owner.
    function setFee(uint16 feeBps) external;

    /// @notice Sets the treasury that collects fees. Only the owner.
    function setTreasury(address treasury) external;

    /// @notice Sets the unbonding period, from 1 to 30 days. Only the owner.
    function setUnbondingPeriod(uint64 period) external;

    // ---------------------------------------------------------------- views

    /// @notice The vault holding all funds.
    function vault() external view returns (address);

    /// @notice The provider registry.
    function registry() external view returns (address);

    /// @notice The implementation task clones delegate to.
    function taskImplementation() external view returns (address);

    /// @notice The implementation source clones delegate to.
    function sourceImplementation() external view returns (address);

    /// @notice The protocol fee in basis points.
    function feeBps() external view returns (uint16);

    /// @notice The account fees are collected to.
    function treasury() external view returns (address);

    /// @notice Whether `task` is a task created by this Nexus.
    function isTask(address task) external view returns (bool);

    /// @notice Whether `source` is a source created by this Nexus.
    function isSource(address source) external view returns (bool);

    /// @notice The address `publishSource(…, salt)` by `client` creates.
    function predictSourceAddress(address client, bytes32 salt) external view returns (address);


    /// @notice `provider`'s commitment to `task` while it waits for its reveal (a zero time when there is none).
    function commitmentOf(address task, address provider) external view returns (Commitment memory);
}
