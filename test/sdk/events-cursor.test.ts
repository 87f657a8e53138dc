// Resuming from a cursor: no event missed or repeated across restarts, even in the middle of a block.
import { beforeAll, describe, expect, it } from "vitest";
import {
  createEventCursorStore,
  cursorAfterEvent,
  getNexusEvents,
  parseEventCursor,
  serializeEventCursor,
  watchNexusEvents,
  type EventCursor,
  type NexusEventBatch,
} from "../../src/sdk/events/index.ts";
import { collect, configUris, createEventsFixture, delivered } from "./events-fixture.ts";

let fx: Awaited<ReturnType<typeof createEventsFixture>>;
let start: bigint;
beforeAll(async () => {
  fx = await createEventsFixture();
  start = (await fx.publicClient.getBlockNumber()) + 1n;
});

/** A "process" that handles events one by one, saving its cursor as JSON text after each (as a file would). */
async function runConsumer(saved: { text?: string }, handled: string[], stopAfter: (uri: string) => boolean, moreExpected: number) {
  const cursor = saved.text === undefined ? undefined : parseEventCursor(JSON.parse(saved.text));
  const iterator = watchNexusEvents(fx.publicClient, { nexus: fx.nexus, events: "TaskPublished", pollingInterval: 20, ...(cursor ? { cursor } : { fromBlock: start }) });
  let count = 0;
  try {
    for (;;) {
      const [batch] = await collect(iterator, (b) => b.length > 0);
      for (const event of batch?.events ?? []) {
        const [uri] = configUris([event]);
        handled.push(uri as string);
        saved.text = serializeEventCursor(cursorAfterEvent(event));
        count++;
        if (stopAfter(uri as string) || count >= moreExpected) return; // crash / stop mid-batch
      }
    }
  } finally {
    await iterator.return(undefined);
  }
}

describe("event cursors", () => {
  it("resumes after a restart in the middle of a block without missing or repeating events", async () => {
    const oneBlock = await fx.publishInOneBlock(["m1", "m2", "m3"]);
    const next = await fx.publishTasks(["n1"]);
    const published = await getNexusEvents(fx.publicClient, { nexus: fx.nexus, fromBlock: start, events: "TaskPublished" });
    expect(configUris(published)).toEqual([...oneBlock, ...next]);
    expect(new Set(published.slice(0, 3).map((e) => e.blockNumber)).size).toBe(1);

    const saved: { text?: string } = {};
    const handled: string[] = [];
    await runConsumer(saved, handled, (uri) => uri === oneBlock[1], 10);
    expect(handled).toEqual(oneBlock.slice(0, 2));
    const cursor = JSON.parse(saved.text as string) as EventCursor;
    expect(typeof cursor.blockNumber).toBe("string");
    expect(cursor.logIndex).toBeGreaterThan(0);

    // Restart: the rest of the block comes first, then the following blocks, then live events.
    const live = fx.publishTasks(["n2"]);
    await runConsumer(saved, handled, () => false, 3);
    await live;
    expect(handled).toEqual([...oneBlock, ...next, "ipfs://config-n2"]);
  });

  it("saves a batch's cursor in the store only once the consumer asks for the next batch", async () => {
    const store = createEventCursorStore();
    const from = (await fx.publicClient.getBlockNumber()) + 1n;
    const [x] = await fx.publishTasks(["x"]);
    const first = watchNexusEvents(fx.publicClient, { nexus: fx.nexus, fromBlock: from, events: "TaskPublished", pollingInterval: 20, cursorStore: store });
    const [bx] = await collect(first, (b) => b.length > 0);
    expect(configUris(bx?.events ?? [])).toEqual([x]);
    expect(await store.get()).toBeUndefined(); // handed out, not yet acknowledged

    const [y] = await fx.publishTasks(["y"]);
    const [by] = await collect(first, (b) => b.length > 0); // asking for more acknowledges x
    expect(configUris(by?.events ?? [])).toEqual([y]);
    expect(await store.get()).toEqual(bx?.cursor);
    await first.return(undefined); // stopped while handling y: y comes again after the restart

    const second = watchNexusEvents(fx.publicClient, { nexus: fx.nexus, fromBlock: 0n, events: "TaskPublished", pollingInterval: 20, cursorStore: store });
    const again: NexusEventBatch[] = await collect(second, (b) => delivered(b).length >= 1);
    await second.return(undefined);
    expect(delivered(again)).toEqual([y]);
  });

  it("validates cursors read back from storage", () => {
    const good = { blockNumber: "12", blockHash: `0x${"Ab".repeat(32)}`, logIndex: 3 };
    expect(parseEventCursor(JSON.parse(JSON.stringify(good)))).toEqual({ ...good, blockHash: good.blockHash.toLowerCase() });
    expect(serializeEventCursor({ blockHash: good.blockHash as `0x${string}`, blockNumber: "12" })).toBe(
      `{"blockNumber":"12","blockHash":"0x${"ab".repeat(32)}"}`,
    );
    expect(() => parseEventCursor({ blockNumber: 12, blockHash: good.blockHash })).toThrow(/blockNumber/);
    expect(() => parseEventCursor({ blockNumber: "12", blockHash: "0x1234" })).toThrow(/blockHash/);
    expect(() => parseEventCursor({ ...good, logIndex: -1 })).toThrow(/logIndex/);
    expect(() => parseEventCursor("not a cursor")).toThrow(expect.objectContaining({ name: "InvalidParameterError", parameter: "cursor" }));
  });
});
