// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";

/// @title Two-sided master ↔ provider pairing, agents and provider info URIs.
/// @notice A pairing holds while the master has announced the provider and the provider has announced the master.
/// Either side can end it; the provider's earnings and stake obligations belong to the paired master.
contract ProviderRegistry is IProviderRegistry {
    struct ProviderRecord {
        address master;
        bool paired;
    }

    address private immutable NEXUS;

    mapping(address provider => ProviderRecord) private _providers;
    mapping(address master => mapping(address provider => bool)) private _announced;
    mapping(address principal => mapping(address agent => bool)) private _agents;
    mapping(address provider => string) private _infoUris;

    constructor() {
        NEXUS = msg.sender;
    }

    modifier onlyNexus() {
        if (msg.sender != NEXUS) revert NotRegistryNexus(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IProviderRegistry
    function masterOf(address provider) external view returns (address) {
        ProviderRecord memory r = _providers[provider];
        return r.paired ? r.master : address(0);
    }

    /// @inheritdoc IProviderRegistry
    function pairingOf(address provider) external view returns (address master, bool paired) {
        ProviderRecord memory r = _providers[provider];
        return (r.master, r.paired);
    }

    /// @inheritdoc IProviderRegistry
    function hasAnnounced(address master, address provider) external view returns (bool) {
        return _announced[master][provider];
    }

    /// @inheritdoc IProviderRegistry
    function isAgent(address principal, address agent) external view returns (bool) {
        return _agents[principal][agent];
    }

    /// @inheritdoc IProviderRegistry
    function providerInfoUri(address provider) external view returns (string memory) {
        return _infoUris[provider];
    }

    // ---------------------------------------------------------------- writes (Nexus only)

    /// @inheritdoc IProviderRegistry
    function announceProvider(address master, address provider) external onlyNexus returns (bool paired) {
        _announced[master][provider] = true;
        ProviderRecord storage r = _providers[provider];
        paired = r.master == master;
        if (paired) r.paired = true;
    }

    /// @inheritdoc IProviderRegistry
    function revokeProvider(address master, address provider) external onlyNexus {
        if (!_announced[master][provider]) revert ProviderNotAnnounced(master, provider);
        delete _announced[master][provider];
        ProviderRecord storage r = _providers[provider];
        if (r.master == master) r.paired = false;
    }

    /// @inheritdoc IProviderRegistry
    function announceMaster(address provider, address master) external onlyNexus returns (bool paired) {
        paired = _announced[master][provider];
        _providers[provider] = ProviderRecord({master: master, paired: paired});
    }

    /// @inheritdoc IProviderRegistry
    function revokeMaster(address provider) external onlyNexus returns (address master) {
        master = _providers[provider].master;
        if (master == address(0)) revert NoMasterAnnounced(provider);
        delete _providers[provider];
    }

    /// @inheritdoc IProviderRegistry
    function setAgent(address principal, address agent, bool allowed) external onlyNexus {
        _agents[principal][agent] = allowed;
    }

    /// @inheritdoc IProviderRegistry
    function setProviderInfo(address provider, string calldata uri) external onlyNexus {
        _infoUris[provider] = uri;
    }
}
