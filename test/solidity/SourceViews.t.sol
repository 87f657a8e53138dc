// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NexusFixture} from "./helpers/NexusFixture.sol";
import {ISource} from "../../contracts/interfaces/ISource.sol";
import {
    DeliveryMethod,
    Registration,
    SourceParams,
    SourceStatus,
    SourceTerms,
    ENV_CPU,
    ENV_NVIDIA
} from "../../contracts/types/NexusTypes.sol";

/// @notice Source views and registrant pagination (offset/limit edges, swap-and-pop order).
contract SourceViewsTest is NexusFixture {
    address internal source;
    address[5] internal providers;

    function setUp() public override {
        super.setUp();
        source = _publishManualSource();
        _stake(master, STAKE);
        for (uint256 i; i < providers.length; ++i) {
            providers[i] = makeAddr(string.concat("p", vm.toString(i)));
            _pair(master, providers[i]);
            _register(source, providers[i], i % 2 == 0 ? ENV_CPU : ENV_NVIDIA);
        }
    }

    function _envOf(uint256 i) internal pure returns (uint8) {
        return i % 2 == 0 ? ENV_CPU : ENV_NVIDIA;
    }

    /// @dev Asserts `registrants(offset, limit)` returns exactly `expected` (indices into `providers`).
    function _assertPage(uint256 offset, uint256 limit, uint256[] memory expected) internal view {
        Registration[] memory page = ISource(source).registrants(offset, limit);
        assertEq(page.length, expected.length, "page length");
        for (uint256 i; i < expected.length; ++i) {
            assertEq(page[i].provider, providers[expected[i]], "provider");
            assertEq(page[i].environment, _envOf(expected[i]), "environment");
        }
    }

    function _idx(uint256 a) internal pure returns (uint256[] memory r) {
        r = new uint256[](1);
        r[0] = a;
    }

    function _idx(uint256 a, uint256 b) internal pure returns (uint256[] memory r) {
        r = new uint256[](2);
        (r[0], r[1]) = (a, b);
    }

    function _idx(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory r) {
        r = new uint256[](3);
        (r[0], r[1], r[2]) = (a, b, c);
    }

    function _idx(uint256 a, uint256 b, uint256 c, uint256 d) internal pure returns (uint256[] memory r) {
        r = new uint256[](4);
        (r[0], r[1], r[2], r[3]) = (a, b, c, d);
    }

    function _idx(uint256 a, uint256 b, uint256 c, uint256 d, uint256 e) internal pure returns (uint256[] memory r) {
        r = new uint256[](5);
        (r[0], r[1], r[2], r[3], r[4]) = (a, b, c, d, e);
    }

    function _unregister(uint256 i) internal {
        vm.prank(providers[i]);
        nexus.unregister(source, providers[i]);
    }

    // ================================================================ plain views

    function test_views_clientParamsStatusTerms() public {
        SourceParams memory p = _defaultParams(DeliveryMethod.MANUAL_CONFIRMATION);
        assertEq(ISource(source).client(), client);
        assertEq(abi.encode(ISource(source).params()), abi.encode(p));
        assertEq(uint8(ISource(source).status()), uint8(SourceStatus.ACTIVE));

        SourceTerms memory t = ISource(source).sourceTerms();
        assertEq(uint8(t.status), uint8(SourceStatus.ACTIVE));
        assertEq(uint8(t.deliveryMethod), uint8(p.deliveryMethod));
        assertEq(t.maxConcurrentAttempts, p.maxConcurrentAttempts);
        assertEq(t.attemptTimeout, p.attemptTimeout);
        assertEq(t.maxExpiryDuration, p.maxExpiryDuration);
        assertEq(t.reviewWindow, p.reviewWindow);
        assertEq(t.minPayment, p.minPayment);
        assertEq(t.lapsePenalty, p.lapsePenalty);

        vm.prank(client);
        nexus.setSourceStatus(source, SourceStatus.INACTIVE);
        assertEq(uint8(ISource(source).sourceTerms().status), uint8(SourceStatus.INACTIVE));
    }

    function test_views_eligibilityAndEnvironment() public view {
        (uint8 env, uint256 minLockup) = ISource(source).eligibility(providers[1]);
        assertEq(env, ENV_NVIDIA);
        assertEq(minLockup, MIN_LOCKUP);
        assertEq(ISource(source).environmentOf(providers[0]), ENV_CPU);
        (env, minLockup) = ISource(source).eligibility(stranger);
        assertEq(env, 0);
        assertEq(minLockup, MIN_LOCKUP);
        assertEq(ISource(source).environmentOf(stranger), 0);
    }

    function test_views_implementationHasNoClient() public view {
        assertEq(sourceImpl.client(), address(0));
    }

    // ================================================================ pagination

    function test_registrants_fullListInInsertionOrder() public view {
        assertEq(ISource(source).registrantCount(), 5);
        _assertPage(0, 5, _idx(0, 1, 2, 3, 4));
        _assertPage(0, type(uint256).max, _idx(0, 1, 2, 3, 4));
    }

    function test_registrants_offsetLimitEdges() public view {
        uint256[] memory none = new uint256[](0);
        _assertPage(0, 0, none);
        _assertPage(5, 1, none); // offset == count
        _assertPage(6, 10, none); // offset > count
        _assertPage(type(uint256).max, type(uint256).max, none);
        _assertPage(3, 0, none);
        _assertPage(1, 2, _idx(1, 2));
        _assertPage(3, 10, _idx(3, 4)); // limit past the end is truncated
        _assertPage(4, type(uint256).max, _idx(4));
        _assertPage(4, 1, _idx(4));
        _assertPage(0, 1, _idx(0));
    }

    function test_registrants_emptySource() public {
        address empty = _publishFirstResponseSource();
        assertEq(ISource(empty).registrantCount(), 0);
        assertEq(ISource(empty).registrants(0, 10).length, 0);
        assertEq(ISource(empty).registrants(0, 0).length, 0);
    }

    function test_registrants_swapAndPopOrder() public {
        // remove a middle entry: the last moves into its place
        _unregister(1);
        _assertPage(0, 10, _idx(0, 4, 2, 3));
        // remove the last entry: nothing moves
        _unregister(3);
        _assertPage(0, 10, _idx(0, 4, 2));
        // remove the first entry: the last moves to the front
        _unregister(0);
        _assertPage(0, 10, _idx(2, 4));
        assertEq(ISource(source).registrantCount(), 2);
        assertEq(ISource(source).environmentOf(providers[0]), 0);
        // re-registering appends
        _register(source, providers[1], ENV_NVIDIA);
        _assertPage(0, 10, _idx(2, 4, 1));
        _assertPage(1, 1, _idx(4));
        // remove the moved entry, then everything
        _unregister(4);
        _assertPage(0, 10, _idx(2, 1));
        _unregister(2);
        _unregister(1);
        assertEq(ISource(source).registrantCount(), 0);
        assertEq(ISource(source).registrants(0, 10).length, 0);
        // the set is reusable after being emptied
        _register(source, providers[3], ENV_NVIDIA);
        _assertPage(0, 10, _idx(3));
    }
}
