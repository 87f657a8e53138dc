// Parsing of option values: ETH amounts, durations, addresses, environments, JSON arguments.
import { readFile } from "node:fs/promises";
import { getAddress, isAddress, parseEther, parseUnits, type Address } from "viem";
import { UsageError } from "./errors.ts";

/**
 * An amount in ETH units ("0.1", "1.5eth"), or with an explicit unit ("100gwei", "5wei"). Returns wei.
 * Numbers from a spec file are accepted as ETH too.
 */
export function parseEth(value: string | number, what = "amount"): bigint {
  const text = String(value).trim().toLowerCase().replace(/\s+/g, "");
  const m = /^(\d+(?:\.\d+)?|\.\d+)(eth|gwei|wei)?$/.exec(text);
  if (!m) throw new UsageError(`invalid ${what} "${value}": expected a non-negative number of ETH, e.g. 0.1 (or 100gwei, 5wei)`);
  const [, num = "0", unit = "eth"] = m;
  try {
    if (unit === "wei") {
      if (num.includes(".")) throw new Error("fractional wei");
      return BigInt(num);
    }
    return unit === "gwei" ? parseUnits(num, 9) : parseEther(num);
  } catch {
    throw new UsageError(`invalid ${what} "${value}"`);
  }
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/** A duration: seconds ("3600"), or units combined ("90s", "10m", "1h30m", "2d"). Returns whole seconds. */
export function parseDuration(value: string | number, what = "duration"): number {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw new UsageError(`invalid ${what} ${value}: expected whole seconds`);
    return value;
  }
  const text = value.trim().toLowerCase();
  if (/^\d+$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+)([smhdw])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new UsageError(`invalid ${what} "${value}": expected seconds or e.g. 90s, 10m, 1h30m, 2d`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (DURATION_UNITS[p[2] ?? "s"] ?? 1), 0);
}

export function parseAddress(value: string | undefined, what = "address"): Address {
  if (value === undefined || value === "") throw new UsageError(`missing ${what}`);
  if (!isAddress(value, { strict: false })) throw new UsageError(`invalid ${what} "${value}": expected a 0x-prefixed 20-byte hex address`);
  return getAddress(value);
}

/** Environment names of the protocol's bitmask. */
export const ENVIRONMENTS = { cpu: 1, nvidia: 2, amd: 4 } as const;
export type EnvironmentName = keyof typeof ENVIRONMENTS;

/** One environment: cpu | nvidia | amd (or its bit 1 | 2 | 4). */
export function parseEnvironment(value: string | undefined): number {
  if (value === undefined) throw new UsageError("missing --environment (cpu, nvidia or amd)");
  const key = value.trim().toLowerCase();
  if (key in ENVIRONMENTS) return ENVIRONMENTS[key as EnvironmentName];
  if (key === "1" || key === "2" || key === "4") return Number(key);
  throw new UsageError(`invalid environment "${value}": expected cpu, nvidia or amd`);
}

/** Inline JSON, or `@path` to read it from a file. */
export async function parseJsonArgument(value: string, what: string): Promise<unknown> {
  let text = value;
  if (value.startsWith("@")) {
    try {
      text = await readFile(value.slice(1), "utf8");
    } catch (err) {
      throw new UsageError(`cannot read ${what} file ${value.slice(1)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/** A uint64 salt in decimal or 0x-hex. */
export function parseUint(value: string, what: string, max: bigint): bigint {
  let n: bigint;
  try {
    n = BigInt(value);
  } catch {
    throw new UsageError(`invalid ${what} "${value}": expected an integer`);
  }
  if (n < 0n || n > max) throw new UsageError(`invalid ${what} "${value}": out of range`);
  return n;
}
