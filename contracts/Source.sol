// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {ISource} from "./interfaces/ISource.sol";
import {CloneAddress} from "./libraries/CloneAddress.sol";
import {
    ALL_ENVIRONMENTS,
    DeliveryMethod,
    MAX_AGREEMENT_QUORUM,
    MAX_ATTEMPT_TIMEOUT,
    MAX_CONCURRENT_ATTEMPTS,
    Registration,
    SourceParams,
    SourceStatus,
    SourceTerms,
    VerificationMethod
} from "./types/NexusTypes.sol";

/// @title An AI service. Deployed by Nexus as an EIP-1167 clone whose immutable args are its client and salt.
/// @notice Holds the source's parameters, status and the set of registered providers (without holes).
contract Source is ISource {
    /// @dev Immutable args: client (20 bytes) and salt (32 bytes).
    uint256 internal constant ARGS_LENGTH = 52;

    address private immutable IMPLEMENTATION;

    SourceStatus private _status;
    /// @dev Zero until initialized; shares the status's slot, which every publication reads.
    uint32 private _version;
    SourceParams private _params;

    struct Entry {
        /// @dev Position in `_registrants` plus one; zero when absent.
        uint64 position;
        uint8 environment;
    }

    address[] private _registrants;
    mapping(address provider => Entry) private _entries;

    constructor() {
        IMPLEMENTATION = address(this);
    }

    modifier onlyNexus() {
        bytes memory args = CloneAddress.readArgs(address(this), ARGS_LENGTH);
        if (args.length == 0 || CloneAddress.predict(IMPLEMENTATION, args, msg.sender) != address(this)) {
            revert NotSourceNexus(msg.sender);
        }
        _;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ISource
    function client() external view returns (address owner) {
        bytes memory args = CloneAddress.readArgs(address(this), ARGS_LENGTH);
        if (args.length == 0) return address(0);
        assembly ("memory-safe") {
            owner := shr(96, mload(add(args, 0x20)))
        }
    }

    /// @inheritdoc ISource
    function params() external view returns (SourceParams memory) {
        return _params;
    }

    /// @inheritdoc ISource
    function status() external view returns (SourceStatus) {
        return _status;
    }

    /// @inheritdoc ISource
    function version() external view returns (uint32) {
        return _version;
    }

    /// @inheritdoc ISource
    function sourceTerms() external view returns (SourceTerms memory) {
        SourceParams storage p = _params;
        return SourceTerms({
            status: _status,
            version: _version,
            deliveryMethod: p.deliveryMethod,
            maxConcurrentAttempts: p.maxConcurrentAttempts,
            attemptTimeout: p.attemptTimeout,
            maxExpiryDuration: p.maxExpiryDuration,
            reviewWindow: p.reviewWindow,
            minPayment: p.minPayment,
            lapsePenalty: p.lapsePenalty,
            minAvailableLockup: p.minAvailableLockup,
            verification: p.verification,
            quorum: p.quorum
        });
    }

    /// @inheritdoc ISource
    function eligibility(address provider) external view returns (uint8 environment, uint256 minAvailableLockup) {
        return (_entries[provider].environment, _params.minAvailableLockup);
    }

    /// @inheritdoc ISource
    function environmentOf(address provider) external view returns (uint8) {
        return _entries[provider].environment;
    }

    /// @inheritdoc ISource
    function registrantCount() external view returns (uint256) {
        return _registrants.length;
    }

    /// @inheritdoc ISource
    function registrants(uint256 offset, uint256 limit) external view returns (Registration[] memory page) {
        uint256 total = _registrants.length;
        if (offset >= total) return page;
        uint256 end = limit > total - offset ? total : offset + limit;
        page = new Registration[](end - offset);
        for (uint256 i = offset; i < end; ++i) {
            address provider = _registrants[i];
            page[i - offset] = Registration({provider: provider, environment: _entries[provider].environment});
        }
    }

    // ---------------------------------------------------------------- writes (Nexus only)

    /// @inheritdoc ISource
    function initialize(SourceParams calldata newParams) external onlyNexus {
        if (_version != 0) revert AlreadyInitialized(address(this));
        _version = 1;
        _setParams(newParams);
    }

    /// @inheritdoc ISource
    function update(SourceParams calldata newParams) external onlyNexus returns (uint32 newVersion) {
        _setParams(newParams);
        newVersion = _version + 1;
        _version = newVersion;
    }

    /// @inheritdoc ISource
    function setStatus(SourceStatus newStatus) external onlyNexus {
        _status = newStatus;
    }

    /// @inheritdoc ISource
    function addRegistrant(address provider, uint8 environment) external onlyNexus {
        uint8 offered = _params.environments;
        // Exactly one bit, and one the source offers.
        if (environment == 0 || environment & (environment - 1) != 0 || environment & offered == 0) {
            revert UnsupportedEnvironment(address(this), environment, offered);
        }
        if (_entries[provider].position != 0) revert AlreadyRegistered(address(this), provider);
        _registrants.push(provider);
        _entries[provider] = Entry({position: uint64(_registrants.length), environment: environment});
    }

    /// @inheritdoc ISource
    function removeRegistrant(address provider) external onlyNexus {
        uint64 position = _entries[provider].position;
        if (position == 0) revert NotRegistered(address(this), provider);
        uint256 last = _registrants.length;
        if (position != last) {
            address moved = _registrants[last - 1];
            _registrants[position - 1] = moved;
            _entries[moved].position = position;
        }
        _registrants.pop();
        delete _entries[provider];
    }

    // ---------------------------------------------------------------- internals

    function _setParams(SourceParams calldata p) private {
        if (p.environments == 0 || p.environments & ~ALL_ENVIRONMENTS != 0) revert InvalidEnvironments(p.environments);
        if (p.maxConcurrentAttempts == 0 || p.maxConcurrentAttempts > MAX_CONCURRENT_ATTEMPTS) {
            revert InvalidMaxConcurrentAttempts(p.maxConcurrentAttempts, MAX_CONCURRENT_ATTEMPTS);
        }
        if (p.attemptTimeout == 0 || p.attemptTimeout > MAX_ATTEMPT_TIMEOUT) {
            revert InvalidAttemptTimeout(p.attemptTimeout, MAX_ATTEMPT_TIMEOUT);
        }
        if (p.maxExpiryDuration == 0) revert ZeroDuration("maxExpiryDuration");
        if (p.deliveryMethod == DeliveryMethod.MANUAL_CONFIRMATION && p.reviewWindow == 0) revert MissingReviewWindow();
        _checkVerification(p);
        _params = p;
    }

    /// @dev AGREEMENT pays the agreeing providers itself (so it needs FIRST_RESPONSE delivery, not a client's
    /// confirmation), needs a jury that fits the attempt slots, and a penalty: without one, a wrong result costs
    /// its provider nothing.
    function _checkVerification(SourceParams calldata p) private pure {
        if (p.verification == VerificationMethod.NONE) {
            if (p.quorum != 0) revert InvalidVerification(p.verification, p.quorum);
            return;
        }
        bool valid = p.deliveryMethod == DeliveryMethod.FIRST_RESPONSE && p.quorum >= 2
            && p.quorum <= MAX_AGREEMENT_QUORUM && p.quorum <= p.maxConcurrentAttempts && p.lapsePenalty != 0;
        if (!valid) revert InvalidVerification(p.verification, p.quorum);
    }
}
