// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {console} from "forge-std/console.sol";
import {NexusInvariantChecks} from "./NexusInvariantChecks.sol";
import {TaskStatus} from "../../../contracts/types/NexusTypes.sol";

/// @notice Fixed, seeded, long random sequences through the same handler the invariant campaign uses, checking
/// every invariant along the way. The first proves the handler reaches deep states (every task status, all three
/// ways to finalize, lapses with a penalty charged to a master the provider has since left, cut-short attempts
/// released, attempts refused for free stake, for a master's second attempt and near expiry, claims, fees...), so the short CI campaign cannot pass by never leaving the
/// shallow end.
///
/// Sizes come from the environment (NEXUS_REACH_STEPS, NEXUS_REACH_SEEDS; NEXUS_PROFILE=deep raises the defaults).
/// Reading the environment also matters for another reason: Hardhat replays a failing Solidity test with
/// stack-trace collection, whose memory grows with everything the test executed (several GB for a sequence this
/// long); a test that used an impure cheatcode such as `vm.envOr` is reported from its first run instead.
///
/// Memory: EDR caps the EVM memory of one test call, all frames together, at `memoryLimit` (32 MiB by default), and
/// Solidity never frees memory within a frame. Left alone, one 1,500-step seed keeps about 8 MB, so a test running
/// seeds one after another in its own frame ran out after four (MemoryLimitOOG). Hence each step hands back the
/// memory it allocated (a seed's frame is the size of its largest step, whatever the number of steps), each seed
/// runs in a call frame of its own (released when it returns, whatever the number of seeds), and both are asserted.
contract HandlerReachBase is NexusInvariantChecks {
    uint256 internal constant CHECK_EVERY = 50;
    uint256 internal constant DRAIN_EVERY = 250;
    /// @dev Steps of a seeded sequence unless NEXUS_REACH_STEPS says otherwise; the least the reach test runs.
    uint256 internal constant REACH_STEPS = 1_500;
    /// @dev EDR's default `test.solidity.memoryLimit` (2^25 bytes), for the budget below.
    uint256 internal constant MEMORY_LIMIT = 1 << 25;
    /// @dev The most memory one step (action plus checks) may leave in the test's frame: a quarter of the limit,
    /// the rest being for the frames below it and for what the test holds outside the step loop.
    uint256 internal constant STEP_MEMORY_BUDGET = MEMORY_LIMIT / 4;
    /// @dev The most memory one `this.runSeed` call may leave in the calling frame (its call data is 68 bytes).
    uint256 internal constant SEED_CALL_MEMORY = 256;

    // Tallies over every sequence a test ran, in storage so that they outlive the per-seed call frames.
    uint256 internal stepsRun;
    uint256 internal ruleChecks; // steps after which the handler's call-rule check passed
    uint256 internal fullChecks; // rounds of all eight invariants (`_checkAll`)
    uint256 internal drainChecks; // rounds of "every open task settles and the vault drains to zero"
    uint256 internal peakStepMemory; // most memory a single step allocated in the test's frame

    function setUp() public {
        _deployHandler();
    }

    function _deep() internal view returns (bool) {
        return keccak256(bytes(vm.envOr("NEXUS_PROFILE", string("")))) == keccak256("deep");
    }

    /// @dev Weights (out of 100) of the handler's actions, in `handler.actions()` order: the task lifecycle and
    /// time dominate, the vault and admin calls come often enough to interleave with it.
    function _weights() internal pure returns (uint8[19] memory) {
        // publish attempt respond confirm cancel settle lapse deposit withdraw lock unbond cancelUnb claim fees warp
        // pairing fee source release
        return [12, 14, 12, 6, 4, 6, 7, 3, 3, 4, 3, 2, 3, 2, 10, 4, 1, 1, 3];
    }

    function _pick(bytes4[] memory actions, uint256 seed) internal pure returns (bytes4) {
        uint8[19] memory w = _weights();
        uint256 r = seed % 100;
        for (uint256 i; i < w.length; ++i) {
            if (r < w[i]) return actions[i];
            r -= w[i];
        }
        revert("weights must sum to 100");
    }

    function _freeMemoryPointer() internal pure returns (uint256 p) {
        assembly ("memory-safe") {
            p := mload(0x40)
        }
    }

    /// @dev Only ever called with a value read earlier from `_freeMemoryPointer`, once nothing allocated since is
    /// read any more: it hands that memory back for reuse.
    function _resetFreeMemoryPointer(uint256 p) internal pure {
        assembly ("memory-safe") {
            mstore(0x40, p)
        }
    }

    function _run(uint256 seed, uint256 steps) internal {
        require(steps != 0, "NEXUS_REACH_STEPS must be positive");
        bytes4[] memory actions = handler.actions();
        uint256 frame = _freeMemoryPointer();
        uint256 peak = peakStepMemory;
        uint256 full;
        uint256 drains;
        for (uint256 i; i < steps; ++i) {
            seed = uint256(keccak256(abi.encode(seed, i)));
            bytes memory data = abi.encodeWithSelector(
                _pick(actions, seed),
                uint256(keccak256(abi.encode(seed, 1))),
                uint256(keccak256(abi.encode(seed, 2))),
                uint256(keccak256(abi.encode(seed, 3))),
                uint256(keccak256(abi.encode(seed, 4))),
                uint256(keccak256(abi.encode(seed, 5)))
            );
            (bool ok, bytes memory ret) = address(handler).call(data);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
            _checkNoViolation();
            if (i % CHECK_EVERY == CHECK_EVERY - 1) {
                _checkAll();
                ++full;
            }
            if (i % DRAIN_EVERY == DRAIN_EVERY - 1) {
                _checkEverythingSettlesAndDrains();
                ++drains;
            }
            // Nothing this step allocated (call data, return data, the checks' copies of tasks and actors) is read
            // after it: give it back, so that the frame does not grow with the number of steps.
            uint256 used = _freeMemoryPointer() - frame;
            if (used > peak) peak = used;
            _resetFreeMemoryPointer(frame);
        }
        _checkAll();
        _checkEverythingSettlesAndDrains();
        assertLt(peak, STEP_MEMORY_BUDGET, "one step uses more than a quarter of EDR's memoryLimit");
        peakStepMemory = peak;
        stepsRun += steps;
        ruleChecks += steps;
        fullChecks += full + 1;
        drainChecks += drains + 1;
    }

    /// @notice Runs seeds `0 .. seeds-1`, each on a fresh deployment and in a call frame of its own
    /// (`this.runSeed`): the memory a call allocates is released when it returns, so this frame stays as it was
    /// however many seeds run, which the loop asserts after each seed.
    function _runSeeds(uint256 seeds, uint256 steps) internal {
        require(seeds != 0, "NEXUS_REACH_SEEDS must be positive");
        uint256 frame = _freeMemoryPointer();
        for (uint256 s; s < seeds; ++s) {
            try this.runSeed(s, steps) {}
            catch (bytes memory reason) {
                console.log("failing seed (NEXUS_REACH_SEEDS index)", s);
                assembly ("memory-safe") {
                    revert(add(reason, 0x20), mload(reason))
                }
            }
            // All the call may leave here is its own encoding (a few words); a sequence run in this frame would
            // leave megabytes. Then take that back too, so that the frame stays as it was.
            assertLe(_freeMemoryPointer() - frame, SEED_CALL_MEMORY, "a seed left memory in the test's frame");
            _resetFreeMemoryPointer(frame);
        }
    }

    /// @dev One seed of `_runSeeds`, on a fresh deployment (seed 0 uses `setUp`'s). External only to get a call
    /// frame of its own; callable only by the test itself.
    function runSeed(uint256 index, uint256 steps) external {
        require(msg.sender == address(this), "runSeed: only the test itself");
        if (index != 0) _deployHandler();
        _run(uint256(keccak256(abi.encode("seed", index))), steps);
        console.log(
            string.concat(
                "seed ",
                vm.toString(index),
                ": tasks ",
                vm.toString(handler.taskCount()),
                ", per status NEW/ATTEMPTED/RESPONDED/CANCELED/EXPIRED/FINALIZED ",
                _statusCounts(),
                ", finalized by FIRST_RESPONSE/confirm/settle ",
                string.concat(
                    vm.toString(handler.finalizedByFirstResponse()),
                    "/",
                    vm.toString(handler.finalizedByConfirm()),
                    "/",
                    vm.toString(handler.finalizedBySettle())
                ),
                ", lapses ",
                vm.toString(handler.lapses()),
                " (with penalty ",
                vm.toString(handler.lapsesWithPenalty()),
                ")"
            )
        );
    }

    function _statusCounts() internal view returns (string memory out) {
        for (uint8 s; s <= uint8(TaskStatus.FINALIZED); ++s) {
            out = string.concat(out, s == 0 ? "" : "/", vm.toString(handler.reachedStatus(s)));
        }
    }

    /// What the test checked, over every sequence it ran.
    function _checksSummary() internal view {
        console.log("steps run, each followed by the call-rule check", stepsRun, ruleChecks);
        console.log("rounds of all eight invariants / of settle-everything-and-drain", fullChecks, drainChecks);
        console.log("peak memory of one step in the test's frame (bytes) / budget", peakStepMemory, STEP_MEMORY_BUDGET);
    }

    function _summary() internal view {
        string[19] memory names = [
            "publishTask", "attempt", "submitResponse", "confirmResponse", "cancelTask", "settle", "reportLapse",
            "deposit", "withdraw", "lock", "unbond", "cancelUnbonding", "claim", "collectFees", "warp",
            "togglePairing", "setFee", "toggleSource", "releaseAttempt"
        ];
        for (uint256 i; i < names.length; ++i) {
            bytes32 key = bytes32(bytes(names[i]));
            console.log(names[i], handler.calls(key), handler.successes(key));
        }
        for (uint8 s; s <= uint8(TaskStatus.FINALIZED); ++s) console.log("tasks seen in status", s, handler.reachedStatus(s));
        console.log("finalized by FIRST_RESPONSE / confirm / settle", handler.finalizedByFirstResponse(), handler.finalizedByConfirm(), handler.finalizedBySettle());
        console.log("lapses / with penalty", handler.lapses(), handler.lapsesWithPenalty());
        console.log("lapses after close / slots full / paid to former master", handler.lapsesAfterClose(), handler.slotsFull(), handler.paidToFormerMaster());
        console.log("lapses of former master / cut-short attempts released", handler.lapsesOfFormerMaster(), handler.releases());
        console.log(
            "attempts refused: free lockup / same master / near expiry",
            handler.attemptsRefusedForFreeLockup(),
            handler.attemptsRefusedSameMaster(),
            handler.attemptsRefusedNearExpiry()
        );
        console.log("unbonds refused by the reservation", handler.unbondsRefusedByReservation());
        console.log("attempts refused by the master's cap", handler.attemptsRefusedByMasterCap());
    }

    function _assertReached() internal view {
        assertGt(handler.reachedStatus(uint8(TaskStatus.NEW)), 0, "NEW");
        assertGt(handler.reachedStatus(uint8(TaskStatus.ATTEMPTED)), 0, "ATTEMPTED");
        assertGt(handler.reachedStatus(uint8(TaskStatus.RESPONDED)), 0, "RESPONDED");
        assertGt(handler.reachedStatus(uint8(TaskStatus.CANCELED)), 0, "CANCELED");
        assertGt(handler.reachedStatus(uint8(TaskStatus.EXPIRED)), 0, "EXPIRED");
        assertGt(handler.reachedStatus(uint8(TaskStatus.FINALIZED)), 0, "FINALIZED");
        assertGt(handler.finalizedByFirstResponse(), 0, "FIRST_RESPONSE win");
        assertGt(handler.finalizedByConfirm(), 0, "MANUAL confirmation");
        assertGt(handler.finalizedBySettle(), 0, "MANUAL settlement of the earliest response");
        assertGt(handler.partialRefunds(), 0, "asked < payment refunds");
        assertGt(handler.lapses(), 0, "lapses");
        assertGt(handler.lapsesWithPenalty(), 0, "lapses with a penalty");
        assertGt(handler.attemptsRefusedForFreeLockup(), 0, "attempt refused: free lockup below the penalty");
        assertGt(handler.attemptsRefusedSameMaster(), 0, "attempt refused: the master already attempted the task");
        assertGt(handler.attemptsRefusedNearExpiry(), 0, "attempt refused: less than half the timeout left");
        assertGt(handler.unbondsRefusedByReservation(), 0, "unbond refused: it reached into the reservation");
        assertGt(handler.releases(), 0, "cut-short attempt released");
        assertGt(handler.attemptsRefusedByMasterCap(), 0, "attempt refused: the penalty is above what the master accepted");
        assertGt(handler.lapsesOfFormerMaster(), 0, "lapse charged to the backing master after the provider left it");
        assertGt(handler.lapsesAfterClose(), 0, "lapse reported after the task closed");
        assertGt(handler.paidToFormerMaster(), 0, "payout to the backing master after the provider left it");
        assertGt(handler.slotsFull(), 0, "attempt slots full");
        assertGt(handler.publishedWithBalance(), 0, "publish funded from balance");
        assertGt(handler.publishedWithExcess(), 0, "publish with excess value");
        string[11] memory mustSucceed = [
            "withdraw", "deposit", "lock", "unbond", "cancelUnbonding", "claim", "collectFees", "cancelTask", "settle",
            "confirmResponse", "togglePairing"
        ];
        for (uint256 i; i < mustSucceed.length; ++i) {
            assertGt(handler.successes(bytes32(bytes(mustSucceed[i]))), 0, mustSucceed[i]);
        }
    }
}

contract HandlerReachTest is HandlerReachBase {
    /// One fixed seed, long enough to reach every state (the handler stops publishing at 96 tasks). The reach
    /// assertions need the whole sequence: NEXUS_REACH_STEPS can lengthen it, not shorten it (a CI-size run that
    /// shrinks the seeds' sequences still checks every state here).
    function test_seededSequenceReachesEveryState() public {
        uint256 steps = vm.envOr("NEXUS_REACH_STEPS", REACH_STEPS);
        if (steps < REACH_STEPS) steps = REACH_STEPS;
        _run(0xbeef, steps);
        _summary();
        _checksSummary();
        _assertReached();
    }

    /// More seeds (2, 24 with NEXUS_PROFILE=deep), each on a fresh deployment in a frame of its own, checking the
    /// invariants along the way; one line per seed says which states it reached.
    function test_moreSeedsKeepEveryInvariant() public {
        uint256 seeds = vm.envOr("NEXUS_REACH_SEEDS", _deep() ? uint256(24) : uint256(2));
        uint256 steps = vm.envOr("NEXUS_REACH_STEPS", REACH_STEPS);
        _runSeeds(seeds, steps);
        _checksSummary();
        assertEq(stepsRun, seeds * steps, "every seed ran every step");
    }
}
