// Read helpers: a source, a task, an attempt, registrants (paged), vault positions, pairing, agents and the
// protocol configuration. Every read takes an optional `blockNumber`; multi-read helpers use one block.
import { type Address, type Chain, type Client, type Transport } from "viem";
import { getBlockNumber, readContract } from "viem/actions";
import {
  nexusAbi,
  providerRegistryAbi,
  sourceAbi,
  taskAbi,
  UNLIMITED_ALLOWANCE,
  vaultAbi,
  type Agreement,
  type Attempt,
  type Registration,
  type SourceParams,
  type SourceStatus,
  type TaskState,
  type TaskTerms,
  type TermsSeen,
} from "../abis.ts";
import { resolveDeployment, type NexusDeployment } from "../chains.ts";
import { UnknownSourceError, UnknownTaskError } from "../errors/classes.ts";
import { toNexusError } from "../errors/decode.ts";
import { checkedAddress, InvalidParameterError, NexusNotFoundError } from "../errors/usage.ts";
import { explainNexusFailure } from "./nexus-check.ts";
import { readMany, type NexusReadErrorType, type NexusReadParameters } from "./read-many.ts";
import { agentScopeNames, type AgentScopeName } from "./registry.ts";

export type { NexusReadErrorType, NexusReadParameters } from "./read-many.ts";
type AnyClient = Client<Transport, Chain | undefined>;
/** Reads addressed to Nexus, the Vault or the registry take the Nexus to use (default: the chain's deployment). */
export type NexusTargetParameters = NexusReadParameters & { nexus?: Address | undefined };

/**
 * Runs reads of a deployment's contracts (Nexus, its vault, its registry). A failure that a wrong or stale
 * Nexus address explains becomes NexusNotFoundError; the check costs nothing while the reads succeed.
 */
async function readDeployment<T>(client: AnyClient, parameters: NexusTargetParameters, run: (d: NexusDeployment) => Promise<T>): Promise<T> {
  const deployment = await resolveDeployment(client, parameters);
  try {
    return await run(deployment);
  } catch (err) {
    throw await explainNexusFailure(client, deployment.nexus, err);
  }
}

export type GetSourceParameters = NexusTargetParameters & { source: Address };
export type GetSourceErrorType = NexusReadErrorType;
export type GetSourceReturnType = {
  address: Address;
  /** The client that published (and controls) the source. */
  client: Address;
  params: SourceParams;
  status: SourceStatus;
  /** 1 at publication, one more per update; a task records the version it was published under (`terms.sourceVersion`). */
  version: number;
  registrantCount: bigint;
};
/** A source's client, parameters, status and number of registrants. @throws UnknownSourceError when it is not a source of this Nexus. */
export async function getSource(client: AnyClient, parameters: GetSourceParameters): Promise<GetSourceReturnType> {
  const { source: address, blockNumber } = parameters;
  checkedAddress(address, "source");
  const [owner, params, status, version, registrantCount] = await whenKnown(client, "source", address, parameters, readMany(
    client,
    [
      { address, abi: sourceAbi, functionName: "client" },
      { address, abi: sourceAbi, functionName: "params" },
      { address, abi: sourceAbi, functionName: "status" },
      { address, abi: sourceAbi, functionName: "version" },
      { address, abi: sourceAbi, functionName: "registrantCount" },
    ],
    blockNumber,
  ));
  return { address, client: owner, params, status: status as SourceStatus, version, registrantCount };
}

export type GetTermsSeenParameters = NexusTargetParameters & { source: Address };
export type GetTermsSeenErrorType = NexusReadErrorType;
export type GetTermsSeenReturnType = TermsSeen;
/**
 * What a client agrees to when it publishes on `source` now: the source's version and the protocol fee, read in one
 * block. `publishTask` reads it by itself; a dapp that showed a source's terms to its user passes what it showed.
 * @throws UnknownSourceError when it is not a source of this Nexus.
 */
export async function getTermsSeen(client: AnyClient, parameters: GetTermsSeenParameters): Promise<GetTermsSeenReturnType> {
  const { source, blockNumber } = parameters;
  checkedAddress(source, "source");
  return readDeployment(client, parameters, async ({ nexus }) => {
    const [sourceVersion, feeBps] = await whenKnown(client, "source", source, parameters, readMany(
      client,
      [
        { address: source, abi: sourceAbi, functionName: "version" },
        { address: nexus, abi: nexusAbi, functionName: "feeBps" },
      ],
      blockNumber,
    ));
    return { sourceVersion, feeBps };
  });
}

