// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NexusFixture} from "./helpers/NexusFixture.sol";
import {INexus} from "../../contracts/interfaces/INexus.sol";
import {ITask} from "../../contracts/interfaces/ITask.sol";
import {ResponseCommitment} from "../../contracts/libraries/ResponseCommitment.sol";
import {AttemptState, Commitment, TaskStatus} from "../../contracts/types/NexusTypes.sol";

/// @notice Safety 3 of 3, results bound to their provider (docs/PROTOCOL.md "Commitments"): a response is committed
/// while its attempt is live and revealed in a later block. The copier below is another provider with a live attempt
/// on the same task that reads every pending transaction and gets its own mined first.
contract CommitRevealTest is NexusFixture {
    address internal frSource;
    address internal manualSource;
    address internal copier = provider2;

    function setUp() public override {
        super.setUp();
        frSource = _publishFirstResponseSource();
        manualSource = _publishManualSource();
        _setupProvider(frSource, provider, master);
        _setupProvider(frSource, copier, master2);
        _register(manualSource, provider, 1);
        _register(manualSource, copier, 1);
    }

    /// @dev The copier's reveal of what it read in the honest provider's pending reveal.
    function _copyReveal(address task, uint256 askedPayment) internal {
        vm.prank(copier);
        nexus.revealResponse(task, RESULT_URI, RESULT_HASH, askedPayment, SECRET);
    }

    // ------------------------------------------------------------ the copier of the issue

    /// FIRST_RESPONSE: every copy the copier can make of the honest provider's transactions, mined before them, is
    /// refused, and the honest provider is paid.
    function test_copier_firstResponse_cannotClaimAnHonestResult() public {
        address task = _publishTask(frSource);
        _attempt(task, provider);
        _attempt(task, copier);

        // 1. It copies the honest commitment into its own attempt: the commitment names the honest provider.
        bytes32 honest = _commitment(task, provider, 0);
        vm.prank(copier);
        nexus.commitResponse(task, honest);
        _commit(task, provider, 0);
        _nextBlock();

        // 2. It copies the pending reveal (URI, hash, secret): that opens no commitment of its own.
        bytes32 copied = ResponseCommitment.hash(task, copier, RESULT_HASH, 0, SECRET);
        vm.expectRevert(abi.encodeWithSelector(INexus.CommitmentMismatch.selector, task, copier, bytes27(honest), copied));
        _copyReveal(task, 0);
        _reveal(task, provider, 0);

        assertEq(ITask(task).winner(), provider);
        assertEq(vault.balanceOf(master), PAYMENT - _fee(PAYMENT), "the honest provider's master is paid");
        assertEq(vault.balanceOf(master2), 0, "the copier's master is not");
    }

    /// The copier that has not committed yet commits the revealed result under its own name, in the reveal's block,
    /// ahead of it: its own reveal cannot land before a later block, and the honest reveal has won by then.
    function test_copier_commitsTheRevealedResult_tooLate() public {
        address task = _publishTask(frSource);
        _attempt(task, provider);
        _attempt(task, copier);
        _commit(task, provider, 0);
        _nextBlock();

        // In the honest reveal's block, before it: commit, then reveal.
        vm.prank(copier);
        nexus.commitResponse(task, ResponseCommitment.hash(task, copier, RESULT_HASH, 0, SECRET));
        vm.expectRevert(abi.encodeWithSelector(INexus.RevealTooEarly.selector, task, copier, _now()));
        _copyReveal(task, 0);
        _reveal(task, provider, 0);

        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskAlreadyFinalized.selector, task, provider));
        _copyReveal(task, 0);
        assertEq(ITask(task).winner(), provider);
    }

    /// MANUAL: the copier cannot become the earliest response (the one default settlement pays) with a copy.
    function test_copier_manual_cannotBecomeTheEarliestResponse() public {
        address task = _publishTask(manualSource);
        _attempt(task, provider);
        _attempt(task, copier);
        _commit(task, provider, PAYMENT);
        _nextBlock();

        vm.expectRevert(abi.encodeWithSelector(INexus.NotCommitted.selector, task, copier));
        _copyReveal(task, PAYMENT);
        _reveal(task, provider, PAYMENT);
        assertEq(ITask(task).state().selectedProvider, provider);

        vm.warp(uint256(ITask(task).terms().expiryTime) + REVIEW_WINDOW);
        nexus.settle(task);
        assertEq(ITask(task).winner(), provider, "settlement pays the honest provider");
    }

    /// The client reads the result from the pending reveal and tries to cancel before it lands, so as not to pay: a
    /// task cannot be canceled while an attempt is live, and a reveal needs a live attempt.
    function test_client_cannotCancelUnderAPendingReveal() public {
        address task = _publishTask(frSource);
        _attempt(task, provider);
        _commit(task, provider, 0);
        _nextBlock();
        uint40 deadline = _deadline(task, provider);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskInProgress.selector, task, deadline, address(0)));
        vm.prank(client);
        nexus.cancelTask(task);
        _reveal(task, provider, 0);
        assertEq(ITask(task).winner(), provider);
    }

    // ------------------------------------------------------------ the rules

    function test_commit_emitsAndIsKeptUntilTheReveal() public {
        address task = _publishTask(frSource);
        _attempt(task, provider);
        bytes32 c = _commitment(task, provider, 0);
        _expectEmit();
        emit ResponseCommitted(task, provider, c);
        _commit(task, provider, 0);
        Commitment memory kept = nexus.commitmentOf(task, provider);
        assertEq(kept.digest, bytes27(c));
        assertEq(kept.committedAt, _now());
        assertEq(uint8(ITask(task).attemptOf(provider).state), uint8(AttemptState.LIVE), "a commitment is no response");
        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.ATTEMPTED));

        _nextBlock();
        _reveal(task, provider, 0);
        assertEq(uint8(ITask(task).attemptOf(provider).state), uint8(AttemptState.RESPONDED));
        assertEq(nexus.commitmentOf(task, provider).committedAt, 0, "cleared by the reveal");
    }

    function test_commit_oncePerProviderAndTask() public {
        address task = _publishTask(frSource);
        _attempt(task, provider);
        _commit(task, provider, 0);
        uint40 at = uint40(_now());
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(INexus.AlreadyCommitted.selector, task, provider, at));
        vm.prank(provider);
        nexus.commitResponse(task, keccak256("another result"));
    }

    /// A commitment needs no attempt, but only a live attempt reveals: one made before attempting opens once the
    /// attempt is live, and one made without any attempt (or on something that is no task) opens nothing.
    function test_reveal_needsALiveAttempt() public {
        address task = _publishTask(frSource);
        _commit(task, provider, 0);
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(ITask.AttemptNotLive.selector, task, provider, uint40(0)));
        _reveal(task, provider, 0);
        _attempt(task, provider);
        _reveal(task, provider, 0);
        assertEq(ITask(task).winner(), provider);

        _commit(address(registry), provider, 0);
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(INexus.UnknownTask.selector, address(registry)));
        _reveal(address(registry), provider, 0);
    }

    function test_reveal_inTheCommitmentsBlock_refused() public {
        address task = _publishTask(frSource);
        _attempt(task, provider);
        _commit(task, provider, 0);
        vm.expectRevert(abi.encodeWithSelector(INexus.RevealTooEarly.selector, task, provider, _now()));
        _reveal(task, provider, 0);
        _nextBlock();
        _reveal(task, provider, 0);
        assertEq(ITask(task).winner(), provider);
    }

    function test_reveal_withoutCommitment_refused() public {
        address task = _publishTask(frSource);
        _attempt(task, provider);
        vm.expectRevert(abi.encodeWithSelector(INexus.NotCommitted.selector, task, provider));
        _reveal(task, provider, 0);
    }

    /// Each part of the commitment is bound: another result, ask, secret or task opens nothing.
    function test_reveal_mustOpenTheCommitment() public {
        address task = _publishTask(manualSource);
        _attempt(task, provider);
        _commit(task, provider, 0.5 ether);
        _nextBlock();
        bytes32 committed = _commitment(task, provider, 0.5 ether);
        bytes32[3] memory hashes = [keccak256("other result"), RESULT_HASH, RESULT_HASH];
        uint256[3] memory asks = [uint256(0.5 ether), 0.4 ether, 0.5 ether];
        bytes32[3] memory secrets = [SECRET, SECRET, keccak256("guessed")];
        for (uint256 i; i < 3; ++i) {
            bytes32 revealed = ResponseCommitment.hash(task, provider, hashes[i], asks[i], secrets[i]);
            vm.expectRevert(abi.encodeWithSelector(INexus.CommitmentMismatch.selector, task, provider, bytes27(committed), revealed));
            vm.prank(provider);
            nexus.revealResponse(task, RESULT_URI, hashes[i], asks[i], secrets[i]);
        }
        // A commitment made for one task opens nothing on another.
        address other = _publishTask(manualSource);
        _attempt(other, provider);
        vm.prank(provider);
        nexus.commitResponse(other, committed);
        _nextBlock();
        bytes32 onOther = _commitment(other, provider, 0.5 ether);
        vm.expectRevert(abi.encodeWithSelector(INexus.CommitmentMismatch.selector, other, provider, bytes27(committed), onOther));
        _reveal(other, provider, 0.5 ether);

        _reveal(task, provider, 0.5 ether);
        assertEq(ITask(task).attemptOf(provider).askedPayment, 0.5 ether);
    }

    /// A commitment never revealed by the deadline is a lapse: the penalty goes to the client.
    function test_unrevealedCommitment_lapses() public {
        address task = _publishTask(frSource);
        _attempt(task, provider);
        uint40 deadline = _deadline(task, provider);
        vm.warp(deadline - 1);
        _commit(task, provider, 0);
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(ITask.AttemptNotLive.selector, task, provider, deadline));
        _reveal(task, provider, 0);

        uint256 clientBefore = vault.balanceOf(client);
        nexus.reportLapse(task, provider);
        assertEq(vault.balanceOf(client), clientBefore + LAPSE_PENALTY);
        assertEq(uint8(ITask(task).attemptOf(provider).state), uint8(AttemptState.LAPSED));
        assertEq(vault.stakeOf(master).reserved, 0);
    }

    /// A committed attempt that another provider's reveal beat is cut short: released, not slashed.
    function test_committedAttempt_cutShortByAnotherWin_isReleased() public {
        address task = _publishTask(frSource);
        _attempt(task, provider);
        _attempt(task, copier);
        _commit(task, provider, 0);
        _respond(task, copier, 0);
        assertEq(ITask(task).winner(), copier);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskAlreadyFinalized.selector, task, copier));
        _reveal(task, provider, 0);

        nexus.releaseAttempt(task, provider);
        assertEq(uint8(ITask(task).attemptOf(provider).state), uint8(AttemptState.RELEASED));
        assertEq(vault.stakeOf(master).reserved, 0);
        vm.warp(uint256(ITask(task).terms().expiryTime) + 1);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, provider));
        nexus.reportLapse(task, provider);
    }
}
