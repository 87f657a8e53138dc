import { spawn, type ChildProcess } from "node:child_process";
import { pino, type Logger } from "pino";
import { CapabilityMissingError, HealthTimeoutError, RuntimeError, StackStartError } from "./errors.ts";
import { inheritedEnv } from "./exec.ts";
import { waitForHealth } from "./health.ts";
import {
  assertValidStack,
  type Environment,
  type HandlerRuntime,
  type HandlerStack,
  type StartOptions,
  type StartedStack,
} from "./types.ts";

export type LocalProcessRuntimeOptions = {
  /** The handler entry file to run (e.g. examples/matmul-source/handler.ts), or a choice per stack. */
  entry: string | ((stack: HandlerStack) => string);
  /** Default: the Node running this process (22+, which strips TypeScript types itself). */
  nodePath?: string;
  nodeArgs?: readonly string[];
  /** What this machine can serve without containers. Default ["cpu"]. */
  environments?: readonly Environment[];
  /** Where PATH is taken from. Default process.env; nothing else is inherited. */
  baseEnv?: Readonly<Record<string, string | undefined>>;
  handlerHost?: string;
  healthTimeoutMs?: number;
  /** How long SIGTERM gets before SIGKILL. Default 10 s, like `docker stop`. */
  killGraceMs?: number;
  logger?: Logger;
};

type Child = { process: ChildProcess; exited: Promise<void>; output: string[] };

/**
 * Preloaded into every handler process: when the process that spawned it is gone (the node was killed with -9,
 * or crashed, so nobody will ever stop this handler), the handler is re-parented and `process.ppid` changes. It
 * then gets SIGTERM (time to clean up after itself) and SIGKILL 5 s later if it is still there: with its node gone no
 * result can be delivered anyway, and a handler logging to the dead node's stdout pipe may never get out of its
 * shutdown (sonic-boom's flushSync, under pino, retries a write that fails with EPIPE forever). The watch runs in a
 * worker thread, so a handler whose main thread is stuck or busy computing is still ended. Polling `ppid` needs no
 * pipe and no cooperation from the handler's code, and works on Linux and macOS.
 */
const WATCHDOG_WORKER = [
  "const parent = process.ppid;",
  "const timer = setInterval(() => {",
  "  if (process.ppid === parent) return;",
  "  clearInterval(timer);",
  "  process.kill(process.pid, 'SIGTERM');",
  "  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 5000);",
  "}, 500);",
].join("\n");
const PARENT_WATCHDOG = `data:text/javascript,${encodeURIComponent(
  `import { Worker } from "node:worker_threads"; new Worker(${JSON.stringify(WATCHDOG_WORKER)}, { eval: true }).unref();`,
)}`;

const MAX_TAIL_LINES = 60;

/** Runs a handler as a plain child process, for machines without Docker (no isolation: trusted sources only). */
export class LocalProcessRuntime implements HandlerRuntime {
  readonly kind = "local-process";
  readonly #options: LocalProcessRuntimeOptions;
  readonly #baseEnv: Record<string, string>;
  readonly #logger: Logger;
  readonly #children = new Map<string, Child>();

  constructor(options: LocalProcessRuntimeOptions) {
    this.#options = options;
    this.#baseEnv = inheritedEnv(options.baseEnv ?? process.env, ["PATH"]);
    this.#logger = options.logger ?? pino({ name: "handler-runtime" });
  }

  async start(stack: HandlerStack, options: StartOptions = {}): Promise<StartedStack> {
    assertValidStack(stack);
    const { projectName } = stack;
    if (!(this.#options.environments ?? ["cpu"]).includes(stack.environment)) {
      throw new CapabilityMissingError(stack.environment, "the local-process runtime is configured without it");
    }
    if (this.#children.has(projectName)) throw new RuntimeError(`stack ${projectName} is already started`);
    const entry = typeof this.#options.entry === "function" ? this.#options.entry(stack) : this.#options.entry;
    const host = this.#options.handlerHost ?? "127.0.0.1";
    const log = this.#logger.child({ project: projectName });

    const child = spawn(this.#options.nodePath ?? process.execPath, [...(this.#options.nodeArgs ?? []), "--import", PARENT_WATCHDOG, entry], {
      // The same contract a container gets, and nothing of this process's own environment but PATH.
      env: {
        ...this.#baseEnv,
        PORT: String(stack.port),
        HOST: host,
        CALLBACK_URL: stack.callbackUrl,
        SOURCE_ADDRESS: stack.sourceAddress,
        PROVIDER_ADDRESS: stack.providerAddress,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim() === "") continue;
        output.push(line);
        if (output.length > MAX_TAIL_LINES) output.shift();
        log.debug({ line }, "handler output");
      }
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    let spawnError: Error | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once("error", (error) => {
        spawnError = error;
        resolve();
      });
      child.once("exit", () => resolve());
    });
    const tracked: Child = { process: child, exited, output };
    this.#children.set(projectName, tracked);

    const baseUrl = `http://${host}:${stack.port}`;
    const healthTimeoutMs = options.healthTimeoutMs ?? this.#options.healthTimeoutMs ?? 30_000;
    const started = performance.now();
    try {
      await waitForHealth({
        baseUrl,
        projectName,
        timeoutMs: healthTimeoutMs,
        checkEveryMs: 0,
        check: async () => {
          if (spawnError) throw new StackStartError(projectName, `cannot spawn ${entry}: ${spawnError.message}`, "", { cause: spawnError });
          if (child.exitCode !== null || child.signalCode !== null) {
            throw new StackStartError(projectName, `handler exited (${child.exitCode ?? child.signalCode})`, output.join("\n"));
          }
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      await this.stop(projectName);
      if (error instanceof HealthTimeoutError) {
        throw new HealthTimeoutError(projectName, baseUrl, healthTimeoutMs, error.lastProblem, output.join("\n"));
      }
      throw error;
    }
    log.info({ baseUrl, pid: child.pid, ms: Math.round(performance.now() - started) }, "handler process healthy");
    return { baseUrl, projectName };
  }

  async stop(projectName: string): Promise<void> {
    const tracked = this.#children.get(projectName);
    if (!tracked) return;
    const child = tracked.process;
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill("SIGTERM");
      const graceMs = this.#options.killGraceMs ?? 10_000;
      const timer = setTimeout(() => {
        this.#logger.warn({ project: projectName, pid: child.pid }, "handler ignored SIGTERM, killing");
        child.kill("SIGKILL");
      }, graceMs);
      await tracked.exited;
      clearTimeout(timer);
    }
    // Close our ends so nothing keeps this process alive.
    child.stdout?.destroy();
    child.stderr?.destroy();
    this.#children.delete(projectName);
    this.#logger.info({ project: projectName, code: child.exitCode, signal: child.signalCode }, "handler process stopped");
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#children.keys()].map((name) => this.stop(name)));
  }

  running(): string[] {
    return [...this.#children.keys()];
  }

  /** The handler's recent output lines, for diagnosis. */
  outputTail(projectName: string): string {
    return this.#children.get(projectName)?.output.join("\n") ?? "";
  }
}

