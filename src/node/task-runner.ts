// One task's way through the node, as a loop over its persisted phase:
//   seen → attempting → attempted → dispatched → result-received → committing → submitting → done | failed | skipped
// Each step reads the phase from the state store, so the same code runs a fresh task and resumes one after a
// crash; side effects (transactions, handler runs) happen only after the phase that guards them is on disk.
import { setTimeout as sleep } from "node:timers/promises";
import type { Address } from "viem";
import { getBlock } from "viem/actions";
import { AttemptState, MIN_ATTEMPT_WINDOW_DIVISOR, TaskStatus } from "../sdk/abis.ts";
import { encodeDocument, uploadBytes, type Ipfs, type TaskConfig } from "../sdk/ipfs/index.ts";
import { CallbackTimeoutError, type CallbackServer } from "./callback-server.ts";
import { PublishedHandlers } from "./handler-version.ts";
import type { Logger } from "./logger.ts";
import type { NodeMetrics } from "./metrics.ts";
import { withRetry } from "./retry.ts";
import { CapabilityMissingError, RuntimeError, type Environment } from "./runtime/index.ts";
import { dropSpooled, readSpooled, spool } from "./spool.ts";
import { dispatchToHandler, HandlerRejectedError, loadTaskConfig } from "./task-io.ts";
import { SourceVerificationError, type StackLease, type StackManager } from "./stacks.ts";
import { TERMINAL_PHASES, type TaskRecord } from "./state.ts";
import { chainNow, readAttempt, readTask, reconcileAttempt, releaseCutShort, reportLapses, stakeShortfall, sendAttempt, type ChainContext, type RevertOutcome } from "./task-chain.ts";
import { reconcileCommit, reconcileReveal, sendCommit, sendReveal } from "./task-response.ts";
import { createResponseSecret } from "../sdk/actions/responses.ts";

export type TaskRunnerDeps = Omit<ChainContext, "signal"> & {
  stacks: StackManager;
  callbacks: CallbackServer;
  ipfs: Ipfs;
  metrics: NodeMetrics;
  /** The environment the provider is registered with on `source`, undefined when it is not registered. */
  environmentOf: (source: Address) => Environment | undefined;
};

/**
 * How a run ended: the task is terminal, shutdown paused it, a step failed in a way worth retrying later, or
 * the task waits for something known (a slot that frees at a deadline) and should run again after `deferMs`.
 */
export type RunOutcome = "finished" | "paused" | "retry" | { deferMs: number };

/** The handler stopped answering while it ran a task (process exited, container died): no callback will come. */
export class HandlerCrashedError extends Error {
  constructor(projectName: string) {
    super(`the handler of ${projectName} stopped answering /health while it ran the task`);
    this.name = "HandlerCrashedError";
  }
}

/** Thrown by a step that cannot proceed yet but knows when it may: not a failure. */
class DeferError extends Error {
  readonly deferMs: number;
  constructor(reason: string, deferMs: number) {
    super(reason);
    this.deferMs = deferMs;
  }
}

type Run = { ctx: ChainContext; log: Logger; config?: TaskConfig | undefined; lease?: StackLease | undefined };

