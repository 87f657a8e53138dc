// One task's way through the node, as a loop over its persisted phase:
//   seen → attempting → attempted → dispatched → result-received → submitting → done | failed | skipped
// Each step reads the phase from the state store, so the same code runs a fresh task and resumes one after a
// crash; side effects (transactions, handler runs) happen only after the phase that guards them is on disk.
import type { Address } from "viem";
import { getBlock } from "viem/actions";
import { TaskStatus } from "../sdk/abis.ts";
import {
  CidMismatchError,
  ContentHashMismatchError,
  InvalidDocumentError,
  IpfsRequestError,
  UnsupportedUriError,
  fetchJson,
  taskConfigSchema,
  uploadJson,
  type Ipfs,
  type TaskConfig,
} from "../sdk/ipfs/index.ts";
import { CallbackTimeoutError, type CallbackServer } from "./callback-server.ts";
import type { Logger } from "./logger.ts";
import type { NodeMetrics } from "./metrics.ts";
import { TransientError, withRetry } from "./retry.ts";
import { CapabilityMissingError, RuntimeError, type Environment } from "./runtime/index.ts";
import { SourceVerificationError, type StackLease, type StackManager } from "./stacks.ts";
import { TERMINAL_PHASES, type TaskRecord } from "./state.ts";
import {
  chainNow,
  readTask,
  reconcileAttempt,
  reconcileSubmit,
  reportLapses,
  sendAttempt,
  sendSubmit,
  type ChainContext,
} from "./task-chain.ts";

export type TaskRunnerDeps = Omit<ChainContext, "signal"> & {
  stacks: StackManager;
  callbacks: CallbackServer;
  ipfs: Ipfs;
  metrics: NodeMetrics;
  /** The environment the provider is registered with on `source`, undefined when it is not registered. */
  environmentOf: (source: Address) => Environment | undefined;
};

/** How a run ended: the task is terminal, shutdown paused it, or a step failed in a way worth retrying later. */
export type RunOutcome = "finished" | "paused" | "retry";

type Run = { ctx: ChainContext; log: Logger; config?: TaskConfig | undefined; lease?: StackLease | undefined };

/** The handler refused the call (4xx): running it again will not help. */
class HandlerRejectedError extends Error {}

export class TaskRunner {
  readonly #d: TaskRunnerDeps;
  constructor(deps: TaskRunnerDeps) {
    this.#d = deps;
  }

