// An unreliable RPC endpoint: the node talks to the chain only through a proxy that drops ~30 % of JSON-RPC requests
// (socket closed unanswered, 502, or an answer slower than the node's RPC timeout), and loses the answer to about half
// of the eth_sendRawTransaction calls AFTER forwarding them (the transaction landed; the node never heard). Tasks go
// through anyway, each attempted, committed and answered exactly once on-chain, every provider transaction succeeding
// (its nonce counts exactly one attempt, one commitment and one reveal per task: no duplicate, no reverted retry), and
// the payouts add up.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Address } from "viem";
import { createLogger } from "../../src/node/logger.ts";
import { createProviderNode, type ProviderNode } from "../../src/node/node.ts";
import { confirmResponse } from "../../src/sdk/actions/tasks.ts";
import { getNexusEvents } from "../../src/sdk/events/index.ts";
import { randomFaults, seededRandom, startFaultyRpcProxy, type FaultRule, type FaultyRpcProxy } from "./faulty-rpc.ts";
import { FEE_BPS, captureLog, createWorld, waitUntil, type World } from "./node-fixture.ts";

const RPC_TIMEOUT_MS = 1_500;
const SEED = Number(process.env.GN_FAULT_SEED ?? 20_251_122);

let world: World;
let proxy: FaultyRpcProxy;
let node: ProviderNode;
const net = (payment: bigint) => payment - (payment * FEE_BPS) / 10_000n;

beforeAll(async () => {
  world = await createWorld();
  const random = seededRandom(SEED);
  const anyCall = randomFaults({ drop: 0.12, "bad-gateway": 0.12, delay: 0.06 }, { random });
  const sends = randomFaults({ "drop-after-forward": 0.5 }, { only: ["eth_sendRawTransaction"], random });
  const rule: FaultRule = (call) => sends(call) ?? anyCall(call);
  proxy = await startFaultyRpcProxy(world.chain.rpcUrl, { rule, delayMs: RPC_TIMEOUT_MS + 1_000 });
}, 150_000);

afterAll(async () => {
  await node?.stop();
  await proxy?.close();
  await world?.close();
}, 60_000);