export class TaskRunner {
  readonly #d: TaskRunnerDeps;
  readonly #handlers = new PublishedHandlers();
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
      if (error instanceof DeferError) {
        run.log.info({ reason: error.message, deferMs: error.deferMs }, "task deferred");
        return { deferMs: error.deferMs };
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
        return this.#commit(run, r);
      case "committing":
        return this.#resumeCommit(run, r);
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
    // The protocol refuses an attempt with less than half the attempt timeout left before expiry.
    if (expiry - now < Math.floor(t.terms.attemptTimeout / MIN_ATTEMPT_WINDOW_DIVISOR)) return this.#end(run, r, "skipped", "window-too-short");
    const shortfall = await stakeShortfall(run.ctx, t.terms);
    if (shortfall !== undefined) {
      const { master, freeLockup, needed } = shortfall;
      run.log.info({ master, freeLockup: freeLockup.toString(), needed: needed.toString() }, "the master's free lockup does not cover this task's penalty");
      return this.#end(run, r, "skipped", "stake-insufficient");
    }
    if (t.state.liveAttempts >= t.terms.maxConcurrentAttempts) {
      const freed = config.reportLapses ? await reportLapses(run.ctx, r, now) : 0;
      if (freed === 0) return this.#slotsFull(run, r, t.state.lastDeadline, now);
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
    if (await this.#handlerChanged(run, r, t.terms.sourceVersion)) return this.#end(run, r, "skipped", "handler-changed");
    // Starting the stack may have taken a while: the margin must still hold.
    if ((expiry - (await chainNow(this.#d.client))) * 1000 < config.minTimeToDeadlineMs) return this.#end(run, r, "skipped", "expiring");
    const outcome = await sendAttempt(run.ctx, r, t.terms.deliveryMethod);
    if ("deadline" in outcome) {
      await this.#d.state.transition(r.task, "attempted", {
        deadline: outcome.deadline,
        deliveryMethod: t.terms.deliveryMethod,
        verification: t.terms.verification,
      });
      this.#d.metrics.tasksAttempted.inc();
      run.log.info({ deadline: outcome.deadline }, "attempted");
      return;
    }
    if (outcome.end === "already-attempted") {
      // Our state forgot an attempt the chain remembers: adopt it.
      await this.#d.state.transition(r.task, "attempting", { deliveryMethod: t.terms.deliveryMethod, verification: t.terms.verification });
      return;
    }
    if (outcome.reason === "slots-full") return this.#slotsFull(run, r, (await readTask(run.ctx, r.task)).state.lastDeadline, now);
    return this.#end(run, r, outcome.end, outcome.reason);
  }

  /**
   * Every slot is held by a live attempt. The latest deadline bounds them all: by then each has responded
   * (freeing its slot on a MANUAL task) or lapsed (reportable). Come back then if the task is still open.
   */
  async #slotsFull(run: Run, r: TaskRecord, lastDeadline: number, now: number): Promise<void> {
    const retryAt = lastDeadline + 1;
    if ((Number(r.expiryTime) - retryAt) * 1000 < this.#d.config.minTimeToDeadlineMs) return this.#end(run, r, "skipped", "slots-full");
    // A lapse is provable once a block at or after the deadline exists: allow a block time of slack. Deadlines
    // already passed but unreported (reportLapses off, or the report was refused): poll slowly.
    throw new DeferError("slots-full", retryAt > now ? (retryAt - now) * 1000 + 2_000 : 15_000);
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
    const terms = r.deliveryMethod === undefined || r.verification === undefined ? (await readTask(run.ctx, r.task)).terms : undefined;
    await this.#d.state.transition(r.task, "attempted", {
      deadline: found.deadline,
      deliveryMethod: r.deliveryMethod ?? terms?.deliveryMethod,
      verification: r.verification ?? terms?.verification,
    });
    this.#d.metrics.tasksAttempted.inc();
  }

  /**
   * Whether the stack just leased runs another handler than the one the task was published under (the source's
   * metadata changed since). The lease is given back then: this run will not use it. A task published under a newer
   * version than a busy stack runs is deferred instead, until the stack restarts with that version's handler.
   */
  async #handlerChanged(run: Run, r: TaskRecord, publishedVersion: number): Promise<boolean> {
    const lease = run.lease;
    if (lease === undefined) return false;
    const drift = await this.#handlers.drift(run.ctx, lease, r.source, publishedVersion);
    if (drift === undefined) return false;
    lease.release();
    run.lease = undefined;
    // The task is newer than the stack, which another task still holds: its handler starts once that one is done.
    if (drift.publishedVersion > drift.runningVersion) throw new DeferError("handler-starting", 5_000);
    run.log.warn(drift, "the source's handler changed since this task was published; not running it under another");
    return true;
  }

  #loadConfig(run: Run, r: TaskRecord): Promise<TaskConfig | "config-invalid" | "config-unavailable"> {
    return loadTaskConfig(this.#d.ipfs, r, { ...this.#d.config.retry, signal: run.ctx.signal }, run.log);
  }

  /** Runs the handler: dispatch, wait for its callback until the deadline minus the margin, pin the result. */
  async #execute(run: Run, r: TaskRecord): Promise<void> {
    const { signal } = run.ctx;
    const now = await chainNow(this.#d.client);
    const budgetMs = ((r.deadline ?? 0) - now) * 1000 - this.#d.config.submitMarginMs;
    if (budgetMs <= 0) return this.#end(run, r, "failed", "deadline-passed");
    // A result already spooled (pinning failed or we crashed right after it arrived) is not computed again.
    const spooled = await readSpooled(this.#d.config.stateDir, r.task);
    if (spooled !== undefined) return this.#pin(run, r, spooled);
    if (run.config === undefined) {
      const doc = await this.#loadConfig(run, r);
      if (typeof doc === "string") return this.#end(run, r, "failed", doc);
      run.config = doc;
    }
    const environment = this.#d.environmentOf(r.source) ?? this.#d.config.environments[0] ?? "cpu";
    if (run.lease === undefined) {
      // Resumed after a restart: the stack is acquired again, and must still run the task's handler.
      try {
        run.lease = await this.#d.stacks.acquire(r.source, environment, signal);
      } catch (error) {
        if (error instanceof SourceVerificationError || error instanceof RuntimeError) return this.#end(run, r, "failed", "stack-failed", error);
        throw error;
      }
      if (await this.#handlerChanged(run, r, (await readTask(run.ctx, r.task)).terms.sourceVersion)) return this.#end(run, r, "failed", "handler-changed");
    }
    const { baseUrl } = run.lease;
    // Aborted once the wait is over, however it ended: no waiter or probe outlives it.
    const watching = new AbortController();
    // Registered before dispatch, fresh for this run: the callback server accepts this run's result only.
    const callbackSecret = this.#d.callbacks.expectResult(r.task);
    const waiting = this.#d.callbacks.waitFor(r.task, { timeoutMs: budgetMs, signal: AbortSignal.any([signal, watching.signal]) });
    waiting.catch(() => undefined);
    await this.#d.state.transition(r.task, "dispatched", { dispatches: (r.dispatches ?? 0) + 1 });
    let result;
    try {
      try {
        await dispatchToHandler(baseUrl, run.config, r.task, callbackSecret, { ...this.#d.config.retry, signal });
      } catch (error) {
        if (error instanceof HandlerRejectedError) return this.#end(run, r, "failed", "handler-rejected", error);
        throw error;
      }
      run.log.info({ fn: run.config.function_name, budgetMs }, "dispatched to handler");
      try {
        result = await Promise.race([waiting, this.#watchHandler(run.lease, AbortSignal.any([signal, watching.signal]))]);
      } catch (error) {
        if (error instanceof CallbackTimeoutError) return this.#end(run, r, "failed", "timeout", error);
        if (error instanceof HandlerCrashedError) {
          // Its attempt is on-chain and lapses; the stack is restarted for the next task.
          run.lease.reportDown();
          return this.#end(run, r, "failed", "handler-crashed", error);
        }
        throw error;
      }
    } finally {
      watching.abort();
    }
    run.lease.release();
    run.lease = undefined;
    if (!result.ok) return this.#end(run, r, "failed", "handler-error", new Error(result.error));
    // Canonical JSON bytes (sorted keys): what is pinned, hashed and committed on-chain.
    const bytes = encodeDocument(result.json);
    await spool(this.#d.config.stateDir, r.task, bytes);
    return this.#pin(run, r, bytes);
  }

  /**
   * Probes the handler while its callback is awaited; rejects with HandlerCrashedError once it is seen down twice
   * in a row (its process exited, its container died: the callback will never come). Never resolves otherwise.
   */
  async #watchHandler(lease: StackLease, signal: AbortSignal): Promise<never> {
    const everyMs = this.#d.config.handlerProbeIntervalMs;
    if (everyMs === 0) return new Promise<never>(() => undefined);
    let down = 0;
    for (;;) {
      await sleep(everyMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return new Promise<never>(() => undefined);
      const seen = await lease.probe(signal);
      down = seen === "down" ? down + 1 : 0;
      if (down >= 2) throw new HandlerCrashedError(lease.projectName);
    }
  }

  async #pin(run: Run, r: TaskRecord, bytes: Uint8Array): Promise<void> {
    const { signal } = run.ctx;
    const pinned = await withRetry(() => uploadBytes(this.#d.ipfs, bytes, { signal }), { ...this.#d.config.retry, signal });
    await this.#d.state.transition(r.task, "result-received", { result: { cid: pinned.cid, uri: pinned.uri, sha256: pinned.sha256, size: pinned.size } });
    await dropSpooled(this.#d.config.stateDir, r.task);
    run.log.info({ resultUri: pinned.uri, resultHash: pinned.sha256 }, "result pinned");
  }

  /** Ends a task that kept failing for reasons no retry fixed. */
  async giveUp(task: Address, attempts: number): Promise<void> {
    const r = this.#d.state.task(task);
    if (!r || TERMINAL_PHASES.has(r.phase)) return;
    const run: Run = { ctx: { ...this.#d, signal: new AbortController().signal }, log: this.#d.logger.child({ task }) };
    await this.#end(run, r, r.phase === "seen" ? "skipped" : "failed", "gave-up", new Error(`still failing after ${attempts} runs`));
  }

  async #commit(run: Run, r: TaskRecord): Promise<void> {
    // On disk before the commitment is signed: whatever happens next, a restart can reveal it.
    const recorded = await this.#d.state.transition(r.task, "committing", { secret: createResponseSecret(), commitTx: undefined, submitTx: undefined });
    return this.#committed(run, recorded, await sendCommit(run.ctx, recorded));
  }

  async #resumeCommit(run: Run, r: TaskRecord): Promise<void> {
    const found = await reconcileCommit(run.ctx, r);
    if (found === "responded") return this.#completed(run, r, undefined);
    if (found === "resend") {
      run.log.info({ hash: r.commitTx?.hash }, "recorded commitment never landed; committing again with the same secret");
      const again = await this.#d.state.transition(r.task, "committing", { commitTx: undefined });
      return this.#committed(run, again, await sendCommit(run.ctx, again));
    }
    return this.#committed(run, r, found);
  }

  /** The commitment is mined (or refused): reveal it, in a later block. */
  async #committed(run: Run, r: TaskRecord, outcome: "committed" | RevertOutcome): Promise<void> {
    if (outcome !== "committed") return this.#refused(run, r, outcome);
    run.log.info("response committed");
    return this.#reveal(run, r);
  }

  async #reveal(run: Run, r: TaskRecord): Promise<void> {
    const outcome = await sendReveal(run.ctx, r);
    if ("blockNumber" in outcome) return this.#completed(run, r, outcome.blockNumber);
    // A refusal can be our own earlier send of this response landing first (its RPC answer was lost, the send
    // was retried and the retry's simulation saw the task answered): the chain knows whose response it holds.
    if ((await readAttempt(run.ctx, r.task)).state === AttemptState.RESPONDED) {
      run.log.info({ refused: "reason" in outcome ? outcome.reason : outcome.end }, "our response had already landed; the retry was refused");
      return this.#completed(run, r, undefined);
    }
    return this.#refused(run, r, outcome);
  }

  async #refused(run: Run, r: TaskRecord, outcome: RevertOutcome): Promise<void> {
    if (outcome.end === "already-attempted") return this.#end(run, r, "failed", "unexpected-revert");
    await this.#releaseIfCutShort(run, r, outcome.reason);
    return this.#end(run, r, outcome.end, outcome.reason);
  }

  /** A lost FIRST_RESPONSE race or a task closed under us leaves our reservation for us to release. */
  async #releaseIfCutShort(run: Run, r: TaskRecord, reason: string): Promise<void> {
    if (reason !== "lost-race" && reason !== "task-closed" && reason !== "voting-closed") return;
    if (await releaseCutShort(run.ctx, r)) this.#d.metrics.attemptsReleased.inc();
  }

  async #resumeSubmit(run: Run, r: TaskRecord): Promise<void> {
    const found = await reconcileReveal(run.ctx, r);
    if (found === "responded") return this.#completed(run, r, undefined);
    if (found === "resend") {
      // The reveal never landed; the commitment still waits for it.
      await this.#d.state.transition(r.task, "committing", { submitTx: undefined });
      return;
    }
    return this.#refused(run, r, found);
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
