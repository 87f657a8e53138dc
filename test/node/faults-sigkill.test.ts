// SIGKILL at the phases node-restart.test.ts does not reach, the node run as a child process the way operators run
// it. A proxy in front of the chain freezes the node in the chosen phase (it holds one request: the answer to a
// transaction that landed, the transaction itself, or the nonce read that precedes signing), the test reads
// stateDir/state.json until it shows that phase, kills the node with -9, and starts it again against the chain
// directly. Per task the chain must show one TaskAttempted, one ResponseCommitted and one ResponseSubmitted, and the
// provider's nonce must have moved by exactly three: nothing lost, nothing sent twice, no transaction wasted on a
// revert.
// Also here: handler processes of a SIGKILLed node exit on their own (they watch their parent), and
// `gpunexus provider start` lets the node drain on SIGINT instead of exiting after 3 s.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import type { Address } from "viem";
import type { TaskRecord } from "../../src/node/state.ts";
import { NodeProcesses, kill9, recordIn, waitGone, withOutput, writeConfig, type SpawnedNode } from "./child-node.ts";
import { startFaultyRpcProxy, type FaultRule } from "./faulty-rpc.ts";
import { createWorld, waitUntil, type World } from "./node-fixture.ts";

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

const nonce = () => world.publicClient.getTransactionCount({ address: world.providerAddress });

async function stopGracefully(node: SpawnedNode): Promise<void> {
  node.child.kill("SIGTERM");
  expect(await node.exited).toBe(0);
}

/**
 * Runs one task on a node whose RPC goes through a proxy applying `rule`; once `frozen` holds for the task's
 * record (and the chain), SIGKILLs the node, checks its handler processes exit by themselves, restarts the node
 * against the chain directly, and waits for the task to be done. Returns the record seen at the kill.
 */
async function killAt(name: string, rule: FaultRule, frozen: (r: TaskRecord) => Promise<boolean> | boolean): Promise<{ task: Address; atKill: TaskRecord; final: TaskRecord }> {
  const stateDir = join(world.scratch, `state-${name}`);
  const proxy = await startFaultyRpcProxy(world.chain.rpcUrl, { rule });
  const fromBlock = String(await world.publicClient.getBlockNumber());
  const nonceBefore = await nonce();
  try {
    const first = processes.spawn(await writeConfig(world, `${name}-1`, stateDir, { rpcUrl: proxy.url, fromBlock }), world.providerKey);
    const task = await world.createTask(source, { function_name: "matmul", data: { size: 12, seed: name.length } });
    const atKill = await withOutput(
      waitUntil(`${name}: the frozen phase`, async () => {
        const r = await recordIn(stateDir, task);
        return r !== undefined && (await frozen(r)) ? r : undefined;
      }, 45_000),
      first,
    );
    const handlers = await kill9(first.child);
    expect(handlers.length).toBeGreaterThan(0);
    // Nobody stops these handlers: they notice their parent died and exit (checked below, while the restart runs).
    const handlersGone = waitGone(handlers, 15_000);
    await proxy.close();

    const second = processes.spawn(await writeConfig(world, `${name}-2`, stateDir, { fromBlock }), world.providerKey);
    const final = await withOutput(
      waitUntil(`${name}: done after the restart`, async () => {
        const r = await recordIn(stateDir, task);
        return r?.phase === "done" ? r : undefined;
      }, 45_000),
      second,
    );
    await stopGracefully(second);
    await handlersGone;
    expect(await world.countEvents(task)).toMatchObject({ attempted: 1, committed: 1, responded: 1 });
    expect((await nonce()) - nonceBefore).toBe(3);
    return { task, atKill, final };
  } finally {
    // A red variant must not leave a node running with the same key: it would take the next variant's task.
    processes.killAll();
    await proxy.close();
  }
}

