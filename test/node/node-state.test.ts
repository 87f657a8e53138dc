// The state store: durable transitions, reload, terminal phases, identity checks, the directory lock.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Address } from "viem";
import { StateLockedError, StateMismatchError, StateStore } from "../../src/node/state.ts";

const identity = { chainId: 31337, nexus: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0" as Address, provider: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address };
const task = "0x00000000000000000000000000000000000000A1" as Address;
const record = {
  task,
  source: "0x00000000000000000000000000000000000000B2" as Address,
  client: "0x00000000000000000000000000000000000000C3" as Address,
  configUri: "ipfs://QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
  configHash: `0x${"11".repeat(32)}` as const,
  expiryTime: String(Math.floor(Date.now() / 1000) + 3600),
  payment: "1000",
  publishedBlock: "12",
};
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gn-state-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("StateStore", () => {
  test("transitions are on disk when they resolve, and survive a reopen", async () => {
    const path = join(dir, "a");
    const store = await StateStore.open(path, identity);
    expect(store.addTask(record)).toBe(true);
    expect(store.addTask(record)).toBe(false); // a replayed event is a no-op
    const tx = { hash: `0x${"22".repeat(32)}` as const, raw: "0x02f8" as const, sentAt: 1 };
    await store.transition(task, "attempting", { attemptTx: tx });
    // Read the file directly: the transition resolved, so the bytes are there (no flush needed).
    const onDisk = JSON.parse(await readFile(join(path, "state.json"), "utf8")) as { tasks: Record<string, { phase: string; attemptTx: unknown }> };
    expect(onDisk.tasks[task]).toMatchObject({ phase: "attempting", attemptTx: tx });
    await store.cursorStore().set({ blockNumber: "15", blockHash: `0x${"33".repeat(32)}` });
    await store.close();

    const again = await StateStore.open(path, identity);
    expect(again.task(task)).toMatchObject({ phase: "attempting", attemptTx: tx, payment: "1000" });
    expect(again.cursor).toEqual({ blockNumber: "15", blockHash: `0x${"33".repeat(32)}` });
    await again.transition(task, "skipped", { reason: "test" });
    await expect(again.transition(task, "seen")).rejects.toThrow(/cannot become seen/);
    await again.close();
  });

  test("concurrent transitions of many tasks are all persisted", async () => {
    const path = join(dir, "b");
    const store = await StateStore.open(path, identity);
    const tasks = Array.from({ length: 50 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}` as Address);
    for (const t of tasks) store.addTask({ ...record, task: t });
    await Promise.all(tasks.map((t, i) => store.transition(t, i % 2 ? "attempted" : "skipped", { deadline: i })));
    await store.close();
    const reopened = await StateStore.open(path, identity);
    expect(reopened.tasks().filter((r) => r.phase === "attempted")).toHaveLength(25);
    await reopened.close();
  });

  test("refuses a state written for another chain, Nexus or provider", async () => {
    const path = join(dir, "c");
    await (await StateStore.open(path, identity)).close();
    await writeFile(join(path, "state.json"), JSON.stringify({ version: 1, ...identity, sources: {}, tasks: {} }));
    await expect(StateStore.open(path, { ...identity, chainId: 1 })).rejects.toBeInstanceOf(StateMismatchError);
    await expect(StateStore.open(path, { ...identity, provider: record.client })).rejects.toBeInstanceOf(StateMismatchError);
  });

  test("one live process per directory; a killed holder's lock is taken over", async () => {
    const path = join(dir, "d");
    const first = await StateStore.open(path, identity);
    await expect(StateStore.open(path, identity)).rejects.toBeInstanceOf(StateLockedError);
    await first.close();
    // A lock held by another live process (our parent stands in for a running node).
    await writeFile(join(path, "node.lock"), String(process.ppid));
    await expect(StateStore.open(path, identity)).rejects.toBeInstanceOf(StateLockedError);

    // A lock left by a process that no longer exists (as after kill -9).
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 10)"]);
    const pid = child.pid ?? 0;
    await new Promise((r) => child.once("exit", r));
    await writeFile(join(path, "node.lock"), String(pid));
    const second = await StateStore.open(path, identity);
    await second.close();
  });
});
