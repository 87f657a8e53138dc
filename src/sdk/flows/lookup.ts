// Finding a task's events without scanning the chain: a task records when things happened (respondedAt,
// closedAt), and block timestamps never decrease, so a binary search over headers finds the block to read.
import type { Address, Chain, Client, Transport } from "viem";
import { getBlock, getBlockNumber } from "viem/actions";
import { getNexusEvents } from "../events/logs.ts";
import type { NexusEvent } from "../events/types.ts";
import { guarded } from "./guard.ts";

type AnyClient = Client<Transport, Chain | undefined>;

/** Blocks `from..to` whose timestamp is `timestamp` (a single block on most chains; several on fast L2s). */
export async function blocksAtTimestamp(client: AnyClient, timestamp: bigint): Promise<{ from: bigint; to: bigint }> {
  return guarded(undefined, () => search(client, timestamp));
}

async function search(client: AnyClient, timestamp: bigint): Promise<{ from: bigint; to: bigint }> {
  const head = await getBlockNumber(client, { cacheTime: 0 });
  const seen = new Map<bigint, bigint>();
  const timeOf = async (n: bigint) => {
    let t = seen.get(n);
    if (t === undefined) {
      t = (await getBlock(client, { blockNumber: n, includeTransactions: false })).timestamp;
      seen.set(n, t);
    }
    return t;
  };
  /** The first block whose timestamp satisfies `ok` (monotone), or head + 1. */
  const firstWhere = async (ok: (t: bigint) => boolean, lo: bigint) => {
    let hi = head + 1n;
    while (lo < hi) {
      const mid = (lo + hi) / 2n;
      if (ok(await timeOf(mid))) hi = mid;
      else lo = mid + 1n;
    }
    return lo;
  };
  const from = await firstWhere((t) => t >= timestamp, 0n);
  const after = await firstWhere((t) => t > timestamp, from);
  return { from, to: after - 1n };
}

type TaskEventName = "ResponseSubmitted" | "TaskFinalized" | "SharePaid";

/** The events of one task (optionally one provider's) mined at `timestamp`. */
export async function taskEventsAt<name extends TaskEventName>(
  client: AnyClient,
  parameters: { nexus: Address; task: Address; provider?: Address | undefined; event: name; timestamp: bigint },
): Promise<NexusEvent<name>[]> {
  const { from, to } = await blocksAtTimestamp(client, parameters.timestamp);
  if (to < from) return [];
  const args = parameters.provider === undefined ? { task: parameters.task } : { task: parameters.task, provider: parameters.provider };
  return getNexusEvents(client, { nexus: parameters.nexus, events: parameters.event, args, fromBlock: from, toBlock: to });
}

/** Every ResponseSubmitted of a task mined at or after `since` (the first response's time), oldest first. */
export async function responseEventsSince(
  client: AnyClient,
  parameters: { nexus: Address; task: Address; since: bigint },
): Promise<NexusEvent<"ResponseSubmitted">[]> {
  const { from } = await blocksAtTimestamp(client, parameters.since);
  return getNexusEvents(client, { nexus: parameters.nexus, events: "ResponseSubmitted", args: { task: parameters.task }, fromBlock: from });
}
