// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {DeliveryMethod, TaskTerms, VerificationMethod} from "../types/NexusTypes.sol";

/// @title Packs a task's terms into the immutable args of its clone, and reads them back.
/// @dev The packed form is 142 bytes; every byte in a clone's code costs 200 gas at creation,
/// against 20,000+ for a storage slot, so the terms live in code rather than storage.
library TaskTermsCodec {
    uint256 internal constant LENGTH = 142;

    function encode(TaskTerms memory t) internal pure returns (bytes memory) {
        return abi.encodePacked(
            t.client,
            t.source,
            t.configHash,
            t.payment,
            t.expiryTime,
            t.salt,
            t.attemptTimeout,
            t.reviewWindow,
            t.lapsePenalty,
            t.maxConcurrentAttempts,
            uint8(t.deliveryMethod),
            t.feeBps,
            t.minAvailableLockup,
            t.sourceVersion,
            uint8(t.verification),
            t.quorum
        );
    }

    /// @dev `packed` must be exactly what `encode` produced (the caller checks the length).
    function decode(bytes memory packed) internal pure returns (TaskTerms memory t) {
        uint256 delivery;
        uint256 verification;
        assembly ("memory-safe") {
            let p := add(packed, 0x20)
            mstore(t, shr(96, mload(p)))
            mstore(add(t, 0x20), shr(96, mload(add(p, 20))))
            mstore(add(t, 0x40), mload(add(p, 40)))
            mstore(add(t, 0x60), shr(160, mload(add(p, 72))))
            mstore(add(t, 0x80), shr(192, mload(add(p, 84))))
            mstore(add(t, 0xa0), shr(192, mload(add(p, 92))))
            mstore(add(t, 0xc0), shr(224, mload(add(p, 100))))
            mstore(add(t, 0xe0), shr(224, mload(add(p, 104))))
            mstore(add(t, 0x100), shr(160, mload(add(p, 108))))
            mstore(add(t, 0x120), shr(248, mload(add(p, 120))))
            delivery := shr(248, mload(add(p, 121)))
            mstore(add(t, 0x160), shr(240, mload(add(p, 122))))
            mstore(add(t, 0x180), shr(160, mload(add(p, 124))))
            mstore(add(t, 0x1a0), shr(224, mload(add(p, 136))))
            verification := shr(248, mload(add(p, 140)))
            mstore(add(t, 0x1e0), shr(248, mload(add(p, 141))))
        }
        t.deliveryMethod = DeliveryMethod(delivery);
        t.verification = VerificationMethod(verification);
    }
}
