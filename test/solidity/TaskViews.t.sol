// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Vm} from "forge-std/Vm.sol";
import {NexusFixture} from "./helpers/NexusFixture.sol";
import {ITask} from "../../contracts/interfaces/ITask.sol";
import {
    Attempt,
    AttemptState,
    Commitment,
    DeliveryMethod,
    SourceParams,
    TaskState,
    TaskStatus,
    TaskTerms,
    TermsSeen,
    ENV_CPU
} from "../../contracts/types/NexusTypes.sol";
import {termsSeenOf} from "./helpers/TermsSeenOf.sol";

/// @notice terms, state, status, winner, attemptOf, escrow and settleableAt through a task's life.
contract TaskViewsTest is NexusFixture {
    address internal frSource;
    address internal manualSource;
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
    }

    function _assertState(
        address task,
        TaskStatus status,
        uint8 live,
        address selected,
        uint40 lastDeadline,
        uint40 closedAt
    ) internal view {
        TaskState memory s = ITask(task).state();
        assertEq(uint8(s.status), uint8(status), "status");
        assertEq(uint8(ITask(task).status()), uint8(status), "status()");
        assertEq(s.liveAttempts, live, "liveAttempts");
        assertEq(s.selectedProvider, selected, "selectedProvider");
        assertEq(s.lastDeadline, lastDeadline, "lastDeadline");
        assertEq(s.closedAt, closedAt, "closedAt");
    }

    function _assertAttempt(address task, address p, AttemptState st, uint40 deadline, uint40 at, uint96 asked)
        internal
        view
    {
        Attempt memory a = ITask(task).attemptOf(p);
        assertEq(uint8(a.state), uint8(st), "attempt state");
        assertEq(a.deadline, deadline, "attempt deadline");
        assertEq(a.respondedAt, at, "respondedAt");
        assertEq(a.askedPayment, asked, "askedPayment");
    }

    /// @dev Commits now and checks the live attempt shows the commitment, then reveals one block (second) later.
    function _commitShownThenRevealed(address task, address p, uint256 asked) internal {
        _commit(task, p, asked);
        Attempt memory a = ITask(task).attemptOf(p);
        assertEq(uint8(a.state), uint8(AttemptState.LIVE), "committed attempt is live");
        assertEq(a.respondedAt, 0, "not responded before the reveal");
        Commitment memory c = nexus.commitmentOf(task, p);
        assertEq(c.committedAt, _now(), "committedAt");
        assertEq(c.digest, bytes27(_commitment(task, p, asked)), "digest");
        _nextBlock();
        _reveal(task, p, asked);
        assertEq(nexus.commitmentOf(task, p).committedAt, 0, "cleared by the reveal");
    }

    function test_terms_matchPublication_andIgnoreLaterUpdates() public {
        uint64 salt = 31337;
        TaskTerms memory expected = _termsFor(client, manualSource, expiry, PAYMENT, salt);
        TermsSeen memory seen = termsSeenOf(nexus, manualSource);
        vm.prank(client);
        address task =
            nexus.publishTask{value: PAYMENT}(client, manualSource, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, salt, seen);
        assertEq(abi.encode(ITask(task).terms()), abi.encode(expected));
        assertEq(expected.client, client);
        assertEq(expected.source, manualSource);
        assertEq(expected.configHash, CONFIG_HASH);
        assertEq(expected.reviewWindow, REVIEW_WINDOW);
        assertEq(uint8(expected.deliveryMethod), uint8(DeliveryMethod.MANUAL_CONFIRMATION));

        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.attemptTimeout = 1;
        p.lapsePenalty = 1;
        vm.prank(client);
        nexus.updateSource(manualSource, p);
        assertEq(abi.encode(ITask(task).terms()), abi.encode(expected));
    }

    function test_views_firstResponseLife() public {
        address task = _publishTask(frSource);
        uint40 t0 = uint40(_now());
        _assertState(task, TaskStatus.NEW, 0, address(0), 0, 0);
        _assertAttempt(task, provider, AttemptState.NONE, 0, 0, 0);
        assertEq(ITask(task).winner(), address(0));
        assertEq(ITask(task).escrow(), PAYMENT);
        assertEq(ITask(task).settleableAt(), expiry);

        _attempt(task, provider);
        uint40 d1 = t0 + ATTEMPT_TIMEOUT;
        _assertState(task, TaskStatus.ATTEMPTED, 1, address(0), d1, 0);
        _assertAttempt(task, provider, AttemptState.LIVE, d1, 0, 0);
        assertEq(ITask(task).settleableAt(), expiry);

        vm.warp(t0 + 20 minutes);
        _attempt(task, provider2);
        uint40 d2 = t0 + 20 minutes + ATTEMPT_TIMEOUT;
        _assertState(task, TaskStatus.ATTEMPTED, 2, address(0), d2, 0);

        vm.warp(t0 + 30 minutes - 1);
        _commitShownThenRevealed(task, provider2, 0);
        uint40 closed = t0 + 30 minutes;
        _assertState(task, TaskStatus.FINALIZED, 0, provider2, d2, closed); // nothing is live once closed
        assertEq(ITask(task).winner(), provider2);
        assertEq(ITask(task).escrow(), 0);
        assertEq(ITask(task).settleableAt(), 0);
        // the winner's attempt reads as responded with the full payment; the loser's stays live (cut short)
        _assertAttempt(task, provider2, AttemptState.RESPONDED, d2, closed, uint96(PAYMENT));
        _assertAttempt(task, provider, AttemptState.LIVE, d1, 0, 0);
    }

    function test_views_manualLife() public {
        address task = _publishTask(manualSource);
        uint40 t0 = uint40(_now());
        _attempt(task, provider);
        _attempt(task, provider2);
        uint40 d = t0 + ATTEMPT_TIMEOUT;

        vm.warp(t0 + 5 minutes - 1);
        _commitShownThenRevealed(task, provider, 0.9 ether);
        _assertState(task, TaskStatus.RESPONDED, 1, provider, d, 0);
        _assertAttempt(task, provider, AttemptState.RESPONDED, d, t0 + 5 minutes, 0.9 ether);
        assertEq(ITask(task).winner(), address(0), "no winner before confirmation");
        assertEq(ITask(task).escrow(), PAYMENT);
        assertEq(ITask(task).settleableAt(), uint256(expiry) + REVIEW_WINDOW);

        vm.warp(t0 + 6 minutes - 1);
        _respond(task, provider2, 0.5 ether);
        _assertState(task, TaskStatus.RESPONDED, 0, provider, d, 0);

        vm.warp(t0 + 7 minutes);
        _confirm(task, provider2);
        _assertState(task, TaskStatus.FINALIZED, 0, provider2, d, t0 + 7 minutes);
        assertEq(ITask(task).winner(), provider2);
        assertEq(ITask(task).escrow(), 0);
        assertEq(ITask(task).settleableAt(), 0);
    }

    function test_views_lapsedAttempt() public {
        address task = _publishTask(manualSource);
        _attempt(task, provider);
        uint40 d = _deadline(task, provider);
        vm.warp(d);
        nexus.reportLapse(task, provider);
        _assertAttempt(task, provider, AttemptState.LAPSED, d, 0, 0);
        _assertState(task, TaskStatus.ATTEMPTED, 0, address(0), d, 0);
        assertEq(ITask(task).settleableAt(), expiry);
    }

    function test_views_expiredAndCanceled() public {
        address expired = _publishTask(frSource);
        address canceled = _publishTask(frSource);
        vm.prank(client);
        nexus.cancelTask(canceled);
        _assertState(canceled, TaskStatus.CANCELED, 0, address(0), 0, uint40(_now()));
        assertEq(ITask(canceled).escrow(), 0);
        assertEq(ITask(canceled).settleableAt(), 0);

        vm.warp(ITask(expired).settleableAt());
        nexus.settle(expired);
        _assertState(expired, TaskStatus.EXPIRED, 0, address(0), 0, uint40(expiry));
        assertEq(ITask(expired).escrow(), 0);
        assertEq(ITask(expired).settleableAt(), 0);
        assertEq(ITask(expired).winner(), address(0));
    }

    function test_settleableAt_isExactlyWhenSettleSucceeds() public {
        address task = _publishTask(manualSource);
        _attempt(task, provider);
        _respond(task, provider, PAYMENT);
        uint256 at = ITask(task).settleableAt();
        vm.warp(at - 1);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotYetSettleable.selector, task, at));
        nexus.settle(task);
        vm.warp(at);
        nexus.settle(task);
        assertEq(ITask(task).winner(), provider);
    }

    /// @dev PROTOCOL.md §1: every protocol event is emitted by Nexus (clones, Vault and registry emit none).
    function test_everyEventComesFromNexus() public {
        vm.recordLogs();
        address s = _publishManualSource();
        _pair(master2, makeAddr("p9"));
        _register(s, provider, ENV_CPU);
        address t1 = _publishTask(s);
        address t2 = _publishTask(s);
        _attempt(t1, provider);
        _attempt(t2, provider);
        _respond(t1, provider, 0.5 ether);
        _confirm(t1, provider);
        vm.warp(_deadline(t2, provider));
        nexus.reportLapse(t2, provider);
        vm.warp(ITask(t2).settleableAt());
        nexus.settle(t2);
        nexus.collectFees();
        vm.startPrank(master);
        nexus.withdraw(vault.balanceOf(master));
        nexus.unbond(0.1 ether);
        nexus.cancelUnbonding();
        vm.stopPrank();
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertGt(logs.length, 10);
        for (uint256 i; i < logs.length; ++i) {
            assertEq(logs[i].emitter, address(nexus), "emitter");
        }
    }
}
