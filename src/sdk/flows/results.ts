// Getting a task's result: fetch and verify one response, or follow the task until it has a result.
import { zeroAddress, type Address, type Chain, type Client, type Hash, type Hex, type Transport } from "viem";
import { getBlock, readContract } from "viem/actions";
import { TaskStatus, VerificationMethod, taskAbi, type TaskTerms } from "../abis.ts";
import { assertNexus } from "../actions/nexus-check.ts";
import { getTask, whenKnown } from "../actions/reads.ts";
import { resolveNexusAddress } from "../chains.ts";
import { responsePayloadSchema, type ResponsePayload } from "../documents.ts";
import type { NexusError } from "../errors/base.ts";
import { checkedAddress, InvalidParameterError } from "../errors/usage.ts";
import type { Ipfs } from "../ipfs/client.ts";
import { IpfsRequestError } from "../ipfs/errors.ts";
import { fetchJson } from "../ipfs/fetch.ts";
import { getNexusEvents } from "../events/logs.ts";
import type { NexusEvent } from "../events/types.ts";
import { NoAgreementError, ResponseNotFoundError, ResultUnavailableError, TaskCanceledError, TaskExpiredError, WaitForResultTimeoutError } from "./errors.ts";
import { guarded } from "./guard.ts";
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

/**
 * How a payload not (yet) on IPFS is fetched again: a provider pins its result before submitting it, but the
 * node or gateway read from may not have it yet. Waits double from `delayMs` up to `maxDelayMs`.
 */
export type ResultRetryOptions = {
  /** Fetches in all, the first included (default 6). */
  attempts?: number | undefined;
  /** The wait before the second fetch, in ms (default 500). */
  delayMs?: number | undefined;
  /** The longest wait between two fetches, in ms (default 8 000). */
  maxDelayMs?: number | undefined;
};
/** Defaults of `retry`: 6 fetches over about 15 s. */
export const DEFAULT_RESULT_RETRY = { attempts: 6, delayMs: 500, maxDelayMs: 8_000 } as const;

export type FetchResultParameters = {
  ipfs: Ipfs;
  task: Address;
  /** Whose response (default: the winner once FINALIZED, else the earliest responder). */
  provider?: Address | undefined;
  nexus?: Address | undefined;
  /** Largest payload accepted, in bytes (default 4 MiB). */
  maxBytes?: number | undefined;
  /** Retries of a payload that is not on IPFS yet (404, not found, unreachable, timeout); `false` fetches once. */
  retry?: ResultRetryOptions | false | undefined;
  signal?: AbortSignal | undefined;
};
export type FetchResultReturnType = TaskResponse & { result: ResponsePayload };
export type FetchResultErrorType = NexusError;

/**
 * Fetches a response's payload and verifies it against the chain: its CID, and the sha256 the provider
 * committed in `submitResponse`, then parses it as JSON. A payload not on IPFS yet is fetched again with
 * bounded backoff (`retry`); content that is there but wrong is refused at once.
 * @throws ResponseNotFoundError, UnknownTaskError, ResultUnavailableError when the payload stayed out of reach
 * through the retries, and the IPFS layer's typed errors (ContentHashMismatchError for a payload that is not
 * the committed one, CidMismatchError, ContentTooLargeError, InvalidDocumentError, IpfsRequestError).
 */
export async function fetchResult(client: AnyClient, parameters: FetchResultParameters): Promise<FetchResultReturnType> {
  return guarded(parameters.signal, () => fetchResultBy(client, parameters, Number.POSITIVE_INFINITY));
}

