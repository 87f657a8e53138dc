// eth_getLogs ranges a node refuses are split; `maxBlockRange` caps every request.
// The refusing node is a transport wrapper around the real chain that answers like geth / Alchemy do once a
// range is too large: a fault the in-process chain cannot produce by itself.
import { createPublicClient, custom, ResponseBodyTooLargeError, toHex, type EIP1193Parameters, type PublicRpcSchema } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { getNexusEvents, isLogRangeRefusal, subscribeNexusEvents, watchNexusEvents, type NexusEventBatch } from "../../src/sdk/events/index.ts";
import { splitRefusedRange } from "../../src/sdk/events/logs.ts";
import { collect, configUris, createEventsFixture, delivered } from "./events-fixture.ts";

let fx: Awaited<ReturnType<typeof createEventsFixture>>;
let start: bigint;
let published: string[];
beforeAll(async () => {
  fx = await createEventsFixture();
  start = (await fx.publicClient.getBlockNumber()) + 1n;
  published = await fx.publishTasks(Array.from({ length: 12 }, (_, i) => `r${i}`));
});

const REFUSALS = {
  geth: { code: -32005, message: "query returned more than 10000 results" },
  alchemy: {
    code: -32602,
    message: "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size.",
  },
  other: { code: -32603, message: "internal error" },
} as const;
/** Alchemy's reply when it can tell which range would work. */
const alchemyHint = (from: bigint, limit: number) => ({
  code: -32602,
  message: `Log response size exceeded. Based on your parameters, this block range should work: [${toHex(from)}, ${toHex(from + BigInt(limit) - 1n)}]`,
});

/** A client whose node refuses eth_getLogs spans above `limit` blocks; records every span asked for. */
function refusingClient(limit: number, style: keyof typeof REFUSALS | "alchemy-hint", outages = 0) {
  const spans: { span: number; refused: boolean }[] = [];
  let down = outages;
  const transport = custom(
    {
      async request({ method, params }: EIP1193Parameters<PublicRpcSchema>) {
        // `outages` failed head polls, as when the node restarts or the network drops.
        if (method === "eth_blockNumber" && down-- > 0) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: -32603 });
        if (method === "eth_getLogs") {
          const [filter] = params as [{ fromBlock: string; toBlock: string }];
          const span = Number(BigInt(filter.toBlock) - BigInt(filter.fromBlock) + 1n);
          spans.push({ span, refused: span > limit });
          const refusal = style === "alchemy-hint" ? alchemyHint(BigInt(filter.fromBlock), limit) : REFUSALS[style];
          if (span > limit) throw Object.assign(new Error(refusal.message), refusal);
        }
        return fx.connection.provider.request({ method, params } as never);
      },
    },
    { retryCount: 0 },
  );
  const client = createPublicClient({ chain: fx.publicClient.chain, transport, pollingInterval: 20 });
  return { client, spans };
}

describe("log range splitting", () => {
  for (const style of ["geth", "alchemy"] as const) {
    it(`splits ranges refused with ${style}'s error until the node accepts them, and keeps the smaller range`, async () => {
      const { client, spans } = refusingClient(3, style);
      const events = await getNexusEvents(client, { nexus: fx.nexus, fromBlock: start, events: "TaskPublished" });
      expect(configUris(events)).toEqual(published);
      expect(spans.some((s) => s.refused)).toBe(true);
      expect(spans.filter((s) => !s.refused).every((s) => s.span <= 3)).toBe(true);
      // Once a working size is found, later chunks ask for it directly: refusals stay few.
      expect(spans.filter((s) => s.refused).length).toBeLessThanOrEqual(6);
    });
  }

  it("cuts where the node suggests, or in as many parts as the reply was over the client's size limit", async () => {
    const { client, spans } = refusingClient(4, "alchemy-hint");
    const events = await getNexusEvents(client, { nexus: fx.nexus, fromBlock: start, events: "TaskPublished" });
    expect(configUris(events)).toEqual(published);
    expect(spans.filter((s) => s.refused)).toHaveLength(1); // the hint is the working size from then on
    expect(splitRefusedRange(new ResponseBodyTooLargeError({ maxSize: 10, size: 25 }), 0n, 99n)).toEqual([[0n, 24n], [25n, 49n], [50n, 74n], [75n, 99n]]);
    expect(splitRefusedRange(new Error("query returned more than 10000 results"), 10n, 20n)).toEqual([[10n, 15n], [16n, 20n]]);
  });

  it("backfills and follows the head through a refusing node", async () => {
    const { client, spans } = refusingClient(2, "geth");
    const iterator = watchNexusEvents(client, { nexus: fx.nexus, fromBlock: start, events: "TaskPublished", pollingInterval: 20 });
    const backfill = await collect(iterator, (b) => delivered(b).length >= published.length);
    expect(delivered(backfill)).toEqual(published);
    const live = await fx.publishTasks(["r-live"]);
    const more = await collect(iterator, (b) => delivered(b).length >= 1);
    await iterator.return(undefined);
    expect(delivered(more)).toEqual(live);
    expect(spans.filter((s) => !s.refused).every((s) => s.span <= 2)).toBe(true);
  });

  it("never asks for more than maxBlockRange blocks at once", async () => {
    const { client, spans } = refusingClient(1_000_000, "geth");
    const events = await getNexusEvents(client, { nexus: fx.nexus, fromBlock: 0n, events: "TaskPublished", maxBlockRange: 4 });
    expect(configUris(events).slice(0, published.length)).toEqual(published);
    expect(spans.length).toBeGreaterThan(1);
    expect(Math.max(...spans.map((s) => s.span))).toBeLessThanOrEqual(4);
  });

  it("does not split on unrelated errors, nor below one block", async () => {
    const other = refusingClient(0, "other");
    await expect(getNexusEvents(other.client, { nexus: fx.nexus, fromBlock: start, events: "TaskPublished" })).rejects.toThrow(/internal error/i);
    expect(other.spans).toHaveLength(1);
    const tight = refusingClient(0, "geth");
    const error = await getNexusEvents(tight.client, { nexus: fx.nexus, fromBlock: start, toBlock: start + 3n }).catch((e: unknown) => e);
    expect(isLogRangeRefusal(error)).toBe(true);
    expect(tight.spans.at(-1)?.span).toBe(1);
  });

  it("reports failed polls to onError and keeps going; without onError the iterator throws", async () => {
    const flaky = refusingClient(1_000_000, "geth", 2);
    const errors: Error[] = [];
    const batches: NexusEventBatch[] = [];
    const stop = subscribeNexusEvents(flaky.client, {
      nexus: fx.nexus,
      fromBlock: start,
      events: "TaskPublished",
      pollingInterval: 10,
      onEvents: (b) => void batches.push(b),
      onError: (e) => void errors.push(e),
    });
    for (let i = 0; i < 300 && delivered(batches).length < published.length; i++) await new Promise((r) => setTimeout(r, 20));
    stop();
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/ECONNREFUSED/), expect.stringMatching(/ECONNREFUSED/)]);
    expect(delivered(batches).slice(0, published.length)).toEqual(published);

    const strict = refusingClient(1_000_000, "geth", 1);
    const iterator = watchNexusEvents(strict.client, { nexus: fx.nexus, fromBlock: start, events: "TaskPublished", pollingInterval: 10 });
    await expect(iterator.next()).rejects.toThrow(/ECONNREFUSED/);
  });
});
