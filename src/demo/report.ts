// Rendering for the demo: a progress bar for terminals, plain lines otherwise, and the closing summary table.
import { formatEther, type Address } from "viem";
import type { WorkloadResult } from "./workload.ts";

/**
 * A master's position after the run; `reserved` is what attempts still hold of its stake (0 once all ended), and
 * `held` all it has in the vault (liquid balance, where earnings are credited, plus lockup and unbonding), and
 * `deposited` what it put in before the run: held − deposited is what the run gained or cost it.
 */
export type Payout = { master: Address; role: string; earnings: bigint; balance: bigint; reserved: bigint; held: bigint; deposited: bigint };

export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${done}/${total} tasks done`;
}

function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")).join("\n");
}

export type Summary = {
  tasks: { total: number; finalized: number; expired: number; canceled: number; open: number; byPolicy: Record<string, number> };
  latencyMs: { p50: number | undefined; p95: number | undefined };
  gas: Record<string, { calls: number; average: string }>;
  payouts: { master: Address; role: string; earningsWei: string; balanceWei: string; reservedWei: string; netWei: string }[];
  refundedWei: string;
  /** caught: results an agreement outvoted and rejected; slashedWei: every penalty taken; wronglyPaid: paid tasks whose result the client's own recomputation refutes. */
  verification: { audited: number; disputes: number; caught: number; slashedWei: string; wronglyPaid: number };
  runtime: string;
};

export function summarize(result: WorkloadResult, payouts: Payout[], runtime: string): Summary {
  const count = (status: string) => result.outcomes.filter((o) => o.status === status).length;
  const latencies = result.outcomes.flatMap((o) => (o.finishedAt && o.status === "finalized" ? [o.finishedAt - o.publishedAt] : [])).sort((a, b) => a - b);
  const gas: Summary["gas"] = {};
  for (const [name, values] of [...result.gasByFunction.entries()].sort()) {
    gas[name] = { calls: values.length, average: String(values.reduce((s, v) => s + v, 0n) / BigInt(values.length)) };
  }
  return {
    tasks: {
      total: result.outcomes.length,
      finalized: count("finalized"),
      expired: count("expired"),
      canceled: count("canceled"),
      open: count("open"),
      byPolicy: Object.fromEntries([...new Set(result.outcomes.map((o) => o.delivery))].map((d) => [d, result.outcomes.filter((o) => o.delivery === d).length])),
    },
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
    gas,
    payouts: payouts.map((p) => ({
      master: p.master,
      role: p.role,
      earningsWei: String(p.earnings),
      balanceWei: String(p.balance),
      reservedWei: String(p.reserved),
      netWei: String(p.held - p.deposited),
    })),
    refundedWei: String(result.refunded),
    verification: { ...result.verification, slashedWei: String(result.verification.slashedWei) },
    runtime,
  };
}

export function renderSummary(s: Summary): string {
  const ms = (v: number | undefined) => (v === undefined ? "-" : `${(v / 1000).toFixed(2)} s`);
  return [
    "",
    "Summary",
    table([
      ["tasks", "total", "finalized", "expired", "canceled", "open"],
      ["", String(s.tasks.total), String(s.tasks.finalized), String(s.tasks.expired), String(s.tasks.canceled), String(s.tasks.open)],
    ]),
    "",
    `latency publish → finalized: p50 ${ms(s.latencyMs.p50)}, p95 ${ms(s.latencyMs.p95)}   (runtime: ${s.runtime})`,
    "",
    table([["operation", "calls", "avg gas"], ...Object.entries(s.gas).map(([name, g]) => [name, String(g.calls), Number(g.average).toLocaleString("en-US")])]),
    "",
    table([
      ["master", "earnings (ETH)", "vault balance (ETH)", "stake reserved (ETH)", "net (ETH)"],
      ...s.payouts.map((p) => [
        `${p.role} ${p.master}`,
        formatEther(BigInt(p.earningsWei)),
        formatEther(BigInt(p.balanceWei)),
        formatEther(BigInt(p.reservedWei)),
        formatEther(BigInt(p.netWei)),
      ]),
    ]),
    "",
    `refunded to the client: ${formatEther(BigInt(s.refundedWei))} ETH`,
    `verification: ${s.verification.caught} caught, ${formatEther(BigInt(s.verification.slashedWei))} ETH slashed, ${s.verification.wronglyPaid} task(s) paid for a wrong result (each paid result recomputed by the client)`,
  ].join("\n");
}
