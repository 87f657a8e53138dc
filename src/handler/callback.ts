import type { Logger } from "pino";

export type CallbackDeliveryOptions = {
  /** Total tries, the first included. */
  retries: number;
  /** First backoff delay; doubles per try up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per-try timeout so one stuck connection cannot hold a result forever. */
  attemptTimeoutMs: number;
  /** The run's callback token from its dispatch, sent as `Authorization: Bearer`; omitted when undefined. */
  token?: string | undefined;
  logger: Logger;
};

export type CallbackDeliveryResult =
  | { delivered: true; status: number; tries: number }
  | { delivered: false; status?: number; tries: number; reason: string };

/** `${base}/${task}` without doubling or losing the slash, whatever the operator wrote. */
export function callbackTarget(callbackUrl: string, taskId: string): string {
  return `${callbackUrl.replace(/\/+$/, "")}/${encodeURIComponent(taskId)}`;
}

// Only failures that a later try can fix are retried: the network and the receiver's 5xx / 429.
// A 4xx means the receiver refused this body; sending it again would be refused again.
function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

// undici reports every network failure as "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND…) is the cause.
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.name}: ${error.message}${cause}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * POSTs a JSON body with bounded exponential backoff. Never throws: the caller has nobody left to
 * tell, so the outcome is returned and logged instead.
 */
export async function deliverCallback(
  url: string,
  body: string,
  options: CallbackDeliveryOptions,
): Promise<CallbackDeliveryResult> {
  const tries = Math.max(1, Math.floor(options.retries));
  let lastReason = "";
  let lastStatus: number | undefined;
  let used = 0;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  for (let attempt = 1; attempt <= tries; attempt++) {
    used = attempt;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(options.attemptTimeoutMs),
      });
      // Drain so the connection can be reused; the receiver's answer body is not part of the contract.
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { delivered: true, status: response.status, tries: attempt };
      lastStatus = response.status;
      lastReason = `HTTP ${response.status}`;
      if (!isRetryableStatus(response.status)) break;
    } catch (error) {
      lastStatus = undefined;
      lastReason = describeFetchError(error);
    }
    if (attempt < tries) {
      const wait = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      options.logger.warn({ url, attempt, reason: lastReason, retryInMs: wait }, "callback failed, retrying");
      await delay(wait);
    }
  }
  options.logger.error({ url, reason: lastReason, status: lastStatus }, "callback not delivered");
  return lastStatus === undefined
    ? { delivered: false, tries: used, reason: lastReason }
    : { delivered: false, status: lastStatus, tries: used, reason: lastReason };
}
