// waitForResult when there is no result: expiry (open past expiry, then settled), cancellation, timeout, abort.
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cancelTask, settle } from "../../src/sdk/actions/tasks.ts";
import {
  publishSourceWithMetadata,
  publishTaskWithConfig,
  ResponseNotFoundError,
  fetchResult,
  TaskCanceledError,
  TaskExpiredError,
  waitForResult,
  WaitForResultTimeoutError,
} from "../../src/sdk/flows/index.ts";
import { CPU_COMPOSE, createFlowsFixture, PAYMENT, sourceParams, type FlowsFixture } from "./flows-fixture.ts";

let fx: FlowsFixture;
let source: Address;
beforeAll(async () => {
  fx = await createFlowsFixture();
  const published = await publishSourceWithMetadata(fx.client, { nexus: fx.nexus, ipfs: fx.ipfs, metadata: { name: "Slow", description: "" }, compose: { cpu: CPU_COMPOSE }, params: sourceParams(1) });
  await published.wait();
  source = published.source;
});
afterAll(async () => fx?.close());

const publish = async (expiresIn = 3_600) => {
  const t = await publishTaskWithConfig(fx.client, { nexus: fx.nexus, ipfs: fx.ipfs, source, config: { function_name: "sleep", data: null }, payment: PAYMENT, expiresIn });
  await t.wait();
  return t;
};
const wait = (task: Address, extra: { timeoutMs?: number; signal?: AbortSignal } = {}) =>
  waitForResult(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, task, pollingInterval: 25, ...extra });

describe("waitForResult without a result", () => {
  it("reports expiry as soon as the task is past its expiry with no response, and again once it is settled", async () => {
    const t = await publish(60);
    const waiting = wait(t.task, { timeoutMs: 30_000 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    await fx.networkHelpers.time.increase(61); // mines a block past expiry: nobody can attempt or respond any more
    const open = await waiting;
    expect(open).toBeInstanceOf(TaskExpiredError);
    expect(open).toMatchObject({ task: t.task, expiryTime: t.expiryTime, settled: false });

    await (await settle(fx.keeper, { nexus: fx.nexus, task: t.task })).wait();
    const settled = await wait(t.task).catch((e: unknown) => e);
    expect(settled).toBeInstanceOf(TaskExpiredError);
    expect(settled).toMatchObject({ settled: true });
    await expect(fetchResult(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, task: t.task })).rejects.toBeInstanceOf(ResponseNotFoundError);
  });

  it("reports a canceled task", async () => {
    const t = await publish();
    const waiting = wait(t.task, { timeoutMs: 30_000 }).catch((e: unknown) => e);
    await (await cancelTask(fx.client, { nexus: fx.nexus, task: t.task })).wait();
    const error = await waiting;
    expect(error).toBeInstanceOf(TaskCanceledError);
    expect(error).toMatchObject({ task: t.task });
  });

  it("gives up after timeoutMs with the last status seen", async () => {
    const t = await publish();
    const started = Date.now();
    const error = await wait(t.task, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitForResultTimeoutError);
    expect(error).toMatchObject({ task: t.task, timeoutMs: 300, status: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("stops when its signal is aborted, with the signal's reason", async () => {
    const t = await publish();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const error = await wait(t.task, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
    const reason = new Error("user left the page");
    await expect(wait(t.task, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});
