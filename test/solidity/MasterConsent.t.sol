// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NexusFixture} from "./helpers/NexusFixture.sol";
import {INexus} from "../../contracts/interfaces/INexus.sol";
import {
    DeliveryMethod,
    Pairing,
    SourceParams,
    TermsSeen,
    AGENT_OPERATOR,
    ENV_CPU
} from "../../contracts/types/NexusTypes.sol";
import {termsSeenOf} from "./helpers/TermsSeenOf.sol";

/// @notice docs/PROTOCOL.md "The master's consent": a provider key or an agent cannot put the master's stake at
/// risk beyond the per-attempt lapse penalty the master accepted when it announced the provider, checked at
/// `register` and again at `attempt` against the task's own terms.
contract MasterConsentTest is NexusFixture {
    /// @dev A cap exactly at the fixture sources' penalty.
    uint88 internal constant PENALTY_CAP = uint88(LAPSE_PENALTY);
    address internal thief = makeAddr("thief"); // holds the provider's key, or is the master's operator agent

    function setUp() public override {
        super.setUp();
        vm.deal(thief, 1 ether);
    }

    function _announce(address master_, address provider_, uint88 cap) internal {
        vm.prank(master_);
        nexus.announceProvider(provider_, cap);
    }

    function _pairWithCap(address master_, address provider_, uint88 cap) internal {
        _announce(master_, provider_, cap);
        vm.prank(provider_);
        nexus.announceMaster(master_);
    }

    function _capError(address provider_, uint256 penalty, uint256 cap) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(INexus.PenaltyAboveMasterCap.selector, provider_, penalty, cap);
    }

    /// The thief's own source: a penalty as large as the type allows, no stake required, a one-second timeout.
    function _ruinousSource(address by, uint96 penalty) internal returns (address) {
        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.lapsePenalty = penalty;
        p.minAvailableLockup = 0;
        p.attemptTimeout = 1;
        p.minPayment = 1;
        return _publishSource(by, p);
    }

    /// The thief publishes a 1-wei task on `source`, attempts it for the provider as `actor`, waits out the
    /// one-second timeout and reports the lapse: the penalty moves from the master's stake to the thief.
    function _lapseOnce(address source, address actor) internal {
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(thief);
        address t = nexus.publishTask{value: 1}(thief, source, CONFIG_URI, CONFIG_HASH, _now() + 1 hours, 1, 1, seen);
        vm.prank(actor);
        nexus.attempt(t, provider, 0);
        _skip(1);
        nexus.reportLapse(t, provider);
    }

    // ---------------------------------------------------------------- the attack on main before the cap

    /// With the provider key alone (or as the master's operator agent), register the master's provider on a
    /// ruinous source, publish a 1-wei task, attempt, wait a second, report the lapse: refused at register; the
    /// stake is whole. A master that set nothing (cap 0) risks nothing.
    function test_stolenProviderKey_cannotTakeTheStake() public {
        _pairWithCap(master, provider, 0);
        _stake(master, STAKE);
        vm.prank(master);
        nexus.unbond(STAKE / 2);
        address ruinous = _ruinousSource(thief, type(uint96).max);

        vm.expectRevert(_capError(provider, type(uint96).max, 0));
        vm.prank(provider); // the stolen key
        nexus.register(ruinous, provider, ENV_CPU);

        vm.prank(master);
        nexus.grantAgent(thief, AGENT_OPERATOR, 0);
        vm.expectRevert(_capError(provider, type(uint96).max, 0));
        vm.prank(thief); // the master's operator agent
        nexus.register(ruinous, provider, ENV_CPU);

        assertEq(vault.lockupOf(master), STAKE / 2);
        assertEq(vault.stakeOf(master).unbonding, STAKE / 2);
    }

    /// Within the cap the thief's one lapse costs the master exactly what it accepted per attempt, and no more.
    function test_stolenProviderKey_losesAtMostTheCapPerAttempt() public {
        uint88 cap = 0.1 ether;
        _pairWithCap(master, provider, cap);
        _stake(master, STAKE);
        address ruinous = _ruinousSource(thief, cap);
        vm.prank(provider);
        nexus.register(ruinous, provider, ENV_CPU);
        _lapseOnce(ruinous, provider);
        assertEq(vault.lockupOf(master), STAKE - cap);
        assertEq(vault.balanceOf(thief), cap);
    }

    // ---------------------------------------------------------------- register and attempt

    function test_register_acceptsAPenaltyAtTheCap_refusesOneAbove() public {
        _pairWithCap(master, provider, PENALTY_CAP);
        _stake(master, STAKE);
        address atCap = _publishFirstResponseSource();
        vm.prank(provider);
        nexus.register(atCap, provider, ENV_CPU);

        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.lapsePenalty = LAPSE_PENALTY + 1;
        address above = _publishSource(client, p);
        vm.expectRevert(_capError(provider, LAPSE_PENALTY + 1, LAPSE_PENALTY));
        vm.prank(master); // not even the master itself: it changes the cap, not the check
        nexus.register(above, provider, ENV_CPU);
    }

    /// A source that raises its penalty after the provider registered does not widen the master's exposure: its
    /// new tasks carry the new penalty and are refused at attempt; tasks published before keep theirs.
    function test_attempt_checksTheTasksPenalty_notTheRegistration() public {
        _pairWithCap(master, provider, PENALTY_CAP);
        _stake(master, STAKE);
        address source = _publishFirstResponseSource();
        _register(source, provider, ENV_CPU);
        address before = _publishTask(source);

        SourceParams memory p = _defaultParams(DeliveryMethod.FIRST_RESPONSE);
        p.lapsePenalty = 1 ether;
        vm.prank(client);
        nexus.updateSource(source, p);
        address later = _publishTask(source);

        vm.expectRevert(_capError(provider, 1 ether, LAPSE_PENALTY));
        vm.prank(provider);
        nexus.attempt(later, provider, 0);
        vm.prank(provider);
        nexus.attempt(before, provider, 0);
    }

    /// The master lowers its cap by announcing the provider again: registrations stay, attempts above it stop.
    function test_attempt_followsTheMastersLatestCap() public {
        _pairWithCap(master, provider, PENALTY_CAP);
        _stake(master, STAKE);
        address source = _publishFirstResponseSource();
        _register(source, provider, ENV_CPU);

        _expectEmit();
        emit ProviderAnnounced(master, provider, 0, true);
        _announce(master, provider, 0);
        assertEq(registry.pairingOf(provider).maxPenalty, 0);
        address t = _publishTask(source);
        vm.expectRevert(_capError(provider, LAPSE_PENALTY, 0));
        vm.prank(provider);
        nexus.attempt(t, provider, 0);

        _announce(master, provider, PENALTY_CAP);
        vm.prank(provider);
        nexus.attempt(t, provider, 0);
    }

    /// The cap is the master's word: the provider cannot raise it by leaving and announcing the master again, and
    /// a master's cap for one provider says nothing about its others.
    function test_cap_isSetByTheMasterOnly_perProvider() public {
        _pairWithCap(master, provider, 0.1 ether);
        _pairWithCap(master, provider2, 0);
        vm.startPrank(provider);
        nexus.revokeMaster();
        nexus.announceMaster(master);
        vm.stopPrank();
        Pairing memory p = registry.pairingOf(provider);
        assertTrue(p.paired);
        assertEq(p.maxPenalty, 0.1 ether, "the master's announcement, not the provider's");
        assertEq(registry.pairingOf(provider2).maxPenalty, 0);
        (bool announced, uint88 cap) = registry.announcementOf(master, provider);
        assertTrue(announced);
        assertEq(cap, 0.1 ether);
    }

    /// Another master's announcement of the provider (with a large cap) does not change the pairing's cap.
    function test_cap_ofAnotherAnnouncingMasterDoesNotApply() public {
        _pairWithCap(master, provider, 0);
        _announce(master2, provider, type(uint88).max);
        assertEq(registry.pairingOf(provider).maxPenalty, 0);
        assertEq(registry.pairingOf(provider).master, master);
    }

    /// Revoking the provider drops the cap with the pairing; a new announcement sets a new one.
    function test_revokeProvider_dropsTheCap() public {
        _pairWithCap(master, provider, 1 ether);
        vm.prank(master);
        nexus.revokeProvider(provider);
        assertEq(registry.pairingOf(provider).maxPenalty, 0);
        _announce(master, provider, 0.5 ether);
        assertEq(registry.pairingOf(provider).maxPenalty, 0.5 ether);
        assertTrue(registry.pairingOf(provider).paired);
    }

    // ---------------------------------------------------------------- fuzz

    /// Whatever the cap, the penalty and who calls: register and attempt succeed exactly when the penalty is within
    /// the cap, and a lapse then costs the master at most the cap.
    function testFuzz_aMasterLosesAtMostItsCapPerAttempt(uint88 cap, uint96 penalty, bool viaAgent) public {
        cap = uint88(bound(cap, 0, 10 ether));
        penalty = uint96(bound(penalty, 0, 20 ether));
        _pairWithCap(master, provider, cap);
        _stake(master, 30 ether);
        address actor = provider;
        if (viaAgent) {
            vm.prank(master);
            nexus.grantAgent(thief, AGENT_OPERATOR, 0);
            actor = thief;
        }
        address source = _ruinousSource(thief, penalty);
        if (penalty > cap) vm.expectRevert(_capError(provider, penalty, cap));
        vm.prank(actor);
        nexus.register(source, provider, ENV_CPU);
        if (penalty > cap) {
            assertEq(vault.lockupOf(master), 30 ether);
            return;
        }
        _lapseOnce(source, actor);
        uint256 lost = 30 ether - vault.lockupOf(master);
        assertLe(lost, cap, "lost more than accepted");
        assertEq(lost, penalty);
    }
}
