// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

/// @title Master ↔ provider pairing, agents and provider info.
/// @notice Every mutating function is called by Nexus, which passes the account it acts for.
interface IProviderRegistry {
    /// @notice Only Nexus may write.
    error NotRegistryNexus(address caller);
    /// @notice The master has not announced this provider.
    error ProviderNotAnnounced(address master, address provider);
    /// @notice The provider has not announced any master.
    error NoMasterAnnounced(address provider);

    /// @notice The provider's master while both sides have announced each other, else zero.
    function masterOf(address provider) external view returns (address);

    /// @notice The master the provider announced (paired or not) and whether the master announced it back.
    function pairingOf(address provider) external view returns (address master, bool paired);

    /// @notice Whether `master` has announced `provider`.
    function hasAnnounced(address master, address provider) external view returns (bool);

    /// @notice Whether `agent` may act for `principal`.
    function isAgent(address principal, address agent) external view returns (bool);

    /// @notice A provider's info URI (hardware, contact), set by the provider or its master.
    function providerInfoUri(address provider) external view returns (string memory);

    /// @return paired Whether the pairing is now complete.
    function announceProvider(address master, address provider) external returns (bool paired);

    function revokeProvider(address master, address provider) external;

    /// @return paired Whether the pairing is now complete.
    function announceMaster(address provider, address master) external returns (bool paired);

    /// @return master The master the provider left.
    function revokeMaster(address provider) external returns (address master);

    function setAgent(address principal, address agent, bool allowed) external;

    function setProviderInfo(address provider, string calldata uri) external;
}
