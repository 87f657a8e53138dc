// Getting a task's result: fetch and verify one response, or follow the task until it has a result.
import { zeroAddress, type Address, type Chain, type Client, type Hash, type Hex, type Transport } from "viem";
import { getBlock, readContract } from "viem/actions";
import { TaskStatus, taskAbi } from "../abis.ts";
import { getTask } from "../actions/reads.ts";
import { resolveNexusAddress } from "../chains.ts";
import { responsePayloadSchema, type ResponsePayload } from "../documents.ts";
import type { Ipfs } from "../ipfs/client.ts";
import { fetchJson } from "../ipfs/fetch.ts";
import { getNexusEvents } from "../events/logs.ts";
import type { NexusEvent } from "../events/types.ts";
import { ResponseNotFoundError, TaskCanceledError, TaskExpiredError, WaitForResultTimeoutError } from "./errors.ts";
import { responseEventsSince, taskEventsAt } from "./lookup.ts";

type AnyClient = Client<Transport, Chain | undefined>;

/** One provider's response as the chain records it (its payload lives at `resultUri`). */
export type TaskResponse = {
  provider: Address;
  resultUri: string;
  /** sha256 of the payload bytes, committed on-chain. */
  resultHash: Hex;
  askedPayment: bigint;
  blockNumber: bigint;
  transactionHash: Hash;
};

function toResponse(e: NexusEvent<"ResponseSubmitted">): TaskResponse {
  const { provider, resultUri, resultHash, askedPayment } = e.args;
  return { provider, resultUri, resultHash, askedPayment, blockNumber: e.blockNumber, transactionHash: e.transactionHash };
}

export type FetchResultParameters = {
  ipfs: Ipfs;
  task: Address;
  /** Whose response (default: the winner once FINALIZED, else the earliest responder). */
  provider?: Address | undefined;
  nexus?: Address | undefined;
  /** Largest payload accepted, in bytes (default 4 MiB). */
  maxBytes?: number | undefined;
  signal?: AbortSignal | undefined;
};
export type FetchResultReturnType = TaskResponse & { result: ResponsePayload };

/**
 * Fetches a response's payload and verifies it against the chain: its CID, and the sha256 the provider
 * committed in `submitResponse`, then parses it as JSON.
 * @throws ResponseNotFoundError, and the IPFS layer's typed errors (ContentHashMismatchError for a payload that
 * is not the committed one, CidMismatchError, ContentTooLargeError, InvalidDocumentError, IpfsRequestError).
 */
export async function fetchResult(client: AnyClient, parameters: FetchResultParameters): Promise<FetchResultReturnType> {
  const { task } = parameters;
  const nexus = await resolveNexusAddress(client, parameters.nexus);
  let provider = parameters.provider;
  if (provider === undefined) {
    const state = await readContract(client, { address: task, abi: taskAbi, functionName: "state" });
    if (state.selectedProvider === zeroAddress) throw new ResponseNotFoundError({ task, details: "the task has no response yet" });
    provider = state.selectedProvider;
  }
  const attempt = await readContract(client, { address: task, abi: taskAbi, functionName: "attemptOf", args: [provider] });
  if (attempt.respondedAt === 0) throw new ResponseNotFoundError({ task, provider, details: "the provider did not respond" });
  const [event] = await taskEventsAt(client, { nexus, task, provider, event: "ResponseSubmitted", timestamp: BigInt(attempt.respondedAt) });
  if (event === undefined) throw new ResponseNotFoundError({ task, provider, details: "its ResponseSubmitted event was not found" });
  const response = toResponse(event);
  const result = await fetchJson(parameters.ipfs, response.resultUri, {
    sha256: response.resultHash,
    schema: responsePayloadSchema,
    maxBytes: parameters.maxBytes,
    signal: parameters.signal,
  });
  return { ...response, result };
}

/**
 * Every response submitted to a task so far, oldest first (none while NEW or ATTEMPTED). While RESPONDED the
 * earliest response's time bounds the search; once closed, the scan starts at `fromBlock` (default: the
 * registered deployment block).
 */
export async function getTaskResponses(
  client: AnyClient,
  parameters: { task: Address; nexus?: Address | undefined; fromBlock?: bigint | undefined },
): Promise<TaskResponse[]> {
  const { task } = parameters;
  const nexus = await resolveNexusAddress(client, parameters.nexus);
  const state = await readContract(client, { address: task, abi: taskAbi, functionName: "state" });
  if (state.selectedProvider === zeroAddress) return [];
  if (state.status !== TaskStatus.RESPONDED) {
    const events = await getNexusEvents(client, { nexus, events: "ResponseSubmitted", args: { task }, fromBlock: parameters.fromBlock });
    return events.map(toResponse);
  }
  const first = await readContract(client, { address: task, abi: taskAbi, functionName: "attemptOf", args: [state.selectedProvider] });
  return (await responseEventsSince(client, { nexus, task, since: BigInt(first.respondedAt) })).map(toResponse);
}

