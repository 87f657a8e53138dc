import { setTimeout as sleep } from "node:timers/promises";
import { HealthTimeoutError } from "./errors.ts";

export type WaitForHealthOptions = {
  baseUrl: string;
  projectName: string;
  timeoutMs: number;
  intervalMs?: number;
  /** One probe's own timeout, so a half-open socket cannot eat the whole budget. */
  probeTimeoutMs?: number;
  signal?: AbortSignal;
  /** Called between probes; throws to give up early (the process or container already died). */
  check?: () => Promise<void>;
  /** How often `check` runs; it can be costlier than a probe (e.g. a docker inspect). */
  checkEveryMs?: number;
};

/** Polls `${baseUrl}/health` until it answers 200, the budget runs out (HealthTimeoutError) or `check` throws. */
export async function waitForHealth(options: WaitForHealthOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 200;
  const checkEveryMs = options.checkEveryMs ?? 1_000;
  let lastProblem = "no probe yet";
  let lastCheck = Date.now();
  for (;;) {
    options.signal?.throwIfAborted();
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new HealthTimeoutError(options.projectName, options.baseUrl, options.timeoutMs, lastProblem);
    try {
      const probeSignal = AbortSignal.timeout(Math.min(options.probeTimeoutMs ?? 2_000, remaining));
      const signal = options.signal ? AbortSignal.any([options.signal, probeSignal]) : probeSignal;
      const response = await fetch(`${options.baseUrl}/health`, { signal });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status === 200) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      options.signal?.throwIfAborted();
      lastProblem = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}` : String(error);
    }
    if (options.check && Date.now() - lastCheck >= checkEveryMs) {
      lastCheck = Date.now();
      await options.check();
    }
    await sleep(Math.max(0, Math.min(intervalMs, deadline - Date.now())), undefined, options.signal ? { signal: options.signal } : {});
  }
}

/**
 * One look at a running handler: "up" (200), "down" (refused or reset: nothing listens any more; or a non-200
 * answer such as a draining 503), "unknown" (no answer in time: a handler busy computing on its event loop is
 * not a dead one).
 */
export async function probeHealth(baseUrl: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<"up" | "down" | "unknown"> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 2_000);
  try {
    const response = await fetch(`${baseUrl}/health`, { signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout });
    await response.arrayBuffer().catch(() => undefined);
    return response.status === 200 ? "up" : "down";
  } catch (error) {
    if (options.signal?.aborted || timeout.aborted) return "unknown";
    // undici: "fetch failed" with ECONNREFUSED / ECONNRESET / "other side closed" as its cause.
    return error instanceof TypeError ? "down" : "unknown";
  }
}
