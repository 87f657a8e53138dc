// Source actions: publish, update, (in)activate (by its client); register / unregister providers.
import { bytesToHex, type Account, type Address, type Chain, type Client, type Hex, type Transport } from "viem";
import type { SourceParams, SourceStatus } from "../abis.ts";
import {
  randomBytes,
  withWait,
  writeNexus,
  writeOptions,
  type NexusWriteErrorType,
  type NexusWriteParameters,
  type NexusWriteReturnType,
} from "./internal.ts";

type AnyClient<chain extends Chain | undefined, account extends Account | undefined> = Client<Transport, chain, account>;

export type PublishSourceParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  params: SourceParams;
  /** CREATE2 salt (bytes32); random when omitted. Same client + salt = same address, so a retry cannot double-publish. */
  salt?: Hex | undefined;
};
export type PublishSourceReturnType = NexusWriteReturnType<{ source: Address; salt: Hex }>;
export type PublishSourceErrorType = NexusWriteErrorType;
/**
 * Publishes a source owned by the sender. `source` (its address) is known before the transaction mines.
 * @example const { source, wait } = await publishSource(wallet, { params }); await wait();
 */
export async function publishSource<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: PublishSourceParameters<account>,
): Promise<PublishSourceReturnType> {
  const salt = parameters.salt ?? bytesToHex(randomBytes(32));
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "publishSource", args: [parameters.params, salt] });
  return withWait(client, sent, { source: sent.result, salt });
}

export type UpdateSourceParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  source: Address;
  params: SourceParams;
};
export type UpdateSourceReturnType = NexusWriteReturnType;
export type UpdateSourceErrorType = NexusWriteErrorType;
/** Replaces a source's parameters (its client only). Open tasks keep their terms. */
export async function updateSource<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: UpdateSourceParameters<account>,
): Promise<UpdateSourceReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "updateSource", args: [parameters.source, parameters.params] });
  return withWait(client, sent, {});
}

export type SetSourceStatusParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  source: Address;
  status: SourceStatus;
};
export type SetSourceStatusReturnType = NexusWriteReturnType;
export type SetSourceStatusErrorType = NexusWriteErrorType;
/** Switches a source ACTIVE (0) or INACTIVE (1) (its client only). */
export async function setSourceStatus<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: SetSourceStatusParameters<account>,
): Promise<SetSourceStatusReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "setSourceStatus", args: [parameters.source, parameters.status] });
  return withWait(client, sent, {});
}

export type RegisterParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  source: Address;
  provider: Address;
  /** Exactly one bit of the source's mask: CPU = 1, NVIDIA = 2, AMD = 4. */
  environment: number;
};
export type RegisterReturnType = NexusWriteReturnType;
export type RegisterErrorType = NexusWriteErrorType;
/** Registers a provider to a source, by the provider, its master or the master's agent. */
export async function register<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: RegisterParameters<account>,
): Promise<RegisterReturnType> {
  const { source, provider, environment } = parameters;
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "register", args: [source, provider, environment] });
  return withWait(client, sent, {});
}

export type UnregisterParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  source: Address;
  provider: Address;
};
export type UnregisterReturnType = NexusWriteReturnType;
export type UnregisterErrorType = NexusWriteErrorType;
/** Removes a provider from a source, by the provider, its master or the master's agent. */
export async function unregister<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: UnregisterParameters<account>,
): Promise<UnregisterReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "unregister", args: [parameters.source, parameters.provider] });
  return withWait(client, sent, {});
}
