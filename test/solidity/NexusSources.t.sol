// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Errors} from "@openzeppelin/contracts/utils/Errors.sol";
import {NexusFixture} from "./helpers/NexusFixture.sol";
import {IVault} from "../../contracts/interfaces/IVault.sol";
import {INexus} from "../../contracts/interfaces/INexus.sol";
import {ISource} from "../../contracts/interfaces/ISource.sol";
import {ITask} from "../../contracts/interfaces/ITask.sol";
import {
    AttemptState,
    DeliveryMethod,
    SourceParams,
    SourceStatus,
    TaskStatus,
    TermsSeen,
    ENV_CPU,
    ENV_NVIDIA,
    ENV_AMD,
    ALL_ENVIRONMENTS,
    MAX_ATTEMPT_TIMEOUT,
    MAX_CONCURRENT_ATTEMPTS
} from "../../contracts/types/NexusTypes.sol";
import {termsSeenOf} from "./helpers/TermsSeenOf.sol";

/// @notice publishSource, updateSource, setSourceStatus, register, unregister.
contract NexusSourcesTest is NexusFixture {
    address internal source;

    function setUp() public override {
        super.setUp();
        source = _publishFirstResponseSource();
    }

    function _assertParams(SourceParams memory actual, SourceParams memory expected) internal pure {
        assertEq(abi.encode(actual), abi.encode(expected), "params");
    }

    function _expectPublishRevert(SourceParams memory p, bytes memory err) internal {
        bytes32 salt = _nextSourceSalt();
        vm.expectRevert(err);
        vm.prank(client);
        nexus.publishSource(p, salt);
    }

    // ================================================================ publishSource

    function test_publishSource_deploysAtPredictedAddress_storesParams_emits() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.MANUAL_CONFIRMATION);
        bytes32 salt = keccak256("my source");
        address predicted = nexus.predictSourceAddress(client, salt);
        assertEq(predicted.code.length, 0);

        _expectEmit();
        emit SourcePublished(predicted, client, salt, p);
        vm.prank(client);
        address published = nexus.publishSource(p, salt);

        assertEq(published, predicted);
        assertTrue(nexus.isSource(published));
        assertEq(ISource(published).client(), client);
        assertEq(uint8(ISource(published).status()), uint8(SourceStatus.ACTIVE));
        _assertParams(ISource(published).params(), p);
        assertEq(ISource(published).registrantCount(), 0);
    }

    function test_publishSource_anyoneIsAClient() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        vm.prank(stranger);
        address s = nexus.publishSource(p, bytes32(0));
        assertEq(ISource(s).client(), stranger);
    }

    function test_publishSource_firstResponseNeedsNoReviewWindow() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.reviewWindow = 0;
        address s = _publishSource(client, p);
        assertEq(ISource(s).params().reviewWindow, 0);
    }

    function test_publishSource_acceptsEveryEnvironmentAndConcurrencyCap() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.environments = ALL_ENVIRONMENTS;
        p.maxConcurrentAttempts = MAX_CONCURRENT_ATTEMPTS;
        address s = _publishSource(client, p);
        _assertParams(ISource(s).params(), p);
        p.environments = ENV_AMD;
        p.maxConcurrentAttempts = 1;
        s = _publishSource(client, p);
        _assertParams(ISource(s).params(), p);
    }

    function test_publishSource_revertsOnEmptyEnvironments() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.environments = 0;
        _expectPublishRevert(p, abi.encodeWithSelector(ISource.InvalidEnvironments.selector, uint8(0)));
    }

    function test_publishSource_revertsOnUnknownEnvironmentBit() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.environments = 8;
        _expectPublishRevert(p, abi.encodeWithSelector(ISource.InvalidEnvironments.selector, uint8(8)));
        p.environments = ENV_CPU | 0x80;
        _expectPublishRevert(p, abi.encodeWithSelector(ISource.InvalidEnvironments.selector, uint8(0x81)));
    }

    function test_publishSource_revertsOnZeroConcurrency() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.maxConcurrentAttempts = 0;
        _expectPublishRevert(
            p,
            abi.encodeWithSelector(ISource.InvalidMaxConcurrentAttempts.selector, uint8(0), MAX_CONCURRENT_ATTEMPTS)
        );
    }

    function test_publishSource_revertsOnConcurrencyAboveCap() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.maxConcurrentAttempts = MAX_CONCURRENT_ATTEMPTS + 1;
        _expectPublishRevert(
            p,
            abi.encodeWithSelector(
                ISource.InvalidMaxConcurrentAttempts.selector, MAX_CONCURRENT_ATTEMPTS + 1, MAX_CONCURRENT_ATTEMPTS
            )
        );
    }

    function test_publishSource_revertsOnZeroAttemptTimeout() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.attemptTimeout = 0;
        _expectPublishRevert(p, abi.encodeWithSelector(ISource.InvalidAttemptTimeout.selector, 0, MAX_ATTEMPT_TIMEOUT));
    }

    function test_publishSource_attemptTimeoutCapIsInclusive() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.attemptTimeout = MAX_ATTEMPT_TIMEOUT + 1;
        _expectPublishRevert(
            p, abi.encodeWithSelector(ISource.InvalidAttemptTimeout.selector, MAX_ATTEMPT_TIMEOUT + 1, MAX_ATTEMPT_TIMEOUT)
        );
        p.attemptTimeout = MAX_ATTEMPT_TIMEOUT;
        vm.prank(client);
        address capped = nexus.publishSource(p, bytes32("cap"));
        assertEq(ISource(capped).params().attemptTimeout, MAX_ATTEMPT_TIMEOUT);
    }

    function test_publishSource_revertsOnZeroMaxExpiryDuration() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.maxExpiryDuration = 0;
        _expectPublishRevert(p, abi.encodeWithSelector(ISource.ZeroDuration.selector, bytes32("maxExpiryDuration")));
    }

    function test_publishSource_manualRevertsWithoutReviewWindow() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.MANUAL_CONFIRMATION);
        p.reviewWindow = 0;
        _expectPublishRevert(p, abi.encodeWithSelector(ISource.MissingReviewWindow.selector));
    }

    function test_publishSource_revertsOnReusedSaltBySameClient() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        vm.prank(client);
        nexus.publishSource(p, bytes32(uint256(7)));
        vm.expectRevert(abi.encodeWithSelector(Errors.FailedDeployment.selector));
        vm.prank(client);
        nexus.publishSource(p, bytes32(uint256(7)));
    }

    function test_publishSource_sameSaltDifferentClientsGetDifferentSources() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        vm.prank(client);
        address a = nexus.publishSource(p, bytes32(uint256(7)));
        vm.prank(stranger);
        address b = nexus.publishSource(p, bytes32(uint256(7)));
        assertTrue(a != b);
        assertEq(ISource(a).client(), client);
        assertEq(ISource(b).client(), stranger);
    }

    // ================================================================ updateSource

    function test_updateSource_replacesParams_emits() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.MANUAL_CONFIRMATION);
        p.metadataUri = "ipfs://QmV2";
        p.minPayment = 5 ether;
        p.environments = ALL_ENVIRONMENTS;
        _expectEmit();
        emit SourceUpdated(source, client, 2, p);
        vm.prank(client);
        nexus.updateSource(source, p);
        _assertParams(ISource(source).params(), p);
    }

    function test_updateSource_openTasksKeepTheirTerms() public {
        address before = _publishTask(source);
        SourceParams memory p = _defaultParams(DeliveryMethod.MANUAL_CONFIRMATION);
        p.attemptTimeout = 5 minutes;
        p.lapsePenalty = 0;
        p.maxConcurrentAttempts = 9;
        p.reviewWindow = 3 days;
        vm.prank(client);
        nexus.updateSource(source, p);

        assertEq(uint8(ITask(before).terms().deliveryMethod), uint8(DeliveryMethod.FIRST_RESPONSE));
        assertEq(ITask(before).terms().attemptTimeout, ATTEMPT_TIMEOUT);
        assertEq(ITask(before).terms().lapsePenalty, LAPSE_PENALTY);
        assertEq(ITask(before).terms().maxConcurrentAttempts, DEFAULT_MAX_CONCURRENT);
        assertEq(ITask(before).terms().reviewWindow, REVIEW_WINDOW);

        address later = _publishTask(source);
        assertEq(uint8(ITask(later).terms().deliveryMethod), uint8(DeliveryMethod.MANUAL_CONFIRMATION));
        assertEq(ITask(later).terms().attemptTimeout, 5 minutes);
        assertEq(ITask(later).terms().lapsePenalty, 0);
        assertEq(ITask(later).terms().maxConcurrentAttempts, 9);
        assertEq(ITask(later).terms().reviewWindow, 3 days);
    }

    /// Attack: the source owner lowers `minAvailableLockup` to 0 after clients published, so that a master with no
    /// stake attempts their open tasks and lapses for free. The task keeps the lockup it was published with.
    function test_updateSource_loweredLockupDoesNotLetUnstakedMastersAttemptOpenTasks() public {
        _setupProvider(source, provider, master);
        address open = _publishTask(source);
        assertEq(ITask(open).terms().minAvailableLockup, MIN_LOCKUP);
        vm.startPrank(master);
        nexus.unbond(STAKE);
        vm.stopPrank();
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.minAvailableLockup = 0;
        vm.prank(client);
        nexus.updateSource(source, p);

        vm.expectRevert(abi.encodeWithSelector(INexus.LockupBelowMinimum.selector, master, 0, MIN_LOCKUP));
        vm.prank(provider);
        nexus.attempt(open, provider, 0);
        // A task published after the update takes the new terms; the penalty still needs free stake to reserve.
        address later = _publishTask(source);
        assertEq(ITask(later).terms().minAvailableLockup, 0);
        vm.expectRevert(abi.encodeWithSelector(IVault.InsufficientFreeLockup.selector, master, 0, LAPSE_PENALTY));
        vm.prank(provider);
        nexus.attempt(later, provider, 0);
        vm.prank(master);
        nexus.cancelUnbonding();
        vm.prank(provider);
        nexus.attempt(later, provider, 0);
        assertEq(vault.stakeOf(master).reserved, LAPSE_PENALTY);
    }

    /// Attack: the source owner raises `minAvailableLockup` to the maximum so that every open task expires unserved
    /// (and is refunded) while its own tasks elsewhere get the capacity. Open tasks keep the lockup they copied.
    function test_updateSource_raisedLockupDoesNotBlockOpenTasks() public {
        _setupProvider(source, provider, master);
        address open = _publishTask(source);
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.minAvailableLockup = type(uint96).max;
        vm.prank(client);
        nexus.updateSource(source, p);

        vm.prank(provider);
        nexus.attempt(open, provider, 0);
        assertEq(uint8(ITask(open).attemptOf(provider).state), uint8(AttemptState.LIVE));
        address later = _publishTask(source);
        vm.expectRevert(
            abi.encodeWithSelector(
                INexus.LockupBelowMinimum.selector, master, STAKE - LAPSE_PENALTY, uint256(type(uint96).max)
            )
        );
        vm.prank(provider);
        nexus.attempt(later, provider, 0);
    }

    /// @dev Documents current behaviour: withdrawing an environment does not unregister providers in it.
    function test_updateSource_keepsRegistrantsOfAWithdrawnEnvironment() public {
        _setupProvider(source, provider, master); // CPU
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.environments = ENV_NVIDIA;
        vm.prank(client);
        nexus.updateSource(source, p);
        assertEq(ISource(source).environmentOf(provider), ENV_CPU);
        // New registrations follow the new mask.
        _pair(master, provider2);
        vm.expectRevert(
            abi.encodeWithSelector(ISource.UnsupportedEnvironment.selector, source, ENV_CPU, ENV_NVIDIA)
        );
        vm.prank(provider2);
        nexus.register(source, provider2, ENV_CPU);
    }

    function test_updateSource_validatesParams() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.MANUAL_CONFIRMATION);
        p.reviewWindow = 0;
        vm.expectRevert(abi.encodeWithSelector(ISource.MissingReviewWindow.selector));
        vm.prank(client);
        nexus.updateSource(source, p);

        p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.environments = 0;
        vm.expectRevert(abi.encodeWithSelector(ISource.InvalidEnvironments.selector, uint8(0)));
        vm.prank(client);
        nexus.updateSource(source, p);
    }

    function test_updateSource_revertsForNonClient() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        vm.expectRevert(abi.encodeWithSelector(INexus.Unauthorized.selector, stranger, client));
        vm.prank(stranger);
        nexus.updateSource(source, p);
    }

    function test_updateSource_revertsForClientAgent() public {
        _grantAllScopes(client, agent);
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        vm.expectRevert(abi.encodeWithSelector(INexus.Unauthorized.selector, agent, client));
        vm.prank(agent);
        nexus.updateSource(source, p);
    }

    function test_updateSource_revertsForUnknownSource() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        vm.expectRevert(abi.encodeWithSelector(INexus.UnknownSource.selector, stranger));
        vm.prank(client);
        nexus.updateSource(stranger, p);
    }

    // ================================================================ setSourceStatus

    function test_setSourceStatus_switchesBothWays_emits() public {
        _expectEmit();
        emit SourceStatusChanged(source, client, SourceStatus.INACTIVE);
        vm.prank(client);
        nexus.setSourceStatus(source, SourceStatus.INACTIVE);
        assertEq(uint8(ISource(source).status()), uint8(SourceStatus.INACTIVE));

        _expectEmit();
        emit SourceStatusChanged(source, client, SourceStatus.ACTIVE);
        vm.prank(client);
        nexus.setSourceStatus(source, SourceStatus.ACTIVE);
        assertEq(uint8(ISource(source).status()), uint8(SourceStatus.ACTIVE));
        _publishTask(source); // takes tasks again
    }

    function test_setSourceStatus_revertsForNonClient() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.Unauthorized.selector, master, client));
        vm.prank(master);
        nexus.setSourceStatus(source, SourceStatus.INACTIVE);
    }

    function test_setSourceStatus_revertsForUnknownSource() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.UnknownSource.selector, address(nexus)));
        vm.prank(client);
        nexus.setSourceStatus(address(nexus), SourceStatus.INACTIVE);
    }

    function test_inactiveSource_refusesNewTasks() public {
        vm.prank(client);
        nexus.setSourceStatus(source, SourceStatus.INACTIVE);
        uint64 expiry = _now() + EXPIRY_IN;
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.expectRevert(abi.encodeWithSelector(INexus.SourceInactive.selector, source));
        vm.prank(client);
        nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 1, seen);

        _grantAllScopes(client, agent);
        TermsSeen memory seen2 = termsSeenOf(nexus, source);
        vm.expectRevert(abi.encodeWithSelector(INexus.SourceInactive.selector, source));
        vm.prank(agent);
        nexus.publishTask{value: PAYMENT}(client, source, CONFIG_URI, CONFIG_HASH, expiry, PAYMENT, 1, seen2);
    }

    function test_inactiveSource_refusesRegistrations() public {
        _pair(master, provider);
        _stake(master, STAKE);
        vm.prank(client);
        nexus.setSourceStatus(source, SourceStatus.INACTIVE);
        vm.expectRevert(abi.encodeWithSelector(INexus.SourceInactive.selector, source));
        vm.prank(provider);
        nexus.register(source, provider, ENV_CPU);
    }

    function test_inactiveSource_openTasksFinishNormally() public {
        _setupProvider(source, provider, master);
        _setupProvider(source, provider2, master2);
        address t1 = _publishTask(source);
        address t2 = _publishTask(source);
        _attempt(t1, provider);
        vm.prank(client);
        nexus.setSourceStatus(source, SourceStatus.INACTIVE);

        // attempts and responses on existing tasks continue
        _attempt(t2, provider2);
        _respond(t1, provider, 0);
        assertEq(uint8(ITask(t1).status()), uint8(TaskStatus.FINALIZED));
        assertEq(vault.balanceOf(master), PAYMENT - _fee(PAYMENT));
        // unregistering still works, and t2 can still be answered
        vm.prank(provider);
        nexus.unregister(source, provider);
        _respond(t2, provider2, 0);
        assertEq(ITask(t2).winner(), provider2);
    }

    function test_inactiveSource_openManualTaskCanBeConfirmedAndSettled() public {
        address manual = _publishManualSource();
        _setupProvider(manual, provider, master);
        address t1 = _publishTask(manual);
        address t2 = _publishTask(manual);
        _attempt(t1, provider);
        _attempt(t2, provider);
        _respond(t1, provider, PAYMENT);
        _respond(t2, provider, PAYMENT);
        vm.prank(client);
        nexus.setSourceStatus(manual, SourceStatus.INACTIVE);
        _confirm(t1, provider);
        vm.warp(ITask(t2).settleableAt());
        nexus.settle(t2);
        assertEq(uint8(ITask(t1).status()), uint8(TaskStatus.FINALIZED));
        assertEq(uint8(ITask(t2).status()), uint8(TaskStatus.FINALIZED));
    }

    // ================================================================ register

    function test_register_byProvider_emits() public {
        _pair(master, provider);
        _stake(master, STAKE);
        _expectEmit();
        emit ProviderRegistered(source, provider, master, ENV_NVIDIA);
        vm.prank(provider);
        nexus.register(source, provider, ENV_NVIDIA);
        assertEq(ISource(source).environmentOf(provider), ENV_NVIDIA);
        assertEq(ISource(source).registrantCount(), 1);
    }

    function test_register_byMaster() public {
        _pair(master, provider);
        _stake(master, STAKE);
        _expectEmit();
        emit ProviderRegistered(source, provider, master, ENV_CPU);
        vm.prank(master);
        nexus.register(source, provider, ENV_CPU);
        assertEq(ISource(source).environmentOf(provider), ENV_CPU);
    }

    function test_register_byMasterAgent() public {
        _pair(master, provider);
        _stake(master, STAKE);
        _grantAllScopes(master, agent);
        _expectEmit();
        emit ProviderRegistered(source, provider, master, ENV_CPU);
        vm.prank(agent);
        nexus.register(source, provider, ENV_CPU);
        assertEq(ISource(source).environmentOf(provider), ENV_CPU);
    }

    function test_register_lockupExactlyAtMinimum() public {
        _pair(master, provider);
        _stake(master, MIN_LOCKUP);
        _register(source, provider, ENV_CPU);
        assertEq(ISource(source).environmentOf(provider), ENV_CPU);
    }

    function test_register_revertsWhenLockupBelowMinimum() public {
        _pair(master, provider);
        _stake(master, MIN_LOCKUP - 1);
        vm.expectRevert(
            abi.encodeWithSelector(INexus.LockupBelowMinimum.selector, master, MIN_LOCKUP - 1, MIN_LOCKUP)
        );
        vm.prank(provider);
        nexus.register(source, provider, ENV_CPU);
    }

    function test_register_unbondingDoesNotCountAsLockup() public {
        _pair(master, provider);
        _stake(master, STAKE);
        vm.prank(master);
        nexus.unbond(STAKE);
        vm.expectRevert(abi.encodeWithSelector(INexus.LockupBelowMinimum.selector, master, 0, MIN_LOCKUP));
        vm.prank(provider);
        nexus.register(source, provider, ENV_CPU);
    }

    function test_register_noStakeNeededWhenMinimumIsZero() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.minAvailableLockup = 0;
        address free = _publishSource(client, p);
        _pair(master, provider);
        _register(free, provider, ENV_CPU);
        assertEq(ISource(free).environmentOf(provider), ENV_CPU);
    }

    function test_register_revertsForUnpairedProvider() public {
        _stake(master, STAKE);
        // nobody announced anything
        vm.expectRevert(abi.encodeWithSelector(INexus.ProviderNotPaired.selector, provider));
        vm.prank(provider);
        nexus.register(source, provider, ENV_CPU);
        // only the master announced
        vm.prank(master);
        nexus.announceProvider(provider, type(uint88).max);
        vm.expectRevert(abi.encodeWithSelector(INexus.ProviderNotPaired.selector, provider));
        vm.prank(master);
        nexus.register(source, provider, ENV_CPU);
        // only the provider announced
        vm.prank(provider2);
        nexus.announceMaster(master);
        vm.expectRevert(abi.encodeWithSelector(INexus.ProviderNotPaired.selector, provider2));
        vm.prank(provider2);
        nexus.register(source, provider2, ENV_CPU);
    }

    function test_register_revertsForStranger() public {
        _pair(master, provider);
        _stake(master, STAKE);
        vm.expectRevert(abi.encodeWithSelector(INexus.Unauthorized.selector, stranger, master));
        vm.prank(stranger);
        nexus.register(source, provider, ENV_CPU);
    }

    function test_register_revertsOnZeroEnvironment() public {
        _pair(master, provider);
        _stake(master, STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(ISource.UnsupportedEnvironment.selector, source, uint8(0), DEFAULT_ENVIRONMENTS)
        );
        vm.prank(provider);
        nexus.register(source, provider, 0);
    }

    function test_register_revertsOnTwoEnvironmentBits() public {
        _pair(master, provider);
        _stake(master, STAKE);
        uint8 both = ENV_CPU | ENV_NVIDIA;
        vm.expectRevert(
            abi.encodeWithSelector(ISource.UnsupportedEnvironment.selector, source, both, DEFAULT_ENVIRONMENTS)
        );
        vm.prank(provider);
        nexus.register(source, provider, both);
    }

    function test_register_revertsOnEnvironmentNotOffered() public {
        _pair(master, provider);
        _stake(master, STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(ISource.UnsupportedEnvironment.selector, source, ENV_AMD, DEFAULT_ENVIRONMENTS)
        );
        vm.prank(provider);
        nexus.register(source, provider, ENV_AMD);
        vm.expectRevert(
            abi.encodeWithSelector(ISource.UnsupportedEnvironment.selector, source, uint8(8), DEFAULT_ENVIRONMENTS)
        );
        vm.prank(provider);
        nexus.register(source, provider, 8);
    }

    function test_register_revertsWhenAlreadyRegistered() public {
        _setupProvider(source, provider, master);
        vm.expectRevert(abi.encodeWithSelector(ISource.AlreadyRegistered.selector, source, provider));
        vm.prank(provider);
        nexus.register(source, provider, ENV_NVIDIA);
    }

    function test_register_revertsForUnknownSource() public {
        _pair(master, provider);
        vm.expectRevert(abi.encodeWithSelector(INexus.UnknownSource.selector, address(sourceImpl)));
        vm.prank(provider);
        nexus.register(address(sourceImpl), provider, ENV_CPU);
    }

    // ================================================================ unregister

    function test_unregister_byProvider_emits_andBlocksAttempts() public {
        _setupProvider(source, provider, master);
        address task = _publishTask(source);
        _expectEmit();
        emit ProviderUnregistered(source, provider, provider);
        vm.prank(provider);
        nexus.unregister(source, provider);
        assertEq(ISource(source).environmentOf(provider), 0);
        assertEq(ISource(source).registrantCount(), 0);

        vm.expectRevert(abi.encodeWithSelector(ISource.NotRegistered.selector, source, provider));
        vm.prank(provider);
        nexus.attempt(task, provider, 0);
    }

    function test_unregister_byMaster() public {
        _setupProvider(source, provider, master);
        _expectEmit();
        emit ProviderUnregistered(source, provider, master);
        vm.prank(master);
        nexus.unregister(source, provider);
        assertEq(ISource(source).environmentOf(provider), 0);
    }

    function test_unregister_byMasterAgent() public {
        _setupProvider(source, provider, master);
        _grantAllScopes(master, agent);
        _expectEmit();
        emit ProviderUnregistered(source, provider, agent);
        vm.prank(agent);
        nexus.unregister(source, provider);
        assertEq(ISource(source).registrantCount(), 0);
    }

    function test_unregister_unpairedProviderCanLeaveItself() public {
        _setupProvider(source, provider, master);
        vm.prank(provider);
        nexus.revokeMaster();
        vm.prank(provider);
        nexus.unregister(source, provider);
        assertEq(ISource(source).registrantCount(), 0);
    }

    function test_unregister_masterOfUnpairedProviderReverts() public {
        _setupProvider(source, provider, master);
        vm.prank(provider);
        nexus.revokeMaster();
        vm.expectRevert(abi.encodeWithSelector(INexus.ProviderNotPaired.selector, provider));
        vm.prank(master);
        nexus.unregister(source, provider);
    }

    function test_unregister_reregisterAfterwards() public {
        _setupProvider(source, provider, master);
        vm.prank(provider);
        nexus.unregister(source, provider);
        _register(source, provider, ENV_NVIDIA);
        assertEq(ISource(source).environmentOf(provider), ENV_NVIDIA);
        assertEq(ISource(source).registrantCount(), 1);
    }

    function test_unregister_revertsWhenNotRegistered() public {
        _pair(master, provider);
        vm.expectRevert(abi.encodeWithSelector(ISource.NotRegistered.selector, source, provider));
        vm.prank(provider);
        nexus.unregister(source, provider);
    }

    function test_unregister_revertsForStranger() public {
        _setupProvider(source, provider, master);
        vm.expectRevert(abi.encodeWithSelector(INexus.Unauthorized.selector, stranger, master));
        vm.prank(stranger);
        nexus.unregister(source, provider);
    }

    function test_unregister_revertsForUnknownSource() public {
        vm.expectRevert(abi.encodeWithSelector(INexus.UnknownSource.selector, address(0)));
        vm.prank(provider);
        nexus.unregister(address(0), provider);
    }
}
