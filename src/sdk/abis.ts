// The protocol's ABIs (generated from the contracts), its enums as plain constants, and the struct types
// every action reads and writes, derived from the ABIs so they can never drift from the contracts.
import type { ContractEventName, ContractFunctionArgs, ContractFunctionReturnType, Log } from "viem";
import { nexusAbi, sourceAbi, taskAbi, vaultAbi } from "../abis/generated.ts";

export {
  knownDeployments,
  nexusAbi,
  nexusErrorsAbi,
  protocolErrorNames,
  providerRegistryAbi,
  sourceAbi,
  taskAbi,
  vaultAbi,
} from "../abis/generated.ts";

/** How a task's result is accepted (PROTOCOL.md §3). */
export const DeliveryMethod = { MANUAL_CONFIRMATION: 0, FIRST_RESPONSE: 1 } as const;
export type DeliveryMethod = (typeof DeliveryMethod)[keyof typeof DeliveryMethod];

/**
 * How a task's result is verified before it is paid (PROTOCOL.md "Agreement"): `NONE` leaves it to the delivery
 * method; `AGREEMENT` pays only a result that `quorum` providers of as many masters revealed alike.
 */
export const VerificationMethod = { NONE: 0, AGREEMENT: 1 } as const;
export type VerificationMethod = (typeof VerificationMethod)[keyof typeof VerificationMethod];

/** Whether a source takes new tasks and registrations. */
export const SourceStatus = { ACTIVE: 0, INACTIVE: 1 } as const;
export type SourceStatus = (typeof SourceStatus)[keyof typeof SourceStatus];

/** Lifecycle of a task; numbering kept from OpenGPU (PROTOCOL.md §4). */
export const TaskStatus = { NEW: 0, ATTEMPTED: 1, RESPONDED: 2, CANCELED: 3, EXPIRED: 4, FINALIZED: 5 } as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

/**
 * What happened to one provider's attempt on a task. `RELEASED`: the task closed before its deadline (another
 * provider won, or the client confirmed), and the penalty it reserved went back to its master. AGREEMENT tasks:
 * `COMMITTED`, a juror waiting to reveal; `REJECTED`, a revealed result the agreement rejected (or a task that
 * reached none), whose penalty was taken.
 */
export const AttemptState = {
  NONE: 0,
  LIVE: 1,
  RESPONDED: 2,
  LAPSED: 3,
  RELEASED: 4,
  COMMITTED: 5,
  REJECTED: 6,
} as const;
export type AttemptState = (typeof AttemptState)[keyof typeof AttemptState];

/** Hardware environment bits of a source's `environments` mask. */
export const Environment = { CPU: 1, NVIDIA: 2, AMD: 4 } as const;
export type Environment = (typeof Environment)[keyof typeof Environment];

/**
 * What an agent may do for the account that granted it (PROTOCOL.md "Agents"): `CLIENT` publishes (drawing on the
 * principal's balance within its allowance), cancels and confirms; `OPERATOR` registers, unregisters and attempts for
 * the principal's providers and spends nothing. Bits of the `scopes` mask of `grantAgent`.
 */
export const AgentScope = { CLIENT: 1, OPERATOR: 2 } as const;
export type AgentScope = (typeof AgentScope)[keyof typeof AgentScope];
/** The allowance that never decreases (`type(uint96).max`). */
export const UNLIMITED_ALLOWANCE = 2n ** 96n - 1n;
/** The widest per-attempt penalty cap a master can accept for a provider (`type(uint88).max`). */
export const MAX_PENALTY_CAP = 2n ** 88n - 1n;

