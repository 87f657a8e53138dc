// One-shot reading of protocol events: topic filters, local argument filters, and eth_getLogs ranges split
// until the node accepts them.
import {
  decodeAbiParameters,
  formatLog,
  numberToHex,
  pad,
  toEventSelector,
  type AbiEvent,
  type AbiParameter,
  type Address,
  type Chain,
  type Client,
  type Hex,
  type Log,
  type RpcLog,
  type Transport,
} from "viem";
import { getBlockNumber } from "viem/actions";
import { nexusAbi } from "../abis.ts";
import { assertNexus } from "../actions/nexus-check.ts";
import { getClientChainId, getDeployment, resolveNexusAddress } from "../chains.ts";
import { toNexusError } from "../errors/decode.ts";
import { checkedAddress, InvalidParameterError } from "../errors/usage.ts";
import type { NexusEvent, NexusEventFilter, NexusEventName, NexusIndexedArgName } from "./types.ts";

export const DEFAULT_MAX_BLOCK_RANGE = 5_000;

const eventItems = nexusAbi.filter((item): item is Extract<(typeof nexusAbi)[number], { type: "event" }> => item.type === "event");

/** Position (1..3) of an indexed argument in the topics of an event, or undefined. */
function topicPosition(event: AbiEvent, arg: string): number | undefined {
  let position = 0;
  for (const input of event.inputs) {
    if (!input.indexed) continue;
    position++;
    if (input.name === arg) return position;
  }
  return undefined;
}

/** A compiled filter: what goes to the node and what is checked locally. */
export type CompiledFilter = {
  address: Address;
  topics: (Hex | Hex[] | null)[];
  eventNames: ReadonlySet<string>;
  args: ReadonlyMap<string, ReadonlySet<string>>;
  maxBlockRange: number;
};

export async function compileFilter(client: Client<Transport, Chain | undefined>, filter: NexusEventFilter): Promise<CompiledFilter> {
  const address = await resolveNexusAddress(client, filter.nexus);
  const args = new Map<string, Set<string>>();
  for (const [name, value] of Object.entries(filter.args ?? {}) as [NexusIndexedArgName, Address | readonly Address[] | undefined][]) {
    if (value === undefined) continue;
    const list = typeof value === "string" ? [value] : value;
    args.set(name, new Set(list.map((a) => checkedAddress(a, `args.${name}`).toLowerCase())));
  }
  const named = filter.events === undefined ? undefined : new Set<string>(typeof filter.events === "string" ? [filter.events] : filter.events);
  for (const name of named ?? []) {
    if (!eventItems.some((e) => e.name === name)) throw new InvalidParameterError({ parameter: "events", reason: `unknown GPU Nexus event "${name}"` });
  }
  // Keep the events that are asked for and carry every filtered argument as an indexed topic.
  const events = eventItems.filter(
    (e) => (named === undefined || named.has(e.name)) && [...args.keys()].every((a) => topicPosition(e, a) !== undefined),
  );
  if (events.length === 0) throw new InvalidParameterError({ parameter: "events", reason: "the event filter matches no GPU Nexus event" });
  const topics: (Hex | Hex[] | null)[] = [events.map((e) => toEventSelector(e))];
  // An argument goes to the node when it sits at the same topic position in every selected event.
  for (const [name, values] of args) {
    const positions = new Set(events.map((e) => topicPosition(e, name)));
    const [position] = positions;
    if (positions.size !== 1 || position === undefined) continue;
    while (topics.length <= position) topics.push(null);
    topics[position] = [...values].map((v) => pad(v as Hex, { size: 32 }));
  }
  const maxBlockRange = filter.maxBlockRange ?? DEFAULT_MAX_BLOCK_RANGE;
  if (!Number.isSafeInteger(maxBlockRange) || maxBlockRange < 1) throw new InvalidParameterError({ parameter: "maxBlockRange", reason: "must be a positive integer" });
  return { address, topics, eventNames: new Set(events.map((e) => e.name)), args, maxBlockRange };
}

// What nodes and providers answer when an eth_getLogs range is too much for them (geth, Erigon, Alchemy,
// Infura, QuickNode, Ankr, Cloudflare, Besu…).
const REFUSALS = [
  /query returned more than \d+ results/i,
  /more than \d+ (results|logs)/i,
  /block range/i,
  /range (is )?too (large|wide|big)/i,
  /exceed(s|ed)? (the )?(max(imum)?|allowed) (block )?range/i,
  /response size (exceeded|is larger|too large)/i,
  /log response size/i,
  /too many (results|logs|blocks)/i,
  /limit(ed)? (exceeded|to a)/i,
  /query timeout/i,
  /(request|query) (timed out|exceeds)/i,
  // viem's own HTTP transport stops reading a reply above its size limit (ResponseBodyTooLargeError).
  /response body exceeded the size limit/i,
];

