// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {console} from "forge-std/console.sol";
import {NexusHandler} from "./NexusHandler.sol";
import {NexusInvariantChecks} from "./NexusInvariantChecks.sol";
import {TaskStatus} from "../../../contracts/types/NexusTypes.sol";

/// @dev The campaign's target. Declared here, in the test file, so that Hardhat emits its artifact (it does so
/// only for contracts of test files and `contracts/`), without which the fuzzer cannot identify it.
contract CampaignHandler is NexusHandler {}

/// @notice Stateful fuzzing of the whole protocol through `NexusHandler`. Sizes come from hardhat.config.ts
/// (`test.solidity.invariant`; NEXUS_PROFILE=deep for a long campaign).
contract NexusInvariantTest is NexusInvariantChecks {
    function _newHandler() internal override returns (NexusHandler) {
        return new CampaignHandler();
    }

    function setUp() public {
        _deployHandler();
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: handler.actions()}));
    }

    /// (a) address(vault).balance == Σ balances + Σ escrowOf(open tasks) + Σ lockups + Σ unbondings + accruedFees.
    function invariant_vaultBalanceEqualsAllBuckets() public view {
        _checkSolvency();
    }

    /// (f) Σ ghost deposits − Σ ghost withdrawals == vault balance.
    function invariant_depositsMinusWithdrawalsEqualVaultBalance() public view {
        _checkGhostFlows();
    }

    /// (b) A task pays out at most once.
    function invariant_taskPaysOutAtMostOnce() public view {
        _checkPayoutOnce();
    }

    /// (c) A terminal status never changes.
    function invariant_terminalStatusNeverChanges() public view {
        _checkTerminalStable();
    }

    /// (d) After expiry + review window every open task settles; no funds are ever stuck.
    function invariant_everyOpenTaskSettlesAndNothingIsStuck() public {
        _checkEverythingSettlesAndDrains();
    }

    /// (e) liveAttempts <= maxConcurrentAttempts, and equals the live attempt records of an open task.
    function invariant_liveAttemptsBounded() public view {
        _checkLiveAttempts();
    }

    /// (g) reserved <= lockup for every staker, and equals the penalties of the attempts it still backs.
    function invariant_reservationsMatchLiveAttempts() public view {
        _checkReservations();
    }

    /// Fees and earnings are conserved.
    function invariant_feesAndEarningsConserved() public view {
        _checkFeesAndEarnings();
    }

    /// Every call the handler made succeeded or failed exactly as the protocol's rules say, with exact amounts.
    function invariant_callsFollowTheRules() public view {
        _checkNoViolation();
    }

    function invariant_callSummary() public view {
        string[19] memory names = [
            "publishTask", "attempt", "submitResponse", "confirmResponse", "cancelTask", "settle", "reportLapse",
            "deposit", "withdraw", "lock", "unbond", "cancelUnbonding", "claim", "collectFees", "warp",
            "togglePairing", "setFee", "toggleSource", "releaseAttempt"
        ];
        for (uint256 i; i < names.length; ++i) {
            bytes32 key = bytes32(bytes(names[i]));
            console.log(names[i], handler.calls(key), handler.successes(key));
        }
        console.log("tasks", handler.taskCount());
        for (uint8 s; s <= uint8(TaskStatus.FINALIZED); ++s) console.log("status reached", s, handler.reachedStatus(s));
        console.log("lapses / with penalty", handler.lapses(), handler.lapsesWithPenalty());
    }
}