export type WaitForResultParameters = Omit<FetchResultParameters, "provider"> & {
  /** "finalized" (default): until the task is paid; "responded": return as soon as a MANUAL task has responses. */
  until?: "finalized" | "responded" | undefined;
  /** Give up after this long (default: never). */
  timeoutMs?: number | undefined;
  /** How often to read the task, in ms (default: the client's `pollingInterval`). */
  pollingInterval?: number | undefined;
};
export type FinalizedTaskResult = {
  status: "finalized";
  task: Address;
  /** The provider whose response won. */
  provider: Address;
  /** Who was paid: the provider's master. */
  payee: Address;
  /** Paid to the payee before the fee; `fee` went to the protocol. */
  paid: bigint;
  fee: bigint;
  /** True when paid by `settle` after the review window rather than by the client's confirmation. */
  bySettlement: boolean;
  result: ResponsePayload;
  resultUri: string;
  resultHash: Hex;
};
export type RespondedTaskResult = { status: "responded"; task: Address; responses: TaskResponse[] };
export type WaitForResultReturnType<until extends "finalized" | "responded" | undefined = undefined> = until extends "responded"
  ? FinalizedTaskResult | RespondedTaskResult
  : FinalizedTaskResult;

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Follows a task until it has a verified result. FINALIZED → the winner's payload, fetched and verified (CID +
 * on-chain sha256) and parsed. CANCELED → TaskCanceledError. EXPIRED, or past its expiry with no response
 * (nothing can answer it any more; `settle` refunds it) → TaskExpiredError with `settled` telling which.
 * Aborting `signal` rejects with the signal's reason; `timeoutMs` with WaitForResultTimeoutError.
 * @example const { result, provider } = await waitForResult(client, { ipfs, task, timeoutMs: 600_000 });
 */
export async function waitForResult<until extends "finalized" | "responded" | undefined = undefined>(
  client: AnyClient,
  parameters: WaitForResultParameters & { until?: until },
): Promise<WaitForResultReturnType<until>> {
  const { task, signal, timeoutMs } = parameters;
  const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  const interval = parameters.pollingInterval ?? client.pollingInterval;
  const nexus = await resolveNexusAddress(client, parameters.nexus);
  const { terms } = await getTask(client, { task, nexus }); // UnknownTaskError for anything else
  let status: number | undefined;
  for (;;) {
    if (signal?.aborted) throw signal.reason;
    const block = await getBlock(client, { blockTag: "latest", includeTransactions: false });
    const state = await readContract(client, { address: task, abi: taskAbi, functionName: "state", blockNumber: block.number });
    status = state.status;
    if (status === TaskStatus.FINALIZED) return (await finalized(client, parameters, nexus, state.selectedProvider, BigInt(state.closedAt))) as WaitForResultReturnType<until>;
    if (status === TaskStatus.CANCELED) throw new TaskCanceledError({ task });
    if (status === TaskStatus.EXPIRED) throw new TaskExpiredError({ task, expiryTime: terms.expiryTime, settled: true });
    if (status === TaskStatus.RESPONDED && parameters.until === "responded") {
      const responses = await getTaskResponses(client, { task, nexus });
      return { status: "responded", task, responses } as RespondedTaskResult as WaitForResultReturnType<until>;
    }
    // Attempts are live only while now < expiryTime: with no response by then, none can come.
    if (status !== TaskStatus.RESPONDED && block.timestamp >= terms.expiryTime) {
      throw new TaskExpiredError({ task, expiryTime: terms.expiryTime, settled: false });
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new WaitForResultTimeoutError({ task, timeoutMs: timeoutMs ?? 0, status });
    await delay(Math.min(interval, left), signal);
  }
}

async function finalized(
  client: AnyClient,
  parameters: WaitForResultParameters,
  nexus: Address,
  provider: Address,
  closedAt: bigint,
): Promise<FinalizedTaskResult> {
  const { task } = parameters;
  const [event] = await taskEventsAt(client, { nexus, task, event: "TaskFinalized", timestamp: closedAt });
  if (event === undefined) throw new ResponseNotFoundError({ task, provider, details: "its TaskFinalized event was not found" });
  const { result, resultUri, resultHash } = await fetchResult(client, { ...parameters, nexus, provider });
  const { payee, paid, fee, bySettlement } = event.args;
  return { status: "finalized", task, provider, payee, paid, fee, bySettlement, result, resultUri, resultHash };
}
