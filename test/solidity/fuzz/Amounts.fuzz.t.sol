// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {TermsSeen, ALL_AGENT_SCOPES, UNLIMITED_ALLOWANCE} from "../../../contracts/types/NexusTypes.sol";
import {NexusSetup} from "./utils/NexusSetup.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {INexus} from "../../../contracts/interfaces/INexus.sol";
import {INexusEvents} from "../../../contracts/interfaces/INexusEvents.sol";
import {ITask} from "../../../contracts/interfaces/ITask.sol";
import {IVault} from "../../../contracts/interfaces/IVault.sol";
import {
    AttemptState,
    DeliveryMethod,
    SourceParams,
    TaskStatus,
    MAX_FEE_BPS,
    MAX_UNBONDING_PERIOD,
    MIN_UNBONDING_PERIOD
} from "../../../contracts/types/NexusTypes.sol";
import {termsSeenOf} from "../helpers/TermsSeenOf.sol";

/// @notice Amount arithmetic: funding a task from msg.value and balance, fees, payouts, refunds, penalties.
contract AmountsFuzzTest is NexusSetup {
    uint256 internal constant U96 = type(uint96).max;

    function setUp() public {
        _deploy(0);
    }

    function _setFee(uint256 feeSeed) internal returns (uint16 feeBps) {
        feeBps = uint16(bound(feeSeed, 0, MAX_FEE_BPS));
        vm.prank(owner);
        nexus.setFee(feeBps);
    }

    // ------------------------------------------------------------------ publishTask funding

    /// msg.value below / equal / above the payment, with the client's balance covering the difference or not.
    function testFuzz_publishTask_fundsFromValueAndBalance(
        uint256 minPayment,
        uint256 payment,
        uint256 valueSeed,
        uint256 balanceSeed,
        uint8 mode,
        bool firstResponse
    ) public {
        SourceParams memory p = _params(_method(firstResponse));
        p.minPayment = uint96(bound(minPayment, 0, U96));
        address source = _publishSource(client, p);
        uint256 floor = p.minPayment == 0 ? 1 : p.minPayment;
        payment = bound(payment, floor, U96);

        uint256 value;
        uint256 prior;
        mode = mode % 5;
        if (mode == 0) {
            // value == payment, any balance
            value = payment;
            prior = bound(balanceSeed, 0, U96);
        } else if (mode == 1) {
            // value above payment: the excess is credited
            value = payment + bound(valueSeed, 1, U96);
            prior = bound(balanceSeed, 0, U96);
        } else if (mode == 2) {
            // value below payment, balance covers the difference (exactly or more)
            value = bound(valueSeed, 0, payment - 1);
            prior = (payment - value) + bound(balanceSeed, 0, U96 / 2);
        } else if (mode == 3) {
            // value below payment, balance short by at least one wei
            value = bound(valueSeed, 0, payment - 1);
            prior = bound(balanceSeed, 0, payment - value - 1);
        } else {
            value = bound(valueSeed, 0, 2 * U96);
            prior = bound(balanceSeed, 0, U96);
        }
        _fund(client, prior);
        uint64 expiry = uint64(block.timestamp + 1 days);

        bool covered = value + prior >= payment;
        vm.deal(client, value);
        if (!covered) {
            vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientBalance.selector, client, prior, payment - value));
        }
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(client);
        address task = nexus.publishTask{value: value}(client, source, "ipfs://c", bytes32("h"), expiry, payment, 7, seen);
        if (!covered) {
            assertEq(vault.balanceOf(client), prior, "balance intact after refusal");
            assertEq(address(vault).balance, prior, "vault intact after refusal");
            return;
        }
        assertEq(vault.balanceOf(client), prior + value - payment, "client balance");
        assertEq(vault.escrowOf(task), payment, "escrow");
        assertEq(ITask(task).escrow(), payment, "task escrow view");
        assertEq(address(vault).balance, prior + value, "vault holds value + prior");
        assertEq(client.balance, 0, "value taken");
        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.NEW));
    }

    /// A payment below the minimum (a zero minimum still means at least 1 wei) or above uint96 is refused.
    function testFuzz_publishTask_paymentBounds(uint256 minPayment, uint256 payment, bool above) public {
        SourceParams memory p = _params(DeliveryMethod.MANUAL_CONFIRMATION);
        p.minPayment = uint96(bound(minPayment, 0, U96));
        address source = _publishSource(client, p);
        uint256 floor = p.minPayment == 0 ? 1 : p.minPayment;
        uint64 expiry = uint64(block.timestamp + 1 days);
        if (above) {
            payment = bound(payment, U96 + 1, type(uint256).max);
            vm.expectRevert(abi.encodeWithSelector(INexus.ValueOverflow.selector, payment));
        } else {
            payment = bound(payment, 0, floor - 1);
            vm.expectRevert(abi.encodeWithSelector(INexus.PaymentBelowMinimum.selector, payment, floor));
        }
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(client);
        nexus.publishTask(client, source, "", bytes32(0), expiry, payment, 1, seen);
    }

    /// Publishing for a client through an agent: msg.value goes to the client's balance, never the agent's.
    function testFuzz_publishTask_agentValueGoesToClient(uint256 payment, uint256 value, uint256 prior) public {
        address agent = makeAddr("agent");
        address source = _publishSource(client, _params(DeliveryMethod.FIRST_RESPONSE));
        payment = bound(payment, 1e12, U96);
        value = bound(value, 0, U96);
        prior = bound(prior, payment > value ? payment - value : 0, U96);
        _fund(client, prior);
        _fund(agent, 1 ether);
        vm.prank(client);
        nexus.grantAgent(agent, ALL_AGENT_SCOPES, UNLIMITED_ALLOWANCE);
        vm.deal(agent, value);
        if (value != 0) {
            vm.expectEmit(true, true, false, true, address(nexus));
            emit INexusEvents.Deposited(client, agent, value);
        }
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(agent);
        address task = nexus.publishTask{value: value}(
            client, source, "", bytes32(0), uint64(block.timestamp + 1), payment, 1, seen
        );
        assertEq(ITask(task).terms().client, client);
        assertEq(vault.balanceOf(client), prior + value - payment);
        assertEq(vault.balanceOf(agent), 1 ether, "agent balance untouched");
    }

    // ------------------------------------------------------------------ fees and payouts

    /// FIRST_RESPONSE: the whole payment less the fee goes to the master; the fee accrues and reaches the treasury.
    /// The fee is the one in force at publication: a later change does not touch the open task.
    function testFuzz_firstResponse_feeArithmetic(uint256 payment, uint256 feeSeed, uint256 asked, uint256 laterFee)
        public
    {
        uint16 feeBps = _setFee(feeSeed);
        SourceParams memory p = _params(DeliveryMethod.FIRST_RESPONSE);
        p.minPayment = 0;
        address source = _market(p);
        payment = bound(payment, 1, U96);
        address task = _publishTask(client, source, uint64(block.timestamp + 1 days), payment, payment);
        assertEq(ITask(task).terms().feeBps, feeBps, "fee fixed in the terms");
        _setFee(laterFee);
        _attempt(task, provider, asked);

        uint256 fee = payment * feeBps / BPS;
        _commit(task, provider, asked);
        _nextBlock();
        vm.expectEmit(true, true, true, true, address(nexus));
        emit INexusEvents.TaskFinalized(task, provider, master, payment, fee, 0, false);
        _reveal(task, provider, asked); // the asked amount is irrelevant on FIRST_RESPONSE

        assertEq(vault.balanceOf(master), payment - fee, "master payout");
        assertEq(vault.earningsOf(master), payment - fee, "master earnings");
        assertEq(vault.balanceOf(provider), 0, "provider key gets nothing");
        assertEq(vault.balanceOf(client), 0, "no refund");
        assertEq(vault.accruedFees(), fee, "fee accrued");
        assertEq(vault.escrowOf(task), 0, "escrow released");
        assertEq(ITask(task).winner(), provider);
        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.FINALIZED));

        if (fee == 0) {
            vm.expectRevert(IVault.ZeroAmount.selector);
            nexus.collectFees();
        } else {
            vm.prank(anyone);
            nexus.collectFees();
            assertEq(vault.balanceOf(treasury), fee, "treasury credited");
            assertEq(vault.accruedFees(), 0);
        }
        // Everything left in the vault is exactly the master's stake, payout and the treasury's fee.
        assertEq(address(vault).balance, _marketLockups() + vault.balanceOf(master) + vault.balanceOf(treasury) + vault.accruedFees());
    }

    /// MANUAL: the asked payment less the fee to the master, the rest of the escrow back to the client, whether the
    /// client confirms or anyone settles after the review window.
    function testFuzz_manual_payoutArithmetic(
        uint256 payment,
        uint256 asked,
        uint256 feeSeed,
        bool bySettlement,
        uint256 laterFee
    ) public {
        uint16 feeBps = _setFee(feeSeed);
        SourceParams memory p = _params(DeliveryMethod.MANUAL_CONFIRMATION);
        p.minPayment = 0;
        address source = _market(p);
        payment = bound(payment, 1, U96);
        asked = bound(asked, 0, payment);
        uint64 expiry = uint64(block.timestamp + 1 days);
        address task = _publishTask(client, source, expiry, payment, payment);
        _setFee(laterFee);
        _attempt(task, provider, asked);
        _respond(task, provider, asked);
        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.RESPONDED));
        assertEq(_attemptOf(task, provider).askedPayment, asked);

        uint256 fee = asked * feeBps / BPS;
        vm.expectEmit(true, true, true, true, address(nexus));
        emit INexusEvents.TaskFinalized(task, provider, master, asked, fee, payment - asked, bySettlement);
        if (bySettlement) {
            vm.warp(uint256(expiry) + p.reviewWindow);
            vm.prank(anyone);
            nexus.settle(task);
        } else {
            vm.prank(client);
            nexus.confirmResponse(task, provider);
        }
        assertEq(vault.balanceOf(master), asked - fee, "master payout");
        assertEq(vault.earningsOf(master), asked - fee, "earnings");
        assertEq(vault.balanceOf(client), payment - asked, "client refund");
        assertEq(vault.accruedFees(), fee, "fee");
        assertEq(vault.escrowOf(task), 0);
        assertEq(ITask(task).winner(), provider);
        assertEq(
            address(vault).balance,
            _marketLockups() + vault.balanceOf(master) + vault.balanceOf(client) + vault.accruedFees(),
            "conservation"
        );
    }

    /// MANUAL: an asked payment above the task's payment is refused at the reveal and the attempt stays live; its
    /// commitment cannot be replaced (a provider commits once per task), so it lapses, while another provider's full ask pays.
    function testFuzz_manual_askedAbovePaymentRefused(uint256 payment, uint256 asked) public {
        address source = _market(_params(DeliveryMethod.MANUAL_CONFIRMATION));
        payment = bound(payment, 1e12, U96 - 1);
        asked = bound(asked, payment + 1, type(uint256).max);
        address task = _publishTask(client, source, uint64(block.timestamp + 1 days), payment, payment);
        _attempt(task, provider, payment);
        _commit(task, provider, asked);
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(ITask.PaymentAboveEscrow.selector, task, asked, payment));
        _reveal(task, provider, asked);
        assertEq(uint8(_attemptOf(task, provider).state), uint8(AttemptState.LIVE));
        assertEq(_state(task).liveAttempts, 1);
        uint40 committedAt = nexus.commitmentOf(task, provider).committedAt;
        vm.expectRevert(abi.encodeWithSelector(INexus.AlreadyCommitted.selector, task, provider, committedAt));
        _commit(task, provider, payment);
        _attempt(task, provider2, payment);
        _respond(task, provider2, payment); // the full payment is a valid ask
        assertEq(_attemptOf(task, provider2).askedPayment, payment);
    }

    /// MANUAL: the suggested payment at attempt must not exceed the payment; FIRST_RESPONSE ignores it.
    function testFuzz_attempt_suggestedPayment(uint256 payment, uint256 suggested, bool firstResponse) public {
        address source = _market(_params(_method(firstResponse)));
        payment = bound(payment, 1e12, U96);
        suggested = bound(suggested, 0, type(uint256).max);
        address task = _publishTask(client, source, uint64(block.timestamp + 1 days), payment, payment);
        bool refused = !firstResponse && suggested > payment;
        if (refused) vm.expectRevert(abi.encodeWithSelector(ITask.PaymentAboveEscrow.selector, task, suggested, payment));
        vm.prank(provider);
        nexus.attempt(task, provider, suggested);
        assertEq(_state(task).liveAttempts, refused ? 0 : 1);
    }

    /// With several MANUAL responses, the client may pick any; settlement picks the earliest. Exact payouts either way.
    function testFuzz_manual_choiceAmongResponses(uint256 payment, uint256 ask1, uint256 ask2, uint256 feeSeed, uint8 pick)
        public
    {
        uint16 feeBps = _setFee(feeSeed);
        SourceParams memory p = _params(DeliveryMethod.MANUAL_CONFIRMATION);
        address source = _publishSource(client, p);
        _pair(master, provider);
        _pair(master2, provider2);
        _stake(master, p.minAvailableLockup);
        _stake(master2, p.minAvailableLockup);
        _register(source, provider);
        _register(source, provider2);
        payment = bound(payment, p.minPayment, U96);
        ask1 = bound(ask1, 0, payment);
        ask2 = bound(ask2, 0, payment);
        uint64 expiry = uint64(block.timestamp + 2 days);
        address task = _publishTask(client, source, expiry, payment, payment);
        _attempt(task, provider, 0);
        _attempt(task, provider2, 0);
        vm.warp(block.timestamp + 10);
        _respond(task, provider, ask1);
        vm.warp(block.timestamp + 10);
        _respond(task, provider2, ask2);
        assertEq(_state(task).selectedProvider, provider, "earliest responder selected");

        pick = pick % 3;
        (address paidProvider, address payee, uint256 asked) =
            pick == 1 ? (provider2, master2, ask2) : (provider, master, ask1);
        if (pick == 2) {
            vm.warp(uint256(expiry) + p.reviewWindow);
            nexus.settle(task);
        } else {
            vm.prank(client);
            nexus.confirmResponse(task, paidProvider);
        }
        uint256 fee = asked * feeBps / BPS;
        assertEq(vault.balanceOf(payee), asked - fee);
        assertEq(vault.balanceOf(payee == master ? master2 : master), 0);
        assertEq(vault.balanceOf(client), payment - asked);
        assertEq(vault.accruedFees(), fee);
        assertEq(ITask(task).winner(), paidProvider);
    }

    // ------------------------------------------------------------------ lapse penalty

    /// docs/PROTOCOL.md "Reserved stake": an attempt reserves the whole penalty from the master's free lockup or is
    /// refused; unbonding sees only the free part; a lapse moves exactly the reservation to the client, once.
    function testFuzz_lapsePenalty_reservedThenSlashed(uint256 penalty, uint256 lockup, uint256 unbondPart, bool firstResponse)
        public
    {
        SourceParams memory p = _params(_method(firstResponse));
        // Any penalty the master accepts: its widest cap is type(uint88).max.
        p.lapsePenalty = uint96(bound(penalty, 0, type(uint88).max));
        p.minAvailableLockup = 1;
        address source = _publishSource(client, p);
        _pair(master, provider);
        lockup = bound(lockup, 1, U96);
        _stake(master, lockup);
        _register(source, provider);
        address task = _publishTask(client, source, uint64(block.timestamp + 1 days), 1 ether, 1 ether);
        if (p.lapsePenalty > lockup) {
            vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientFreeLockup.selector, master, lockup, p.lapsePenalty));
            vm.prank(provider);
            nexus.attempt(task, provider, 0);
            assertEq(_state(task).liveAttempts, 0, "no attempt without stake to back it");
            return;
        }
        uint40 deadline = _attempt(task, provider, 0);
        assertEq(vault.stakeOf(master).reserved, p.lapsePenalty, "the penalty is reserved");
        uint256 free = lockup - p.lapsePenalty;
        assertEq(vault.freeLockupOf(master), free);

        if (free < lockup) {
            vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientFreeLockup.selector, master, free, free + 1));
            vm.prank(master);
            nexus.unbond(free + 1);
        }
        unbondPart = bound(unbondPart, 0, free);
        if (unbondPart != 0) {
            vm.prank(master);
            nexus.unbond(unbondPart);
        }

        vm.warp(deadline);
        vm.expectEmit(true, true, true, true, address(nexus));
        emit INexusEvents.AttemptLapsed(task, provider, master, p.lapsePenalty, false, anyone);
        vm.prank(anyone);
        nexus.reportLapse(task, provider);

        assertEq(vault.balanceOf(client), p.lapsePenalty, "client compensated in full");
        assertEq(vault.lockupOf(master), lockup - unbondPart - p.lapsePenalty, "taken from the lockup");
        assertEq(vault.stakeOf(master).reserved, 0, "the reservation is spent");
        assertEq(vault.stakeOf(master).unbonding, unbondPart, "the unbonding is untouched");
        assertEq(vault.balanceOf(anyone), 0, "reporter gets nothing");
        assertEq(_state(task).liveAttempts, 0, "slot freed");
        assertEq(uint8(_attemptOf(task, provider).state), uint8(AttemptState.LAPSED));

        vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, provider));
        nexus.reportLapse(task, provider);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotCutShort.selector, task, provider));
        nexus.releaseAttempt(task, provider);
        assertEq(vault.balanceOf(client), p.lapsePenalty, "once per attempt");
        assertEq(address(vault).balance, lockup + 1 ether, "nothing created or lost");
    }

    /// The master that backed an attempt is paid for it and answers for its lapse, even if the provider leaves it
    /// (or moves to another master) before responding or before the lapse is reported.
    function testFuzz_attemptMasterIsPaidAndSlashed(uint256 payment, bool firstResponse, bool moveToOther, bool lapse)
        public
    {
        SourceParams memory p = _params(_method(firstResponse));
        address source = _market(p);
        address other = makeAddr("other-master");
        _stake(other, 10 ether);
        vm.prank(other);
        nexus.announceProvider(provider, type(uint88).max);
        payment = bound(payment, p.minPayment, U96);
        uint64 expiry = uint64(block.timestamp + 1 days);
        address task = _publishTask(client, source, expiry, payment, payment);
        uint40 deadline = _attempt(task, provider, 0);
        assertEq(_attemptOf(task, provider).master, master);

        vm.prank(provider);
        if (moveToOther) nexus.announceMaster(other); // paired with `other` at once: it announced the provider
        else nexus.revokeMaster();
        assertEq(registry.masterOf(provider), moveToOther ? other : address(0));

        if (lapse) {
            vm.warp(deadline);
            vm.expectEmit(true, true, true, true, address(nexus));
            emit INexusEvents.AttemptLapsed(task, provider, master, p.lapsePenalty, false, anyone);
            vm.prank(anyone);
            nexus.reportLapse(task, provider);
            assertEq(vault.lockupOf(master), p.minAvailableLockup - p.lapsePenalty, "backing master slashed");
            assertEq(vault.lockupOf(other), 10 ether, "new master untouched");
            assertEq(vault.balanceOf(client), p.lapsePenalty);
            return;
        }
        _respond(task, provider, payment);
        if (!firstResponse) {
            vm.prank(client);
            nexus.confirmResponse(task, provider);
        }
        assertEq(vault.balanceOf(master), payment, "backing master paid (fee 0)");
        assertEq(vault.earningsOf(master), payment);
        assertEq(vault.balanceOf(other), 0, "new master not paid");
        assertEq(vault.balanceOf(provider), 0, "provider key not paid");
    }

    // ------------------------------------------------------------------ vault buckets

    function testFuzz_withdraw_amounts(uint256 balance, uint256 amount) public {
        balance = bound(balance, 0, U96);
        _fund(client, balance);
        amount = bound(amount, 0, type(uint128).max);
        uint256 before = client.balance;
        if (amount == 0) vm.expectRevert(IVault.ZeroAmount.selector);
        else if (amount > balance) {
            vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientBalance.selector, client, balance, amount));
        }
        vm.prank(client);
        nexus.withdraw(amount);
        bool ok = amount != 0 && amount <= balance;
        assertEq(client.balance, before + (ok ? amount : 0));
        assertEq(vault.balanceOf(client), balance - (ok ? amount : 0));
        assertEq(address(vault).balance, vault.balanceOf(client));
    }

    function testFuzz_lockUnbondClaim_amounts(uint256 deposit_, uint256 lockAmt, uint256 unbond1, uint256 unbond2, bool cancel)
        public
    {
        deposit_ = bound(deposit_, 1, U96);
        _fund(master, deposit_);
        lockAmt = bound(lockAmt, 0, deposit_ + 1);
        if (lockAmt == 0) vm.expectRevert(IVault.ZeroAmount.selector);
        else if (lockAmt > deposit_) {
            vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientBalance.selector, master, deposit_, lockAmt));
        }
        vm.prank(master);
        nexus.lock(lockAmt);
        if (lockAmt == 0 || lockAmt > deposit_) return;

        unbond1 = bound(unbond1, 1, lockAmt);
        vm.prank(master);
        nexus.unbond(unbond1);
        uint256 remaining = lockAmt - unbond1;
        unbond2 = bound(unbond2, 0, remaining + 1);
        if (unbond2 == 0) vm.expectRevert(IVault.ZeroAmount.selector);
        else if (unbond2 > remaining) {
            vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientFreeLockup.selector, master, remaining, unbond2));
        }
        vm.prank(master);
        nexus.unbond(unbond2);
        uint256 unbonding = unbond1 + (unbond2 != 0 && unbond2 <= remaining ? unbond2 : 0);
        assertEq(vault.stakeOf(master).unbonding, unbonding);
        assertEq(vault.lockupOf(master) + unbonding, lockAmt, "stake conserved");

        if (cancel) {
            vm.prank(master);
            nexus.cancelUnbonding();
            assertEq(vault.lockupOf(master), lockAmt);
            assertEq(vault.stakeOf(master).unbonding, 0);
            vm.prank(master);
            vm.expectRevert(abi.encodeWithSelector(IVault.NothingUnbonding.selector, master));
            nexus.claim();
        } else {
            vm.warp(block.timestamp + UNBONDING);
            vm.prank(master);
            nexus.claim();
            assertEq(vault.balanceOf(master), deposit_ - lockAmt + unbonding);
            assertEq(vault.lockupOf(master), lockAmt - unbonding);
        }
        assertEq(address(vault).balance, deposit_);
        assertEq(address(vault).balance, vault.balanceOf(master) + vault.lockupOf(master) + vault.stakeOf(master).unbonding);
    }

    /// Several tasks accrue fees; one collection moves all of them to the treasury; a second reverts.
    function testFuzz_collectFees_accumulates(uint256[4] memory payments, uint256 feeSeed) public {
        uint16 feeBps = _setFee(feeSeed);
        SourceParams memory p = _params(DeliveryMethod.FIRST_RESPONSE);
        p.maxConcurrentAttempts = 1;
        address source = _market(p);
        uint256 fees;
        for (uint256 i; i < payments.length; ++i) {
            uint256 pay = bound(payments[i], p.minPayment, U96 / 4);
            address task = _publishTask(client, source, uint64(block.timestamp + 1 days), pay, pay);
            address prov = i % 2 == 0 ? provider : provider2;
            _attempt(task, prov, 0);
            _respond(task, prov, 0);
            fees += pay * feeBps / BPS;
        }
        assertEq(vault.accruedFees(), fees);
        if (fees == 0) {
            vm.expectRevert(IVault.ZeroAmount.selector);
            nexus.collectFees();
            return;
        }
        nexus.collectFees();
        assertEq(vault.balanceOf(treasury), fees);
        vm.expectRevert(IVault.ZeroAmount.selector);
        nexus.collectFees();
        vm.prank(treasury);
        nexus.withdraw(fees);
        assertEq(treasury.balance, fees);
    }

    // ------------------------------------------------------------------ admin bounds

    function testFuzz_adminBounds(uint16 feeBps, uint64 period, address stranger) public {
        vm.assume(stranger != owner);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        nexus.setFee(0);

        if (feeBps > MAX_FEE_BPS) vm.expectRevert(abi.encodeWithSelector(INexus.FeeTooHigh.selector, feeBps, MAX_FEE_BPS));
        vm.prank(owner);
        nexus.setFee(feeBps);
        assertEq(nexus.feeBps(), feeBps > MAX_FEE_BPS ? 0 : feeBps);

        bool outOfRange = period < MIN_UNBONDING_PERIOD || period > MAX_UNBONDING_PERIOD;
        if (outOfRange) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    INexus.UnbondingPeriodOutOfRange.selector, period, MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD
                )
            );
        }
        vm.prank(owner);
        nexus.setUnbondingPeriod(period);
        assertEq(vault.unbondingPeriod(), outOfRange ? UNBONDING : period);
    }
}
