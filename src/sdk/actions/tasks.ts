// Task actions for every role: publish (client or its agent), attempt and respond (provider side),
// confirm and cancel (client side), settle and report a lapse (anyone).
import { bytesToBigInt, type Account, type Address, type Chain, type Client, type Hex, type Transport } from "viem";
import {
  randomBytes,
  withWait,
  writeNexus,
  writeOptions,
  type NexusWriteErrorType,
  type NexusWriteParameters,
  type NexusWriteReturnType,
} from "./internal.ts";
import { getTermsSeen } from "./reads.ts";
import { parseAccount } from "viem/accounts";
import { MissingAccountError } from "../errors/usage.ts";
import type { TermsSeen } from "../abis.ts";

type AnyClient<chain extends Chain | undefined, account extends Account | undefined> = Client<Transport, chain, account>;

/** A uniformly random uint64, the default task salt. */
export function randomTaskSalt(): bigint {
  return bytesToBigInt(randomBytes(8));
}

export type PublishTaskParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  source: Address;
  /** `ipfs://<cid>` of the task config; it travels in the TaskPublished event only. */
  configUri: string;
  /** sha256 of the config bytes (stored in the task). */
  configHash: Hex;
  /** Unix seconds, after now and at most now + the source's maxExpiryDuration. */
  expiryTime: bigint;
  /** Wei escrowed for the task. */
  payment: bigint;
  /** Native currency sent along, added to the client's vault balance first; defaults to `payment`. Pass 0n to pay from the balance. */
  value?: bigint | undefined;
  /** uint64 salt of the task's CREATE2 address; random (crypto.getRandomValues) when omitted. */
  salt?: bigint | undefined;
  /**
   * The source version and protocol fee the client agreed to; the transaction reverts (SourceChangedError,
   * FeeChangedError) if either moved before it is mined. Read just before sending when omitted; pass what your
   * user was shown (`getTermsSeen`) to bind that instead.
   */
  seen?: TermsSeen | undefined;
};
export type PublishTaskReturnType = NexusWriteReturnType<{ task: Address; salt: bigint }>;
export type PublishTaskErrorType = NexusWriteErrorType;
/**
 * Publishes a task for the sender and escrows its payment. `task` is the address it gets, known before mining.
 * @example const { task, wait } = await publishTask(wallet, { source, configUri, configHash, expiryTime, payment });
 */
export async function publishTask<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: PublishTaskParameters<account>,
): Promise<PublishTaskReturnType> {
  const account = parameters.account ?? client.account;
  if (!account) throw new MissingAccountError({ functionName: "publishTask" });
  return sendPublishTask(client, parameters, parseAccount(account).address, parameters.value ?? parameters.payment);
}

/** Both publishing actions send the one `publishTask(client, …)`: for the sender itself, or for its principal. */
async function sendPublishTask<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: Omit<PublishTaskParameters<account>, "value">,
  forClient: Address,
  value: bigint,
): Promise<PublishTaskReturnType> {
  const { source, configUri, configHash, expiryTime, payment } = parameters;
  const salt = parameters.salt ?? randomTaskSalt();
  const seen = parameters.seen ?? (await getTermsSeen(client, { source, nexus: parameters.nexus }));
  const sent = await writeNexus(client, {
    ...writeOptions(parameters),
    functionName: "publishTask",
    args: [forClient, source, configUri, configHash, expiryTime, payment, salt, seen],
    value,
  });
  return withWait(client, sent, { task: sent.result, salt });
}

export type PublishTaskForParameters<account extends Account | undefined = Account | undefined> = Omit<PublishTaskParameters<account>, "value"> & {
  /** Native currency sent along, added to `client`'s vault balance; defaults to 0n (the client's balance pays). */
  value?: bigint | undefined;
  /** The client the task is published for; the sender must be it or one of its agents. The escrow comes from its balance plus `value`. */
  client: Address;
};
export type PublishTaskForReturnType = PublishTaskReturnType;
export type PublishTaskForErrorType = NexusWriteErrorType;
/** Publishes a task for `client`, sent by the client or one of its agents. `value` defaults to 0n (the client's balance pays). */
export async function publishTaskFor<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: PublishTaskForParameters<account>,
): Promise<PublishTaskForReturnType> {
  return sendPublishTask(client, parameters, parameters.client, parameters.value ?? 0n);
}

