// Watching protocol events: backfill, follow the head, wait for confirmations, survive reorgs and restarts.
import { BlockNotFoundError, type Chain, type Client, type Hex, type Transport } from "viem";
import { getBlock, getBlockNumber } from "viem/actions";
import { assertNexus } from "../actions/nexus-check.ts";
import { toNexusError } from "../errors/decode.ts";
import { InvalidParameterError } from "../errors/usage.ts";
import { cursorAfterBlock, parseEventCursor, type EventCursorStore } from "./cursor.ts";
import { compileFilter, fetchEventsInRange, minBig, type RangeState } from "./logs.ts";
import type { EventCursor, NexusEvent, NexusEventBatch, NexusEventFilter, NexusRemovedBatch } from "./types.ts";

export const DEFAULT_REORG_DEPTH = 64;

export type WatchNexusEventsParameters = NexusEventFilter & {
  /** First block to deliver when there is no cursor (default: the block after the current head: only new events). */
  fromBlock?: bigint | undefined;
  /** Resume after this cursor (wins over `fromBlock` and over the store's cursor). */
  cursor?: EventCursor | undefined;
  /** Read at start when no `cursor` is given; written once the consumer has handled each batch. */
  cursorStore?: EventCursorStore | undefined;
  /** Blocks an event must have on top of it, its own included, before delivery (default 1: at once). */
  confirmations?: number | undefined;
  /** How often to ask for the head, in ms (default: the client's `pollingInterval`). */
  pollingInterval?: number | undefined;
  /** How many blocks back reorgs are detected and their removed events listed (default 64). */
  reorgDepth?: number | undefined;
  /** Also deliver batches with no events, so that the cursor advances through quiet blocks (default false). */
  emptyBatches?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** When set, a failed poll is reported here and retried with backoff; without it the iterator throws. */
  onError?: ((error: Error) => void) | undefined;
};

type Known = { hash: Hex; events: NexusEvent[] };
type AnyClient = Client<Transport, Chain | undefined>;

async function hashAt(client: AnyClient, blockNumber: bigint): Promise<Hex | undefined> {
  try {
    return (await getBlock(client, { blockNumber, includeTransactions: false })).hash;
  } catch (error) {
    if (error instanceof BlockNotFoundError) return undefined;
    throw error;
  }
}

