// Small concurrency tools of the node: bounded exponential backoff with jitter for failures that may heal
// (RPC, IPFS, a handler still starting), and a semaphore bounding the tasks processed at once.
import { setTimeout as sleep } from "node:timers/promises";
import { BaseError } from "viem";
import { NexusError, NexusRpcError, TransactionRevertedError, decodeNexusError } from "../sdk/errors/index.ts";
import { IpfsRequestError } from "../sdk/ipfs/index.ts";

export type RetryOptions = {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  signal?: AbortSignal | undefined;
  /** Default: `isRetryable`. */
  retryable?: ((error: unknown) => boolean) | undefined;
  onRetry?: ((error: unknown, attempt: number, delayMs: number) => void) | undefined;
};

/** Errors worth another try: the SDK says so (`retryable`), or the network failed under fetch. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof NexusRpcError || error instanceof IpfsRequestError) return error.retryable;
  // A raw viem error (a read that did not go through an SDK action): classify it the SDK's way.
  if (error instanceof BaseError && !(error instanceof NexusError)) {
    const decoded = decodeNexusError(error);
    return decoded instanceof NexusRpcError && decoded.retryable;
  }
  if (error instanceof TransactionRevertedError) return false;
  if (error instanceof TransientError) return true;
  // fetch() to a handler or a node that is down: "fetch failed" with ECONNREFUSED/ECONNRESET inside.
  return error instanceof TypeError && error.message === "fetch failed";
}

/** A failure the caller knows is temporary (e.g. a handler answering 503 while it starts). */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TransientError";
  }
}

/** Full jitter: a uniformly random delay up to the exponential bound (avoids synchronized retries). */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  const bound = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(bound / 2 + Math.random() * (bound / 2));
}

/** Runs `fn` until it succeeds, fails with a non-retryable error, or `attempts` runs out (last error thrown). */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const retryable = options.retryable ?? isRetryable;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !retryable(error) || options.signal?.aborted) throw error;
      const delayMs = backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs);
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, undefined, options.signal ? { signal: options.signal } : {});
    }
  }
}

/** A counting semaphore, FIFO. */
export class Semaphore {
  #free: number;
  readonly #queue: Array<() => void> = [];
  constructor(size: number) {
    this.#free = size;
  }
  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) next();
      else this.#free++;
    };
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(release);
      };
      const onAbort = () => {
        const index = this.#queue.indexOf(grant);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(signal?.reason);
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(grant);
    });
  }
  get waiting(): number {
    return this.#queue.length;
  }
}
