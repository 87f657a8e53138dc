// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NexusSetup} from "./utils/NexusSetup.sol";
import {IVault} from "../../../contracts/interfaces/IVault.sol";
import {
    DeliveryMethod,
    SourceParams,
    MAX_ATTEMPT_TIMEOUT,
    MAX_UNBONDING_PERIOD,
    MIN_UNBONDING_PERIOD
} from "../../../contracts/types/NexusTypes.sol";

/// @notice docs/PROTOCOL.md §4: unbonding right after attempting does not escape the lapse penalty. The stake that
/// backs an attempt stays slashable until the attempt's deadline has passed, because every attempt is shorter than
/// any unbonding (attemptTimeout <= MAX_ATTEMPT_TIMEOUT < MIN_UNBONDING_PERIOD <= unbonding period), whatever the
/// owner sets the period to in between.
contract LapseEscapeFuzzTest is NexusSetup {
    function setUp() public {
        _deploy(0);
    }

    function testFuzz_unbondingAfterAttemptingDoesNotEscapeThePenalty(
        uint32 timeoutSeed,
        uint64 periodSeed,
        uint256 stakeSeed,
        uint256 unbondDelaySeed
    ) public {
        SourceParams memory p = _params(DeliveryMethod.MANUAL_CONFIRMATION);
        p.attemptTimeout = uint32(bound(timeoutSeed, 1, MAX_ATTEMPT_TIMEOUT));
        p.maxExpiryDuration = 60 days;
        p.minAvailableLockup = 1 ether;
        p.lapsePenalty = 1 ether;
        address source = _publishSource(client, p);
        _pair(master, provider);
        uint256 stake = bound(stakeSeed, 1 ether, 100 ether);
        _stake(master, stake);
        _register(source, provider);
        address task = _publishTask(client, source, uint64(block.timestamp + 60 days), 1 ether, 1 ether);
        uint40 deadline = _attempt(task, provider, 0);

        // The owner shortens the unbonding period as far as it can go, then the master takes its stake out.
        vm.prank(owner);
        nexus.setUnbondingPeriod(uint64(bound(periodSeed, MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD)));
        vm.warp(bound(unbondDelaySeed, block.timestamp, deadline - 1));
        vm.startPrank(master);
        nexus.unbond(stake);
        uint64 maturesAt = vault.stakeOf(master).unbondingMaturesAt;
        assertGt(maturesAt, deadline, "an unbonding started during an attempt matures after its deadline");

        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IVault.UnbondingNotMatured.selector, master, maturesAt));
        nexus.claim();
        vm.stopPrank();

        vm.prank(anyone);
        nexus.reportLapse(task, provider);
        assertEq(vault.balanceOf(client), p.lapsePenalty, "the lapse penalty reached the client");
        assertEq(vault.stakeOf(master).unbonding, stake - p.lapsePenalty, "taken from the unbonding");
    }
}
