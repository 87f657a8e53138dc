import { join } from "node:path";
// The provider node: watches the chain for tasks of the sources its provider is registered to, runs each
// through the TaskRunner with bounded concurrency, and shuts down by draining (no new tasks, in-flight ones
// get a grace period, then everything is persisted and the handler stacks go down).
import { setTimeout as sleep } from "node:timers/promises";
import { createPublicClient, http, type Account, type Address, type Chain, type PublicClient, type Transport } from "viem";
import { getBlockNumber, getChainId } from "viem/actions";
import { getPairing } from "../sdk/actions/reads.ts";
import { resolveDeployment } from "../sdk/chains.ts";
import { watchNexusEvents } from "../sdk/events/index.ts";
import { createIpfs, type Ipfs } from "../sdk/ipfs/index.ts";
import { CallbackServer } from "./callback-server.ts";
import type { NodeConfig } from "./config.ts";
import { Discovery, WATCHED_EVENTS } from "./discovery.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createNodeMetrics, startMetricsServer, type HealthReport, type MetricsServer, type NodeMetrics } from "./metrics.ts";
import { backoffDelay, Semaphore, withRetry } from "./retry.ts";
import { createHandlerRuntime, RuntimeError, type HandlerRuntime, type HandlerStack } from "./runtime/index.ts";
import { StackManager } from "./stacks.ts";
import { StateStore, TERMINAL_PHASES, type TaskRecord } from "./state.ts";
import { TaskRunner } from "./task-runner.ts";
import { TxSender } from "./tx.ts";

/** Runs of one task that may end in "retry" before it is given up (steps time out long before, normally). */
const MAX_TASK_RETRIES = 30;

export type ProviderNodeDeps = {
  /** The provider's signing account (from loadNodeConfig). Only its signatures leave it. */
  account: Account;
  logger?: Logger | undefined;
  /** Overrides the runtime built from the config (tests inject one). */
  runtime?: HandlerRuntime | undefined;
  ipfs?: Ipfs | undefined;
  metrics?: NodeMetrics | undefined;
};

export type ProviderNodeInfo = { provider: Address; nexus: Address; chainId: number; callbackUrl: string; metricsUrl: string | undefined };

export type ProviderNode = {
  /** Starts watching and working; resolves once running. Aborting `signal` is the same as calling stop(). */
  start: (signal?: AbortSignal) => Promise<ProviderNodeInfo>;
  /** Drains and stops; idempotent. Resolves when everything is persisted and down. */
  stop: () => Promise<void>;
  health: () => Promise<HealthReport>;
  metrics: NodeMetrics;
  /** Settles when the node has stopped (rejects if the event loop died of an unrecoverable error). */
  readonly closed: Promise<void>;
  /** The persisted task records (a copy), for tests and diagnostics. */
  tasks: () => TaskRecord[];
};

type Started = {
  client: PublicClient<Transport, Chain | undefined>;
  state: StateStore;
  callbacks: CallbackServer;
  stacks: StackManager;
  metricsServer: MetricsServer | undefined;
  watch: Promise<void>;
};