/** Protocol caps (contracts/types/NexusTypes.sol). */
export const MAX_FEE_BPS = 1_000;
export const MAX_UNBONDING_PERIOD = 30n * 24n * 60n * 60n;
/** Shortest unbonding period the owner may set. */
export const MIN_UNBONDING_PERIOD = 24n * 60n * 60n;
/** Longest `attemptTimeout` a source may set, in seconds. */
export const MAX_ATTEMPT_TIMEOUT = 12 * 60 * 60;
export const MAX_CONCURRENT_ATTEMPTS = 64;
/** Largest `quorum` of an AGREEMENT source. */
export const MAX_AGREEMENT_QUORUM = 8;
/**
 * An attempt needs at least `attemptTimeout / MIN_ATTEMPT_WINDOW_DIVISOR` seconds before the task's expiry
 * (`AttemptWindowTooShort` otherwise).
 */
export const MIN_ATTEMPT_WINDOW_DIVISOR = 2;

/** The name of a task status number, for messages and logs. */
export function taskStatusName(status: number): keyof typeof TaskStatus | `UNKNOWN(${number})` {
  return nameOf(TaskStatus, status);
}
/** The name of a verification method number, for messages and logs. */
export function verificationMethodName(method: number): keyof typeof VerificationMethod | `UNKNOWN(${number})` {
  return nameOf(VerificationMethod, method);
}
/** The name of a source status number, for messages and logs. */
export function sourceStatusName(status: number): keyof typeof SourceStatus | `UNKNOWN(${number})` {
  return nameOf(SourceStatus, status);
}
/** The name of an attempt state number, for messages and logs. */
export function attemptStateName(state: number): keyof typeof AttemptState | `UNKNOWN(${number})` {
  return nameOf(AttemptState, state);
}
function nameOf<const T extends Record<string, number>>(table: T, value: number): keyof T | `UNKNOWN(${number})` {
  for (const [k, v] of Object.entries(table)) if (v === value) return k;
  return `UNKNOWN(${value})`;
}

/** Parameters a client publishes a source with (struct SourceParams). */
export type SourceParams = ContractFunctionArgs<typeof nexusAbi, "nonpayable", "publishSource">[0];
/** What a client saw of the terms it does not choose, checked when it publishes (struct TermsSeen). */
export type TermsSeen = ContractFunctionArgs<typeof nexusAbi, "payable", "publishTask">[7];
/** The immutable terms of one task (struct TaskTerms). */
export type TaskTerms = ContractFunctionReturnType<typeof taskAbi, "view", "terms">;
/** The mutable state of one task (struct TaskState). */
export type TaskState = ContractFunctionReturnType<typeof taskAbi, "view", "state">;
/** One provider's attempt and its response (struct Attempt). */
export type Attempt = ContractFunctionReturnType<typeof taskAbi, "view", "attemptOf">;
/** A provider's sealed response to a task until its reveal: the commitment's first 27 bytes and its time (struct Commitment). */
export type Commitment = ContractFunctionReturnType<typeof nexusAbi, "view", "commitmentOf">;
/** A provider's registration to a source (struct Registration). */
export type Registration = ContractFunctionReturnType<typeof sourceAbi, "view", "registrants">[number];
/** Status and the parameters a new task copies (struct SourceTerms). */
export type SourceTerms = ContractFunctionReturnType<typeof sourceAbi, "view", "sourceTerms">;
/** An AGREEMENT task's jury size and when its voting closed (struct Agreement). */
export type Agreement = ContractFunctionReturnType<typeof taskAbi, "view", "agreement">;
/** Balance and lifetime earnings (struct VaultAccount). */
export type VaultAccount = ContractFunctionReturnType<typeof vaultAbi, "view", "accountOf">;
/** Lockup, its part reserved by live attempts, unbonding and maturity (struct Stake). */
export type Stake = ContractFunctionReturnType<typeof vaultAbi, "view", "stakeOf">;

/** Name of any protocol event (all are emitted by Nexus). */
export type NexusEventName = ContractEventName<typeof nexusAbi>;
/** A decoded protocol event log; narrow on `eventName`. */
export type NexusEventLog<name extends NexusEventName = NexusEventName> = {
  [N in name]: Log<bigint, number, false, undefined, true, typeof nexusAbi, N>;
}[name];
