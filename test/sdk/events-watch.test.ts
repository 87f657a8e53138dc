// watchNexusEvents / subscribeNexusEvents on the in-process chain: backfill then live, confirmations, filters.
import { parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nexusAbi } from "../../src/sdk/abis.ts";
import { getNexusEvents, subscribeNexusEvents, watchNexusEvents, type NexusEventBatch } from "../../src/sdk/events/index.ts";
import { collect, configUris, createEventsFixture, delivered } from "./events-fixture.ts";

let fx: Awaited<ReturnType<typeof createEventsFixture>>;
const controllers: AbortController[] = [];
beforeAll(async () => {
  fx = await createEventsFixture();
});
afterAll(() => {
  for (const c of controllers) c.abort();
});
const stopper = () => {
  const c = new AbortController();
  controllers.push(c);
  return c;
};
const until = async (check: () => boolean, timeoutMs = 10_000) => {
  for (const end = Date.now() + timeoutMs; !check(); ) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("watchNexusEvents", () => {
  it("backfills past events, then follows new blocks, in order and without repeats", async () => {
    const past = await fx.publishTasks(["b1", "b2", "b3", "b4", "b5"]);
    const stop = stopper();
    const iterator = watchNexusEvents(fx.publicClient, { nexus: fx.nexus, fromBlock: 0n, events: "TaskPublished", pollingInterval: 20, signal: stop.signal });
    const backfill = await collect(iterator, (b) => delivered(b).length >= 5);
    expect(delivered(backfill)).toEqual(past);

    const live = await fx.publishTasks(["l1", "l2", "l3"]);
    const more = await collect(iterator, (b) => delivered(b).length >= 3);
    expect(delivered(more)).toEqual(live);

    const all = [...backfill, ...more] as Extract<NexusEventBatch, { type: "events" }>[];
    for (const batch of all) {
      expect(batch.type).toBe("events");
      expect(batch.cursor.blockNumber).toBe(batch.toBlock.toString());
      for (const e of batch.events) {
        expect(e.eventName).toBe("TaskPublished");
        expect(e.blockNumber >= batch.fromBlock && e.blockNumber <= batch.toBlock).toBe(true);
        if (e.eventName === "TaskPublished") expect(e.args.source).toBe(fx.source);
      }
    }
    // The cursor is plain JSON and only moves forward.
    const cursors = all.map((b) => JSON.parse(JSON.stringify(b.cursor)) as { blockNumber: string });
    expect(cursors.map((c) => BigInt(c.blockNumber))).toEqual(cursors.map((c) => BigInt(c.blockNumber)).sort((a, b) => (a < b ? -1 : 1)));

    stop.abort();
    expect((await iterator.next()).done).toBe(true);
  });

  it("delivers an event only once it has the requested number of confirmations", async () => {
    const batches: NexusEventBatch[] = [];
    const errors: Error[] = [];
    const stop = subscribeNexusEvents(fx.publicClient, {
      nexus: fx.nexus,
      events: "TaskPublished",
      confirmations: 3,
      pollingInterval: 20,
      onEvents: (b) => void batches.push(b),
      onError: (e) => void errors.push(e),
    });
    try {
      await new Promise((r) => setTimeout(r, 150)); // the watcher starts from the current head
      const [uri] = await fx.publishTasks(["c1"]); // its block: 1 confirmation
      await new Promise((r) => setTimeout(r, 200));
      expect(delivered(batches)).toEqual([]);
      await fx.networkHelpers.mine(1); // 2 confirmations
      await new Promise((r) => setTimeout(r, 200));
      expect(delivered(batches)).toEqual([]);
      await fx.networkHelpers.mine(1); // 3 confirmations
      await until(() => delivered(batches).length > 0);
      expect(delivered(batches)).toEqual([uri]);
      const head = await fx.publicClient.getBlockNumber();
      expect(batches[0]?.cursor.blockNumber).toBe((head - 2n).toString());
      expect(errors).toEqual([]);
    } finally {
      stop();
    }
  });

  it("filters by event name and by indexed addresses (client, task, source)", async () => {
    const head = await fx.publicClient.getBlockNumber();
    await fx.publishTasks(["mine-1"]);
    await fx.wait(fx.sendTask("theirs-1", fx.other));
    await fx.publishTasks(["mine-2"]);

    const theirs = await getNexusEvents(fx.publicClient, { nexus: fx.nexus, fromBlock: head + 1n, args: { client: fx.other.account.address } });
    // Only the task carries a `client` argument: the escrow movements of the same call are left out.
    expect(theirs.map((e) => e.eventName)).toEqual(["TaskPublished"]);
    expect(configUris(theirs)).toEqual(["ipfs://config-theirs-1"]);

    const task = theirs[0]?.eventName === "TaskPublished" ? theirs[0].args.task : undefined;
    const aboutTask = await getNexusEvents(fx.publicClient, { nexus: fx.nexus, fromBlock: 0n, args: { task } });
    expect(configUris(aboutTask)).toEqual(["ipfs://config-theirs-1"]);

    const sources = await getNexusEvents(fx.publicClient, { nexus: fx.nexus, fromBlock: 0n, events: ["SourcePublished"] });
    expect(sources.map((e) => (e.eventName === "SourcePublished" ? e.args.source : undefined))).toEqual([fx.source]);

    const bySource = await getNexusEvents(fx.publicClient, { nexus: fx.nexus, fromBlock: head + 1n, args: { source: fx.source, client: [fx.client.account.address] } });
    expect(configUris(bySource)).toEqual(["ipfs://config-mine-1", "ipfs://config-mine-2"]);
    await expect(getNexusEvents(fx.publicClient, { nexus: fx.nexus, events: "Deposited", args: { task } })).rejects.toThrow(/matches no GPU Nexus event/);
  });

  it("decodes every protocol event exactly as viem's parseEventLogs does", async () => {
    const raw = await fx.publicClient.getLogs({ address: fx.nexus, fromBlock: 0n });
    const expected = parseEventLogs({ abi: nexusAbi, logs: raw, strict: true });
    const ours = await getNexusEvents(fx.publicClient, { nexus: fx.nexus, fromBlock: 0n });
    // Deployment events, struct parameters (SourcePublished), strings (TaskPublished) and plain values.
    expect(new Set(ours.map((e) => e.eventName))).toEqual(new Set(["OwnershipTransferred", "FeeSet", "TreasurySet", "UnbondingPeriodSet", "SourcePublished", "Deposited", "TaskPublished"]));
    expect(ours.length).toBe(expected.length);
    expect(ours).toEqual(expected);
  });
});
