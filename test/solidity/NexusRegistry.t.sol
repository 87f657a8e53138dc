// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NexusFixture} from "./helpers/NexusFixture.sol";
import {INexus} from "../../contracts/interfaces/INexus.sol";
import {IProviderRegistry} from "../../contracts/interfaces/IProviderRegistry.sol";
import {ITask} from "../../contracts/interfaces/ITask.sol";
import {Pairing, TaskStatus, TermsSeen, ENV_CPU} from "../../contracts/types/NexusTypes.sol";
import {ALL_AGENT_SCOPES, UNLIMITED_ALLOWANCE} from "../../contracts/types/NexusTypes.sol";
import {termsSeenOf} from "./helpers/TermsSeenOf.sol";

/// @notice Two-sided pairing, agents, provider info, and the registry's direct-call guards.
contract NexusRegistryTest is NexusFixture {
    function _announced(address master_, address provider_) internal view returns (bool announced) {
        (announced,) = registry.announcementOf(master_, provider_);
    }

    function _assertPairing(address provider_, address announcedMaster, bool paired) internal view {
        Pairing memory p = registry.pairingOf(provider_);
        assertEq(p.master, announcedMaster, "announced master");
        assertEq(p.paired, paired, "paired");
        assertEq(registry.masterOf(provider_), paired ? announcedMaster : address(0), "masterOf");
    }

    // ================================================================ pairing

    function test_pairing_masterFirstThenProvider() public {
        _expectEmit();
        emit ProviderAnnounced(master, provider, type(uint88).max, false);
        vm.prank(master);
        nexus.announceProvider(provider, type(uint88).max);
        assertTrue(_announced(master, provider));
        _assertPairing(provider, address(0), false);

        _expectEmit();
        emit MasterAnnounced(provider, master, true);
        vm.prank(provider);
        nexus.announceMaster(master);
        _assertPairing(provider, master, true);
    }

    function test_pairing_providerFirstThenMaster() public {
        _expectEmit();
        emit MasterAnnounced(provider, master, false);
        vm.prank(provider);
        nexus.announceMaster(master);
        _assertPairing(provider, master, false);
        assertFalse(_announced(master, provider));

        _expectEmit();
        emit ProviderAnnounced(master, provider, type(uint88).max, true);
        vm.prank(master);
        nexus.announceProvider(provider, type(uint88).max);
        _assertPairing(provider, master, true);
    }

    function test_pairing_oneMasterManyProviders() public {
        _pair(master, provider);
        _pair(master, provider2);
        assertEq(registry.masterOf(provider), master);
        assertEq(registry.masterOf(provider2), master);
    }

    function test_pairing_announcementByAnotherMasterDoesNotPair() public {
        vm.prank(provider);
        nexus.announceMaster(master);
        _expectEmit();
        emit ProviderAnnounced(master2, provider, type(uint88).max, false);
        vm.prank(master2);
        nexus.announceProvider(provider, type(uint88).max);
        _assertPairing(provider, master, false);
    }

    function test_announceProvider_revertsOnZero() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.ZeroAddress.selector));
        vm.prank(master);
        nexus.announceProvider(address(0), 0);
    }

    function test_announceMaster_revertsOnZero() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.ZeroAddress.selector));
        vm.prank(provider);
        nexus.announceMaster(address(0));
    }

    // ---------------------------------------------------------------- revocation, master side

    function test_revokeProvider_unpairs_emits_andCanRepair() public {
        _pair(master, provider);
        _expectEmit();
        emit ProviderRevoked(master, provider);
        vm.prank(master);
        nexus.revokeProvider(provider);
        assertFalse(_announced(master, provider));
        _assertPairing(provider, master, false);

        // the provider's side still stands: a new announcement by the master pairs again
        _expectEmit();
        emit ProviderAnnounced(master, provider, type(uint88).max, true);
        vm.prank(master);
        nexus.announceProvider(provider, type(uint88).max);
        _assertPairing(provider, master, true);
    }

    function test_revokeProvider_revertsWhenNotAnnounced() public {
        _pair(master, provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.ProviderNotAnnounced.selector, master2, provider));
        vm.prank(master2);
        nexus.revokeProvider(provider);
        _assertPairing(provider, master, true);
    }

    function test_revokeProvider_byOtherAnnouncingMasterLeavesPairingIntact() public {
        _pair(master, provider);
        vm.prank(master2);
        nexus.announceProvider(provider, type(uint88).max);
        vm.prank(master2);
        nexus.revokeProvider(provider);
        _assertPairing(provider, master, true);
    }

    function test_revokeProvider_blocksProviderActions() public {
        address source = _publishFirstResponseSource();
        _setupProvider(source, provider, master);
        address task = _publishTask(source);
        vm.prank(master);
        nexus.revokeProvider(provider);
        vm.expectRevert(abi.encodeWithSelector(INexus.ProviderNotPaired.selector, provider));
        vm.prank(provider);
        nexus.attempt(task, provider, 0);
    }

    // ---------------------------------------------------------------- revocation, provider side

    function test_revokeMaster_unpairs_emits_andCanRepair() public {
        _pair(master, provider);
        _expectEmit();
        emit MasterRevoked(provider, master);
        vm.prank(provider);
        nexus.revokeMaster();
        _assertPairing(provider, address(0), false);
        assertTrue(_announced(master, provider), "master side untouched");

        _expectEmit();
        emit MasterAnnounced(provider, master, true);
        vm.prank(provider);
        nexus.announceMaster(master);
        _assertPairing(provider, master, true);
    }

    function test_revokeMaster_ofUnconfirmedAnnouncement() public {
        vm.prank(provider);
        nexus.announceMaster(master);
        _expectEmit();
        emit MasterRevoked(provider, master);
        vm.prank(provider);
        nexus.revokeMaster();
        _assertPairing(provider, address(0), false);
    }

    function test_revokeMaster_revertsWithoutMaster() public {
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.NoMasterAnnounced.selector, provider));
        vm.prank(provider);
        nexus.revokeMaster();
        _pair(master, provider);
        vm.prank(provider);
        nexus.revokeMaster();
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.NoMasterAnnounced.selector, provider));
        vm.prank(provider);
        nexus.revokeMaster();
    }

    function test_switchMaster_unpairsUntilNewMasterAnnounces() public {
        _pair(master, provider);
        _expectEmit();
        emit MasterAnnounced(provider, master2, false);
        vm.prank(provider);
        nexus.announceMaster(master2);
        _assertPairing(provider, master2, false);
        _expectEmit();
        emit ProviderAnnounced(master2, provider, type(uint88).max, true);
        vm.prank(master2);
        nexus.announceProvider(provider, type(uint88).max);
        _assertPairing(provider, master2, true);
    }

    function test_payoutGoesToTheMasterThatBackedTheAttempt() public {
        address source = _publishFirstResponseSource();
        _setupProvider(source, provider, master);
        _stake(master2, STAKE);
        address task = _publishTask(source);
        _attempt(task, provider);
        _pair(master2, provider); // re-pairing after the attempt does not redirect its payout
        assertEq(ITask(task).attemptOf(provider).master, master);
        _respond(task, provider, 0);
        assertEq(vault.balanceOf(master), PAYMENT - _fee(PAYMENT));
        assertEq(vault.balanceOf(master2), 0);
    }

    // ================================================================ agents

    function test_grantAgent_setsAndRevokes_emits() public {
        _expectEmit();
        emit AgentGranted(client, agent, ALL_AGENT_SCOPES, UNLIMITED_ALLOWANCE);
        vm.prank(client);
        nexus.grantAgent(agent, ALL_AGENT_SCOPES, UNLIMITED_ALLOWANCE);
        assertTrue((registry.agentOf(client, agent).scopes != 0));
        assertFalse((registry.agentOf(master, agent).scopes != 0));

        _expectEmit();
        emit AgentGranted(client, agent, 0, 0);
        vm.prank(client);
        nexus.grantAgent(agent, 0, 0);
        assertFalse((registry.agentOf(client, agent).scopes != 0));
    }

    function test_grantAgent_revertsOnZero() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.ZeroAddress.selector));
        vm.prank(client);
        nexus.grantAgent(address(0), ALL_AGENT_SCOPES, 0);
    }

    function test_agent_actsForClient_untilRevoked() public {
        address source = _publishManualSource();
        _setupProvider(source, provider, master);
        _grantAllScopes(client, agent);
        uint64 expiry = _now() + EXPIRY_IN;

        vm.startPrank(agent);
        address t1 = nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 1, termsSeenOf(nexus, source));
        address t2 = nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 2, termsSeenOf(nexus, source));
        address t3 = nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 3, termsSeenOf(nexus, source));
        nexus.cancelTask(t1);
        vm.stopPrank();
        _attempt(t2, provider);
        _respond(t2, provider, PAYMENT);
        _attempt(t3, provider);
        _respond(t3, provider, PAYMENT);
        vm.prank(agent);
        nexus.confirmResponse(t2, provider);
        assertEq(uint8(ITask(t1).status()), uint8(TaskStatus.CANCELED));
        assertEq(uint8(ITask(t2).status()), uint8(TaskStatus.FINALIZED));

        vm.prank(client);
        nexus.grantAgent(agent, 0, 0);
        bytes memory err = abi.encodeWithSelector(INexus.Unauthorized.selector, agent, client);
        vm.startPrank(agent);
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.expectRevert(err);
        nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 4, seen);
        vm.expectRevert(err);
        nexus.confirmResponse(t3, provider);
        vm.expectRevert(err);
        nexus.cancelTask(t3);
        vm.stopPrank();
    }

    function test_agent_actsForMaster_untilRevoked() public {
        address source = _publishFirstResponseSource();
        _pair(master, provider);
        _stake(master, STAKE);
        _grantAllScopes(master, agent);
        address task = _publishTask(source);

        vm.startPrank(agent);
        nexus.register(source, provider, ENV_CPU);
        nexus.attempt(task, provider, 0);
        nexus.unregister(source, provider);
        nexus.register(source, provider, ENV_CPU);
        vm.stopPrank();

        vm.prank(master);
        nexus.grantAgent(agent, 0, 0);
        address task2 = _publishTask(source);
        bytes memory err = abi.encodeWithSelector(INexus.Unauthorized.selector, agent, master);
        vm.startPrank(agent);
        vm.expectRevert(err);
        nexus.attempt(task2, provider, 0);
        vm.expectRevert(err);
        nexus.unregister(source, provider);
        vm.stopPrank();
    }

    function test_agent_ofMasterCannotActForClientNorProviderInfo() public {
        address source = _publishFirstResponseSource();
        _pair(master, provider);
        _grantAllScopes(master, agent);
        address task = _publishTask(source);
        vm.expectRevert(abi.encodeWithSelector(INexus.Unauthorized.selector, agent, client));
        vm.prank(agent);
        nexus.cancelTask(task);
        vm.expectRevert(abi.encodeWithSelector(INexus.Unauthorized.selector, agent, provider));
        vm.prank(agent);
        nexus.setProviderInfo(provider, "x");
    }

    // ================================================================ provider info

    function test_setProviderInfo_byProviderAndByMaster() public {
        _pair(master, provider);
        _expectEmit();
        emit ProviderInfoSet(provider, provider, "ipfs://QmInfo1");
        vm.prank(provider);
        nexus.setProviderInfo(provider, "ipfs://QmInfo1");
        assertEq(registry.providerInfoUri(provider), "ipfs://QmInfo1");

        _expectEmit();
        emit ProviderInfoSet(provider, master, "ipfs://QmInfo2");
        vm.prank(master);
        nexus.setProviderInfo(provider, "ipfs://QmInfo2");
        assertEq(registry.providerInfoUri(provider), "ipfs://QmInfo2");
    }

    function test_setProviderInfo_unpairedProviderMaySetItsOwn() public {
        vm.prank(provider);
        nexus.setProviderInfo(provider, "ipfs://QmSolo");
        assertEq(registry.providerInfoUri(provider), "ipfs://QmSolo");
    }

    function test_setProviderInfo_revertsForStranger() public {
        _pair(master, provider);
        vm.expectRevert(abi.encodeWithSelector(INexus.Unauthorized.selector, stranger, provider));
        vm.prank(stranger);
        nexus.setProviderInfo(provider, "x");
    }

    function test_setProviderInfo_revertsForUnpairedMaster() public {
        vm.prank(master);
        nexus.announceProvider(provider, type(uint88).max); // one-sided
        vm.expectRevert(abi.encodeWithSelector(INexus.Unauthorized.selector, master, provider));
        vm.prank(master);
        nexus.setProviderInfo(provider, "x");
    }

    // ================================================================ direct-call guards

    function test_registryMutators_onlyNexus() public {
        address[4] memory callers = [stranger, owner, master, address(this)];
        for (uint256 i; i < callers.length; ++i) {
            address c = callers[i];
            bytes memory err = abi.encodeWithSelector(IProviderRegistry.NotRegistryNexus.selector, c);
            vm.startPrank(c);
            vm.expectRevert(err);
            registry.announceProvider(c, provider, type(uint88).max);
            vm.expectRevert(err);
            registry.revokeProvider(c, provider);
            vm.expectRevert(err);
            registry.announceMaster(provider, c);
            vm.expectRevert(err);
            registry.revokeMaster(provider);
            vm.expectRevert(err);
            registry.grantAgent(client, c, ALL_AGENT_SCOPES, UNLIMITED_ALLOWANCE);
            vm.expectRevert(err);
            registry.setProviderInfo(provider, "x");
            vm.stopPrank();
        }
    }
}