/** fetchResult, giving up its retries at `deadline` (a Date.now() value). */
async function fetchResultBy(client: AnyClient, parameters: FetchResultParameters, deadline: number): Promise<FetchResultReturnType> {
  const { task } = parameters;
  checkedAddress(task, "task");
  if (parameters.provider !== undefined) checkedAddress(parameters.provider, "provider");
  const plan = retryPlan(parameters.retry);
  const nexus = await resolveNexusAddress(client, parameters.nexus);
  // Checked against the Nexus alongside the read: a stranger's address is UnknownTaskError, not "returned no data".
  const state = await whenKnown(client, "task", task, { nexus }, readContract(client, { address: task, abi: taskAbi, functionName: "state" }));
  const provider = parameters.provider ?? state.selectedProvider;
  if (provider === zeroAddress) throw new ResponseNotFoundError({ task, details: "the task has no response yet" });
  const attempt = await readContract(client, { address: task, abi: taskAbi, functionName: "attemptOf", args: [provider] });
  if (attempt.respondedAt === 0) throw new ResponseNotFoundError({ task, provider, details: "the provider did not respond" });
  const [event] = await taskEventsAt(client, { nexus, task, provider, event: "ResponseSubmitted", timestamp: BigInt(attempt.respondedAt) });
  if (event === undefined) throw new ResponseNotFoundError({ task, provider, details: "its ResponseSubmitted event was not found" });
  const response = toResponse(event);
  const started = Date.now();
  for (let fetches = 1; ; fetches++) {
    try {
      const result = await fetchJson(parameters.ipfs, response.resultUri, {
        sha256: response.resultHash,
        schema: responsePayloadSchema,
        maxBytes: parameters.maxBytes,
        signal: parameters.signal,
      });
      return { ...response, result };
    } catch (err) {
      if (!isNotYetOnIpfs(err) || parameters.signal?.aborted) throw err;
      const wait = Math.min(plan.maxDelayMs, plan.delayMs * 2 ** (fetches - 1));
      if (fetches >= plan.attempts || Date.now() + wait >= deadline) {
        throw new ResultUnavailableError({ task, provider, resultUri: response.resultUri, attempts: fetches, elapsedMs: Date.now() - started, last: err });
      }
      await delay(wait, parameters.signal);
    }
  }
}

function retryPlan(retry: ResultRetryOptions | false | undefined): { attempts: number; delayMs: number; maxDelayMs: number } {
  if (retry === false) return { attempts: 1, delayMs: 0, maxDelayMs: 0 };
  const plan = {
    attempts: retry?.attempts ?? DEFAULT_RESULT_RETRY.attempts,
    delayMs: retry?.delayMs ?? DEFAULT_RESULT_RETRY.delayMs,
    maxDelayMs: retry?.maxDelayMs ?? DEFAULT_RESULT_RETRY.maxDelayMs,
  };
  if (!Number.isSafeInteger(plan.attempts) || plan.attempts < 1) throw new InvalidParameterError({ parameter: "retry.attempts", reason: `expected an integer >= 1, got ${plan.attempts}` });
  for (const key of ["delayMs", "maxDelayMs"] as const) {
    if (!Number.isFinite(plan[key]) || plan[key] < 0) throw new InvalidParameterError({ parameter: `retry.${key}`, reason: `expected a number >= 0, got ${plan[key]}` });
  }
  return plan;
}

// Kubo's RPC answers a missing block with 500 and this wording; gateways answer 404 (or time out searching).
const NOT_FOUND = /not found|could not find/i;

/** The payload may appear later: nothing answered, or what answered has not got it (yet). */
function isNotYetOnIpfs(err: unknown): err is IpfsRequestError {
  return err instanceof IpfsRequestError && (err.retryable || err.status === 404 || err.status === 410 || NOT_FOUND.test(err.reason));
}

export type GetTaskResponsesParameters = { task: Address; nexus?: Address | undefined; fromBlock?: bigint | undefined };
export type GetTaskResponsesReturnType = TaskResponse[];
export type GetTaskResponsesErrorType = NexusError;

/**
 * Every response submitted to a task so far, oldest first (none while NEW or ATTEMPTED). While RESPONDED the
 * earliest response's time bounds the search; once closed, the scan starts at `fromBlock` (default: the
 * registered deployment block).
 * @throws NexusNotFoundError when no Nexus answers at the address, UnknownTaskError for a task it did not create
 * (an empty list would hide either)
 */
