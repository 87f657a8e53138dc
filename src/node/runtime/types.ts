/** Environments of PROTOCOL §3's bitmask (CPU = 1, NVIDIA = 2, AMD = 4), by name. */
export type Environment = "cpu" | "nvidia" | "amd";

export const ENVIRONMENTS: readonly Environment[] = ["cpu", "nvidia", "amd"];

/** Everything a runtime needs to start one source's handler stack (PROTOCOL §7's env contract). */
export type HandlerStack = {
  sourceAddress: string;
  environment: Environment;
  /** Absolute path of a compose file whose sha256 the caller already checked. */
  composeFile: string;
  /** Host port the handler answers on. */
  port: number;
  /** Base URL results are POSTed under (`${callbackUrl}/{task}`). */
  callbackUrl: string;
  providerAddress: string;
  /** Names the stack for stop/cleanup; compose project rules: [a-z0-9][a-z0-9_-]*. */
  projectName: string;
};

export type StartedStack = { baseUrl: string; projectName: string };

export type StartOptions = {
  signal?: AbortSignal;
  /** Overrides the runtime's health timeout for this start. */
  healthTimeoutMs?: number;
};

export type StopOptions = { signal?: AbortSignal };

export interface HandlerRuntime {
  readonly kind: "docker-compose" | "local-process";
  /** Starts the stack and resolves once `/health` answers 200. */
  start(stack: HandlerStack, options?: StartOptions): Promise<StartedStack>;
  /** Stops and removes the stack; a no-op for an unknown, already stopped project. */
  stop(projectName: string, options?: StopOptions): Promise<void>;
  /** Stops every stack this runtime started (e.g. at node shutdown). */
  stopAll(): Promise<void>;
}

const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Rejects stacks that would make compose misbehave or a URL wrong, before anything runs. */
export function assertValidStack(stack: HandlerStack): void {
  if (!PROJECT_NAME.test(stack.projectName)) {
    throw new TypeError(`projectName ${JSON.stringify(stack.projectName)} must match ${PROJECT_NAME}`);
  }
  if (!Number.isInteger(stack.port) || stack.port < 1 || stack.port > 65_535) {
    throw new TypeError(`port ${stack.port} is not a TCP port`);
  }
  new URL(stack.callbackUrl);
  for (const [key, value] of [["sourceAddress", stack.sourceAddress], ["providerAddress", stack.providerAddress]] as const) {
    // They travel through environment variables and compose interpolation: no newlines, no `$`.
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(value)) throw new TypeError(`${key} ${JSON.stringify(value)} is malformed`);
  }
}
