// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {console} from "forge-std/console.sol";
import {NexusInvariantChecks} from "./NexusInvariantChecks.sol";
import {TaskStatus} from "../../../contracts/types/NexusTypes.sol";

/// @notice Fixed, seeded, long random sequences through the same handler the invariant campaign uses, checking
/// every invariant along the way. The first proves the handler reaches deep states (every task status, all three
/// ways to finalize, lapses with a penalty, capped by the stake, reaching into unbonding, charged to a master the
/// provider has since left, claims, fee collection...), so the short CI campaign cannot pass by never leaving the
/// shallow end.
///
/// Sizes come from the environment (NEXUS_REACH_STEPS, NEXUS_REACH_SEEDS; NEXUS_PROFILE=deep raises the defaults).
/// Reading the environment also matters for another reason: Hardhat replays a failing Solidity test with
/// stack-trace collection, whose memory grows with everything the test executed (several GB for a sequence this
/// long); a test that used an impure cheatcode such as `vm.envOr` is reported from its first run instead.
contract HandlerReachBase is NexusInvariantChecks {
    uint256 internal constant CHECK_EVERY = 50;
    uint256 internal constant DRAIN_EVERY = 250;

    function setUp() public {
        _deployHandler();
    }

    function _deep() internal view returns (bool) {
        return keccak256(bytes(vm.envOr("NEXUS_PROFILE", string("")))) == keccak256("deep");
    }

    /// @dev Weights (out of 100) of the handler's actions, in `handler.actions()` order: the task lifecycle and
    /// time dominate, the vault and admin calls come often enough to interleave with it.
    function _weights() internal pure returns (uint8[18] memory) {
        // publish attempt respond confirm cancel settle lapse deposit withdraw lock unbond cancelUnb claim fees warp
        // pairing fee source
        return [12, 14, 14, 6, 4, 6, 7, 3, 3, 4, 3, 2, 3, 2, 11, 4, 1, 1];
    }

    function _pick(bytes4[] memory actions, uint256 seed) internal pure returns (bytes4) {
        uint8[18] memory w = _weights();
        uint256 r = seed % 100;
        for (uint256 i; i < w.length; ++i) {
            if (r < w[i]) return actions[i];
            r -= w[i];
        }
        revert("weights must sum to 100");
    }

    function _run(uint256 seed, uint256 steps) internal {
        bytes4[] memory actions = handler.actions();
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
            if (i % CHECK_EVERY == CHECK_EVERY - 1) _checkAll();
            if (i % DRAIN_EVERY == DRAIN_EVERY - 1) _checkEverythingSettlesAndDrains();
        }
        _checkAll();
        _checkEverythingSettlesAndDrains();
    }

    function _summary() internal view {
        string[18] memory names = [
            "publishTask", "attempt", "submitResponse", "confirmResponse", "cancelTask", "settle", "reportLapse",
            "deposit", "withdraw", "lock", "unbond", "cancelUnbonding", "claim", "collectFees", "warp",
            "togglePairing", "setFee", "toggleSource"
        ];
        for (uint256 i; i < names.length; ++i) {
            bytes32 key = bytes32(bytes(names[i]));
            console.log(names[i], handler.calls(key), handler.successes(key));
        }
        for (uint8 s; s <= uint8(TaskStatus.FINALIZED); ++s) console.log("tasks seen in status", s, handler.reachedStatus(s));
        console.log("finalized by FIRST_RESPONSE / confirm / settle", handler.finalizedByFirstResponse(), handler.finalizedByConfirm(), handler.finalizedBySettle());
        console.log("lapses / with penalty / capped by stake", handler.lapses(), handler.lapsesWithPenalty(), handler.lapsesCappedByLockup());
        console.log("lapses after close / slots full / paid to former master", handler.lapsesAfterClose(), handler.slotsFull(), handler.paidToFormerMaster());
        console.log("lapses slashing unbonding / of former master", handler.lapsesSlashingUnbonding(), handler.lapsesOfFormerMaster());
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
        assertGt(handler.lapsesCappedByLockup(), 0, "penalty above the lockup");
        assertGt(handler.lapsesSlashingUnbonding(), 0, "penalty reaching into unbonding stake");
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
    /// One fixed seed, long enough to reach every state (the handler stops publishing at 96 tasks).
    function test_seededSequenceReachesEveryState() public {
        uint256 steps = vm.envOr("NEXUS_REACH_STEPS", uint256(1_500));
        _run(0xbeef, steps);
        _summary();
        _assertReached();
    }

    /// More seeds, each on a fresh deployment, checking the invariants only.
    function test_moreSeedsKeepEveryInvariant() public {
        uint256 seeds = vm.envOr("NEXUS_REACH_SEEDS", _deep() ? uint256(24) : uint256(2));
        uint256 steps = vm.envOr("NEXUS_REACH_STEPS", uint256(1_500));
        for (uint256 s; s < seeds; ++s) {
            if (s != 0) _deployHandler();
            _run(uint256(keccak256(abi.encode("seed", s))), steps);
        }
    }
}