export async function getTaskResponses(client: AnyClient, parameters: GetTaskResponsesParameters): Promise<GetTaskResponsesReturnType> {
  return guarded(undefined, async () => {
    const { task } = parameters;
    checkedAddress(task, "task");
    const nexus = await resolveNexusAddress(client, parameters.nexus);
    const [, state] = await Promise.all([
      assertNexus(client, nexus),
      whenKnown(client, "task", task, { nexus }, readContract(client, { address: task, abi: taskAbi, functionName: "state" })),
    ]);
    if (state.selectedProvider === zeroAddress) return [];
    if (state.status !== TaskStatus.RESPONDED) {
      const events = await getNexusEvents(client, { nexus, events: "ResponseSubmitted", args: { task }, fromBlock: parameters.fromBlock });
      return events.map(toResponse);
    }
    const first = await readContract(client, { address: task, abi: taskAbi, functionName: "attemptOf", args: [state.selectedProvider] });
    return (await responseEventsSince(client, { nexus, task, since: BigInt(first.respondedAt) })).map(toResponse);
  });
}

export type WaitForResultParameters = Omit<FetchResultParameters, "provider"> & {
  /** "finalized" (default): until the task is paid; "responded": return as soon as a MANUAL task has responses. */
  until?: "finalized" | "responded" | undefined;
  /** Give up after this long (default: never); it also bounds the retries of a payload not on IPFS yet. */
  timeoutMs?: number | undefined;
  /** How often to read the task, in ms (default: the client's `pollingInterval`). */
  pollingInterval?: number | undefined;
  /**
   * Called with each of the task's events as the wait reads them, oldest first: attempts, each provider's commitment
   * (ResponseCommitted) and its reveal (ResponseSubmitted), the closing event. From `fromBlock` when given, else
   * from the latest block when the wait starts.
   */
  onEvent?: ((event: NexusEvent) => void) | undefined;
  /** Where `onEvent`'s history starts. */
  fromBlock?: bigint | undefined;
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
  /**
   * How the result was verified: `agreed` when an AGREEMENT task's quorum of providers (of as many masters) revealed
   * this same result, `unverified` when one provider's response was paid (FIRST_RESPONSE, or the client's own review
   * on MANUAL_CONFIRMATION).
   */
  verification: "agreed" | "unverified";
  /** AGREEMENT: the providers whose alike results were paid a share each (`paid` is their sum); else empty. */
  agreedBy: Address[];
  result: ResponsePayload;
  resultUri: string;
  resultHash: Hex;
};
export type RespondedTaskResult = { status: "responded"; task: Address; responses: TaskResponse[] };
export type WaitForResultReturnType<until extends "finalized" | "responded" | undefined = undefined> = until extends "responded"
  ? FinalizedTaskResult | RespondedTaskResult
  : FinalizedTaskResult;
