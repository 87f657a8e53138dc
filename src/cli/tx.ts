// Sending one Nexus transaction from a command: simulate + send (the SDK action), wait, decode its events,
// and describe them for humans and for --json.
import type { Hash } from "viem";
import type { NexusEventLog } from "../sdk/abis.ts";
import type { NexusWriteReturnType } from "../sdk/actions/internal.ts";
import type { CliContext, Io } from "./command.ts";
import { InterruptedError } from "./errors.ts";
import { formatEth, formatTime, jsonSafe } from "./output.ts";

const WEI_FIELDS = new Set(["payment", "amount", "paid", "fee", "refunded", "penalty", "suggestedPayment", "askedPayment", "unbonding"]);
const TIME_FIELDS = new Set(["expiryTime", "deadline", "maturesAt"]);

/** An event as plain data: `{ event, args, blockNumber, transactionHash }`. */
export type EventJson = { event: string; args: unknown; blockNumber: string; logIndex: number; transactionHash: Hash };

export function eventJson(e: NexusEventLog): EventJson {
  return { event: e.eventName, args: jsonSafe(e.args), blockNumber: e.blockNumber.toString(), logIndex: e.logIndex, transactionHash: e.transactionHash };
}

/** `TaskAttempted provider=0x… deadline=2026-…` with amounts in ETH and times in ISO. */
export function formatEvent(e: NexusEventLog): string {
  const args = Object.entries(e.args as Record<string, unknown>).map(([k, v]) => {
    if (typeof v === "bigint" && WEI_FIELDS.has(k)) return `${k}=${formatEth(v)}`;
    if ((typeof v === "bigint" || typeof v === "number") && TIME_FIELDS.has(k)) return `${k}=${formatTime(v)}`;
    if (typeof v === "object" && v !== null) return `${k}={…}`;
    return `${k}=${String(v)}`;
  });
  return `${e.eventName} ${args.join(" ")}`.trim();
}

export type TxOutcome = {
  transactionHash: Hash;
  blockNumber: bigint;
  gasUsed: bigint;
  events: NexusEventLog[];
};

/** Sends, waits for the receipt, and notes progress on stderr. */
export async function sendTx<result extends object>(
  io: Io,
  ctx: CliContext,
  label: string,
  send: () => Promise<NexusWriteReturnType<result>>,
): Promise<TxOutcome & { sent: NexusWriteReturnType<result> }> {
  if (ctx.signal?.aborted) throw new InterruptedError();
  const sent = await send();
  io.note(`${label}: sent ${sent.hash}`);
  const { receipt, events } = await sent.wait();
  io.note(`${label}: mined in block ${receipt.blockNumber}`);
  return { sent, transactionHash: receipt.transactionHash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, events };
}

/** The JSON part every transaction result carries. */
export function txJson(tx: TxOutcome): { transactionHash: Hash; blockNumber: string; gasUsed: string; events: EventJson[] } {
  return { transactionHash: tx.transactionHash, blockNumber: tx.blockNumber.toString(), gasUsed: tx.gasUsed.toString(), events: tx.events.map(eventJson) };
}

/** Human lines for a mined transaction: its hash, then its events. */
export function txHuman(tx: TxOutcome): string {
  return [`transaction  ${tx.transactionHash} (block ${tx.blockNumber})`, ...tx.events.map((e) => `  ${formatEvent(e)}`)].join("\n") + "\n";
}
