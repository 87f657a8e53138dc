// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {SourceParams, SourceStatus} from "../types/NexusTypes.sol";

/// @title Every protocol event. Nexus emits all of them, so one address and one ABI describe the protocol.
interface INexusEvents {
    /// @notice A client published a source; its parameters are version 1.
    event SourcePublished(address indexed source, address indexed client, bytes32 salt, SourceParams params);
    /// @notice A client replaced a source's parameters, which are now `version`.
    event SourceUpdated(address indexed source, address indexed client, uint32 version, SourceParams params);
    /// @notice A source was switched ACTIVE or INACTIVE.
    event SourceStatusChanged(address indexed source, address indexed client, SourceStatus status);
    /// @notice A provider was registered to a source in one environment.
    event ProviderRegistered(
        address indexed source, address indexed provider, address indexed master, uint8 environment
    );
    /// @notice A provider was removed from a source.
    event ProviderUnregistered(address indexed source, address indexed provider, address indexed caller);

    /// @notice A task was published and its payment escrowed.
    event TaskPublished(
        address indexed task,
        address indexed source,
        address indexed client,
        string configUri,
        bytes32 configHash,
        uint64 expiryTime,
        uint256 payment,
        uint64 salt
    );
    /// @notice A provider attempted a task and holds a slot until `deadline`.
    event TaskAttempted(
        address indexed task, address indexed provider, address indexed master, uint40 deadline, uint256 suggestedPayment
    );
    /// @notice A provider sealed its response; it reveals it in a later block (`ResponseSubmitted`).
    event ResponseCommitted(address indexed task, address indexed provider, bytes32 commitment);
    /// @notice A provider revealed its committed response.
    event ResponseSubmitted(
        address indexed task, address indexed provider, string resultUri, bytes32 resultHash, uint256 askedPayment
    );
    /// @notice A task was finalized and paid: `paid - fee` to `payee` (the master that backed the provider's
    /// attempt), the rest of the escrow refunded to the client. On an AGREEMENT task, `provider` completed the
    /// quorum and `paid` and `fee` sum the `SharePaid` shares.
    event TaskFinalized(
        address indexed task,
        address indexed provider,
        address indexed payee,
        uint256 paid,
        uint256 fee,
        uint256 refunded,
        bool bySettlement
    );
    /// @notice The client canceled a task and got its payment back.
    event TaskCanceled(address indexed task, address indexed client, uint256 refunded);
    /// @notice A task expired without a response and its payment went back to the client.
    event TaskExpired(address indexed task, address indexed client, uint256 refunded);
    /// @notice An attempt passed its deadline without a response; `penalty`, reserved when it attempted, moved from
    /// the lockup of the master that backed it to the client, or, when `burned` (an AGREEMENT task without an
    /// agreement), to nobody.
    event AttemptLapsed(
        address indexed task,
        address indexed provider,
        address indexed master,
        uint256 penalty,
        bool burned,
        address reporter
    );
    /// @notice AGREEMENT: one agreeing juror's share of the payment, `paid - fee` to `payee` (its master). The
    /// task's `TaskFinalized` follows the shares, with their sum.
    event SharePaid(address indexed task, address indexed provider, address indexed payee, uint256 paid, uint256 fee);
    /// @notice AGREEMENT: a revealed result lost its provider's master `penalty`: it differed from the agreed result
    /// (to the client), or the task expired without agreement (`burned`: to nobody).
    event ResponseRejected(
        address indexed task,
        address indexed provider,
        address indexed master,
        uint256 penalty,
        bool burned,
        address reporter
    );
    /// @notice An attempt the task's closing cut short released its reserved `penalty` to its master's free lockup.
    event AttemptReleased(
        address indexed task, address indexed provider, address indexed master, uint256 penalty, address caller
    );

    /// @notice Native currency was added to `account`'s balance.
    event Deposited(address indexed account, address indexed from, uint256 amount);
    /// @notice `account` withdrew from its balance, to `recipient` (itself unless it named another address).
    event Withdrawn(address indexed account, address indexed recipient, uint256 amount);
    /// @notice `account` moved balance into its lockup.
    event Locked(address indexed account, uint256 amount);
    /// @notice `account` started (or added to) an unbonding; the whole `unbonding` matures at `maturesAt`.
    event UnbondingStarted(address indexed account, uint256 amount, uint256 unbonding, uint64 maturesAt);
    /// @notice `account` returned its unbonding to lockup.
    event UnbondingCanceled(address indexed account, uint256 amount);
    /// @notice `account` claimed a matured unbonding into its balance.
    event Claimed(address indexed account, uint256 amount);
    /// @notice Accrued fees were moved to the treasury's balance.
    event FeesCollected(address indexed treasury, uint256 amount);

    /// @notice A master announced a provider, accepting to lose at most `maxPenalty` per attempt of it.
    event ProviderAnnounced(address indexed master, address indexed provider, uint88 maxPenalty, bool paired);
    /// @notice A provider announced its master.
    event MasterAnnounced(address indexed provider, address indexed master, bool paired);
    /// @notice A master withdrew its announcement of a provider.
    event ProviderRevoked(address indexed master, address indexed provider);
    /// @notice A provider left its master.
    event MasterRevoked(address indexed provider, address indexed master);
    /// @notice `principal` granted `agent` these scopes (zero: revoked) and this allowance of its balance.
    event AgentGranted(address indexed principal, address indexed agent, uint8 scopes, uint96 allowance);
    /// @notice A provider's info URI changed.
    event ProviderInfoSet(address indexed provider, address indexed caller, string uri);

    /// @notice The protocol fee changed.
    event FeeSet(uint16 feeBps);
    /// @notice The treasury changed.
    event TreasurySet(address indexed treasury);
    /// @notice The unbonding period changed.
    event UnbondingPeriodSet(uint64 period);
}
