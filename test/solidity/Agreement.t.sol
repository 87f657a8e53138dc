// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NexusFixture} from "./helpers/NexusFixture.sol";
import {INexusEvents} from "../../contracts/interfaces/INexusEvents.sol";
import {ISource} from "../../contracts/interfaces/ISource.sol";
import {ITask} from "../../contracts/interfaces/ITask.sol";
import {ResponseCommitment} from "../../contracts/libraries/ResponseCommitment.sol";
import {
    AttemptState,
    DeliveryMethod,
    SourceParams,
    TaskStatus,
    VerificationMethod,
    ENV_CPU,
    MAX_AGREEMENT_QUORUM
} from "../../contracts/types/NexusTypes.sol";

/// @notice k-of-n agreement (docs/PROTOCOL.md "Agreement"): a task on an AGREEMENT source pays only a result that
/// `quorum` jurors of as many masters revealed alike, splits the payment among them, takes a dissenter's penalty,
/// and burns every penalty of a task that reached no agreement.
contract AgreementTest is NexusFixture {
    uint8 internal constant QUORUM = 2;
    bytes32 internal immutable RIGHT = sha256("the right result");
    bytes32 internal immutable WRONG = sha256("a wrong result");

    address internal source;
    address internal master3 = makeAddr("master3");
    address internal provider3 = makeAddr("provider3");
    address internal cheater = provider3;

    function setUp() public override {
        super.setUp();
        source = _publishSource(client, _agreementParams(QUORUM, 3));
        _setupProvider(source, provider, master);
        _setupProvider(source, provider2, master2);
        vm.deal(master3, INITIAL_ETH);
        _setupProvider(source, provider3, master3);
    }

    function _agreementParams(uint8 quorum, uint8 slots) internal view returns (SourceParams memory p) {
        p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.verification = VerificationMethod.AGREEMENT;
        p.quorum = quorum;
        p.maxConcurrentAttempts = slots;
    }

    function _vote(address task, address provider_, bytes32 resultHash) internal {
        vm.prank(provider_);
        nexus.commitVote(task, ResponseCommitment.hash(task, provider_, resultHash, 0, SECRET));
    }

    function _revealVote(address task, address provider_, bytes32 resultHash) internal {
        vm.prank(provider_);
        nexus.revealResponse(task, RESULT_URI, resultHash, 0, SECRET);
    }

    /// @dev Every provider attempts and seals its result, then (a block later) reveals it, in order.
    function _jury(address task, address[] memory jurors, bytes32[] memory results) internal {
        for (uint256 i; i < jurors.length; ++i) _attempt(task, jurors[i]);
        for (uint256 i; i < jurors.length; ++i) _vote(task, jurors[i], results[i]);
        _nextBlock();
        for (uint256 i; i < jurors.length; ++i) _revealVote(task, jurors[i], results[i]);
    }

    function _two(address a, address b) internal pure returns (address[] memory list) {
        list = new address[](2);
        (list[0], list[1]) = (a, b);
    }

    function _three(address a, address b, address c) internal pure returns (address[] memory list) {
        list = new address[](3);
        (list[0], list[1], list[2]) = (a, b, c);
    }

    function _results(bytes32 a, bytes32 b) internal pure returns (bytes32[] memory list) {
        list = new bytes32[](2);
        (list[0], list[1]) = (a, b);
    }

    function _results(bytes32 a, bytes32 b, bytes32 c) internal pure returns (bytes32[] memory list) {
        list = new bytes32[](3);
        (list[0], list[1], list[2]) = (a, b, c);
    }

    // ------------------------------------------------------------ agreement

    /// Two jurors of two masters reveal the same result: the task is finalized by the second reveal, each master is
    /// paid half the payment less the fee, and both reservations go back.
    function test_agreement_splitsThePaymentAmongTheAgreeingJurors() public {
        address task = _publishTask(source);
        uint256 share = PAYMENT / QUORUM;
        _attempt(task, provider);
        _attempt(task, provider2);
        _vote(task, provider, RIGHT);
        _vote(task, provider2, RIGHT);
        _nextBlock();
        _revealVote(task, provider, RIGHT);
        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.RESPONDED), "one vote is not an agreement");
        assertEq(vault.balanceOf(master), 0, "nothing paid before the agreement");

        vm.expectEmit(true, true, true, true, address(nexus));
        emit INexusEvents.SharePaid(task, provider2, master2, share, _fee(share));
        vm.expectEmit(true, true, true, true, address(nexus));
        emit INexusEvents.SharePaid(task, provider, master, share, _fee(share));
        vm.expectEmit(true, true, true, true, address(nexus));
        emit INexusEvents.TaskFinalized(task, provider2, master2, 2 * share, 2 * _fee(share), PAYMENT - 2 * share, false);
        _revealVote(task, provider2, RIGHT);

        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.FINALIZED));
        assertEq(ITask(task).winner(), provider2, "the juror that completed the quorum");
        assertEq(vault.balanceOf(master), share - _fee(share));
        assertEq(vault.balanceOf(master2), share - _fee(share));
        assertEq(vault.stakeOf(master).reserved, 0, "released");
        assertEq(vault.stakeOf(master2).reserved, 0, "released");
        assertEq(ITask(task).votesFor(RIGHT), 2);
    }

    /// An odd payment: the remainder of the split goes back to the client, so escrow is conserved to the wei.
    function test_agreement_refundsTheRemainderOfTheSplit() public {
        source = _publishSource(client, _agreementParams(3, 3));
        _register(source, provider, ENV_CPU);
        _register(source, provider2, ENV_CPU);
        _register(source, provider3, ENV_CPU);
        uint256 payment = 1 ether + 1;
        address task = _publishTask(client, source, payment, _now() + EXPIRY_IN);
        uint256 clientBefore = vault.balanceOf(client);
        _jury(task, _three(provider, provider2, provider3), _results(RIGHT, RIGHT, RIGHT));
        uint256 share = payment / 3;
        assertEq(vault.balanceOf(client) - clientBefore, payment - 3 * share, "remainder refunded");
        assertEq(vault.accruedFees(), 3 * _fee(share));
        assertEq(vault.balanceOf(master3), share - _fee(share));
    }

    /// A cheater in a jury of three: the two honest jurors agree, the cheater's revealed result is rejected and its
    /// penalty goes to the client; the cheater's master is paid nothing and ends poorer.
    function test_dissenter_losesItsPenaltyToTheClient() public {
        address task = _publishTask(source);
        uint256 clientBefore = vault.balanceOf(client);
        uint256 cheaterLockup = vault.lockupOf(master3);
        _jury(task, _three(provider, cheater, provider2), _results(RIGHT, WRONG, RIGHT));
        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.FINALIZED));
        assertEq(vault.balanceOf(master3), 0, "the cheater is not paid");
        assertEq(vault.stakeOf(master3).reserved, LAPSE_PENALTY, "its penalty waits for the rejection");

        vm.expectEmit(true, true, true, true, address(nexus));
        emit INexusEvents.ResponseRejected(task, cheater, master3, LAPSE_PENALTY, false, stranger);
        vm.prank(stranger);
        nexus.rejectResponse(task, cheater);

        assertEq(uint8(ITask(task).attemptOf(cheater).state), uint8(AttemptState.REJECTED));
        assertEq(vault.lockupOf(master3), cheaterLockup - LAPSE_PENALTY, "the cheater's master is poorer");
        assertEq(vault.stakeOf(master3).reserved, 0);
        assertEq(vault.balanceOf(client) - clientBefore, LAPSE_PENALTY, "to the client");

        // Once only, and never an agreeing juror.
        vm.expectRevert(abi.encodeWithSelector(ITask.NotRejected.selector, task, cheater));
        nexus.rejectResponse(task, cheater);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotRejected.selector, task, provider));
        nexus.rejectResponse(task, provider);
    }

    /// No agreement by expiry (one honest result against one wrong one): the client gets its whole payment back,
    /// nobody is paid, and both penalties are burned: the cheater pays for the honest provider's loss and no one,
    /// not even a client that ran the cheater, gains from it.
    function test_noAgreement_refundsTheClientAndBurnsEveryPenalty() public {
        address task = _publishTask(source);
        uint256 clientBefore = vault.balanceOf(client);
        _jury(task, _two(provider, cheater), _results(RIGHT, WRONG));
        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.RESPONDED));
        assertEq(ITask(task).settleableAt(), _now() + EXPIRY_IN - 1, "settled from expiry, without a review window");

        _skip(EXPIRY_IN);
        nexus.settle(task);
        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.EXPIRED));
        assertEq(vault.balanceOf(client) - clientBefore, PAYMENT, "whole refund");

        for (uint256 i; i < 2; ++i) {
            address juror = i == 0 ? provider : cheater;
            address master_ = i == 0 ? master : master3;
            vm.expectEmit(true, true, true, true, address(nexus));
            emit INexusEvents.ResponseRejected(task, juror, master_, LAPSE_PENALTY, true, stranger);
            vm.prank(stranger);
            nexus.rejectResponse(task, juror);
            assertEq(vault.lockupOf(master_), STAKE - LAPSE_PENALTY);
        }
        assertEq(vault.burned(), 2 * LAPSE_PENALTY);
        assertEq(vault.balanceOf(client) - clientBefore, PAYMENT, "the client gains nothing from the burn");
    }

    // ------------------------------------------------------------ the jury

    /// A reveal needs a complete jury: a juror alone cannot reveal (its result would be public while others could
    /// still join and copy it).
    function test_reveal_waitsForTheQuorumOfJurors() public {
        address task = _publishTask(source);
        _attempt(task, provider);
        _vote(task, provider, RIGHT);
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(ITask.RevealsNotOpen.selector, task, 1, QUORUM));
        _revealVote(task, provider, RIGHT);
    }

    /// After the first reveal the jury is closed: a provider that read the revealed result can neither attempt nor
    /// seal a vote for it, even with an attempt made earlier.
    function test_copier_cannotJoinTheJuryAfterTheFirstReveal() public {
        address task = _publishTask(source);
        _attempt(task, provider);
        _attempt(task, provider2);
        _attempt(task, cheater);
        _vote(task, provider, RIGHT);
        _vote(task, provider2, RIGHT);
        _nextBlock();
        _revealVote(task, provider, RIGHT);
        uint40 closedAt = uint40(vm.getBlockTimestamp());
        assertEq(ITask(task).agreement().votingClosedAt, closedAt);

        vm.expectRevert(abi.encodeWithSelector(ITask.VotingClosed.selector, task, closedAt));
        _vote(task, cheater, RIGHT);
        // Its attempt was cut short by the closing, not lapsed: released at once.
        vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, cheater));
        nexus.reportLapse(task, cheater);
        nexus.releaseAttempt(task, cheater);
        assertEq(vault.stakeOf(master3).reserved, 0);
    }

    /// A commitment made with commitResponse is not a vote: it cannot be revealed on an AGREEMENT task.
    function test_commitResponse_isNotAVote() public {
        address task = _publishTask(source);
        _attempt(task, provider);
        _attempt(task, provider2);
        _vote(task, provider2, RIGHT);
        vm.prank(provider);
        nexus.commitResponse(task, ResponseCommitment.hash(task, provider, RIGHT, 0, SECRET));
        _nextBlock();
        vm.expectRevert(abi.encodeWithSelector(ITask.NotAJuror.selector, task, provider));
        _revealVote(task, provider, RIGHT);
        // And commitVote is refused on a task without agreement.
        address plain = _publishTask(_publishFirstResponseSource());
        vm.expectRevert(abi.encodeWithSelector(ITask.NotAgreementTask.selector, plain));
        _vote(plain, provider, RIGHT);
    }

    /// One master cannot be two jurors: a second key of the same master is refused at its attempt.
    function test_oneMaster_cannotFillTheQuorumAlone() public {
        address secondKey = makeAddr("secondKey");
        vm.prank(master);
        nexus.announceProvider(secondKey, type(uint88).max);
        vm.prank(secondKey);
        nexus.announceMaster(master);
        _register(source, secondKey, ENV_CPU);
        address task = _publishTask(source);
        _attempt(task, provider);
        vm.expectRevert(abi.encodeWithSelector(ITask.MasterAlreadyAttempted.selector, task, master, provider));
        _attempt(task, secondKey);
    }

    /// The client cannot cancel a task whose jury has sealed results (it would take the work unpaid).
    function test_cancel_refusedOnceAJurorCommitted() public {
        address task = _publishTask(source);
        _attempt(task, provider);
        _vote(task, provider, RIGHT);
        _skip(ATTEMPT_TIMEOUT);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskInProgress.selector, task, _deadline(task, provider), address(0)));
        vm.prank(client);
        nexus.cancelTask(task);
    }

    // ------------------------------------------------------------ jurors that never reveal

    /// A juror whose jury never filled could not reveal: at expiry it is released, not slashed.
    function test_incompleteJury_releasesItsJurorAtExpiry() public {
        address task = _publishTask(source);
        _attempt(task, provider);
        _vote(task, provider, RIGHT);
        _skip(EXPIRY_IN);
        nexus.settle(task);
        vm.expectRevert(abi.encodeWithSelector(ITask.NotLapsed.selector, task, provider));
        nexus.reportLapse(task, provider);
        nexus.releaseAttempt(task, provider);
        assertEq(vault.stakeOf(master).reserved, 0);
        assertEq(vault.lockupOf(master), STAKE);
    }

    /// A juror that withholds its reveal to block the agreement lapses at expiry, and its penalty is burned like the
    /// honest revealer's: withholding costs as much as revealing a wrong result.
    function test_withheldReveal_lapsesAndIsBurnedWithoutAgreement() public {
        address task = _publishTask(source);
        _attempt(task, provider);
        _attempt(task, cheater);
        _vote(task, provider, RIGHT);
        _vote(task, cheater, WRONG);
        _nextBlock();
        _revealVote(task, provider, RIGHT);
        _skip(EXPIRY_IN);
        nexus.settle(task);
        vm.expectEmit(true, true, true, true, address(nexus));
        emit INexusEvents.AttemptLapsed(task, cheater, master3, LAPSE_PENALTY, true, stranger);
        vm.prank(stranger);
        nexus.reportLapse(task, cheater);
        nexus.rejectResponse(task, provider);
        assertEq(vault.burned(), 2 * LAPSE_PENALTY);
    }

    /// A juror that did not reveal before the others agreed is released: the agreement did not need it.
    function test_agreementWithoutAJuror_releasesIt() public {
        address task = _publishTask(source);
        for (uint256 i; i < 3; ++i) _attempt(task, [provider, provider2, cheater][i]);
        _vote(task, provider, RIGHT);
        _vote(task, provider2, RIGHT);
        _vote(task, cheater, WRONG);
        _nextBlock();
        _revealVote(task, provider, RIGHT);
        _revealVote(task, provider2, RIGHT);
        vm.expectRevert(abi.encodeWithSelector(ITask.TaskAlreadyFinalized.selector, task, provider2));
        _revealVote(task, cheater, WRONG);
        nexus.releaseAttempt(task, cheater);
        assertEq(vault.stakeOf(master3).reserved, 0);
    }

    /// A live attempt that never sealed anything while the jury was open lapses, and on an agreed task its penalty
    /// goes to the client.
    function test_silentAttempt_lapsesBeforeTheVote() public {
        address task = _publishTask(source);
        _attempt(task, cheater);
        _skip(ATTEMPT_TIMEOUT);
        _attempt(task, provider);
        _attempt(task, provider2);
        // Not yet agreed: the penalty would be burned. Report it after the agreement: to the client.
        _vote(task, provider, RIGHT);
        _vote(task, provider2, RIGHT);
        _nextBlock();
        _revealVote(task, provider, RIGHT);
        _revealVote(task, provider2, RIGHT);
        uint256 clientBefore = vault.balanceOf(client);
        vm.expectEmit(true, true, true, true, address(nexus));
        emit INexusEvents.AttemptLapsed(task, cheater, master3, LAPSE_PENALTY, false, stranger);
        vm.prank(stranger);
        nexus.reportLapse(task, cheater);
        assertEq(vault.balanceOf(client) - clientBefore, LAPSE_PENALTY);
    }

    // ------------------------------------------------------------ the policy

    /// The policy is checked when a source is published or updated.
    function test_policy_rejectsInvalidCombinations() public {
        SourceParams memory p = _agreementParams(2, 3);
        p.deliveryMethod = DeliveryMethod.MANUAL_CONFIRMATION;
        _expectInvalid(p);
        _expectInvalid(_agreementParams(1, 3));
        _expectInvalid(_agreementParams(MAX_AGREEMENT_QUORUM + 1, 64));
        _expectInvalid(_agreementParams(3, 2));
        p = _agreementParams(2, 3);
        p.lapsePenalty = 0;
        _expectInvalid(p);
        p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.quorum = 2;
        _expectInvalid(p);
        // The cap itself is valid, and the policy is copied into the task's terms.
        address capped = _publishSource(client, _agreementParams(MAX_AGREEMENT_QUORUM, 64));
        address task = _publishTask(capped);
        assertEq(uint8(ITask(task).terms().verification), uint8(VerificationMethod.AGREEMENT));
        assertEq(ITask(task).terms().quorum, MAX_AGREEMENT_QUORUM);
    }

    function _expectInvalid(SourceParams memory p) internal {
        vm.expectRevert(abi.encodeWithSelector(ISource.InvalidVerification.selector, p.verification, p.quorum));
        vm.prank(client);
        nexus.publishSource(p, keccak256(abi.encode(p)));
    }

    /// A source update does not touch an open task's policy.
    function test_policy_isFixedAtPublication() public {
        address task = _publishTask(source);
        vm.prank(client);
        nexus.updateSource(source, _defaultParams(DeliveryMethod.FIRST_RESPONSE));
        assertEq(uint8(ITask(task).terms().verification), uint8(VerificationMethod.AGREEMENT));
        _jury(task, _two(provider, provider2), _results(RIGHT, RIGHT));
        assertEq(uint8(ITask(task).status()), uint8(TaskStatus.FINALIZED));
    }
}