export type GetTaskParameters = NexusTargetParameters & { task: Address };
export type GetTaskErrorType = NexusReadErrorType;
export type GetTaskReturnType = {
  address: Address;
  terms: TaskTerms;
  state: TaskState;
  /** Wei held in escrow: the payment until the task closes, then 0. */
  escrow: bigint;
  /** The earliest time (unix seconds) `settle` succeeds given the current state; 0 once closed. */
  settleableAt: bigint;
  /** An AGREEMENT task's jury (jurors sealed, when the first reveal closed it); zeros for a NONE task. */
  agreement: Agreement;
};
/** A task's terms, state, escrow, settle time and jury. @throws UnknownTaskError when it is not a task of this Nexus. */
export async function getTask(client: AnyClient, parameters: GetTaskParameters): Promise<GetTaskReturnType> {
  const { task: address, blockNumber } = parameters;
  checkedAddress(address, "task");
  const [terms, state, escrow, settleableAt, agreement] = await whenKnown(client, "task", address, parameters, readMany(
    client,
    [
      { address, abi: taskAbi, functionName: "terms" },
      { address, abi: taskAbi, functionName: "state" },
      { address, abi: taskAbi, functionName: "escrow" },
      { address, abi: taskAbi, functionName: "settleableAt" },
      { address, abi: taskAbi, functionName: "agreement" },
    ],
    blockNumber,
  ));
  return { address, terms, state, escrow, settleableAt, agreement };
}

export type GetAttemptParameters = NexusReadParameters & { task: Address; provider: Address };
export type GetAttemptErrorType = NexusReadErrorType;
export type GetAttemptReturnType = Attempt;
/** One provider's attempt on a task (state NONE when it never attempted). */
export async function getAttempt(client: AnyClient, parameters: GetAttemptParameters): Promise<GetAttemptReturnType> {
  const { task, provider, blockNumber } = parameters;
  checkedAddress(task, "task");
  checkedAddress(provider, "provider");
  const [attempt] = await readMany(client, [{ address: task, abi: taskAbi, functionName: "attemptOf", args: [provider] }], blockNumber);
  return attempt;
}

export const DEFAULT_REGISTRANTS_PAGE_SIZE = 200n;

export type GetRegistrantsParameters = NexusReadParameters & {
  source: Address;
  /** Index of the first registrant, 0-based. Default 0. */
  offset?: bigint | undefined;
  /** Page size, default 200. */
  limit?: bigint | undefined;
};
export type GetRegistrantsErrorType = NexusReadErrorType;
export type GetRegistrantsReturnType = {
  registrants: Registration[];
  /** Registrants in total at that block. */
  total: bigint;
  offset: bigint;
  /** The offset of the next page, undefined on the last page. */
  nextOffset: bigint | undefined;
};
/**
 * One page `[offset, offset + limit)` of a source's registrants, with the total read at the same block.
 * The set has no holes but reorders on removal: page through a pinned `blockNumber` (or use getAllRegistrants).
 */
export async function getRegistrants(client: AnyClient, parameters: GetRegistrantsParameters): Promise<GetRegistrantsReturnType> {
  const { source, offset = 0n, limit = DEFAULT_REGISTRANTS_PAGE_SIZE, blockNumber } = parameters;
  checkedAddress(source, "source");
  if (offset < 0n) throw new InvalidParameterError({ parameter: "offset", reason: `must be >= 0, got ${offset}` });
  if (limit <= 0n) throw new InvalidParameterError({ parameter: "limit", reason: `must be > 0, got ${limit}` });
  const [page, total] = await readMany(
    client,
    [
      { address: source, abi: sourceAbi, functionName: "registrants", args: [offset, limit] },
      { address: source, abi: sourceAbi, functionName: "registrantCount" },
    ],
    blockNumber,
  );
  const end = offset + BigInt(page.length);
  return { registrants: [...page], total, offset, nextOffset: end < total ? end : undefined };
}

