import { afterEach, describe, expect, test } from "vitest";
import {
  CallbackNotExpectedError,
  CallbackServer,
  CallbackTimeoutError,
  type CallbackServerOptions,
} from "../../src/node/callback-server.ts";
import { bearer, postJson, silentLogger } from "../handler/helpers.ts";

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

/** Registers the task's run like the node does before dispatch, and posts as its handler would. */
function handlerOf(callbacks: CallbackServer, task: string): { secret: string; post: (body: unknown) => ReturnType<typeof postJson> } {
  const secret = callbacks.expectResult(task);
  return { secret, post: (body) => postJson(`${callbacks.url}/${task}`, body, bearer(secret)) };
}

/** Settles within `ms` or says it is still pending: a refused post must leave the waiter waiting. */
async function stillPending(promise: Promise<unknown>, ms = 100): Promise<boolean> {
  const pending = Symbol("pending");
  const outcome = await Promise.race([promise.then(() => undefined, () => undefined), new Promise((resolve) => setTimeout(() => resolve(pending), ms))]);
  return outcome === pending;
}

describe("CallbackServer", () => {
  test("resolves a registered waiter with the exact body bytes and parsed JSON", async () => {
    const callbacks = await start();
    const handler = handlerOf(callbacks, "task-1");
    const waiting = callbacks.waitFor("task-1", { timeoutMs: 5_000 });
    const raw = '{"y": 42,  "note":"spacing kept"}';
    expect(await handler.post(raw)).toEqual({ status: 200, json: { received: true } });
    const result = await waiting;
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Buffer.from(result.body).toString("utf8")).toBe(raw);
    expect(result.json).toEqual({ y: 42, note: "spacing kept" });
  });

  test("keeps a result that arrives before its waiter", async () => {
    const callbacks = await start();
    await handlerOf(callbacks, "early").post({ y: 1 });
    expect(callbacks.stats().unclaimed).toBe(1);
    const result = await callbacks.waitFor("early", { timeoutMs: 1_000 });
    expect(result).toMatchObject({ ok: true, json: { y: 1 } });
    expect(callbacks.stats().unclaimed).toBe(0);
  });

  test('an {"error"} body is a failure; an output that merely has an error field is not', async () => {
    const callbacks = await start();
    const [err, mixedHandler] = [handlerOf(callbacks, "t-err"), handlerOf(callbacks, "t-mixed")];
    const failed = callbacks.waitFor("t-err", { timeoutMs: 5_000 });
    const mixed = callbacks.waitFor("t-mixed", { timeoutMs: 5_000 });
    await err.post({ error: "kaboom" });
    await mixedHandler.post({ error: "none", value: 3 });
    expect(await failed).toEqual({ ok: false, error: "kaboom" });
    expect(await mixed).toMatchObject({ ok: true, json: { error: "none", value: 3 } });
  });

  test("rejects invalid JSON (400) and oversized bodies (413), and tells the waiter", async () => {
    const callbacks = await start({ maxBodyBytes: 32 });
    const [garbageHandler, bigHandler] = [handlerOf(callbacks, "t-garbage"), handlerOf(callbacks, "t-big")];
    const garbage = callbacks.waitFor("t-garbage", { timeoutMs: 5_000 });
    const big = callbacks.waitFor("t-big", { timeoutMs: 5_000 });
    expect((await garbageHandler.post("{nope")).status).toBe(400);
    expect((await bigHandler.post({ pad: "x".repeat(100) })).status).toBe(413);
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
    callbacks.expectResult("late");
    await expect(callbacks.waitFor("late", { timeoutMs: 50 })).rejects.toBeInstanceOf(CallbackTimeoutError);
    callbacks.expectResult("aborted");
    const controller = new AbortController();
    const waiting = callbacks.waitFor("aborted", { timeoutMs: 10_000, signal: controller.signal });
    controller.abort(new Error("node stopping"));
    await expect(waiting).rejects.toThrow("node stopping");
    expect(callbacks.stats().waiting).toBe(0);
  });

  test("unclaimed results are bounded by count, bytes and age", async () => {
    const callbacks = await start({ maxOrphans: 2, maxOrphanBytes: 1_000, orphanTtlMs: 300 });
    for (const task of ["o1", "o2", "o3"]) await handlerOf(callbacks, task).post({ task });
    expect(callbacks.stats().unclaimed).toBe(2);
    // The oldest went first, and its secret with it: nothing is left to wait for.
    await expect(callbacks.waitFor("o1", { timeoutMs: 30 })).rejects.toBeInstanceOf(CallbackNotExpectedError);
    await handlerOf(callbacks, "o4").post({ pad: "x".repeat(990) });
    expect(callbacks.stats().unclaimedBytes).toBeLessThanOrEqual(1_000);
    await new Promise((resolve) => setTimeout(resolve, 350));
    await expect(callbacks.waitFor("o4", { timeoutMs: 30 })).rejects.toBeInstanceOf(CallbackNotExpectedError);
    expect(callbacks.stats()).toMatchObject({ unclaimed: 0, expected: 0 });
  });

  test("close rejects pending waiters", async () => {
    const callbacks = await start();
    callbacks.expectResult("t-closed");
    const waiting = callbacks.waitFor("t-closed", { timeoutMs: 10_000 });
    await callbacks.close();
    await expect(waiting).rejects.toThrow("callback server closed");
  });
});

