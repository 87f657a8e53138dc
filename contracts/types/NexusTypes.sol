// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

/// @notice How a task's result is accepted.
/// @dev Numbering is part of the protocol (PROTOCOL.md §3).
enum DeliveryMethod {
    MANUAL_CONFIRMATION,
    FIRST_RESPONSE
}

/// @notice How a task's result is verified before it is paid.
/// @dev Numbering is part of the protocol; values after AGREEMENT are reserved for later methods (a sampled audit).
enum VerificationMethod {
    /// @dev The delivery method alone decides: the first response (FIRST_RESPONSE) or the client (MANUAL).
    NONE,
    /// @dev `quorum` providers of as many masters must reveal the same result hash; the payment is split among them.
    AGREEMENT
}

/// @notice Whether a source takes new tasks and registrations.
enum SourceStatus {
    ACTIVE,
    INACTIVE
}

/// @notice Lifecycle of a task. Numbering kept from OpenGPU (PROTOCOL.md §4).
enum TaskStatus {
    NEW,
    ATTEMPTED,
    RESPONDED,
    CANCELED,
    EXPIRED,
    FINALIZED
}

/// @notice What happened to one provider's attempt on a task.
enum AttemptState {
    NONE,
    LIVE,
    RESPONDED,
    LAPSED,
    /// @dev Cut short by the task closing before its deadline; its reserved penalty went back to the master.
    RELEASED,
    /// @dev AGREEMENT: sealed a result and joined the task's jury; it reveals once the jury reaches the quorum.
    COMMITTED,
    /// @dev AGREEMENT: its revealed result was not the agreed one, or no result was agreed; its penalty was taken.
    REJECTED
}

/// @notice Parameters a client publishes a source with, and replaces on update.
struct SourceParams {
    /// @dev `ipfs://<cid>` (or `https://…`) of the metadata document.
    string metadataUri;
    /// @dev sha256 of the metadata bytes.
    bytes32 metadataHash;
    /// @dev Bitmask of hardware environments offered: CPU = 1, NVIDIA = 2, AMD = 4.
    uint8 environments;
    DeliveryMethod deliveryMethod;
    /// @dev Attempts that may be live at once on one task, 1..MAX_CONCURRENT_ATTEMPTS.
    uint8 maxConcurrentAttempts;
    uint32 attemptTimeout;
    uint32 maxExpiryDuration;
    /// @dev MANUAL_CONFIRMATION only: time after expiry during which the client may still confirm.
    uint32 reviewWindow;
    uint96 minPayment;
    uint96 minAvailableLockup;
    uint96 lapsePenalty;
    VerificationMethod verification;
    /// @dev AGREEMENT: matching results that finalize a task, 2..MAX_AGREEMENT_QUORUM; NONE: zero.
    uint8 quorum;
}

/// @notice What Nexus reads from a source to publish a task on it.
struct SourceTerms {
    SourceStatus status;
    /// @dev 1 at publication, one more at each update: a client publishes a task against the version it saw.
    uint32 version;
    DeliveryMethod deliveryMethod;
    uint8 maxConcurrentAttempts;
    uint32 attemptTimeout;
    uint32 maxExpiryDuration;
    uint32 reviewWindow;
    uint96 minPayment;
    uint96 lapsePenalty;
    uint96 minAvailableLockup;
    VerificationMethod verification;
    uint8 quorum;
}

/// @notice What a client saw of the terms it did not choose: publishing reverts if either changed since.
struct TermsSeen {
    /// @dev The source's `version()`.
    uint32 sourceVersion;
    /// @dev Nexus's `feeBps()`.
    uint16 feeBps;
}

/// @notice The immutable terms of one task, fixed at publication and carried in the task clone's code.
struct TaskTerms {
    address client;
    address source;
    bytes32 configHash;
    uint96 payment;
    uint64 expiryTime;
    uint64 salt;
    uint32 attemptTimeout;
    uint32 reviewWindow;
    uint96 lapsePenalty;
    uint8 maxConcurrentAttempts;
    DeliveryMethod deliveryMethod;
    /// @dev The protocol fee when the task was published: a later fee change does not touch open tasks.
    uint16 feeBps;
    /// @dev The lockup a master needs to attempt, as the source asked when the task was published: a source
    /// update can neither let unstaked masters attempt an open task nor lock every master out of it.
    uint96 minAvailableLockup;
    /// @dev The source's version when the task was published: it names the metadata (the handler) the client paid
    /// for, which the `SourcePublished` or `SourceUpdated` event of that version carries.
    uint32 sourceVersion;
    VerificationMethod verification;
    uint8 quorum;
}

