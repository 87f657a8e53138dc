// Provider registry actions through Nexus: two-sided master/provider pairing, agents, provider info.
import type { Account, Address, Chain, Client, Transport } from "viem";
import {
  withWait,
  writeNexus,
  writeOptions,
  type NexusWriteErrorType,
  type NexusWriteParameters,
  type NexusWriteReturnType,
} from "./internal.ts";

type AnyClient<chain extends Chain | undefined, account extends Account | undefined> = Client<Transport, chain, account>;

export type AnnounceProviderParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & { provider: Address };
export type AnnounceProviderReturnType = NexusWriteReturnType;
export type AnnounceProviderErrorType = NexusWriteErrorType;
/** The sender (a master) announces `provider`; paired once the provider announces it back. */
export async function announceProvider<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: AnnounceProviderParameters<account>,
): Promise<AnnounceProviderReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "announceProvider", args: [parameters.provider] });
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

export type SetAgentParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  agent: Address;
  /** Defaults to true. */
  allowed?: boolean | undefined;
};
export type SetAgentReturnType = NexusWriteReturnType;
export type SetAgentErrorType = NexusWriteErrorType;
/** Allows (or with `allowed: false` disallows) `agent` to act for the sender. */
export async function setAgent<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: SetAgentParameters<account>,
): Promise<SetAgentReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "setAgent", args: [parameters.agent, parameters.allowed ?? true] });
  return withWait(client, sent, {});
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
