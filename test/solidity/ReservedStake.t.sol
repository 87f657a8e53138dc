// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NexusFixture} from "./helpers/NexusFixture.sol";
import {INexus} from "../../contracts/interfaces/INexus.sol";
import {ITask} from "../../contracts/interfaces/ITask.sol";
import {IVault} from "../../contracts/interfaces/IVault.sol";
import {AttemptState, DeliveryMethod, SourceParams, ENV_CPU} from "../../contracts/types/NexusTypes.sol";

/// @notice Safety 2 of 3 (docs/PROTOCOL.md "Reserved stake"): one stake backs one risk. Every live attempt reserves
/// its lapse penalty from its master's free lockup; the reservation is released when the attempt responds or is
/// cut short, and slashed when it lapses, exactly once; one master attempts a task once.
contract ReservedStakeTest is NexusFixture {
    uint96 internal constant PENALTY = 0.25 ether;

    address internal frSource;
    address internal manualSource;

    function setUp() public override {
        super.setUp();
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        // No minimum lockup: the penalty alone must be backed.
        p.minAvailableLockup = 0;
        p.lapsePenalty = PENALTY;
        p.maxConcurrentAttempts = 8;
        frSource = _publishSource(client, p);
        p.deliveryMethod = DeliveryMethod.MANUAL_CONFIRMATION;
        manualSource = _publishSource(client, p);
        _pair(master, provider);
        _pair(master2, provider2);
        for (uint256 i; i < 2; ++i) {
            address s = i == 0 ? frSource : manualSource;
            _register(s, provider, ENV_CPU);
            _register(s, provider2, ENV_CPU);
        }
        _stake(master2, STAKE);
    }

    function _freshTask(address source) internal returns (address) {
        return _publishTask(client, source, PAYMENT, _now() + EXPIRY_IN);
    }

    // ------------------------------------------------------------ the attacks of the issue

    /// Attack 1: 1 ether of lockup backed any number of live attempts; when all lapsed, most clients got nothing.
    function test_oneStakeBacksOnlyAsManyAttemptsAsItCovers() public {
        _stake(master, 1 ether);
        address[] memory tasks = new address[](5);
        for (uint256 i; i < 5; ++i) tasks[i] = _freshTask(frSource);
        for (uint256 i; i < 4; ++i) _attempt(tasks[i], provider);
        assertEq(vault.stakeOf(master).reserved, 1 ether);
        assertEq(vault.freeLockupOf(master), 0);
        vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientFreeLockup.selector, master, 0, PENALTY));
        vm.prank(provider);
        nexus.attempt(tasks[4], provider, 0);

        // Every attempt that was taken lapses, and every one of its clients is paid its penalty in full.
        vm.warp(_deadline(tasks[3], provider));
        for (uint256 i; i < 4; ++i) {
            _expectEmit();
            emit AttemptLapsed(tasks[i], provider, master, PENALTY, false, stranger);
            vm.prank(stranger);
            nexus.reportLapse(tasks[i], provider);
        }
        assertEq(vault.balanceOf(client), 4 * PENALTY, "every lapse paid in full");
        assertEq(vault.lockupOf(master), 0);
        assertEq(vault.stakeOf(master).reserved, 0);
    }

    /// Attack 1, on one task: many provider keys of one master filled every slot behind one stake.
    function test_oneMasterAttemptsATaskOnce() public {
        _stake(master, 10 ether);
        address task = _freshTask(frSource);
        _attempt(task, provider);
        address[3] memory keys = [makeAddr("key-1"), makeAddr("key-2"), makeAddr("key-3")];
        for (uint256 i; i < keys.length; ++i) {
            _pair(master, keys[i]);
            _register(frSource, keys[i], ENV_CPU);
            vm.expectRevert(abi.encodeWithSelector(ITask.MasterAlreadyAttempted.selector, task, master, provider));
            vm.prank(keys[i]);
            nexus.attempt(task, keys[i], 0);
        }
        // Also after its first attempt lapsed: a master's stake answers for one attempt per task.
        vm.warp(_deadline(task, provider));
        nexus.reportLapse(task, provider);
        vm.expectRevert(abi.encodeWithSelector(ITask.MasterAlreadyAttempted.selector, task, master, provider));
        vm.prank(keys[0]);
        nexus.attempt(task, keys[0], 0);
        assertEq(ITask(task).attemptByMaster(master), provider);
        // Another master's honest provider still gets a slot.
        _attempt(task, provider2);
        assertEq(ITask(task).attemptByMaster(master2), provider2);
        assertEq(ITask(task).state().liveAttempts, 1);
    }

    /// Attack 2: an unstaked master lapsed for free on a source with no minimum lockup and a positive penalty.
    function test_unstakedMasterCannotAttemptAPenalizedTask() public {
        address task = _freshTask(frSource);
        vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientFreeLockup.selector, master, 0, PENALTY));
        vm.prank(provider);
        nexus.attempt(task, provider, 0);
        _stake(master, PENALTY);
        _attempt(task, provider);
        assertEq(vault.stakeOf(master).reserved, PENALTY);
    }

    // ------------------------------------------------------------ release and slash, exactly once

    function test_response_releasesTheReservation() public {
        _stake(master, 1 ether);
        address fr = _freshTask(frSource);
        address manual = _freshTask(manualSource);
        _attempt(fr, provider);
        _attempt(manual, provider);
        assertEq(vault.stakeOf(master).reserved, 2 * PENALTY);
        _respond(manual, provider, PAYMENT);
        assertEq(vault.stakeOf(master).reserved, PENALTY, "a MANUAL response releases");
        _respond(fr, provider, 0);
        assertEq(vault.stakeOf(master).reserved, 0, "a FIRST_RESPONSE win releases");
        assertEq(vault.lockupOf(master), 1 ether);
        // Neither can be released again, nor slashed.
        vm.expectRevert(abi.encodeWithSelector(ITask.NotCutShort.selector, fr, provider));
        nexus.releaseAttempt(fr, provider);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotCutShort.selector, manual, provider));
        nexus.releaseAttempt(manual, provider);
        vm.warp(_now() + EXPIRY_IN + REVIEW_WINDOW);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, fr, provider));
        nexus.reportLapse(fr, provider);
    }

    function test_releaseAttempt_cutShortByAnotherWinner_byAnyone() public {
        _stake(master, 1 ether);
        address task = _freshTask(frSource);
        _attempt(task, provider);
        _attempt(task, provider2);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotCutShort.selector, task, provider));
        nexus.releaseAttempt(task, provider); // the task is open: the attempt is live
        _respond(task, provider2, 0);

        _expectEmit();
        emit AttemptReleased(task, provider, master, PENALTY, stranger);
        vm.prank(stranger);
        nexus.releaseAttempt(task, provider);
        assertEq(vault.stakeOf(master).reserved, 0);
        assertEq(vault.freeLockupOf(master), 1 ether);
        assertEq(uint8(ITask(task).attemptOf(provider).state), uint8(AttemptState.RELEASED));
        // Once; and a cut-short attempt never lapses.
        vm.expectRevert(abi.encodeWithSelector(ITask.NotCutShort.selector, task, provider));
        nexus.releaseAttempt(task, provider);
        vm.warp(_deadline(task, provider));
        vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, provider));
        nexus.reportLapse(task, provider);
        // The winner's reservation went back when it answered; it has nothing to release.
        vm.expectRevert(abi.encodeWithSelector(ITask.NotCutShort.selector, task, provider2));
        nexus.releaseAttempt(task, provider2);
        assertEq(vault.stakeOf(master2).reserved, 0);
        assertEq(vault.lockupOf(master), 1 ether, "nothing slashed");
    }

    function test_releaseAttempt_cutShortByAnEarlyConfirmation() public {
        _stake(master, 1 ether);
        address task = _freshTask(manualSource);
        _attempt(task, provider2);
        _respond(task, provider2, PAYMENT);
        _attempt(task, provider);
        _confirm(task, provider2);
        vm.prank(master);
        nexus.releaseAttempt(task, provider);
        assertEq(vault.stakeOf(master).reserved, 0);
    }

    function test_releaseAttempt_unknownTask() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.UnknownTask.selector, stranger));
        nexus.releaseAttempt(stranger, provider);
    }

    /// A lapse reported late still finds the whole reservation: the master could not unbond it in between.
    function test_reportLapse_slashesTheReservationOnly() public {
        _stake(master, 1 ether);
        address task = _freshTask(frSource);
        _attempt(task, provider);
        vm.prank(master);
        nexus.unbond(1 ether - PENALTY);
        vm.warp(_now() + 30 days);
        vm.prank(master);
        nexus.claim();
        nexus.reportLapse(task, provider);
        assertEq(vault.balanceOf(client), PENALTY);
        assertEq(vault.balanceOf(master), 1 ether - PENALTY);
        assertEq(vault.lockupOf(master), 0);
        assertEq(vault.stakeOf(master).reserved, 0);
    }

    /// A penalty-free source reserves nothing, and its attempts need no stake.
    function test_zeroPenalty_reservesNothing() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.minAvailableLockup = 0;
        p.lapsePenalty = 0;
        address lenient = _publishSource(client, p);
        _register(lenient, provider, ENV_CPU);
        _register(lenient, provider2, ENV_CPU);
        address task = _freshTask(lenient);
        _attempt(task, provider);
        _attempt(task, provider2);
        assertEq(vault.stakeOf(master).reserved, 0);
        _respond(task, provider2, 0);
        _expectEmit();
        emit AttemptReleased(task, provider, master, 0, address(this));
        nexus.releaseAttempt(task, provider);
    }
}
