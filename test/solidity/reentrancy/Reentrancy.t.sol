// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {NexusSetup} from "../fuzz/utils/NexusSetup.sol";
import {ContractUser} from "./ContractUser.sol";
import {INexus} from "../../../contracts/interfaces/INexus.sol";
import {ITask} from "../../../contracts/interfaces/ITask.sol";
import {IVault} from "../../../contracts/interfaces/IVault.sol";
import {DeliveryMethod, SourceParams, TaskStatus, ENV_CPU} from "../../../contracts/types/NexusTypes.sol";
import {termsSeenOf} from "../helpers/TermsSeenOf.sol";
import {ResponseCommitment} from "../../../contracts/libraries/ResponseCommitment.sol";

/// @notice Only `withdraw` sends native currency, to its caller, after debiting, under a reentrancy guard. A receiver
/// re-entering every value-moving function from its `receive` cannot spend or be credited twice; a receiver that
/// reverts makes the withdrawal revert with `TransferFailed` and keeps its funds; every other path only credits
/// balances and never calls out to a user address.
contract ReentrancyTest is NexusSetup {
    uint256 internal constant PAY = 1 ether;

    ContractUser internal acct;
    address internal sourceManual;
    address internal sourceFirst;

    function setUp() public {
        vm.deal(address(this), type(uint128).max);
        _deploy(500);
        acct = new ContractUser(address(nexus));
        SourceParams memory p = _params(DeliveryMethod.MANUAL_CONFIRMATION);
        sourceManual = _market(p);
        sourceFirst = _publishSource(client, _params(DeliveryMethod.FIRST_RESPONSE));
        _register(sourceFirst, provider);
        _register(sourceFirst, provider2);
    }

    // ------------------------------------------------------------------ helpers

    function _one(bytes memory call_, uint256 value) internal pure returns (bytes[] memory plan, uint256[] memory values) {
        plan = new bytes[](1);
        values = new uint256[](1);
        plan[0] = call_;
        values[0] = value;
    }

    function _expectOutcome(uint256 i, bool ok, bytes memory ret) internal view {
        (bool gotOk, bytes memory gotRet) = acct.outcome(i);
        assertEq(gotOk, ok, string.concat("re-entry #", vm.toString(i), " success"));
        if (!ok) assertEq(gotRet, ret, string.concat("re-entry #", vm.toString(i), " error"));
    }

    function _publishAs(ContractUser who, address source, uint64 expiry, uint256 payment, uint256 value, uint64 salt)
        internal
        returns (address task)
    {
        bytes memory ret = who.act{value: value}(
            abi.encodeCall(INexus.publishTask, (address(who), source, "ipfs://c", bytes32(0), expiry, payment, salt, termsSeenOf(nexus, source)))
        );
        task = abi.decode(ret, (address));
    }

    /// @dev A contract provider commits, and reveals in the next block.
    function _respondAs(ContractUser who, address task, uint256 asked) internal {
        bytes32 commitment = ResponseCommitment.hash(task, address(who), bytes32(0), asked, SECRET);
        who.act(abi.encodeCall(INexus.commitResponse, (task, commitment)));
        vm.warp(vm.getBlockTimestamp() + 1);
        vm.roll(vm.getBlockNumber() + 1);
        who.act(abi.encodeCall(INexus.revealResponse, (task, "", bytes32(0), asked, SECRET)));
    }

    function _withdrawAs(ContractUser who, uint256 amount) internal {
        who.act(abi.encodeCall(INexus.withdraw, (amount)));
    }

    /// @dev Σ balances + lockups + unbondings of `accounts` + Σ escrows of `tasks` + fees must be the vault's balance.
    function _assertSolvent(address[] memory accounts, address[] memory tasks) internal view {
        uint256 sum = vault.accruedFees();
        for (uint256 i; i < accounts.length; ++i) {
            sum += vault.balanceOf(accounts[i]) + vault.lockupOf(accounts[i]) + vault.stakeOf(accounts[i]).unbonding;
        }
        for (uint256 i; i < tasks.length; ++i) sum += vault.escrowOf(tasks[i]);
        assertEq(address(vault).balance, sum, "vault balance != buckets");
    }

    function _accounts() internal view returns (address[] memory a) {
        a = new address[](8);
        a[0] = address(acct);
        a[1] = client;
        a[2] = master;
        a[3] = provider;
        a[4] = provider2;
        a[5] = treasury;
        a[6] = anyone;
        a[7] = master2;
    }

    // ------------------------------------------------------------------ withdraw re-entering withdraw

    function test_reenterWithdraw_revertsWithReentrancyGuard() public {
        nexus.deposit{value: 10 ether}(address(acct));
        (bytes[] memory plan, uint256[] memory values) = _one(abi.encodeCall(INexus.withdraw, (1 ether)), 0);
        acct.setPlan(plan, values);

        _withdrawAs(acct, 4 ether);

        _expectOutcome(0, false, abi.encodeWithSelector(ReentrancyGuard.ReentrancyGuardReentrantCall.selector));
        assertEq(acct.receiveCount(), 1, "paid once");
        assertEq(address(acct).balance, 4 ether);
        assertEq(vault.balanceOf(address(acct)), 6 ether);
        assertEq(address(vault).balance, 6 ether + _marketLockups());
        // The guard is released afterwards.
        _withdrawAs(acct, 6 ether);
        assertEq(address(acct).balance, 10 ether);
        assertEq(address(vault).balance, _marketLockups());
    }

    /// A recipient named by `withdrawTo` that re-enters (to withdraw the sender's balance again, or its own) is
    /// refused by the same guard, and is paid once.
    function test_reenterFromWithdrawToRecipient_revertsWithReentrancyGuard() public {
        nexus.deposit{value: 10 ether}(client);
        nexus.deposit{value: 1 ether}(address(acct));
        (bytes[] memory plan, uint256[] memory values) = _one(abi.encodeCall(INexus.withdraw, (1 ether)), 0);
        acct.setPlan(plan, values);

        vm.prank(client);
        nexus.withdrawTo(address(acct), 4 ether);

        _expectOutcome(0, false, abi.encodeWithSelector(ReentrancyGuard.ReentrancyGuardReentrantCall.selector));
        assertEq(acct.receiveCount(), 1, "paid once");
        assertEq(address(acct).balance, 4 ether);
        assertEq(vault.balanceOf(client), 6 ether);
        assertEq(vault.balanceOf(address(acct)), 1 ether);
    }

    /// For any split, the re-entrant withdraw is refused and the totals add up.
    function testFuzz_reenterWithdraw_neverPaysTwice(uint256 deposit_, uint256 first, uint256 second) public {
        deposit_ = bound(deposit_, 2, 1e30);
        first = bound(first, 1, deposit_);
        second = bound(second, 1, deposit_);
        nexus.deposit{value: deposit_}(address(acct));
        (bytes[] memory plan, uint256[] memory values) = _one(abi.encodeCall(INexus.withdraw, (second)), 0);
        acct.setPlan(plan, values);
        _withdrawAs(acct, first);
        _expectOutcome(0, false, abi.encodeWithSelector(ReentrancyGuard.ReentrancyGuardReentrantCall.selector));
        assertEq(address(acct).balance + vault.balanceOf(address(acct)), deposit_);
        assertEq(address(acct).balance, first);
        assertEq(address(vault).balance, deposit_ - first + _marketLockups());
    }

    // ------------------------------------------------------------------ withdraw re-entering publishTask

    function test_reenterPublishTask_spendsOnlyWhatRemains() public {
        nexus.deposit{value: 10 ether}(address(acct));
        uint64 expiry = uint64(block.timestamp + 1 days);
        bytes[] memory plan = new bytes[](3);
        uint256[] memory values = new uint256[](3);
        // The balance left after the debit pays for a task...
        plan[0] = abi.encodeCall(INexus.publishTask, (address(acct), sourceManual, "", bytes32(0), expiry, 6 ether, 1, termsSeenOf(nexus, sourceManual)));
        // ...but nothing more: the 4 ether being withdrawn are already gone from the balance.
        plan[1] = abi.encodeCall(INexus.publishTask, (address(acct), sourceManual, "", bytes32(0), expiry, 1 ether, 2, termsSeenOf(nexus, sourceManual)));
        // Forwarding the withdrawn ether back as msg.value works, and is accounted as a new deposit.
        plan[2] = abi.encodeCall(INexus.publishTask, (address(acct), sourceManual, "", bytes32(0), expiry, 4 ether, 3, termsSeenOf(nexus, sourceManual)));
        values[2] = 4 ether;
        acct.setPlan(plan, values);

        _withdrawAs(acct, 4 ether);

        _expectOutcome(0, true, "");
        _expectOutcome(
            1, false, abi.encodeWithSelector(IVault.InsufficientBalance.selector, address(acct), 0, 1 ether)
        );
        _expectOutcome(2, true, "");
        assertEq(vault.balanceOf(address(acct)), 0);
        assertEq(address(acct).balance, 0);
        assertEq(address(vault).balance, 10 ether + _marketLockups(), "10 deposited - 4 withdrawn + 4 re-sent");
        (, bytes memory r0) = acct.outcome(0);
        (, bytes memory r2) = acct.outcome(2);
        address[] memory tasks = new address[](2);
        tasks[0] = abi.decode(r0, (address));
        tasks[1] = abi.decode(r2, (address));
        assertEq(vault.escrowOf(tasks[0]), 6 ether);
        assertEq(vault.escrowOf(tasks[1]), 4 ether);
        _assertSolvent(_accounts(), tasks);
    }

    // ------------------------------------------------------------------ withdraw re-entering claim

    function test_reenterClaim_creditsOnce() public {
        nexus.deposit{value: 10 ether}(address(acct));
        acct.act(abi.encodeCall(INexus.lock, (6 ether)));
        acct.act(abi.encodeCall(INexus.unbond, (6 ether)));
        vm.warp(block.timestamp + UNBONDING);
        bytes[] memory plan = new bytes[](2);
        uint256[] memory values = new uint256[](2);
        plan[0] = abi.encodeCall(INexus.claim, ());
        plan[1] = abi.encodeCall(INexus.claim, ());
        acct.setPlan(plan, values);

        _withdrawAs(acct, 4 ether);

        _expectOutcome(0, true, "");
        _expectOutcome(1, false, abi.encodeWithSelector(IVault.NothingUnbonding.selector, address(acct)));
        assertEq(vault.balanceOf(address(acct)), 6 ether);
        assertEq(vault.stakeOf(address(acct)).unbonding, 0);
        assertEq(address(acct).balance, 4 ether);
        _assertSolvent(_accounts(), new address[](0));
    }

    // ------------------------------------------------------------------ withdraw re-entering task closings

    /// A client contract withdrawing re-enters cancel, settle (both kinds) and confirm, then tries each again: every
    /// task is paid out exactly once.
    function test_reenterCancelSettleConfirm_payOnce() public {
        uint256 t0 = block.timestamp;
        address taskCancel = _publishAs(acct, sourceManual, uint64(t0 + 7 days), PAY, PAY, 1);
        address taskExpire = _publishAs(acct, sourceManual, uint64(t0 + 1 hours), PAY, PAY, 2);
        address taskConfirm = _publishAs(acct, sourceManual, uint64(t0 + 7 days), PAY, PAY, 3);
        address taskSettle = _publishAs(acct, sourceManual, uint64(t0 + 1 hours), PAY, PAY, 4);
        _attempt(taskConfirm, provider, 0);
        _respond(taskConfirm, provider, 0.4 ether);
        _attempt(taskSettle, provider2, 0);
        _respond(taskSettle, provider2, 0.7 ether);
        vm.warp(t0 + 1 hours + 1 days); // taskExpire expired, taskSettle past its review window
        nexus.deposit{value: 1 ether}(address(acct));

        bytes[] memory plan = new bytes[](8);
        uint256[] memory values = new uint256[](8);
        plan[0] = abi.encodeCall(INexus.cancelTask, (taskCancel));
        plan[1] = abi.encodeCall(INexus.settle, (taskExpire));
        plan[2] = abi.encodeCall(INexus.confirmResponse, (taskConfirm, provider));
        plan[3] = abi.encodeCall(INexus.settle, (taskSettle));
        plan[4] = abi.encodeCall(INexus.cancelTask, (taskCancel));
        plan[5] = abi.encodeCall(INexus.settle, (taskExpire));
        plan[6] = abi.encodeCall(INexus.confirmResponse, (taskConfirm, provider));
        plan[7] = abi.encodeCall(INexus.settle, (taskSettle));
        acct.setPlan(plan, values);

        _withdrawAs(acct, 1 ether);

        for (uint256 i; i < 4; ++i) _expectOutcome(i, true, "");
        _expectOutcome(4, false, abi.encodeWithSelector(ITask.TaskClosed.selector, taskCancel, TaskStatus.CANCELED));
        _expectOutcome(5, false, abi.encodeWithSelector(ITask.TaskClosed.selector, taskExpire, TaskStatus.EXPIRED));
        _expectOutcome(6, false, abi.encodeWithSelector(ITask.TaskClosed.selector, taskConfirm, TaskStatus.FINALIZED));
        _expectOutcome(7, false, abi.encodeWithSelector(ITask.TaskClosed.selector, taskSettle, TaskStatus.FINALIZED));

        uint256 fees = 0.4 ether * 500 / BPS + 0.7 ether * 500 / BPS;
        assertEq(vault.balanceOf(address(acct)), PAY + PAY + (PAY - 0.4 ether) + (PAY - 0.7 ether), "refunds once");
        assertEq(
            vault.balanceOf(master) + vault.balanceOf(master2), 0.4 ether + 0.7 ether - fees, "payouts once"
        );
        assertEq(vault.accruedFees(), fees);
        assertEq(address(acct).balance, 1 ether);
        address[] memory tasks = new address[](4);
        tasks[0] = taskCancel;
        tasks[1] = taskExpire;
        tasks[2] = taskConfirm;
        tasks[3] = taskSettle;
        _assertSolvent(_accounts(), tasks);
        assertEq(address(vault).balance, 4 * PAY + _marketLockups() - 0, "only the 1 ether withdrawn left");
    }

    // ------------------------------------------------------------------ treasury re-entering collectFees

    function test_treasuryReentersCollectFees_collectsOnce() public {
        vm.prank(owner);
        nexus.setTreasury(address(acct));
        address t1 = _publishTask(client, sourceFirst, uint64(block.timestamp + 1 days), 2 ether, 2 ether);
        _attempt(t1, provider, 0);
        _respond(t1, provider, 0);
        nexus.collectFees();
        uint256 f1 = 2 ether * 500 / BPS;
        assertEq(vault.balanceOf(address(acct)), f1);
        address t2 = _publishTask(client, sourceFirst, uint64(block.timestamp + 1 days), 3 ether, 3 ether);
        _attempt(t2, provider, 0);
        _respond(t2, provider, 0);
        uint256 f2 = 3 ether * 500 / BPS;

        bytes[] memory plan = new bytes[](3);
        uint256[] memory values = new uint256[](3);
        plan[0] = abi.encodeCall(INexus.collectFees, ());
        plan[1] = abi.encodeCall(INexus.collectFees, ());
        plan[2] = abi.encodeCall(INexus.withdraw, (1));
        acct.setPlan(plan, values);

        _withdrawAs(acct, f1);

        _expectOutcome(0, true, "");
        _expectOutcome(1, false, abi.encodeWithSelector(IVault.ZeroAmount.selector));
        _expectOutcome(2, false, abi.encodeWithSelector(ReentrancyGuard.ReentrancyGuardReentrantCall.selector));
        assertEq(vault.balanceOf(address(acct)), f2);
        assertEq(vault.accruedFees(), 0);
        assertEq(address(acct).balance, f1);
        address[] memory tasks = new address[](2);
        tasks[0] = t1;
        tasks[1] = t2;
        _assertSolvent(_accounts(), tasks);
    }

    // ------------------------------------------------------------------ master re-entering stake and lapse calls

    /// A master contract withdrawing re-enters deposit, lock, unbond, cancelUnbonding, reportLapse (its own
    /// provider's lapse) and publishTask: every bucket ends exactly where the calls, applied once, put it.
    function test_masterReentersStakeAndLapse_consistent() public {
        address p3 = makeAddr("p3");
        acct.act(abi.encodeCall(INexus.announceProvider, (p3, type(uint88).max)));
        vm.prank(p3);
        nexus.announceMaster(address(acct));
        nexus.deposit{value: 5 ether}(address(acct));
        acct.act(abi.encodeCall(INexus.lock, (2 ether)));
        vm.prank(p3);
        nexus.register(sourceManual, p3, ENV_CPU);
        address task = _publishTask(client, sourceManual, uint64(block.timestamp + 1 days), PAY, PAY);
        uint40 deadline = _attempt(task, p3, 0);
        vm.warp(deadline);
        vm.deal(address(acct), 0);

        bytes[] memory plan = new bytes[](7);
        uint256[] memory values = new uint256[](7);
        plan[0] = abi.encodeCall(INexus.deposit, (address(acct)));
        values[0] = 1 ether; // forwards part of what it receives
        plan[1] = abi.encodeCall(INexus.lock, (2 ether));
        plan[2] = abi.encodeCall(INexus.unbond, (1 ether));
        plan[3] = abi.encodeCall(INexus.cancelUnbonding, ());
        plan[4] = abi.encodeCall(INexus.reportLapse, (task, p3));
        plan[5] = abi.encodeCall(INexus.reportLapse, (task, p3));
        plan[6] = abi.encodeCall(INexus.lock, (1 ether)); // balance is 0 by now
        acct.setPlan(plan, values);

        _withdrawAs(acct, 2 ether); // balance 3 -> 1, receives 2

        for (uint256 i; i < 5; ++i) _expectOutcome(i, true, "");
        _expectOutcome(5, false, abi.encodeWithSelector(ITask.NotLapsed.selector, task, p3));
        _expectOutcome(
            6, false, abi.encodeWithSelector(IVault.InsufficientBalance.selector, address(acct), 0, 1 ether)
        );
        // balance: 3 - 2 (withdrawn) + 1 (deposited) - 2 (locked) = 0; lockup: 2 + 2 - 0.1 (penalty) = 3.9
        assertEq(vault.balanceOf(address(acct)), 0);
        assertEq(vault.lockupOf(address(acct)), 4 ether - 0.1 ether);
        assertEq(vault.stakeOf(address(acct)).unbonding, 0);
        assertEq(vault.balanceOf(client), 0.1 ether, "penalty credited once");
        assertEq(address(acct).balance, 1 ether);
        address[] memory tasks = new address[](1);
        tasks[0] = task;
        _assertSolvent(_accounts(), tasks);
    }

    // ------------------------------------------------------------------ a receiver that reverts

    function testFuzz_revertingReceiver_withdrawRevertsWithFundsIntact(uint256 balance, uint256 amount) public {
        balance = bound(balance, 1, 1e30);
        amount = bound(amount, 1, balance);
        nexus.deposit{value: balance}(address(acct));
        acct.setRejectValue(true);
        vm.expectRevert(abi.encodeWithSelector(IVault.TransferFailed.selector, address(acct), amount));
        _withdrawAs(acct, amount);
        assertEq(vault.balanceOf(address(acct)), balance, "balance intact");
        assertEq(address(vault).balance, balance + _marketLockups(), "vault intact");
        assertEq(address(acct).balance, 0);
        // Once it accepts value again, the same withdrawal goes through.
        acct.setRejectValue(false);
        _withdrawAs(acct, amount);
        assertEq(address(acct).balance, amount);
        assertEq(vault.balanceOf(address(acct)), balance - amount);
    }

    /// A receiver that re-enters and then reverts: the whole withdrawal, re-entries included, is undone.
    function test_reenteringThenRevertingReceiver_undoesEverything() public {
        nexus.deposit{value: 3 ether}(address(acct));
        (bytes[] memory plan, uint256[] memory values) = _one(
            abi.encodeCall(
                INexus.publishTask, (address(acct), sourceManual, "", bytes32(0), uint64(block.timestamp + 1 days), 2 ether, 9, termsSeenOf(nexus, sourceManual))
            ),
            0
        );
        acct.setPlan(plan, values);
        acct.setRejectValue(true);
        vm.expectRevert(abi.encodeWithSelector(IVault.TransferFailed.selector, address(acct), 1 ether));
        _withdrawAs(acct, 1 ether);
        assertEq(vault.balanceOf(address(acct)), 3 ether);
        assertEq(address(vault).balance, 3 ether + _marketLockups());
    }

    // ------------------------------------------------------------------ no other path sends value

    /// Client, master, provider and treasury are contracts. Every crediting path — revealResponse (FIRST_RESPONSE),
    /// confirmResponse, settle (paid and expired), cancelTask, reportLapse, claim, collectFees — completes and
    /// credits balances. With `reject` the contracts revert on any
    /// incoming value (so a push would make the flow revert); without it they count every call they receive, which
    /// must stay zero. Only their own withdraw then pays them.
    function testFuzz_onlyWithdrawSendsValue(bool reject, uint256 feeSeed) public {
        uint256 fee = bound(feeSeed, 0, 1_000);
        vm.prank(owner);
        nexus.setFee(uint16(fee));
        ContractUser cA = new ContractUser(address(nexus));
        ContractUser mA = new ContractUser(address(nexus));
        ContractUser pA = new ContractUser(address(nexus));
        ContractUser tA = new ContractUser(address(nexus));
        vm.prank(owner);
        nexus.setTreasury(address(tA));
        ContractUser[4] memory all = [cA, mA, pA, tA];
        for (uint256 i; i < 4; ++i) all[i].setRejectValue(reject);

        // The client contract owns two sources; the master contract stakes for an EOA provider and a contract one.
        SourceParams memory pm = _params(DeliveryMethod.MANUAL_CONFIRMATION);
        SourceParams memory pf = _params(DeliveryMethod.FIRST_RESPONSE);
        address sm = abi.decode(cA.act(abi.encodeCall(INexus.publishSource, (pm, bytes32("m")))), (address));
        address sf = abi.decode(cA.act(abi.encodeCall(INexus.publishSource, (pf, bytes32("f")))), (address));
        address p = makeAddr("eoa-provider");
        mA.act(abi.encodeCall(INexus.announceProvider, (p, type(uint88).max)));
        mA.act(abi.encodeCall(INexus.announceProvider, (address(pA), type(uint88).max)));
        vm.prank(p);
        nexus.announceMaster(address(mA));
        pA.act(abi.encodeCall(INexus.announceMaster, (address(mA))));
        nexus.deposit{value: 5 ether}(address(mA));
        mA.act(abi.encodeCall(INexus.lock, (5 ether)));
        vm.startPrank(p);
        nexus.register(sm, p, ENV_CPU);
        nexus.register(sf, p, ENV_CPU);
        vm.stopPrank();
        pA.act(abi.encodeCall(INexus.register, (sm, address(pA), ENV_CPU)));
        pA.act(abi.encodeCall(INexus.register, (sf, address(pA), ENV_CPU)));

        uint256 expectFees;
        uint256 expectMaster;
        uint256 expectClient;
        uint64 soon = uint64(block.timestamp + 1 hours);
        uint64 later = uint64(block.timestamp + 3 days);

        // 1. FIRST_RESPONSE won by the EOA provider: the master contract is credited.
        address t1 = _publishAs(cA, sf, later, PAY, PAY, 1);
        _attempt(t1, p, 0);
        _respond(t1, p, 0);
        expectFees += PAY * fee / BPS;
        expectMaster += PAY - PAY * fee / BPS;

        // 2. MANUAL confirmed by the client contract: master paid, client refunded.
        address t2 = _publishAs(cA, sm, later, PAY, PAY, 2);
        pA.act(abi.encodeCall(INexus.attempt, (t2, address(pA), 0)));
        _respondAs(pA, t2, 0.3 ether);
        cA.act(abi.encodeCall(INexus.confirmResponse, (t2, address(pA))));
        expectFees += 0.3 ether * fee / BPS;
        expectMaster += 0.3 ether - 0.3 ether * fee / BPS;
        expectClient += PAY - 0.3 ether;

        // 3. MANUAL settled by anyone after the review window; 4. expired and settled; 5. lapse reported.
        address t3 = _publishAs(cA, sm, soon, PAY, PAY, 3);
        _attempt(t3, p, 0);
        _respond(t3, p, 0.6 ether);
        address t4 = _publishAs(cA, sm, soon, PAY, PAY, 4);
        uint40 d4 = _attempt(t4, p, 0);
        vm.warp(d4);
        vm.prank(anyone);
        nexus.reportLapse(t4, p);
        expectClient += pm.lapsePenalty;
        vm.warp(uint256(soon) + pm.reviewWindow);
        vm.startPrank(anyone);
        nexus.settle(t3);
        nexus.settle(t4);
        vm.stopPrank();
        expectFees += 0.6 ether * fee / BPS;
        expectMaster += 0.6 ether - 0.6 ether * fee / BPS;
        expectClient += PAY - 0.6 ether + PAY;

        // 6. Canceled by the client contract.
        address t6 = _publishAs(cA, sm, uint64(block.timestamp + 1 days), PAY, PAY, 6);
        cA.act(abi.encodeCall(INexus.cancelTask, (t6)));
        expectClient += PAY;

        // 7. FIRST_RESPONSE won by a provider contract that left its master after attempting: the master that
        // backed the attempt is credited, never the provider key.
        address t7 = _publishAs(cA, sf, uint64(block.timestamp + 1 days), PAY, PAY, 7);
        pA.act(abi.encodeCall(INexus.attempt, (t7, address(pA), 0)));
        pA.act(abi.encodeCall(INexus.revokeMaster, ()));
        _respondAs(pA, t7, 0);
        expectFees += PAY * fee / BPS;
        expectMaster += PAY - PAY * fee / BPS;
        uint256 expectProvider = 0;

        // 8. The master claims its stake; 9. fees go to the treasury contract.
        mA.act(abi.encodeCall(INexus.unbond, (1 ether)));
        vm.warp(block.timestamp + UNBONDING);
        mA.act(abi.encodeCall(INexus.claim, ()));
        expectMaster += 1 ether;
        if (expectFees != 0) nexus.collectFees();

        assertEq(vault.balanceOf(address(mA)), expectMaster, "master credited");
        assertEq(vault.balanceOf(address(cA)), expectClient, "client credited");
        assertEq(vault.balanceOf(address(pA)), expectProvider, "provider key never credited");
        assertEq(vault.balanceOf(address(tA)), expectFees, "treasury credited");
        assertEq(vault.accruedFees(), 0);
        for (uint256 i; i < 4; ++i) {
            assertEq(address(all[i]).balance, 0, "no value pushed");
            assertEq(all[i].receiveCount(), 0, "no value call received");
            assertEq(all[i].fallbackCount(), 0, "no call received");
        }
        assertEq(
            address(vault).balance,
            expectMaster + expectClient + expectProvider + expectFees + vault.lockupOf(address(mA))
                + _marketLockups(),
            "vault holds exactly the credited balances and the remaining stake"
        );

        // Only withdraw pays out, to the caller; a rejecting receiver keeps its balance.
        uint256[4] memory owed = [expectClient, expectMaster, expectProvider, expectFees];
        for (uint256 i; i < 4; ++i) {
            if (owed[i] == 0) continue;
            if (reject) vm.expectRevert(abi.encodeWithSelector(IVault.TransferFailed.selector, address(all[i]), owed[i]));
            _withdrawAs(all[i], owed[i]);
            assertEq(address(all[i]).balance, reject ? 0 : owed[i]);
            assertEq(vault.balanceOf(address(all[i])), reject ? owed[i] : 0);
        }
    }
}