export function createProviderNode(config: NodeConfig, deps: ProviderNodeDeps): ProviderNode {
  const logger = (deps.logger ?? createLogger({ level: config.logLevel })).child({ provider: deps.account.address });
  const metrics = deps.metrics ?? createNodeMetrics();
  const provider = deps.account.address;
  const intake = new AbortController(); // aborted first: no new events, no new tasks
  const hard = new AbortController(); // aborted after the grace period: in-flight tasks pause
  const active = new Map<Address, Promise<void>>();
  const retries = new Map<Address, number>();
  const semaphore = new Semaphore(config.concurrency);
  let running = 0;
  let started: Started | undefined;
  let starting: Promise<ProviderNodeInfo> | undefined;
  let stopping: Promise<void> | undefined;
  let resolveClosed: () => void = () => undefined;
  let rejectClosed: (error: unknown) => void = () => undefined;
  const closed = new Promise<void>((resolve, reject) => {
    resolveClosed = resolve;
    rejectClosed = reject;
  });
  closed.catch(() => undefined);
  let fatal: unknown;

  function schedule(runner: TaskRunner, task: Address): void {
    if (active.has(task) || intake.signal.aborted) return;
    const job = (async () => {
      let release: () => void;
      try {
        release = await semaphore.acquire(intake.signal);
      } catch {
        return; // draining: the task stays in its persisted phase and resumes on restart
      }
      metrics.inflight.inc();
      running++;
      try {
        const outcome = await runner.run(task, hard.signal);
        if (typeof outcome === "object") {
          setTimeout(() => schedule(runner, task), outcome.deferMs).unref();
          return;
        }
        if (outcome !== "retry") {
          retries.delete(task);
          return;
        }
        const n = (retries.get(task) ?? 0) + 1;
        retries.set(task, n);
        if (n > MAX_TASK_RETRIES) {
          retries.delete(task);
          await runner.giveUp(task, n);
          return;
        }
        const delay = backoffDelay(n, 2_000, 60_000);
        setTimeout(() => schedule(runner, task), delay).unref();
      } finally {
        metrics.inflight.dec();
        running--;
        release();
      }
    })().finally(() => active.delete(task));
    active.set(task, job);
  }

  async function watchLoop(client: PublicClient<Transport, Chain | undefined>, state: StateStore, discovery: Discovery, runner: TaskRunner, nexus: Address, startBlock: bigint): Promise<void> {
    let failures = 0;
    while (!intake.signal.aborted) {
      try {
        const batches = watchNexusEvents(client, {
          nexus,
          events: WATCHED_EVENTS,
          fromBlock: startBlock,
          cursorStore: state.cursorStore(),
          confirmations: config.confirmations,
          pollingInterval: config.pollingIntervalMs,
          signal: intake.signal,
          onError: (error) => logger.warn({ err: error }, "event poll failed; retrying"),
        });
        for await (const batch of batches) {
          const added = await discovery.handle(batch);
          for (const task of added) schedule(runner, task);
          failures = 0;
        }
      } catch (error) {
        if (intake.signal.aborted) return;
        failures++;
        // The watcher resumes from the persisted cursor: nothing delivered is lost, nothing handled is redone.
        logger.error({ err: error, failures }, "event watcher failed; restarting from the saved cursor");
        await sleep(backoffDelay(failures, 1_000, 30_000), undefined, { signal: intake.signal }).catch(() => undefined);
      }
    }
  }

  function start(signal?: AbortSignal): Promise<ProviderNodeInfo> {
    if (starting || stopping) return Promise.reject(new Error("a provider node starts once"));
    if (signal?.aborted) return Promise.reject(signal.reason);
    signal?.addEventListener("abort", () => void stop(), { once: true });
    starting = doStart();
    return starting;
  }

  async function doStart(): Promise<ProviderNodeInfo> {
    const client = createPublicClient({ transport: http(config.rpcUrl, { timeout: config.rpcTimeoutMs }), pollingInterval: config.pollingIntervalMs });
    const retry = {
      ...config.retry,
      signal: intake.signal,
      onRetry: (error: unknown, attempt: number, delayMs: number) => logger.warn({ err: error, attempt, delayMs }, "startup RPC call failed; retrying"),
    };
    const chainId = await withRetry(() => getChainId(client), retry);
    if (config.chainId !== undefined && config.chainId !== chainId) throw new Error(`the RPC serves chain ${chainId}, the config says ${config.chainId}`);
    const deployment = await withRetry(() => resolveDeployment(client, { nexus: config.nexus }), retry);
    const nexus = deployment.nexus;
    const state = await StateStore.open(config.stateDir, { chainId, nexus, provider });
    const callbacks = new CallbackServer({ host: config.callback.host, port: config.callback.port, logger: logger.child({ part: "callbacks" }) });
    let stacks: StackManager | undefined;
    let metricsServer: MetricsServer | undefined;
    try {
      const { url: callbackUrl } = await callbacks.start();
      const ipfs = deps.ipfs ?? createIpfs({ rpcUrl: config.ipfs.rpcUrl, gatewayUrl: config.ipfs.gatewayUrl, headers: config.ipfs.headers, timeoutMs: config.ipfs.timeoutMs });
      const runtime = deps.runtime ?? (await createHandlerRuntime(runtimeConfig(config, logger, chainId)));
      stacks = new StackManager({
        runtime,
        ipfs,
        client,
        stateDir: config.stateDir,
        callbackUrl,
        provider,
        idleTimeoutMs: config.stackIdleTimeoutMs,
        healthTimeoutMs: config.stackHealthTimeoutMs,
        retry: config.retry,
        logger: logger.child({ part: "stacks" }),
        signal: hard.signal,
      });
      const sender = new TxSender({ client, account: deps.account, chainId, logger, delayBroadcastMs: config.faults.delayBroadcastMs });
      const base = { config, state, client, sender, logger, nexus, provider };
      const startBlock = config.fromBlock ?? deployment.deployBlock;
      const discovery = new Discovery({ config, client, state, stacks, metrics, logger, nexus, provider, startBlock, signal: intake.signal });
      const runner = new TaskRunner({ ...base, stacks, callbacks, ipfs, metrics, environmentOf: (s) => discovery.environmentOf(s) });
      if (config.metrics.enabled) {
        metricsServer = await startMetricsServer({ host: config.metrics.host, port: config.metrics.port, metrics, health });
      }
      const pairing = await getPairing(client, { provider, nexus }).catch(() => undefined);
      if (pairing && !pairing.paired) logger.warn({ master: pairing.master }, "provider is not paired with a master: attempts will be refused");
      if (state.cursor === undefined) await discovery.seedRegistrations(deployment.deployBlock);
      const resumed = state.tasks().filter((r) => !TERMINAL_PHASES.has(r.phase));
      if (resumed.length > 0) logger.info({ tasks: resumed.map((r) => ({ task: r.task, phase: r.phase })) }, "resuming tasks from the state");
      for (const r of resumed) schedule(runner, r.task);
      const watch = watchLoop(client, state, discovery, runner, nexus, startBlock).catch((error: unknown) => {
        fatal = error;
        logger.fatal({ err: error }, "event loop died");
        void stop();
      });
      started = { client, state, callbacks, stacks, metricsServer, watch };
      const info = { provider, nexus, chainId, callbackUrl, metricsUrl: metricsServer?.url };
      logger.info({ ...info, sources: [...state.sources().keys()], cursor: state.cursor }, "provider node running");
      return info;
    } catch (error) {
      await metricsServer?.close();
      await stacks?.stopAll();
      await callbacks.close();
      await state.close();
      throw error;
    }
  }

  async function health(): Promise<HealthReport> {
    const s = started;
    const cursor = s?.state.cursor?.blockNumber ?? null;
    if (!s) return { status: "unhealthy", chainHead: null, cursor, inflight: running, error: "not started" };
    if (fatal !== undefined) return { status: "unhealthy", chainHead: null, cursor, inflight: running, error: String(fatal) };
    try {
      const head = await Promise.race([getBlockNumber(s.client, { cacheTime: 0 }), sleep(5_000).then(() => Promise.reject(new Error("RPC timeout")))]);
      return { status: "ok", chainHead: head.toString(), cursor, inflight: running };
    } catch (error) {
      return { status: "unhealthy", chainHead: null, cursor, inflight: running, error: `RPC unreachable: ${(error as Error).message}` };
    }
  }

  function stop(): Promise<void> {
    stopping ??= (async () => {
      intake.abort();
      await starting?.catch(() => undefined);
      const s = started;
      if (!s) return resolveClosed();
      try {
        await s.watch;
        const inflight = [...active.values()];
        if (inflight.length > 0) logger.info({ inflight: inflight.length, graceMs: config.shutdownGraceMs }, "draining in-flight tasks");
        const timer = setTimeout(() => hard.abort(), config.shutdownGraceMs);
        await Promise.allSettled(inflight);
        clearTimeout(timer);
        hard.abort();
        await s.stacks.stopAll();
        await s.callbacks.close();
        await s.metricsServer?.close();
        await s.state.close();
        logger.info("provider node stopped");
        if (fatal !== undefined) rejectClosed(fatal);
        else resolveClosed();
      } catch (error) {
        rejectClosed(error);
        throw error;
      }
    })();
    return stopping;
  }

  return { start, stop, health, metrics, closed, tasks: () => started?.state.tasks() ?? [] };
}

