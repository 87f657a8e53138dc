// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {AgentGrant, Pairing} from "../types/NexusTypes.sol";

/// @title Master ↔ provider pairing, scoped agents and provider info.
/// @notice Every mutating function is called by Nexus, which passes the account it acts for.
interface IProviderRegistry {
    /// @notice Only Nexus may write.
    error NotRegistryNexus(address caller);
    /// @notice The master has not announced this provider.
    error ProviderNotAnnounced(address master, address provider);
    /// @notice The provider has not announced any master.
    error NoMasterAnnounced(address provider);
    /// @notice `scopes` has bits beyond AGENT_CLIENT | AGENT_OPERATOR.
    error InvalidAgentScopes(uint8 scopes);
    /// @notice `agent` acts for `principal` but was not granted `scope`.
    error MissingAgentScope(address principal, address agent, uint8 scope);
    /// @notice The agent would draw more of the principal's balance than its remaining allowance.
    error AllowanceExceeded(address principal, address agent, uint256 allowance, uint256 needed);

    /// @notice The provider's master while both sides have announced each other, else zero.
    function masterOf(address provider) external view returns (address);

    /// @notice The master the provider announced (paired or not), whether the master announced it back, and the
    /// largest lapse penalty the master backs per attempt of this provider (zero while unpaired).
    function pairingOf(address provider) external view returns (Pairing memory);

    /// @notice Whether `master` has announced `provider`, and with which per-attempt penalty cap.
    function announcementOf(address master, address provider)
        external
        view
        returns (bool announced, uint88 maxPenalty);

    /// @notice What `agent` may do for `principal` (zero scopes: nothing).
    function agentOf(address principal, address agent) external view returns (AgentGrant memory);

    /// @notice A provider's info URI (hardware, contact), set by the provider or its master.
    function providerInfoUri(address provider) external view returns (string memory);

    /// @return paired Whether the pairing is now complete.
    function announceProvider(address master, address provider, uint88 maxPenalty) external returns (bool paired);

    function revokeProvider(address master, address provider) external;

    /// @return paired Whether the pairing is now complete.
    function announceMaster(address provider, address master) external returns (bool paired);

    /// @return master The master the provider left.
    function revokeMaster(address provider) external returns (address master);

    function grantAgent(address principal, address agent, uint8 scopes, uint96 allowance) external;

    /// @notice Draws `amount` from the agent's allowance (an unlimited allowance stays unlimited).
    function spendAllowance(address principal, address agent, uint256 amount) external;

    function setProviderInfo(address provider, string calldata uri) external;
}
