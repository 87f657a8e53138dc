// Serialisable cursors and where to keep them.
import * as z from "zod/mini";
import type { Hex } from "viem";
import { InvalidParameterError } from "../errors/usage.ts";
import type { EventCursor, NexusEvent } from "./types.ts";

const cursorSchema = z.strictObject({
  blockNumber: z.string().check(z.regex(/^(0|[1-9][0-9]*)$/, "expected a decimal block number")),
  blockHash: z.string().check(z.regex(/^0x[0-9a-fA-F]{64}$/, "expected a 32-byte block hash")),
  logIndex: z.optional(z.int().check(z.nonnegative())),
});

/** The cursor after a whole block. */
export function cursorAfterBlock(blockNumber: bigint, blockHash: Hex): EventCursor {
  return { blockNumber: blockNumber.toString(), blockHash };
}

/**
 * The cursor after one event, for consumers that persist progress event by event: a watcher resumed from it
 * delivers the rest of that block first (the events with a higher `logIndex`), then the following blocks.
 */
export function cursorAfterEvent(event: Pick<NexusEvent, "blockNumber" | "blockHash" | "logIndex">): EventCursor {
  return { blockNumber: event.blockNumber.toString(), blockHash: event.blockHash, logIndex: event.logIndex };
}

/** Validates a cursor read back from storage (JSON.parse output). @throws InvalidParameterError when it is malformed. */
export function parseEventCursor(value: unknown): EventCursor {
  const result = cursorSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new InvalidParameterError({ parameter: "cursor", reason: `not an event cursor (${issues})` });
  }
  const { blockNumber, blockHash, logIndex } = result.data;
  return logIndex === undefined
    ? { blockNumber, blockHash: blockHash.toLowerCase() as Hex }
    : { blockNumber, blockHash: blockHash.toLowerCase() as Hex, logIndex };
}

/** The cursor as a JSON string (it is JSON-safe already; this only fixes the key order). */
export function serializeEventCursor(cursor: EventCursor): string {
  const { blockNumber, blockHash, logIndex } = parseEventCursor(cursor);
  return JSON.stringify(logIndex === undefined ? { blockNumber, blockHash } : { blockNumber, blockHash, logIndex });
}

/** Orders two cursors by chain position (a whole-block cursor is after every event cursor of its block). */
export function compareEventCursors(a: EventCursor, b: EventCursor): number {
  const byBlock = BigInt(a.blockNumber) - BigInt(b.blockNumber);
  if (byBlock !== 0n) return byBlock < 0n ? -1 : 1;
  const ia = a.logIndex ?? Number.POSITIVE_INFINITY;
  const ib = b.logIndex ?? Number.POSITIVE_INFINITY;
  return ia === ib ? 0 : ia < ib ? -1 : 1;
}

/**
 * Where a watcher keeps its cursor between runs. The SDK ships an in-memory store; a node persists
 * cursors to a file or a database by implementing the same two methods.
 */
export type EventCursorStore = {
  /** The saved cursor, or undefined when the watcher never delivered anything. */
  get(): Promise<EventCursor | undefined>;
  /** Saves the cursor (called once the consumer has handled the batch it points after). */
  set(cursor: EventCursor): Promise<void>;
};

/** An in-memory EventCursorStore (tests, browsers, short-lived scripts). Copies in and out. */
export function createEventCursorStore(initial?: EventCursor | undefined): EventCursorStore {
  let saved = initial === undefined ? undefined : parseEventCursor(initial);
  return {
    get: async () => (saved === undefined ? undefined : { ...saved }),
    set: async (cursor) => {
      saved = parseEventCursor(cursor);
    },
  };
}