function runtimeConfig(config: NodeConfig, logger: Logger, chainId: number): Parameters<typeof createHandlerRuntime>[0] {
  const runtimeLogger = logger.child({ part: "runtime" });
  // Locally built image tags only on the local development chain (31337); elsewhere images are pinned by digest.
  const docker = {
    logger: runtimeLogger,
    healthTimeoutMs: config.stackHealthTimeoutMs,
    allowLocalImages: chainId === 31337,
    workDir: join(config.stateDir, "runtime"),
  };
  const entries = config.localProcess?.entries;
  const local = entries
    ? {
        entry: (stack: HandlerStack) => {
          const entry = Object.entries(entries).find(([k]) => k.toLowerCase() === stack.sourceAddress.toLowerCase())?.[1] ?? entries["*"];
          if (entry === undefined) throw new RuntimeError(`no local-process entry for source ${stack.sourceAddress}`);
          return entry;
        },
        environments: config.environments,
        logger: runtimeLogger,
        healthTimeoutMs: config.stackHealthTimeoutMs,
        ...(config.localProcess?.nodePath ? { nodePath: config.localProcess.nodePath } : {}),
      }
    : undefined;
  if (config.runtime === "docker-compose") return { kind: "docker-compose", docker };
  if (config.runtime === "local-process") {
    if (!local) throw new Error('runtime "local-process" needs localProcess.entries');
    return { kind: "local-process", local };
  }
  return { kind: "auto", docker, ...(local ? { local } : {}) };
}
