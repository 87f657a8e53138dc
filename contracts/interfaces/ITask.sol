// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Agreement, Attempt, TaskState, TaskStatus, TaskTerms} from "../types/NexusTypes.sol";

/// @title A paid job: an EIP-1167 clone whose terms live in its code and whose state moves only through Nexus.
interface ITask {
    /// @notice The caller is not the Nexus that created this task.
    error NotTaskNexus(address caller);
    /// @notice The task is CANCELED, EXPIRED or FINALIZED and takes no further action.
    error TaskClosed(address task, TaskStatus status);
    /// @notice The task was already finalized (a FIRST_RESPONSE task won, or a MANUAL one confirmed or settled);
    /// the late response is refused.
    error TaskAlreadyFinalized(address task, address winner);
    /// @notice The task's expiry time has passed.
    error TaskPastExpiry(address task, uint64 expiryTime);
    /// @notice The provider already attempted this task; each provider attempts once.
    error AlreadyAttempted(address task, address provider);
    /// @notice Another provider of the same master already attempted this task; each master attempts once.
    error MasterAlreadyAttempted(address task, address master, address provider);
    /// @notice Too little time is left before the task expires for an attempt to answer: at least half the source's
    /// attempt timeout must remain.
    error AttemptWindowTooShort(address task, uint256 window, uint256 minWindow);
    /// @notice Every attempt slot is held by a live attempt (lapsed ones free theirs through reportLapse).
    error AttemptSlotsFull(address task, uint8 liveAttempts, uint8 maxConcurrentAttempts);
    /// @notice A suggested or asked payment exceeds the task's payment.
    error PaymentAboveEscrow(address task, uint256 amount, uint256 payment);
    /// @notice The provider holds no live attempt (none, already responded, lapsed, or past its deadline).
    error AttemptNotLive(address task, address provider, uint40 deadline);
    /// @notice The call needs a MANUAL_CONFIRMATION task.
    error NotManualTask(address task);
    /// @notice The review window for confirmation has closed; the task can only be settled.
    error ReviewWindowClosed(address task, uint256 closedAt);
    /// @notice The provider has no response on this task.
    error NoResponse(address task, address provider);
    /// @notice The task cannot be canceled while an attempt is live or a response exists.
    error TaskInProgress(address task, uint40 lastDeadline, address respondent);
    /// @notice Something can still happen on the task; it can be settled from `settleableAt`.
    error NotYetSettleable(address task, uint256 settleableAt);
    /// @notice The attempt was not cut short: it is not live, its task is open, its deadline passed before the
    /// task closed (a lapse, for reportLapse), or it won the task.
    error NotCutShort(address task, address provider);
    /// @notice The attempt did not lapse: it responded, was already reported, or its deadline has not passed
    /// while the task was open.
    error NotLapsed(address task, address provider);
    /// @notice The call needs an AGREEMENT task.
    error NotAgreementTask(address task);
    /// @notice A result of this AGREEMENT task was revealed at `votingClosedAt`: its jury takes no one new.
    error VotingClosed(address task, uint40 votingClosedAt);
    /// @notice The provider is not a juror of this AGREEMENT task waiting to reveal (it did not commit through
    /// `commitVote`, or already revealed).
    error NotAJuror(address task, address provider);
    /// @notice Fewer jurors than the quorum have committed: no result may be revealed yet.
    error RevealsNotOpen(address task, uint8 jurors, uint8 quorum);
    /// @notice The response was not rejected: the task is open, the response is the agreed result, or it was
    /// already handled.
    error NotRejected(address task, address provider);

    /// @notice The terms fixed at publication.
    function terms() external view returns (TaskTerms memory);

    /// @notice The current state: status, live attempts, first responder, deadlines and winner.
    function state() external view returns (TaskState memory);

    /// @notice The current status.
    function status() external view returns (TaskStatus);

    /// @notice The paid provider once FINALIZED, else zero.
    function winner() external view returns (address);

    /// @notice One provider's attempt and response.
    function attemptOf(address provider) external view returns (Attempt memory);

    /// @notice The provider through which `master` attempted this task, or zero: a master attempts a task once.
    function attemptByMaster(address master) external view returns (address provider);

    /// @notice Native currency held in escrow for this task: its payment until it closes, then zero.
    function escrow() external view returns (uint256);

    /// @notice The earliest time `settle` succeeds given the current state (0 once closed).
    function settleableAt() external view returns (uint256);

    /// @notice AGREEMENT: the jury's size and when its voting closed (zero on a NONE task).
    function agreement() external view returns (Agreement memory);

    /// @notice AGREEMENT: the revealed votes for `resultHash`.
    function votesFor(bytes32 resultHash) external view returns (uint8);

    /// @notice Records an attempt. Only Nexus.
    /// @return deadline The time by which the provider must respond.
    /// @param master The provider's master now: it will be paid and it answers for a lapse of this attempt.
    function recordAttempt(address provider, address master, uint256 suggestedPayment)
        external
        returns (uint40 deadline);

    /// @notice Records a response. Only Nexus.
    /// @return finalized True when the response won a FIRST_RESPONSE task.
    /// @return master The master recorded with the attempt.
    function recordResponse(address provider, uint256 askedPayment) external returns (bool finalized, address master);

    /// @notice AGREEMENT: makes `provider`'s live attempt a juror, before any result is revealed. Only Nexus.
    function recordCommitment(address provider) external;

    /// @notice AGREEMENT: records a juror's revealed result. Only Nexus.
    /// @return master The master recorded with the juror's attempt.
    /// @return agreedProviders Empty, or, when this vote completed the quorum, the agreeing jurors (newest first).
    /// @return agreedMasters Their masters, in the same order: each is paid a share and released.
    function recordVote(address provider, bytes32 resultHash)
        external
        returns (address master, address[] memory agreedProviders, address[] memory agreedMasters);

    /// @notice Finalizes a MANUAL_CONFIRMATION task in favour of `provider`. Only Nexus.
    /// @return askedPayment The provider's asked payment.
    /// @return master The master recorded with the provider's attempt.
    function recordConfirmation(address provider) external returns (uint256 askedPayment, address master);

    /// @notice Cancels the task. Only Nexus.
    function recordCancellation() external;

    /// @notice Closes a task nothing more can happen to. Only Nexus.
    /// @return provider The provider confirmed by settlement, or zero when the task expired unanswered.
    /// @return askedPayment That provider's asked payment.
    /// @return master The master recorded with that provider's attempt.
    function recordSettlement() external returns (address provider, uint256 askedPayment, address master);

    /// @notice Marks a lapsed attempt as reported. Only Nexus.
    /// @return master The master recorded with the attempt, which answers for the lapse.
    /// @return burned True on an AGREEMENT task that reached no agreement (yet): the penalty goes to nobody.
    function recordLapse(address provider) external returns (address master, bool burned);

    /// @notice Marks an attempt the task's closing cut short as released. Only Nexus.
    /// @return master The master recorded with the attempt, whose reservation goes back to its free lockup.
    function recordRelease(address provider) external returns (address master);

    /// @notice AGREEMENT: marks a revealed result the agreement rejected, or any revealed result of a task that
    /// expired without agreement. Only Nexus.
    /// @return master The master recorded with the attempt, which loses its penalty.
    /// @return burned True when the task expired without agreement: the penalty goes to nobody.
    function recordRejection(address provider) external returns (address master, bool burned);
}