/// @notice The mutable state of one task.
struct TaskState {
    TaskStatus status;
    uint8 liveAttempts;
    /// @dev The earliest responder while the task is RESPONDED; the paid provider once FINALIZED.
    address selectedProvider;
    /// @dev The latest attempt deadline; no attempt is live from this time on.
    uint40 lastDeadline;
    /// @dev When the task became CANCELED, EXPIRED or FINALIZED.
    uint40 closedAt;
}

/// @notice The jury of an AGREEMENT task: the providers that sealed a result before the first reveal.
struct Agreement {
    /// @dev Attempts that committed; reveals are accepted once this reaches the task's quorum.
    uint8 jurors;
    /// @dev When the first result was revealed: from then on the jury is closed (no attempt, no commitment), so a
    /// result seen in a reveal cannot be copied into a new vote. Zero while no result is revealed.
    uint40 votingClosedAt;
}

/// @notice One provider's attempt, and its response once submitted.
/// @dev The response's URI and sha256 travel in the `ResponseSubmitted` event: nothing on-chain reads them,
/// and a log costs a fraction of a storage slot.
struct Attempt {
    /// @dev The master the provider was paired with when it attempted: it is paid, and it answers for a lapse.
    address master;
    AttemptState state;
    uint40 deadline;
    uint40 respondedAt;
    uint96 askedPayment;
}

/// @notice A provider's sealed response to a task, until it is revealed.
struct Commitment {
    /// @dev The first 27 bytes of `keccak256(abi.encode(task, provider, resultHash, askedPayment, secret))`.
    bytes27 digest;
    /// @dev When it was committed; zero when there is no commitment.
    uint40 committedAt;
}

/// @notice A provider's registration to a source.
struct Registration {
    address provider;
    uint8 environment;
}

/// @notice An account's liquid position in the vault.
struct VaultAccount {
    uint128 balance;
    /// @dev Lifetime payouts credited as a provider's master (after fees).
    uint128 earnings;
}

/// @notice An account's stake in the vault.
/// @dev `lockup` and `reserved` share a slot: an attempt reads the one and writes the other.
struct Stake {
    /// @dev Locked stake, including the reserved part.
    uint96 lockup;
    /// @dev The part of the lockup backing live attempts: the lapse penalty of each, until it is released or
    /// slashed. Always at most `lockup`; unbonding and new reservations see only `lockup - reserved`.
    uint96 reserved;
    uint96 unbonding;
    uint64 unbondingMaturesAt;
}

/// @notice What an agent may do for its principal, and how much of the principal's balance it may spend.
struct AgentGrant {
    /// @dev Bitmask of AGENT_CLIENT and AGENT_OPERATOR; zero means not an agent.
    uint8 scopes;
    /// @dev Balance the agent may still draw into task escrow; `UNLIMITED_ALLOWANCE` never decreases.
    uint96 allowance;
}

/// @notice A provider's pairing with its master, and the largest lapse penalty the master backs per attempt.
struct Pairing {
    address master;
    bool paired;
    uint88 maxPenalty;
}

/// @dev Client scope: publish tasks for the principal (spending its balance within the allowance), cancel them
/// and confirm their responses.
uint8 constant AGENT_CLIENT = 1;
/// @dev Operator scope: register, unregister and attempt for the principal's providers. Never spends anything.
uint8 constant AGENT_OPERATOR = 2;
uint8 constant ALL_AGENT_SCOPES = AGENT_CLIENT | AGENT_OPERATOR;
uint96 constant UNLIMITED_ALLOWANCE = type(uint96).max;

uint8 constant ENV_CPU = 1;
uint8 constant ENV_NVIDIA = 2;
uint8 constant ENV_AMD = 4;
uint8 constant ALL_ENVIRONMENTS = ENV_CPU | ENV_NVIDIA | ENV_AMD;
uint8 constant MAX_CONCURRENT_ATTEMPTS = 64;
// The agreeing masters of a task are paid in the reveal that completes the quorum, one vault credit each: the cap
// bounds that transaction's gas, and past a handful of independent masters more agreement buys little.
uint8 constant MAX_AGREEMENT_QUORUM = 8;
uint16 constant MAX_FEE_BPS = 1_000;
uint64 constant MAX_UNBONDING_PERIOD = 30 days;
// Reserved stake cannot unbond, so a lapse stays slashable however late it is reported; the floor keeps unbonding a
// real delay for the free stake a source's minimum lockup asks of its registered masters.
uint64 constant MIN_UNBONDING_PERIOD = 1 days;
uint32 constant MAX_ATTEMPT_TIMEOUT = 12 hours;
// An attempt must get at least this share of the source's attempt timeout before the task expires (its deadline
// is capped at expiry): an attempt that could only lapse holds a slot and a reservation for nothing.
uint32 constant MIN_ATTEMPT_WINDOW_DIVISOR = 2;
