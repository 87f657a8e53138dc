import { pino } from "pino";
import type { AnyHandler } from "./define.ts";
import { serveHandlers, type HandlerServer } from "./server.ts";

export type RunHandlerServerOptions = {
  /** Overrides HANDLER_TIMEOUT_MS. */
  defaultTimeoutMs?: number;
  /**
   * How long SIGTERM waits for running calls before aborting them, and then for their error callbacks.
   * Defaults 5 s + 3 s: together under the 10 s `docker stop` grants before SIGKILL, so a stopped
   * stack still reports its aborted tasks instead of leaving them silent.
   */
  shutdownTimeoutMs?: number;
  flushTimeoutMs?: number;
};

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/**
 * Container entrypoint: the one place that reads the environment and exits the process, so the
 * framework itself stays testable in-process. Env: PORT (default 5555), HOST (default 0.0.0.0, the
 * container's own interfaces), CALLBACK_URL (required), HANDLER_TIMEOUT_MS, LOG_LEVEL.
 */
export async function runHandlerServer(handlers: readonly AnyHandler[], options: RunHandlerServerOptions = {}): Promise<HandlerServer> {
  const env = process.env;
  const logger = pino({
    name: "gpunexus-handler",
    level: env.LOG_LEVEL ?? "info",
    base: { source: env.SOURCE_ADDRESS, provider: env.PROVIDER_ADDRESS },
  });
  let server: HandlerServer;
  try {
    const callbackUrl = env.CALLBACK_URL;
    if (!callbackUrl) throw new Error("CALLBACK_URL is required");
    server = await serveHandlers({
      handlers,
      port: positiveInt("PORT", env.PORT, 5555),
      host: env.HOST || "0.0.0.0",
      callbackUrl,
      defaultTimeoutMs: options.defaultTimeoutMs ?? positiveInt("HANDLER_TIMEOUT_MS", env.HANDLER_TIMEOUT_MS, 10 * 60_000),
      logger,
    });
  } catch (error) {
    logger.fatal({ err: error }, "handler server failed to start");
    logger.flush();
    process.exit(1);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal means the operator is done waiting.
      logger.warn({ signal }, "second signal, exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "shutting down");
    server
      .close({ timeoutMs: options.shutdownTimeoutMs ?? 5_000, flushTimeoutMs: options.flushTimeoutMs ?? 3_000 })
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  return server;
}
