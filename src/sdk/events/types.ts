// Types shared by the event readers and watchers: decoded events, filters, cursors and batches.
import type { Address, Hex } from "viem";
import type { NexusEventLog, NexusEventName } from "../abis.ts";

export type { NexusEventLog, NexusEventName };

/** A decoded protocol event as delivered by the watchers (every field of a mined log is set). */
export type NexusEvent<name extends NexusEventName = NexusEventName> = NexusEventLog<name>;

/** Indexed address arguments the readers can filter on (server-side when the node can, else locally). */
export type NexusIndexedArgName =
  | "task"
  | "source"
  | "client"
  | "provider"
  | "master"
  | "payee"
  | "account"
  | "from"
  | "principal"
  | "agent"
  | "caller"
  | "treasury";

/** One address, or several (any of them matches). */
export type AddressFilter = Address | readonly Address[];

export type NexusEventFilter = {
  /** The Nexus contract; default: the deployment registered for the client's chain. */
  nexus?: Address | undefined;
  /** Only these events (default: every protocol event, or every event that has all the `args` filtered on). */
  events?: NexusEventName | readonly NexusEventName[] | undefined;
  /**
   * Indexed address arguments to match. An event is kept when it has every named argument and each matches;
   * events without one of the arguments are left out (a filter on `task` means "events about that task").
   */
  args?: Partial<Record<NexusIndexedArgName, AddressFilter>> | undefined;
  /** Largest block range one `eth_getLogs` may ask for (default 5,000); ranges a node refuses are split further. */
  maxBlockRange?: number | undefined;
};

/**
 * Where a reader stands, JSON-safe: everything up to and including `blockNumber` was delivered, or, when
 * `logIndex` is set, only the events of that block up to and including `logIndex`.
 * `blockHash` lets a restarted watcher notice that the block was reorganised away while it was stopped.
 */
export type EventCursor = {
  blockNumber: string;
  blockHash: Hex;
  logIndex?: number | undefined;
};

/** Events of whole blocks `fromBlock..toBlock`, in chain order; `cursor` points after the last of them. */
export type NexusEventsBatch = {
  type: "events";
  events: NexusEvent[];
  fromBlock: bigint;
  toBlock: bigint;
  cursor: EventCursor;
};

/**
 * Events delivered earlier whose blocks are no longer canonical, newest last, and the cursor rewound to the
 * last block still canonical. The new canonical events follow in `events` batches.
 * `incomplete` is true when the rewind reached blocks this watcher did not deliver itself (delivered before a
 * restart, or older than `reorgDepth`): events of those blocks were removed too but cannot be listed.
 */
export type NexusRemovedBatch = {
  type: "removed";
  events: NexusEvent[];
  cursor: EventCursor;
  incomplete: boolean;
};

export type NexusEventBatch = NexusEventsBatch | NexusRemovedBatch;
