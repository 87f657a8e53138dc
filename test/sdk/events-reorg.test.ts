// Reorgs made with evm_snapshot / evm_revert, then different transactions mined at the same heights. Runs on
// Hardhat's in-process network only: it is the one node here whose chain a test can rewind at will (Anvil's
// evm_revert behaves the same way, checked by hand; the provider-node e2e suite runs on both).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getNexusEvents, subscribeNexusEvents, watchNexusEvents, type NexusEventBatch } from "../../src/sdk/events/index.ts";
import { collect, configUris, createEventsFixture, delivered } from "./events-fixture.ts";

let fx: Awaited<ReturnType<typeof createEventsFixture>>;
const stop = new AbortController();
beforeAll(async () => {
  fx = await createEventsFixture();
});
afterAll(() => stop.abort());

const snapshot = async () => (await fx.connection.provider.request({ method: "evm_snapshot", params: [] })) as string;
const revert = async (id: string) => {
  expect(await fx.connection.provider.request({ method: "evm_revert", params: [id] })).toBe(true);
};

/** What a consumer that applies `events` and undoes `removed` ends up with. */
function applied(batches: readonly NexusEventBatch[]): string[] {
  const state: string[] = [];
  for (const b of batches) {
    const uris = configUris(b.events);
    if (b.type === "events") state.push(...uris);
    else for (const uri of uris.reverse()) expect(state.pop()).toBe(uri);
  }
  return state;
}

describe("watchNexusEvents across reorgs", () => {
  it("reports the removed events, rewinds its cursor and delivers the new canonical events", async () => {
    const start = (await fx.publicClient.getBlockNumber()) + 1n;
    const fast = watchNexusEvents(fx.publicClient, { nexus: fx.nexus, fromBlock: start, events: "TaskPublished", pollingInterval: 20, signal: stop.signal });
    const safeBatches: NexusEventBatch[] = [];
    const unsubscribe = subscribeNexusEvents(fx.publicClient, {
      nexus: fx.nexus,
      fromBlock: start,
      events: "TaskPublished",
      confirmations: 3,
      pollingInterval: 20,
      onEvents: (b) => void safeBatches.push(b),
    });

    const [a1] = await fx.publishTasks(["a1"]);
    const keptBlock = await fx.publicClient.getBlock();
    const id = await snapshot();
    await fx.publishTasks(["a2", "a3"]);
    const before = await collect(fast, (b) => delivered(b).length >= 3);
    expect(delivered(before)).toEqual([a1, "ipfs://config-a2", "ipfs://config-a3"]);

    await revert(id);
    const replaced = await fx.publishTasks(["b1", "b2", "b3"]);
    await fx.networkHelpers.mine(2);

    const after = await collect(fast, (b) => b.some((x) => x.type === "removed") && delivered(b).length >= 3);
    const removed = after.filter((b) => b.type === "removed");
    expect(removed).toHaveLength(1);
    expect(configUris(removed[0]?.events ?? [])).toEqual(["ipfs://config-a2", "ipfs://config-a3"]);
    expect(removed[0]?.cursor).toEqual({ blockNumber: keptBlock.number.toString(), blockHash: keptBlock.hash });
    expect(removed[0]?.type === "removed" && removed[0].incomplete).toBe(false);
    expect(delivered(after.slice(after.indexOf(removed[0] as NexusEventBatch)))).toEqual(replaced);

    // Undoing what was removed leaves exactly the canonical chain's events.
    const canonical = configUris(await getNexusEvents(fx.publicClient, { nexus: fx.nexus, fromBlock: start, events: "TaskPublished" }));
    expect(canonical).toEqual([a1, ...replaced]);
    expect(applied([...before, ...after])).toEqual(canonical);

    // A watcher waiting for 3 confirmations never saw the orphaned blocks.
    for (let i = 0; i < 200 && delivered(safeBatches).length < 4; i++) await new Promise((r) => setTimeout(r, 20));
    unsubscribe();
    expect(safeBatches.every((b) => b.type === "events")).toBe(true);
    expect(delivered(safeBatches)).toEqual(canonical);
  });

  it("notices on restart that the cursor's block was reorganised away while it was stopped", async () => {
    const [c1] = await fx.publishTasks(["c1"]);
    const id = await snapshot();
    await fx.publishTasks(["c2"]);
    const first = watchNexusEvents(fx.publicClient, { nexus: fx.nexus, fromBlock: (await fx.publicClient.getBlockNumber()) - 1n, events: "TaskPublished", pollingInterval: 20 });
    const seen = await collect(first, (b) => delivered(b).length >= 2);
    await first.return(undefined);
    expect(delivered(seen)).toEqual([c1, "ipfs://config-c2"]);
    const saved = JSON.parse(JSON.stringify(seen[seen.length - 1]?.cursor)) as { blockNumber: string; blockHash: `0x${string}` };

    await revert(id);
    const [d1, d2] = await fx.publishTasks(["d1", "d2"]);
    const resumed = watchNexusEvents(fx.publicClient, { nexus: fx.nexus, cursor: saved, events: "TaskPublished", pollingInterval: 20 });
    const batches = await collect(resumed, (b) => delivered(b).length >= 2);
    await resumed.return(undefined);
    expect(batches[0]).toMatchObject({ type: "removed", events: [], incomplete: true, cursor: { blockNumber: (BigInt(saved.blockNumber) - 1n).toString() } });
    expect(delivered(batches)).toEqual([d1, d2]);
  });
});
