import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { pino, type Logger } from "pino";
import { openCallbackBridge, type CallbackBridge } from "./callback-bridge.ts";
import type { ComposeVariables } from "./compose-document.ts";
import { checkCompose } from "./compose-policy.ts";
import { CapabilityMissingError, ComposePolicyError, HealthTimeoutError, RuntimeError, RuntimeUnavailableError, StackStartError } from "./errors.ts";
import { exec, inheritedEnv, outputTail, type ExecResult } from "./exec.ts";
import { waitForHealth } from "./health.ts";
import { assertValidStack, type HandlerRuntime, type HandlerStack, type StartOptions, type StartedStack, type StopOptions } from "./types.ts";

export type DockerComposeRuntimeOptions = {
  dockerBinary?: string;
  composeBinary?: string;
  /** Where PATH / DOCKER_HOST… are taken from. Default process.env; only the docker-related names are read. */
  baseEnv?: Readonly<Record<string, string | undefined>>;
  /** Host the handler's published port answers on. */
  handlerHost?: string;
  /** Local development chain only: allow image tags that are not pinned by digest (see compose-policy.ts). */
  allowLocalImages?: boolean;
  /** Where rendered compose files and scratch folders go. Default a fresh private folder under the OS tmpdir. */
  workDir?: string;
  healthTimeoutMs?: number;
  upTimeoutMs?: number;
  downTimeoutMs?: number;
  /** Seconds compose gives containers to stop before SIGKILL. */
  stopGraceSeconds?: number;
  logger?: Logger;
};

type Tracked = { stack: HandlerStack; env: Record<string, string>; rendered: string; bridge?: CallbackBridge | undefined };

/** Whether a Docker daemon answers `docker info` (not just whether the CLI exists). */
export async function detectDocker(options: { dockerBinary?: string; timeoutMs?: number; baseEnv?: Readonly<Record<string, string | undefined>> } = {}): Promise<boolean> {
  const result = await exec(options.dockerBinary ?? "docker", ["info", "--format", "{{.ServerVersion}}"], {
    env: inheritedEnv(options.baseEnv ?? process.env),
    timeoutMs: options.timeoutMs ?? 5_000,
  });
  return result.code === 0 && result.stdout.trim() !== "";
}

// Compose's wording for "this hardware/driver is not here", mapped to a capability the operator can act on.
const CAPABILITY_PATTERNS: ReadonlyArray<[HandlerStack["environment"], RegExp]> = [
  ["nvidia", /could not select device driver "nvidia"|unknown or invalid runtime name: nvidia|nvidia-container-cli|NVIDIA driver/i],
  ["amd", /(\/dev\/kfd|\/dev\/dri)[^\n]*(no such file|not found)|error gathering device information[^\n]*\/dev\/(kfd|dri)/i],
];
const DAEMON_DOWN = /Cannot connect to the Docker daemon|Is the docker daemon running|Couldn't connect to Docker daemon|error during connect/i;

/** Runs a source's compose file with `docker compose` (v2) or `docker-compose` (v1), whichever exists. */
export class DockerComposeRuntime implements HandlerRuntime {
  readonly kind = "docker-compose";
  readonly #docker: string;
  readonly #composeBinary: string;
  readonly #baseEnv: Record<string, string>;
  readonly #handlerHost: string;
  readonly #healthTimeoutMs: number;
  readonly #upTimeoutMs: number;
  readonly #downTimeoutMs: number;
  readonly #stopGraceSeconds: number;
  readonly #logger: Logger;
  readonly #allowLocalImages: boolean;
  readonly #workDirOption: string | undefined;
  #workDir: Promise<string> | undefined;
  readonly #stacks = new Map<string, Tracked>();
  #compose: Promise<readonly string[]> | undefined;