describe("provider node behind an RPC endpoint that drops requests", () => {
  test("every task is attempted and answered once, every provider transaction lands once, payouts add up", async () => {
    const firstResponse = await world.createSource({ deliveryMethod: 1 });
    const manual = await world.createSource({ deliveryMethod: 0 });
    const masterBefore = await world.balanceOf(world.master.account.address);
    const nonceBefore = await world.publicClient.getTransactionCount({ address: world.providerAddress });

    node = createProviderNode(
      world.nodeConfig({
        stateDir: join(world.scratch, "state"),
        rpcUrl: proxy.url,
        rpcTimeoutMs: RPC_TIMEOUT_MS,
        pollingIntervalMs: 200,
        concurrency: 8,
        retry: { attempts: 6, baseDelayMs: 100, maxDelayMs: 1_000 },
      }),
      { account: world.providerAccount },
    );
    await node.start();

    // The client talks to the chain directly: only the node's link is bad.
    const payment = 500_000_000_000_000_000n;
    const tasks: Array<{ task: Address; manual: boolean }> = [];
    for (let i = 0; i < 6; i++) {
      const isManual = i % 3 === 2;
      tasks.push({ task: await world.createTask(isManual ? manual : firstResponse, { function_name: "matmul", data: { size: 16, seed: 100 + i } }, { payment }), manual: isManual });
    }
    await waitUntil(
      "every task done",
      () => tasks.every(({ task }) => node.tasks().find((r) => r.task === task)?.phase === "done"),
      80_000,
      250,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify(node.tasks().map((r) => [r.task, r.phase, r.reason]))} injected ${JSON.stringify(proxy.injected())}`);
    });

    for (const { task, manual: isManual } of tasks) {
      if (isManual) await (await confirmResponse(world.client, { ...world.opts, task, provider: world.providerAddress })).wait();
    }
    for (const { task } of tasks) {
      const { attempted, committed, responded, events } = await world.countEvents(task);
      expect({ task, attempted, committed, responded }).toEqual({ task, attempted: 1, committed: 1, responded: 1 });
      expect(events.every((e) => !("provider" in e.args) || e.args.provider === world.providerAddress)).toBe(true);
      const finalized = await getNexusEvents(world.publicClient, { nexus: world.nexus, events: "TaskFinalized", args: { task }, fromBlock: 0n });
      expect(finalized).toHaveLength(1);
    }
    // Exactly three provider transactions per task (attempt, commitment, reveal), all of them successful (a reverted
    // duplicate would use a nonce).
    const nonceAfter = await world.publicClient.getTransactionCount({ address: world.providerAddress });
    expect(nonceAfter - nonceBefore).toBe(3 * tasks.length);
    expect((await world.balanceOf(world.master.account.address)) - masterBefore).toBe(BigInt(tasks.length) * net(payment));

    // The faults did happen, the lost-answer sends included.
    const injected = proxy.injected();
    expect(injected["eth_sendRawTransaction:drop-after-forward"] ?? 0).toBeGreaterThan(0);
    const total = Object.values(injected).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(20);
    await node.stop();
  }, 90_000);

  test("a send lands but its answer and every look-up fail: the re-send is refused in simulation, and the node knows the chain has its tx", async () => {
    // Deterministic: each fresh eth_sendRawTransaction is forwarded and its answer lost; for the next 6 s every
    // re-send and every receipt / transaction look-up is dropped too, so the node cannot learn that it landed and
    // its retry signs a new transaction, which simulation refuses (AlreadyAttempted, then TaskAlreadyFinalized).
    let blackoutUntil = 0;
    const blind = ["eth_sendRawTransaction", "eth_getTransactionReceipt", "eth_getTransactionByHash"];
    proxy.setRule(({ method }) => {
      if (!blind.includes(method)) return undefined;
      if (Date.now() < blackoutUntil) return "drop";
      if (method !== "eth_sendRawTransaction") return undefined;
      blackoutUntil = Date.now() + 6_000;
      return "drop-after-forward";
    });
    const { destination, lines } = captureLog();
    const source = await world.createSource({ deliveryMethod: 1 });
    const nonceBefore = await world.publicClient.getTransactionCount({ address: world.providerAddress });
    const blindNode = createProviderNode(
      world.nodeConfig({
        stateDir: join(world.scratch, "state-blind"),
        rpcUrl: proxy.url,
        rpcTimeoutMs: RPC_TIMEOUT_MS,
        fromBlock: await world.publicClient.getBlockNumber(),
        retry: { attempts: 6, baseDelayMs: 100, maxDelayMs: 400 },
        logLevel: "info",
      }),
      { account: world.providerAccount, logger: createLogger({ level: "info", destination }) },
    );
    await blindNode.start();
    try {
      const task = await world.createTask(source, { function_name: "matmul", data: { size: 8, seed: 77 } });
      const record = await waitUntil("the task to settle", () => {
        const r = blindNode.tasks().find((t) => t.task === task);
        return r && ["done", "failed", "skipped"].includes(r.phase) ? r : undefined;
      }, 60_000);
      expect(record.phase).toBe("done");
      expect(await world.countEvents(task)).toMatchObject({ attempted: 1, committed: 1, responded: 1 });
      expect((await world.publicClient.getTransactionCount({ address: world.providerAddress })) - nonceBefore).toBe(3);
      expect(proxy.injected()["eth_sendRawTransaction:drop-after-forward"]).toBeGreaterThanOrEqual(2);
      expect(lines.some((l) => l.task === task && l.msg === "our response had already landed; the retry was refused"), JSON.stringify(lines.filter((l) => l.level as number >= 30).map((l) => [l.msg, l.reason, (l.err as { message?: string } | undefined)?.message?.slice(0, 300)]))).toBe(true);
    } finally {
      await blindNode.stop();
    }
  }, 60_000);
});
