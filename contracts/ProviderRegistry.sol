// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {ALL_AGENT_SCOPES, AgentGrant, Pairing, UNLIMITED_ALLOWANCE} from "./types/NexusTypes.sol";

/// @title Two-sided master ↔ provider pairing, scoped agents and provider info URIs.
/// @notice A pairing holds while the master has announced the provider and the provider has announced the master.
/// Either side can end it; the provider's earnings and stake obligations belong to the paired master, up to the
/// per-attempt penalty the master announced it with.
contract ProviderRegistry is IProviderRegistry {
    struct Announcement {
        bool announced;
        uint88 maxPenalty;
    }

    address private immutable NEXUS;

    /// @dev The master's cap is copied here when the pairing completes, so an attempt reads one slot.
    mapping(address provider => Pairing) private _providers;
    mapping(address master => mapping(address provider => Announcement)) private _announced;
    mapping(address principal => mapping(address agent => AgentGrant)) private _agents;
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
        Pairing memory r = _providers[provider];
        return r.paired ? r.master : address(0);
    }

    /// @inheritdoc IProviderRegistry
    function pairingOf(address provider) external view returns (Pairing memory) {
        return _providers[provider];
    }

    /// @inheritdoc IProviderRegistry
    function announcementOf(address master, address provider)
        external
        view
        returns (bool announced, uint88 maxPenalty)
    {
        Announcement memory a = _announced[master][provider];
        return (a.announced, a.maxPenalty);
    }

    /// @inheritdoc IProviderRegistry
    function agentOf(address principal, address agent) external view returns (AgentGrant memory) {
        return _agents[principal][agent];
    }

    /// @inheritdoc IProviderRegistry
    function providerInfoUri(address provider) external view returns (string memory) {
        return _infoUris[provider];
    }

    // ---------------------------------------------------------------- writes (Nexus only)

    /// @inheritdoc IProviderRegistry
    function announceProvider(address master, address provider, uint88 maxPenalty)
        external
        onlyNexus
        returns (bool paired)
    {
        _announced[master][provider] = Announcement({announced: true, maxPenalty: maxPenalty});
        Pairing storage r = _providers[provider];
        paired = r.master == master;
        if (paired) {
            r.paired = true;
            r.maxPenalty = maxPenalty;
        }
    }

    /// @inheritdoc IProviderRegistry
    function revokeProvider(address master, address provider) external onlyNexus {
        if (!_announced[master][provider].announced) revert ProviderNotAnnounced(master, provider);
        delete _announced[master][provider];
        Pairing storage r = _providers[provider];
        if (r.master == master) {
            r.paired = false;
            r.maxPenalty = 0;
        }
    }

    /// @inheritdoc IProviderRegistry
    function announceMaster(address provider, address master) external onlyNexus returns (bool paired) {
        Announcement memory a = _announced[master][provider];
        paired = a.announced;
        _providers[provider] = Pairing({master: master, paired: paired, maxPenalty: a.maxPenalty});
    }

    /// @inheritdoc IProviderRegistry
    function revokeMaster(address provider) external onlyNexus returns (address master) {
        master = _providers[provider].master;
        if (master == address(0)) revert NoMasterAnnounced(provider);
        delete _providers[provider];
    }

    /// @inheritdoc IProviderRegistry
    function grantAgent(address principal, address agent, uint8 scopes, uint96 allowance) external onlyNexus {
        if (scopes & ~ALL_AGENT_SCOPES != 0) revert InvalidAgentScopes(scopes);
        _agents[principal][agent] = AgentGrant({scopes: scopes, allowance: scopes == 0 ? 0 : allowance});
    }

    /// @inheritdoc IProviderRegistry
    function spendAllowance(address principal, address agent, uint256 amount) external onlyNexus {
        AgentGrant storage g = _agents[principal][agent];
        uint96 allowance = g.allowance;
        if (allowance == UNLIMITED_ALLOWANCE) return;
        if (allowance < amount) revert AllowanceExceeded(principal, agent, allowance, amount);
        g.allowance = allowance - uint96(amount);
    }

    /// @inheritdoc IProviderRegistry
    function setProviderInfo(address provider, string calldata uri) external onlyNexus {
        _infoUris[provider] = uri;
    }
}
