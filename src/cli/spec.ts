// Source spec files (JSON or YAML): metadata fields, one compose file per offered environment, parameters.
//
//   name: matmul
//   description: Deterministic matrix multiplication
//   logoUrl: ""                      # optional, "" or ipfs://… / https://…
//   compose:                         # paths relative to this file; at least one environment
//     cpu: ./compose.cpu.yml
//     nvidia: ./compose.nvidia.yml
//   params:
//     deliveryMethod: FIRST_RESPONSE  # or MANUAL_CONFIRMATION
//     minPayment: "0.01"              # ETH (or "100gwei", "5wei")
//     minAvailableLockup: "1"
//     lapsePenalty: "0.1"
//     maxExpiryDuration: 1d           # seconds or 90s / 10m / 1h30m / 2d
//     attemptTimeout: 10m
//     maxConcurrentAttempts: 2
//     reviewWindow: 1h                # MANUAL_CONFIRMATION only
//     verification: NONE              # or AGREEMENT (FIRST_RESPONSE, lapsePenalty > 0)
//     quorum: 0                       # AGREEMENT: 2..8 matching results
import { readFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { DeliveryMethod, MAX_AGREEMENT_QUORUM, VerificationMethod, type SourceParams } from "../sdk/abis.ts";
import { UsageError } from "./errors.ts";
import { parseDuration, parseEth } from "./parse.ts";

const amount = z.union([z.string(), z.number().nonnegative()]);
const duration = z.union([z.string(), z.number().int().nonnegative()]);

const specSchema = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(10_000).default(""),
  logoUrl: z.string().default(""),
  compose: z
    .strictObject({ cpu: z.string().min(1).optional(), nvidia: z.string().min(1).optional(), amd: z.string().min(1).optional() })
    .refine((c) => c.cpu !== undefined || c.nvidia !== undefined || c.amd !== undefined, "give at least one of cpu, nvidia, amd"),
  params: z.strictObject({
    deliveryMethod: z.enum(["FIRST_RESPONSE", "MANUAL_CONFIRMATION"]),
    minPayment: amount,
    minAvailableLockup: amount.default("0"),
    lapsePenalty: amount.default("0"),
    maxExpiryDuration: duration,
    attemptTimeout: duration,
    maxConcurrentAttempts: z.number().int().min(1).max(64).default(1),
    reviewWindow: duration.default(0),
    verification: z.enum(["NONE", "AGREEMENT"]).default("NONE"),
    quorum: z.number().int().min(0).max(MAX_AGREEMENT_QUORUM).default(0),
  }),
  /** Optional bytes32 CREATE2 salt, for a reproducible address. */
  salt: z.string().regex(/^0x[0-9a-fA-F]{64}$/).optional(),
});

type ComposeKey = "cpu" | "nvidia" | "amd";

/** What `source publish` / `source update` need from a spec. */
export type LoadedSpec = {
  metadata: { name: string; description: string; logoUrl: string };
  /** Compose YAML text per offered environment. */
  compose: Partial<Record<ComposeKey, string>>;
  /** The source parameters except the derived metadataUri / metadataHash / environments. */
  params: Omit<SourceParams, "metadataUri" | "metadataHash" | "environments">;
  salt: `0x${string}` | undefined;
};

const UINT32_MAX = 2 ** 32 - 1;
const UINT96_MAX = 2n ** 96n - 1n;

function seconds(value: string | number, what: string): number {
  const n = parseDuration(value, what);
  if (n > UINT32_MAX) throw new UsageError(`${what} is too long (at most ${UINT32_MAX} s)`);
  return n;
}
function wei(value: string | number, what: string): bigint {
  const n = parseEth(value, what);
  if (n > UINT96_MAX) throw new UsageError(`${what} is too large`);
  return n;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** Reads and validates a spec file; compose paths are resolved against the spec's folder and read. */
export async function loadSourceSpec(path: string): Promise<LoadedSpec> {
  const text = await readText(path, "the spec file");
  let raw: unknown;
  try {
    raw = extname(path).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new UsageError(`the spec file ${path} is not valid ${extname(path) === ".json" ? "JSON" : "YAML"}: ${(err as Error).message.split("\n")[0]}`);
  }
  const parsed = specSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new UsageError(`the spec file ${path} is invalid: ${issues.join("; ")}`);
  }
  const spec = parsed.data;
  const p = spec.params;
  const compose: Partial<Record<ComposeKey, string>> = {};
  for (const key of ["cpu", "nvidia", "amd"] as const) {
    const file = spec.compose[key];
    if (file !== undefined) compose[key] = await readText(resolve(dirname(path), file), `the ${key} compose file`);
  }
  return {
    metadata: { name: spec.name, description: spec.description, logoUrl: spec.logoUrl },
    compose,
    params: {
      deliveryMethod: DeliveryMethod[p.deliveryMethod],
      minPayment: wei(p.minPayment, "params.minPayment"),
      minAvailableLockup: wei(p.minAvailableLockup, "params.minAvailableLockup"),
      lapsePenalty: wei(p.lapsePenalty, "params.lapsePenalty"),
      maxExpiryDuration: seconds(p.maxExpiryDuration, "params.maxExpiryDuration"),
      attemptTimeout: seconds(p.attemptTimeout, "params.attemptTimeout"),
      maxConcurrentAttempts: p.maxConcurrentAttempts,
      reviewWindow: seconds(p.reviewWindow, "params.reviewWindow"),
      verification: VerificationMethod[p.verification],
      quorum: p.quorum,
    },
    salt: spec.salt as `0x${string}` | undefined,
  };
}