async function requireHash(client: AnyClient, blockNumber: bigint): Promise<Hex> {
  const hash = await hashAt(client, blockNumber);
  if (hash === undefined) throw new BlockNotFoundError({ blockNumber });
  return hash;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Protocol events as an async iterator of batches: first the backfill from `cursor` / `fromBlock`, then new
 * blocks as they get `confirmations`. Each `events` batch holds whole blocks in chain order and a `cursor`
 * after them; when delivered blocks are reorganised away a `removed` batch lists their events and rewinds
 * the cursor, and the new canonical events follow. Aborting `signal` ends the iteration.
 *
 * With a `cursorStore`, a batch's cursor is saved when the consumer asks for the next batch, so a crash while
 * handling a batch redelivers it (at-least-once per batch; exactly-once with per-event `cursorAfterEvent`).
 * Errors are NexusErrors (NexusNotFoundError at once when no Nexus answers at the address); an abort of
 * `signal` ends the iteration with the signal's reason.
 * @example for await (const batch of watchNexusEvents(client, { fromBlock: 0n, args: { client: me } })) …
 */
export async function* watchNexusEvents(client: AnyClient, parameters: WatchNexusEventsParameters = {}): AsyncGenerator<NexusEventBatch, void, undefined> {
  try {
    yield* watch(client, parameters);
  } catch (error) {
    throw parameters.signal?.aborted ? error : toNexusError(error);
  }
}

async function* watch(client: AnyClient, parameters: WatchNexusEventsParameters): AsyncGenerator<NexusEventBatch, void, undefined> {
  const { signal, onError, cursorStore } = parameters;
  const aborted = () => signal?.aborted === true;
  const f = await compileFilter(client, parameters);
  // Logs of a wrong address are only ever empty: say so now rather than watch nothing forever.
  await assertNexus(client, f.address);
  const range: RangeState = { range: f.maxBlockRange, streak: 0 };
  const confirmations = BigInt(Math.max(1, parameters.confirmations ?? 1));
  const reorgDepth = BigInt(parameters.reorgDepth ?? DEFAULT_REORG_DEPTH);
  const interval = parameters.pollingInterval ?? client.pollingInterval;

  // Delivered blocks of this session whose hash we know (blocks with events, and the end of every range).
  const known = new Map<bigint, Known>();
  // Blocks <= floor are taken as final; all events this session delivered at >= retainedFrom are in `known`.
  let floor: bigint;
  let floorHash: Hex | undefined;
  let retainedFrom: bigint;
  let next: bigint;
  let skip: { height: bigint; logIndex: number } | undefined;
  let pending: NexusRemovedBatch | undefined;

  const start = parameters.cursor ?? (await cursorStore?.get());
  if (start !== undefined) {
    const c = parseEventCursor(start);
    const h = BigInt(c.blockNumber);
    if ((await hashAt(client, h)) === c.blockHash) {
      next = c.logIndex === undefined ? h + 1n : h;
      floor = c.logIndex === undefined ? h : h - 1n;
      floorHash = c.logIndex === undefined ? c.blockHash : undefined;
      retainedFrom = h + 1n;
      if (c.logIndex !== undefined) skip = { height: h, logIndex: c.logIndex };
    } else {
      // The cursor's block was reorganised away while we were stopped: start over from that height.
      if (h === 0n) throw new InvalidParameterError({ parameter: "cursor", reason: "its genesis block differs from this chain's: wrong chain?" });
      next = h;
      floor = h - 1n;
      retainedFrom = h;
      floorHash = await requireHash(client, floor);
      pending = { type: "removed", events: [], cursor: cursorAfterBlock(floor, floorHash), incomplete: true };
    }
  } else {
    const first = parameters.fromBlock ?? (await getBlockNumber(client, { cacheTime: 0 })) + 1n;
    // Genesis carries no logs: starting at 0 is starting at 1 with block 0 as the final floor.
    next = first < 1n ? 1n : first;
    floor = next - 1n;
    retainedFrom = next;
  }

  const save = async (cursor: EventCursor) => {
    if (cursorStore !== undefined) await cursorStore.set(cursor);
  };

  /** Compares the newest delivered block with the chain; on a change, rewinds to the newest one still canonical. */
  const checkReorg = async (): Promise<NexusRemovedBatch | undefined> => {
    const heights = [...known.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const tip = heights[heights.length - 1];
    if (tip === undefined || (await hashAt(client, tip)) === known.get(tip)?.hash) return undefined;
    // Canonical blocks form a prefix of `heights`: binary search for its end.
    let lo = 0;
    let hi = heights.length - 1; // heights[hi] is known to have changed
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const h = heights[mid] as bigint;
      if ((await hashAt(client, h)) === known.get(h)?.hash) lo = mid + 1;
      else hi = mid;
    }
    const changedFrom = heights[lo] as bigint;
    const baseHeight = lo === 0 ? floor : (heights[lo - 1] as bigint);
    const baseHash = lo === 0 ? (floorHash ??= await requireHash(client, floor)) : (known.get(baseHeight) as Known).hash;
    const events: NexusEvent[] = [];
    for (const h of heights) {
      if (h < changedFrom) continue;
      events.push(...(known.get(h) as Known).events);
      known.delete(h);
    }
    const incomplete = baseHeight + 1n < retainedFrom;
    next = baseHeight + 1n;
    retainedFrom = next;
    skip = undefined;
    return { type: "removed", events, cursor: cursorAfterBlock(baseHeight, baseHash), incomplete };
  };

  const prune = (tip: bigint) => {
    for (const [h, entry] of [...known.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (h >= tip - reorgDepth || h === tip) break;
      floor = h;
      floorHash = entry.hash;
      retainedFrom = h + 1n;
      known.delete(h);
    }
  };

  if (pending !== undefined) {
    yield pending;
    await save(pending.cursor);
  }
  let failures = 0;
  while (!aborted()) {
    try {
      const removed = await checkReorg();
      if (aborted()) return;
      if (removed !== undefined) {
        yield removed;
        await save(removed.cursor);
      }
      const safe = (await getBlockNumber(client, { cacheTime: 0 })) - confirmations + 1n;
      while (next <= safe && !aborted()) {
        const from = next;
        const to = minBig(safe, from + BigInt(range.range) - 1n);
        // The header first: if the chain moves between the two calls, the next check sees the change.
        const toHash = await requireHash(client, to);
        let events = await fetchEventsInRange(client, f, from, to, range);
        if (aborted()) return;
        const s = skip;
        if (s !== undefined) events = events.filter((e) => e.blockNumber !== s.height || e.logIndex > s.logIndex);
        skip = undefined;
        for (const e of events) {
          const entry = known.get(e.blockNumber);
          if (entry === undefined) known.set(e.blockNumber, { hash: e.blockHash, events: [e] });
          else entry.events.push(e);
        }
        if (!known.has(to)) known.set(to, { hash: toHash, events: [] });
        next = to + 1n;
        prune(to);
        if (events.length > 0 || parameters.emptyBatches === true) {
          const batch: NexusEventBatch = { type: "events", events, fromBlock: from, toBlock: to, cursor: cursorAfterBlock(to, toHash) };
          yield batch;
          await save(batch.cursor);
        }
      }
      failures = 0;
    } catch (error) {
      if (onError === undefined || aborted()) throw error;
      onError(toNexusError(error));
      failures++;
    }
    await sleep(interval * 2 ** Math.min(failures, 5), signal);
  }
}

export type SubscribeNexusEventsParameters = WatchNexusEventsParameters & {
  /** Called with each batch; the next batch waits for the returned promise. A throw stops the subscription. */
  onEvents: (batch: NexusEventBatch) => void | Promise<void>;
};

/**
 * Callback form of `watchNexusEvents`. Failed polls go to `onError` and are retried; an error from `onEvents`
 * or from the start (bad filter, unknown chain) goes to `onError` and ends the subscription.
 * @returns a function that stops the subscription.
 */
export function subscribeNexusEvents(client: AnyClient, parameters: SubscribeNexusEventsParameters): () => void {
  const controller = new AbortController();
  const signal = parameters.signal === undefined ? controller.signal : AbortSignal.any([parameters.signal, controller.signal]);
  const report = parameters.onError ?? (() => undefined);
  void (async () => {
    try {
      for await (const batch of watchNexusEvents(client, { ...parameters, signal, onError: report })) {
        await parameters.onEvents(batch);
      }
    } catch (error) {
      if (!signal.aborted) report(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  return () => controller.abort();
}