  constructor(options: DockerComposeRuntimeOptions = {}) {
    this.#docker = options.dockerBinary ?? "docker";
    this.#composeBinary = options.composeBinary ?? "docker-compose";
    this.#baseEnv = inheritedEnv(options.baseEnv ?? process.env);
    this.#handlerHost = options.handlerHost ?? "127.0.0.1";
    this.#healthTimeoutMs = options.healthTimeoutMs ?? 60_000;
    this.#upTimeoutMs = options.upTimeoutMs ?? 180_000;
    this.#downTimeoutMs = options.downTimeoutMs ?? 60_000;
    this.#stopGraceSeconds = options.stopGraceSeconds ?? 10;
    this.#logger = options.logger ?? pino({ name: "handler-runtime" });
    this.#allowLocalImages = options.allowLocalImages ?? false;
    this.#workDirOption = options.workDir;
  }

  #dir(projectName: string): Promise<string> {
    this.#workDir ??= this.#workDirOption
      ? mkdir(this.#workDirOption, { recursive: true, mode: 0o700 }).then(() => this.#workDirOption ?? "")
      : mkdtemp(join(tmpdir(), "gpunexus-stacks-"));
    return this.#workDir.then((root) => join(root, projectName));
  }

  /** The compose command as argv prefix; detected once (a failed detection is retried next time). */
  composeCommand(): Promise<readonly string[]> {
    this.#compose ??= this.#detectCompose().catch((error: unknown) => {
      this.#compose = undefined;
      throw error;
    });
    return this.#compose;
  }

  async #detectCompose(): Promise<readonly string[]> {
    const options = { env: this.#baseEnv, timeoutMs: 15_000 };
    const v2 = await exec(this.#docker, ["compose", "version"], options);
    if (v2.code === 0) return [this.#docker, "compose"];
    const v1 = await exec(this.#composeBinary, ["version"], options);
    if (v1.code === 0) return [this.#composeBinary];
    throw new RuntimeUnavailableError(
      `neither "${this.#docker} compose" nor "${this.#composeBinary}" works (${v2.spawnError ?? outputTail(v2, 300)}; ${v1.spawnError ?? outputTail(v1, 300)})`,
    );
  }

  async #runCompose(tracked: Tracked, args: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<ExecResult> {
    const [file, ...prefix] = await this.composeCommand();
    if (file === undefined) throw new RuntimeUnavailableError("empty compose command");
    // Always the rendered file: exactly the document the policy approved.
    const argv = [...prefix, "-f", tracked.rendered, "-p", tracked.stack.projectName, ...args];
    return exec(file, argv, { env: tracked.env, timeoutMs, ...(signal ? { signal } : {}) });
  }

  async start(stack: HandlerStack, options: StartOptions = {}): Promise<StartedStack> {
    assertValidStack(stack);
    const { projectName } = stack;
    if (this.#stacks.has(projectName)) throw new RuntimeError(`stack ${projectName} is already started`);
    if (!isAbsolute(stack.composeFile)) throw new TypeError(`composeFile must be an absolute path, got ${stack.composeFile}`);
    try {
      if (!(await stat(stack.composeFile)).isFile()) throw new Error("not a regular file");
    } catch (error) {
      throw new StackStartError(projectName, `compose file ${stack.composeFile} is unreadable`, "", { cause: error });
    }
    const text = await readFile(stack.composeFile, "utf8");
    await this.composeCommand();
    const dir = await this.#dir(projectName);
    const scratch = join(dir, "scratch");
    const variables = (callbackUrl: string): ComposeVariables => ({
      PORT: String(stack.port),
      CALLBACK_URL: callbackUrl,
      SOURCE_ADDRESS: stack.sourceAddress,
      PROVIDER_ADDRESS: stack.providerAddress,
      SCRATCH_DIR: scratch,
    });
    const policy = { environment: stack.environment, allowLocalImages: this.#allowLocalImages };
    // Refused before anything runs: no network, no folder, no container.
    const first = checkCompose(text, { ...policy, variables: variables(stack.callbackUrl) });
    if (!first.ok) throw new ComposePolicyError(projectName, first.reasons);
    const env = { ...this.#baseEnv };
    const tracked: Tracked = { stack, env, rendered: join(dir, "compose.json") };
    this.#stacks.set(projectName, tracked);
    const log = this.#logger.child({ project: projectName, environment: stack.environment });
    try {
      // A fresh, empty scratch folder per start: nothing a previous run left there (a symlink to /) survives.
      await rm(dir, { recursive: true, force: true });
      await mkdir(scratch, { recursive: true, mode: 0o700 });
      await chmod(scratch, 0o777); // the image's unprivileged user must write it; the parent stays private
      const gateway = await this.#createNetwork(projectName, options.signal);
      tracked.bridge = await openCallbackBridge(gateway, stack.callbackUrl);
      const verdict = checkCompose(text, { ...policy, variables: variables(tracked.bridge.url) });
      if (!verdict.ok) throw new ComposePolicyError(projectName, verdict.reasons);
      await writeFile(tracked.rendered, verdict.rendered, { mode: 0o600 });
      const started = performance.now();
      // --no-build: a provider runs the source's published image, never builds a context from a compose file.
      const up = await this.#runCompose(tracked, ["up", "-d", "--no-build", "--remove-orphans"], this.#upTimeoutMs, options.signal);
      if (up.code !== 0) throw this.#classifyUpFailure(stack, up);
      log.info({ ms: Math.round(performance.now() - started) }, "stack up");
      const baseUrl = `http://${this.#handlerHost}:${stack.port}`;
      const healthTimeoutMs = options.healthTimeoutMs ?? this.#healthTimeoutMs;
      try {
        await waitForHealth({
          baseUrl,
          projectName,
          timeoutMs: healthTimeoutMs,
          checkEveryMs: 2_000,
          check: () => this.#assertRunning(tracked),
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (error) {
        if (error instanceof HealthTimeoutError) {
          // The handler's own log is what explains a silent /health; attach its tail.
          const logs = await this.#runCompose(tracked, ["logs", "--no-color", "--tail", "40"], 15_000);
          throw new HealthTimeoutError(projectName, baseUrl, healthTimeoutMs, error.lastProblem, outputTail(logs));
        }
        throw error;
      }
      log.info({ baseUrl, ms: Math.round(performance.now() - started) }, "stack healthy");
      return { baseUrl, projectName };
    } catch (error) {
      // Leave nothing half-started behind: a created-but-failed container still holds its name.
      await this.stop(projectName).catch((stopError: unknown) => log.warn({ err: stopError }, "cleanup after failed start failed"));
      this.#stacks.delete(projectName);
      throw error;
    }
  }

  /**
   * The project network compose would create, made first so that its gateway (where the callback bridge listens) is
   * known before the containers get CALLBACK_URL. Compose adopts it by its labels and removes it at `down`.
   */
  async #createNetwork(projectName: string, signal?: AbortSignal): Promise<string> {
    const base = { env: this.#baseEnv, timeoutMs: 30_000, ...(signal ? { signal } : {}) };
    const name = `${projectName}_default`;
    await exec(this.#docker, ["network", "rm", name], base); // a leftover of a crashed run; absent is fine
    const labels = ["--label", `com.docker.compose.project=${projectName}`, "--label", "com.docker.compose.network=default"];
    const created = await exec(this.#docker, ["network", "create", "--driver", "bridge", ...labels, name], base);
    if (created.code !== 0) throw new StackStartError(projectName, "docker network create failed", outputTail(created));
    const inspect = await exec(this.#docker, ["network", "inspect", "--format", "{{range .IPAM.Config}}{{.Gateway}} {{end}}", name], base);
    const gateway = inspect.stdout.split(/\s+/).find((address) => /^\d+\.\d+\.\d+\.\d+$/.test(address));
    if (inspect.code !== 0 || gateway === undefined) throw new StackStartError(projectName, "the project network has no IPv4 gateway", outputTail(inspect));
    return gateway;
  }

  #classifyUpFailure(stack: HandlerStack, up: ExecResult): Error {
    const tail = outputTail(up);
    if (up.spawnError) return new RuntimeUnavailableError(`cannot run compose: ${up.spawnError}`);
    if (DAEMON_DOWN.test(tail)) return new RuntimeUnavailableError(`the Docker daemon does not answer: ${tail.split("\n").at(-1) ?? ""}`);
    for (const [capability, pattern] of CAPABILITY_PATTERNS) {
      const line = tail.split("\n").find((candidate) => pattern.test(candidate));
      if (line) return new CapabilityMissingError(capability, line.replace(/^ERROR: for \S+\s+/, "").trim());
    }
    const reason = up.timedOut ? `compose up timed out after ${this.#upTimeoutMs} ms` : `compose up exited with ${up.code}`;
    return new StackStartError(stack.projectName, reason, tail);
  }

  /** Fails the health wait early when the handler container already exited (crash at startup). */
  async #assertRunning(tracked: Tracked): Promise<void> {
    const ps = await this.#runCompose(tracked, ["ps", "-q"], 15_000);
    const ids = ps.stdout.split(/\s+/).filter((id) => id !== "");
    if (ps.code !== 0 || ids.length === 0) return; // inconclusive: let the health budget decide
    const inspect = await exec(this.#docker, ["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", ...ids], {
      env: this.#baseEnv,
      timeoutMs: 15_000,
    });
    const dead = inspect.stdout.split("\n").find((line) => /^(exited|dead) /.test(line));
    if (dead) {
      const logs = await this.#runCompose(tracked, ["logs", "--no-color", "--tail", "40"], 15_000);
      throw new StackStartError(tracked.stack.projectName, `handler container ${dead.trim()}`, outputTail(logs));
    }
  }

  async stop(projectName: string, options: StopOptions = {}): Promise<void> {
    const tracked = this.#stacks.get(projectName);
    if (!tracked) return this.#removeByLabel(projectName, options.signal);
    await tracked.bridge?.close();
    const down = await this.#runCompose(
      tracked,
      ["down", "--remove-orphans", "--timeout", String(this.#stopGraceSeconds)],
      this.#downTimeoutMs,
      options.signal,
    );
    if (down.code !== 0) {
      // An invalid or vanished compose file makes `down` fail too; the labels still find what it created.
      this.#logger.warn({ project: projectName, output: outputTail(down, 1_000) }, "compose down failed, removing by label");
      await this.#removeByLabel(projectName, options.signal);
    }
    this.#stacks.delete(projectName);
    this.#logger.info({ project: projectName }, "stack removed");
  }

  /**
   * For projects this instance did not start (e.g. left over by a crashed node): compose v1 cannot
   * `down` without the file, but compose labels every container and network with the project name.
   */
  async #removeByLabel(projectName: string, signal?: AbortSignal): Promise<void> {
    if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(projectName)) throw new TypeError(`invalid project name ${projectName}`);
    const base = { env: this.#baseEnv, timeoutMs: this.#downTimeoutMs, ...(signal ? { signal } : {}) };
    const filter = `label=com.docker.compose.project=${projectName}`;
    const containers = await exec(this.#docker, ["ps", "-aq", "--filter", filter], base);
    if (containers.code !== 0) throw new RuntimeUnavailableError(`docker ps failed: ${containers.spawnError ?? outputTail(containers, 500)}`);
    const ids = containers.stdout.split(/\s+/).filter((id) => id !== "");
    if (ids.length > 0) {
      const removed = await exec(this.#docker, ["rm", "-f", ...ids], base);
      if (removed.code !== 0) throw new RuntimeError(`removing containers of ${projectName} failed:\n${outputTail(removed)}`);
    }
    const networks = await exec(this.#docker, ["network", "ls", "-q", "--filter", filter], base);
    const networkIds = networks.stdout.split(/\s+/).filter((id) => id !== "");
    if (networkIds.length > 0) await exec(this.#docker, ["network", "rm", ...networkIds], base);
  }

  async stopAll(): Promise<void> {
    const results = await Promise.allSettled([...this.#stacks.keys()].map((name) => this.stop(name)));
    const failures = results.flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} stack(s) failed to stop`);
  }

  /** Project names this runtime started and has not stopped. */
  running(): string[] {
    return [...this.#stacks.keys()];
  }
}