describe("SIGKILL mid-task, then restart", () => {
  test("attempting, the attempt landed but its answer was lost: the restart adopts it, no second attempt", async () => {
    const { task, atKill } = await killAt(
      "attempt-landed",
      ({ method, n }) => (method === "eth_sendRawTransaction" && n === 1 ? "hold-after-forward" : undefined),
      async (r) => r.phase === "attempting" && r.attemptTx !== undefined && (await world.countEvents(r.task)).attempted === 1,
    );
    const { events } = await world.countEvents(task);
    expect(events.find((e) => e.eventName === "TaskAttempted")?.transactionHash).toBe(atKill.attemptTx?.hash);
  }, 60_000);

  test("committing (pinned, the secret on disk, the commitment not signed yet): the restart commits with that secret, without running the handler again", async () => {
    const { task, atKill, final } = await killAt(
      "commit-unsigned",
      // The nonce read before signing the commitment never returns: the node sits in committing, its secret recorded.
      ({ method, n }) => (method === "eth_getTransactionCount" && n >= 2 ? "hold" : undefined),
      (r) => r.phase === "committing" && r.secret !== undefined && r.commitTx === undefined,
    );
    expect(final.dispatches).toBe(1);
    expect(final.secret).toBe(atKill.secret);
    const { events } = await world.countEvents(task);
    const response = events.find((e) => e.eventName === "ResponseSubmitted");
    expect(response?.eventName === "ResponseSubmitted" && response.args.resultHash).toBe(atKill.result?.sha256);
  }, 60_000);

  test("between commit and reveal (the commitment landed, its answer lost): the restart reveals with the recorded secret, no second commitment", async () => {
    const { task, atKill, final } = await killAt(
      "commit-landed",
      ({ method, n }) => (method === "eth_sendRawTransaction" ? (n === 2 ? "hold-after-forward" : n > 2 ? "hold" : undefined) : undefined),
      async (r) => r.phase === "committing" && r.commitTx !== undefined && (await world.countEvents(r.task)).committed === 1,
    );
    expect(final.dispatches).toBe(1);
    expect(final.secret).toBe(atKill.secret);
    const { events } = await world.countEvents(task);
    expect(events.find((e) => e.eventName === "ResponseCommitted")?.transactionHash).toBe(atKill.commitTx?.hash);
    expect(events.find((e) => e.eventName === "ResponseSubmitted")?.transactionHash).toBe(final.submitTx?.hash);
  }, 60_000);

  test("submitting (signed and recorded, never broadcast): the restart broadcasts the same signed bytes", async () => {
    const { task, atKill } = await killAt(
      "submit-recorded",
      ({ method, n }) => (method === "eth_sendRawTransaction" && n >= 3 ? "hold" : undefined),
      (r) => r.phase === "submitting" && r.submitTx !== undefined,
    );
    expect(atKill.submitTx).toBeDefined();
    const { events } = await world.countEvents(task);
    expect(events.find((e) => e.eventName === "ResponseSubmitted")?.transactionHash).toBe(atKill.submitTx?.hash);
  }, 60_000);

  test("submitting, the response landed but its answer was lost: the restart finds it on-chain and sends nothing", async () => {
    const { task, atKill, final } = await killAt(
      "submit-landed",
      ({ method, n }) => (method === "eth_sendRawTransaction" ? (n === 3 ? "hold-after-forward" : n > 3 ? "hold" : undefined) : undefined),
      async (r) => r.phase === "submitting" && (await world.countEvents(r.task)).responded === 1,
    );
    expect(final.dispatches).toBe(1);
    const { events } = await world.countEvents(task);
    expect(events.find((e) => e.eventName === "ResponseSubmitted")?.transactionHash).toBe(atKill.submitTx?.hash);
  }, 60_000);
});

describe("gpunexus provider start", () => {
  test("SIGINT drains the node: the in-flight task finishes (longer than the CLI's 3 s), then exit 0", async () => {
    const stateDir = join(world.scratch, "state-cli");
    const fromBlock = String(await world.publicClient.getBlockNumber());
    const cli = processes.spawn(await writeConfig(world, "cli", stateDir, { fromBlock, shutdownGraceMs: 30_000 }), world.providerKey, { via: "cli" });
    onTestFinished(() => processes.killAll());
    const task = await world.createTask(source, { function_name: "sleep", data: { ms: 5_000 } });
    await withOutput(waitUntil("dispatched", async () => (await recordIn(stateDir, task))?.phase === "dispatched", 45_000), cli);
    const interruptedAt = Date.now();
    cli.child.kill("SIGINT");
    expect(await withOutput(cli.exited, cli)).toBe(0);
    expect(Date.now() - interruptedAt).toBeGreaterThan(3_000);
    expect(cli.output()).toContain("shutting down (draining)");
    expect(cli.output()).toContain("provider node stopped");
    expect((await recordIn(stateDir, task))?.phase).toBe("done");
    expect(await world.countEvents(task)).toMatchObject({ attempted: 1, responded: 1 });
  }, 60_000);
});
