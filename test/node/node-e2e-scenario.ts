// The provider node end to end with real parts: a dev chain over HTTP, the IPFS dev node, the matmul example
// handler run by the local-process runtime. The node runs in-process; the chain is the judge (events, balances).
// One scenario, run once per chain kind (node-e2e.test.ts: `hardhat node`; node-e2e-anvil.test.ts: Anvil), so a
// behaviour that only Hardhat's EDR has shows up as a failure on Anvil.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseEther, type Address } from "viem";
import { matmul } from "../../examples/matmul-source/matmul.ts";
import { createLogger } from "../../src/node/logger.ts";
import { createProviderNode, type ProviderNode } from "../../src/node/node.ts";
import { getVaultPosition } from "../../src/sdk/actions/reads.ts";
import { attempt, confirmResponse, reportLapse } from "../../src/sdk/actions/tasks.ts";
import { cancelUnbonding, unbond } from "../../src/sdk/actions/vault.ts";
import { fetchBytes } from "../../src/sdk/ipfs/index.ts";
import type { ChainKind } from "./chains.ts";
import { captureLog, createWorld, FEE_BPS, waitUntil, type World } from "./node-fixture.ts";

export function describeNodeE2e(kind: ChainKind): void {
  describe(`provider node (local-process runtime) on ${kind}`, () => {
    let world: World;
    let pending: Promise<World> | undefined;
    let node: ProviderNode;
    let metricsUrl = "";
    let logLines: Array<Record<string, unknown>> = [];
    let rawLog = () => "";
    let firstResponse: Address;
    let manual: Address;

    const phaseOf = (task: Address) => node.tasks().find((r) => r.task === task);
    const settled = (task: Address) =>
      waitUntil(`task ${task} to settle`, () => {
        const r = phaseOf(task);
        return r && ["done", "failed", "skipped"].includes(r.phase) ? r : undefined;
      }, 60_000);
    const net = (payment: bigint) => payment - (payment * FEE_BPS) / 10_000n;

    beforeAll(async () => {
      // Kept as a promise so afterAll can still close a world whose setup outlived the hook's timeout.
      pending = createWorld({ chain: kind });
      world = await pending;
      firstResponse = await world.createSource({ deliveryMethod: 1, attemptTimeout: 120 });
      manual = await world.createSource({ deliveryMethod: 0, attemptTimeout: 120 });
      const log = captureLog();
      logLines = log.lines;
      rawLog = log.text;
      const config = world.nodeConfig({
        stateDir: join(world.scratch, "state"),
        metrics: { enabled: true, host: "127.0.0.1", port: 0 },
        stackIdleTimeoutMs: 1_500,
        logLevel: "debug",
      });
      node = createProviderNode(config, { account: world.providerAccount, logger: createLogger({ level: "debug", destination: log.destination }) });
      const info = await node.start();
      metricsUrl = info.metricsUrl ?? "";
    }, 150_000);

    afterAll(async () => {
      await node?.stop();
      if (process.env.GN_TEST_LOG_FILE) (await import("node:fs")).writeFileSync(process.env.GN_TEST_LOG_FILE, rawLog());
      await (await pending?.catch(() => undefined))?.close();
    }, 60_000);

    test("completes FIRST_RESPONSE and MANUAL tasks; results are pinned and payouts reach the master", async () => {
      const before = await world.balanceOf(world.master.account.address);
      const payment = 500_000_000_000_000_000n;
      const frTask = await world.createTask(firstResponse, { function_name: "matmul", data: { size: 24, seed: 11 } }, { payment });
      const manTask = await world.createTask(manual, { function_name: "matmul", data: { size: 16, seed: 3, rounds: 2 } }, { payment });
      expect((await settled(frTask)).phase).toBe("done");
      expect((await settled(manTask)).phase).toBe("done");

      // FIRST_RESPONSE pays at submission.
      const afterFirst = await world.balanceOf(world.master.account.address);
      expect(afterFirst - before).toBe(net(payment));

      for (const [task, input] of [[frTask, { size: 24, seed: 11, rounds: 1 }], [manTask, { size: 16, seed: 3, rounds: 2 }]] as const) {
        const { attempted, responded, events } = await world.countEvents(task);
        expect({ attempted, responded }).toEqual({ attempted: 1, responded: 1 });
        const response = events.find((e) => e.eventName === "ResponseSubmitted");
        if (response?.eventName !== "ResponseSubmitted") throw new Error("no response");
        // The hash in the event is the sha256 of the pinned bytes, and they hold the handler's real output.
        const { bytes } = await fetchBytes(world.ipfs, response.args.resultUri, { sha256: response.args.resultHash });
        const output = JSON.parse(new TextDecoder().decode(bytes)) as { resultSha256: string };
        expect(output.resultSha256).toBe((await matmul(input)).resultSha256);
        expect(phaseOf(task)?.result?.sha256).toBe(response.args.resultHash);
      }

      // MANUAL pays once the client confirms.
      await (await confirmResponse(world.client, { ...world.opts, task: manTask, provider: world.providerAddress })).wait();
      expect((await world.balanceOf(world.master.account.address)) - afterFirst).toBe(net(payment));
      await waitUntil("earnings metric", async () => (await fetch(`${metricsUrl}/metrics`).then((r) => r.text())).includes(`gpunexus_earnings_wei_total ${Number(2n * net(payment))}`), 10_000);

      const metrics = await fetch(`${metricsUrl}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(/gpunexus_tasks_completed_total 2/);
      expect(metrics).toMatch(/gpunexus_tasks_attempted_total 2/);
      expect(metrics).toMatch(/gpunexus_task_latency_seconds_count 2/);
      const health = await fetch(`${metricsUrl}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok", inflight: 0 });
    }, 90_000);

    test("a tampered config (hash mismatch) is skipped with a typed error, never attempted", async () => {
      const task = await world.createTask(firstResponse, { function_name: "matmul", data: { size: 8, seed: 1 } }, { tamperHash: true });
      const record = await settled(task);
      expect(record).toMatchObject({ phase: "skipped", reason: "config-invalid" });
      expect((await world.countEvents(task)).attempted).toBe(0);
      const logged = await waitUntil("the refusal log", () => logLines.find((l) => l.task === task && l.msg === "task config refused"), 5_000);
      expect((logged?.err as { type?: string } | undefined)?.type).toBe("ContentHashMismatchError");
    }, 60_000);

    test("a tampered compose file is refused: the task is skipped, no slot taken", async () => {
      const source = await world.createSource({ deliveryMethod: 1, tamperCompose: true });
      const task = await world.createTask(source, { function_name: "matmul", data: { size: 8, seed: 1 } });
      expect(await settled(task)).toMatchObject({ phase: "skipped", reason: "source-untrusted" });
      expect((await world.countEvents(task)).attempted).toBe(0);
      const logged = await waitUntil("the refusal log", () => logLines.find((l) => l.task === task && l.reason === "source-untrusted"), 5_000);
      expect((logged?.err as { type?: string; message?: string } | undefined)?.type).toBe("SourceVerificationError");
      expect((logged?.err as { message?: string }).message).toMatch(/compose refused \(hash-mismatch\)/);
    }, 60_000);

    test("tasks of sources the provider is not registered to are ignored", async () => {
      const source = await world.createSource({ deliveryMethod: 1, registerProvider: false });
      const task = await world.createTask(source, { function_name: "matmul", data: { size: 8, seed: 1 } });
      const other = await world.createTask(firstResponse, { function_name: "matmul", data: { size: 8, seed: 2 } });
      await settled(other); // the node has certainly seen the block of `task` by now
      expect(phaseOf(task)).toBeUndefined();
    }, 60_000);

    test("a task whose penalty the master's free lockup cannot cover is skipped before any transaction", async () => {
      // Unbonding all but 0.05 ETH leaves less free lockup than the source's minimum (1 ETH) and penalty (0.1 ETH).
      const { lockup } = await getVaultPosition(world.publicClient, { ...world.opts, account: world.master.account.address });
      await (await unbond(world.master, { ...world.opts, amount: lockup - parseEther("0.05") })).wait();
      try {
        const task = await world.createTask(firstResponse, { function_name: "matmul", data: { size: 8, seed: 5 } });
        expect(await settled(task)).toMatchObject({ phase: "skipped", reason: "stake-insufficient" });
        expect((await world.countEvents(task)).attempted).toBe(0);
        const line = logLines.find((l) => l.task === task && l.msg === "the master's free lockup does not cover this task's penalty");
        expect(line).toMatchObject({ freeLockup: parseEther("0.05").toString(), needed: parseEther("1").toString() });
        // The metric follows the durable state transition, which `settled` already saw: wait for it.
        await waitUntil("the skip metric", async () => /gpunexus_tasks_skipped_total\{reason="stake-insufficient"\} 1/.test(await fetch(`${metricsUrl}/metrics`).then((r) => r.text())), 5_000);
      } finally {
        await (await cancelUnbonding(world.master, world.opts)).wait();
      }
    }, 30_000);

    test("a task whose expiry is too close is skipped; an idle stack goes down", async () => {
      const task = await world.createTask(firstResponse, { function_name: "matmul", data: { size: 8, seed: 3 } }, { expirySeconds: 3 });
      expect(await settled(task)).toMatchObject({ phase: "skipped", reason: "expiring" });
      expect((await world.countEvents(task)).attempted).toBe(0);
      await waitUntil("an idle stack to stop", () => logLines.some((l) => l.msg === "handler stack stopped"), 10_000);
    }, 30_000);

    test("a task whose slots are all live is deferred until the latest deadline, then its lapsed slot is taken", async () => {
      const source = await world.createSource({ deliveryMethod: 0, maxConcurrentAttempts: 1, attemptTimeout: 10, registerProvider: false });
      const rival = await world.extraProvider(source);
      const task = await world.createTask(source, { function_name: "matmul", data: { size: 8, seed: 21 } });
      await (await attempt(rival, { ...world.opts, task, provider: rival.account.address })).wait();
      await world.registerProvider(source);
      await waitUntil("the deferral", () => logLines.some((l) => l.task === task && l.msg === "task deferred"), 10_000);
      expect((await settled(task)).phase).toBe("done");
      expect(await world.countEvents(task)).toMatchObject({ attempted: 2, responded: 1, lapsed: 1 });
    }, 60_000);

    // Last two: they move the chain's clock past attempt deadlines.
    test("a handler failure is logged, nothing is submitted, and the attempt lapses", async () => {
      const task = await world.createTask(firstResponse, { function_name: "fail", data: { message: "boom on purpose" } });
      expect(await settled(task)).toMatchObject({ phase: "failed", reason: "handler-error" });
      const failure = await waitUntil("the failure log", () => logLines.find((l) => l.task === task && l.reason === "handler-error"), 5_000);
      expect((failure?.err as { message?: string } | undefined)?.message).toBe("boom on purpose");
      expect(await world.countEvents(task)).toMatchObject({ attempted: 1, responded: 0 });

      await world.increaseTime(121);
      await (await reportLapse(world.keeper, { ...world.opts, task, provider: world.providerAddress })).wait();
      expect(await world.countEvents(task)).toMatchObject({ attempted: 1, responded: 0, lapsed: 1 });
      expect(await fetch(`${metricsUrl}/metrics`).then((r) => r.text())).toMatch(/gpunexus_tasks_failed_total\{reason="handler-error"\} 1/);
    }, 60_000);

    test("a full task's lapsed slot is reported and taken; tasks from before a registration are found", async () => {
      const source = await world.createSource({ deliveryMethod: 1, maxConcurrentAttempts: 1, attemptTimeout: 60, registerProvider: false });
      const rival = await world.extraProvider(source);
      const task = await world.createTask(source, { function_name: "matmul", data: { size: 8, seed: 9 } });
      await (await attempt(rival, { ...world.opts, task, provider: rival.account.address })).wait();
      await world.increaseTime(61); // the rival's attempt lapses, unreported: the task's only slot stays held
      await world.registerProvider(source); // the node looks back for this source's open tasks
      expect((await settled(task)).phase).toBe("done");
      const { attempted, responded, lapsed, events } = await world.countEvents(task);
      expect({ attempted, responded, lapsed }).toEqual({ attempted: 2, responded: 1, lapsed: 1 });
      const lapse = events.find((e) => e.eventName === "AttemptLapsed");
      expect(lapse?.eventName === "AttemptLapsed" && lapse.args.provider).toBe(rival.account.address);
    }, 60_000);

    test("a task runs only under the handler it was published for: skipped after a metadata change, run after a terms-only one", async () => {
      // Not registered yet, so the node does not take the tasks before the updates land; registering makes it look back.
      const replaced = await world.createSource({ deliveryMethod: 1, registerProvider: false });
      const oldHandler = await world.createTask(replaced, { function_name: "matmul", data: { size: 8, seed: 31 } });
      await world.updateSource(replaced, { description: "matmul, version 2 of its handler" });
      const retuned = await world.createSource({ deliveryMethod: 1, registerProvider: false });
      const sameHandler = await world.createTask(retuned, { function_name: "matmul", data: { size: 8, seed: 32 } });
      await world.updateSource(retuned); // only the minimum payment changes: the handler the client paid for still runs
      await world.registerProvider(replaced);
      await world.registerProvider(retuned);

      expect(await settled(oldHandler)).toMatchObject({ phase: "skipped", reason: "handler-changed" });
      expect((await world.countEvents(oldHandler)).attempted).toBe(0);
      const line = logLines.find((l) => l.task === oldHandler && l.msg?.toString().startsWith("the source's handler changed"));
      expect(line).toMatchObject({ publishedVersion: 1, runningVersion: 2 });
      expect(line?.publishedMetadataHash).not.toBe(line?.runningMetadataHash);
      expect(await settled(sameHandler)).toMatchObject({ phase: "done" });
      // A task published under the new version runs on the new handler.
      const newHandler = await world.createTask(replaced, { function_name: "matmul", data: { size: 8, seed: 33 } });
      expect(await settled(newHandler)).toMatchObject({ phase: "done" });
    }, 90_000);

    test("the provider key never appears in the logs", () => {
      expect(rawLog().length).toBeGreaterThan(0);
      expect(rawLog().toLowerCase()).not.toContain(world.providerKey.slice(2).toLowerCase());
    });
  });
}
