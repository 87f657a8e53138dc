// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NexusFixture} from "./helpers/NexusFixture.sol";
import {termsSeenOf} from "./helpers/TermsSeenOf.sol";
import {predictTaskAddress} from "./helpers/PredictTaskAddress.sol";
import {INexus} from "../../contracts/interfaces/INexus.sol";
import {ISource} from "../../contracts/interfaces/ISource.sol";
import {ITask} from "../../contracts/interfaces/ITask.sol";
import {
    DeliveryMethod,
    SourceParams,
    SourceStatus,
    TaskTerms,
    TermsSeen,
    AGENT_CLIENT,
    UNLIMITED_ALLOWANCE
} from "../../contracts/types/NexusTypes.sol";

/// @notice Safety 3 of 3, bound terms (docs/PROTOCOL.md "Bound terms"): a task is published on the terms its client
/// saw, or not at all. Each front-run below is the attacker's transaction mined first, then the client's, built
/// from what the client read before.
contract BoundTermsTest is NexusFixture {
    address internal sourceOwner = makeAddr("sourceOwner");
    address internal source;

    function setUp() public override {
        super.setUp();
        SourceParams memory p = _defaultParams(DeliveryMethod.MANUAL_CONFIRMATION);
        source = _publishSource(sourceOwner, p);
    }

    /// What a source owner front-running a MANUAL task would switch it to: paid on first bytes, no penalty, 12 h.
    function _colludingParams() internal view returns (SourceParams memory p) {
        p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.lapsePenalty = 0;
        p.attemptTimeout = 12 hours;
    }

    function _publishAs(address by, TermsSeen memory seen, uint64 salt) internal returns (address) {
        vm.prank(by);
        return nexus.publishTask{value: PAYMENT}(by, source, CONFIG_URI, CONFIG_HASH, _now() + EXPIRY_IN, PAYMENT, salt, seen);
    }

    // ------------------------------------------------------------ the attacks of the issue

    /// Attack 1: the owner's update lands between the client's read (and simulation) and its transaction.
    function test_sourceOwnerFrontRun_updateRevertsTheClientsPublish() public {
        TermsSeen memory seen = termsSeenOf(nexus, source);
        TaskTerms memory simulated = _termsFor(client, source, _now() + EXPIRY_IN, PAYMENT, 7);
        address simulatedAt = predictTaskAddress(nexus, simulated);
        uint256 clientBefore = client.balance;

        vm.prank(sourceOwner);
        nexus.updateSource(source, _colludingParams());

        vm.expectRevert(abi.encodeWithSelector(INexus.SourceChanged.selector, source, 1, 2));
        _publishAs(client, seen, 7);
        // Nothing happened: no task on any terms, no money moved.
        assertEq(client.balance, clientBefore, "client's ether");
        assertEq(vault.balanceOf(client), 0, "client's vault balance");
        assertFalse(nexus.isTask(simulatedAt), "the simulated task");
        assertFalse(nexus.isTask(predictTaskAddress(nexus, _termsFor(client, source, _now() + EXPIRY_IN, PAYMENT, 7))));
    }

    /// Attack 1, the fee: the protocol owner raises the fee (within its cap) just before the client's publish.
    function test_feeFrontRun_revertsTheClientsPublish() public {
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(owner);
        nexus.setFee(1_000);
        vm.expectRevert(abi.encodeWithSelector(INexus.FeeChanged.selector, FEE_BPS, 1_000));
        _publishAs(client, seen, 7);
    }

    /// The same front-run against a client's agent, which publishes from the client's balance.
    function test_sourceOwnerFrontRun_revertsAnAgentsPublish() public {
        vm.prank(client);
        nexus.deposit{value: PAYMENT}(client);
        vm.prank(client);
        nexus.grantAgent(agent, AGENT_CLIENT, UNLIMITED_ALLOWANCE);
        TermsSeen memory seen = termsSeenOf(nexus, source);

        vm.prank(sourceOwner);
        nexus.updateSource(source, _colludingParams());

        vm.expectRevert(abi.encodeWithSelector(INexus.SourceChanged.selector, source, 1, 2));
        vm.prank(agent);
        nexus.publishTask(client, source, CONFIG_URI, CONFIG_HASH, _now() + EXPIRY_IN, PAYMENT, 7, seen);
        assertEq(vault.balanceOf(client), PAYMENT, "the client's balance is untouched");
    }

    /// Attack 3: which handler a task was published for is part of its terms, and an update does not change it.
    function test_taskRecordsTheSourceVersionItWasPublishedUnder() public {
        address first = _publishAs(client, termsSeenOf(nexus, source), 1);
        SourceParams memory p = _defaultParams(DeliveryMethod.MANUAL_CONFIRMATION);
        p.metadataUri = "ipfs://handler-v2";
        p.metadataHash = keccak256("handler v2");
        _expectEmit();
        emit SourceUpdated(source, sourceOwner, 2, p);
        vm.prank(sourceOwner);
        nexus.updateSource(source, p);
        address second = _publishAs(client, termsSeenOf(nexus, source), 2);

        assertEq(ITask(first).terms().sourceVersion, 1, "published under version 1");
        assertEq(ITask(second).terms().sourceVersion, 2, "published under version 2");
        assertEq(ISource(source).version(), 2);
        assertEq(ISource(source).sourceTerms().version, 2);
    }

    // ------------------------------------------------------------ what does and does not move the version

    /// The tests' helper reads storage (so that it leaves a test's prank alone); it must say what the views say.
    function test_termsSeenOfHelper_matchesTheViews() public {
        vm.prank(sourceOwner);
        nexus.updateSource(source, _colludingParams());
        vm.prank(owner);
        nexus.setFee(777);
        TermsSeen memory seen = termsSeenOf(nexus, source);
        assertEq(seen.sourceVersion, ISource(source).version());
        assertEq(seen.sourceVersion, 2);
        assertEq(seen.feeBps, nexus.feeBps());
        assertEq(seen.feeBps, 777);
    }

    function test_version_startsAtOne_andCountsEveryUpdate() public {
        assertEq(ISource(source).version(), 1);
        for (uint32 v = 2; v < 5; ++v) {
            vm.prank(sourceOwner);
            nexus.updateSource(source, _defaultParams(DeliveryMethod.MANUAL_CONFIRMATION));
            // Even an update that changes nothing: the client cannot tell it from one that does.
            assertEq(ISource(source).version(), v);
        }
    }

    /// A status switch is no change of terms: a client that saw the source before a pause publishes after it.
    function test_statusSwitch_keepsTheVersion() public {
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.startPrank(sourceOwner);
        nexus.setSourceStatus(source, SourceStatus.INACTIVE);
        nexus.setSourceStatus(source, SourceStatus.ACTIVE);
        vm.stopPrank();
        address task = _publishAs(client, seen, 1);
        assertTrue(nexus.isTask(task));
    }

    /// Any version or fee but the current one is refused, and names what the client saw and what it is now.
    function testFuzz_publish_onlyOnTheTermsSeen(uint32 sourceVersion, uint16 feeBps) public {
        TermsSeen memory current = termsSeenOf(nexus, source);
        vm.assume(sourceVersion != current.sourceVersion || feeBps != current.feeBps);
        if (sourceVersion != current.sourceVersion) {
            vm.expectRevert(abi.encodeWithSelector(INexus.SourceChanged.selector, source, sourceVersion, current.sourceVersion));
        } else {
            vm.expectRevert(abi.encodeWithSelector(INexus.FeeChanged.selector, feeBps, current.feeBps));
        }
        _publishAs(client, TermsSeen({sourceVersion: sourceVersion, feeBps: feeBps}), 1);
    }
}
