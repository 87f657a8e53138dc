// The provider node's configuration: one zod schema, filled from a JSON file, then GPU_NEXUS_* environment
// variables, then command-line flags (later wins). This module never reads process.env or argv itself: the
// composition root (main.ts) hands them in as plain objects, so tests and embedders control every input.
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { getAddress, isAddress, isHex, type Address, type Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { z } from "zod";
import { decryptKeystore } from "./keystore.ts";

const address = z.string().refine((s) => isAddress(s, { strict: false }), "expected a 20-byte hex address").transform((s) => getAddress(s));
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
// "false" must not coerce to true: parse booleans from env/flag strings by hand.
const bool = z.preprocess((v) => (v === "true" || v === "1" ? true : v === "false" || v === "0" ? false : v), z.boolean());
const httpUrl = z.string().regex(/^https?:\/\/\S+$/, "expected an http(s) URL");
const wei = z.union([z.literal("payment"), z.string().regex(/^[0-9]+$/, "expected a wei amount or \"payment\"")]);
export const environmentNameSchema = z.enum(["cpu", "nvidia", "amd"]);

export const nodeConfigSchema = z.strictObject({
  /** JSON-RPC endpoint of the chain (HTTP). */
  rpcUrl: httpUrl,
  /** When set, the node refuses to start against another chain. */
  chainId: int(1).optional(),
  /** The Nexus to serve; default: the deployment registered for the chain (src/sdk/chains.ts). */
  nexus: address.optional(),
  /** First block to scan when the state has no cursor yet; default: the deployment's block. */
  fromBlock: z.coerce.bigint().nonnegative().optional(),
  /** `headers` go to the IPFS RPC API and gateway only (e.g. a pinning service's Authorization). */
  ipfs: z.strictObject({ rpcUrl: httpUrl, gatewayUrl: httpUrl.optional(), headers: z.record(z.string(), z.string()).optional(), timeoutMs: int(1).default(60_000) }),
  /** V3 keystore holding the provider key; its password comes from the environment variable `passwordEnv`. */
  keystore: z.strictObject({ path: z.string().min(1), passwordEnv: z.string().min(1).default("GPU_NEXUS_KEYSTORE_PASSWORD") }).optional(),
  runtime: z.enum(["docker-compose", "local-process", "auto"]).default("auto"),
  /** local-process runtime: handler entry file per source address, or "*" for any source. */
  localProcess: z.strictObject({ entries: z.record(z.string(), z.string().min(1)), nodePath: z.string().optional() }).optional(),
  /** Hardware this machine serves; a registration in another environment is ignored. */
  environments: z.array(environmentNameSchema).min(1).default(["cpu"]),
  stateDir: z.string().min(1),
  /** Tasks processed at once (attempted, running or being submitted). */
  concurrency: int(1, 256).default(4),
  /** Blocks an event needs (its own included) before the node acts on it. */
  confirmations: int(1, 1_000).default(1),
  pollingIntervalMs: int(10).default(2_000),
  /** Skip a task whose attempt deadline would be closer than this. */
  minTimeToDeadlineMs: int(0).default(30_000),
  /** Stop waiting for the handler this long before the attempt deadline, to leave time to pin and submit. */
  submitMarginMs: int(0).default(10_000),
  /**
   * AGREEMENT tasks: once the jury reaches its quorum, how long a juror waits for the task's other attempt slots to
   * seal before it reveals. The first reveal closes the jury, so revealing at once can leave honest attempts out of
   * it; a full jury, or a jury another juror closed, is revealed to at once.
   */
  juryWaitMs: int(0).default(15_000),
  callback: z.strictObject({ host: z.string().default("127.0.0.1"), port: int(0, 65_535).default(0) }).default({ host: "127.0.0.1", port: 0 }),
  /** GET /health and GET /metrics; port 0 picks a free port, `enabled: false` serves nothing. */
  metrics: z
    .strictObject({ enabled: bool.default(true), host: z.string().default("127.0.0.1"), port: int(0, 65_535).default(9464) })
    .default({ enabled: true, host: "127.0.0.1", port: 9464 }),
  /** A source's stack is brought down after this long without a task. */
  stackIdleTimeoutMs: int(0).default(600_000),
  stackHealthTimeoutMs: int(1).default(120_000),
  /**
   * While a task runs, its handler's /health is probed this often; two "connection refused" (or non-200) answers
   * in a row mean the handler died: the task fails as handler-crashed at once instead of at the deadline, and the
   * stack is restarted for the next task. 0 turns probing off.
   */
  handlerProbeIntervalMs: int(0).default(5_000),
  /** Timeout of one JSON-RPC request; a request without an answer by then is retried or fails. */
  rpcTimeoutMs: int(100).default(15_000),
  /** Report lapsed attempts (anyone's) to free a full task's slots before attempting it. */
  reportLapses: bool.default(true),
  /** MANUAL_CONFIRMATION prices: "payment" (the task's payment) or a wei amount (capped at the payment). */
  askedPayment: wei.default("payment"),
  suggestedPayment: wei.default("payment"),
  /** On SIGTERM, in-flight tasks get this long to finish before they are abandoned (and resumed on restart). */
  shutdownGraceMs: int(0).default(30_000),
  retry: z
    .strictObject({ attempts: int(1, 100).default(5), baseDelayMs: int(1).default(500), maxDelayMs: int(1).default(15_000) })
    .default({ attempts: 5, baseDelayMs: 500, maxDelayMs: 15_000 }),
  /** Fault tests only: hold each signed transaction this long between recording it and broadcasting it. */
  faults: z.strictObject({ delayBroadcastMs: int(0).default(0) }).default({ delayBroadcastMs: 0 }),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});
export type NodeConfig = z.output<typeof nodeConfigSchema>;
export type NodeConfigInput = z.input<typeof nodeConfigSchema>;
export type EnvironmentName = z.output<typeof environmentNameSchema>;

type Kind = "string" | "boolean" | "list";
/** Every setting reachable from the environment and the command line (the file reaches all of them). */
export const CONFIG_OPTIONS: ReadonlyArray<{ path: readonly string[]; env: string; flag: string; kind: Kind }> = [
  { path: ["rpcUrl"], env: "GPU_NEXUS_RPC_URL", flag: "rpc-url", kind: "string" },
  { path: ["chainId"], env: "GPU_NEXUS_CHAIN_ID", flag: "chain-id", kind: "string" },
  { path: ["nexus"], env: "GPU_NEXUS_NEXUS", flag: "nexus", kind: "string" },
  { path: ["fromBlock"], env: "GPU_NEXUS_FROM_BLOCK", flag: "from-block", kind: "string" },
  { path: ["ipfs", "rpcUrl"], env: "GPU_NEXUS_IPFS_RPC_URL", flag: "ipfs-rpc-url", kind: "string" },
  { path: ["ipfs", "gatewayUrl"], env: "GPU_NEXUS_IPFS_GATEWAY_URL", flag: "ipfs-gateway-url", kind: "string" },
  { path: ["keystore", "path"], env: "GPU_NEXUS_KEYSTORE", flag: "keystore", kind: "string" },
  { path: ["runtime"], env: "GPU_NEXUS_RUNTIME", flag: "runtime", kind: "string" },
  { path: ["localProcess", "entries", "*"], env: "GPU_NEXUS_LOCAL_ENTRY", flag: "local-entry", kind: "string" },
  { path: ["environments"], env: "GPU_NEXUS_ENVIRONMENTS", flag: "environments", kind: "list" },
  { path: ["stateDir"], env: "GPU_NEXUS_STATE_DIR", flag: "state-dir", kind: "string" },
  { path: ["concurrency"], env: "GPU_NEXUS_CONCURRENCY", flag: "concurrency", kind: "string" },
  { path: ["confirmations"], env: "GPU_NEXUS_CONFIRMATIONS", flag: "confirmations", kind: "string" },
  { path: ["pollingIntervalMs"], env: "GPU_NEXUS_POLLING_INTERVAL_MS", flag: "polling-interval-ms", kind: "string" },
  { path: ["minTimeToDeadlineMs"], env: "GPU_NEXUS_MIN_TIME_TO_DEADLINE_MS", flag: "min-time-to-deadline-ms", kind: "string" },
  { path: ["juryWaitMs"], env: "GPU_NEXUS_JURY_WAIT_MS", flag: "jury-wait-ms", kind: "string" },
  { path: ["callback", "host"], env: "GPU_NEXUS_CALLBACK_HOST", flag: "callback-host", kind: "string" },
  { path: ["callback", "port"], env: "GPU_NEXUS_CALLBACK_PORT", flag: "callback-port", kind: "string" },
  { path: ["metrics", "host"], env: "GPU_NEXUS_METRICS_HOST", flag: "metrics-host", kind: "string" },
  { path: ["metrics", "port"], env: "GPU_NEXUS_METRICS_PORT", flag: "metrics-port", kind: "string" },
  { path: ["stackIdleTimeoutMs"], env: "GPU_NEXUS_STACK_IDLE_TIMEOUT_MS", flag: "stack-idle-timeout-ms", kind: "string" },
  { path: ["handlerProbeIntervalMs"], env: "GPU_NEXUS_HANDLER_PROBE_INTERVAL_MS", flag: "handler-probe-interval-ms", kind: "string" },
  { path: ["rpcTimeoutMs"], env: "GPU_NEXUS_RPC_TIMEOUT_MS", flag: "rpc-timeout-ms", kind: "string" },
  { path: ["reportLapses"], env: "GPU_NEXUS_REPORT_LAPSES", flag: "report-lapses", kind: "boolean" },
  { path: ["shutdownGraceMs"], env: "GPU_NEXUS_SHUTDOWN_GRACE_MS", flag: "shutdown-grace-ms", kind: "string" },
  { path: ["logLevel"], env: "GPU_NEXUS_LOG_LEVEL", flag: "log-level", kind: "string" },
];

/** The configuration is invalid: every problem, with where it is. */
export class NodeConfigError extends Error {
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super(`invalid provider node configuration:\n  - ${issues.join("\n  - ")}`);
    this.name = "NodeConfigError";
    this.issues = issues;
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function setPath(target: Json, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Json;
  }
  node[path[path.length - 1] as string] = value;
}

function overlay(target: Json, values: Record<string, unknown>, key: "env" | "flag"): void {
  for (const option of CONFIG_OPTIONS) {
    const raw = values[option[key]];
    if (raw === undefined || raw === "") continue;
    const value = option.kind === "list" && typeof raw === "string" ? raw.split(",").map((s) => s.trim()).filter(Boolean) : raw;
    setPath(target, option.path, typeof value === "boolean" ? String(value) : value);
  }
}

export type LoadNodeConfigParameters = {
  /** Path of a JSON config file (relative paths inside it resolve against its folder), or its parsed content. */
  file?: string | Json | undefined;
  /** Environment variables (GPU_NEXUS_*); main.ts passes process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Parsed flags keyed by flag name (`rpc-url`…), as node:util parseArgs gives them. */
  flags?: Readonly<Record<string, string | boolean | undefined>>;
};

export type LoadedNodeConfig = {
  config: NodeConfig;
  /** The provider's signing account. The raw key is not kept anywhere else. */
  account: PrivateKeyAccount;
  /** Where the file was read from, for logs. */
  source: { file: string | undefined };
};

/**
 * Merges file < env < flags, validates, resolves relative paths against the config file, and unlocks the
 * provider key (GPU_NEXUS_PROVIDER_KEY, or the keystore with its password from the environment).
 * @throws NodeConfigError (every issue at once), KeystoreError
 */
export async function loadNodeConfig(parameters: LoadNodeConfigParameters): Promise<LoadedNodeConfig> {
  const env = parameters.env ?? {};
  let base: Json = {};
  let fileDir = process.cwd();
  let filePath: string | undefined;
  if (typeof parameters.file === "string") {
    filePath = resolve(parameters.file);
    fileDir = dirname(filePath);
    let text: string;
    try {
      text = await readFile(filePath, "utf8");
    } catch (error) {
      throw new NodeConfigError([`config file ${filePath}: ${(error as Error).message}`]);
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (!isObject(parsed)) throw new Error("the top level must be an object");
      base = parsed;
    } catch (error) {
      throw new NodeConfigError([`config file ${filePath}: ${(error as Error).message}`]);
    }
  } else if (parameters.file !== undefined) {
    base = structuredClone(parameters.file);
  }
  if ("providerKey" in base || "privateKey" in base) {
    throw new NodeConfigError(["the config file must not hold a private key: use GPU_NEXUS_PROVIDER_KEY or a keystore"]);
  }
  overlay(base, env, "env");
  overlay(base, parameters.flags ?? {}, "flag");

  const result = nodeConfigSchema.safeParse(base);
  if (!result.success) {
    throw new NodeConfigError(result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`));
  }
  const config = result.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(fileDir, p));
  config.stateDir = abs(config.stateDir);
  if (config.keystore) config.keystore.path = abs(config.keystore.path);
  if (config.localProcess) {
    config.localProcess.entries = Object.fromEntries(Object.entries(config.localProcess.entries).map(([k, v]) => [k, abs(v)]));
  }
  const issues: string[] = [];
  if (config.runtime === "local-process" && !config.localProcess) issues.push('runtime "local-process" needs localProcess.entries');
  for (const key of Object.keys(config.localProcess?.entries ?? {})) {
    if (key !== "*" && !isAddress(key, { strict: false })) issues.push(`localProcess.entries: "${key}" is neither "*" nor an address`);
  }
  if (issues.length > 0) throw new NodeConfigError(issues);

  const account = privateKeyToAccount(await unlockKey(config, env));
  return { config, account, source: { file: filePath } };
}

async function unlockKey(config: NodeConfig, env: Readonly<Record<string, string | undefined>>): Promise<Hex> {
  const raw = env.GPU_NEXUS_PROVIDER_KEY;
  if (raw !== undefined && raw !== "" && config.keystore) {
    throw new NodeConfigError(["both GPU_NEXUS_PROVIDER_KEY and a keystore are configured: choose one"]);
  }
  if (raw !== undefined && raw !== "") {
    const key = raw.startsWith("0x") ? raw : `0x${raw}`;
    // Never echo the value back: the message names the variable only.
    if (!isHex(key) || key.length !== 66) throw new NodeConfigError(["GPU_NEXUS_PROVIDER_KEY is not a 32-byte hex private key"]);
    return key;
  }
  if (!config.keystore) throw new NodeConfigError(["no provider key: set GPU_NEXUS_PROVIDER_KEY or keystore.path (+ its password variable)"]);
  const password = env[config.keystore.passwordEnv];
  if (password === undefined) throw new NodeConfigError([`the keystore password variable ${config.keystore.passwordEnv} is not set`]);
  let text: string;
  try {
    text = await readFile(config.keystore.path, "utf8");
  } catch (error) {
    throw new NodeConfigError([`keystore ${config.keystore.path}: ${(error as Error).message}`]);
  }
  return decryptKeystore(text, password);
}

/** The settings worth logging at startup: everything but secrets (the key never enters NodeConfig). */
export function describeConfig(config: NodeConfig, account: { address: Address }): Json {
  const headers = config.ipfs.headers === undefined ? undefined : Object.fromEntries(Object.keys(config.ipfs.headers).map((k) => [k, "[Redacted]"]));
  return { ...config, ipfs: { ...config.ipfs, headers }, fromBlock: config.fromBlock?.toString(), provider: account.address };
}
