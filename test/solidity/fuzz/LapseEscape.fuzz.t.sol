// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NexusSetup} from "./utils/NexusSetup.sol";
import {DeliveryMethod, SourceParams} from "../../../contracts/types/NexusTypes.sol";

/// @notice docs/PROTOCOL.md §4: "A lapse moves min(lapsePenalty, stake) to the client's balance, taken from the
/// master's lockup first and then from its unbonding (unbonding right after attempting does not escape the
/// penalty)". That holds only while the unbonding has not matured when the lapse becomes reportable. Nothing ties
/// a source's `attemptTimeout` to the Vault's unbonding period (at most 30 days; `attemptTimeout` is any uint32),
/// so a master can attempt, unbond at once, claim and withdraw its whole stake before the attempt's deadline:
/// the lapse then slashes nothing.
///
/// KNOWN FAILING (reported): the test states the documented guarantee; it fails until attempts are bounded by
/// the unbonding period (or the penalty is reserved at attempt time). See the report for the proposed fix.
contract LapseEscapeFuzzTest is NexusSetup {
    function setUp() public {
        _deploy(0);
    }

    function testFuzz_unbondRightAfterAttemptingDoesNotEscapeThePenalty(uint32 timeoutSeed, uint256 stakeSeed)
        public
    {
        SourceParams memory p = _params(DeliveryMethod.MANUAL_CONFIRMATION);
        // Any timeout longer than the unbonding period (7 days here; the cap is 30 days).
        p.attemptTimeout = uint32(bound(timeoutSeed, UNBONDING + 1, 365 days));
        p.maxExpiryDuration = 400 days;
        p.minAvailableLockup = 1 ether;
        p.lapsePenalty = 1 ether;
        address source = _publishSource(client, p);
        _pair(master, provider);
        uint256 stake = bound(stakeSeed, 1 ether, 100 ether);
        _stake(master, stake);
        _register(source, provider);
        address task = _publishTask(client, source, uint64(block.timestamp + 400 days), 1 ether, 1 ether);

        uint40 deadline = _attempt(task, provider, 0);
        // Right after attempting, the master takes its whole stake out.
        vm.startPrank(master);
        nexus.unbond(stake);
        vm.warp(block.timestamp + UNBONDING);
        nexus.claim();
        nexus.withdraw(stake);
        vm.stopPrank();
        assertLt(block.timestamp, deadline, "the attempt is still live while the stake leaves");

        vm.warp(deadline);
        vm.prank(anyone);
        nexus.reportLapse(task, provider);
        assertEq(vault.balanceOf(client), p.lapsePenalty, "the lapse penalty was escaped by unbonding");
    }
}
