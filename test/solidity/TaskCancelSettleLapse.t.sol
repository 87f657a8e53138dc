// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NexusFixture} from "./helpers/NexusFixture.sol";
import {IVault} from "../../contracts/interfaces/IVault.sol";
import {INexus} from "../../contracts/interfaces/INexus.sol";
import {ITask} from "../../contracts/interfaces/ITask.sol";
import {
    AttemptState, DeliveryMethod, SourceParams, TaskState, TaskStatus, ENV_CPU
} from "../../contracts/types/NexusTypes.sol";

/// @notice cancelTask, settle of unanswered tasks, reportLapse.
contract TaskCancelSettleLapseTest is NexusFixture {
    address internal frSource;
    address internal manualSource;
    address internal task; // FIRST_RESPONSE
    address internal manualTask;
    uint64 internal expiry;

    function setUp() public override {
        super.setUp();
        frSource = _publishFirstResponseSource();
        manualSource = _publishManualSource();
        _setupProvider(frSource, provider, master);
        _setupProvider(frSource, provider2, master2);
        _register(manualSource, provider, ENV_CPU);
        _register(manualSource, provider2, ENV_CPU);
        expiry = _now() + EXPIRY_IN;
        task = _publishTask(frSource);
        manualTask = _publishTask(manualSource);
    }

    // ================================================================ cancelTask

    function test_cancelTask_newTask_refundsAndEmits() public {
        uint256 vaultBefore = address(vault).balance;
        _expectEmit();
        emit TaskCanceled(task, client, PAYMENT);
        vm.prank(client);
        nexus.cancelTask(task);

        TaskState memory s = ITask(task).state();
        assertEq(uint8(s.status), uint8(TaskStatus.CANCELED));
        assertEq(s.closedAt, _now());
        assertEq(ITask(task).escrow(), 0);
        assertEq(vault.escrowOf(task), 0);
        assertEq(ITask(task).settleableAt(), 0);
        assertEq(vault.balanceOf(client), PAYMENT);
        assertEq(address(vault).balance, vaultBefore);
    }

    function test_cancelTask_byClientAgent() public {
        _grantAllScopes(client, agent);
        _expectEmit();
        emit TaskCanceled(task, client, PAYMENT);
        vm.prank(agent);
        nexus.cancelTask(task);
        assertEq(vault.balanceOf(client), PAYMENT);
        assertEq(vault.balanceOf(agent), 0);
    }

    function test_cancelTask_revertsForNonClient() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.Unauthorized.selector, stranger, client));
        vm.prank(stranger);
        nexus.cancelTask(task);
    }

    function test_cancelTask_blockedByLiveAttempt_allowedOnceItLapsed() public {
        _attempt(task, provider);
        uint40 deadline = _deadline(task, provider);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskInProgress.selector, task, deadline, address(0)));
        vm.prank(client);
        nexus.cancelTask(task);

        vm.warp(deadline - 1);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskInProgress.selector, task, deadline, address(0)));
        vm.prank(client);
        nexus.cancelTask(task);

        vm.warp(deadline); // lapsed, not reported
        _expectEmit();
        emit TaskCanceled(task, client, PAYMENT);
        vm.prank(client);
        nexus.cancelTask(task);
        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.CANCELED));
    }

    function test_cancelTask_blockedByTheLatestLiveAttempt() public {
        _attempt(task, provider);
        _skip(30 minutes);
        _attempt(task, provider2);
        uint40 last = _deadline(task, provider2);
        vm.warp(_deadline(task, provider)); // first lapsed, second live
        nexus.reportLapse(task, provider);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskInProgress.selector, task, last, address(0)));
        vm.prank(client);
        nexus.cancelTask(task);
        vm.warp(last);
        vm.prank(client);
        nexus.cancelTask(task);
    }

    function test_cancelTask_lapseStillReportableAfterCancel() public {
        _attempt(task, provider);
        vm.warp(_deadline(task, provider));
        vm.prank(client);
        nexus.cancelTask(task);
        _expectEmit();
        emit AttemptLapsed(task, provider, master, LAPSE_PENALTY, false, stranger);
        vm.prank(stranger);
        nexus.reportLapse(task, provider);
        assertEq(vault.balanceOf(client), PAYMENT + LAPSE_PENALTY);
    }

    function test_cancelTask_blockedByAResponse() public {
        _attempt(manualTask, provider);
        _respond(manualTask, provider, PAYMENT);
        uint40 deadline = _deadline(manualTask, provider);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskInProgress.selector, manualTask, deadline, provider));
        vm.prank(client);
        nexus.cancelTask(manualTask);
        // even once every deadline and the expiry passed
        vm.warp(expiry + 1);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskInProgress.selector, manualTask, deadline, provider));
        vm.prank(client);
        nexus.cancelTask(manualTask);
    }

    function test_cancelTask_afterExpiryWithoutResponse() public {
        vm.warp(expiry + 1 days);
        vm.prank(client);
        nexus.cancelTask(task);
        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.CANCELED));
        assertEq(vault.balanceOf(client), PAYMENT);
    }

    function test_cancelTask_revertsOnClosedTasks() public {
        vm.prank(client);
        nexus.cancelTask(task);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskClosed.selector, task, TaskStatus.CANCELED));
        vm.prank(client);
        nexus.cancelTask(task);

        address won = _publishTask(frSource);
        _attempt(won, provider);
        _respond(won, provider, 0);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskClosed.selector, won, TaskStatus.FINALIZED));
        vm.prank(client);
        nexus.cancelTask(won);

        vm.warp(expiry);
        nexus.settle(manualTask);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskClosed.selector, manualTask, TaskStatus.EXPIRED));
        vm.prank(client);
        nexus.cancelTask(manualTask);
    }

    function test_cancelTask_closesTheTaskToAttempts() public {
        vm.prank(client);
        nexus.cancelTask(task);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskClosed.selector, task, TaskStatus.CANCELED));
        vm.prank(provider);
        nexus.attempt(task, provider, 0);
    }

    function test_cancelTask_revertsForUnknownTask() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.UnknownTask.selector, address(0)));
        vm.prank(client);
        nexus.cancelTask(address(0));
    }

    // ================================================================ settle (no response)

    function test_settle_unansweredTaskExpires_fullRefund_byAnyone() public {
        vm.warp(expiry);
        uint256 vaultBefore = address(vault).balance;
        _expectEmit();
        emit TaskExpired(task, client, PAYMENT);
        vm.prank(stranger);
        nexus.settle(task);
        TaskState memory s = ITask(task).state();
        assertEq(uint8(s.status), uint8(TaskStatus.EXPIRED));
        assertEq(s.closedAt, expiry);
        assertEq(ITask(task).escrow(), 0);
        assertEq(vault.balanceOf(client), PAYMENT);
        assertEq(vault.balanceOf(stranger), 0);
        assertEq(address(vault).balance, vaultBefore);
    }

    function test_settle_revertsBeforeExpiry() public {
        vm.expectRevert(abi.encodeWithSelector(ITask.NotYetSettleable.selector, task, uint256(expiry)));
        nexus.settle(task);
        vm.warp(expiry - 1);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotYetSettleable.selector, task, uint256(expiry)));
        nexus.settle(task);
    }

    function test_settle_manualWithOnlyLapsedAttemptsExpires() public {
        _attempt(manualTask, provider);
        vm.warp(expiry);
        _expectEmit();
        emit TaskExpired(manualTask, client, PAYMENT);
        nexus.settle(manualTask);
        // the lapse happened before the close and is still reportable
        nexus.reportLapse(manualTask, provider);
        assertEq(vault.balanceOf(client), PAYMENT + LAPSE_PENALTY);
    }

    function test_settle_revertsOnClosedTasks() public {
        vm.warp(expiry);
        nexus.settle(task);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskClosed.selector, task, TaskStatus.EXPIRED));
        nexus.settle(task);

        vm.prank(client);
        nexus.cancelTask(manualTask);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskClosed.selector, manualTask, TaskStatus.CANCELED));
        nexus.settle(manualTask);
    }

    function test_settle_revertsOnWonFirstResponseTask() public {
        _attempt(task, provider);
        _respond(task, provider, 0);
        vm.warp(expiry + REVIEW_WINDOW);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskClosed.selector, task, TaskStatus.FINALIZED));
        nexus.settle(task);
    }

    function test_settle_revertsForUnknownTask() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.UnknownTask.selector, frSource));
        nexus.settle(frSource);
    }

    // ================================================================ reportLapse

    function test_reportLapse_slashesMasterToClient_freesSlot_emits() public {
        _attempt(task, provider);
        vm.warp(_deadline(task, provider));
        _expectEmit();
        emit AttemptLapsed(task, provider, master, LAPSE_PENALTY, false, stranger);
        vm.prank(stranger);
        nexus.reportLapse(task, provider);

        assertEq(vault.lockupOf(master), STAKE - LAPSE_PENALTY);
        assertEq(vault.balanceOf(client), LAPSE_PENALTY);
        assertEq(vault.balanceOf(stranger), 0);
        assertEq(uint8(ITask(task).attemptOf(provider).state), uint8(AttemptState.LAPSED));
        TaskState memory s = ITask(task).state();
        assertEq(s.liveAttempts, 0);
        assertEq(uint8(s.status), uint8(TaskStatus.ATTEMPTED));
        assertEq(ITask(task).escrow(), PAYMENT);
    }

    function test_reportLapse_revertsBeforeDeadline() public {
        _attempt(task, provider);
        vm.warp(_deadline(task, provider) - 1);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, provider));
        nexus.reportLapse(task, provider);
    }

    function test_reportLapse_oncePerAttempt() public {
        _attempt(task, provider);
        vm.warp(_deadline(task, provider));
        nexus.reportLapse(task, provider);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, provider));
        nexus.reportLapse(task, provider);
        assertEq(vault.lockupOf(master), STAKE - LAPSE_PENALTY);
    }

    function test_reportLapse_revertsWithoutAttempt() public {
        vm.warp(expiry);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, provider));
        nexus.reportLapse(task, provider);
    }

    function test_reportLapse_revertsForRespondedManualAttempt() public {
        _attempt(manualTask, provider);
        _respond(manualTask, provider, PAYMENT);
        vm.warp(_deadline(manualTask, provider));
        vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, manualTask, provider));
        nexus.reportLapse(manualTask, provider);
    }

    function test_reportLapse_revertsForFirstResponseWinner() public {
        _attempt(task, provider);
        _respond(task, provider, 0);
        vm.warp(expiry + 1 days);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, provider));
        nexus.reportLapse(task, provider);
    }

    function test_reportLapse_revertsForAttemptCutShortByTheWin() public {
        _attempt(task, provider);
        _attempt(task, provider2);
        _skip(10 minutes);
        _respond(task, provider2, 0); // closes the task before provider's deadline
        vm.warp(_deadline(task, provider) + 1);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, provider));
        nexus.reportLapse(task, provider);
        assertEq(vault.lockupOf(master), STAKE);
    }

    function test_reportLapse_attemptLapsedBeforeTheWinIsReportable() public {
        _attempt(task, provider);
        vm.warp(_deadline(task, provider));
        _attempt(task, provider2);
        _respond(task, provider2, 0); // closedAt == provider's deadline
        _expectEmit();
        emit AttemptLapsed(task, provider, master, LAPSE_PENALTY, false, address(this));
        nexus.reportLapse(task, provider);
        assertEq(uint8(ITask(task).attemptOf(provider).state), uint8(AttemptState.LAPSED));
    }

    /// Attack (Safety 2): a penalty larger than the master's free stake could be promised and never paid.
    function test_attempt_penaltyAboveFreeLockupRefused() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.lapsePenalty = 10 ether;
        address harsh = _publishSource(client, p);
        _register(harsh, provider, ENV_CPU);
        address t = _publishTask(harsh);
        vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientFreeLockup.selector, master, STAKE, 10 ether));
        vm.prank(provider);
        nexus.attempt(t, provider, 0);
        assertEq(vault.stakeOf(master).reserved, 0);
    }

    /// Attack (Safety 2): unbonding right after attempting must not take the stake that backs the attempt.
    function test_unbond_cannotTakeTheReservedPenalty() public {
        _attempt(task, provider);
        uint256 free = STAKE - LAPSE_PENALTY;
        vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientFreeLockup.selector, master, free, STAKE));
        vm.prank(master);
        nexus.unbond(STAKE);
        vm.prank(master);
        nexus.unbond(free);
        assertEq(vault.freeLockupOf(master), 0);
        vm.warp(_deadline(task, provider));
        _expectEmit();
        emit AttemptLapsed(task, provider, master, LAPSE_PENALTY, false, address(this));
        nexus.reportLapse(task, provider);
        assertEq(vault.lockupOf(master), 0);
        assertEq(vault.stakeOf(master).reserved, 0);
        assertEq(vault.stakeOf(master).unbonding, free, "the unbonding is untouched");
        assertEq(vault.balanceOf(client), LAPSE_PENALTY);
    }

    function test_reportLapse_zeroPenaltySource() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.lapsePenalty = 0;
        address lenient = _publishSource(client, p);
        _register(lenient, provider, ENV_CPU);
        address t = _publishTask(lenient);
        _attempt(t, provider);
        vm.warp(_deadline(t, provider));
        _expectEmit();
        emit AttemptLapsed(t, provider, master, 0, false, address(this));
        nexus.reportLapse(t, provider);
        assertEq(vault.lockupOf(master), STAKE);
        assertEq(ITask(t).state().liveAttempts, 0);
    }

    function test_reportLapse_unpairingDoesNotDodgeThePenalty() public {
        _attempt(task, provider);
        vm.prank(provider);
        nexus.revokeMaster();
        vm.warp(_deadline(task, provider));
        _expectEmit();
        emit AttemptLapsed(task, provider, master, LAPSE_PENALTY, false, address(this));
        nexus.reportLapse(task, provider);
        assertEq(vault.lockupOf(master), STAKE - LAPSE_PENALTY);
        assertEq(ITask(task).state().liveAttempts, 0);
    }

    function test_reportLapse_slashedMasterFallsBelowMinimum() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.lapsePenalty = 1.5 ether;
        address harsh = _publishSource(client, p);
        _register(harsh, provider, ENV_CPU);
        address t = _publishTask(harsh);
        _attempt(t, provider);
        vm.warp(_deadline(t, provider));
        nexus.reportLapse(t, provider);
        address t2 = _publishTask(harsh);
        vm.expectRevert(
            abi.encodeWithSelector(INexus.LockupBelowMinimum.selector, master, STAKE - 1.5 ether, MIN_LOCKUP)
        );
        vm.prank(provider);
        nexus.attempt(t2, provider, 0);
    }

    function test_reportLapse_revertsForUnknownTask() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.UnknownTask.selector, address(vault)));
        nexus.reportLapse(address(vault), provider);
    }
}
