// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NexusFixture} from "./helpers/NexusFixture.sol";
import {INexus} from "../../contracts/interfaces/INexus.sol";
import {IProviderRegistry} from "../../contracts/interfaces/IProviderRegistry.sol";
import {ITask} from "../../contracts/interfaces/ITask.sol";
import {IVault} from "../../contracts/interfaces/IVault.sol";
import {
    AgentGrant,
    DeliveryMethod,
    SourceParams,
    TermsSeen,
    AGENT_CLIENT,
    AGENT_OPERATOR,
    ALL_AGENT_SCOPES,
    UNLIMITED_ALLOWANCE,
    ENV_CPU
} from "../../contracts/types/NexusTypes.sol";
import {termsSeenOf} from "./helpers/TermsSeenOf.sol";

/// @notice docs/PROTOCOL.md "Agents": an agent acts for its principal only in the scopes granted, and spends at
/// most the allowance granted of the principal's balance.
contract AgentScopesTest is NexusFixture {
    address internal accomplice = makeAddr("accomplice");
    address internal accompliceMaster = makeAddr("accompliceMaster");

    function _grant(address principal, address agent_, uint8 scopes, uint96 allowance) internal {
        vm.prank(principal);
        nexus.grantAgent(agent_, scopes, allowance);
    }

    function _publishFor(address by, address principal, address source, uint256 value, uint64 salt)
        internal
        returns (address)
    {
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(by);
        return nexus.publishTask{value: value}(
            principal, source, CONFIG_URI, CONFIG_HASH, _now() + EXPIRY_IN, PAYMENT, salt, seen
        );
    }

    // ---------------------------------------------------------------- the attack on main before scopes

    /// The master set an agent to run its node. The agent publishes a task worth the master's earnings, for the
    /// master, on its own FIRST_RESPONSE source, and an accomplice answers it: refused, nothing moves.
    function test_operatorAgent_cannotSpendTheMastersEarnings() public {
        address source = _publishFirstResponseSource();
        _setupProvider(source, provider, master);
        _grant(master, agent, AGENT_OPERATOR, 0);
        // The master earns a payment.
        address paid = _publishTask(source);
        _attempt(paid, provider);
        _respond(paid, provider, PAYMENT);
        uint256 earnings = vault.balanceOf(master);
        assertGt(earnings, 0);

        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.minAvailableLockup = 0;
        p.lapsePenalty = 0;
        address agentsSource = _publishSource(agent, p);
        vm.deal(accompliceMaster, STAKE);
        _setupProvider(agentsSource, accomplice, accompliceMaster);

        TermsSeen memory seen = termsSeenOf(nexus, agentsSource);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.MissingAgentScope.selector, master, agent, AGENT_CLIENT)
        );
        vm.prank(agent);
        nexus.publishTask(master, agentsSource, CONFIG_URI, CONFIG_HASH, _now() + EXPIRY_IN, earnings, 7, seen);
        assertEq(vault.balanceOf(master), earnings, "the master's earnings stay");

        // Still the node's operator: it attempts for the master's provider.
        address next = _publishTask(source);
        vm.prank(agent);
        nexus.attempt(next, provider, 0);
    }

    /// A client's agent cannot run the client's providers, should the client also be a master.
    function test_clientAgent_cannotOperateTheProviders() public {
        address source = _publishFirstResponseSource();
        _setupProvider(source, provider, master);
        _grant(master, agent, AGENT_CLIENT, UNLIMITED_ALLOWANCE);
        bytes memory err =
            abi.encodeWithSelector(IProviderRegistry.MissingAgentScope.selector, master, agent, AGENT_OPERATOR);
        address t = _publishTask(source);
        vm.startPrank(agent);
        vm.expectRevert(err);
        nexus.attempt(t, provider, 0);
        vm.expectRevert(err);
        nexus.unregister(source, provider);
        vm.expectRevert(err);
        nexus.register(source, provider, ENV_CPU);
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- the allowance

    function test_allowance_spentDownByDrawsOnTheBalance_thenExhausted() public {
        address source = _publishFirstResponseSource();
        vm.prank(client);
        nexus.deposit{value: 10 ether}(client);
        _grant(client, agent, AGENT_CLIENT, uint96(PAYMENT * 3 / 2));

        _publishFor(agent, client, source, 0, 1);
        assertEq(registry.agentOf(client, agent).allowance, PAYMENT / 2, "one payment drawn");
        assertEq(vault.balanceOf(client), 9 ether);

        // The agent's own value is not the client's money: it spends no allowance.
        _publishFor(agent, client, source, PAYMENT, 2);
        assertEq(registry.agentOf(client, agent).allowance, PAYMENT / 2, "paid with the agent's value");
        assertEq(vault.balanceOf(client), 9 ether);

        // Part value, part balance: only the balance part is drawn.
        _publishFor(agent, client, source, PAYMENT * 3 / 4, 3);
        assertEq(registry.agentOf(client, agent).allowance, PAYMENT / 4);

        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.AllowanceExceeded.selector, client, agent, PAYMENT / 4, PAYMENT
            )
        );
        vm.prank(agent);
        nexus.publishTask(client, source, CONFIG_URI, CONFIG_HASH, _now() + EXPIRY_IN, PAYMENT, 4, seen);
        assertEq(vault.balanceOf(client), 9 ether - PAYMENT / 4, "a refused draw takes nothing");

        // The client itself is never limited by its agents' allowances.
        vm.prank(client);
        nexus.publishTask(client, source, CONFIG_URI, CONFIG_HASH, _now() + EXPIRY_IN, PAYMENT, 5, seen);
    }

    function test_allowance_zeroAllowsOnlyTheAgentsOwnValue() public {
        address source = _publishFirstResponseSource();
        vm.prank(client);
        nexus.deposit{value: 10 ether}(client);
        _grant(client, agent, AGENT_CLIENT, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.AllowanceExceeded.selector, client, agent, 0, PAYMENT - 1)
        );
        _publishFor(agent, client, source, 1, 1);
        address t = _publishFor(agent, client, source, PAYMENT, 2);
        assertEq(ITask(t).terms().client, client);
        assertEq(vault.balanceOf(client), 10 ether);
    }

    function test_allowance_unlimitedNeverDecreases() public {
        address source = _publishFirstResponseSource();
        vm.prank(client);
        nexus.deposit{value: 10 ether}(client);
        _grant(client, agent, AGENT_CLIENT, UNLIMITED_ALLOWANCE);
        _publishFor(agent, client, source, 0, 1);
        _publishFor(agent, client, source, 0, 2);
        assertEq(registry.agentOf(client, agent).allowance, UNLIMITED_ALLOWANCE);
        assertEq(vault.balanceOf(client), 8 ether);
    }

    function test_allowance_aNewGrantReplacesTheOld() public {
        address source = _publishFirstResponseSource();
        vm.prank(client);
        nexus.deposit{value: 10 ether}(client);
        _grant(client, agent, AGENT_CLIENT, uint96(PAYMENT));
        _publishFor(agent, client, source, 0, 1);
        _grant(client, agent, AGENT_CLIENT, uint96(2 * PAYMENT));
        _publishFor(agent, client, source, 0, 2);
        _publishFor(agent, client, source, 0, 3);
        assertEq(registry.agentOf(client, agent).allowance, 0);
    }

    // ---------------------------------------------------------------- grants

    function test_grantAgent_emitsAndStores() public {
        _expectEmit();
        emit AgentGranted(client, agent, AGENT_CLIENT, 5 ether);
        _grant(client, agent, AGENT_CLIENT, 5 ether);
        AgentGrant memory g = registry.agentOf(client, agent);
        assertEq(g.scopes, AGENT_CLIENT);
        assertEq(g.allowance, 5 ether);
        assertEq(registry.agentOf(master, agent).scopes, 0, "per principal");
    }

    function test_grantAgent_zeroScopesRevokesAndDropsTheAllowance() public {
        address source = _publishFirstResponseSource();
        _grant(client, agent, ALL_AGENT_SCOPES, UNLIMITED_ALLOWANCE);
        _expectEmit();
        emit AgentGranted(client, agent, 0, 0);
        _grant(client, agent, 0, 5 ether);
        assertEq(registry.agentOf(client, agent).allowance, 0);
        vm.expectRevert(abi.encodeWithSelector(INexus.Unauthorized.selector, agent, client));
        _publishFor(agent, client, source, PAYMENT, 1);
    }

    function test_grantAgent_revertsOnUnknownScopeBits() public {
        for (uint256 bit = 2; bit < 8; ++bit) {
            uint8 scopes = uint8(1 << bit);
            vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.InvalidAgentScopes.selector, scopes));
            _grant(client, agent, scopes, 0);
        }
    }

    /// An agent holding every scope still cannot grant agents for its principal: a grant is the caller's own.
    function test_grantAgent_byAnAgentGrantsForTheAgentOnly() public {
        _grant(client, agent, ALL_AGENT_SCOPES, UNLIMITED_ALLOWANCE);
        _grant(agent, stranger, ALL_AGENT_SCOPES, UNLIMITED_ALLOWANCE);
        assertEq(registry.agentOf(client, stranger).scopes, 0);
        assertEq(registry.agentOf(agent, stranger).scopes, ALL_AGENT_SCOPES);
    }

    /// An agent with every scope and an unlimited allowance moves nothing out of the principal's accounts: the
    /// vault calls act on the caller's own balance and stake.
    function test_widestAgent_cannotWithdrawLockUnbondOrClaimForItsPrincipal() public {
        _stake(master, STAKE);
        vm.prank(master);
        nexus.deposit{value: 1 ether}(master);
        vm.prank(master);
        nexus.unbond(0.5 ether);
        _grant(master, agent, ALL_AGENT_SCOPES, UNLIMITED_ALLOWANCE);
        uint256 agentBalance = vault.balanceOf(agent);
        bytes memory noBalance = abi.encodeWithSelector(IVault.InsufficientBalance.selector, agent, 0, 1 ether);
        vm.startPrank(agent);
        vm.expectRevert(noBalance);
        nexus.withdraw(1 ether);
        vm.expectRevert(noBalance);
        nexus.withdrawTo(agent, 1 ether);
        vm.expectRevert(noBalance);
        nexus.lock(1 ether);
        vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientFreeLockup.selector, agent, 0, 1 ether));
        nexus.unbond(1 ether);
        vm.expectRevert(abi.encodeWithSelector(IVault.NothingUnbonding.selector, agent));
        nexus.claim();
        vm.expectRevert(abi.encodeWithSelector(IVault.NothingUnbonding.selector, agent));
        nexus.cancelUnbonding();
        vm.stopPrank();
        assertEq(vault.balanceOf(master), 1 ether);
        assertEq(vault.lockupOf(master), STAKE - 0.5 ether);
        assertEq(vault.stakeOf(master).unbonding, 0.5 ether);
        assertEq(vault.balanceOf(agent), agentBalance);
    }

    // ---------------------------------------------------------------- fuzz

    /// Whatever the allowance and the mix of value and balance, an agent draws at most its allowance from the
    /// principal's balance, and the allowance goes down by exactly what it drew.
    function testFuzz_agentDrawsAtMostItsAllowance(uint96 allowance, uint256 value, uint256 payment) public {
        address source = _publishFirstResponseSource();
        vm.prank(client);
        nexus.deposit{value: 100 ether}(client);
        allowance = uint96(bound(allowance, 0, 100 ether));
        payment = bound(payment, MIN_PAYMENT, 50 ether);
        value = bound(value, 0, payment);
        _grant(client, agent, AGENT_CLIENT, allowance);
        uint256 drawn = payment - value;
        vm.deal(agent, value);
        vm.prank(agent);
        if (drawn > allowance) {
            vm.expectRevert(
                abi.encodeWithSelector(IProviderRegistry.AllowanceExceeded.selector, client, agent, allowance, drawn)
            );
        }
        nexus.publishTask{value: value}(client, source, CONFIG_URI, CONFIG_HASH, _now() + EXPIRY_IN, payment, 1, termsSeenOf(nexus, source));
        if (drawn > allowance) {
            assertEq(vault.balanceOf(client), 100 ether);
            assertEq(registry.agentOf(client, agent).allowance, allowance);
        } else {
            assertEq(vault.balanceOf(client), 100 ether - drawn);
            assertEq(registry.agentOf(client, agent).allowance, allowance - drawn);
        }
    }
}
