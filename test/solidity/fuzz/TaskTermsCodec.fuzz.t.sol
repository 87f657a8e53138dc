// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NexusSetup} from "./utils/NexusSetup.sol";
import {TaskTermsCodecHarness} from "./utils/TaskTermsCodecHarness.sol";
import {ITask} from "../../../contracts/interfaces/ITask.sol";
import {DeliveryMethod, SourceParams, TaskTerms, TermsSeen, VerificationMethod, MAX_ATTEMPT_TIMEOUT} from "../../../contracts/types/NexusTypes.sol";
import {termsSeenOf} from "../helpers/TermsSeenOf.sol";
import {predictTaskAddress} from "../helpers/PredictTaskAddress.sol";

contract TaskTermsCodecFuzzTest is NexusSetup {
    TaskTermsCodecHarness internal harness;

    function setUp() public {
        harness = new TaskTermsCodecHarness();
    }

    function _terms(
        address client_,
        address source_,
        bytes32 configHash,
        uint96 payment,
        uint40 expiryTime,
        uint64 salt,
        uint16 attemptTimeout,
        uint32 reviewWindow,
        uint96 lapsePenalty,
        uint8 maxConcurrentAttempts,
        bool firstResponse
    ) internal pure returns (TaskTerms memory) {
        return TaskTerms({
            client: client_,
            source: source_,
            configHash: configHash,
            payment: payment,
            expiryTime: expiryTime,
            salt: salt,
            attemptTimeout: attemptTimeout,
            reviewWindow: reviewWindow,
            lapsePenalty: lapsePenalty,
            maxConcurrentAttempts: maxConcurrentAttempts,
            deliveryMethod: _method(firstResponse),
            // Derived from the salt and the config hash so that the round trip also covers every width of these.
            feeBps: uint16(salt),
            minAvailableLockup: uint96(uint256(configHash)),
            sourceVersion: uint32(uint256(configHash) >> 96),
            verification: VerificationMethod(uint8(salt >> 16) % 2),
            quorum: uint8(salt >> 24) % 16
        });
    }

    function _assertTermsEq(TaskTerms memory a, TaskTerms memory b) internal pure {
        assertEq(a.client, b.client, "client");
        assertEq(a.source, b.source, "source");
        assertEq(a.configHash, b.configHash, "configHash");
        assertEq(a.payment, b.payment, "payment");
        assertEq(a.expiryTime, b.expiryTime, "expiryTime");
        assertEq(a.salt, b.salt, "salt");
        assertEq(a.attemptTimeout, b.attemptTimeout, "attemptTimeout");
        assertEq(a.reviewWindow, b.reviewWindow, "reviewWindow");
        assertEq(a.lapsePenalty, b.lapsePenalty, "lapsePenalty");
        assertEq(a.maxConcurrentAttempts, b.maxConcurrentAttempts, "maxConcurrentAttempts");
        assertEq(uint8(a.deliveryMethod), uint8(b.deliveryMethod), "deliveryMethod");
        assertEq(a.feeBps, b.feeBps, "feeBps");
        assertEq(a.minAvailableLockup, b.minAvailableLockup, "minAvailableLockup");
        assertEq(a.sourceVersion, b.sourceVersion, "sourceVersion");
        assertEq(uint8(a.verification), uint8(b.verification), "verification");
        assertEq(a.quorum, b.quorum, "quorum");
        assertEq(keccak256(abi.encode(a)), keccak256(abi.encode(b)), "whole struct");
    }

    /// decode(encode(t)) == t for any terms, and the packed form is exactly LENGTH bytes in the documented layout.
    function testFuzz_roundTrip(
        address client_,
        address source_,
        bytes32 configHash,
        uint96 payment,
        uint40 expiryTime,
        uint64 salt,
        uint16 attemptTimeout,
        uint32 reviewWindow,
        uint96 lapsePenalty,
        uint8 maxConcurrentAttempts,
        bool firstResponse
    ) public view {
        TaskTerms memory t = _terms(
            client_,
            source_,
            configHash,
            payment,
            expiryTime,
            salt,
            attemptTimeout,
            reviewWindow,
            lapsePenalty,
            maxConcurrentAttempts,
            firstResponse
        );
        bytes memory packed = harness.encode(t);
        assertEq(packed.length, harness.length(), "packed length");
        assertEq(packed.length, 136, "documented length");
        assertEq(
            keccak256(packed),
            keccak256(
                bytes.concat(
                    abi.encodePacked(client_, source_, configHash, payment, expiryTime, salt, attemptTimeout),
                    abi.encodePacked(
                        reviewWindow,
                        lapsePenalty,
                        maxConcurrentAttempts,
                        firstResponse ? uint8(1) : uint8(0),
                        uint16(salt),
                        uint96(uint256(configHash)),
                        uint32(uint256(configHash) >> 96),
                        ((uint8(salt >> 16) % 2) << 4) | (uint8(salt >> 24) % 16)
                    )
                )
            ),
            "layout"
        );
        _assertTermsEq(harness.decode(packed), t);
        _assertTermsEq(harness.roundTrip(t), t);
    }

    /// Any 136 bytes whose delivery-method byte and verification nibble are valid decode to terms that re-encode to the
    /// same bytes.
    function testFuzz_encodeDecodeInverse(
        bytes32 a,
        bytes32 b,
        bytes32 c,
        bytes20 d,
        bool firstResponse,
        uint16 fee,
        bytes12 lockup,
        bytes4 sourceVersion,
        bool agreement,
        uint8 quorum
    ) public view {
        bytes memory packed = abi.encodePacked(a, b, c, d, firstResponse ? uint8(1) : uint8(0), fee, lockup);
        packed = bytes.concat(packed, sourceVersion, bytes1(((agreement ? 1 : 0) << 4) | (quorum & 0x0f)));
        assertEq(packed.length, 136);
        assertEq(keccak256(harness.encode(harness.decode(packed))), keccak256(packed));
    }

    /// The terms a real task clone carries are what Nexus built from the source and the call, at the predicted address.
    function testFuzz_publishedTaskCarriesTerms(
        uint96 payment,
        uint32 expiryOffset,
        uint32 attemptTimeout,
        uint32 reviewWindow,
        uint96 lapsePenalty,
        uint8 maxConcurrentAttempts,
        bool firstResponse,
        bytes32 configHash,
        uint64 salt
    ) public {
        _deploy(250);
        SourceParams memory p = _params(_method(firstResponse));
        p.attemptTimeout = uint32(bound(attemptTimeout, 1, MAX_ATTEMPT_TIMEOUT));
        p.maxExpiryDuration = type(uint32).max;
        p.reviewWindow = uint32(bound(reviewWindow, firstResponse ? 0 : 1, type(uint32).max));
        p.lapsePenalty = lapsePenalty;
        p.maxConcurrentAttempts = uint8(bound(maxConcurrentAttempts, 1, 64));
        p.minPayment = 0;
        address source = _publishSource(client, p);
        uint256 pay = bound(payment, 1, type(uint96).max);
        uint64 expiry = uint64(block.timestamp + bound(expiryOffset, 1, type(uint32).max));

        TaskTerms memory expected = TaskTerms({
            client: client,
            source: source,
            configHash: configHash,
            payment: uint96(pay),
            expiryTime: expiry,
            salt: salt,
            attemptTimeout: p.attemptTimeout,
            reviewWindow: p.reviewWindow,
            lapsePenalty: p.lapsePenalty,
            maxConcurrentAttempts: p.maxConcurrentAttempts,
            deliveryMethod: p.deliveryMethod,
            feeBps: nexus.feeBps(),
            minAvailableLockup: p.minAvailableLockup,
            sourceVersion: 1,
            verification: p.verification,
            quorum: p.quorum
        });
        address predicted = predictTaskAddress(nexus, expected);
        assertFalse(nexus.isTask(predicted), "not yet deployed");

        vm.deal(client, pay);
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(client);
        address task = nexus.publishTask{value: pay}(client, source, "ipfs://config", configHash, expiry, pay, salt, seen);
        assertEq(task, predicted, "CREATE2 address");
        assertTrue(nexus.isTask(task));
        _assertTermsEq(ITask(task).terms(), expected);
        assertEq(vault.escrowOf(task), pay);
        assertEq(ITask(task).escrow(), pay);
    }
}
