// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {TaskTerms} from "../types/NexusTypes.sol";

/// @title Packs a task's terms into the immutable args of its clone, and reads them back.
/// @dev The packed form is 136 bytes; every byte in a clone's code costs 200 gas at creation,
/// against 20,000+ for a storage slot, so the terms live in code rather than storage. Three fields are packed
/// narrower than their type, within bounds Nexus and Source enforce before anything is encoded: `expiryTime` in 5
/// bytes (below `now + maxExpiryDuration`, a uint32 duration), `attemptTimeout` in 2 (at most MAX_ATTEMPT_TIMEOUT,
/// 43,200 s), and the verification method with the quorum in one byte (method in the high nibble, quorum, at most
/// MAX_AGREEMENT_QUORUM, in the low one).
library TaskTermsCodec {
    uint256 internal constant LENGTH = 136;

    function encode(TaskTerms memory t) internal pure returns (bytes memory) {
        return abi.encodePacked(
            t.client,
            t.source,
            t.configHash,
            t.payment,
            uint40(t.expiryTime),
            t.salt,
            uint16(t.attemptTimeout),
            t.reviewWindow,
            t.lapsePenalty,
            t.maxConcurrentAttempts,
            uint8(t.deliveryMethod),
            t.feeBps,
            t.minAvailableLockup,
            t.sourceVersion,
            (uint8(t.verification) << 4) | t.quorum
        );
    }

    /// @dev `packed` must be exactly what `encode` produced: the caller checks the length, and only args whose clone
    /// address proves that Nexus encoded them are decoded, so the enum bytes are written without a range check.
    function decode(bytes memory packed) internal pure returns (TaskTerms memory t) {
        assembly ("memory-safe") {
            let p := add(packed, 0x20)
            mstore(t, shr(96, mload(p)))
            mstore(add(t, 0x20), shr(96, mload(add(p, 20))))
            mstore(add(t, 0x40), mload(add(p, 40)))
            mstore(add(t, 0x60), shr(160, mload(add(p, 72))))
            mstore(add(t, 0x80), shr(216, mload(add(p, 84))))
            mstore(add(t, 0xa0), shr(192, mload(add(p, 89))))
            mstore(add(t, 0xc0), shr(240, mload(add(p, 97))))
            mstore(add(t, 0xe0), shr(224, mload(add(p, 99))))
            mstore(add(t, 0x100), shr(160, mload(add(p, 103))))
            mstore(add(t, 0x120), shr(248, mload(add(p, 115))))
            mstore(add(t, 0x140), shr(248, mload(add(p, 116))))
            mstore(add(t, 0x160), shr(240, mload(add(p, 117))))
            mstore(add(t, 0x180), shr(160, mload(add(p, 119))))
            mstore(add(t, 0x1a0), shr(224, mload(add(p, 131))))
            let policy := shr(248, mload(add(p, 135)))
            mstore(add(t, 0x1c0), shr(4, policy))
            mstore(add(t, 0x1e0), and(policy, 0x0f))
        }
    }
}
