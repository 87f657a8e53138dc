// Provider registry actions through Nexus: two-sided master/provider pairing with the master's penalty cap,
// scoped agents, provider info.
import type { Account, Address, Chain, Client, Transport } from "viem";
import { AgentScope, MAX_PENALTY_CAP, UNLIMITED_ALLOWANCE } from "../abis.ts";
import { InvalidParameterError } from "../errors/usage.ts";
import {
  withWait,
  writeNexus,
  writeOptions,
  type NexusWriteErrorType,
  type NexusWriteParameters,
  type NexusWriteReturnType,
} from "./internal.ts";

type AnyClient<chain extends Chain | undefined, account extends Account | undefined> = Client<Transport, chain, account>;

export type AnnounceProviderParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  provider: Address;
  /**
   * The largest lapse penalty, in wei, the master accepts to lose per attempt of this provider (default 0: only
   * sources without a penalty). Checked at `register` and at every `attempt`, whoever sends them; at most
   * `MAX_PENALTY_CAP`. Announcing again changes it.
   */
  maxPenalty?: bigint | undefined;
};
export type AnnounceProviderReturnType = NexusWriteReturnType;
export type AnnounceProviderErrorType = NexusWriteErrorType | InvalidParameterError;
/**
 * The sender (a master) announces `provider` and the penalty it accepts per attempt of it; paired once the provider
 * announces it back. Call it again to change the cap.
 */
export async function announceProvider<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: AnnounceProviderParameters<account>,
): Promise<AnnounceProviderReturnType> {
  const maxPenalty = parameters.maxPenalty ?? 0n;
  if (maxPenalty < 0n || maxPenalty > MAX_PENALTY_CAP) {
    throw new InvalidParameterError({ parameter: "maxPenalty", reason: `must be between 0 and ${MAX_PENALTY_CAP} wei, got ${maxPenalty}` });
  }
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "announceProvider", args: [parameters.provider, maxPenalty] });
  return withWait(client, sent, {});
}

export type RevokeProviderParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & { provider: Address };
export type RevokeProviderReturnType = NexusWriteReturnType;
export type RevokeProviderErrorType = NexusWriteErrorType;
/** The sender (a master) withdraws its announcement of `provider`, unpairing it. */
export async function revokeProvider<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: RevokeProviderParameters<account>,
): Promise<RevokeProviderReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "revokeProvider", args: [parameters.provider] });
  return withWait(client, sent, {});
}

export type AnnounceMasterParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & { master: Address };
export type AnnounceMasterReturnType = NexusWriteReturnType;
export type AnnounceMasterErrorType = NexusWriteErrorType;
/** The sender (a provider key) announces its `master`. */
export async function announceMaster<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: AnnounceMasterParameters<account>,
): Promise<AnnounceMasterReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "announceMaster", args: [parameters.master] });
  return withWait(client, sent, {});
}

export type RevokeMasterParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account>;
export type RevokeMasterReturnType = NexusWriteReturnType;
export type RevokeMasterErrorType = NexusWriteErrorType;
/** The sender (a provider key) leaves its master. */
export async function revokeMaster<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: RevokeMasterParameters<account> = {} as RevokeMasterParameters<account>,
): Promise<RevokeMasterReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "revokeMaster", args: [] });
  return withWait(client, sent, {});
}

/** A scope by name, as the CLI and configuration files spell it. */
export type AgentScopeName = "client" | "operator";

export type GrantAgentParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  agent: Address;
  /**
   * What the agent may do for the sender (at least one): `"client"` publishes tasks for it, cancels and confirms
   * them; `"operator"` registers, unregisters and attempts for its providers.
   */
  scopes: readonly AgentScopeName[];
  /**
   * Wei of the sender's vault balance the agent may draw into task escrow, spent down as it publishes (default 0:
   * it pays with its own value only). `"unlimited"` never decreases. Only the client scope spends it.
   */
  allowance?: bigint | "unlimited" | undefined;
};
export type GrantAgentReturnType = NexusWriteReturnType;
export type GrantAgentErrorType = NexusWriteErrorType | InvalidParameterError;
/** Grants `agent` scopes and an allowance for the sender, replacing any earlier grant. */
export async function grantAgent<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: GrantAgentParameters<account>,
): Promise<GrantAgentReturnType> {
  const scopes = agentScopeMask(parameters.scopes);
  if (scopes === 0) throw new InvalidParameterError({ parameter: "scopes", reason: "grant at least one scope (client, operator); revokeAgent takes every scope away" });
  const allowance = parameters.allowance === "unlimited" ? UNLIMITED_ALLOWANCE : (parameters.allowance ?? 0n);
  if (allowance < 0n || allowance > UNLIMITED_ALLOWANCE) {
    throw new InvalidParameterError({ parameter: "allowance", reason: `must be between 0 and ${UNLIMITED_ALLOWANCE} wei or "unlimited", got ${allowance}` });
  }
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "grantAgent", args: [parameters.agent, scopes, allowance] });
  return withWait(client, sent, {});
}

export type RevokeAgentParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & { agent: Address };
export type RevokeAgentReturnType = NexusWriteReturnType;
export type RevokeAgentErrorType = NexusWriteErrorType;
/** Takes every scope and the allowance away from `agent` (a grant of no scopes). */
export async function revokeAgent<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: RevokeAgentParameters<account>,
): Promise<RevokeAgentReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "grantAgent", args: [parameters.agent, 0, 0n] });
  return withWait(client, sent, {});
}

/** The `scopes` bitmask of `grantAgent` for these scope names. */
export function agentScopeMask(scopes: readonly AgentScopeName[]): number {
  let mask = 0;
  for (const scope of scopes) {
    if (scope === "client") mask |= AgentScope.CLIENT;
    else if (scope === "operator") mask |= AgentScope.OPERATOR;
    else throw new InvalidParameterError({ parameter: "scopes", reason: `unknown scope ${JSON.stringify(scope)}: expected "client" or "operator"` });
  }
  return mask;
}

/** The scope names of a `scopes` bitmask (unknown bits are left out). */
export function agentScopeNames(mask: number): AgentScopeName[] {
  const names: AgentScopeName[] = [];
  if (mask & AgentScope.CLIENT) names.push("client");
  if (mask & AgentScope.OPERATOR) names.push("operator");
  return names;
}

export type SetProviderInfoParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  provider: Address;
  /** URI of the provider's info document (hardware, contact). */
  uri: string;
};
export type SetProviderInfoReturnType = NexusWriteReturnType;
export type SetProviderInfoErrorType = NexusWriteErrorType;
/** Sets a provider's info URI, by the provider or its master. */
export async function setProviderInfo<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: SetProviderInfoParameters<account>,
): Promise<SetProviderInfoReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "setProviderInfo", args: [parameters.provider, parameters.uri] });
  return withWait(client, sent, {});
}
