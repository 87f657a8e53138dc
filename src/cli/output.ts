// Human and machine output: aligned key/value lines and tables, ETH and time formatting, JSON with bigints as strings.
import { formatEther } from "viem";

/** Where the CLI writes: process.stdout / process.stderr, or a buffer in tests. */
export type CliOutput = { write: (chunk: string) => unknown; isTTY?: boolean | undefined };

/** JSON with bigint as decimal strings and Uint8Array as hex; one document, newline-terminated. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString("hex")}`;
    return v;
  }, 2)}\n`;
}

/** A value as plain JSON data (bigints as strings), e.g. to embed decoded event args in a JSON document. */
export function jsonSafe(value: unknown): unknown {
  return JSON.parse(toJson(value)) as unknown;
}

export function formatEth(wei: bigint): string {
  return `${formatEther(wei)} ETH`;
}

/** Unix seconds as ISO time, with a relative hint against `now` (seconds) when given. */
export function formatTime(seconds: bigint | number, now?: bigint | number): string {
  const n = Number(seconds);
  if (n === 0) return "-";
  const iso = new Date(n * 1000).toISOString().replace(".000Z", "Z");
  if (now === undefined) return iso;
  const delta = n - Number(now);
  return `${iso} (${delta >= 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`})`;
}

export function formatDuration(seconds: bigint | number): string {
  let s = Math.round(Number(seconds));
  if (s === 0) return "0s";
  const parts: string[] = [];
  for (const [unit, size] of [["d", 86_400], ["h", 3_600], ["m", 60], ["s", 1]] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.slice(0, 2).join("");
}

const ENV_NAMES: [number, string][] = [[1, "cpu"], [2, "nvidia"], [4, "amd"]];
/** An environment mask as names: 3 → "cpu,nvidia". */
export function formatEnvironments(mask: number): string {
  return ENV_NAMES.filter(([bit]) => (mask & bit) !== 0).map(([, n]) => n).join(",") || "none";
}

/** `label  value` lines with the values aligned. */
export function formatKv(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n") + (rows.length ? "\n" : "");
}

/** A table with a header row; columns padded to their widest cell. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd();
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
}

/** Writes the machine result (one JSON document) or the human text, and nothing else on stdout. */
export function emit(out: CliOutput, json: boolean, value: unknown, human: () => string): void {
  out.write(json ? toJson(value) : human());
}