describe("CallbackServer: a result needs its run's secret", () => {
  test("a forged result without the secret is refused (401) or with a wrong one (403); the real one is still accepted", async () => {
    const callbacks = await start();
    const handler = handlerOf(callbacks, "0xforged");
    const waiting = callbacks.waitFor("0xforged", { timeoutMs: 5_000 });
    const url = `${callbacks.url}/0xforged`;

    const missing = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: '{"y":666}' });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await postJson(url, { y: 666 }, bearer("A".repeat(43)))).toEqual({ status: 403, json: { error: "callback secret refused" } });
    expect((await postJson(url, { y: 666 }, { authorization: `Basic ${handler.secret}` })).status).toBe(401);
    // A forged failure or garbage would fail the task just as well: refused before its body is looked at.
    expect((await postJson(url, { error: "forged" })).status).toBe(401);
    expect((await postJson(url, "{nope")).status).toBe(401);
    expect(await stillPending(waiting)).toBe(true);
    expect(callbacks.stats()).toMatchObject({ waiting: 1, unclaimed: 0 });

    expect(await handler.post({ y: 42 })).toEqual({ status: 200, json: { received: true } });
    expect(await waiting).toMatchObject({ ok: true, json: { y: 42 } });
    // Used up: the same secret cannot bring in a second result.
    expect((await handler.post({ y: 7 })).status).toBe(403);
    expect(callbacks.stats()).toMatchObject({ waiting: 0, unclaimed: 0, expected: 0 });
  });

  test("task A's secret is refused for task B", async () => {
    const callbacks = await start();
    const [a, b] = [handlerOf(callbacks, "0xtaskA"), handlerOf(callbacks, "0xtaskB")];
    const waitingA = callbacks.waitFor("0xtaskA", { timeoutMs: 5_000 });
    const waitingB = callbacks.waitFor("0xtaskB", { timeoutMs: 5_000 });
    expect(a.secret).not.toBe(b.secret);
    expect((await postJson(`${callbacks.url}/0xtaskB`, { from: "A" }, bearer(a.secret))).status).toBe(403);
    expect(await stillPending(waitingB)).toBe(true);
    expect(await stillPending(waitingA)).toBe(true);
    await b.post({ from: "B" });
    await a.post({ from: "A" });
    expect(await waitingB).toMatchObject({ ok: true, json: { from: "B" } });
    expect(await waitingA).toMatchObject({ ok: true, json: { from: "A" } });
  });

  test("nothing is kept for a task nobody registered, and an early result is bound to its run's secret", async () => {
    const callbacks = await start();
    expect((await postJson(`${callbacks.url}/0xunknown`, { y: 1 }, bearer("B".repeat(43)))).status).toBe(403);
    expect(callbacks.stats().unclaimed).toBe(0);
    await expect(callbacks.waitFor("0xunknown", { timeoutMs: 30 })).rejects.toBeInstanceOf(CallbackNotExpectedError);

    // An early result of one run is not handed to the next run of the same task.
    const first = handlerOf(callbacks, "0xrerun");
    expect((await first.post({ run: 1 })).status).toBe(200);
    expect(callbacks.stats().unclaimed).toBe(1);
    const second = handlerOf(callbacks, "0xrerun");
    expect(callbacks.stats().unclaimed).toBe(0);
    const waiting = callbacks.waitFor("0xrerun", { timeoutMs: 5_000 });
    expect((await first.post({ run: 1 })).status).toBe(403);
    expect(await stillPending(waiting)).toBe(true);
    await second.post({ run: 2 });
    expect(await waiting).toMatchObject({ ok: true, json: { run: 2 } });
  });

  test("a late result is still received (kept for nobody) rather than taken for a forgery", async () => {
    const callbacks = await start({ orphanTtlMs: 200 });
    const handler = handlerOf(callbacks, "0xslow");
    await expect(callbacks.waitFor("0xslow", { timeoutMs: 30 })).rejects.toBeInstanceOf(CallbackTimeoutError);
    expect((await handler.post({ y: 1 })).status).toBe(200);
    expect(callbacks.stats().unclaimed).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await handler.post({ y: 1 })).status).toBe(403);
    expect(callbacks.stats()).toMatchObject({ unclaimed: 0, expected: 0 });
  });

  test("secrets are fresh 256-bit random values", async () => {
    const callbacks = await start();
    const secrets = new Set(Array.from({ length: 50 }, (_, i) => callbacks.expectResult(`0xs${i}`)));
    expect(secrets.size).toBe(50);
    for (const secret of secrets) expect(Buffer.from(secret, "base64url")).toHaveLength(32);
  });
});