export type AttemptParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  task: Address;
  provider: Address;
  /** MANUAL_CONFIRMATION: the price the provider suggests, at most the payment. Defaults to 0n. */
  suggestedPayment?: bigint | undefined;
};
export type AttemptReturnType = NexusWriteReturnType;
export type AttemptErrorType = NexusWriteErrorType;
/** Takes an attempt slot on a task for a provider, by the provider, its master or the master's agent. */
export async function attempt<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: AttemptParameters<account>,
): Promise<AttemptReturnType> {
  const { task, provider, suggestedPayment = 0n } = parameters;
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "attempt", args: [task, provider, suggestedPayment] });
  return withWait(client, sent, {});
}

export type ConfirmResponseParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  task: Address;
  provider: Address;
};
export type ConfirmResponseReturnType = NexusWriteReturnType;
export type ConfirmResponseErrorType = NexusWriteErrorType;
/** Confirms (and pays) a provider's response to a MANUAL_CONFIRMATION task, by the client or its agent. */
export async function confirmResponse<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: ConfirmResponseParameters<account>,
): Promise<ConfirmResponseReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "confirmResponse", args: [parameters.task, parameters.provider] });
  return withWait(client, sent, {});
}

export type TaskOnlyParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & { task: Address };
export type CancelTaskParameters<account extends Account | undefined = Account | undefined> = TaskOnlyParameters<account>;
export type CancelTaskReturnType = NexusWriteReturnType;
export type CancelTaskErrorType = NexusWriteErrorType;
/** Cancels a task with no live attempt and no response, refunding it; by the client or its agent. */
export async function cancelTask<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: CancelTaskParameters<account>,
): Promise<CancelTaskReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "cancelTask", args: [parameters.task] });
  return withWait(client, sent, {});
}

export type SettleParameters<account extends Account | undefined = Account | undefined> = TaskOnlyParameters<account>;
export type SettleReturnType = NexusWriteReturnType;
export type SettleErrorType = NexusWriteErrorType;
/** Closes a task nothing more can happen to (refund, or pay the earliest response); by anyone. */
export async function settle<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: SettleParameters<account>,
): Promise<SettleReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "settle", args: [parameters.task] });
  return withWait(client, sent, {});
}

export type ReportLapseParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  task: Address;
  provider: Address;
};
export type ReportLapseReturnType = NexusWriteReturnType;
export type ReportLapseErrorType = NexusWriteErrorType;
/**
 * Reports an attempt that passed its deadline without a response; the penalty it reserved moves from its master's
 * lockup to the client. By anyone.
 */
export async function reportLapse<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: ReportLapseParameters<account>,
): Promise<ReportLapseReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "reportLapse", args: [parameters.task, parameters.provider] });
  return withWait(client, sent, {});
}

export type ReleaseAttemptParameters<account extends Account | undefined = Account | undefined> = ReportLapseParameters<account>;
export type ReleaseAttemptReturnType = NexusWriteReturnType;
export type ReleaseAttemptErrorType = NexusWriteErrorType;
/**
 * Releases the penalty reserved by an attempt its task's closing cut short (another provider won, or the client
 * confirmed before its deadline) back to its master's free lockup. By anyone; a master calls it to free its stake.
 */
export async function releaseAttempt<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: ReleaseAttemptParameters<account>,
): Promise<ReleaseAttemptReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "releaseAttempt", args: [parameters.task, parameters.provider] });
  return withWait(client, sent, {});
}

export type RejectResponseParameters<account extends Account | undefined = Account | undefined> = ReportLapseParameters<account>;
export type RejectResponseReturnType = NexusWriteReturnType;
export type RejectResponseErrorType = NexusWriteErrorType;
/**
 * AGREEMENT tasks: takes the penalty of a juror whose revealed result the task rejected: to the client when it
 * differs from the agreed result, burned when the task expired without agreement. By anyone.
 */
export async function rejectResponse<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: RejectResponseParameters<account>,
): Promise<RejectResponseReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "rejectResponse", args: [parameters.task, parameters.provider] });
  return withWait(client, sent, {});
}
