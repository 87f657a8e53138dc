import { afterEach, describe, expect, test } from "vitest";
import { CallbackServer, CallbackTimeoutError, type CallbackServerOptions } from "../../src/node/callback-server.ts";
import { postJson, silentLogger } from "../handler/helpers.ts";

let server: CallbackServer | undefined;

async function start(options: CallbackServerOptions = {}): Promise<CallbackServer> {
  server = new CallbackServer({ logger: silentLogger, ...options });
  await server.start();
  return server;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("CallbackServer", () => {
  test("resolves a registered waiter with the exact body bytes and parsed JSON", async () => {
    const callbacks = await start();
    const waiting = callbacks.waitFor("task-1", { timeoutMs: 5_000 });
    const raw = '{"y": 42,  "note":"spacing kept"}';
    expect(await postJson(`${callbacks.url}/task-1`, raw)).toEqual({ status: 200, json: { received: true } });
    const result = await waiting;
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Buffer.from(result.body).toString("utf8")).toBe(raw);
    expect(result.json).toEqual({ y: 42, note: "spacing kept" });
  });

  test("keeps a result that arrives before its waiter", async () => {
    const callbacks = await start();
    await postJson(`${callbacks.url}/early`, { y: 1 });
    expect(callbacks.stats().unclaimed).toBe(1);
    const result = await callbacks.waitFor("early", { timeoutMs: 1_000 });
    expect(result).toMatchObject({ ok: true, json: { y: 1 } });
    expect(callbacks.stats().unclaimed).toBe(0);
  });

  test('an {"error"} body is a failure; an output that merely has an error field is not', async () => {
    const callbacks = await start();
    const failed = callbacks.waitFor("t-err", { timeoutMs: 5_000 });
    const mixed = callbacks.waitFor("t-mixed", { timeoutMs: 5_000 });
    await postJson(`${callbacks.url}/t-err`, { error: "kaboom" });
    await postJson(`${callbacks.url}/t-mixed`, { error: "none", value: 3 });
    expect(await failed).toEqual({ ok: false, error: "kaboom" });
    expect(await mixed).toMatchObject({ ok: true, json: { error: "none", value: 3 } });
  });

  test("rejects invalid JSON (400) and oversized bodies (413), and tells the waiter", async () => {
    const callbacks = await start({ maxBodyBytes: 32 });
    const garbage = callbacks.waitFor("t-garbage", { timeoutMs: 5_000 });
    const big = callbacks.waitFor("t-big", { timeoutMs: 5_000 });
    expect((await postJson(`${callbacks.url}/t-garbage`, "{nope")).status).toBe(400);
    expect((await postJson(`${callbacks.url}/t-big`, { pad: "x".repeat(100) })).status).toBe(413);
    expect(await garbage).toEqual({ ok: false, error: "handler posted a result that is not valid JSON" });
    expect(await big).toEqual({ ok: false, error: "handler result exceeds 32 bytes" });
  });

  test("404 for anything but POST /{task}", async () => {
    const callbacks = await start();
    expect((await fetch(`${callbacks.url}/t1`)).status).toBe(404);
    expect((await postJson(`${callbacks.url}/a/b`, {})).status).toBe(404);
    expect((await postJson(`${callbacks.url}/bad%20id`, {})).status).toBe(404);
  });

  test("waitFor times out with CallbackTimeoutError and honours its signal", async () => {
    const callbacks = await start();
    await expect(callbacks.waitFor("late", { timeoutMs: 50 })).rejects.toBeInstanceOf(CallbackTimeoutError);
    const controller = new AbortController();
    const waiting = callbacks.waitFor("aborted", { timeoutMs: 10_000, signal: controller.signal });
    controller.abort(new Error("node stopping"));
    await expect(waiting).rejects.toThrow("node stopping");
    expect(callbacks.stats().waiting).toBe(0);
  });

  test("unclaimed results are bounded by count, bytes and age", async () => {
    const callbacks = await start({ maxOrphans: 2, maxOrphanBytes: 1_000, orphanTtlMs: 300 });
    for (const task of ["o1", "o2", "o3"]) await postJson(`${callbacks.url}/${task}`, { task });
    expect(callbacks.stats().unclaimed).toBe(2);
    // The oldest went first.
    await expect(callbacks.waitFor("o1", { timeoutMs: 30 })).rejects.toBeInstanceOf(CallbackTimeoutError);
    await postJson(`${callbacks.url}/o4`, { pad: "x".repeat(990) });
    expect(callbacks.stats().unclaimedBytes).toBeLessThanOrEqual(1_000);
    await new Promise((resolve) => setTimeout(resolve, 350));
    await expect(callbacks.waitFor("o4", { timeoutMs: 30 })).rejects.toBeInstanceOf(CallbackTimeoutError);
    expect(callbacks.stats().unclaimed).toBe(0);
  });

  test("close rejects pending waiters", async () => {
    const callbacks = await start();
    const waiting = callbacks.waitFor("t-closed", { timeoutMs: 10_000 });
    await callbacks.close();
    await expect(waiting).rejects.toThrow("callback server closed");
  });
});
