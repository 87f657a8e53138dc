// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NexusSetup} from "./utils/NexusSetup.sol";
import {ResponseCommitment} from "../../../contracts/libraries/ResponseCommitment.sol";
import {INexus} from "../../../contracts/interfaces/INexus.sol";
import {INexusEvents} from "../../../contracts/interfaces/INexusEvents.sol";
import {ITask} from "../../../contracts/interfaces/ITask.sol";
import {IVault} from "../../../contracts/interfaces/IVault.sol";
import {
    AttemptState,
    DeliveryMethod,
    SourceParams,
    TaskStatus,
    MAX_ATTEMPT_TIMEOUT,
    MAX_UNBONDING_PERIOD,
    MIN_UNBONDING_PERIOD
} from "../../../contracts/types/NexusTypes.sol";

/// @notice Time boundaries, all half-open: attempt live while now < deadline, attempts while now < expiry,
/// MANUAL confirmation while now < expiry + reviewWindow, settlement from expiry (no response) or
/// expiry + reviewWindow (MANUAL with responses), claims from the unbonding's maturity.
contract TimesFuzzTest is NexusSetup {
    uint256 internal constant PAYMENT = 1 ether;

    function setUp() public {
        _deploy(100);
    }

    /// @dev A time at or around `boundary`: one second before, at, one after, or anywhere within `spread` of it,
    /// never before `notBefore`.
    function _around(uint256 boundary, uint256 seed, uint256 spread, uint256 notBefore) internal pure returns (uint256 t) {
        uint256 mode = seed % 5;
        if (mode == 0) t = boundary - 1;
        else if (mode == 1) t = boundary;
        else if (mode == 2) t = boundary + 1;
        else if (mode == 3) t = boundary + (seed >> 8) % (spread + 1);
        else t = boundary - (seed >> 8) % (spread + 1);
        if (t < notBefore) t = notBefore;
    }

    function _expectPayment(address task) internal view {
        assertEq(vault.escrowOf(task), 0, "escrow released");
        assertEq(ITask(task).settleableAt(), 0, "closed tasks are not settleable");
    }

    // ------------------------------------------------------------------ publish

    /// A task is accepted iff now < expiryTime <= now + maxExpiryDuration.
    function testFuzz_publish_expiryWindow(uint256 startSeed, uint32 maxDur, uint256 expirySeed, uint8 mode, bool fr)
        public
    {
        uint256 start = bound(startSeed, START, 2 ** 39);
        vm.warp(start);
        SourceParams memory p = _params(_method(fr));
        p.maxExpiryDuration = uint32(bound(maxDur, 1, type(uint32).max));
        address source = _publishSource(client, p);
        uint256 latest = start + p.maxExpiryDuration;

        uint64 expiry;
        mode = mode % 4;
        if (mode == 0) expiry = uint64(_around(start, expirySeed, 3, 0));
        else if (mode == 1) expiry = uint64(_around(latest, expirySeed, 3, 0));
        else if (mode == 2) expiry = uint64(bound(expirySeed, 0, latest + 1 days));
        else expiry = uint64(expirySeed);

        bool valid = expiry > start && expiry <= latest;
        if (!valid) vm.expectRevert(abi.encodeWithSelector(INexus.InvalidExpiry.selector, expiry, start + 1, latest));
        address task = _publishTask(client, source, expiry, PAYMENT, PAYMENT);
        if (valid) {
            assertEq(ITask(task).terms().expiryTime, expiry);
            assertEq(ITask(task).settleableAt(), expiry);
        }
    }

    // ------------------------------------------------------------------ attempt deadline

    /// deadline = min(now + attemptTimeout, expiryTime); no attempt with less than half the timeout before expiry.
    function testFuzz_attempt_deadline(uint32 timeout, uint32 expiryOffset, uint256 whenSeed, uint8 mode, bool fr) public {
        SourceParams memory p = _params(_method(fr));
        p.attemptTimeout = uint32(bound(timeout, 1, MAX_ATTEMPT_TIMEOUT));
        p.maxExpiryDuration = 60 days;
        address source = _market(p);
        uint64 expiry = uint64(block.timestamp + bound(expiryOffset, 1, 60 days));
        address task = _publishTask(client, source, expiry, PAYMENT, PAYMENT);

        uint256 when = mode % 2 == 0
            ? _around(expiry, whenSeed, 2 hours, block.timestamp)
            : bound(whenSeed, block.timestamp, uint256(expiry) + 2);
        vm.warp(when);
        if (when >= expiry) {
            vm.expectRevert(abi.encodeWithSelector(ITask.TaskPastExpiry.selector, task, expiry));
            vm.prank(provider);
            nexus.attempt(task, provider, 0);
            assertEq(uint8(ITask(task).status()), uint8(TaskStatus.NEW));
            return;
        }
        if (expiry - when < p.attemptTimeout / 2) {
            vm.expectRevert(
                abi.encodeWithSelector(ITask.AttemptWindowTooShort.selector, task, expiry - when, p.attemptTimeout / 2)
            );
            vm.prank(provider);
            nexus.attempt(task, provider, 0);
            assertEq(uint8(ITask(task).status()), uint8(TaskStatus.NEW));
            return;
        }
        uint256 due = when + p.attemptTimeout;
        uint40 expected = uint40(due < expiry ? due : expiry);
        vm.expectEmit(true, true, true, true, address(nexus));
        emit INexusEvents.TaskAttempted(task, provider, master, expected, 0);
        uint40 deadline = _attempt(task, provider, 0);
        assertEq(deadline, expected, "deadline");
        assertGt(deadline, when, "an attempt always gets some time");
        assertLe(deadline, expiry, "never past expiry");
        assertEq(_state(task).lastDeadline, expected);
        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.ATTEMPTED));
    }

    // ------------------------------------------------------------------ response vs lapse around the deadline

    /// A response is accepted iff now < deadline; a lapse can be reported iff now >= deadline. Never both.
    function testFuzz_respondOrLapse_aroundDeadline(uint32 timeout, uint256 whenSeed, uint256 asked, bool fr) public {
        SourceParams memory p = _params(_method(fr));
        p.attemptTimeout = uint32(bound(timeout, 1, MAX_ATTEMPT_TIMEOUT));
        address source = _market(p);
        uint64 expiry = uint64(block.timestamp + 2 days);
        address task = _publishTask(client, source, expiry, PAYMENT, PAYMENT);
        vm.warp(block.timestamp + 5);
        uint40 deadline = _attempt(task, provider, 0);
        asked = bound(asked, 0, PAYMENT);
        _commit(task, provider, asked);
        // The reveal comes at least one second after its commitment.
        uint256 when = _around(deadline, whenSeed, p.attemptTimeout + 10, block.timestamp + 1);
        vm.warp(when);
        vm.roll(block.number + 1);

        // Reporting the lapse, tried in a snapshot.
        uint256 snap = vm.snapshotState();
        bool lapsed = when >= deadline;
        if (!lapsed) vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, provider));
        vm.prank(anyone);
        nexus.reportLapse(task, provider);
        if (lapsed) {
            assertEq(vault.balanceOf(client), p.lapsePenalty, "penalty");
            assertEq(_state(task).liveAttempts, 0);
        }
        vm.revertToStateAndDelete(snap);

        if (lapsed) vm.expectRevert(abi.encodeWithSelector(ITask.AttemptNotLive.selector, task, provider, deadline));
        _reveal(task, provider, asked);
        if (lapsed) {
            assertEq(uint8(_attemptOf(task, provider).state), uint8(AttemptState.LIVE));
            return;
        }
        assertEq(uint8(ITask(task).status()), uint8(fr ? TaskStatus.FINALIZED : TaskStatus.RESPONDED));
        assertEq(uint8(_attemptOf(task, provider).state), uint8(AttemptState.RESPONDED));
        assertEq(_state(task).liveAttempts, 0);
        // A responded attempt never lapses, whatever the time.
        vm.warp(uint256(expiry) + 30 days);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, provider));
        nexus.reportLapse(task, provider);
    }

    // ------------------------------------------------------------------ MANUAL review window

    /// With a response, confirmation works iff now < expiry + reviewWindow and settlement iff now >= that time:
    /// at every instant exactly one of them is possible, so the escrow can always leave.
    function testFuzz_manual_confirmOrSettle_aroundReviewEnd(uint32 reviewWindow, uint256 whenSeed, bool nearExpiry)
        public
    {
        SourceParams memory p = _params(DeliveryMethod.MANUAL_CONFIRMATION);
        p.reviewWindow = uint32(bound(reviewWindow, 1, 90 days));
        address source = _market(p);
        uint64 expiry = uint64(block.timestamp + 3 days);
        address task = _publishTask(client, source, expiry, PAYMENT, PAYMENT);
        _attempt(task, provider, 0);
        vm.warp(block.timestamp + 1);
        _respond(task, provider, PAYMENT / 2);
        uint256 reviewEnd = uint256(expiry) + p.reviewWindow;
        assertEq(ITask(task).settleableAt(), reviewEnd);

        uint256 when = nearExpiry
            ? _around(expiry, whenSeed, 2 days, block.timestamp)
            : _around(reviewEnd, whenSeed, p.reviewWindow, block.timestamp);
        vm.warp(when);
        bool open = when < reviewEnd;

        uint256 snap = vm.snapshotState();
        if (!open) vm.expectRevert(abi.encodeWithSelector(ITask.ReviewWindowClosed.selector, task, reviewEnd));
        vm.prank(client);
        nexus.confirmResponse(task, provider);
        bool confirmed = open;
        if (confirmed) _expectPayment(task);
        vm.revertToStateAndDelete(snap);

        if (open) vm.expectRevert(abi.encodeWithSelector(ITask.NotYetSettleable.selector, task, reviewEnd));
        vm.prank(anyone);
        nexus.settle(task);
        if (!open) {
            _expectPayment(task);
            assertEq(ITask(task).winner(), provider);
            assertEq(vault.balanceOf(client), PAYMENT - PAYMENT / 2);
        }
    }

    // ------------------------------------------------------------------ settlement without a response

    /// With no response, settlement works iff now >= expiry, refunds the whole payment, and the task is EXPIRED.
    function testFuzz_settle_noResponse_aroundExpiry(uint256 whenSeed, bool fr, bool attempted, bool reportFirst) public {
        SourceParams memory p = _params(_method(fr));
        address source = _market(p);
        uint64 expiry = uint64(block.timestamp + 2 hours); // shorter than two attempt timeouts
        address task = _publishTask(client, source, expiry, PAYMENT, PAYMENT);
        if (attempted) {
            vm.warp(block.timestamp + 90 minutes);
            uint40 deadline = _attempt(task, provider, 0);
            assertEq(deadline, expiry, "deadline capped by expiry");
        }
        uint256 when = _around(expiry, whenSeed, 3 hours, block.timestamp);
        vm.warp(when);
        if (attempted && reportFirst && when >= expiry) {
            nexus.reportLapse(task, provider);
        }
        assertEq(ITask(task).settleableAt(), expiry);

        uint256 before = vault.balanceOf(client);
        if (when < expiry) vm.expectRevert(abi.encodeWithSelector(ITask.NotYetSettleable.selector, task, expiry));
        else {
            vm.expectEmit(true, true, false, true, address(nexus));
            emit INexusEvents.TaskExpired(task, client, PAYMENT);
        }
        vm.prank(anyone);
        nexus.settle(task);
        if (when < expiry) {
            assertEq(vault.escrowOf(task), PAYMENT);
            return;
        }
        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.EXPIRED));
        assertEq(vault.balanceOf(client), before + PAYMENT, "full refund");
        _expectPayment(task);
        // The attempt ran out at expiry, while the task was open: it lapsed and can still be reported after closing.
        if (attempted && !reportFirst) {
            nexus.reportLapse(task, provider);
            assertEq(vault.balanceOf(client), before + PAYMENT + p.lapsePenalty);
        }
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskClosed.selector, task, TaskStatus.EXPIRED));
        nexus.settle(task);
    }

    // ------------------------------------------------------------------ cancel

    /// Cancel works iff no attempt is live (now >= last deadline, reported or not) and no response exists.
    function testFuzz_cancel_aroundDeadline(uint256 whenSeed, bool fr, uint8 scenario) public {
        SourceParams memory p = _params(_method(fr));
        address source = _market(p);
        uint64 expiry = uint64(block.timestamp + 1 days);
        address task = _publishTask(client, source, expiry, PAYMENT, PAYMENT);
        scenario = scenario % 3; // 0: no attempt, 1: attempt, 2: attempt + MANUAL response
        if (fr && scenario == 2) scenario = 1;
        uint40 deadline;
        if (scenario >= 1) deadline = _attempt(task, provider, 0);
        if (scenario == 2) _respond(task, provider, 1);

        uint256 when = scenario == 0
            ? _around(expiry, whenSeed, 1 days, block.timestamp)
            : _around(deadline, whenSeed, 2 hours, block.timestamp);
        vm.warp(when);
        bool ok = scenario == 0 || (scenario == 1 && when >= deadline);
        if (!ok) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    ITask.TaskInProgress.selector, task, _state(task).lastDeadline, scenario == 2 ? provider : address(0)
                )
            );
        }
        vm.prank(client);
        nexus.cancelTask(task);
        if (!ok) {
            assertEq(vault.escrowOf(task), PAYMENT);
            return;
        }
        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.CANCELED));
        assertEq(vault.balanceOf(client), PAYMENT);
        _expectPayment(task);
        if (scenario == 1) {
            // The unreported attempt lapsed before the cancel: still reportable, once.
            nexus.reportLapse(task, provider);
            assertEq(vault.balanceOf(client), PAYMENT + p.lapsePenalty);
        }
    }

    /// An attempt cut short by the task closing (FIRST_RESPONSE won by someone else) did not lapse; one whose
    /// deadline passed while the task was open did.
    function testFuzz_lapseOnlyIfDeadlinePassedWhileOpen(uint256 gapSeed, uint256 respondSeed) public {
        SourceParams memory p = _params(DeliveryMethod.FIRST_RESPONSE);
        address source = _market(p);
        uint64 expiry = uint64(block.timestamp + 7 days);
        address task = _publishTask(client, source, expiry, PAYMENT, PAYMENT);
        uint40 d2 = _attempt(task, provider2, 0);
        // provider2 lapses, then its slot is still counted until reported; provider attempts later.
        vm.warp(block.timestamp + bound(gapSeed, 0, 2 * p.attemptTimeout));
        uint40 d1 = _attempt(task, provider, 0);
        // Committed one second before the close, revealed at it.
        uint256 closeAt = bound(respondSeed, block.timestamp + 1, d1 - 1);
        vm.warp(closeAt - 1);
        _respond(task, provider, 0);
        assertEq(_state(task).closedAt, closeAt);

        vm.warp(uint256(expiry) + 1 days);
        bool lapsed = d2 <= closeAt;
        assertEq(vault.stakeOf(master2).reserved, p.lapsePenalty, "reserved until released or slashed");
        if (!lapsed) vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, provider2));
        nexus.reportLapse(task, provider2);
        assertEq(vault.balanceOf(client), lapsed ? p.lapsePenalty : 0);
        // A cut-short attempt is released instead, once; a lapsed one cannot also be released.
        if (lapsed) vm.expectRevert(abi.encodeWithSelector(ITask.NotCutShort.selector, task, provider2));
        nexus.releaseAttempt(task, provider2);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotCutShort.selector, task, provider2));
        nexus.releaseAttempt(task, provider2);
        assertEq(vault.stakeOf(master2).reserved, 0, "never stuck");
        assertEq(vault.lockupOf(master2), p.minAvailableLockup - (lapsed ? p.lapsePenalty : 0));
        assertEq(vault.stakeOf(master).reserved, 0, "the winner's reservation went back when it answered");
        // The winner's attempt never lapses.
        vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, provider));
        nexus.reportLapse(task, provider);
    }

    /// Whatever the timings of two attempts, a response and an early confirmation, each reservation ends exactly
    /// once: the responder's at its response, the other's by a release when the confirmation came before its
    /// deadline or by a slash when its deadline passed first; nothing stays reserved.
    function testFuzz_reservationEndsOnce_manualConfirmation(uint256 gapSeed, uint256 respondSeed, uint256 confirmSeed)
        public
    {
        SourceParams memory p = _params(DeliveryMethod.MANUAL_CONFIRMATION);
        address source = _market(p);
        address task = _publishTask(client, source, uint64(block.timestamp + 7 days), PAYMENT, PAYMENT);
        uint40 d1 = _attempt(task, provider, 0);
        vm.warp(block.timestamp + bound(gapSeed, 0, p.attemptTimeout - 2));
        uint40 d2 = _attempt(task, provider2, 0);
        assertEq(vault.stakeOf(master).reserved + vault.stakeOf(master2).reserved, 2 * uint256(p.lapsePenalty));
        // Committed, then revealed one second later, before the deadline.
        vm.warp(bound(respondSeed, block.timestamp, d1 - 2));
        _respond(task, provider, PAYMENT);
        assertEq(vault.stakeOf(master).reserved, 0, "released by the response");
        uint256 confirmedAt = bound(confirmSeed, block.timestamp, block.timestamp + 2 * p.attemptTimeout);
        vm.warp(confirmedAt);
        vm.prank(client);
        nexus.confirmResponse(task, provider);

        bool cutShort = confirmedAt < d2;
        vm.warp(confirmedAt + 3 * p.attemptTimeout);
        if (!cutShort) vm.expectRevert(abi.encodeWithSelector(ITask.NotCutShort.selector, task, provider2));
        nexus.releaseAttempt(task, provider2);
        if (cutShort) vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, provider2));
        nexus.reportLapse(task, provider2);
        assertEq(vault.stakeOf(master2).reserved, 0, "ended once, never stuck");
        assertEq(vault.lockupOf(master2), p.minAvailableLockup - (cutShort ? 0 : p.lapsePenalty));
        assertEq(uint8(_attemptOf(task, provider2).state), uint8(cutShort ? AttemptState.RELEASED : AttemptState.LAPSED));
    }

    // ------------------------------------------------------------------ concurrency

    /// Live attempts never exceed maxConcurrentAttempts; a reported lapse frees a slot.
    function testFuzz_attemptSlots(uint8 maxSeed, uint8 extra) public {
        SourceParams memory p = _params(DeliveryMethod.MANUAL_CONFIRMATION);
        p.maxConcurrentAttempts = uint8(bound(maxSeed, 1, 6));
        p.minAvailableLockup = 0;
        address source = _publishSource(client, p);
        uint256 n = p.maxConcurrentAttempts + 1 + bound(extra, 0, 2);
        address[] memory provs = new address[](n);
        for (uint256 i; i < n; ++i) {
            provs[i] = makeAddr(string.concat("slot-provider-", vm.toString(i)));
            address m = makeAddr(string.concat("slot-master-", vm.toString(i)));
            _pair(m, provs[i]);
            _stake(m, p.lapsePenalty);
            _register(source, provs[i]);
        }
        uint64 expiry = uint64(block.timestamp + 1 days);
        address task = _publishTask(client, source, expiry, PAYMENT, PAYMENT);
        for (uint256 i; i < p.maxConcurrentAttempts; ++i) {
            _attempt(task, provs[i], 0);
            vm.warp(block.timestamp + 1);
        }
        assertEq(_state(task).liveAttempts, p.maxConcurrentAttempts);
        for (uint256 i = p.maxConcurrentAttempts; i < n; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    ITask.AttemptSlotsFull.selector, task, p.maxConcurrentAttempts, p.maxConcurrentAttempts
                )
            );
            vm.prank(provs[i]);
            nexus.attempt(task, provs[i], 0);
        }
        // Past the first deadline, the slot stays taken until the lapse is reported.
        vm.warp(_attemptOf(task, provs[0]).deadline);
        vm.expectRevert(
            abi.encodeWithSelector(ITask.AttemptSlotsFull.selector, task, p.maxConcurrentAttempts, p.maxConcurrentAttempts)
        );
        vm.prank(provs[p.maxConcurrentAttempts]);
        nexus.attempt(task, provs[p.maxConcurrentAttempts], 0);
        nexus.reportLapse(task, provs[0]);
        _attempt(task, provs[p.maxConcurrentAttempts], 0);
        assertEq(_state(task).liveAttempts, p.maxConcurrentAttempts);
        // Each provider attempts once.
        vm.expectRevert(abi.encodeWithSelector(ITask.AlreadyAttempted.selector, task, provs[0]));
        vm.prank(provs[0]);
        nexus.attempt(task, provs[0], 0);
    }

    // ------------------------------------------------------------------ unbonding maturity

    /// A claim works iff now >= maturity; a second unbond adds to the first and restarts the timer for the whole.
    function testFuzz_unbonding_maturity(uint64 period, uint256 a1, uint256 a2, uint32 gap, uint256 whenSeed) public {
        period = uint64(bound(period, MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD));
        vm.prank(owner);
        nexus.setUnbondingPeriod(period);
        _stake(master, 10 ether);
        a1 = bound(a1, 1, 5 ether);
        a2 = bound(a2, 0, 5 ether);
        vm.prank(master);
        nexus.unbond(a1);
        uint256 maturesAt = block.timestamp + period;
        assertEq(vault.stakeOf(master).unbondingMaturesAt, maturesAt);
        if (a2 != 0) {
            vm.warp(block.timestamp + bound(gap, 0, 40 days));
            vm.expectEmit(true, false, false, true, address(nexus));
            emit INexusEvents.UnbondingStarted(master, a2, a1 + a2, uint64(block.timestamp + period));
            vm.prank(master);
            nexus.unbond(a2);
            maturesAt = block.timestamp + period;
        }
        uint256 total = a1 + a2;
        assertEq(vault.stakeOf(master).unbonding, total);
        assertEq(vault.stakeOf(master).unbondingMaturesAt, maturesAt);

        uint256 when = _around(maturesAt, whenSeed, period + 1, block.timestamp);
        vm.warp(when);
        bool mature = when >= maturesAt;
        if (!mature) {
            vm.expectRevert(abi.encodeWithSelector(IVault.UnbondingNotMatured.selector, master, uint64(maturesAt)));
        }
        vm.prank(master);
        nexus.claim();
        assertEq(vault.balanceOf(master), mature ? total : 0);
        assertEq(vault.stakeOf(master).unbonding, mature ? 0 : total);
        assertEq(vault.lockupOf(master), 10 ether - total);
    }

    // ------------------------------------------------------------------ whole lifecycle, both delivery methods

    /// Any mix of attempts, responses and lapses ends with the escrow out of the vault exactly once, for both methods.
    function testFuzz_lifecycle_escrowLeavesOnce(bool fr, uint8 steps, uint256 seed) public {
        SourceParams memory p = _params(_method(fr));
        address source = _market(p);
        uint64 expiry = uint64(block.timestamp + bound(seed, 2, 3 days));
        address task = _publishTask(client, source, expiry, PAYMENT, PAYMENT);
        address[2] memory provs = [provider, provider2];
        steps = uint8(bound(steps, 1, 12));
        for (uint256 i; i < steps; ++i) {
            seed = uint256(keccak256(abi.encode(seed, i)));
            address prov = provs[seed % 2];
            uint256 action = (seed >> 8) % 5;
            if (action == 3) {
                vm.warp(block.timestamp + (seed >> 24) % 3 hours);
                continue;
            }
            vm.prank(prov);
            if (action == 0) try nexus.attempt(task, prov, 0) {} catch {}
            else if (action == 1) try nexus.commitResponse(task, _commitmentOf(task, prov, seed)) {} catch {}
            else if (action == 4) try nexus.revealResponse(task, "", bytes32(0), _askOf(seed), SECRET) {} catch {}
            else try nexus.reportLapse(task, prov) {} catch {}
        }
        uint256 snap = vm.snapshotState();
        vm.warp(uint256(expiry) + p.reviewWindow);
        if (ITask(task).escrow() != 0) nexus.settle(task);
        assertEq(vault.escrowOf(task), 0, "settled after review window");
        assertEq(
            vault.balanceOf(client) + vault.balanceOf(master) + vault.balanceOf(master2) + vault.accruedFees()
                + vault.lockupOf(master) + vault.lockupOf(master2),
            address(vault).balance,
            "conservation"
        );
        vm.revertToStateAndDelete(snap);
    }

    /// @dev The lifecycle fuzz asks one amount per seed's low bits, so a reveal can match an earlier commitment.
    function _askOf(uint256 seed) private pure returns (uint256) {
        return (seed & 3) * (PAYMENT / 4);
    }

    function _commitmentOf(address task, address prov, uint256 seed) private pure returns (bytes32) {
        return ResponseCommitment.hash(task, prov, bytes32(0), _askOf(seed), SECRET);
    }
}
