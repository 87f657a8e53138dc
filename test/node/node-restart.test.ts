// Restarts: a node killed with SIGKILL mid-task (run as a child process from a config file, the way operators and
// the fault tests run it), a graceful drain, and a replay of every event from the start. The chain counts
// TaskAttempted / ResponseSubmitted per task: never more than one each.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Address } from "viem";
import { createProviderNode } from "../../src/node/node.ts";
import { NodeProcesses, kill9 as killNode, phaseIn, readState, writeConfig as writeNodeConfig, type StateFile } from "./child-node.ts";
import { createWorld, startRpcProxy, waitUntil, type World } from "./node-fixture.ts";

let world: World;
let source: Address;
const processes = new NodeProcesses();

beforeAll(async () => {
  world = await createWorld();
  source = await world.createSource({ deliveryMethod: 1, attemptTimeout: 120 });
}, 150_000);

afterAll(async () => {
  processes.killAll();
  await world?.close();
}, 60_000);

/** Starts `node src/node/main.ts --config <file>` with the key in the environment, as an operator would. */
const spawnNode = (configFile: string) => processes.spawn(configFile, world.providerKey);
const writeConfig = (name: string, stateDir: string, extra: Record<string, unknown> = {}) => writeNodeConfig(world, name, stateDir, extra);
// The killed node's handler processes exit on their own (faults-sigkill checks that); reaping them here keeps these
// tests fast.
const kill9 = (child: Parameters<typeof killNode>[0]) => killNode(child, { reapHandlers: true });

describe("provider node restarts", () => {
  test("SIGKILL between recording and broadcasting the attempt: the restart broadcasts the same signed bytes", async () => {
    const stateDir = join(world.scratch, "state-record");
    const first = spawnNode(await writeConfig("node-record", stateDir, { faults: { delayBroadcastMs: 60_000 } }));
    const task = await world.createTask(source, { function_name: "matmul", data: { size: 8, seed: 4 } });
    const recorded = await waitUntil("the attempt to be recorded", async () => {
      const r = (await readState(stateDir))?.tasks[task];
      return r?.phase === "attempting" && r.attemptTx ? r.attemptTx : undefined;
    }, 60_000);
    await kill9(first.child);
    expect((await world.countEvents(task)).attempted).toBe(0); // never broadcast

    const second = spawnNode(await writeConfig("node-record-2", stateDir));
    await waitUntil("done", async () => (await phaseIn(stateDir, task)) === "done", 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- node output ---\n${second.output()}`);
    });
    const { attempted, responded, events } = await world.countEvents(task);
    expect({ attempted, responded }).toEqual({ attempted: 1, responded: 1 });
    expect(events.find((e) => e.eventName === "TaskAttempted")?.transactionHash).toBe(recorded.hash);
    await kill9(second.child);
  }, 120_000);

  test("SIGKILL while the handler runs: the restarted node finishes the task, attempting and submitting once", async () => {
    const stateDir = join(world.scratch, "state-kill");
    const configFile = await writeConfig("node-kill", stateDir);
    const first = spawnNode(configFile);
    const slow = await world.createTask(source, { function_name: "sleep", data: { ms: 4_000 } });
    await waitUntil("the task to be dispatched", async () => (await phaseIn(stateDir, slow)) === "dispatched", 60_000);

    await kill9(first.child);

    // Work published while the node is down is picked up from the saved cursor.
    const whileDown = await world.createTask(source, { function_name: "matmul", data: { size: 12, seed: 5 } });
    const second = spawnNode(configFile);
    await waitUntil("both tasks done", async () => (await phaseIn(stateDir, slow)) === "done" && (await phaseIn(stateDir, whileDown)) === "done", 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- node output ---\n${second.output()}`);
    });
    for (const task of [slow, whileDown]) expect(await world.countEvents(task)).toMatchObject({ attempted: 1, responded: 1 });
    expect((await readState(stateDir))?.tasks[slow]?.dispatches).toBe(2);

    // SIGTERM drains and exits 0.
    const exited = new Promise<number | null>((r) => second.child.once("exit", (code) => r(code)));
    second.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(second.output()).toContain("provider node stopped");
    expect(second.output()).not.toContain(world.providerKey.slice(2));
  }, 120_000);

  test("graceful stop pauses an in-flight task; the next node resumes it; replaying all events changes nothing", async () => {
    const stateDir = join(world.scratch, "state-drain");
    const config = world.nodeConfig({ stateDir, shutdownGraceMs: 300 });
    const first = createProviderNode(config, { account: world.providerAccount });
    await first.start();
    const task = await world.createTask(source, { function_name: "sleep", data: { ms: 3_000 } });
    await waitUntil("dispatched", () => first.tasks().find((r) => r.task === task)?.phase === "dispatched", 60_000);
    await first.stop();
    expect(await phaseIn(stateDir, task)).toBe("dispatched");

    const second = createProviderNode(config, { account: world.providerAccount });
    await second.start();
    await waitUntil("done after resume", () => second.tasks().find((r) => r.task === task)?.phase === "done", 60_000);
    await second.stop();
    expect(await world.countEvents(task)).toMatchObject({ attempted: 1, responded: 1 });

    // Forget the cursor: every event from the deployment on is delivered again.
    const state = (await readState(stateDir)) as StateFile;
    delete state.cursor;
    await writeFile(join(stateDir, "state.json"), JSON.stringify(state));
    const head = await world.publicClient.getBlockNumber();
    const third = createProviderNode(config, { account: world.providerAccount });
    await third.start();
    await waitUntil("replay to reach the head", async () => BigInt((await third.health()).cursor ?? "0") >= head, 60_000);
    expect(third.tasks().find((r) => r.task === task)?.phase).toBe("done");
    expect(await third.metrics.tasksAttempted.get()).toMatchObject({ values: [{ value: 0 }] });
    await third.stop();
    expect(await world.countEvents(task)).toMatchObject({ attempted: 1, responded: 1 });
  }, 120_000);

  test("GET /health answers 503 while the RPC is unreachable and 200 again once it is back", async () => {
    const proxy = await startRpcProxy(world.chain.rpcUrl);
    const config = world.nodeConfig({ stateDir: join(world.scratch, "state-health"), rpcUrl: proxy.url, metrics: { enabled: true, host: "127.0.0.1", port: 0 } });
    const node = createProviderNode(config, { account: world.providerAccount });
    try {
      const { metricsUrl } = await node.start();
      const health = async () => {
        const response = await fetch(`${metricsUrl}/health`);
        return { status: response.status, body: (await response.json()) as { status: string; chainHead: string | null; error?: string } };
      };
      expect(await health()).toMatchObject({ status: 200, body: { status: "ok" } });
      proxy.cut();
      const down = await health();
      expect(down).toMatchObject({ status: 503, body: { status: "unhealthy", chainHead: null } });
      expect(down.body.error).toMatch(/RPC unreachable/);
      proxy.restore();
      expect(await health()).toMatchObject({ status: 200, body: { status: "ok" } });
    } finally {
      await node.stop();
      await proxy.close();
    }
  }, 60_000);
});
