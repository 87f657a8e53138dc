// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Registration, SourceParams, SourceStatus, SourceTerms, VerificationMethod} from "../types/NexusTypes.sol";

/// @title An AI service published by a client: its parameters, status and registered providers.
interface ISource {
    /// @notice The caller is not the Nexus that created this source.
    error NotSourceNexus(address caller);
    /// @notice The source was already initialized.
    error AlreadyInitialized(address source);
    /// @notice The environment mask is empty or has bits outside CPU | NVIDIA | AMD.
    error InvalidEnvironments(uint8 environments);
    /// @notice `maxConcurrentAttempts` is zero or above the protocol cap.
    error InvalidMaxConcurrentAttempts(uint8 maxConcurrentAttempts, uint8 cap);
    /// @notice `attemptTimeout` is zero or above the protocol cap (which keeps it shorter than any unbonding).
    error InvalidAttemptTimeout(uint32 attemptTimeout, uint32 cap);
    /// @notice A duration that must be positive is zero.
    error ZeroDuration(bytes32 name);
    /// @notice A MANUAL_CONFIRMATION source needs a positive review window.
    error MissingReviewWindow();
    /// @notice The verification policy is invalid: NONE takes a zero quorum; AGREEMENT needs FIRST_RESPONSE delivery,
    /// a quorum from 2 to MAX_AGREEMENT_QUORUM and at most the attempt slots, and a positive lapse penalty.
    error InvalidVerification(VerificationMethod verification, uint8 quorum);
    /// @notice The environment is not exactly one of the bits the source offers.
    error UnsupportedEnvironment(address source, uint8 environment, uint8 offered);
    /// @notice The provider is already registered to this source.
    error AlreadyRegistered(address source, address provider);
    /// @notice The provider is not registered to this source.
    error NotRegistered(address source, address provider);

    /// @notice The client that published the source.
    function client() external view returns (address);

    /// @notice The current parameters.
    function params() external view returns (SourceParams memory);

    /// @notice ACTIVE or INACTIVE.
    function status() external view returns (SourceStatus);

    /// @notice 1 at publication, one more at each update of the parameters (metadata included); status
    /// switches do not count. A task records the version it was published under.
    function version() external view returns (uint32);

    /// @notice Status and the parameters a new task copies, in one read.
    function sourceTerms() external view returns (SourceTerms memory);

    /// @notice A provider's environment (0 when not registered) and the lockup its master must hold to attempt.
    function eligibility(address provider) external view returns (uint8 environment, uint256 minAvailableLockup);

    /// @notice The environment a provider registered with, 0 when not registered.
    function environmentOf(address provider) external view returns (uint8);

    /// @notice Number of registered providers.
    function registrantCount() external view returns (uint256);

    /// @notice Registered providers `[offset, offset + limit)`, in set order (no holes; order changes on removal).
    function registrants(uint256 offset, uint256 limit) external view returns (Registration[] memory);

    /// @notice Sets the parameters on creation. Only Nexus, once.
    function initialize(SourceParams calldata params) external;

    /// @notice Replaces the parameters and returns the new version. Only Nexus.
    function update(SourceParams calldata params) external returns (uint32 newVersion);

    /// @notice Switches ACTIVE / INACTIVE. Only Nexus.
    function setStatus(SourceStatus status) external;

    /// @notice Adds a provider in one environment. Only Nexus.
    function addRegistrant(address provider, uint8 environment) external;

    /// @notice Removes a provider. Only Nexus.
    function removeRegistrant(address provider) external;
}
