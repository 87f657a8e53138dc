// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Test} from "forge-std/Test.sol";
import {NexusHandler} from "./NexusHandler.sol";
import {Nexus} from "../../../contracts/Nexus.sol";
import {IVault} from "../../../contracts/interfaces/IVault.sol";
import {ITask} from "../../../contracts/interfaces/ITask.sol";
import {Attempt, AttemptState, Stake, TaskState, TaskStatus, TaskTerms} from "../../../contracts/types/NexusTypes.sol";

/// @notice The protocol invariants, checked against the handler's actors, tasks and ghosts. Shared by the fuzzed
/// invariant campaign and by the seeded deep-state test.
abstract contract NexusInvariantChecks is Test {
    NexusHandler internal handler;
    Nexus internal nexus;
    IVault internal vault;

    /// @dev The handler to drive. An invariant campaign must target a contract defined in a test (`.t.sol`) file:
    /// Hardhat emits artifacts only for those, and the fuzzer needs the artifact to know the target's functions.
    function _newHandler() internal virtual returns (NexusHandler) {
        return new NexusHandler();
    }

    function _deployHandler() internal {
        handler = _newHandler();
        nexus = handler.nexus();
        vault = handler.vault();
    }

    function _closed(TaskStatus s) internal pure returns (bool) {
        return s == TaskStatus.CANCELED || s == TaskStatus.EXPIRED || s == TaskStatus.FINALIZED;
    }

    /// (a) The vault's native balance is exactly Σ balances + Σ open escrows + Σ lockups + Σ unbondings + fees.
    function _checkSolvency() internal view {
        address[] memory actors = handler.getActors();
        uint256 sum = vault.accruedFees();
        for (uint256 i; i < actors.length; ++i) {
            Stake memory s = vault.stakeOf(actors[i]);
            sum += vault.balanceOf(actors[i]) + s.lockup + s.unbonding;
        }
        address[] memory tasks = handler.getTasks();
        for (uint256 i; i < tasks.length; ++i) {
            sum += vault.escrowOf(tasks[i]);
        }
        assertEq(address(vault).balance, sum, "vault balance != sum of all buckets");
    }

    /// (f) Everything that entered minus everything that left is what the vault holds.
    function _checkGhostFlows() internal view {
        assertEq(
            address(vault).balance, handler.ghostDeposited() - handler.ghostWithdrawn(), "deposits - withdrawals != vault"
        );
    }

    /// (b) A task pays out at most once: one successful closing call, one escrow release, exactly when terminal.
    function _checkPayoutOnce() internal view {
        address[] memory tasks = handler.getTasks();
        for (uint256 i; i < tasks.length; ++i) {
            address task = tasks[i];
            bool closed = _closed(ITask(task).status());
            uint256 closings = handler.ghostClosings(task);
            uint256 releases = handler.ghostEscrowReleases(task);
            assertLe(closings, 1, "task closed more than once");
            assertLe(releases, 1, "escrow released more than once");
            assertEq(closings, closed ? 1 : 0, "closing calls vs status");
            assertEq(releases, closed ? 1 : 0, "escrow releases vs status");
            assertEq(vault.escrowOf(task), closed ? 0 : ITask(task).terms().payment, "escrow vs status");
            assertEq(ITask(task).escrow(), vault.escrowOf(task), "task and vault agree on escrow");
        }
    }

    /// (c) A terminal status never changes.
    function _checkTerminalStable() internal view {
        address[] memory tasks = handler.getTasks();
        for (uint256 i; i < tasks.length; ++i) {
            TaskStatus s = ITask(tasks[i]).status();
            uint8 first = handler.ghostTerminal(tasks[i]);
            if (first != 0) assertEq(uint8(s) + 1, first, "terminal status changed");
            else assertFalse(_closed(s), "closed without being observed");
            if (s == TaskStatus.FINALIZED) assertTrue(ITask(tasks[i]).winner() != address(0), "finalized without winner");
            else assertEq(ITask(tasks[i]).winner(), address(0), "winner before finalization");
        }
    }

    /// (e) Live attempts never exceed the cap; on an open task they are exactly the LIVE attempt records, and a
    /// closed task reports none.
    function _checkLiveAttempts() internal view {
        address[] memory tasks = handler.getTasks();
        address[] memory providers = handler.getProviders();
        for (uint256 i; i < tasks.length; ++i) {
            TaskState memory st = ITask(tasks[i]).state();
            TaskTerms memory t = ITask(tasks[i]).terms();
            assertLe(st.liveAttempts, t.maxConcurrentAttempts, "live attempts above the cap");
            if (_closed(st.status)) {
                assertEq(st.liveAttempts, 0, "a closed task reports live attempts");
                continue;
            }
            uint256 live;
            for (uint256 j; j < providers.length; ++j) {
                if (ITask(tasks[i]).attemptOf(providers[j]).state == AttemptState.LIVE) live += 1;
            }
            assertEq(st.liveAttempts, live, "live count != live attempt records");
        }
    }

    /// (g) Reserved stake: for every staker, reserved <= lockup, and reserved is exactly the penalties of the
    /// attempts it backs that are still owed a release or a slash (LIVE records: live, lapsed but unreported, or cut
    /// short but unreleased), as the handler booked them.
    function _checkReservations() internal view {
        address[] memory actors = handler.getActors();
        address[] memory tasks = handler.getTasks();
        address[] memory providers = handler.getProviders();
        uint256[] memory owed = new uint256[](actors.length);
        for (uint256 i; i < tasks.length; ++i) {
            uint256 penalty = ITask(tasks[i]).terms().lapsePenalty;
            for (uint256 j; j < providers.length; ++j) {
                Attempt memory a = ITask(tasks[i]).attemptOf(providers[j]);
                if (a.state != AttemptState.LIVE) continue;
                for (uint256 k; k < actors.length; ++k) {
                    if (actors[k] == a.master) owed[k] += penalty;
                }
            }
        }
        for (uint256 k; k < actors.length; ++k) {
            Stake memory s = vault.stakeOf(actors[k]);
            assertLe(s.reserved, s.lockup, "reserved above the lockup");
            assertEq(s.reserved, owed[k], "reserved != penalties of the attempts it backs");
            assertEq(s.reserved, handler.ghostReserved(actors[k]), "reserved != reservations booked");
            assertEq(vault.freeLockupOf(actors[k]), s.lockup - s.reserved, "free lockup view");
        }
    }

    /// Fees: accrued + collected == everything charged; earnings == everything paid out net.
    function _checkFeesAndEarnings() internal view {
        assertEq(vault.accruedFees() + handler.ghostFeesCollected(), handler.ghostFeesAccrued(), "fees not conserved");
        address[] memory actors = handler.getActors();
        uint256 earnings;
        for (uint256 i; i < actors.length; ++i) earnings += vault.earningsOf(actors[i]);
        assertEq(earnings, handler.ghostEarnings(), "earnings != net payouts");
        address[] memory masters = handler.getMasters();
        uint256 mastersEarnings;
        for (uint256 i; i < masters.length; ++i) mastersEarnings += vault.earningsOf(masters[i]);
        assertEq(mastersEarnings, earnings, "someone other than a master earned");
    }

    function _checkNoViolation() internal view {
        assertFalse(handler.violated(), handler.violation());
    }

    /// (d) After expiry + review window every open task can be settled, and then every wei can be taken out:
    /// settle each open task at exactly its latest settlement time, then settle all, unbond and claim every stake,
    /// collect fees and withdraw every balance — the vault ends empty. All in a snapshot.
    function _checkEverythingSettlesAndDrains() internal {
        uint256 snap = vm.snapshotState();
        address[] memory tasks = handler.getTasks();
        uint256 latest = block.timestamp > handler.currentTime() ? block.timestamp : handler.currentTime();
        for (uint256 i; i < tasks.length; ++i) {
            address task = tasks[i];
            if (_closed(ITask(task).status())) continue;
            TaskTerms memory t = ITask(task).terms();
            uint256 at = uint256(t.expiryTime) + t.reviewWindow;
            if (at > latest) latest = at;
            uint256 inner = vm.snapshotState();
            if (at > block.timestamp) vm.warp(at);
            nexus.settle(task);
            assertEq(vault.escrowOf(task), 0, "settled task keeps escrow");
            assertTrue(_closed(ITask(task).status()), "settled task not closed");
            vm.revertToStateAndDelete(inner);
        }

        vm.warp(latest);
        for (uint256 i; i < tasks.length; ++i) {
            if (!_closed(ITask(tasks[i]).status())) nexus.settle(tasks[i]);
        }
        // Every task is closed: each attempt still holding a reservation lapsed (slash) or was cut short (release).
        address[] memory providers = handler.getProviders();
        for (uint256 i; i < tasks.length; ++i) {
            uint40 closedAt = ITask(tasks[i]).state().closedAt;
            for (uint256 j; j < providers.length; ++j) {
                Attempt memory a = ITask(tasks[i]).attemptOf(providers[j]);
                if (a.state != AttemptState.LIVE) continue;
                if (a.deadline <= closedAt) nexus.reportLapse(tasks[i], providers[j]);
                else nexus.releaseAttempt(tasks[i], providers[j]);
            }
        }
        address[] memory actors = handler.getActors();
        for (uint256 i; i < actors.length; ++i) {
            assertEq(vault.stakeOf(actors[i]).reserved, 0, "a reservation is stuck");
        }
        for (uint256 i; i < actors.length; ++i) {
            uint256 lockup = vault.lockupOf(actors[i]);
            if (lockup != 0) {
                vm.prank(actors[i]);
                nexus.unbond(lockup);
            }
        }
        vm.warp(block.timestamp + vault.unbondingPeriod());
        for (uint256 i; i < actors.length; ++i) {
            if (vault.stakeOf(actors[i]).unbonding != 0) {
                vm.prank(actors[i]);
                nexus.claim();
            }
        }
        if (vault.accruedFees() != 0) nexus.collectFees();
        for (uint256 i; i < actors.length; ++i) {
            uint256 balance = vault.balanceOf(actors[i]);
            if (balance != 0) {
                vm.prank(actors[i]);
                nexus.withdraw(balance);
            }
        }
        assertEq(address(vault).balance, 0, "funds stuck in the vault");
        vm.revertToStateAndDelete(snap);
    }

    function _checkAll() internal view {
        _checkNoViolation();
        _checkSolvency();
        _checkGhostFlows();
        _checkPayoutOnce();
        _checkTerminalStable();
        _checkLiveAttempts();
        _checkFeesAndEarnings();
        _checkReservations();
    }
}