  async run(task: Address, signal: AbortSignal): Promise<RunOutcome> {
    const run: Run = { ctx: { ...this.#d, signal }, log: this.#d.logger.child({ task }) };
    try {
      for (let r = this.#d.state.task(task); r && !TERMINAL_PHASES.has(r.phase); r = this.#d.state.task(task)) {
        signal.throwIfAborted();
        await this.#step(run, r);
      }
      return "finished";
    } catch (error) {
      if (signal.aborted) {
        run.log.info({ phase: this.#d.state.task(task)?.phase }, "task paused by shutdown; it resumes on restart");
        return "paused";
      }
      run.log.error({ err: error, phase: this.#d.state.task(task)?.phase }, "task step failed; will retry");
      return "retry";
    } finally {
      run.lease?.release();
    }
  }

  async #step(run: Run, r: TaskRecord): Promise<void> {
    switch (r.phase) {
      case "seen":
        return this.#attempt(run, r);
      case "attempting":
        return this.#resumeAttempt(run, r);
      case "attempted":
      case "dispatched":
        return this.#execute(run, r);
      case "result-received":
        return this.#submit(run, r);
      case "submitting":
        return this.#resumeSubmit(run, r);
      default:
        return;
    }
  }

  async #end(run: Run, r: TaskRecord, phase: "done" | "failed" | "skipped", reason?: string, err?: unknown): Promise<void> {
    await this.#d.state.transition(r.task, phase, { reason });
    const m = this.#d.metrics;
    if (phase === "skipped") m.tasksSkipped.inc({ reason: reason ?? "unknown" });
    if (phase === "failed") m.tasksFailed.inc({ reason: reason ?? "unknown" });
    const level = phase === "done" ? "info" : err === undefined ? "info" : "warn";
    run.log[level]({ phase, reason, err }, `task ${phase}${reason ? `: ${reason}` : ""}`);
  }

  async #attempt(run: Run, r: TaskRecord): Promise<void> {
    const { config } = this.#d;
    const now = await chainNow(this.#d.client);
    const expiry = Number(r.expiryTime);
    if ((expiry - now) * 1000 < config.minTimeToDeadlineMs) return this.#end(run, r, "skipped", "expiring");
    const environment = this.#d.environmentOf(r.source);
    if (environment === undefined) return this.#end(run, r, "skipped", "not-registered");
    if (!config.environments.includes(environment)) return this.#end(run, r, "skipped", "environment-not-served");
    const doc = await this.#loadConfig(run, r);
    if (typeof doc === "string") return this.#end(run, r, "skipped", doc);
    run.config = doc;

    const t = await readTask(run.ctx, r.task);
    if (t.state.status >= TaskStatus.CANCELED) return this.#end(run, r, "skipped", "task-closed");
    const deadline = Math.min(now + t.terms.attemptTimeout, expiry);
    if ((deadline - now) * 1000 < config.minTimeToDeadlineMs) return this.#end(run, r, "skipped", "deadline-too-short");
    if (t.state.liveAttempts >= t.terms.maxConcurrentAttempts) {
      const freed = config.reportLapses ? await reportLapses(run.ctx, r, now) : 0;
      if (freed === 0) return this.#end(run, r, "skipped", "slots-full");
    }
    // Up before attempting: a slow `compose up` must not eat the attempt's time, and a source we cannot run
    // is skipped without taking (and lapsing) a slot.
    try {
      run.lease ??= await this.#d.stacks.acquire(r.source, environment, run.ctx.signal);
    } catch (error) {
      if (error instanceof SourceVerificationError) return this.#end(run, r, "skipped", "source-untrusted", error);
      if (error instanceof CapabilityMissingError) return this.#end(run, r, "skipped", "capability-missing", error);
      if (error instanceof RuntimeError) return this.#end(run, r, "skipped", "stack-failed", error);
      throw error;
    }
    const outcome = await sendAttempt(run.ctx, r, t.terms.deliveryMethod);
    if ("deadline" in outcome) {
      await this.#d.state.transition(r.task, "attempted", { deadline: outcome.deadline, deliveryMethod: t.terms.deliveryMethod });
      this.#d.metrics.tasksAttempted.inc();
      run.log.info({ deadline: outcome.deadline }, "attempted");
      return;
    }
    if (outcome.end === "already-attempted") {
      // Our state forgot an attempt the chain remembers: adopt it.
      await this.#d.state.transition(r.task, "attempting", { deliveryMethod: t.terms.deliveryMethod });
      return;
    }
    return this.#end(run, r, outcome.end, outcome.reason);
  }

  async #resumeAttempt(run: Run, r: TaskRecord): Promise<void> {
    const found = await reconcileAttempt(run.ctx, r);
    if (found.state === "not-attempted") {
      run.log.info({ hash: r.attemptTx?.hash }, "recorded attempt never landed; re-evaluating the task");
      await this.#d.state.transition(r.task, "seen", { attemptTx: undefined });
      return;
    }
    if (found.state === "responded") return this.#end(run, r, "done", "responded-earlier");
    if (found.state === "lapsed") return this.#end(run, r, "failed", "lapsed");
    const deliveryMethod = r.deliveryMethod ?? (await readTask(run.ctx, r.task)).terms.deliveryMethod;
    await this.#d.state.transition(r.task, "attempted", { deadline: found.deadline, deliveryMethod });
    this.#d.metrics.tasksAttempted.inc();
  }

  async #loadConfig(run: Run, r: TaskRecord): Promise<TaskConfig | "config-invalid" | "config-unavailable"> {
    try {
      return await withRetry(() => fetchJson(this.#d.ipfs, r.configUri, { sha256: r.configHash, schema: taskConfigSchema, signal: run.ctx.signal }), {
        ...this.#d.config.retry,
        signal: run.ctx.signal,
      });
    } catch (error) {
      const invalid = [ContentHashMismatchError, CidMismatchError, InvalidDocumentError, UnsupportedUriError].some((C) => error instanceof C);
      if (invalid) {
        run.log.warn({ err: error, configUri: r.configUri }, "task config refused");
        return "config-invalid";
      }
      if (error instanceof IpfsRequestError) {
        run.log.warn({ err: error, configUri: r.configUri }, "task config unavailable");
        return "config-unavailable";
      }
      throw error;
    }
  }

  /** Runs the handler: dispatch, wait for its callback until the deadline minus the margin, pin the result. */
  async #execute(run: Run, r: TaskRecord): Promise<void> {
    const { signal } = run.ctx;
    const now = await chainNow(this.#d.client);
    const budgetMs = ((r.deadline ?? 0) - now) * 1000 - this.#d.config.submitMarginMs;
    if (budgetMs <= 0) return this.#end(run, r, "failed", "deadline-passed");
    if (run.config === undefined) {
      const doc = await this.#loadConfig(run, r);
      if (typeof doc === "string") return this.#end(run, r, "failed", doc);
      run.config = doc;
    }
    const environment = this.#d.environmentOf(r.source) ?? this.#d.config.environments[0] ?? "cpu";
    try {
      run.lease ??= await this.#d.stacks.acquire(r.source, environment, signal);
    } catch (error) {
      if (error instanceof SourceVerificationError || error instanceof RuntimeError) return this.#end(run, r, "failed", "stack-failed", error);
      throw error;
    }
    const { baseUrl } = run.lease;
    const waiting = this.#d.callbacks.waitFor(r.task, { timeoutMs: budgetMs, signal });
    waiting.catch(() => undefined);
    await this.#d.state.transition(r.task, "dispatched", { dispatches: (r.dispatches ?? 0) + 1 });
    try {
      await this.#dispatch(baseUrl, run.config, r.task, signal);
    } catch (error) {
      if (error instanceof HandlerRejectedError) return this.#end(run, r, "failed", "handler-rejected", error);
      throw error;
    }
    run.log.info({ fn: run.config.function_name, budgetMs }, "dispatched to handler");
    let result;
    try {
      result = await waiting;
    } catch (error) {
      if (error instanceof CallbackTimeoutError) return this.#end(run, r, "failed", "timeout", error);
      throw error;
    }
    run.lease.release();
    run.lease = undefined;
    if (!result.ok) return this.#end(run, r, "failed", "handler-error", new Error(result.error));
    const pinned = await withRetry(() => uploadJson(this.#d.ipfs, result.json, { signal }), { ...this.#d.config.retry, signal });
    await this.#d.state.transition(r.task, "result-received", { result: { cid: pinned.cid, uri: pinned.uri, sha256: pinned.sha256, size: pinned.size } });
    run.log.info({ resultUri: pinned.uri, resultHash: pinned.sha256 }, "result pinned");
  }

  async #dispatch(baseUrl: string, config: TaskConfig, task: Address, signal: AbortSignal): Promise<void> {
    const url = `${baseUrl}/run/${encodeURIComponent(config.function_name)}/${task}`;
    await withRetry(
      async () => {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(config.data),
          signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
        });
        const text = await response.text().catch(() => "");
        // 409: the handler already runs this task (a re-dispatch after our restart); its callback will come.
        if (response.status === 202 || response.status === 200 || response.status === 409) return;
        if (response.status >= 500 || response.status === 429) throw new TransientError(`handler answered ${response.status}: ${text.slice(0, 200)}`);
        throw new HandlerRejectedError(`handler answered ${response.status}: ${text.slice(0, 500)}`);
      },
      { ...this.#d.config.retry, signal },
    );
  }

  async #submit(run: Run, r: TaskRecord): Promise<void> {
    const outcome = await sendSubmit(run.ctx, r);
    if ("blockNumber" in outcome) return this.#completed(run, r, outcome.blockNumber);
    if (outcome.end === "already-attempted") return this.#end(run, r, "failed", "unexpected-revert");
    return this.#end(run, r, outcome.end, outcome.reason);
  }

  async #resumeSubmit(run: Run, r: TaskRecord): Promise<void> {
    const found = await reconcileSubmit(run.ctx, r);
    if (found === "responded") return this.#completed(run, r, undefined);
    if (found === "resend") {
      await this.#d.state.transition(r.task, "result-received", { submitTx: undefined });
      return;
    }
    if (found.end === "already-attempted") return this.#end(run, r, "failed", "unexpected-revert");
    return this.#end(run, r, found.end, found.reason);
  }

  async #completed(run: Run, r: TaskRecord, blockNumber: bigint | undefined): Promise<void> {
    await this.#end(run, r, "done");
    this.#d.metrics.tasksCompleted.inc();
    try {
      const [published, mined] = await Promise.all([
        getBlock(this.#d.client, { blockNumber: BigInt(r.publishedBlock) }),
        getBlock(this.#d.client, blockNumber === undefined ? { blockTag: "latest" } : { blockNumber }),
      ]);
      this.#d.metrics.taskLatency.observe(Number(mined.timestamp - published.timestamp));
    } catch (error) {
      run.log.debug({ err: error }, "latency not recorded");
    }
  }
}
