// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {AgreementTally} from "./AgreementTally.sol";
import {ITask} from "./interfaces/ITask.sol";
import {CloneAddress} from "./libraries/CloneAddress.sol";
import {TaskTermsCodec} from "./libraries/TaskTermsCodec.sol";
import {
    Attempt,
    AttemptState,
    DeliveryMethod,
    MIN_ATTEMPT_WINDOW_DIVISOR,
    TaskState,
    TaskStatus,
    TaskTerms,
    VerificationMethod
} from "./types/NexusTypes.sol";

/// @title A paid job. Deployed by Nexus as an EIP-1167 clone whose immutable args are its terms.
/// @notice The task's state machine lives here; money and eligibility are Nexus's and the Vault's concern.
/// Times are half-open: an attempt is live while `now < deadline`, a task takes attempts while
/// `now < expiryTime`, and a MANUAL task takes confirmations while `now < expiryTime + reviewWindow`.
contract Task is ITask, AgreementTally {
    /// @dev One slot per attempt. The asked payment of a MANUAL response is stored apart, and only when it is
    /// below the task's payment (the common full-price answer costs no extra slot).
    struct AttemptRecord {
        address master;
        AttemptState state;
        uint40 deadline;
        uint40 respondedAt;
        bool askedLess;
    }

    address private immutable IMPLEMENTATION;

    // One slot: everything a call reads on the hot path.
    TaskStatus private _status;
    uint8 private _liveAttempts;
    address private _selectedProvider;
    uint40 private _lastDeadline;
    uint40 private _closedAt;

    mapping(address provider => AttemptRecord) private _attempts;
    mapping(address provider => uint96) private _askedPayments;
    /// @dev One attempt per master per task: its stake backs one risk here, and agreement between attempts
    /// means agreement between independent masters.
    mapping(address master => address provider) private _attemptByMaster;

    constructor() {
        IMPLEMENTATION = address(this);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ITask
    function terms() public view returns (TaskTerms memory) {
        return TaskTermsCodec.decode(CloneAddress.readArgs(address(this), TaskTermsCodec.LENGTH));
    }

    /// @inheritdoc ITask
    function state() external view returns (TaskState memory) {
        TaskStatus current = _status;
        return TaskState({
            status: current,
            // The counter stops mattering once the task closes; nothing is live on a closed task.
            liveAttempts: _isClosed(current) ? 0 : _liveAttempts,
            selectedProvider: _selectedProvider,
            lastDeadline: _lastDeadline,
            closedAt: _closedAt
        });
    }

    /// @inheritdoc ITask
    function status() external view returns (TaskStatus) {
        return _status;
    }

    /// @inheritdoc ITask
    function winner() external view returns (address) {
        return _status == TaskStatus.FINALIZED ? _selectedProvider : address(0);
    }

    /// @inheritdoc ITask
    function attemptOf(address provider) external view returns (Attempt memory a) {
        AttemptRecord memory r = _attempts[provider];
        a = Attempt({master: r.master, state: r.state, deadline: r.deadline, respondedAt: r.respondedAt, askedPayment: 0});
        // A FIRST_RESPONSE win is not written to the attempt record (the task's slot already says it all).
        if (_status == TaskStatus.FINALIZED && provider == _selectedProvider && r.state == AttemptState.LIVE) {
            a.state = AttemptState.RESPONDED;
            a.respondedAt = _closedAt;
        }
        if (a.state == AttemptState.RESPONDED) a.askedPayment = r.askedLess ? _askedPayments[provider] : terms().payment;
    }

    /// @inheritdoc ITask
    function attemptByMaster(address master) external view returns (address provider) {
        return _attemptByMaster[master];
    }

    /// @inheritdoc ITask
    function escrow() external view returns (uint256) {
        return _isClosed(_status) ? 0 : terms().payment;
    }

    /// @inheritdoc ITask
    function settleableAt() external view returns (uint256) {
        if (_isClosed(_status)) return 0;
        TaskTerms memory t = terms();
        // An AGREEMENT task that reached no agreement by expiry never will: nobody confirms it.
        bool untilExpiry = _selectedProvider == address(0) || t.verification == VerificationMethod.AGREEMENT;
        return untilExpiry ? t.expiryTime : uint256(t.expiryTime) + t.reviewWindow;
    }

    // ---------------------------------------------------------------- transitions

    /// @inheritdoc ITask
    function recordAttempt(address provider, address master, uint256 suggestedPayment)
        external
        returns (uint40 deadline)
    {
        TaskTerms memory t = _termsFromNexus();
        TaskStatus current = _status;
        _requireOpen(current);
        if (block.timestamp >= t.expiryTime) revert TaskPastExpiry(address(this), t.expiryTime);
        if (current == TaskStatus.RESPONDED && t.verification == VerificationMethod.AGREEMENT) {
            revert VotingClosed(address(this), _agreement.votingClosedAt);
        }
        uint256 window = t.expiryTime - block.timestamp;
        uint256 minWindow = t.attemptTimeout / MIN_ATTEMPT_WINDOW_DIVISOR;
        if (window < minWindow) revert AttemptWindowTooShort(address(this), window, minWindow);
        if (_attempts[provider].state != AttemptState.NONE) revert AlreadyAttempted(address(this), provider);
        address previous = _attemptByMaster[master];
        if (previous != address(0)) revert MasterAlreadyAttempted(address(this), master, previous);
        uint8 live = _liveAttempts;
        if (live >= t.maxConcurrentAttempts) {
            revert AttemptSlotsFull(address(this), live, t.maxConcurrentAttempts);
        }
        if (t.deliveryMethod == DeliveryMethod.MANUAL_CONFIRMATION && suggestedPayment > t.payment) {
            revert PaymentAboveEscrow(address(this), suggestedPayment, t.payment);
        }

        uint256 due = block.timestamp + t.attemptTimeout;
        deadline = uint40(due < t.expiryTime ? due : t.expiryTime);
        _attempts[provider] =
            AttemptRecord({master: master, state: AttemptState.LIVE, deadline: deadline, respondedAt: 0, askedLess: false});
        _attemptByMaster[master] = provider;
        _liveAttempts = live + 1;
        // Deadlines never decrease (same timeout, same cap), so the newest attempt's deadline bounds them all.
        _lastDeadline = deadline;
        if (current == TaskStatus.NEW) _status = TaskStatus.ATTEMPTED;
    }

    /// @inheritdoc ITask
    function recordResponse(address provider, uint256 askedPayment)
        external
        returns (bool finalized, address master)
    {
        TaskTerms memory t = _termsFromNexus();
        TaskStatus current = _status;
        if (current == TaskStatus.FINALIZED) revert TaskAlreadyFinalized(address(this), _selectedProvider);
        _requireOpen(current);
        AttemptRecord storage a = _attempts[provider];
        if (a.state != AttemptState.LIVE || block.timestamp >= a.deadline) {
            revert AttemptNotLive(address(this), provider, a.deadline);
        }
        master = a.master;
        --_liveAttempts;
        if (t.deliveryMethod == DeliveryMethod.FIRST_RESPONSE) {
            _status = TaskStatus.FINALIZED;
            _selectedProvider = provider;
            _closedAt = uint40(block.timestamp);
            return (true, master);
        }
        if (askedPayment > t.payment) revert PaymentAboveEscrow(address(this), askedPayment, t.payment);
        a.state = AttemptState.RESPONDED;
        a.respondedAt = uint40(block.timestamp);
        if (askedPayment < t.payment) {
            a.askedLess = true;
            _askedPayments[provider] = uint96(askedPayment);
        }
        if (_selectedProvider == address(0)) _selectedProvider = provider;
        _status = TaskStatus.RESPONDED;
    }

    /// @inheritdoc ITask
    function recordCommitment(address provider) external {
        TaskTerms memory t = _termsFromNexus();
        if (t.verification != VerificationMethod.AGREEMENT) revert NotAgreementTask(address(this));
        TaskStatus current = _status;
        _requireOpen(current);
        // After the first reveal a result is public: a juror who joined then could vote for it without computing.
        if (current == TaskStatus.RESPONDED) revert VotingClosed(address(this), _agreement.votingClosedAt);
        AttemptRecord storage a = _attempts[provider];
        if (a.state != AttemptState.LIVE || block.timestamp >= a.deadline) {
            revert AttemptNotLive(address(this), provider, a.deadline);
        }
        a.state = AttemptState.COMMITTED;
        // A juror keeps its attempt slot until it reveals, so the jury never outgrows the slots.
        ++_agreement.jurors;
    }

    /// @inheritdoc ITask
    function recordVote(address provider, bytes32 resultHash)
        external
        returns (address master, address[] memory agreedProviders, address[] memory agreedMasters)
    {
        TaskTerms memory t = _termsFromNexus();
        if (t.verification != VerificationMethod.AGREEMENT) revert NotAgreementTask(address(this));
        TaskStatus current = _status;
        if (current == TaskStatus.FINALIZED) revert TaskAlreadyFinalized(address(this), _selectedProvider);
        _requireOpen(current);
        if (block.timestamp >= t.expiryTime) revert TaskPastExpiry(address(this), t.expiryTime);
        AttemptRecord storage a = _attempts[provider];
        if (a.state != AttemptState.COMMITTED) revert NotAJuror(address(this), provider);
        uint8 jurors = _agreement.jurors;
        if (jurors < t.quorum) revert RevealsNotOpen(address(this), jurors, t.quorum);

        master = a.master;
        a.state = AttemptState.RESPONDED;
        a.respondedAt = uint40(block.timestamp);
        --_liveAttempts;
        if (current == TaskStatus.ATTEMPTED) {
            _status = TaskStatus.RESPONDED;
            _selectedProvider = provider;
            _agreement.votingClosedAt = uint40(block.timestamp);
        }
        uint8 votes = _castVote(provider, resultHash);
        if (votes < t.quorum) return (master, agreedProviders, agreedMasters);
        _finalize(provider);
        agreedProviders = _votersFrom(provider, votes);
        agreedMasters = new address[](votes);
        for (uint256 i; i < votes; ++i) {
            agreedMasters[i] = _attempts[agreedProviders[i]].master;
        }
    }

    /// @inheritdoc ITask
    function recordConfirmation(address provider) external returns (uint256 askedPayment, address master) {
        TaskTerms memory t = _termsFromNexus();
        if (t.deliveryMethod != DeliveryMethod.MANUAL_CONFIRMATION) revert NotManualTask(address(this));
        _requireOpen(_status);
        uint256 reviewEnd = uint256(t.expiryTime) + t.reviewWindow;
        if (block.timestamp >= reviewEnd) revert ReviewWindowClosed(address(this), reviewEnd);
        AttemptRecord storage a = _attempts[provider];
        if (a.state != AttemptState.RESPONDED) revert NoResponse(address(this), provider);
        (askedPayment, master) = (_askedOf(a, provider, t.payment), a.master);
        _finalize(provider);
    }

    /// @inheritdoc ITask
    function recordCancellation() external {
        TaskTerms memory t = _termsFromNexus();
        _requireOpen(_status);
        // A jury that has computed and sealed its results is owed its verdict: the task runs to expiry.
        bool jury = t.verification == VerificationMethod.AGREEMENT && _agreement.jurors != 0;
        if (block.timestamp < _lastDeadline || _selectedProvider != address(0) || jury) {
            revert TaskInProgress(address(this), _lastDeadline, _selectedProvider);
        }
        _status = TaskStatus.CANCELED;
        _closedAt = uint40(block.timestamp);
    }

    /// @inheritdoc ITask
    function recordSettlement() external returns (address provider, uint256 askedPayment, address master) {
        TaskTerms memory t = _termsFromNexus();
        _requireOpen(_status);
        // An AGREEMENT task is paid only by its agreement: settling one closes it unpaid.
        provider = t.verification == VerificationMethod.AGREEMENT ? address(0) : _selectedProvider;
        uint256 from = provider == address(0) ? t.expiryTime : uint256(t.expiryTime) + t.reviewWindow;
        if (block.timestamp < from) revert NotYetSettleable(address(this), from);
        if (provider == address(0)) {
            _status = TaskStatus.EXPIRED;
            _closedAt = uint40(block.timestamp);
        } else {
            AttemptRecord storage a = _attempts[provider];
            (askedPayment, master) = (_askedOf(a, provider, t.payment), a.master);
            _finalize(provider);
        }
    }

    /// @inheritdoc ITask
    function recordLapse(address provider) external returns (address master, bool burned) {
        TaskTerms memory t = _termsFromNexus();
        AttemptRecord storage a = _attempts[provider];
        TaskStatus current = _status;
        bool agreementTask = t.verification == VerificationMethod.AGREEMENT;
        bool lapsed;
        if (a.state == AttemptState.LIVE) {
            // An attempt cut short (the task closed, or an AGREEMENT task's voting did) did not lapse: it had no
            // chance to answer.
            lapsed = block.timestamp >= a.deadline && !_cutShort(current, agreementTask, a.deadline);
            if (lapsed && !_isClosed(current)) --_liveAttempts;
        } else if (a.state == AttemptState.COMMITTED) {
            // A juror reveals until expiry once the jury is complete; before that it could not reveal at all.
            lapsed = current == TaskStatus.EXPIRED && _agreement.jurors >= t.quorum;
        }
        if (!lapsed) revert NotLapsed(address(this), provider);
        a.state = AttemptState.LAPSED;
        // Nobody may gain from a penalty on a task that reached no agreement, or griefing would pay (PROTOCOL.md).
        return (a.master, agreementTask && current != TaskStatus.FINALIZED);
    }

    /// @inheritdoc ITask
    function recordRelease(address provider) external returns (address master) {
        TaskTerms memory t = _termsFromNexus();
        AttemptRecord storage a = _attempts[provider];
        TaskStatus current = _status;
        bool released;
        if (a.state == AttemptState.LIVE) {
            // A FIRST_RESPONSE winner's record stays LIVE (its win is the task's slot), and its reservation was
            // released when it answered.
            bool won = current == TaskStatus.FINALIZED && provider == _selectedProvider;
            released = !won && _cutShort(current, t.verification == VerificationMethod.AGREEMENT, a.deadline);
            if (released && !_isClosed(current)) --_liveAttempts;
        } else if (a.state == AttemptState.COMMITTED) {
            // A juror that did not reveal: the agreement was reached without it, or the jury never filled.
            released = current == TaskStatus.FINALIZED || (_isClosed(current) && _agreement.jurors < t.quorum);
        }
        if (!released) revert NotCutShort(address(this), provider);
        a.state = AttemptState.RELEASED;
        return a.master;
    }

    /// @inheritdoc ITask
    function recordRejection(address provider) external returns (address master, bool burned) {
        TaskTerms memory t = _termsFromNexus();
        AttemptRecord storage a = _attempts[provider];
        TaskStatus current = _status;
        bool rejected;
        if (a.state == AttemptState.RESPONDED && t.verification == VerificationMethod.AGREEMENT) {
            if (current == TaskStatus.FINALIZED) rejected = !_votedAlike(provider, _selectedProvider);
            else if (current == TaskStatus.EXPIRED) (rejected, burned) = (true, true);
        }
        if (!rejected) revert NotRejected(address(this), provider);
        a.state = AttemptState.REJECTED;
        return (a.master, burned);
    }

    // ---------------------------------------------------------------- internals

    function _askedOf(AttemptRecord storage a, address provider, uint96 payment) private view returns (uint256) {
        return a.askedLess ? _askedPayments[provider] : payment;
    }

    /// @dev Whether something ended the attempt's chance to answer before its deadline: the task closing, or, on an
    /// AGREEMENT task, the first reveal closing the jury before the attempt could join it.
    function _cutShort(TaskStatus current, bool agreementTask, uint40 deadline) private view returns (bool) {
        if (_isClosed(current) && _closedAt < deadline) return true;
        if (!agreementTask) return false;
        uint40 votingClosedAt = _agreement.votingClosedAt;
        return votingClosedAt != 0 && votingClosedAt < deadline;
    }

    function _finalize(address provider) private {
        _status = TaskStatus.FINALIZED;
        _selectedProvider = provider;
        _closedAt = uint40(block.timestamp);
    }

    /// @dev Reads the terms and checks, from them, that the caller is the Nexus that created this clone.
    function _termsFromNexus() private view returns (TaskTerms memory) {
        bytes memory args = CloneAddress.readArgs(address(this), TaskTermsCodec.LENGTH);
        if (args.length == 0 || CloneAddress.predict(IMPLEMENTATION, args, msg.sender) != address(this)) {
            revert NotTaskNexus(msg.sender);
        }
        return TaskTermsCodec.decode(args);
    }

    function _requireOpen(TaskStatus current) private view {
        if (_isClosed(current)) revert TaskClosed(address(this), current);
    }

    function _isClosed(TaskStatus s) private pure returns (bool) {
        return s == TaskStatus.CANCELED || s == TaskStatus.EXPIRED || s == TaskStatus.FINALIZED;
    }
}