export type GetAllRegistrantsParameters = NexusReadParameters & { source: Address; pageSize?: bigint | undefined };
export type GetAllRegistrantsErrorType = NexusReadErrorType;
export type GetAllRegistrantsReturnType = Registration[];
/** Every registrant of a source, paged at one block (the latest when none is given) so no one is skipped or repeated. */
export async function getAllRegistrants(client: AnyClient, parameters: GetAllRegistrantsParameters): Promise<GetAllRegistrantsReturnType> {
  const blockNumber =
    parameters.blockNumber ??
    (await getBlockNumber(client, { cacheTime: 0 }).catch((err: unknown) => {
      throw toNexusError(err);
    }));
  const all: Registration[] = [];
  let offset: bigint | undefined = 0n;
  while (offset !== undefined) {
    const page: GetRegistrantsReturnType = await getRegistrants(client, { source: parameters.source, offset, limit: parameters.pageSize, blockNumber });
    all.push(...page.registrants);
    offset = page.nextOffset;
  }
  return all;
}

export type GetVaultPositionParameters = NexusTargetParameters & { account: Address };
export type GetVaultPositionErrorType = NexusReadErrorType;
export type GetVaultPositionReturnType = {
  /** Liquid, withdrawable. */
  balance: bigint;
  /** Lifetime payouts credited as a provider's master, after fees. */
  earnings: bigint;
  /** Locked stake (slashable), the reserved part included. */
  lockup: bigint;
  /** The part of the lockup backing live attempts (their lapse penalties): it cannot unbond or back another attempt. */
  reserved: bigint;
  /** `lockup - reserved`: what new attempts can reserve and what can unbond. */
  freeLockup: bigint;
  unbonding: bigint;
  /** When the unbonding can be claimed (unix seconds), 0 when nothing unbonds. */
  maturesAt: bigint;
};
/** An account's vault buckets, read at one block. */
export async function getVaultPosition(client: AnyClient, parameters: GetVaultPositionParameters): Promise<GetVaultPositionReturnType> {
  checkedAddress(parameters.account, "account");
  const [account, stake] = await readDeployment(client, parameters, ({ vault }) =>
    readMany(
      client,
      [
        { address: vault, abi: vaultAbi, functionName: "accountOf", args: [parameters.account] },
        { address: vault, abi: vaultAbi, functionName: "stakeOf", args: [parameters.account] },
      ],
      parameters.blockNumber,
    ),
  );
  return {
    balance: account.balance,
    earnings: account.earnings,
    lockup: stake.lockup,
    reserved: stake.reserved,
    freeLockup: stake.lockup - stake.reserved,
    unbonding: stake.unbonding,
    maturesAt: stake.unbondingMaturesAt,
  };
}

export type GetPairingParameters = NexusTargetParameters & { provider: Address };
export type GetPairingErrorType = NexusReadErrorType;
export type GetPairingReturnType = {
  /** The master the provider announced, zero when none. */
  master: Address;
  /** True when that master announced the provider back: the pairing is complete. */
  paired: boolean;
  /** The largest lapse penalty (wei) the master accepts per attempt of this provider; 0 while unpaired. */
  maxPenalty: bigint;
  /** The provider's info URI ("" when unset). */
  infoUri: string;
};
/** A provider's master, whether the pairing is complete, the master's penalty cap, and the provider's info URI. */
export async function getPairing(client: AnyClient, parameters: GetPairingParameters): Promise<GetPairingReturnType> {
  checkedAddress(parameters.provider, "provider");
  const [pairing, infoUri] = await readDeployment(client, parameters, ({ registry }) =>
    readMany(
      client,
      [
        { address: registry, abi: providerRegistryAbi, functionName: "pairingOf", args: [parameters.provider] },
        { address: registry, abi: providerRegistryAbi, functionName: "providerInfoUri", args: [parameters.provider] },
      ],
      parameters.blockNumber,
    ),
  );
  return { master: pairing.master, paired: pairing.paired, maxPenalty: pairing.maxPenalty, infoUri };
}

export type GetAgentParameters = NexusTargetParameters & { principal: Address; agent: Address };
export type GetAgentErrorType = NexusReadErrorType;
export type GetAgentReturnType = {
  /** What `agent` may do for `principal`; empty when it is not its agent. */
  scopes: AgentScopeName[];
  /** Wei of the principal's balance the agent may still draw into task escrow (`UNLIMITED_ALLOWANCE`: no limit). */
  allowance: bigint;
  unlimited: boolean;
};
/** What `agent` may do for `principal`, and how much of its balance it may still spend. */
export async function getAgent(client: AnyClient, parameters: GetAgentParameters): Promise<GetAgentReturnType> {
  checkedAddress(parameters.principal, "principal");
  checkedAddress(parameters.agent, "agent");
  const [grant] = await readDeployment(client, parameters, ({ registry }) =>
    readMany(
      client,
      [{ address: registry, abi: providerRegistryAbi, functionName: "agentOf", args: [parameters.principal, parameters.agent] }],
      parameters.blockNumber,
    ),
  );
  return { scopes: agentScopeNames(grant.scopes), allowance: grant.allowance, unlimited: grant.allowance === UNLIMITED_ALLOWANCE };
}

