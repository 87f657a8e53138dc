// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";
import {AgreementHandler} from "./AgreementHandler.sol";
import {Nexus} from "../../../contracts/Nexus.sol";
import {IVault} from "../../../contracts/interfaces/IVault.sol";
import {ITask} from "../../../contracts/interfaces/ITask.sol";
import {Attempt, AttemptState, Stake, TaskStatus, TaskTerms} from "../../../contracts/types/NexusTypes.sol";

/// @dev The campaign's target, declared in the test file so that Hardhat emits its artifact.
contract AgreementCampaignHandler is AgreementHandler {}

/// @notice Stateful fuzzing of k-of-n agreement (docs/PROTOCOL.md "Agreement") through `AgreementHandler`: honest
/// jurors and a cheater on two quorums, sharing their masters' stakes across tasks. Sizes: hardhat.config.ts.
contract AgreementInvariantTest is Test {
    AgreementHandler internal handler;
    Nexus internal nexus;
    IVault internal vault;

    function setUp() public {
        handler = new AgreementCampaignHandler();
        nexus = handler.nexus();
        vault = handler.vault();
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: handler.actions()}));
    }

    function _closed(TaskStatus s) internal pure returns (bool) {
        return s == TaskStatus.CANCELED || s == TaskStatus.EXPIRED || s == TaskStatus.FINALIZED;
    }

    /// Every wei in the vault is in a bucket: balances, lockups, unbondings, open escrows, fees, or burned; and what
    /// was burned is exactly the penalties taken on failed agreements (`extraBurned`: those the drain took).
    function _checkSolvency(uint256 extraBurned) internal view {
        address[] memory actors = handler.getActors();
        uint256 sum = vault.accruedFees() + vault.burned();
        for (uint256 i; i < actors.length; ++i) {
            Stake memory s = vault.stakeOf(actors[i]);
            sum += vault.balanceOf(actors[i]) + s.lockup + s.unbonding;
        }
        address[] memory tasks = handler.getTasks();
        for (uint256 i; i < tasks.length; ++i) sum += vault.escrowOf(tasks[i]);
        assertEq(address(vault).balance, sum, "vault balance != sum of all buckets");
        assertEq(address(vault).balance, handler.ghostDeposited(), "nothing left the vault but what came in");
        assertEq(vault.burned(), handler.ghostBurned() + extraBurned, "burned other than the penalties of failed agreements");
    }

    /// Whether `provider`'s attempt on `task` still holds its master's reservation: live, sealed, or revealed and
    /// waiting for the verdict (an agreeing vote was released by its share; a dissent is held until rejected).
    function _holdsReservation(address task, address provider) internal view returns (bool) {
        AttemptState state = ITask(task).attemptOf(provider).state;
        if (state == AttemptState.LIVE || state == AttemptState.COMMITTED) return true;
        if (state != AttemptState.RESPONDED) return false;
        if (ITask(task).status() != TaskStatus.FINALIZED) return true;
        return handler.resultOf(task, provider) != handler.resultOf(task, ITask(task).winner());
    }

    /// Each master's reserved stake is exactly the penalties of the attempts still holding one, and within its lockup.
    function _checkReservations() internal view {
        address[] memory tasks = handler.getTasks();
        address[] memory providers = handler.getProviders();
        address[] memory masters = handler.getMasters();
        for (uint256 m; m < masters.length; ++m) {
            uint256 owed;
            for (uint256 i; i < tasks.length; ++i) {
                if (_holdsReservation(tasks[i], providers[m])) owed += ITask(tasks[i]).terms().lapsePenalty;
            }
            Stake memory s = vault.stakeOf(masters[m]);
            assertEq(s.reserved, owed, "reserved != penalties of the attempts still holding one");
            assertLe(s.reserved, s.lockup, "reserved above the lockup");
        }
    }

    /// The agreement never pays a result it rejected: the cheater's master never earns, and a finalized task's
    /// winner revealed the correct result with at least quorum - 1 other agreeing jurors.
    function _checkOnlyAgreedResultsPaid() internal view {
        assertEq(vault.earningsOf(handler.cheaterMaster()), 0, "the cheater's master was paid");
        address[] memory tasks = handler.getTasks();
        for (uint256 i; i < tasks.length; ++i) {
            if (ITask(tasks[i]).status() != TaskStatus.FINALIZED) continue;
            address winner = ITask(tasks[i]).winner();
            bytes32 agreed = handler.resultOf(tasks[i], winner);
            assertTrue(handler.honest(winner), "a cheater completed an agreement");
            assertEq(ITask(tasks[i]).votesFor(agreed), ITask(tasks[i]).terms().quorum, "finalized with other than quorum votes");
        }
    }

    function invariant_everyWeiAccountedFor_burnsIncluded() public view {
        _checkSolvency(0);
    }

    function invariant_reservationsMatchTheAttemptsHoldingThem() public view {
        _checkReservations();
    }

    function invariant_onlyTheAgreedResultIsPaid() public view {
        _checkOnlyAgreedResultsPaid();
    }

    function invariant_eachPaymentFollowsTheRules() public view {
        assertFalse(handler.violated(), handler.violation());
    }

    /// Past every expiry, every AGREEMENT task settles, every reservation can be ended by someone (a rejection, a
    /// lapse or a release), and then nothing is reserved and no escrow is left, whether or not jurors revealed.
    function invariant_everyTaskSettlesAndEveryReservationEnds() public {
        vm.warp(handler.currentTime() + 2 days);
        address[] memory tasks = handler.getTasks();
        address[] memory providers = handler.getProviders();
        uint256 burned;
        for (uint256 i; i < tasks.length; ++i) {
            if (!_closed(ITask(tasks[i]).status())) nexus.settle(tasks[i]);
            bool agreed = ITask(tasks[i]).status() == TaskStatus.FINALIZED;
            uint256 penalty = ITask(tasks[i]).terms().lapsePenalty;
            assertTrue(_closed(ITask(tasks[i]).status()), "an AGREEMENT task did not settle");
            assertEq(vault.escrowOf(tasks[i]), 0, "escrow left after settlement");
            for (uint256 j; j < providers.length; ++j) {
                if (!_holdsReservation(tasks[i], providers[j])) continue;
                AttemptState state = ITask(tasks[i]).attemptOf(providers[j]).state;
                if (state == AttemptState.RESPONDED || _lapsed(tasks[i], providers[j])) {
                    if (state == AttemptState.RESPONDED) nexus.rejectResponse(tasks[i], providers[j]);
                    else nexus.reportLapse(tasks[i], providers[j]);
                    if (!agreed) burned += penalty;
                } else {
                    nexus.releaseAttempt(tasks[i], providers[j]);
                }
                assertFalse(_holdsReservation(tasks[i], providers[j]), "a reservation could not be ended");
            }
        }
        address[] memory masters = handler.getMasters();
        for (uint256 m; m < masters.length; ++m) assertEq(vault.stakeOf(masters[m]).reserved, 0, "stake left reserved");
        _checkSolvency(burned);
    }

    /// @dev Whether the protocol calls this attempt lapsed rather than cut short (Task.recordLapse).
    function _lapsed(address task, address provider) internal returns (bool lapsed) {
        uint256 snapshot = vm.snapshotState();
        try nexus.reportLapse(task, provider) {
            lapsed = true;
        } catch {}
        vm.revertToState(snapshot);
    }

    function invariant_callSummary() public view {
        string[9] memory names =
            ["publishTask", "attempt", "commitVote", "reveal", "rejectResponse", "reportLapse", "releaseAttempt", "settle", "warp"];
        for (uint256 i; i < names.length; ++i) {
            bytes32 key = bytes32(bytes(names[i]));
            console.log(names[i], handler.calls(key), handler.successes(key));
        }
        console.log("agreements / expired with votes", handler.agreements(), handler.expiredWithVotes());
        console.log("rejections to client / burned", handler.rejectionsToClient(), handler.rejectionsBurned());
        console.log("lapses burned", handler.lapsesBurned());
    }
}