export type WaitForResultErrorType = NexusError;

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
 * on-chain sha256) and parsed, with `verification` saying what vouches for it: `agreed` (an AGREEMENT task's quorum
 * revealed it, `agreedBy`) or `unverified` (one provider's response). CANCELED → TaskCanceledError. EXPIRED, or
 * past its expiry with no response (nothing can answer it any more; `settle` refunds it) → TaskExpiredError with
 * `settled` telling which; an AGREEMENT task whose revealed results never reached the quorum → NoAgreementError.
 * `until: "responded"` returns at the first response, except on an AGREEMENT task, where a revealed result is one
 * vote and only the agreement is returned.
 * A winning payload not on IPFS yet is fetched again as fetchResult does (`retry`, within `timeoutMs`), then
 * ResultUnavailableError. Aborting `signal` rejects with the signal's reason; `timeoutMs` with
 * WaitForResultTimeoutError.
 * @example const { result, provider } = await waitForResult(client, { ipfs, task, timeoutMs: 600_000 });
 */
export async function waitForResult<until extends "finalized" | "responded" | undefined = undefined>(
  client: AnyClient,
  parameters: WaitForResultParameters & { until?: until },
): Promise<WaitForResultReturnType<until>> {
  return guarded(parameters.signal, () => waitFor(client, parameters));
}

async function waitFor<until extends "finalized" | "responded" | undefined = undefined>(
  client: AnyClient,
  parameters: WaitForResultParameters & { until?: until },
): Promise<WaitForResultReturnType<until>> {
  const { task, signal, timeoutMs } = parameters;
  const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  const interval = parameters.pollingInterval ?? client.pollingInterval;
  const nexus = await resolveNexusAddress(client, parameters.nexus);
  const { terms } = await getTask(client, { task, nexus }); // UnknownTaskError for anything else
  let status: number | undefined;
  let nextEventBlock = parameters.fromBlock;
  for (;;) {
    if (signal?.aborted) throw signal.reason;
    const block = await getBlock(client, { blockTag: "latest", includeTransactions: false });
    if (parameters.onEvent !== undefined) {
      // Events and state at the same block: the closing event is delivered before the wait returns.
      const from = nextEventBlock ?? block.number;
      if (from <= block.number) for (const e of await getNexusEvents(client, { nexus, args: { task }, fromBlock: from, toBlock: block.number })) parameters.onEvent(e);
      nextEventBlock = block.number + 1n;
    }
    const state = await readContract(client, { address: task, abi: taskAbi, functionName: "state", blockNumber: block.number });
    status = state.status;
    if (status === TaskStatus.FINALIZED) {
      const agreement = terms.verification === VerificationMethod.AGREEMENT;
      return (await finalized(client, parameters, nexus, state.selectedProvider, BigInt(state.closedAt), deadline, agreement)) as WaitForResultReturnType<until>;
    }
    if (status === TaskStatus.CANCELED) throw new TaskCanceledError({ task });
    const agreementTask = terms.verification === VerificationMethod.AGREEMENT;
    if (status === TaskStatus.EXPIRED) {
      if (agreementTask && state.selectedProvider !== zeroAddress) throw await noAgreement(client, nexus, task, terms, true);
      throw new TaskExpiredError({ task, expiryTime: terms.expiryTime, settled: true });
    }
    // An AGREEMENT task's revealed result is one vote, not a response to use: only the agreement is.
    if (status === TaskStatus.RESPONDED && parameters.until === "responded" && !agreementTask) {
      const responses = await getTaskResponses(client, { task, nexus });
      return { status: "responded", task, responses } as RespondedTaskResult as WaitForResultReturnType<until>;
    }
    // Attempts are live only while now < expiryTime: with no response by then, none can come; no vote either.
    if (block.timestamp >= terms.expiryTime) {
      if (status !== TaskStatus.RESPONDED) throw new TaskExpiredError({ task, expiryTime: terms.expiryTime, settled: false });
      if (agreementTask) throw await noAgreement(client, nexus, task, terms, false);
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
  deadline: number,
  agreement: boolean,
): Promise<FinalizedTaskResult> {
  const { task } = parameters;
  const [event] = await taskEventsAt(client, { nexus, task, event: "TaskFinalized", timestamp: closedAt });
  if (event === undefined) throw new ResponseNotFoundError({ task, provider, details: "its TaskFinalized event was not found" });
  const { result, resultUri, resultHash } = await fetchResultBy(client, { ...parameters, nexus, provider }, deadline);
  const { payee, paid, fee, bySettlement } = event.args;
  const shares = agreement ? await taskEventsAt(client, { nexus, task, event: "SharePaid", timestamp: closedAt }) : [];
  const verification = agreement ? "agreed" : "unverified";
  return { status: "finalized", task, provider, payee, paid, fee, bySettlement, verification, agreedBy: shares.map((e) => e.args.provider), result, resultUri, resultHash };
}

/** The typed end of an AGREEMENT task that expired without agreement, with what its reveals show. */
async function noAgreement(client: AnyClient, nexus: Address, task: Address, terms: TaskTerms, settled: boolean): Promise<NoAgreementError> {
  const votes = await getNexusEvents(client, { nexus, events: "ResponseSubmitted", args: { task } });
  const alike = new Map<Hex, number>();
  for (const vote of votes) alike.set(vote.args.resultHash, (alike.get(vote.args.resultHash) ?? 0) + 1);
  const largestAgreement = Math.max(0, ...alike.values());
  return new NoAgreementError({ task, expiryTime: terms.expiryTime, settled, quorum: terms.quorum, revealed: votes.length, largestAgreement });
}
