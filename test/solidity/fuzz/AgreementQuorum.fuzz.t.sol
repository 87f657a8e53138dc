// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NexusFixture} from "../helpers/NexusFixture.sol";
import {ITask} from "../../../contracts/interfaces/ITask.sol";
import {ResponseCommitment} from "../../../contracts/libraries/ResponseCommitment.sol";
import {
    DeliveryMethod,
    SourceParams,
    TaskStatus,
    VerificationMethod,
    ENV_CPU,
    MAX_AGREEMENT_QUORUM
} from "../../../contracts/types/NexusTypes.sol";

/// @notice k-of-n agreement over any quorum, jury and reveal order: a task is paid only to jurors of the result that
/// reached the quorum, and every wei of escrow and stake is accounted for whether or not one did.
contract AgreementQuorumFuzzTest is NexusFixture {
    bytes32 internal constant SALT = keccak256("agreement fuzz");

    struct Juror {
        address provider;
        address master;
        bool honest;
    }

    function _juror(uint256 i, bool honest, address source) internal returns (Juror memory j) {
        j.provider = makeAddr(string.concat("juror", vm.toString(i)));
        j.master = makeAddr(string.concat("jurorMaster", vm.toString(i)));
        j.honest = honest;
        vm.deal(j.master, INITIAL_ETH);
        _setupProvider(source, j.provider, j.master);
    }

    /// @param quorum_ k, 2..MAX_AGREEMENT_QUORUM.
    /// @param jury n jurors, k..MAX_CONCURRENT of the source.
    /// @param cheaterMask which jurors reveal a wrong result.
    /// @param order a seed for the reveal order.
    function testFuzz_onlyTheAgreedResultIsPaid_andEverythingIsAccounted(
        uint8 quorum_,
        uint8 jury,
        uint16 cheaterMask,
        uint256 order,
        uint96 payment
    ) public {
        uint8 k = uint8(bound(quorum_, 2, MAX_AGREEMENT_QUORUM));
        uint8 n = uint8(bound(jury, k, 12));
        uint256 pay = bound(payment, MIN_PAYMENT, 100 ether);
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        (p.verification, p.quorum, p.maxConcurrentAttempts) = (VerificationMethod.AGREEMENT, k, 12);
        address source = _publishSource(client, p);
        Juror[] memory jurors = new Juror[](n);
        uint256 honest;
        for (uint256 i; i < n; ++i) {
            jurors[i] = _juror(i, (cheaterMask >> i) & 1 == 0, source);
            if (jurors[i].honest) ++honest;
        }
        address task = _publishTask(client, source, pay, _now() + EXPIRY_IN);
        uint256 vaultBefore = address(vault).balance;
        uint256 clientBefore = vault.balanceOf(client);

        for (uint256 i; i < n; ++i) _attempt(task, jurors[i].provider);
        for (uint256 i; i < n; ++i) {
            vm.prank(jurors[i].provider);
            nexus.commitVote(task, ResponseCommitment.hash(task, jurors[i].provider, _result(jurors[i]), 0, SECRET));
        }
        _nextBlock();
        // Reveal in a shuffled order until the task closes (or everyone revealed).
        uint256[] memory idx = new uint256[](n);
        for (uint256 i; i < n; ++i) idx[i] = i;
        for (uint256 i = n; i > 1; --i) {
            uint256 j = uint256(keccak256(abi.encode(order, i))) % i;
            (idx[i - 1], idx[j]) = (idx[j], idx[i - 1]);
        }
        uint256 agreedHonest;
        for (uint256 i; i < n && ITask(task).status() != TaskStatus.FINALIZED; ++i) {
            Juror memory j = jurors[idx[i]];
            vm.prank(j.provider);
            nexus.revealResponse(task, RESULT_URI, _result(j), 0, SECRET);
            if (j.honest) ++agreedHonest;
        }

        uint256 share = pay / k;
        if (honest >= k) {
            // Cheaters each reveal a different wrong result, so only the honest one can reach the quorum.
            assertEq(uint8(ITask(task).status()), uint8(TaskStatus.FINALIZED), "agreed");
            assertEq(agreedHonest, k, "finalized by the k-th honest vote");
            for (uint256 i; i < n; ++i) {
                uint256 paid = vault.balanceOf(jurors[i].master);
                if (!jurors[i].honest) assertEq(paid, 0, "a cheater is never paid");
            }
            assertEq(vault.balanceOf(client) - clientBefore, pay - k * share, "the remainder of the split");
        } else {
            assertTrue(ITask(task).status() != TaskStatus.FINALIZED, "no agreement without k honest jurors");
            _skip(EXPIRY_IN);
            nexus.settle(task);
            assertEq(vault.balanceOf(client) - clientBefore, pay, "whole refund");
            for (uint256 i; i < n; ++i) assertEq(vault.balanceOf(jurors[i].master), 0, "nobody paid");
        }
        // Resolve every juror: rejected, released, lapsed or already paid; no reservation is left behind.
        if (ITask(task).status() != TaskStatus.FINALIZED && ITask(task).status() != TaskStatus.EXPIRED) {
            _skip(EXPIRY_IN);
            nexus.settle(task);
        }
        for (uint256 i; i < n; ++i) {
            // An agreeing juror was released and paid by the reveal that completed the quorum.
            if (vault.stakeOf(jurors[i].master).reserved != 0) _resolve(task, jurors[i].provider);
        }
        uint256 burned = vault.burned();
        for (uint256 i; i < n; ++i) {
            assertEq(vault.stakeOf(jurors[i].master).reserved, 0, "nothing stuck");
            uint256 lost = STAKE - vault.lockupOf(jurors[i].master);
            if (jurors[i].honest && honest >= k) assertEq(lost, 0, "an honest juror of an agreed task loses nothing");
        }
        assertEq(address(vault).balance, vaultBefore, "no ether left the vault");
        if (honest >= k) assertEq(burned, 0, "nothing burned once agreed");
    }

    function _result(Juror memory j) internal pure returns (bytes32) {
        return j.honest ? keccak256("right") : keccak256(abi.encode("wrong", j.provider));
    }

    function _resolve(address task, address provider_) internal {
        (bool ok,) = address(nexus).call(abi.encodeCall(nexus.rejectResponse, (task, provider_)));
        if (ok) return;
        (ok,) = address(nexus).call(abi.encodeCall(nexus.releaseAttempt, (task, provider_)));
        if (ok) return;
        (ok,) = address(nexus).call(abi.encodeCall(nexus.reportLapse, (task, provider_)));
        assertTrue(ok, "every juror resolves one way");
    }
}
