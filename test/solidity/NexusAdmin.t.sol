// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {NexusFixture} from "./helpers/NexusFixture.sol";
import {ITask} from "../../contracts/interfaces/ITask.sol";
import {Nexus} from "../../contracts/Nexus.sol";
import {Vault} from "../../contracts/Vault.sol";
import {ProviderRegistry} from "../../contracts/ProviderRegistry.sol";
import {INexus} from "../../contracts/interfaces/INexus.sol";
import {MAX_FEE_BPS, MAX_UNBONDING_PERIOD, MIN_UNBONDING_PERIOD} from "../../contracts/types/NexusTypes.sol";
import {ALL_AGENT_SCOPES, UNLIMITED_ALLOWANCE} from "../../contracts/types/NexusTypes.sol";

/// @notice Constructor, fee, treasury, unbonding period and two-step ownership.
contract NexusAdminTest is NexusFixture {
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    function _deploy(address owner_, address treasury_, uint16 fee, uint64 period, address ti, address si)
        internal
        returns (Nexus)
    {
        return new Nexus(owner_, treasury_, fee, period, ti, si);
    }

    // ================================================================ constructor

    function test_constructor_setsEverything() public view {
        assertEq(nexus.owner(), owner);
        assertEq(nexus.pendingOwner(), address(0));
        assertEq(nexus.treasury(), treasury);
        assertEq(nexus.feeBps(), FEE_BPS);
        assertEq(nexus.taskImplementation(), address(taskImpl));
        assertEq(nexus.sourceImplementation(), address(sourceImpl));
        assertEq(vault.unbondingPeriod(), UNBONDING_PERIOD);
        assertEq(vault.nexus(), address(nexus));
        assertTrue(address(vault).code.length > 0);
        assertTrue(address(registry).code.length > 0);
        assertTrue(address(vault) != address(registry));
    }

    function test_constructor_emitsConfiguration() public {
        address predicted = vm.computeCreateAddress(address(this), vm.getNonce(address(this)));
        vm.expectEmit(true, true, true, true, predicted);
        emit OwnershipTransferred(address(0), owner);
        vm.expectEmit(true, true, true, true, predicted);
        emit TreasurySet(treasury);
        vm.expectEmit(true, true, true, true, predicted);
        emit FeeSet(MAX_FEE_BPS);
        vm.expectEmit(true, true, true, true, predicted);
        emit UnbondingPeriodSet(MAX_UNBONDING_PERIOD);
        Nexus n = _deploy(owner, treasury, MAX_FEE_BPS, MAX_UNBONDING_PERIOD, address(taskImpl), address(sourceImpl));
        assertEq(address(n), predicted);
        assertEq(n.feeBps(), MAX_FEE_BPS);
        assertEq(Vault(n.vault()).unbondingPeriod(), MAX_UNBONDING_PERIOD);
        assertEq(Vault(n.vault()).nexus(), address(n));
    }

    function test_constructor_vaultAndRegistryAcceptOnlyTheirNexus() public {
        Nexus other = _deploy(owner, treasury, 0, UNBONDING_PERIOD, address(taskImpl), address(sourceImpl));
        // the first suite's vault refuses the second Nexus
        vm.expectRevert(abi.encodeWithSignature("NotNexus(address)", address(other)));
        vm.prank(address(other));
        vault.lock(client, 1);
        vm.expectRevert(abi.encodeWithSignature("NotRegistryNexus(address)", address(other)));
        vm.prank(address(other));
        registry.grantAgent(client, agent, ALL_AGENT_SCOPES, UNLIMITED_ALLOWANCE);
        assertTrue(ProviderRegistry(other.registry()) != registry);
    }

    function test_constructor_revertsOnZeroOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        _deploy(address(0), treasury, FEE_BPS, UNBONDING_PERIOD, address(taskImpl), address(sourceImpl));
    }

    function test_constructor_revertsOnZeroTreasury() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.ZeroAddress.selector));
        _deploy(owner, address(0), FEE_BPS, UNBONDING_PERIOD, address(taskImpl), address(sourceImpl));
    }

    function test_constructor_revertsOnZeroImplementations() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.ZeroAddress.selector));
        _deploy(owner, treasury, FEE_BPS, UNBONDING_PERIOD, address(0), address(sourceImpl));
        vm.expectRevert(abi.encodeWithSelector(INexus.ZeroAddress.selector));
        _deploy(owner, treasury, FEE_BPS, UNBONDING_PERIOD, address(taskImpl), address(0));
    }

    function test_constructor_revertsOnFeeAboveCap() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.FeeTooHigh.selector, MAX_FEE_BPS + 1, MAX_FEE_BPS));
        _deploy(owner, treasury, MAX_FEE_BPS + 1, UNBONDING_PERIOD, address(taskImpl), address(sourceImpl));
    }

    function test_constructor_revertsOnUnbondingPeriodOutOfRange() public {
        vm.expectRevert(_unbondingOutOfRange(MAX_UNBONDING_PERIOD + 1));
        _deploy(owner, treasury, FEE_BPS, MAX_UNBONDING_PERIOD + 1, address(taskImpl), address(sourceImpl));
        vm.expectRevert(_unbondingOutOfRange(MIN_UNBONDING_PERIOD - 1));
        _deploy(owner, treasury, FEE_BPS, MIN_UNBONDING_PERIOD - 1, address(taskImpl), address(sourceImpl));
    }

    // ================================================================ setFee

    function test_setFee_updates_emits() public {
        _expectEmit();
        emit FeeSet(500);
        vm.prank(owner);
        nexus.setFee(500);
        assertEq(nexus.feeBps(), 500);
    }

    function test_setFee_capIsInclusive() public {
        vm.prank(owner);
        nexus.setFee(MAX_FEE_BPS);
        assertEq(nexus.feeBps(), MAX_FEE_BPS);
        vm.prank(owner);
        nexus.setFee(0);
        assertEq(nexus.feeBps(), 0);
    }

    function test_setFee_revertsAboveCap() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.FeeTooHigh.selector, MAX_FEE_BPS + 1, MAX_FEE_BPS));
        vm.prank(owner);
        nexus.setFee(MAX_FEE_BPS + 1);
        vm.expectRevert(abi.encodeWithSelector(INexus.FeeTooHigh.selector, type(uint16).max, MAX_FEE_BPS));
        vm.prank(owner);
        nexus.setFee(type(uint16).max);
        assertEq(nexus.feeBps(), FEE_BPS);
    }

    function test_setFee_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        nexus.setFee(0);
    }

    /// @dev Documents current behaviour: the fee is read at payout, so a change applies to open tasks too.
    function test_setFee_leavesOpenTasksAtTheirPublishedFee() public {
        address source = _publishFirstResponseSource();
        _setupProvider(source, provider, master);
        address task = _publishTask(source);
        _attempt(task, provider);
        vm.prank(owner);
        nexus.setFee(MAX_FEE_BPS);
        assertEq(ITask(task).terms().feeBps, FEE_BPS);
        uint256 fee = PAYMENT * FEE_BPS / 10_000;
        _commit(task, provider, 0);
        _nextBlock();
        _expectEmit();
        emit ResponseSubmitted(task, provider, RESULT_URI, RESULT_HASH, PAYMENT);
        _expectEmit();
        emit TaskFinalized(task, provider, master, PAYMENT, fee, 0, false);
        _reveal(task, provider, 0);
        assertEq(vault.balanceOf(master), PAYMENT - fee);
        // a task published after the change pays the new fee
        address later = _publishTask(source);
        assertEq(ITask(later).terms().feeBps, MAX_FEE_BPS);
    }

    // ================================================================ setTreasury

    function test_setTreasury_updates_emits() public {
        address newTreasury = makeAddr("newTreasury");
        _expectEmit();
        emit TreasurySet(newTreasury);
        vm.prank(owner);
        nexus.setTreasury(newTreasury);
        assertEq(nexus.treasury(), newTreasury);
    }

    function test_setTreasury_revertsOnZero() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.ZeroAddress.selector));
        vm.prank(owner);
        nexus.setTreasury(address(0));
    }

    function test_setTreasury_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, treasury));
        vm.prank(treasury);
        nexus.setTreasury(treasury);
    }

    // ================================================================ setUnbondingPeriod

    function test_setUnbondingPeriod_updatesVault_emits() public {
        _expectEmit();
        emit UnbondingPeriodSet(3 days);
        vm.prank(owner);
        nexus.setUnbondingPeriod(3 days);
        assertEq(vault.unbondingPeriod(), 3 days);
    }

    function test_setUnbondingPeriod_boundsAreInclusive() public {
        vm.prank(owner);
        nexus.setUnbondingPeriod(MAX_UNBONDING_PERIOD);
        assertEq(vault.unbondingPeriod(), MAX_UNBONDING_PERIOD);
        vm.prank(owner);
        nexus.setUnbondingPeriod(MIN_UNBONDING_PERIOD);
        assertEq(vault.unbondingPeriod(), MIN_UNBONDING_PERIOD);
    }

    function test_setUnbondingPeriod_revertsOutOfRange() public {
        vm.expectRevert(_unbondingOutOfRange(MAX_UNBONDING_PERIOD + 1));
        vm.prank(owner);
        nexus.setUnbondingPeriod(MAX_UNBONDING_PERIOD + 1);
        // Below the floor, an attempt could outlive an unbonding started with it (docs/PROTOCOL.md §4).
        vm.expectRevert(_unbondingOutOfRange(0));
        vm.prank(owner);
        nexus.setUnbondingPeriod(0);
        assertEq(vault.unbondingPeriod(), UNBONDING_PERIOD);
    }

    function test_setUnbondingPeriod_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, client));
        vm.prank(client);
        nexus.setUnbondingPeriod(1);
    }

    // ================================================================ Ownable2Step

    function test_ownership_twoStepTransfer() public {
        address newOwner = makeAddr("newOwner");
        _expectEmit();
        emit OwnershipTransferStarted(owner, newOwner);
        vm.prank(owner);
        nexus.transferOwnership(newOwner);
        assertEq(nexus.owner(), owner);
        assertEq(nexus.pendingOwner(), newOwner);

        // the candidate has no power before accepting
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, newOwner));
        vm.prank(newOwner);
        nexus.setFee(0);
        // nobody else can accept
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        nexus.acceptOwnership();

        _expectEmit();
        emit OwnershipTransferred(owner, newOwner);
        vm.prank(newOwner);
        nexus.acceptOwnership();
        assertEq(nexus.owner(), newOwner);
        assertEq(nexus.pendingOwner(), address(0));

        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, owner));
        vm.prank(owner);
        nexus.setFee(0);
        vm.prank(newOwner);
        nexus.setFee(0);
        assertEq(nexus.feeBps(), 0);
    }

    function test_ownership_secondTransferReplacesCandidate() public {
        address first = makeAddr("first");
        address second = makeAddr("second");
        vm.startPrank(owner);
        nexus.transferOwnership(first);
        nexus.transferOwnership(second);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, first));
        vm.prank(first);
        nexus.acceptOwnership();
        vm.prank(second);
        nexus.acceptOwnership();
        assertEq(nexus.owner(), second);
    }

    function test_ownership_transferRestrictedToOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        nexus.transferOwnership(stranger);
    }

    /// @dev Documents that OpenZeppelin's renounceOwnership is available: the admin powers can be given up for good.
    function test_ownership_renounceFreezesAdmin() public {
        vm.prank(owner);
        nexus.renounceOwnership();
        assertEq(nexus.owner(), address(0));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, owner));
        vm.prank(owner);
        nexus.setFee(0);
    }

    function _unbondingOutOfRange(uint64 period) private pure returns (bytes memory) {
        return abi.encodeWithSelector(
            INexus.UnbondingPeriodOutOfRange.selector, period, MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD
        );
    }
}
