import type { Environment } from "./types.ts";

/** Root of the runtime's errors, so callers can tell "the stack could not run" from their own bugs. */
export class RuntimeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RuntimeError";
  }
}

/** Docker / compose / the daemon is not there: the machine cannot run stacks with this runtime at all. */
export class RuntimeUnavailableError extends RuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RuntimeUnavailableError";
  }
}

/** The stack did not come up. `outputTail` is the end of compose's (or the process's) output: the diagnosis. */
export class StackStartError extends RuntimeError {
  readonly projectName: string;
  readonly outputTail: string;
  constructor(projectName: string, reason: string, outputTail: string, options?: { cause?: unknown }) {
    super(`stack ${projectName} failed to start: ${reason}${outputTail ? `\n--- output tail ---\n${outputTail}` : ""}`, options);
    this.name = "StackStartError";
    this.projectName = projectName;
    this.outputTail = outputTail;
  }
}

/** The compose file does not pass the provider's policy (compose-policy.ts): nothing was started. */
export class ComposePolicyError extends StackStartError {
  readonly reasons: readonly string[];
  constructor(projectName: string, reasons: readonly string[]) {
    super(projectName, `compose file refused by the provider's policy (${reasons.length} reason${reasons.length === 1 ? "" : "s"})`, reasons.join("\n"));
    this.name = "ComposePolicyError";
    this.reasons = reasons;
  }
}

/** The stack started but `/health` never answered 200 in time. */
export class HealthTimeoutError extends RuntimeError {
  readonly projectName: string;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly lastProblem: string;
  readonly outputTail: string;
  constructor(projectName: string, baseUrl: string, timeoutMs: number, lastProblem: string, outputTail = "") {
    super(
      `stack ${projectName}: ${baseUrl}/health did not answer 200 within ${timeoutMs} ms (last: ${lastProblem})` +
        (outputTail ? `\n--- output tail ---\n${outputTail}` : ""),
    );
    this.name = "HealthTimeoutError";
    this.projectName = projectName;
    this.baseUrl = baseUrl;
    this.timeoutMs = timeoutMs;
    this.lastProblem = lastProblem;
    this.outputTail = outputTail;
  }
}

const CAPABILITY_LABEL: Record<Environment, string> = { cpu: "CPU", nvidia: "NVIDIA", amd: "AMD" };

/** The stack needs hardware or a driver this machine lacks (e.g. no NVIDIA container runtime). */
export class CapabilityMissingError extends RuntimeError {
  readonly capability: Environment;
  readonly detail: string;
  constructor(capability: Environment, detail: string, options?: { cause?: unknown }) {
    super(`this machine has no ${CAPABILITY_LABEL[capability]} capability${detail ? `: ${detail}` : ""}`, options);
    this.name = "CapabilityMissingError";
    this.capability = capability;
    this.detail = detail;
  }
}