export type GetProtocolConfigParameters = NexusTargetParameters;
export type GetProtocolConfigErrorType = NexusReadErrorType;
export type GetProtocolConfigReturnType = {
  nexus: Address;
  vault: Address;
  registry: Address;
  feeBps: number;
  treasury: Address;
  /** Seconds an unbonding takes to mature. */
  unbondingPeriod: bigint;
  owner: Address;
  /** The account a two-step transfer waits on, zero when none. */
  pendingOwner: Address;
  /** Protocol fees accrued and not yet collected. */
  accruedFees: bigint;
};
/** The protocol's admin-set configuration and its owner. @throws NexusNotFoundError when no Nexus answers at the address used. */
export async function getProtocolConfig(client: AnyClient, parameters: GetProtocolConfigParameters = {}): Promise<GetProtocolConfigReturnType> {
  return readDeployment(client, parameters, async ({ nexus, vault, registry }) => {
    const [feeBps, treasury, owner, pendingOwner, unbondingPeriod, accruedFees] = await readMany(
      client,
      [
        { address: nexus, abi: nexusAbi, functionName: "feeBps" },
        { address: nexus, abi: nexusAbi, functionName: "treasury" },
        { address: nexus, abi: nexusAbi, functionName: "owner" },
        { address: nexus, abi: nexusAbi, functionName: "pendingOwner" },
        { address: vault, abi: vaultAbi, functionName: "unbondingPeriod" },
        { address: vault, abi: vaultAbi, functionName: "accruedFees" },
      ],
      parameters.blockNumber,
    );
    return { nexus, vault, registry, feeBps, treasury, unbondingPeriod, owner, pendingOwner, accruedFees };
  });
}

export type PredictSourceAddressParameters = NexusTargetParameters & { client: Address; salt: `0x${string}` };
export type PredictSourceAddressErrorType = NexusReadErrorType;
export type PredictSourceAddressReturnType = Address;
/** The address `publishSource` by `client` with `salt` creates. */
export async function predictSourceAddress(client: AnyClient, parameters: PredictSourceAddressParameters): Promise<PredictSourceAddressReturnType> {
  checkedAddress(parameters.client, "client");
  const [address] = await readDeployment(client, parameters, ({ nexus }) =>
    readMany(
      client,
      [{ address: nexus, abi: nexusAbi, functionName: "predictSourceAddress", args: [parameters.client, parameters.salt] }],
      parameters.blockNumber,
    ),
  );
  return address;
}

/** Whether `address` is a task (`kind: "task"`) or a source created by this Nexus. */
export async function isNexusContract(
  client: AnyClient,
  parameters: NexusTargetParameters & { address: Address; kind: "task" | "source" },
): Promise<boolean> {
  return readDeployment(client, parameters, ({ nexus }) =>
    readContract(client, {
      address: nexus,
      abi: nexusAbi,
      functionName: parameters.kind === "task" ? "isTask" : "isSource",
      args: [parameters.address],
      blockNumber: parameters.blockNumber,
    }),
  );
}

/**
 * Resolves `reads` when `address` is a task/source of this Nexus (checked in parallel, at the same block);
 * throws UnknownTaskError / UnknownSourceError otherwise, whatever the reads did.
 */
export async function whenKnown<T>(
  client: AnyClient,
  kind: "task" | "source",
  address: Address,
  parameters: NexusTargetParameters,
  reads: Promise<T>,
): Promise<T> {
  const [known, result] = await Promise.allSettled([isNexusContract(client, { ...parameters, address, kind }), reads]);
  // A wrong Nexus explains any failure of the reads (which then ran against a wrong or empty address too).
  if (known.status === "rejected" && known.reason instanceof NexusNotFoundError) throw known.reason;
  if (known.status === "fulfilled" && !known.value) {
    throw kind === "task" ? new UnknownTaskError({ args: [address] }) : new UnknownSourceError({ args: [address] });
  }
  if (result.status === "rejected") throw result.reason;
  if (known.status === "rejected") throw known.reason;
  return result.value;
}
