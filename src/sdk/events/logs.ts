// One-shot reading of protocol events: topic filters, local argument filters, and eth_getLogs ranges split
// until the node accepts them.
import {
  formatLog,
  getAddress,
  numberToHex,
  pad,
  parseEventLogs,
  toEventSelector,
  type AbiEvent,
  type Address,
  type Chain,
  type Client,
  type Hex,
  type RpcLog,
  type Transport,
} from "viem";
import { getBlockNumber } from "viem/actions";
import { nexusAbi } from "../abis.ts";
import { getClientChainId, getDeployment, resolveNexusAddress } from "../chains.ts";
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
    args.set(name, new Set(list.map((a) => getAddress(a).toLowerCase())));
  }
  const named = filter.events === undefined ? undefined : new Set<string>(typeof filter.events === "string" ? [filter.events] : filter.events);
  for (const name of named ?? []) {
    if (!eventItems.some((e) => e.name === name)) throw new TypeError(`unknown GPU Nexus event "${name}"`);
  }
  // Keep the events that are asked for and carry every filtered argument as an indexed topic.
  const events = eventItems.filter(
    (e) => (named === undefined || named.has(e.name)) && [...args.keys()].every((a) => topicPosition(e, a) !== undefined),
  );
  if (events.length === 0) throw new TypeError("the event filter matches no GPU Nexus event");
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
  if (!Number.isSafeInteger(maxBlockRange) || maxBlockRange < 1) throw new TypeError("maxBlockRange must be a positive integer");
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
];

/** True when the error says that the log query was too large, so that a smaller range may succeed. */
export function isLogRangeRefusal(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; typeof e === "object" && e !== null && depth < 8; depth++) {
    const { code, message, details } = e as { code?: unknown; message?: unknown; details?: unknown };
    if (code === -32005) return true;
    const text = `${typeof message === "string" ? message : ""}\n${typeof details === "string" ? details : ""}`;
    if (REFUSALS.some((r) => r.test(text))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Mutable range hint shared across calls: shrinks when a node refuses a range, so later chunks ask less. */
export type RangeState = { range: number };

async function requestLogs(client: Client<Transport, Chain | undefined>, f: CompiledFilter, from: bigint, to: bigint): Promise<RpcLog[]> {
  const params = { address: f.address, topics: f.topics, fromBlock: numberToHex(from), toBlock: numberToHex(to) };
  return (await client.request({ method: "eth_getLogs", params: [params] })) as RpcLog[];
}

async function fetchSplit(
  client: Client<Transport, Chain | undefined>,
  f: CompiledFilter,
  from: bigint,
  to: bigint,
  state: RangeState,
): Promise<RpcLog[]> {
  try {
    return await requestLogs(client, f, from, to);
  } catch (error) {
    if (from === to || !isLogRangeRefusal(error)) throw error;
    const mid = from + (to - from) / 2n;
    state.range = Math.max(1, Math.min(state.range, Number(mid - from + 1n)));
    const left = await fetchSplit(client, f, from, mid, state);
    const right = await fetchSplit(client, f, mid + 1n, to, state);
    return [...left, ...right];
  }
}

/** Decodes, filters locally and orders raw logs of the Nexus. */
export function decodeLogs(f: CompiledFilter, raw: readonly RpcLog[]): NexusEvent[] {
  const logs = raw.filter((l) => !l.removed && l.blockNumber !== null).map((l) => formatLog(l));
  const decoded = parseEventLogs({ abi: nexusAbi, logs, strict: true }) as unknown as NexusEvent[];
  const kept = decoded.filter((event) => {
    if (!f.eventNames.has(event.eventName)) return false;
    const args = event.args as Record<string, unknown>;
    for (const [name, values] of f.args) {
      const value = args[name];
      if (typeof value !== "string" || !values.has(value.toLowerCase())) return false;
    }
    return true;
  });
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
 * @example const published = await getNexusEvents(client, { events: "TaskPublished", args: { client: me } })
 */
export async function getNexusEvents<name extends NexusEventName = NexusEventName>(
  client: Client<Transport, Chain | undefined>,
  parameters: GetNexusEventsParameters<name> = {},
): Promise<NexusEvent<name>[]> {
  const f = await compileFilter(client, parameters);
  const fromBlock = parameters.fromBlock ?? (await defaultFromBlock(client, f.address));
  const toBlock = parameters.toBlock ?? (await getBlockNumber(client, { cacheTime: 0 }));
  const state: RangeState = { range: f.maxBlockRange };
  const out: NexusEvent[] = [];
  for (let from = fromBlock; from <= toBlock; ) {
    const to = minBig(toBlock, from + BigInt(state.range) - 1n);
    out.push(...(await fetchEventsInRange(client, f, from, to, state)));
    from = to + 1n;
  }
  return out as NexusEvent<name>[];
}

/** The block the registered deployment of `nexus` was made in, else 0. */
export async function defaultFromBlock(client: Client<Transport, Chain | undefined>, nexus: Address): Promise<bigint> {
  const d = getDeployment(await getClientChainId(client));
  return d !== undefined && d.nexus.toLowerCase() === nexus.toLowerCase() ? d.deployBlock : 0n;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
