// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NexusFixture} from "./helpers/NexusFixture.sol";
import {INexus} from "../../contracts/interfaces/INexus.sol";
import {IVault} from "../../contracts/interfaces/IVault.sol";
import {MIN_UNBONDING_PERIOD, Stake, VaultAccount} from "../../contracts/types/NexusTypes.sol";

/// @dev Refuses native currency.
contract Rejector {}

/// @notice deposit, withdraw, lock, unbond, cancelUnbonding, claim, collectFees, vault views and direct-call guards.
contract NexusVaultTest is NexusFixture {
    function _assertStake(address account, uint256 lockup, uint256 unbonding, uint64 maturesAt) internal view {
        Stake memory s = vault.stakeOf(account);
        assertEq(s.lockup, lockup, "lockup");
        assertEq(s.unbonding, unbonding, "unbonding");
        assertEq(s.unbondingMaturesAt, maturesAt, "maturesAt");
        assertEq(vault.lockupOf(account), lockup, "lockupOf");
    }

    /// @dev A finalized FIRST_RESPONSE task paying `master`, leaving `_fee(PAYMENT)` accrued.
    function _earnFees() internal {
        address source = _publishFirstResponseSource();
        _setupProvider(source, provider, master);
        address task = _publishTask(source);
        _attempt(task, provider);
        _respond(task, provider, 0);
    }

    // ================================================================ deposit

    function test_deposit_creditsCaller_emits() public {
        uint256 vaultBefore = address(vault).balance;
        _expectEmit();
        emit Deposited(client, client, 1 ether);
        vm.prank(client);
        nexus.deposit{value: 1 ether}(client);
        assertEq(vault.balanceOf(client), 1 ether);
        assertEq(address(vault).balance, vaultBefore + 1 ether);
        assertEq(address(nexus).balance, 0);
    }

    function test_deposit_forAnotherBeneficiary() public {
        _expectEmit();
        emit Deposited(master, stranger, 0.3 ether);
        vm.prank(stranger);
        nexus.deposit{value: 0.3 ether}(master);
        assertEq(vault.balanceOf(master), 0.3 ether);
        assertEq(vault.balanceOf(stranger), 0);
    }

    function test_deposit_revertsForZeroBeneficiary() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.ZeroAddress.selector));
        vm.prank(client);
        nexus.deposit{value: 1 ether}(address(0));
    }

    function test_deposit_revertsForZeroValue() public {
        vm.expectRevert(abi.encodeWithSelector(IVault.ZeroAmount.selector));
        vm.prank(client);
        nexus.deposit(client);
    }

    // ================================================================ withdraw

    function test_withdraw_sendsToCaller_emits() public {
        vm.prank(client);
        nexus.deposit{value: 1 ether}(client);
        uint256 ethBefore = client.balance;
        uint256 vaultBefore = address(vault).balance;
        _expectEmit();
        emit Withdrawn(client, client, 0.4 ether);
        vm.prank(client);
        nexus.withdraw(0.4 ether);
        assertEq(vault.balanceOf(client), 0.6 ether);
        assertEq(client.balance, ethBefore + 0.4 ether);
        assertEq(address(vault).balance, vaultBefore - 0.4 ether);

        vm.prank(client);
        nexus.withdraw(0.6 ether);
        assertEq(vault.balanceOf(client), 0);
        assertEq(client.balance, ethBefore + 1 ether);
    }

    function test_withdrawTo_sendsToRecipient_debitsCaller() public {
        vm.prank(client);
        nexus.deposit{value: 1 ether}(client);
        address recipient = makeAddr("recipient");
        uint256 clientEthBefore = client.balance;
        _expectEmit();
        emit Withdrawn(client, recipient, 0.25 ether);
        vm.prank(client);
        nexus.withdrawTo(recipient, 0.25 ether);
        assertEq(vault.balanceOf(client), 0.75 ether);
        assertEq(recipient.balance, 0.25 ether);
        assertEq(client.balance, clientEthBefore);
    }

    /// Naming a recipient never lets anyone spend another account's balance: only the caller's is debited.
    function test_withdrawTo_spendsOnlyTheCallersBalance() public {
        vm.prank(client);
        nexus.deposit{value: 1 ether}(client);
        vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientBalance.selector, stranger, 0, 1 ether));
        vm.prank(stranger);
        nexus.withdrawTo(stranger, 1 ether);
        assertEq(vault.balanceOf(client), 1 ether);
    }

    function test_withdrawTo_revertsForZeroRecipient_zeroAmount_refusingRecipient() public {
        vm.prank(client);
        nexus.deposit{value: 1 ether}(client);
        vm.expectRevert(abi.encodeWithSelector(INexus.ZeroAddress.selector));
        vm.prank(client);
        nexus.withdrawTo(address(0), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IVault.ZeroAmount.selector));
        vm.prank(client);
        nexus.withdrawTo(stranger, 0);
        address rejector = address(new Rejector());
        vm.expectRevert(abi.encodeWithSelector(IVault.TransferFailed.selector, rejector, 1 ether));
        vm.prank(client);
        nexus.withdrawTo(rejector, 1 ether);
        assertEq(vault.balanceOf(client), 1 ether);
    }

    function test_withdraw_revertsOnZero() public {
        vm.expectRevert(abi.encodeWithSelector(IVault.ZeroAmount.selector));
        vm.prank(client);
        nexus.withdraw(0);
    }

    function test_withdraw_revertsAboveBalance() public {
        vm.prank(client);
        nexus.deposit{value: 1 ether}(client);
        vm.expectRevert(
            abi.encodeWithSelector(IVault.InsufficientBalance.selector, client, 1 ether, 1 ether + 1)
        );
        vm.prank(client);
        nexus.withdraw(1 ether + 1);
    }

    function test_withdraw_revertsWhenRecipientRefuses() public {
        address rejector = address(new Rejector());
        vm.prank(client);
        nexus.deposit{value: 1 ether}(rejector);
        vm.expectRevert(abi.encodeWithSelector(IVault.TransferFailed.selector, rejector, 1 ether));
        vm.prank(rejector);
        nexus.withdraw(1 ether);
        assertEq(vault.balanceOf(rejector), 1 ether);
    }

    // ================================================================ lock

    function test_lock_movesBalanceToLockup_emits() public {
        vm.prank(master);
        nexus.deposit{value: 3 ether}(master);
        _expectEmit();
        emit Locked(master, 2 ether);
        vm.prank(master);
        nexus.lock(2 ether);
        assertEq(vault.balanceOf(master), 1 ether);
        _assertStake(master, 2 ether, 0, 0);
        vm.prank(master);
        nexus.lock(1 ether);
        _assertStake(master, 3 ether, 0, 0);
    }

    function test_lock_revertsOnZero() public {
        vm.expectRevert(abi.encodeWithSelector(IVault.ZeroAmount.selector));
        vm.prank(master);
        nexus.lock(0);
    }

    function test_lock_revertsAboveBalance() public {
        vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientBalance.selector, master, 0, 1));
        vm.prank(master);
        nexus.lock(1);
    }

    function test_lock_revertsWhenLockupExceedsUint96() public {
        uint256 tooMuch = uint256(type(uint96).max) + 1;
        vm.deal(master, tooMuch);
        vm.startPrank(master);
        nexus.deposit{value: tooMuch}(master);
        vm.expectRevert(abi.encodeWithSelector(IVault.AmountOverflow.selector, tooMuch));
        nexus.lock(tooMuch);
        vm.stopPrank();
    }

    function test_deposit_revertsWhenBalanceExceedsUint128() public {
        uint256 tooMuch = uint256(type(uint128).max) + 1;
        vm.deal(client, tooMuch);
        vm.expectRevert(abi.encodeWithSelector(IVault.AmountOverflow.selector, tooMuch));
        vm.prank(client);
        nexus.deposit{value: tooMuch}(client);
    }

    // ================================================================ unbond / cancelUnbonding / claim

    function test_unbond_startsTimer_emits() public {
        _stake(master, STAKE);
        uint64 maturesAt = _now() + UNBONDING_PERIOD;
        _expectEmit();
        emit UnbondingStarted(master, 0.5 ether, 0.5 ether, maturesAt);
        vm.prank(master);
        nexus.unbond(0.5 ether);
        _assertStake(master, STAKE - 0.5 ether, 0.5 ether, maturesAt);
    }

    function test_unbond_secondUnbondAddsAndRestartsTimer() public {
        _stake(master, STAKE);
        vm.prank(master);
        nexus.unbond(0.5 ether);
        uint64 firstMaturity = _now() + UNBONDING_PERIOD;

        _skip(6 days);
        uint64 restarted = _now() + UNBONDING_PERIOD;
        _expectEmit();
        emit UnbondingStarted(master, 0.3 ether, 0.8 ether, restarted);
        vm.prank(master);
        nexus.unbond(0.3 ether);
        _assertStake(master, STAKE - 0.8 ether, 0.8 ether, restarted);

        vm.warp(firstMaturity);
        vm.expectRevert(abi.encodeWithSelector(IVault.UnbondingNotMatured.selector, master, restarted));
        vm.prank(master);
        nexus.claim();

        vm.warp(restarted);
        _expectEmit();
        emit Claimed(master, 0.8 ether);
        vm.prank(master);
        nexus.claim();
    }

    function test_unbond_wholeLockup() public {
        _stake(master, STAKE);
        vm.prank(master);
        nexus.unbond(STAKE);
        _assertStake(master, 0, STAKE, _now() + UNBONDING_PERIOD);
    }

    function test_unbond_revertsAboveLockup() public {
        _stake(master, STAKE);
        vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientFreeLockup.selector, master, STAKE, STAKE + 1));
        vm.prank(master);
        nexus.unbond(STAKE + 1);
    }

    function test_unbond_revertsOnZero() public {
        _stake(master, STAKE);
        vm.expectRevert(abi.encodeWithSelector(IVault.ZeroAmount.selector));
        vm.prank(master);
        nexus.unbond(0);
    }

    function test_unbond_usesPeriodInForceAtUnbondTime() public {
        _stake(master, STAKE);
        vm.prank(master);
        nexus.unbond(0.5 ether);
        uint64 firstMaturity = _now() + UNBONDING_PERIOD;
        vm.prank(owner);
        nexus.setUnbondingPeriod(1 days);
        assertEq(vault.stakeOf(master).unbondingMaturesAt, firstMaturity);
        vm.prank(master);
        nexus.unbond(0.5 ether);
        assertEq(vault.stakeOf(master).unbondingMaturesAt, _now() + 1 days);
    }

    function test_cancelUnbonding_returnsToLockup_emits() public {
        _stake(master, STAKE);
        vm.startPrank(master);
        nexus.unbond(0.5 ether);
        nexus.unbond(0.3 ether);
        vm.stopPrank();
        _expectEmit();
        emit UnbondingCanceled(master, 0.8 ether);
        vm.prank(master);
        nexus.cancelUnbonding();
        _assertStake(master, STAKE, 0, 0);
    }

    function test_cancelUnbonding_revertsWhenNothingUnbonding() public {
        _stake(master, STAKE);
        vm.expectRevert(abi.encodeWithSelector(IVault.NothingUnbonding.selector, master));
        vm.prank(master);
        nexus.cancelUnbonding();
    }

    function test_claim_beforeMaturityReverts_atMaturityCredits() public {
        _stake(master, STAKE);
        vm.prank(master);
        nexus.unbond(0.5 ether);
        uint64 maturesAt = _now() + UNBONDING_PERIOD;

        vm.warp(maturesAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IVault.UnbondingNotMatured.selector, master, maturesAt));
        vm.prank(master);
        nexus.claim();

        vm.warp(maturesAt);
        _expectEmit();
        emit Claimed(master, 0.5 ether);
        vm.prank(master);
        nexus.claim();
        _assertStake(master, STAKE - 0.5 ether, 0, 0);
        assertEq(vault.balanceOf(master), 0.5 ether);

        uint256 ethBefore = master.balance;
        vm.prank(master);
        nexus.withdraw(0.5 ether);
        assertEq(master.balance, ethBefore + 0.5 ether);
    }

    function test_claim_revertsWhenNothingUnbonding() public {
        vm.expectRevert(abi.encodeWithSelector(IVault.NothingUnbonding.selector, master));
        vm.prank(master);
        nexus.claim();
    }

    function test_claim_atMaturityWithTheShortestPeriod() public {
        vm.prank(owner);
        nexus.setUnbondingPeriod(MIN_UNBONDING_PERIOD);
        _stake(master, STAKE);
        vm.prank(master);
        nexus.unbond(STAKE);
        vm.warp(block.timestamp + MIN_UNBONDING_PERIOD);
        vm.prank(master);
        nexus.claim();
        assertEq(vault.balanceOf(master), STAKE);
    }

    // ================================================================ collectFees

    function test_collectFees_movesFeesToTreasury_byAnyone() public {
        _earnFees();
        uint256 fee = _fee(PAYMENT);
        assertEq(vault.accruedFees(), fee);
        _expectEmit();
        emit FeesCollected(treasury, fee);
        vm.prank(stranger);
        nexus.collectFees();
        assertEq(vault.accruedFees(), 0);
        assertEq(vault.balanceOf(treasury), fee);
        assertEq(vault.balanceOf(stranger), 0);
        uint256 ethBefore = treasury.balance;
        vm.prank(treasury);
        nexus.withdraw(fee);
        assertEq(treasury.balance, ethBefore + fee);
    }

    /// A treasury that refuses native currency (a contract with no payable fallback) cannot `withdraw` its fees to
    /// itself, and before `withdrawTo` they were stuck for good; it names another recipient instead.
    function test_collectFees_treasuryThatRefusesEth_withdrawsToAnotherAddress() public {
        address rejector = address(new Rejector());
        vm.prank(owner);
        nexus.setTreasury(rejector);
        _earnFees();
        nexus.collectFees();
        uint256 fee = _fee(PAYMENT);
        assertEq(vault.balanceOf(rejector), fee);

        vm.expectRevert(abi.encodeWithSelector(IVault.TransferFailed.selector, rejector, fee));
        vm.prank(rejector);
        nexus.withdraw(fee);

        address cold = makeAddr("cold");
        _expectEmit();
        emit Withdrawn(rejector, cold, fee);
        vm.prank(rejector);
        nexus.withdrawTo(cold, fee);
        assertEq(cold.balance, fee);
        assertEq(vault.balanceOf(rejector), 0);
    }

    function test_collectFees_goesToCurrentTreasury() public {
        _earnFees();
        address newTreasury = makeAddr("newTreasury");
        vm.prank(owner);
        nexus.setTreasury(newTreasury);
        nexus.collectFees();
        assertEq(vault.balanceOf(newTreasury), _fee(PAYMENT));
        assertEq(vault.balanceOf(treasury), 0);
    }

    function test_collectFees_revertsWhenNothingAccrued() public {
        vm.expectRevert(abi.encodeWithSelector(IVault.ZeroAmount.selector));
        nexus.collectFees();
    }

    // ================================================================ views and accounting

    function test_views_escrowOfAndAccounts() public {
        address source = _publishFirstResponseSource();
        _setupProvider(source, provider, master);
        address task = _publishTask(source);
        assertEq(vault.escrowOf(task), PAYMENT);
        assertEq(vault.escrowOf(source), 0);
        assertEq(vault.escrowOf(stranger), 0);
        assertEq(vault.escrowOf(address(taskImpl)), 0);
        assertEq(vault.nexus(), address(nexus));
        assertEq(vault.unbondingPeriod(), UNBONDING_PERIOD);

        _attempt(task, provider);
        _respond(task, provider, 0);
        assertEq(vault.escrowOf(task), 0);
        VaultAccount memory a = vault.accountOf(master);
        assertEq(a.balance, PAYMENT - _fee(PAYMENT));
        assertEq(a.earnings, PAYMENT - _fee(PAYMENT));

        // withdrawing does not reduce lifetime earnings
        vm.prank(master);
        nexus.withdraw(a.balance);
        assertEq(vault.earningsOf(master), PAYMENT - _fee(PAYMENT));
        assertEq(vault.balanceOf(master), 0);
    }

    /// @dev The vault's native balance equals every bucket, across a mixed scenario.
    function test_accounting_vaultBalanceEqualsBuckets() public {
        address source = _publishManualSource();
        _setupProvider(source, provider, master);
        _setupProvider(source, provider2, master2);
        address paid = _publishTask(source);
        address open = _publishTask(source);
        address lapsed = _publishTask(source);
        _attempt(paid, provider);
        _respond(paid, provider, 0.7 ether);
        _confirm(paid, provider);
        _attempt(lapsed, provider2);
        vm.warp(_deadline(lapsed, provider2));
        nexus.reportLapse(lapsed, provider2);
        vm.prank(master2);
        nexus.unbond(0.5 ether);
        vm.prank(client);
        nexus.deposit{value: 0.2 ether}(stranger);

        address[7] memory accounts = [client, master, master2, provider, provider2, stranger, treasury];
        uint256 sum = vault.accruedFees() + vault.escrowOf(paid) + vault.escrowOf(open) + vault.escrowOf(lapsed);
        for (uint256 i; i < accounts.length; ++i) {
            Stake memory s = vault.stakeOf(accounts[i]);
            sum += vault.balanceOf(accounts[i]) + s.lockup + s.unbonding;
        }
        assertEq(address(vault).balance, sum);
        assertEq(vault.escrowOf(open), PAYMENT);
        assertEq(vault.escrowOf(lapsed), PAYMENT);
    }

    function test_plainTransfersToNexusAndVaultAreRefused() public {
        vm.startPrank(client);
        (bool toNexus,) = address(nexus).call{value: 1 ether}("");
        (bool toVault,) = address(vault).call{value: 1 ether}("");
        vm.stopPrank();
        assertFalse(toNexus);
        assertFalse(toVault);
        assertEq(address(vault).balance, 0);
        assertEq(address(nexus).balance, 0);
    }

    // ================================================================ direct-call guards

    function test_vaultMutators_onlyNexus() public {
        address[4] memory callers = [stranger, owner, client, address(this)];
        for (uint256 i; i < callers.length; ++i) {
            address c = callers[i];
            bytes memory err = abi.encodeWithSelector(IVault.NotNexus.selector, c);
            vm.startPrank(c);
            vm.expectRevert(err);
            vault.deposit{value: 1}(c);
            vm.expectRevert(err);
            vault.withdraw(c, c, 1);
            vm.expectRevert(err);
            vault.lock(c, 1);
            vm.expectRevert(err);
            vault.unbond(c, 1);
            vm.expectRevert(err);
            vault.cancelUnbonding(c);
            vm.expectRevert(err);
            vault.claim(c);
            vm.expectRevert(err);
            vault.fundEscrow{value: 1}(c, 1);
            vm.expectRevert(err);
            vault.releaseEscrow(client, 1, c, 1, 0);
            vm.expectRevert(err);
            vault.refundEscrow(c, 1);
            vm.expectRevert(err);
            vault.slash(master, c, 1);
            vm.expectRevert(err);
            vault.collectFees(c);
            vm.expectRevert(err);
            vault.setUnbondingPeriod(0);
            vm.stopPrank();
        }
    }
}
