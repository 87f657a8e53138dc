// The node's logger: pino (JSON lines on stdout for log shippers) with key material redacted wherever a
// careless `logger.info({ config })` or an error's `cause` might carry it.
import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";

export type { Logger } from "pino";

/** Field names that may hold secrets, at any of the depths we log objects at. */
const SECRET_KEYS = ["providerKey", "privateKey", "password", "keystorePassword", "mnemonic", "secret", "authorization", "Authorization", "headers", "GPU_NEXUS_PROVIDER_KEY", "GPU_NEXUS_KEYSTORE_PASSWORD"];

export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]);

// A 32-byte hex string is how a private key looks; it is also how hashes look, so only scrub it in
// free-text fields (messages, error text) where a key could be interpolated by accident, never in
// structured fields like `task`, `hash` or `configHash`.
const KEY_PATTERN = /(?:0x)?[0-9a-fA-F]{64}/g;
const KEY_PREFIXES = ["privateKey", "private key", "providerKey", "PROVIDER_KEY"];

/** Scrubs a free-text string of anything that follows a key-ish label. */
export function scrubText(text: string): string {
  if (!KEY_PREFIXES.some((p) => text.includes(p))) return text;
  return text.replace(KEY_PATTERN, "[Redacted]");
}

export type CreateLoggerOptions = {
  level?: LoggerOptions["level"];
  name?: string;
  /** Where lines go (default stdout); tests pass a stream to capture output. */
  destination?: DestinationStream;
};

/** The root logger of a provider node. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? "gpunexus-node",
      level: options.level ?? "info",
      redact: { paths: [...REDACT_PATHS], censor: "[Redacted]" },
      serializers: {
        err: (err: unknown) => {
          const base = pino.stdSerializers.err(err as Error);
          return { ...base, message: scrubText(String(base.message ?? "")), stack: base.stack === undefined ? undefined : scrubText(base.stack) };
        },
      },
      hooks: {
        logMethod(args, method) {
          // The message string (last argument) is free text: scrub it too.
          const scrubbed = args.map((a) => (typeof a === "string" ? scrubText(a) : a)) as typeof args;
          method.apply(this, scrubbed);
        },
      },
    },
    options.destination,
  );
}

/** A logger that writes nothing (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
