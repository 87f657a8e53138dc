// A task's off-chain inputs and outputs: its config from IPFS (checked against the on-chain configHash) and the
// call to the handler (PROTOCOL.md §7: POST /run/{function_name}/{task} with the config's data and the run's
// callback secret → 202).
import type { Address } from "viem";
import { CALLBACK_TOKEN_HEADER } from "../handler/http.ts";
import {
  CidMismatchError,
  ContentHashMismatchError,
  InvalidDocumentError,
  IpfsRequestError,
  UnsupportedUriError,
  fetchJson,
  taskConfigSchema,
  type Ipfs,
  type TaskConfig,
} from "../sdk/ipfs/index.ts";
import type { Logger } from "./logger.ts";
import { TransientError, withRetry, type RetryOptions } from "./retry.ts";
import type { TaskRecord } from "./state.ts";

/** The handler refused the call (4xx): running it again will not help. */
export class HandlerRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HandlerRejectedError";
  }
}

/**
 * The task's config, verified (CID and sha256 = configHash) and schema-checked; "config-invalid" when it does
 * not match its commitment or the schema (tampered: logged with the typed error), "config-unavailable" when IPFS
 * kept failing.
 */
export async function loadTaskConfig(ipfs: Ipfs, r: TaskRecord, retry: Omit<RetryOptions, "onRetry">, log: Logger): Promise<TaskConfig | "config-invalid" | "config-unavailable"> {
  try {
    return await withRetry(() => fetchJson(ipfs, r.configUri, { sha256: r.configHash, schema: taskConfigSchema, signal: retry.signal }), retry);
  } catch (error) {
    const invalid = [ContentHashMismatchError, CidMismatchError, InvalidDocumentError, UnsupportedUriError].some((C) => error instanceof C);
    if (invalid) {
      log.warn({ err: error, configUri: r.configUri }, "task config refused");
      return "config-invalid";
    }
    if (error instanceof IpfsRequestError) {
      log.warn({ err: error, configUri: r.configUri }, "task config unavailable");
      return "config-unavailable";
    }
    throw error;
  }
}

/**
 * Asks the handler to run the task; retries while it is starting or overloaded (5xx, 429, connection refused).
 * `callbackSecret` (from CallbackServer.expectResult) is the one the result must come back with; every retry
 * sends the same one, so a call the handler accepted on a try whose answer got lost still reports correctly.
 */
export async function dispatchToHandler(
  baseUrl: string,
  config: TaskConfig,
  task: Address,
  callbackSecret: string,
  retry: Omit<RetryOptions, "onRetry"> & { signal: AbortSignal },
): Promise<void> {
  const url = `${baseUrl}/run/${encodeURIComponent(config.function_name)}/${task}`;
  await withRetry(async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", [CALLBACK_TOKEN_HEADER]: callbackSecret },
      body: JSON.stringify(config.data),
      signal: AbortSignal.any([retry.signal, AbortSignal.timeout(30_000)]),
    });
    const text = await response.text().catch(() => "");
    // 409: the handler already runs this task, usually from a try whose 202 got lost: its callback carries this
    // same secret and will come. A call left from an earlier run holds that run's secret and is refused then.
    if (response.status === 202 || response.status === 200 || response.status === 409) return;
    if (response.status >= 500 || response.status === 429) throw new TransientError(`handler answered ${response.status}: ${text.slice(0, 200)}`);
    throw new HandlerRejectedError(`handler answered ${response.status}: ${text.slice(0, 500)}`);
  }, retry);
}
