// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Errors} from "@openzeppelin/contracts/utils/Errors.sol";
import {NexusFixture} from "./helpers/NexusFixture.sol";
import {INexus} from "../../contracts/interfaces/INexus.sol";
import {ISource} from "../../contracts/interfaces/ISource.sol";
import {ITask} from "../../contracts/interfaces/ITask.sol";
import {IVault} from "../../contracts/interfaces/IVault.sol";
import {
    Attempt,
    AttemptState,
    DeliveryMethod,
    SourceParams,
    TaskState,
    TaskStatus,
    TaskTerms,
    TermsSeen,
    ENV_CPU
} from "../../contracts/types/NexusTypes.sol";
import {termsSeenOf} from "./helpers/TermsSeenOf.sol";
import {predictTaskAddress} from "./helpers/PredictTaskAddress.sol";

/// @notice publishTask / publishTask, attempt and submitResponse on a FIRST_RESPONSE source.
contract TaskLifecycleFirstResponseTest is NexusFixture {
    address internal source;
    address internal task;
    uint64 internal expiry;

    function setUp() public override {
        super.setUp();
        source = _publishFirstResponseSource();
        _setupProvider(source, provider, master);
        _setupProvider(source, provider2, master2);
        expiry = _now() + EXPIRY_IN;
        task = _publishTask(source);
    }

    // ================================================================ publishTask

    function test_publishTask_escrowsPayment_emits_atPredictedAddress() public {
        uint64 salt = 424242;
        TaskTerms memory t = _termsFor(client, source, expiry, PAYMENT, salt);
        address predicted = predictTaskAddress(nexus, t);
        uint256 vaultBefore = address(vault).balance;
        uint256 clientEthBefore = client.balance;

        _expectEmit();
        emit TaskPublished(predicted, source, client, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, salt);
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(client);
        address published = nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, salt, seen);

        assertEq(published, predicted);
        assertTrue(nexus.isTask(published));
        assertEq(abi.encode(ITask(published).terms()), abi.encode(t));
        assertEq(uint8(ITask(published).status()), uint8(TaskStatus.NEW));
        assertEq(ITask(published).escrow(), PAYMENT);
        assertEq(vault.escrowOf(published), PAYMENT);
        assertEq(vault.balanceOf(client), 0);
        assertEq(address(vault).balance, vaultBefore + PAYMENT);
        assertEq(client.balance, clientEthBefore - PAYMENT);
    }

    function test_publishTask_creditsExcessValueToClientBalance() public {
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(client);
        nexus.publishTask{value: 3 ether}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 99, seen);
        assertEq(vault.balanceOf(client), 3 ether - PAYMENT);
    }

    function test_publishTask_fundsFromBalanceWithoutValue() public {
        vm.prank(client);
        nexus.deposit{value: PAYMENT}(client);
        uint256 vaultBefore = address(vault).balance;
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(client);
        address t = nexus.publishTask(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 99, seen);
        assertEq(vault.balanceOf(client), 0);
        assertEq(ITask(t).escrow(), PAYMENT);
        assertEq(address(vault).balance, vaultBefore);
    }

    function test_publishTask_fundsFromValuePlusBalance() public {
        vm.prank(client);
        nexus.deposit{value: 0.5 ether}(client);
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(client);
        nexus.publishTask{value: 0.7 ether}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 99, seen);
        assertEq(vault.balanceOf(client), 0.2 ether);
    }

    function test_publishTask_revertsWhenValuePlusBalanceShort() public {
        vm.prank(client);
        nexus.deposit{value: 0.4 ether}(client);
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientBalance.selector, client, 0.4 ether, 0.5 ether));
        vm.prank(client);
        nexus.publishTask{value: 0.5 ether}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 99, seen);
    }

    function test_publishTask_revertsBelowMinPayment() public {
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.expectRevert(abi.encodeWithSelector(INexus.PaymentBelowMinimum.selector, MIN_PAYMENT - 1, MIN_PAYMENT));
        vm.prank(client);
        nexus.publishTask{value: MIN_PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, MIN_PAYMENT - 1, 99, seen);
    }

    function test_publishTask_acceptsExactlyMinPayment() public {
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(client);
        address t = nexus.publishTask{value: MIN_PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, MIN_PAYMENT, 99, seen);
        assertEq(ITask(t).terms().payment, MIN_PAYMENT);
    }

    function test_publishTask_zeroPaymentRefusedEvenWithoutMinimum() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.minPayment = 0;
        address free = _publishSource(client, p);
        TermsSeen memory seen = termsSeenOf(nexus, free);
        vm.expectRevert(abi.encodeWithSelector(INexus.PaymentBelowMinimum.selector, 0, 1));
        vm.prank(client);
        nexus.publishTask(client, free, CONFIG_URI, CONFIG_HASH, expiry, 0, 99, seen);
        // one wei is enough
        vm.prank(client);
        address t = nexus.publishTask{value: 1}(client, free, CONFIG_URI, CONFIG_HASH, expiry, 1, 99, seen);
        assertEq(ITask(t).escrow(), 1);
    }

    function test_publishTask_revertsOnPaymentAboveUint96() public {
        uint256 huge = uint256(type(uint96).max) + 1;
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.expectRevert(abi.encodeWithSelector(INexus.ValueOverflow.selector, huge));
        vm.prank(client);
        nexus.publishTask(client, source, CONFIG_URI, CONFIG_HASH, expiry, huge, 99, seen);
    }

    function test_publishTask_revertsOnExpiryNow() public {
        uint64 nowTs = _now();
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.expectRevert(
            abi.encodeWithSelector(
                INexus.InvalidExpiry.selector, nowTs, uint256(nowTs) + 1, uint256(nowTs) + MAX_EXPIRY_DURATION
            )
        );
        vm.prank(client);
        nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, nowTs, PAYMENT, 99, seen);
    }

    function test_publishTask_revertsOnPastExpiry() public {
        uint64 nowTs = _now();
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.expectRevert(
            abi.encodeWithSelector(
                INexus.InvalidExpiry.selector, nowTs - 1, uint256(nowTs) + 1, uint256(nowTs) + MAX_EXPIRY_DURATION
            )
        );
        vm.prank(client);
        nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, nowTs - 1, PAYMENT, 99, seen);
    }

    function test_publishTask_revertsOnExpiryBeyondMaxDuration() public {
        uint64 nowTs = _now();
        uint64 tooFar = nowTs + MAX_EXPIRY_DURATION + 1;
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.expectRevert(
            abi.encodeWithSelector(
                INexus.InvalidExpiry.selector, tooFar, uint256(nowTs) + 1, uint256(nowTs) + MAX_EXPIRY_DURATION
            )
        );
        vm.prank(client);
        nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, tooFar, PAYMENT, 99, seen);
    }

    function test_publishTask_acceptsExpiryBounds() public {
        uint64 nowTs = _now();
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(client);
        address soonest = nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, nowTs + 1, PAYMENT, 98, seen);
        TermsSeen memory seen2 = termsSeenOf(nexus, source);
        vm.prank(client);
        address latest = nexus.publishTask{value: PAYMENT}(client, 
            source, CONFIG_URI, CONFIG_HASH, nowTs + MAX_EXPIRY_DURATION, PAYMENT, 99, seen2
        );
        assertEq(ITask(soonest).terms().expiryTime, nowTs + 1);
        assertEq(ITask(latest).terms().expiryTime, nowTs + MAX_EXPIRY_DURATION);
    }

    function test_publishTask_revertsForUnknownSource() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.UnknownSource.selector, address(vault)));
        vm.prank(client);
        nexus.publishTask{value: PAYMENT}(client, address(vault), CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 99, TermsSeen({sourceVersion: 1, feeBps: FEE_BPS}));
    }

    function test_publishTask_revertsOnDuplicateTerms() public {
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(client);
        nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 99, seen);
        TermsSeen memory seen2 = termsSeenOf(nexus, source);
        vm.expectRevert(abi.encodeWithSelector(Errors.FailedDeployment.selector));
        vm.prank(client);
        nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 99, seen2);
        // a fresh salt is a fresh task
        vm.prank(client);
        nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 100, seen);
    }

    // ================================================================ publishTask

    function test_publishTask_byAgent_chargesAgentValueToClient() public {
        _grantAllScopes(client, agent);
        uint64 salt = 555;
        address predicted = predictTaskAddress(nexus, _termsFor(client, source, expiry, PAYMENT, salt));
        uint256 agentEthBefore = agent.balance;
        _expectEmit();
        emit TaskPublished(predicted, source, client, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, salt);
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(agent);
        address t = nexus.publishTask{value: 2 ether}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, salt, seen);
        assertEq(t, predicted);
        assertEq(ITask(t).terms().client, client);
        assertEq(vault.balanceOf(client), 2 ether - PAYMENT);
        assertEq(vault.balanceOf(agent), 0);
        assertEq(agent.balance, agentEthBefore - 2 ether);
    }

    function test_publishTask_byAgent_spendsClientBalance() public {
        vm.prank(client);
        nexus.deposit{value: PAYMENT}(client);
        _grantAllScopes(client, agent);
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(agent);
        address t = nexus.publishTask(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 1, seen);
        assertEq(vault.balanceOf(client), 0);
        assertEq(ITask(t).escrow(), PAYMENT);
    }

    function test_publishTask_byClientItself() public {
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(client);
        address t = nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 1, seen);
        assertEq(ITask(t).terms().client, client);
    }

    function test_publishTask_revertsForNonAgent() public {
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.expectRevert(abi.encodeWithSelector(INexus.Unauthorized.selector, stranger, client));
        vm.prank(stranger);
        nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 1, seen);
    }

    function test_publishTask_revertsForRevokedAgent() public {
        _grantAllScopes(client, agent);
        vm.prank(client);
        nexus.grantAgent(agent, 0, 0);
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.expectRevert(abi.encodeWithSelector(INexus.Unauthorized.selector, agent, client));
        vm.prank(agent);
        nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 1, seen);
    }

    // ================================================================ attempt

    function test_attempt_byProvider_recordsLiveAttempt_emits() public {
        uint40 deadline = uint40(_now() + ATTEMPT_TIMEOUT);
        _expectEmit();
        emit TaskAttempted(task, provider, master, deadline, 0.3 ether);
        vm.prank(provider);
        nexus.attempt(task, provider, 0.3 ether);

        TaskState memory s = ITask(task).state();
        assertEq(uint8(s.status), uint8(TaskStatus.ATTEMPTED));
        assertEq(s.liveAttempts, 1);
        assertEq(s.lastDeadline, deadline);
        assertEq(s.selectedProvider, address(0));
        Attempt memory a = ITask(task).attemptOf(provider);
        assertEq(uint8(a.state), uint8(AttemptState.LIVE));
        assertEq(a.deadline, deadline);
        assertEq(a.respondedAt, 0);
        assertEq(a.askedPayment, 0);
    }

    function test_attempt_byMaster() public {
        _expectEmit();
        emit TaskAttempted(task, provider, master, uint40(_now() + ATTEMPT_TIMEOUT), 0);
        vm.prank(master);
        nexus.attempt(task, provider, 0);
        assertEq(uint8(ITask(task).attemptOf(provider).state), uint8(AttemptState.LIVE));
    }

    function test_attempt_byMasterAgent() public {
        _grantAllScopes(master, agent);
        _expectEmit();
        emit TaskAttempted(task, provider, master, uint40(_now() + ATTEMPT_TIMEOUT), 0);
        vm.prank(agent);
        nexus.attempt(task, provider, 0);
        assertEq(uint8(ITask(task).attemptOf(provider).state), uint8(AttemptState.LIVE));
    }

    function test_attempt_deadlineCappedAtExpiry() public {
        uint64 soon = _now() + ATTEMPT_TIMEOUT / 2;
        address t = _publishTask(client, source, PAYMENT, soon);
        _expectEmit();
        emit TaskAttempted(t, provider, master, uint40(soon), 0);
        _attempt(t, provider);
        assertEq(_deadline(t, provider), soon);
    }

    function test_attempt_deadlineIsNowPlusTimeoutLaterInTheTask() public {
        vm.warp(expiry - ATTEMPT_TIMEOUT - 1);
        _attempt(task, provider);
        assertEq(_deadline(task, provider), expiry - 1);
        // Half the timeout left: the latest an attempt is taken, its deadline cut to the expiry.
        vm.warp(expiry - ATTEMPT_TIMEOUT / 2);
        _attempt(task, provider2);
        assertEq(_deadline(task, provider2), expiry);
        assertEq(ITask(task).state().lastDeadline, expiry);
    }

    /// Attack (Safety 2, slot squatting): attempts taken just before expiry could hold every slot until the task
    /// expires unserved. With less than half the attempt timeout left, an attempt is refused.
    function test_attempt_refusedWithLessThanHalfTheTimeoutBeforeExpiry() public {
        uint256 minWindow = ATTEMPT_TIMEOUT / 2;
        vm.warp(expiry - minWindow + 1);
        vm.expectRevert(abi.encodeWithSelector(ITask.AttemptWindowTooShort.selector, task, minWindow - 1, minWindow));
        vm.prank(provider);
        nexus.attempt(task, provider, 0);
        vm.warp(expiry - 1);
        vm.expectRevert(abi.encodeWithSelector(ITask.AttemptWindowTooShort.selector, task, 1, minWindow));
        vm.prank(provider2);
        nexus.attempt(task, provider2, 0);
        assertEq(ITask(task).state().liveAttempts, 0);
        assertEq(vault.stakeOf(master).reserved, 0);
    }

    function test_attempt_revertsAtExpiry() public {
        vm.warp(expiry);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskPastExpiry.selector, task, expiry));
        vm.prank(provider);
        nexus.attempt(task, provider, 0);
    }

    function test_attempt_revertsOnSecondAttemptBySameProvider() public {
        _attempt(task, provider);
        vm.expectRevert(abi.encodeWithSelector(ITask.AlreadyAttempted.selector, task, provider));
        vm.prank(master);
        nexus.attempt(task, provider, 0);
        // also after the first attempt lapsed and was reported
        vm.warp(_deadline(task, provider));
        nexus.reportLapse(task, provider);
        vm.expectRevert(abi.encodeWithSelector(ITask.AlreadyAttempted.selector, task, provider));
        vm.prank(provider);
        nexus.attempt(task, provider, 0);
    }

    function test_attempt_concurrencyBound_andReportLapseFreesASlot() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.maxConcurrentAttempts = 1;
        address single = _publishSource(client, p);
        _register(single, provider, ENV_CPU);
        _register(single, provider2, ENV_CPU);
        address t = _publishTask(single);
        _attempt(t, provider);

        vm.expectRevert(abi.encodeWithSelector(ITask.AttemptSlotsFull.selector, t, uint8(1), uint8(1)));
        vm.prank(provider2);
        nexus.attempt(t, provider2, 0);

        // a lapsed but unreported attempt still holds its slot
        vm.warp(_deadline(t, provider));
        vm.expectRevert(abi.encodeWithSelector(ITask.AttemptSlotsFull.selector, t, uint8(1), uint8(1)));
        vm.prank(provider2);
        nexus.attempt(t, provider2, 0);

        nexus.reportLapse(t, provider);
        assertEq(ITask(t).state().liveAttempts, 0);
        _attempt(t, provider2);
        assertEq(ITask(t).state().liveAttempts, 1);
    }

    function test_attempt_concurrencyBoundOfTwo() public {
        address provider3 = makeAddr("provider3");
        address master3 = makeAddr("master3");
        vm.deal(master3, STAKE);
        _setupProvider(source, provider3, master3);
        _attempt(task, provider);
        _attempt(task, provider2);
        vm.expectRevert(abi.encodeWithSelector(ITask.AttemptSlotsFull.selector, task, uint8(2), uint8(2)));
        vm.prank(provider3);
        nexus.attempt(task, provider3, 0);
    }

    function test_attempt_revertsForUnregisteredProvider() public {
        address provider3 = makeAddr("provider3");
        _pair(master, provider3);
        vm.expectRevert(abi.encodeWithSelector(ISource.NotRegistered.selector, source, provider3));
        vm.prank(provider3);
        nexus.attempt(task, provider3, 0);
    }

    function test_attempt_revertsForUnpairedProvider() public {
        vm.prank(master);
        nexus.revokeProvider(provider);
        vm.expectRevert(abi.encodeWithSelector(INexus.ProviderNotPaired.selector, provider));
        vm.prank(provider);
        nexus.attempt(task, provider, 0);
    }

    function test_attempt_revertsWhenLockupFellBelowMinimum() public {
        vm.prank(master);
        nexus.unbond(STAKE - MIN_LOCKUP + 1);
        vm.expectRevert(
            abi.encodeWithSelector(INexus.LockupBelowMinimum.selector, master, MIN_LOCKUP - 1, MIN_LOCKUP)
        );
        vm.prank(provider);
        nexus.attempt(task, provider, 0);
    }

    function test_attempt_revertsForStranger() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.Unauthorized.selector, stranger, master));
        vm.prank(stranger);
        nexus.attempt(task, provider, 0);
    }

    function test_attempt_revertsForUnknownTask() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.UnknownTask.selector, source));
        vm.prank(provider);
        nexus.attempt(source, provider, 0);
    }

    function test_attempt_revertsOnFinalizedTask() public {
        _attempt(task, provider);
        _respond(task, provider, 0);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskClosed.selector, task, TaskStatus.FINALIZED));
        vm.prank(provider2);
        nexus.attempt(task, provider2, 0);
    }

    function test_attempt_suggestedPaymentNotBoundedOnFirstResponse() public {
        _expectEmit();
        emit TaskAttempted(task, provider, master, uint40(_now() + ATTEMPT_TIMEOUT), PAYMENT * 5);
        _attempt(task, provider, PAYMENT * 5);
    }

    // ================================================================ submitResponse

    function test_submitResponse_finalizesAndPaysMasterLessFee() public {
        _attempt(task, provider);
        _skip(10 minutes);
        uint256 fee = _fee(PAYMENT);
        uint256 vaultBefore = address(vault).balance;

        _commit(task, provider, 123);
        _nextBlock();
        _expectEmit();
        emit ResponseSubmitted(task, provider, RESULT_URI, RESULT_HASH, PAYMENT); // asked payment ignored
        _expectEmit();
        emit TaskFinalized(task, provider, master, PAYMENT, fee, 0, false);
        _reveal(task, provider, 123);

        TaskState memory s = ITask(task).state();
        assertEq(uint8(s.status), uint8(TaskStatus.FINALIZED));
        assertEq(s.selectedProvider, provider);
        assertEq(s.closedAt, _now());
        assertEq(s.liveAttempts, 0);
        assertEq(ITask(task).winner(), provider);
        assertEq(ITask(task).escrow(), 0);
        assertEq(vault.escrowOf(task), 0);
        assertEq(vault.balanceOf(master), PAYMENT - fee);
        assertEq(vault.earningsOf(master), PAYMENT - fee);
        assertEq(vault.accruedFees(), fee);
        assertEq(vault.balanceOf(provider), 0);
        assertEq(vault.balanceOf(client), 0);
        assertEq(address(vault).balance, vaultBefore);
        Attempt memory a = ITask(task).attemptOf(provider);
        assertEq(uint8(a.state), uint8(AttemptState.RESPONDED));
        assertEq(a.respondedAt, _now());
        assertEq(a.askedPayment, PAYMENT);
    }

    function test_submitResponse_lateSecondResponseRefused() public {
        _attempt(task, provider);
        _attempt(task, provider2);
        _respond(task, provider2, 0);
        _commit(task, provider, 0);
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskAlreadyFinalized.selector, task, provider2));
        _reveal(task, provider, 0);
        assertEq(vault.balanceOf(master), 0);
        assertEq(vault.balanceOf(master2), PAYMENT - _fee(PAYMENT));
    }

    function test_submitResponse_revertsWithoutAttempt() public {
        _commit(task, provider, 0);
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(ITask.AttemptNotLive.selector, task, provider, uint40(0)));
        _reveal(task, provider, 0);
    }

    function test_submitResponse_revertsAtDeadline_acceptedJustBefore() public {
        _attempt(task, provider);
        _attempt(task, provider2);
        uint40 deadline = _deadline(task, provider);
        vm.warp(deadline);
        _commit(task, provider, 0);
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(ITask.AttemptNotLive.selector, task, provider, deadline));
        _reveal(task, provider, 0);

        address t2 = _publishTask(source);
        _attempt(t2, provider);
        vm.warp(_deadline(t2, provider) - 2);
        _respond(t2, provider, 0); // committed two seconds before the deadline, revealed one second before it
        assertEq(ITask(t2).winner(), provider);
    }

    function test_submitResponse_revertsAfterLapseReported() public {
        _attempt(task, provider);
        uint40 deadline = _deadline(task, provider);
        vm.warp(deadline);
        nexus.reportLapse(task, provider);
        _commit(task, provider, 0);
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(ITask.AttemptNotLive.selector, task, provider, deadline));
        _reveal(task, provider, 0);
    }

    function test_submitResponse_onlyTheProviderKeySubmits() public {
        _attempt(task, provider);
        _grantAllScopes(master, agent);
        address[2] memory others = [master, agent];
        for (uint256 i; i < others.length; ++i) {
            _commit(task, others[i], 0);
            _nextBlock();
            vm.expectRevert(abi.encodeWithSelector(ITask.AttemptNotLive.selector, task, others[i], uint40(0)));
            _reveal(task, others[i], 0);
        }
    }

    function test_submitResponse_paysTheAttemptsMasterAfterUnpairing() public {
        _attempt(task, provider);
        vm.prank(provider);
        nexus.revokeMaster();
        uint256 fee = _fee(PAYMENT);
        _commit(task, provider, 0);
        _nextBlock();
        _expectEmit();
        emit ResponseSubmitted(task, provider, RESULT_URI, RESULT_HASH, PAYMENT);
        _expectEmit();
        emit TaskFinalized(task, provider, master, PAYMENT, fee, 0, false);
        _reveal(task, provider, 0);
        assertEq(vault.balanceOf(master), PAYMENT - fee);
        assertEq(vault.earningsOf(master), PAYMENT - fee);
        assertEq(vault.balanceOf(provider), 0);
    }

    function test_submitResponse_zeroFee() public {
        vm.prank(owner);
        nexus.setFee(0);
        task = _publishTask(source); // the fee is fixed when a task is published
        _attempt(task, provider);
        _commit(task, provider, 0);
        _nextBlock();
        _expectEmit();
        emit ResponseSubmitted(task, provider, RESULT_URI, RESULT_HASH, PAYMENT);
        _expectEmit();
        emit TaskFinalized(task, provider, master, PAYMENT, 0, 0, false);
        _reveal(task, provider, 0);
        assertEq(vault.balanceOf(master), PAYMENT);
        assertEq(vault.accruedFees(), 0);
    }

    function test_submitResponse_revertsForUnknownTask() public {
        _commit(address(taskImpl), provider, 0);
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(INexus.UnknownTask.selector, address(taskImpl)));
        _reveal(address(taskImpl), provider, 0);
    }

    function test_submitResponse_revertsOnCanceledTask() public {
        _attempt(task, provider);
        vm.warp(_deadline(task, provider));
        vm.prank(client);
        nexus.cancelTask(task);
        _commit(task, provider, 0);
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskClosed.selector, task, TaskStatus.CANCELED));
        _reveal(task, provider, 0);
    }
}
