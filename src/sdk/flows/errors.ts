// Typed outcomes of the flows that are not a success: the task ended without a result, or waiting gave up.
import type { Address } from "viem";
import { NexusError } from "../errors/base.ts";
import { IpfsRequestError } from "../ipfs/errors.ts";

export type TaskExpiredErrorType = TaskExpiredError & { name: "TaskExpiredError" };
/**
 * The task expired without a response. `settled` tells whether it was settled on-chain (status EXPIRED,
 * payment refunded) or is still open past its expiry with no response, which no one can give any more:
 * calling `settle(task)` refunds it.
 */
export class TaskExpiredError extends NexusError {
  readonly task: Address;
  readonly expiryTime: bigint;
  readonly settled: boolean;
  constructor(args: { task: Address; expiryTime: bigint; settled: boolean }) {
    super("The task expired without a response.", "TaskExpiredError", {
      metaMessages: [
        `Task: ${args.task}`,
        `Expiry time: ${args.expiryTime} (${new Date(Number(args.expiryTime) * 1000).toISOString()})`,
        args.settled ? "Settled: yes (payment refunded)" : "Settled: not yet (call settle(task) to refund it)",
      ],
    });
    this.task = args.task;
    this.expiryTime = args.expiryTime;
    this.settled = args.settled;
  }
}

export type NoAgreementErrorType = NoAgreementError & { name: "NoAgreementError" };
/**
 * An AGREEMENT task reached its expiry without `quorum` alike results (docs/PROTOCOL.md "Agreement"): nothing was
 * paid and none will be; `settle(task)` refunds the whole payment (`settled` says whether it was), and the penalty of
 * every revealed result and every withheld reveal of a complete jury is burned. `revealed` results were on-chain, the
 * largest group of alike ones `largestAgreement`.
 */
export class NoAgreementError extends NexusError {
  readonly task: Address;
  readonly expiryTime: bigint;
  readonly settled: boolean;
  readonly quorum: number;
  readonly revealed: number;
  readonly largestAgreement: number;
  constructor(args: { task: Address; expiryTime: bigint; settled: boolean; quorum: number; revealed: number; largestAgreement: number }) {
    super(`The task expired without agreement: ${args.revealed} result(s) revealed, at most ${args.largestAgreement} alike of the ${args.quorum} needed.`, "NoAgreementError", {
      metaMessages: [
        `Task: ${args.task}`,
        `Expiry time: ${args.expiryTime} (${new Date(Number(args.expiryTime) * 1000).toISOString()})`,
        args.settled ? "Settled: yes (payment refunded, the jurors' penalties burned)" : "Settled: not yet (call settle(task) to refund it)",
      ],
    });
    this.task = args.task;
    this.expiryTime = args.expiryTime;
    this.settled = args.settled;
    this.quorum = args.quorum;
    this.revealed = args.revealed;
    this.largestAgreement = args.largestAgreement;
  }
}

export type TaskCanceledErrorType = TaskCanceledError & { name: "TaskCanceledError" };
/** The task was canceled by its client (or the client's agent) and refunded. */
export class TaskCanceledError extends NexusError {
  readonly task: Address;
  constructor(args: { task: Address }) {
    super("The task was canceled.", "TaskCanceledError", { metaMessages: [`Task: ${args.task}`] });
    this.task = args.task;
  }
}

export type WaitForResultTimeoutErrorType = WaitForResultTimeoutError & { name: "WaitForResultTimeoutError" };
/** `waitForResult` gave up after `timeoutMs`; the task may still finish later. `status` is the last one seen. */
export class WaitForResultTimeoutError extends NexusError {
  readonly task: Address;
  readonly timeoutMs: number;
  readonly status: number | undefined;
  constructor(args: { task: Address; timeoutMs: number; status: number | undefined }) {
    super(`No result for the task within ${args.timeoutMs} ms.`, "WaitForResultTimeoutError", {
      metaMessages: [`Task: ${args.task}`, `Last status: ${args.status ?? "unknown"}`],
    });
    this.task = args.task;
    this.timeoutMs = args.timeoutMs;
    this.status = args.status;
  }
}

export type ResponseNotFoundErrorType = ResponseNotFoundError & { name: "ResponseNotFoundError" };
/** The provider has no response on the task (or the task has none yet when no provider was named). */
export class ResponseNotFoundError extends NexusError {
  readonly task: Address;
  readonly provider: Address | undefined;
  constructor(args: { task: Address; provider?: Address | undefined; details?: string | undefined }) {
    super("No response found for the task.", "ResponseNotFoundError", {
      details: args.details,
      metaMessages: [`Task: ${args.task}`, ...(args.provider === undefined ? [] : [`Provider: ${args.provider}`])],
    });
    this.task = args.task;
    this.provider = args.provider;
  }
}

export type ResultUnavailableErrorType = ResultUnavailableError & { name: "ResultUnavailableError" };
/**
 * A response's payload could not be read from IPFS within the retries (`retry` of fetchResult / waitForResult):
 * not there yet (provider still pinning, gateway not caught up), or never uploaded. An IpfsRequestError whose
 * `url`, `status`, `retryable` and `reason` are the last attempt's; `cause` is that attempt's error.
 */
export class ResultUnavailableError extends IpfsRequestError {
  readonly task: Address;
  readonly provider: Address;
  readonly resultUri: string;
  /** Fetches made, the first included. */
  readonly attempts: number;
  constructor(args: { task: Address; provider: Address; resultUri: string; attempts: number; elapsedMs: number; last: IpfsRequestError }) {
    const { last } = args;
    super(`The task's result is not available on IPFS after ${args.attempts} attempt(s) over ${args.elapsedMs} ms.`, {
      url: last.url,
      status: last.status,
      retryable: last.retryable,
      reason: last.reason,
      cause: last,
      name: "ResultUnavailableError",
      metaMessages: [`Task: ${args.task}`, `Provider: ${args.provider}`, `Result URI: ${args.resultUri}`],
    });
    this.task = args.task;
    this.provider = args.provider;
    this.resultUri = args.resultUri;
    this.attempts = args.attempts;
  }
}
