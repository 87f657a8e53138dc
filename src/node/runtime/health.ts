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
