// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {console} from "forge-std/console.sol";
import {NexusInvariantChecks} from "./NexusInvariantChecks.sol";
import {TaskStatus} from "../../../contracts/types/NexusTypes.sol";

/// @notice A fixed, seeded, long random sequence through the same handler the invariant campaign uses. It proves
/// the handler reaches deep states (every task status, all three ways to finalize, lapses with and without a
/// penalty, claims, fee collection, unpaired payouts...) and checks every invariant along the way, so the short CI
/// campaign cannot pass by never leaving the shallow end.
contract HandlerReachBase is NexusInvariantChecks {
    uint256 internal constant STEPS = 800;
    uint256 internal constant CHECK_EVERY = 40;

    function setUp() public {
        _deployHandler();
    }

    /// @dev Weights (out of 100) of the handler's actions, in `handler.actions()` order: the task lifecycle and
    /// time dominate, the vault and admin calls come often enough to interleave with it.
    function _weights() internal pure returns (uint8[18] memory) {
        // publish attempt respond confirm cancel settle lapse deposit withdraw lock unbond cancelUnb claim fees warp
        // pairing fee source
        return [12, 14, 14, 6, 4, 6, 6, 3, 4, 4, 3, 2, 3, 2, 12, 2, 1, 2];
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
            bytes4 action = _pick(actions, seed);
            bytes memory data = abi.encodeWithSelector(
                action,
                uint256(keccak256(abi.encode(seed, 1))),
                uint256(keccak256(abi.encode(seed, 2))),
                uint256(keccak256(abi.encode(seed, 3))),
                uint256(keccak256(abi.encode(seed, 4))),
                uint256(keccak256(abi.encode(seed, 5)))
            );
            (bool ok, bytes memory ret) = address(handler).call(data);
            if (!ok) {
                assembly {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
            _checkNoViolation();
            if (i % CHECK_EVERY == CHECK_EVERY - 1) {
                _checkAll();
                _checkEverythingSettlesAndDrains();
            }
        }
        _checkAll();
        _checkEverythingSettlesAndDrains();
    }

    function _summary() internal view {
        bytes4[] memory actions = handler.actions();
        string[18] memory names = [
            "publishTask", "attempt", "submitResponse", "confirmResponse", "cancelTask", "settle", "reportLapse",
            "deposit", "withdraw", "lock", "unbond", "cancelUnbonding", "claim", "collectFees", "warp",
            "togglePairing", "setFee", "toggleSource"
        ];
        assertEq(actions.length, names.length);
        for (uint256 i; i < names.length; ++i) {
            bytes32 key = bytes32(bytes(names[i]));
            console.log(names[i], handler.calls(key), handler.successes(key));
        }
        for (uint8 s; s <= uint8(TaskStatus.FINALIZED); ++s) console.log("status", s, handler.reachedStatus(s));
        console.log("FR / confirm / settle", handler.finalizedByFirstResponse(), handler.finalizedByConfirm(), handler.finalizedBySettle());
        console.log("lapses / penalty / capped", handler.lapses(), handler.lapsesWithPenalty(), handler.lapsesCappedByLockup());
        console.log("lapses after close / slots full / unpaired payouts", handler.lapsesAfterClose(), handler.slotsFull(), handler.paidToUnpairedProvider());
        console.log("time", handler.currentTime());
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
        assertGt(handler.lapsesCappedByLockup(), 0, "penalty capped by lockup");
        assertGt(handler.lapsesAfterClose(), 0, "lapse reported after the task closed");
        assertGt(handler.slotsFull(), 0, "attempt slots full");
        assertGt(handler.paidToUnpairedProvider(), 0, "payout to an unpaired provider key");
        assertGt(handler.publishedWithBalance(), 0, "publish funded from balance");
        assertGt(handler.publishedWithExcess(), 0, "publish with excess value");
        string[10] memory mustSucceed = [
            "withdraw", "deposit", "lock", "unbond", "cancelUnbonding", "claim", "collectFees", "cancelTask", "settle",
            "confirmResponse"
        ];
        for (uint256 i; i < mustSucceed.length; ++i) {
            assertGt(handler.successes(bytes32(bytes(mustSucceed[i]))), 0, mustSucceed[i]);
        }
    }
}

contract HandlerReachTest is HandlerReachBase {
    function test_seededSequenceReachesEveryState() public {
        _run(0x5eed, STEPS);
        _summary();
        _assertReached();
    }
}