/** True when the error says that the log query was too large, so that a smaller range may succeed. */
export function isLogRangeRefusal(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; typeof e === "object" && e !== null && depth < 8; depth++) {
    const { code, message, details } = e as { code?: unknown; message?: unknown; details?: unknown };
    if (code === -32005 || (e as { name?: unknown }).name === "ResponseBodyTooLargeError") return true;
    const text = `${typeof message === "string" ? message : ""}\n${typeof details === "string" ? details : ""}`;
    if (REFUSALS.some((r) => r.test(text))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Mutable range hint shared across calls: shrinks when a node refuses a range, so later chunks ask less. */
export type RangeState = { range: number; streak: number };

async function requestLogs(client: Client<Transport, Chain | undefined>, f: CompiledFilter, from: bigint, to: bigint): Promise<RpcLog[]> {
  const params = { address: f.address, topics: f.topics, fromBlock: numberToHex(from), toBlock: numberToHex(to) };
  return (await client.request({ method: "eth_getLogs", params: [params] })) as RpcLog[];
}

/**
 * Where to cut a refused range `from..to`: at the node's own suggestion when it gives one (Alchemy and Infura
 * answer "… this block range should work: [0x…, 0x…]"); into as many parts as the reply was over the limit
 * when the client measured it (viem's ResponseBodyTooLargeError); else in halves.
 */
export function splitRefusedRange(error: unknown, from: bigint, to: bigint): [bigint, bigint][] {
  for (let e: unknown = error, depth = 0; typeof e === "object" && e !== null && depth < 8; depth++) {
    const { message, details, name, size, maxSize } = e as { message?: unknown; details?: unknown; name?: unknown; size?: unknown; maxSize?: unknown };
    const hint = /\[\s*(0x[0-9a-f]+)\s*,\s*(0x[0-9a-f]+)\s*\]/i.exec(`${String(message)} ${String(details)}`);
    if (hint?.[1] !== undefined && hint[2] !== undefined && BigInt(hint[1]) === from && BigInt(hint[2]) >= from && BigInt(hint[2]) < to) {
      return [[from, BigInt(hint[2])], [BigInt(hint[2]) + 1n, to]];
    }
    if (name === "ResponseBodyTooLargeError" && typeof size === "number" && typeof maxSize === "number" && maxSize > 0 && size > maxSize) {
      return cut(from, to, Math.min(16, Math.ceil(size / maxSize) + 1));
    }
    e = (e as { cause?: unknown }).cause;
  }
  return cut(from, to, 2);
}

function cut(from: bigint, to: bigint, parts: number): [bigint, bigint][] {
  const span = to - from + 1n;
  const step = (span + BigInt(parts) - 1n) / BigInt(parts);
  const out: [bigint, bigint][] = [];
  for (let a = from; a <= to; a += step) out.push([a, minBig(to, a + step - 1n)]);
  return out;
}

/**
 * Logs of `from..to` in chunks of `state.range` blocks. A chunk the node refuses is cut (see splitRefusedRange)
 * and the size of its first part becomes the range for what follows; after 8 accepted chunks in a row the
 * range doubles again, up to the filter's maxBlockRange, so a dense stretch does not slow a whole backfill.
 */
async function fetchSplit(
  client: Client<Transport, Chain | undefined>,
  f: CompiledFilter,
  from: bigint,
  to: bigint,
  state: RangeState,
): Promise<RpcLog[]> {
  const out: RpcLog[] = [];
  for (let a = from; a <= to; ) {
    const b = minBig(to, a + BigInt(state.range) - 1n);
    try {
      out.push(...(await requestLogs(client, f, a, b)));
    } catch (error) {
      if (a === b || !isLogRangeRefusal(error)) throw error;
      const [first] = splitRefusedRange(error, a, b) as [[bigint, bigint]];
      state.range = Math.max(1, Math.min(state.range, Number(first[1] - first[0] + 1n)));
      state.streak = 0;
      continue;
    }
    a = b + 1n;
    if (++state.streak >= 8 && state.range < f.maxBlockRange) {
      state.range = Math.min(f.maxBlockRange, state.range * 2);
      state.streak = 0;
    }
  }
  return out;
}

type EventEntry = { name: string; indexed: readonly AbiParameter[]; data: readonly AbiParameter[] };
// Decoding table built once: viem's parseEventLogs re-hashes every event signature for every log, which
// dominates a large backfill (about 10x slower than this).
const bySelector = new Map<Hex, EventEntry>(
  eventItems.map((e) => [
    toEventSelector(e),
    { name: e.name, indexed: e.inputs.filter((i) => "indexed" in i && i.indexed), data: e.inputs.filter((i) => !("indexed" in i && i.indexed)) },
  ]),
);
const isHashedTopic = (p: AbiParameter) => p.type === "string" || p.type === "bytes" || p.type.endsWith("]") || p.type.startsWith("tuple");

/** Decodes one Nexus log strictly (undefined when it is not a protocol event of the right shape). */
function decodeLog(log: Log<bigint, number, false>): NexusEvent | undefined {
  const entry = log.topics[0] === undefined ? undefined : bySelector.get(log.topics[0]);
  if (entry === undefined || log.topics.length !== entry.indexed.length + 1) return undefined;
  try {
    const args: Record<string, unknown> = {};
    entry.indexed.forEach((input, i) => {
      const topic = log.topics[i + 1] as Hex;
      args[input.name as string] = isHashedTopic(input) ? topic : decodeAbiParameters([input], topic)[0];
    });
    if (entry.data.length > 0) {
      const values = decodeAbiParameters(entry.data, log.data);
      entry.data.forEach((input, i) => (args[input.name as string] = values[i]));
    }
    return { ...log, eventName: entry.name, args } as unknown as NexusEvent;
  } catch {
    return undefined;
  }
}

/** Decodes, filters locally and orders raw logs of the Nexus. */
export function decodeLogs(f: CompiledFilter, raw: readonly RpcLog[]): NexusEvent[] {
  const kept: NexusEvent[] = [];
  for (const rpcLog of raw) {
    if (rpcLog.removed || rpcLog.blockNumber === null) continue;
    const event = decodeLog(formatLog(rpcLog) as Log<bigint, number, false>);
    if (event === undefined || !f.eventNames.has(event.eventName)) continue;
    const args = event.args as Record<string, unknown>;
    let ok = true;
    for (const [name, values] of f.args) {
      const value = args[name];
      if (typeof value !== "string" || !values.has(value.toLowerCase())) ok = false;
    }
    if (ok) kept.push(event);
  }
  return kept.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
}

/** Logs of `from..to` (inclusive), splitting any range the node refuses. */
export async function fetchEventsInRange(
  client: Client<Transport, Chain | undefined>,
  f: CompiledFilter,
  from: bigint,
  to: bigint,
  state: RangeState,
): Promise<NexusEvent[]> {
  return decodeLogs(f, await fetchSplit(client, f, from, to, state));
}

export type GetNexusEventsParameters<name extends NexusEventName = NexusEventName> = Omit<NexusEventFilter, "events"> & {
  events?: name | readonly name[] | undefined;
  /** First block (default: the registered deployment's block for this Nexus, else 0). */
  fromBlock?: bigint | undefined;
  /** Last block, inclusive (default: the latest block). */
  toBlock?: bigint | undefined;
};

/**
 * Every protocol event matching the filter in `fromBlock..toBlock`, decoded and in chain order. Ranges are
 * read in chunks of at most `maxBlockRange` blocks, and a chunk the node refuses is split in halves.
 * @throws NexusNotFoundError when no Nexus answers at the address (its logs would just be empty)
 * @example const published = await getNexusEvents(client, { events: "TaskPublished", args: { client: me } })
 */
export async function getNexusEvents<name extends NexusEventName = NexusEventName>(
  client: Client<Transport, Chain | undefined>,
  parameters: GetNexusEventsParameters<name> = {},
): Promise<NexusEvent<name>[]> {
  try {
    const f = await compileFilter(client, parameters);
    await assertNexus(client, f.address);
    const fromBlock = parameters.fromBlock ?? (await defaultFromBlock(client, f.address));
    const toBlock = parameters.toBlock ?? (await getBlockNumber(client, { cacheTime: 0 }));
    const state: RangeState = { range: f.maxBlockRange, streak: 0 };
    const out: NexusEvent[] = [];
    for (let from = fromBlock; from <= toBlock; ) {
      const to = minBig(toBlock, from + BigInt(state.range) - 1n);
      out.push(...(await fetchEventsInRange(client, f, from, to, state)));
      from = to + 1n;
    }
    return out as NexusEvent<name>[];
  } catch (err) {
    throw toNexusError(err);
  }
}

/** The block the registered deployment of `nexus` was made in, else 0. */
export async function defaultFromBlock(client: Client<Transport, Chain | undefined>, nexus: Address): Promise<bigint> {
  const d = getDeployment(await getClientChainId(client));
  return d !== undefined && d.nexus.toLowerCase() === nexus.toLowerCase() ? d.deployBlock : 0n;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
