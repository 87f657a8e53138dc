// Handler runtimes: how a provider node starts a source's handler stack. Chain-agnostic by design.
import { DockerComposeRuntime, detectDocker, type DockerComposeRuntimeOptions } from "./docker-compose.ts";
import { RuntimeUnavailableError } from "./errors.ts";
import { LocalProcessRuntime, type LocalProcessRuntimeOptions } from "./local-process.ts";
import type { HandlerRuntime } from "./types.ts";

export { DockerComposeRuntime, detectDocker, type DockerComposeRuntimeOptions } from "./docker-compose.ts";
export { LocalProcessRuntime, type LocalProcessRuntimeOptions } from "./local-process.ts";
export { checkCompose, type ComposePolicyOptions, type ComposeVerdict } from "./compose-policy.ts";
export { COMPOSE_VARIABLES, PLACEHOLDER_VARIABLES, type ComposeVariables } from "./compose-document.ts";
export { CapabilityMissingError, ComposePolicyError, HealthTimeoutError, RuntimeError, RuntimeUnavailableError, StackStartError } from "./errors.ts";
export { probeHealth, waitForHealth, type WaitForHealthOptions } from "./health.ts";
export {
  ENVIRONMENTS,
  assertValidStack,
  type Environment,
  type HandlerRuntime,
  type HandlerStack,
  type StartOptions,
  type StartedStack,
  type StopOptions,
} from "./types.ts";

export type RuntimeConfig =
  | { kind: "docker-compose"; docker?: DockerComposeRuntimeOptions }
  | { kind: "local-process"; local: LocalProcessRuntimeOptions }
  /** Docker when a daemon answers, else the local runtime if configured. */
  | { kind: "auto"; docker?: DockerComposeRuntimeOptions; local?: LocalProcessRuntimeOptions };

/** Builds the runtime the node's config asks for. */
export async function createHandlerRuntime(config: RuntimeConfig): Promise<HandlerRuntime> {
  switch (config.kind) {
    case "docker-compose":
      return new DockerComposeRuntime(config.docker);
    case "local-process":
      return new LocalProcessRuntime(config.local);
    case "auto": {
      const dockerOptions = config.docker ?? {};
      const probe = {
        ...(dockerOptions.dockerBinary ? { dockerBinary: dockerOptions.dockerBinary } : {}),
        ...(dockerOptions.baseEnv ? { baseEnv: dockerOptions.baseEnv } : {}),
      };
      if (await detectDocker(probe)) return new DockerComposeRuntime(dockerOptions);
      if (config.local) return new LocalProcessRuntime(config.local);
      throw new RuntimeUnavailableError("no Docker daemon answers and no local-process runtime is configured");
    }
  }
}
