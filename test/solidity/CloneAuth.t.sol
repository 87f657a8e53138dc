// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {NexusFixture} from "./helpers/NexusFixture.sol";
import {INexus} from "../../contracts/interfaces/INexus.sol";
import {ISource} from "../../contracts/interfaces/ISource.sol";
import {ITask} from "../../contracts/interfaces/ITask.sol";
import {TaskTermsCodec} from "../../contracts/libraries/TaskTermsCodec.sol";
import {
    AttemptState,
    DeliveryMethod,
    SourceParams,
    SourceStatus,
    TaskTerms,
    TermsSeen,
    ENV_CPU
} from "../../contracts/types/NexusTypes.sol";
import {termsSeenOf} from "./helpers/TermsSeenOf.sol";
import {predictTaskAddress} from "./helpers/PredictTaskAddress.sol";

/// @notice Clone authentication in both directions: Nexus recognises only its own clones (isTask / isSource,
/// UnknownTask / UnknownSource), and a clone obeys only the Nexus that created it (NotTaskNexus / NotSourceNexus).
contract CloneAuthTest is NexusFixture {
    address internal source;
    address internal task;
    /// @dev Clones of the real implementations with the real args, deployed by this test instead of Nexus.
    address internal foreignTask;
    address internal foreignSource;
    /// @dev The real clones' exact bytecode, copied to other addresses.
    address internal etchedTask = makeAddr("etchedTask");
    address internal etchedSource = makeAddr("etchedSource");

    function setUp() public override {
        super.setUp();
        source = _publishFirstResponseSource();
        _setupProvider(source, provider, master);
        task = _publishTask(source);
        foreignTask = Clones.cloneDeterministicWithImmutableArgs(
            address(taskImpl), TaskTermsCodec.encode(ITask(task).terms()), bytes32(0)
        );
        foreignSource = Clones.cloneDeterministicWithImmutableArgs(
            address(sourceImpl), abi.encodePacked(client, bytes32(uint256(1))), bytes32(0)
        );
        vm.etch(etchedTask, task.code);
        vm.etch(etchedSource, source.code);
    }

    // ================================================================ predictions

    function test_predictSourceAddress_matchesPublishedSource() public {
        bytes32 salt = keccak256("predict");
        address predicted = nexus.predictSourceAddress(stranger, salt);
        assertTrue(predicted != nexus.predictSourceAddress(client, salt));
        assertTrue(predicted != nexus.predictSourceAddress(stranger, bytes32(0)));
        assertFalse(nexus.isSource(predicted));
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        vm.prank(stranger);
        address published = nexus.publishSource(p, salt);
        assertEq(published, predicted);
        assertTrue(nexus.isSource(predicted));
    }

    function test_predictTaskAddress_matchesPublishedTask_andDependsOnEveryTerm() public {
        uint64 expiry = _now() + EXPIRY_IN;
        TaskTerms memory t = _termsFor(client, source, expiry, PAYMENT, 9);
        address predicted = predictTaskAddress(nexus, t);
        assertFalse(nexus.isTask(predicted));
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(client);
        address published = nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 9, seen);
        assertEq(published, predicted);
        assertTrue(nexus.isTask(published));

        TaskTerms memory u = _termsFor(client, source, expiry, PAYMENT, 9);
        u.configHash = bytes32(uint256(1));
        assertTrue(predictTaskAddress(nexus, u) != predicted);
        u = _termsFor(client, source, expiry, PAYMENT, 10);
        assertTrue(predictTaskAddress(nexus, u) != predicted);
        u = _termsFor(stranger, source, expiry, PAYMENT, 9);
        assertTrue(predictTaskAddress(nexus, u) != predicted);
        u = _termsFor(client, source, expiry, PAYMENT + 1, 9);
        assertTrue(predictTaskAddress(nexus, u) != predicted);
    }

    // ================================================================ isTask / isSource

    function test_isTask_isSource_acceptOnlyGenuineClones() public view {
        assertTrue(nexus.isTask(task));
        assertTrue(nexus.isSource(source));

        address[10] memory impostors = [
            address(0),
            stranger,
            address(nexus),
            address(vault),
            address(registry),
            address(taskImpl),
            address(sourceImpl),
            foreignTask,
            foreignSource,
            etchedTask
        ];
        for (uint256 i; i < impostors.length; ++i) {
            assertFalse(nexus.isTask(impostors[i]), "isTask impostor");
            assertFalse(nexus.isSource(impostors[i]), "isSource impostor");
        }
        assertFalse(nexus.isSource(etchedSource));
        assertFalse(nexus.isTask(source));
        assertFalse(nexus.isSource(task));
    }

    function test_isTask_refusesCodeOfCloneLengthThatIsNotAClone() public {
        address junk = makeAddr("junk");
        vm.etch(junk, new bytes(0x2d + TaskTermsCodec.LENGTH));
        assertFalse(nexus.isTask(junk));
        vm.etch(junk, new bytes(0x2d + 52));
        assertFalse(nexus.isSource(junk));
    }

    function test_foreignCloneLooksLikeARealTask() public view {
        // Same implementation, same terms, same views: only the address (i.e. the deployer) tells them apart.
        assertEq(abi.encode(ITask(foreignTask).terms()), abi.encode(ITask(task).terms()));
        assertEq(ITask(foreignTask).escrow(), PAYMENT);
        assertEq(vault.escrowOf(foreignTask), 0);
        assertEq(vault.escrowOf(etchedTask), 0);
        assertEq(vault.escrowOf(task), PAYMENT);
    }

    // ================================================================ UnknownTask / UnknownSource

    function test_everyTaskEntryPointRefusesFakeTasks() public {
        address[4] memory fakes = [foreignTask, etchedTask, address(taskImpl), address(registry)];
        for (uint256 i; i < fakes.length; ++i) {
            address f = fakes[i];
            bytes memory err = abi.encodeWithSelector(INexus.UnknownTask.selector, f);
            vm.startPrank(provider);
            vm.expectRevert(err);
            nexus.attempt(f, provider, 0);
            // A commitment is only a sealed note (it needs no task); its reveal is what a fake task refuses.
            nexus.commitResponse(f, _commitment(f, provider, 0));
            vm.roll(vm.getBlockNumber() + 1);
            vm.warp(vm.getBlockTimestamp() + 1);
            vm.expectRevert(err);
            nexus.revealResponse(f, RESULT_URI, RESULT_HASH, 0, SECRET);
            vm.stopPrank();
            vm.startPrank(client);
            vm.expectRevert(err);
            nexus.confirmResponse(f, provider);
            vm.expectRevert(err);
            nexus.cancelTask(f);
            vm.expectRevert(err);
            nexus.settle(f);
            vm.expectRevert(err);
            nexus.reportLapse(f, provider);
            vm.stopPrank();
        }
    }

    function test_everySourceEntryPointRefusesFakeSources() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        uint64 expiry = _now() + EXPIRY_IN;
        address[4] memory fakes = [foreignSource, etchedSource, address(sourceImpl), task];
        for (uint256 i; i < fakes.length; ++i) {
            address f = fakes[i];
            bytes memory err = abi.encodeWithSelector(INexus.UnknownSource.selector, f);
            vm.startPrank(client);
            vm.expectRevert(err);
            nexus.updateSource(f, p);
            vm.expectRevert(err);
            nexus.setSourceStatus(f, SourceStatus.INACTIVE);
            TermsSeen memory seen = termsSeenOf(nexus, f);
            vm.expectRevert(err);
            nexus.publishTask{value: PAYMENT}(client, f, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 1, seen);
            TermsSeen memory seen2 = termsSeenOf(nexus, f);
            vm.expectRevert(err);
            nexus.publishTask{value: PAYMENT}(client, f, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 1, seen2);
            vm.stopPrank();
            vm.startPrank(provider);
            vm.expectRevert(err);
            nexus.register(f, provider, ENV_CPU);
            vm.expectRevert(err);
            nexus.unregister(f, provider);
            vm.stopPrank();
        }
    }

    // ================================================================ NotTaskNexus

    function test_taskMutators_onlyTheirNexus() public {
        address[6] memory callers = [stranger, client, owner, provider, address(vault), address(this)];
        for (uint256 i; i < callers.length; ++i) {
            address c = callers[i];
            bytes memory err = abi.encodeWithSelector(ITask.NotTaskNexus.selector, c);
            vm.startPrank(c);
            vm.expectRevert(err);
            ITask(task).recordAttempt(provider, master, 0);
            vm.expectRevert(err);
            ITask(task).recordResponse(provider, 0);
            vm.expectRevert(err);
            ITask(task).recordConfirmation(provider);
            vm.expectRevert(err);
            ITask(task).recordCancellation();
            vm.expectRevert(err);
            ITask(task).recordSettlement();
            vm.expectRevert(err);
            ITask(task).recordLapse(provider);
            vm.stopPrank();
        }
    }

    function test_taskImplementation_refusesEveryone() public {
        bytes memory err = abi.encodeWithSelector(ITask.NotTaskNexus.selector, address(nexus));
        vm.startPrank(address(nexus));
        vm.expectRevert(err);
        taskImpl.recordAttempt(provider, master, 0);
        vm.expectRevert(err);
        taskImpl.recordCancellation();
        vm.stopPrank();
    }

    function test_foreignTask_obeysItsDeployerOnly() public {
        // Nexus cannot drive a clone it did not create
        vm.expectRevert(abi.encodeWithSelector(ITask.NotTaskNexus.selector, address(nexus)));
        vm.prank(address(nexus));
        ITask(foreignTask).recordAttempt(provider, master, 0);
        // its deployer can, which is harmless: Nexus never pays or escrows for it
        ITask(foreignTask).recordAttempt(provider, master, 0);
        assertEq(uint8(ITask(foreignTask).attemptOf(provider).state), uint8(AttemptState.LIVE));
        assertEq(uint8(ITask(task).attemptOf(provider).state), uint8(AttemptState.NONE));
        // the etched copy answers to nobody: its address is nobody's prediction
        vm.expectRevert(abi.encodeWithSelector(ITask.NotTaskNexus.selector, address(nexus)));
        vm.prank(address(nexus));
        ITask(etchedTask).recordAttempt(provider, master, 0);
    }

    // ================================================================ NotSourceNexus

    function test_sourceMutators_onlyTheirNexus() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        address[5] memory callers = [stranger, client, owner, provider, address(this)];
        for (uint256 i; i < callers.length; ++i) {
            address c = callers[i];
            bytes memory err = abi.encodeWithSelector(ISource.NotSourceNexus.selector, c);
            vm.startPrank(c);
            vm.expectRevert(err);
            ISource(source).initialize(p);
            vm.expectRevert(err);
            ISource(source).update(p);
            vm.expectRevert(err);
            ISource(source).setStatus(SourceStatus.INACTIVE);
            vm.expectRevert(err);
            ISource(source).addRegistrant(c, ENV_CPU);
            vm.expectRevert(err);
            ISource(source).removeRegistrant(provider);
            vm.stopPrank();
        }
    }

    function test_source_initializeOnlyOnce() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        vm.expectRevert(abi.encodeWithSelector(ISource.AlreadyInitialized.selector, source));
        vm.prank(address(nexus));
        ISource(source).initialize(p);
    }

    function test_foreignSource_obeysItsDeployerOnly() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        vm.expectRevert(abi.encodeWithSelector(ISource.NotSourceNexus.selector, address(nexus)));
        vm.prank(address(nexus));
        ISource(foreignSource).initialize(p);
        ISource(foreignSource).initialize(p);
        assertEq(ISource(foreignSource).client(), client);
        assertFalse(nexus.isSource(foreignSource));
        vm.expectRevert(abi.encodeWithSelector(ISource.NotSourceNexus.selector, address(nexus)));
        vm.prank(address(nexus));
        sourceImpl.initialize(p);
    }
}
