// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {NexusFixture} from "./helpers/NexusFixture.sol";
import {INexus} from "../../contracts/interfaces/INexus.sol";
import {IProviderRegistry} from "../../contracts/interfaces/IProviderRegistry.sol";
import {ITask} from "../../contracts/interfaces/ITask.sol";
import {IVault} from "../../contracts/interfaces/IVault.sol";
import {ISource} from "../../contracts/interfaces/ISource.sol";
import {
    AttemptState,
    DeliveryMethod,
    SourceParams,
    SourceStatus,
    TaskStatus,
    TermsSeen,
    AGENT_CLIENT,
    AGENT_OPERATOR,
    UNLIMITED_ALLOWANCE,
    ENV_CPU,
    MIN_UNBONDING_PERIOD
} from "../../contracts/types/NexusTypes.sol";
import {termsSeenOf} from "./helpers/TermsSeenOf.sol";

/// @notice Access-control matrix: every restricted Nexus function, called from every role that must not call it,
/// reverts with the precise error; the roles that may call it succeed. Agents hold one scope each: an agent acts
/// only in the scope its principal granted, and an agent of the wrong scope is told which scope it lacks.
contract AccessControlTest is NexusFixture {
    address internal clientAgent; // the fixture's `agent`: the client's, client scope
    address internal masterAgent = makeAddr("masterAgent"); // master's, operator scope
    address internal master2Agent = makeAddr("master2Agent"); // master2's, operator scope
    address internal clientOperatorAgent = makeAddr("clientOperatorAgent"); // the client's, operator scope only
    address internal masterClientAgent = makeAddr("masterClientAgent"); // master's, client scope only
    address internal revokedAgent = makeAddr("revokedAgent"); // was agent of client and master
    address internal provider3 = makeAddr("provider3"); // paired with master, not registered

    address internal source; // MANUAL, client's
    address internal openTask; // no attempt
    address internal liveTask; // provider holds a live attempt
    address internal respondedTask; // provider responded
    uint64 internal expiry;

    address[] internal roles;

    function setUp() public override {
        super.setUp();
        clientAgent = agent;
        source = _publishManualSource();
        _setupProvider(source, provider, master);
        _setupProvider(source, provider2, master2);
        _pair(master, provider3);
        _grant(client, clientAgent, AGENT_CLIENT);
        _grant(master, masterAgent, AGENT_OPERATOR);
        _grant(master2, master2Agent, AGENT_OPERATOR);
        _grant(client, clientOperatorAgent, AGENT_OPERATOR);
        _grant(master, masterClientAgent, AGENT_CLIENT);
        _grantAllScopes(client, revokedAgent);
        _grantAllScopes(master, revokedAgent);
        vm.prank(client);
        nexus.grantAgent(revokedAgent, 0, 0);
        vm.prank(master);
        nexus.grantAgent(revokedAgent, 0, 0);

        expiry = _now() + EXPIRY_IN;
        openTask = _publishTask(source);
        liveTask = _publishTask(source);
        respondedTask = _publishTask(source);
        _attempt(liveTask, provider);
        _attempt(respondedTask, provider);
        _respond(respondedTask, provider, PAYMENT);

        roles = [
            owner,
            treasury,
            client,
            clientAgent,
            master,
            masterAgent,
            master2,
            master2Agent,
            provider,
            provider2,
            stranger,
            revokedAgent,
            clientOperatorAgent,
            masterClientAgent
        ];
        for (uint256 i; i < roles.length; ++i) {
            vm.deal(roles[i], INITIAL_ETH);
        }
    }

    // ---------------------------------------------------------------- table helpers

    function _allow(address a) internal pure returns (address[] memory r) {
        r = new address[](1);
        r[0] = a;
    }

    function _allow(address a, address b) internal pure returns (address[] memory r) {
        r = new address[](2);
        (r[0], r[1]) = (a, b);
    }

    function _allow(address a, address b, address c) internal pure returns (address[] memory r) {
        r = new address[](3);
        (r[0], r[1], r[2]) = (a, b, c);
    }

    /// @dev Every role not in `allowed`.
    function _rolesExcept(address[] memory allowed) internal view returns (address[] memory out) {
        out = new address[](roles.length);
        uint256 n;
        for (uint256 i; i < roles.length; ++i) {
            bool skip;
            for (uint256 j; j < allowed.length; ++j) {
                if (roles[i] == allowed[j]) skip = true;
            }
            if (!skip) out[n++] = roles[i];
        }
        assembly ("memory-safe") {
            mstore(out, n)
        }
        assertEq(n, roles.length - allowed.length, "allowed callers must be roles");
    }

    function _grant(address principal, address agent_, uint8 scopes) internal {
        vm.prank(principal);
        nexus.grantAgent(agent_, scopes, UNLIMITED_ALLOWANCE);
    }

    function _unauthorized(address caller, address principal) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(INexus.Unauthorized.selector, caller, principal);
    }

    /// @dev The refusal a caller gets when acting for `principal` in `scope`: an agent of the principal holding
    /// another scope is told which scope it lacks; anyone else is not the principal's agent at all.
    function _denied(address caller, address principal, uint8 scope) internal view returns (bytes memory) {
        bool otherScope = (caller == clientOperatorAgent && principal == client && scope == AGENT_CLIENT)
            || (caller == masterClientAgent && principal == master && scope == AGENT_OPERATOR)
            || (caller == clientAgent && principal == client && scope == AGENT_OPERATOR)
            || (caller == masterAgent && principal == master && scope == AGENT_CLIENT);
        if (!otherScope) return _unauthorized(caller, principal);
        return abi.encodeWithSelector(IProviderRegistry.MissingAgentScope.selector, principal, caller, scope);
    }

    function _notOwner(address caller) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, caller);
    }

    // ================================================================ sources: client only (not even its agent)

    function test_matrix_updateSource() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.MANUAL_CONFIRMATION);
        address[] memory denied = _rolesExcept(_allow(client));
        for (uint256 i; i < denied.length; ++i) {
            vm.expectRevert(_unauthorized(denied[i], client));
            vm.prank(denied[i]);
            nexus.updateSource(source, p);
        }
        vm.prank(client);
        nexus.updateSource(source, p);
    }

    function test_matrix_setSourceStatus() public {
        address[] memory denied = _rolesExcept(_allow(client));
        for (uint256 i; i < denied.length; ++i) {
            vm.expectRevert(_unauthorized(denied[i], client));
            vm.prank(denied[i]);
            nexus.setSourceStatus(source, SourceStatus.INACTIVE);
        }
        vm.prank(client);
        nexus.setSourceStatus(source, SourceStatus.INACTIVE);
        assertEq(uint8(ISource(source).status()), uint8(SourceStatus.INACTIVE));
    }

    // ================================================================ registrations: provider, master, master's agent

    function test_matrix_register() public {
        address[] memory denied = _rolesExcept(_allow(provider, master, masterAgent));
        for (uint256 i; i < denied.length; ++i) {
            vm.expectRevert(_denied(denied[i], master, AGENT_OPERATOR));
            vm.prank(denied[i]);
            nexus.register(source, provider3, ENV_CPU);
        }
        // the provider key acting for another provider of the same master is denied too
        vm.expectRevert(_unauthorized(provider, master));
        vm.prank(provider);
        nexus.register(source, provider3, ENV_CPU);

        address[3] memory allowed = [provider3, master, masterAgent];
        for (uint256 i; i < allowed.length; ++i) {
            vm.prank(allowed[i]);
            nexus.register(source, provider3, ENV_CPU);
            assertEq(ISource(source).environmentOf(provider3), ENV_CPU);
            vm.prank(provider3);
            nexus.unregister(source, provider3);
        }
    }

    function test_matrix_unregister() public {
        address[] memory denied = _rolesExcept(_allow(provider, master, masterAgent));
        for (uint256 i; i < denied.length; ++i) {
            vm.expectRevert(_denied(denied[i], master, AGENT_OPERATOR));
            vm.prank(denied[i]);
            nexus.unregister(source, provider);
        }
        address[3] memory allowed = [provider, master, masterAgent];
        for (uint256 i; i < allowed.length; ++i) {
            vm.prank(allowed[i]);
            nexus.unregister(source, provider);
            assertEq(ISource(source).environmentOf(provider), 0);
            _register(source, provider, ENV_CPU);
        }
    }

    // ================================================================ tasks

    function test_matrix_publishTask() public {
        address[] memory denied = _rolesExcept(_allow(client, clientAgent));
        for (uint256 i; i < denied.length; ++i) {
            TermsSeen memory seen = termsSeenOf(nexus, source);
            vm.expectRevert(_denied(denied[i], client, AGENT_CLIENT));
            vm.prank(denied[i]);
            nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 1, seen);
        }
        TermsSeen memory seen2 = termsSeenOf(nexus, source);
        vm.prank(client);
        nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 1, seen2);
        TermsSeen memory seen3 = termsSeenOf(nexus, source);
        vm.prank(clientAgent);
        nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 2, seen3);
    }

    /// A master's earnings are a client balance like any other: only the master and an agent it granted the client
    /// scope may draw on them. Its operator agent, which runs its node, may not (a task worth the whole balance on
    /// the agent's own source, answered by an accomplice, would take them).
    function test_matrix_publishTask_drawingAMastersBalance() public {
        vm.prank(master);
        nexus.deposit{value: 3 * PAYMENT}(master);
        address[] memory denied = _rolesExcept(_allow(master, masterClientAgent));
        for (uint256 i; i < denied.length; ++i) {
            TermsSeen memory seen = termsSeenOf(nexus, source);
            vm.expectRevert(_denied(denied[i], master, AGENT_CLIENT));
            vm.prank(denied[i]);
            nexus.publishTask(master, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 1, seen);
        }
        assertEq(vault.balanceOf(master), 3 * PAYMENT, "nothing drawn by a refused caller");
        TermsSeen memory seen2 = termsSeenOf(nexus, source);
        vm.prank(master);
        nexus.publishTask(master, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 1, seen2);
        TermsSeen memory seen3 = termsSeenOf(nexus, source);
        vm.prank(masterClientAgent);
        nexus.publishTask(master, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 2, seen3);
        assertEq(vault.balanceOf(master), PAYMENT);
    }

    function test_matrix_attempt() public {
        address[] memory denied = _rolesExcept(_allow(provider, master, masterAgent));
        for (uint256 i; i < denied.length; ++i) {
            vm.expectRevert(_denied(denied[i], master, AGENT_OPERATOR));
            vm.prank(denied[i]);
            nexus.attempt(openTask, provider, 0);
        }
        address[3] memory allowed = [provider, master, masterAgent];
        for (uint256 i; i < allowed.length; ++i) {
            address t = _publishTask(source);
            vm.prank(allowed[i]);
            nexus.attempt(t, provider, 0);
            assertEq(uint8(ITask(t).attemptOf(provider).state), uint8(AttemptState.LIVE));
        }
    }

    function test_matrix_submitResponse_onlyTheProviderKey() public {
        address[] memory denied = _rolesExcept(_allow(provider));
        for (uint256 i; i < denied.length; ++i) {
            _commit(liveTask, denied[i], 0);
            _nextBlock();
            vm.expectRevert(abi.encodeWithSelector(ITask.AttemptNotLive.selector, liveTask, denied[i], uint40(0)));
            _reveal(liveTask, denied[i], 0);
        }
        _respond(liveTask, provider, 0);
        assertEq(uint8(ITask(liveTask).status()), uint8(TaskStatus.RESPONDED));
    }

    function test_matrix_confirmResponse() public {
        address[] memory denied = _rolesExcept(_allow(client, clientAgent));
        for (uint256 i; i < denied.length; ++i) {
            vm.expectRevert(_denied(denied[i], client, AGENT_CLIENT));
            vm.prank(denied[i]);
            nexus.confirmResponse(respondedTask, provider);
        }
        vm.prank(clientAgent);
        nexus.confirmResponse(respondedTask, provider);
        assertEq(ITask(respondedTask).winner(), provider);
    }

    function test_matrix_cancelTask() public {
        address[] memory denied = _rolesExcept(_allow(client, clientAgent));
        for (uint256 i; i < denied.length; ++i) {
            vm.expectRevert(_denied(denied[i], client, AGENT_CLIENT));
            vm.prank(denied[i]);
            nexus.cancelTask(openTask);
        }
        vm.prank(client);
        nexus.cancelTask(openTask);
        address other = _publishTask(source);
        vm.prank(clientAgent);
        nexus.cancelTask(other);
        assertEq(uint8(ITask(other).status()), uint8(TaskStatus.CANCELED));
    }

    function test_matrix_settleAndReportLapse_byAnyone() public {
        _stake(master, 5 ether); // covers one lapse penalty per role
        for (uint256 i; i < roles.length; ++i) {
            address t = _publishTask(source);
            _attempt(t, provider);
            vm.warp(_deadline(t, provider));
            vm.prank(roles[i]);
            nexus.reportLapse(t, provider);
            vm.warp(ITask(t).settleableAt());
            vm.prank(roles[i]);
            nexus.settle(t);
            assertEq(uint8(ITask(t).status()), uint8(TaskStatus.EXPIRED));
        }
    }

    // ================================================================ registry

    function test_matrix_setProviderInfo() public {
        address[] memory denied = _rolesExcept(_allow(provider, master));
        for (uint256 i; i < denied.length; ++i) {
            vm.expectRevert(_unauthorized(denied[i], provider));
            vm.prank(denied[i]);
            nexus.setProviderInfo(provider, "ipfs://x");
        }
        vm.prank(provider);
        nexus.setProviderInfo(provider, "ipfs://a");
        vm.prank(master);
        nexus.setProviderInfo(provider, "ipfs://b");
        assertEq(registry.providerInfoUri(provider), "ipfs://b");
    }

    function test_matrix_revokeProvider() public {
        address[] memory denied = _rolesExcept(_allow(master));
        for (uint256 i; i < denied.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(IProviderRegistry.ProviderNotAnnounced.selector, denied[i], provider)
            );
            vm.prank(denied[i]);
            nexus.revokeProvider(provider);
        }
        assertEq(registry.masterOf(provider), master);
        vm.prank(master);
        nexus.revokeProvider(provider);
        assertEq(registry.masterOf(provider), address(0));
    }

    function test_matrix_revokeMaster_actsOnTheCallerOnly() public {
        address[] memory denied = _rolesExcept(_allow(provider, provider2));
        for (uint256 i; i < denied.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.NoMasterAnnounced.selector, denied[i]));
            vm.prank(denied[i]);
            nexus.revokeMaster();
        }
        assertEq(registry.masterOf(provider), master);
        assertEq(registry.masterOf(provider2), master2);
    }

    // ================================================================ admin: owner only

    function test_matrix_ownerFunctions() public {
        address[] memory denied = _rolesExcept(_allow(owner));
        for (uint256 i; i < denied.length; ++i) {
            address c = denied[i];
            vm.startPrank(c);
            vm.expectRevert(_notOwner(c));
            nexus.setFee(0);
            vm.expectRevert(_notOwner(c));
            nexus.setTreasury(c);
            vm.expectRevert(_notOwner(c));
            nexus.setUnbondingPeriod(MIN_UNBONDING_PERIOD);
            vm.expectRevert(_notOwner(c));
            nexus.transferOwnership(c);
            vm.expectRevert(_notOwner(c));
            nexus.renounceOwnership();
            vm.stopPrank();
        }
        assertEq(nexus.owner(), owner);
        assertEq(nexus.feeBps(), FEE_BPS);
        assertEq(nexus.treasury(), treasury);
        assertEq(vault.unbondingPeriod(), UNBONDING_PERIOD);
    }

    function test_matrix_acceptOwnership_onlyPendingOwner() public {
        address candidate = makeAddr("candidate");
        vm.prank(owner);
        nexus.transferOwnership(candidate);
        for (uint256 i; i < roles.length; ++i) {
            vm.expectRevert(_notOwner(roles[i]));
            vm.prank(roles[i]);
            nexus.acceptOwnership();
        }
        vm.prank(candidate);
        nexus.acceptOwnership();
        assertEq(nexus.owner(), candidate);
    }

    // ================================================================ funds: caller-scoped, nobody reaches another account

    function test_matrix_vaultCallsAreScopedToTheCaller() public {
        vm.prank(client);
        nexus.deposit{value: 5 ether}(client);
        vm.prank(master);
        nexus.unbond(0.5 ether);

        address[] memory others = _rolesExcept(_allow(client, master));
        for (uint256 i; i < others.length; ++i) {
            address c = others[i];
            uint256 balance = vault.balanceOf(c);
            uint256 lockup = vault.lockupOf(c);
            vm.startPrank(c);
            vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientBalance.selector, c, balance, 5 ether));
            nexus.withdraw(5 ether);
            vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientBalance.selector, c, balance, 5 ether));
            nexus.withdrawTo(c, 5 ether);
            vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientBalance.selector, c, balance, 5 ether));
            nexus.lock(5 ether);
            vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientFreeLockup.selector, c, lockup, 5 ether));
            nexus.unbond(5 ether);
            vm.expectRevert(abi.encodeWithSelector(IVault.NothingUnbonding.selector, c));
            nexus.cancelUnbonding();
            vm.expectRevert(abi.encodeWithSelector(IVault.NothingUnbonding.selector, c));
            nexus.claim();
            vm.stopPrank();
        }
        assertEq(vault.balanceOf(client), 5 ether);
        assertEq(vault.stakeOf(master).unbonding, 0.5 ether);
        assertEq(vault.lockupOf(master), STAKE - 0.5 ether);
    }
}
