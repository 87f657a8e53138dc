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

/// @notice docs/PROTOCOL.md "Reserved stake": unbonding right after attempting does not escape the lapse penalty.
/// The penalty is reserved when the attempt is made and only the free part of the lockup can unbond, so the stake
/// that backs an attempt stays slashable however the owner sets the unbonding period and however late the lapse
/// is reported.
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

        // The owner shortens the unbonding period as far as it can go, then the master takes all it can out.
        vm.prank(owner);
        nexus.setUnbondingPeriod(uint64(bound(periodSeed, MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD)));
        vm.warp(bound(unbondDelaySeed, block.timestamp, deadline - 1));
        uint256 free = stake - p.lapsePenalty;
        vm.startPrank(master);
        vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientFreeLockup.selector, master, free, stake));
        nexus.unbond(stake);
        if (free != 0) nexus.unbond(free);
        vm.stopPrank();

        // Report long after any unbonding matured: the reservation is still there.
        vm.warp(uint256(deadline) + MAX_UNBONDING_PERIOD + 1);
        if (free != 0) {
            vm.prank(master);
            nexus.claim();
        }
        vm.prank(anyone);
        nexus.reportLapse(task, provider);
        assertEq(vault.balanceOf(client), p.lapsePenalty, "the lapse penalty reached the client");
        assertEq(vault.lockupOf(master), 0, "taken from the reserved lockup");
        assertEq(vault.balanceOf(master), free, "the free part left as it may");
    }
}
