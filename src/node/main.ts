// The provider node's composition root: the only node file that reads argv and the environment, installs
// signal handlers and exits. `node src/node/main.ts --config node.json`, or `gpunexus provider start …`
// (the CLI imports runProviderNode).
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { CONFIG_OPTIONS, NodeConfigError, describeConfig, loadNodeConfig } from "./config.ts";
import { KeystoreError } from "./keystore.ts";
import { createLogger } from "./logger.ts";
import { createProviderNode } from "./node.ts";

/** Exit codes: 0 stopped cleanly (also after SIGTERM), 1 failed at runtime, 2 bad configuration or usage. */
export const NodeExitCode = { OK: 0, FAILED: 1, CONFIG: 2, INTERRUPTED: 130 } as const;

const USAGE = `usage: node src/node/main.ts --config <file.json> [options]

Runs a GPU Nexus provider node: watches tasks of the sources its provider is registered to, runs their
handlers (Docker Compose or local processes) and submits the results.

Options (each also settable in the config file and as GPU_NEXUS_<NAME> in the environment; flags win):
  -c, --config <file>          JSON config file (or GPU_NEXUS_CONFIG)
      --check                  validate the configuration and the key, print the settings, exit
${CONFIG_OPTIONS.map((o) => `      --${o.flag.padEnd(24)} ${o.env}`).join("\n")}
  -h, --help

The provider key comes from GPU_NEXUS_PROVIDER_KEY or from a V3 keystore (keystore.path / --keystore)
whose password is in GPU_NEXUS_KEYSTORE_PASSWORD. It is never written to logs or passed to handlers.
SIGTERM / SIGINT drain: no new tasks, in-flight ones get shutdownGraceMs, state is saved. A second
signal exits at once (the state on disk is consistent at every moment).`;

function flagOptions(): ParseArgsOptionsConfig {
  const options: ParseArgsOptionsConfig = {
    config: { type: "string", short: "c" },
    check: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  };
  for (const o of CONFIG_OPTIONS) options[o.flag] = { type: o.kind === "boolean" ? "boolean" : "string" };
  return options;
}

/**
 * Runs the node until it is stopped by SIGTERM/SIGINT or fails. Returns the exit code; never calls exit.
 * @param argv the arguments after the script (process.argv.slice(2))
 */
export async function runProviderNode(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options: flagOptions(), allowNegative: true, strict: true, allowPositionals: false }).values as typeof values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return NodeExitCode.CONFIG;
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return NodeExitCode.OK;
  }
  const file = typeof values.config === "string" ? values.config : env.GPU_NEXUS_CONFIG;
  let loaded;
  try {
    loaded = await loadNodeConfig({ file, env, flags: values });
  } catch (error) {
    if (error instanceof NodeConfigError || error instanceof KeystoreError) {
      process.stderr.write(`${error.message}\n`);
      return NodeExitCode.CONFIG;
    }
    throw error;
  }
  const { config, account } = loaded;
  const logger = createLogger({ level: config.logLevel });
  if (values.check === true) {
    process.stdout.write(`${JSON.stringify(describeConfig(config, account), null, 2)}\n`);
    return NodeExitCode.OK;
  }
  logger.info({ config: describeConfig(config, account), file: loaded.source.file }, "configuration loaded");

  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    signals++;
    logger.info({ signal: name }, signals === 1 ? "shutting down (draining)" : "second signal: exiting now");
    if (signals > 1) process.exit(NodeExitCode.INTERRUPTED);
    controller.abort();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  const node = createProviderNode(config, { account, logger });
  try {
    await node.start(controller.signal);
    await node.closed;
    return NodeExitCode.OK;
  } catch (error) {
    logger.fatal({ err: error }, "provider node failed");
    await node.stop().catch(() => undefined);
    return NodeExitCode.FAILED;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    logger.flush();
  }
}

if (import.meta.main) {
  const code = await runProviderNode(process.argv.slice(2), process.env);
  // Give pino's stdout a tick to drain before exiting.
  setImmediate(() => process.exit(code));
}
