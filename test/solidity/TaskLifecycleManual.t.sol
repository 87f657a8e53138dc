// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Vm} from "forge-std/Vm.sol";
import {NexusFixture} from "./helpers/NexusFixture.sol";
import {INexus} from "../../contracts/interfaces/INexus.sol";
import {ITask} from "../../contracts/interfaces/ITask.sol";
import {
    Attempt, AttemptState, TaskState, TaskStatus, ENV_CPU
} from "../../contracts/types/NexusTypes.sol";

/// @notice attempt, submitResponse, confirmResponse and settlement of MANUAL_CONFIRMATION tasks.
contract TaskLifecycleManualTest is NexusFixture {
    address internal source;
    address internal task;
    uint64 internal expiry;
    uint256 internal reviewEnd;
    address internal provider3 = makeAddr("provider3");
    address internal master3 = makeAddr("master3");

    function setUp() public override {
        super.setUp();
        source = _publishManualSource();
        _setupProvider(source, provider, master);
        _setupProvider(source, provider2, master2);
        vm.deal(master3, STAKE);
        _setupProvider(source, provider3, master3);
        expiry = _now() + EXPIRY_IN;
        reviewEnd = uint256(expiry) + REVIEW_WINDOW;
        task = _publishTask(source);
    }

    /// @dev provider answers first asking 0.6, provider2 second asking 0.4.
    function _twoResponses() internal {
        _attempt(task, provider);
        _attempt(task, provider2);
        _skip(1 minutes);
        _respond(task, provider, 0.6 ether);
        _skip(1 minutes);
        _respond(task, provider2, 0.4 ether);
    }

    // ================================================================ attempt

    function test_attempt_suggestedPaymentUpToEscrow() public {
        _expectEmit();
        emit TaskAttempted(task, provider, master, uint40(_now() + ATTEMPT_TIMEOUT), PAYMENT);
        _attempt(task, provider, PAYMENT);
    }

    function test_attempt_revertsOnSuggestedPaymentAboveEscrow() public {
        vm.expectRevert(abi.encodeWithSelector(ITask.PaymentAboveEscrow.selector, task, PAYMENT + 1, PAYMENT));
        vm.prank(provider);
        nexus.attempt(task, provider, PAYMENT + 1);
    }

    function test_attempt_afterAResponseKeepsStatusResponded() public {
        _attempt(task, provider);
        _respond(task, provider, PAYMENT);
        _attempt(task, provider2);
        TaskState memory s = ITask(task).state();
        assertEq(uint8(s.status), uint8(TaskStatus.RESPONDED));
        assertEq(s.liveAttempts, 1);
        assertEq(s.selectedProvider, provider);
    }

    function test_attempt_responseFreesASlot() public {
        _attempt(task, provider);
        _attempt(task, provider2);
        vm.expectRevert(abi.encodeWithSelector(ITask.AttemptSlotsFull.selector, task, uint8(2), uint8(2)));
        vm.prank(provider3);
        nexus.attempt(task, provider3, 0);
        _respond(task, provider, PAYMENT);
        _attempt(task, provider3);
        assertEq(ITask(task).state().liveAttempts, 2);
    }

    // ================================================================ submitResponse

    function test_submitResponse_recordsResponse_noPayment() public {
        _attempt(task, provider);
        _skip(5 minutes);
        uint256 vaultBefore = address(vault).balance;
        _commit(task, provider, 0.6 ether);
        _nextBlock();
        vm.recordLogs();
        _expectEmit();
        emit ResponseSubmitted(task, provider, RESULT_URI, RESULT_HASH, 0.6 ether);
        _reveal(task, provider, 0.6 ether);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 fromNexus;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(nexus)) ++fromNexus;
        }
        assertEq(fromNexus, 1, "only ResponseSubmitted");

        TaskState memory s = ITask(task).state();
        assertEq(uint8(s.status), uint8(TaskStatus.RESPONDED));
        assertEq(s.selectedProvider, provider);
        assertEq(s.liveAttempts, 0);
        assertEq(s.closedAt, 0);
        assertEq(ITask(task).winner(), address(0));
        Attempt memory a = ITask(task).attemptOf(provider);
        assertEq(uint8(a.state), uint8(AttemptState.RESPONDED));
        assertEq(a.respondedAt, _now());
        assertEq(a.askedPayment, 0.6 ether);
        assertEq(ITask(task).escrow(), PAYMENT);
        assertEq(vault.balanceOf(master), 0);
        assertEq(address(vault).balance, vaultBefore);
    }

    function test_submitResponse_askedPaymentEqualToEscrow() public {
        _attempt(task, provider);
        _respond(task, provider, PAYMENT);
        assertEq(ITask(task).attemptOf(provider).askedPayment, PAYMENT);
    }

    function test_submitResponse_revertsOnAskedPaymentAboveEscrow() public {
        _attempt(task, provider);
        _commit(task, provider, PAYMENT + 1);
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(ITask.PaymentAboveEscrow.selector, task, PAYMENT + 1, PAYMENT));
        _reveal(task, provider, PAYMENT + 1);
    }

    function test_submitResponse_severalResponders_earliestIsSelected() public {
        _twoResponses();
        TaskState memory s = ITask(task).state();
        assertEq(uint8(s.status), uint8(TaskStatus.RESPONDED));
        assertEq(s.selectedProvider, provider);
        assertEq(ITask(task).attemptOf(provider2).askedPayment, 0.4 ether);
        assertEq(uint8(ITask(task).attemptOf(provider2).state), uint8(AttemptState.RESPONDED));
    }

    function test_submitResponse_secondResponseBySameProviderRefused() public {
        _attempt(task, provider);
        _respond(task, provider, PAYMENT);
        uint40 deadline = _deadline(task, provider);
        _commit(task, provider, 1);
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(ITask.AttemptNotLive.selector, task, provider, deadline));
        _reveal(task, provider, 1);
    }

    function test_submitResponse_lateResponseAfterConfirmationRefused() public {
        _attempt(task, provider);
        _attempt(task, provider2);
        _respond(task, provider, PAYMENT);
        _confirm(task, provider);
        _commit(task, provider2, 0);
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskAlreadyFinalized.selector, task, provider));
        _reveal(task, provider2, 0);
    }

    // ================================================================ confirmResponse

    function test_confirmResponse_nonFirstResponder_paysAskedLessFee_refundsRest() public {
        _twoResponses();
        uint256 paid = 0.4 ether;
        uint256 fee = _fee(paid);
        uint256 vaultBefore = address(vault).balance;
        _expectEmit();
        emit TaskFinalized(task, provider2, master2, paid, fee, PAYMENT - paid, false);
        vm.prank(client);
        nexus.confirmResponse(task, provider2);

        TaskState memory s = ITask(task).state();
        assertEq(uint8(s.status), uint8(TaskStatus.FINALIZED));
        assertEq(s.selectedProvider, provider2);
        assertEq(s.closedAt, _now());
        assertEq(ITask(task).winner(), provider2);
        assertEq(ITask(task).escrow(), 0);
        assertEq(vault.balanceOf(master2), paid - fee);
        assertEq(vault.earningsOf(master2), paid - fee);
        assertEq(vault.balanceOf(master), 0);
        assertEq(vault.balanceOf(client), PAYMENT - paid);
        assertEq(vault.accruedFees(), fee);
        assertEq(address(vault).balance, vaultBefore);
    }

    function test_confirmResponse_firstResponder() public {
        _twoResponses();
        uint256 fee = _fee(0.6 ether);
        _expectEmit();
        emit TaskFinalized(task, provider, master, 0.6 ether, fee, 0.4 ether, false);
        _confirm(task, provider);
        assertEq(vault.balanceOf(master), 0.6 ether - fee);
        assertEq(vault.balanceOf(client), 0.4 ether);
    }

    function test_confirmResponse_byClientAgent() public {
        _twoResponses();
        _grantAllScopes(client, agent);
        _expectEmit();
        emit TaskFinalized(task, provider2, master2, 0.4 ether, _fee(0.4 ether), 0.6 ether, false);
        vm.prank(agent);
        nexus.confirmResponse(task, provider2);
        assertEq(ITask(task).winner(), provider2);
        assertEq(vault.balanceOf(client), 0.6 ether);
        assertEq(vault.balanceOf(agent), 0);
    }

    function test_confirmResponse_zeroAskedPaymentRefundsEverything() public {
        _attempt(task, provider);
        _respond(task, provider, 0);
        _expectEmit();
        emit TaskFinalized(task, provider, master, 0, 0, PAYMENT, false);
        _confirm(task, provider);
        assertEq(vault.balanceOf(client), PAYMENT);
        assertEq(vault.balanceOf(master), 0);
        assertEq(vault.accruedFees(), 0);
    }

    function test_confirmResponse_paysTheAttemptsMasterAfterUnpairing() public {
        _attempt(task, provider);
        _respond(task, provider, PAYMENT);
        vm.prank(master);
        nexus.revokeProvider(provider);
        uint256 fee = _fee(PAYMENT);
        _expectEmit();
        emit TaskFinalized(task, provider, master, PAYMENT, fee, 0, false);
        _confirm(task, provider);
        assertEq(vault.balanceOf(master), PAYMENT - fee);
        assertEq(vault.balanceOf(provider), 0);
    }

    function test_confirmResponse_duringReviewWindowAfterExpiry() public {
        _twoResponses();
        vm.warp(reviewEnd - 1);
        _confirm(task, provider2);
        assertEq(ITask(task).winner(), provider2);
    }

    function test_confirmResponse_revertsAtReviewWindowEnd() public {
        _twoResponses();
        vm.warp(reviewEnd);
        vm.expectRevert(abi.encodeWithSelector(ITask.ReviewWindowClosed.selector, task, reviewEnd));
        vm.prank(client);
        nexus.confirmResponse(task, provider2);
    }

    function test_confirmResponse_revertsForNonClient() public {
        _twoResponses();
        vm.expectRevert(abi.encodeWithSelector(INexus.Unauthorized.selector, master, client));
        vm.prank(master);
        nexus.confirmResponse(task, provider);
    }

    function test_confirmResponse_revertsWithoutResponse() public {
        _attempt(task, provider);
        _attempt(task, provider2);
        _respond(task, provider2, PAYMENT);
        // live attempt, no response
        vm.expectRevert(abi.encodeWithSelector(ITask.NoResponse.selector, task, provider));
        vm.prank(client);
        nexus.confirmResponse(task, provider);
        // never attempted
        vm.expectRevert(abi.encodeWithSelector(ITask.NoResponse.selector, task, provider3));
        vm.prank(client);
        nexus.confirmResponse(task, provider3);
        // lapsed and reported
        vm.warp(_deadline(task, provider));
        nexus.reportLapse(task, provider);
        vm.expectRevert(abi.encodeWithSelector(ITask.NoResponse.selector, task, provider));
        vm.prank(client);
        nexus.confirmResponse(task, provider);
    }

    function test_confirmResponse_revertsOnSecondConfirmation() public {
        _twoResponses();
        _confirm(task, provider);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskClosed.selector, task, TaskStatus.FINALIZED));
        vm.prank(client);
        nexus.confirmResponse(task, provider2);
    }

    function test_confirmResponse_revertsOnFirstResponseTask() public {
        address fr = _publishFirstResponseSource();
        _register(fr, provider, ENV_CPU);
        address t = _publishTask(fr);
        _attempt(t, provider);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotManualTask.selector, t));
        vm.prank(client);
        nexus.confirmResponse(t, provider);
    }

    function test_confirmResponse_revertsForUnknownTask() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.UnknownTask.selector, client));
        vm.prank(client);
        nexus.confirmResponse(client, provider);
    }

    function test_confirmResponse_cutsShortOtherLiveAttempts() public {
        _attempt(task, provider);
        _attempt(task, provider2);
        _respond(task, provider, PAYMENT);
        _confirm(task, provider);
        vm.warp(_deadline(task, provider2) + 1);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, provider2));
        nexus.reportLapse(task, provider2);
    }

    // ================================================================ settle with responses

    function test_settle_revertsBeforeReviewWindowEnds() public {
        _twoResponses();
        vm.warp(expiry);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotYetSettleable.selector, task, reviewEnd));
        nexus.settle(task);
        vm.warp(reviewEnd - 1);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotYetSettleable.selector, task, reviewEnd));
        nexus.settle(task);
    }

    function test_settle_afterReviewWindowPaysEarliestResponse() public {
        _twoResponses();
        vm.warp(reviewEnd);
        uint256 fee = _fee(0.6 ether);
        _expectEmit();
        emit TaskFinalized(task, provider, master, 0.6 ether, fee, 0.4 ether, true);
        vm.prank(stranger);
        nexus.settle(task);

        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.FINALIZED));
        assertEq(ITask(task).winner(), provider);
        assertEq(vault.balanceOf(master), 0.6 ether - fee);
        assertEq(vault.balanceOf(master2), 0);
        assertEq(vault.balanceOf(client), 0.4 ether);
        assertEq(vault.balanceOf(stranger), 0);
        assertEq(vault.accruedFees(), fee);

        vm.expectRevert(abi.encodeWithSelector(ITask.TaskClosed.selector, task, TaskStatus.FINALIZED));
        nexus.settle(task);
    }

    function test_settle_earliestIsByResponseTimeNotAttemptOrder() public {
        _attempt(task, provider);
        _attempt(task, provider2);
        _respond(task, provider2, 0.3 ether);
        _skip(1);
        _respond(task, provider, 0.9 ether);
        vm.warp(reviewEnd);
        _expectEmit();
        emit TaskFinalized(task, provider2, master2, 0.3 ether, _fee(0.3 ether), 0.7 ether, true);
        nexus.settle(task);
    }
}
