import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { defineHandler, HandlerTimeoutError, serveHandlers, type HandlerServer, type ServeHandlersOptions } from "../../src/handler/index.ts";
import { CallbackServer } from "../../src/node/callback-server.ts";
import { bearer, CallbackRecorder, callbackToken, gate, postJson, silentLogger } from "./helpers.ts";

/** A handler named "slow" whose calls run until `held` opens: a call that is still running when the test acts. */
function heldHandler(held: { promise: Promise<void> }) {
  return defineHandler({
    name: "slow",
    input: z.object({}),
    output: z.object({ done: z.boolean() }),
    async run() {
      await held.promise;
      return { done: true };
    },
  });
}

const double = defineHandler({
  name: "double",
  input: z.object({ x: z.number() }),
  output: z.object({ y: z.number() }),
  async run(input) {
    return { y: input.x * 2 };
  },
});

const boom = defineHandler({
  name: "boom",
  input: z.object({}),
  output: z.object({}),
  async run() {
    throw new Error("kaboom");
  },
});

const liar = defineHandler({
  name: "liar",
  input: z.object({}),
  output: z.object({ y: z.number() }),
  async run() {
    return { y: "not a number" } as unknown as { y: number };
  },
});

let recorder: CallbackRecorder;
let server: HandlerServer | undefined;

async function serve(overrides: Partial<ServeHandlersOptions> = {}): Promise<HandlerServer> {
  server = await serveHandlers({
    handlers: [double, boom, liar],
    port: 0,
    callbackUrl: recorder.url,
    callbackBaseDelayMs: 10,
    logger: silentLogger,
    ...overrides,
  });
  return server;
}

beforeEach(async () => {
  recorder = await new CallbackRecorder().start();
});

afterEach(async () => {
  await server?.close({ timeoutMs: 1_000, flushTimeoutMs: 1_000 });
  server = undefined;
  await recorder.close();
});

describe("serveHandlers routes", () => {
  test("accepts with 202 and POSTs the validated output to CALLBACK_URL/{task}", async () => {
    const { url } = await serve();
    const response = await postJson(`${url}/run/double/task-1`, { x: 21 });
    expect(response).toEqual({ status: 202, json: { accepted: true } });
    const callback = await recorder.next("/task-1");
    expect(callback.json).toEqual({ y: 42 });
  });

  test("GET /health lists the functions", async () => {
    const { url } = await serve();
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", functions: ["double", "boom", "liar"] });
  });

  test("refuses bad JSON and invalid input with 400 and runs nothing", async () => {
    const { url } = await serve();
    const badJson = await postJson(`${url}/run/double/t-json`, "{not json");
    expect(badJson.status).toBe(400);
    expect(badJson.json).toEqual({ error: "body is not valid JSON" });
    const invalid = await postJson(`${url}/run/double/t-invalid`, { x: "21" });
    expect(invalid.status).toBe(400);
    expect((invalid.json as { error: string }).error).toMatch(/invalid input for "double": x:/);
    const badTask = await postJson(`${url}/run/double/a%2Fb`, { x: 1 }); // decodes to a slash
    expect(badTask.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(recorder.hits).toBe(0);
  });

  test("unknown function → 404, unknown route → 404", async () => {
    const { url } = await serve();
    const unknown = await postJson(`${url}/run/nope/t1`, {});
    expect(unknown.status).toBe(404);
    expect((unknown.json as { error: string }).error).toContain('unknown function "nope"');
    expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
  });

  test("oversized body → 413", async () => {
    const { url } = await serve({ maxBodyBytes: 64 });
    const response = await postJson(`${url}/run/double/t-big`, { x: 1, pad: "p".repeat(200) });
    expect(response.status).toBe(413);
  });

  test("a task id already running → 409; once finished it may run again", async () => {
    const held = gate();
    const slow = heldHandler(held);
    const { url } = await serve({ handlers: [slow, double] });
    expect((await postJson(`${url}/run/slow/same`, {})).status).toBe(202);
    expect((await postJson(`${url}/run/double/same`, { x: 1 })).status).toBe(409);
    held.open();
    expect((await recorder.next("/same")).json).toEqual({ done: true });
    await expect.poll(() => server?.runningTasks()).toEqual([]);
    expect((await postJson(`${url}/run/double/same`, { x: 1 })).status).toBe(202);
  });
});

describe("failures are reported through the callback", () => {
  test("a thrown error is POSTed as {error}", async () => {
    const { url } = await serve();
    expect((await postJson(`${url}/run/boom/t-boom`, {})).status).toBe(202);
    expect((await recorder.next("/t-boom")).json).toEqual({ error: "kaboom" });
  });

  test("an output that breaks the schema is POSTed as {error}", async () => {
    const { url } = await serve();
    await postJson(`${url}/run/liar/t-liar`, {});
    const { json } = await recorder.next("/t-liar");
    expect((json as { error: string }).error).toMatch(/returned invalid output: y:/);
  });

  test("a timeout aborts the run's signal and POSTs {error} even if the handler ignores it", async () => {
    let seen: AbortSignal | undefined;
    const hang = defineHandler({
      name: "hang",
      input: z.object({}),
      output: z.object({}),
      timeoutMs: 150,
      run(_input, { signal }) {
        seen = signal;
        return new Promise(() => undefined); // never settles, never looks at the signal
      },
    });
    const { url } = await serve({ handlers: [hang] });
    const started = Date.now();
    await postJson(`${url}/run/hang/t-hang`, {});
    const callback = await recorder.next("/t-hang", 5_000);
    expect(callback.json).toEqual({ error: 'handler "hang" timed out after 150 ms' });
    expect(callback.at - started).toBeGreaterThanOrEqual(140);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(HandlerTimeoutError);
    await expect.poll(() => server?.runningTasks()).toEqual([]);
  });

  test("the server default timeout applies when the handler sets none", async () => {
    const waits = defineHandler({
      name: "waits",
      input: z.object({}),
      output: z.object({}),
      async run(_input, { signal }) {
        await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
        return {};
      },
    });
    const { url } = await serve({ handlers: [waits], defaultTimeoutMs: 100 });
    await postJson(`${url}/run/waits/t-default`, {});
    expect((await recorder.next("/t-default")).json).toEqual({ error: 'handler "waits" timed out after 100 ms' });
  });
});

describe("callback delivery", () => {
  test("retries after 503s and delivers once the receiver recovers", async () => {
    recorder.failWith = [503, 503];
    const { url } = await serve({ callbackRetries: 5 });
    await postJson(`${url}/run/double/t-retry`, { x: 5 });
    expect((await recorder.next("/t-retry")).json).toEqual({ y: 10 });
    expect(recorder.hits).toBe(3);
  });

  test("gives up after the configured number of tries; a 4xx is not retried", async () => {
    recorder.failWith = [503, 503, 503, 503];
    const { url } = await serve({ callbackRetries: 3 });
    await postJson(`${url}/run/double/t-giveup`, { x: 1 });
    await expect.poll(() => server?.runningTasks(), { timeout: 5_000 }).toEqual([]);
    expect(recorder.hits).toBe(3);

    recorder.hits = 0;
    recorder.failWith = [400];
    await postJson(`${url}/run/double/t-refused`, { x: 1 });
    await expect.poll(() => server?.runningTasks(), { timeout: 5_000 }).toEqual([]);
    expect(recorder.hits).toBe(1);
  });
});

describe("the callback token (PROTOCOL §7)", () => {
  const TOKEN_A = "tokenA-0123456789abcdefghij_-";
  const TOKEN_B = "tokenB-0123456789abcdefghij_-";

  test("the dispatch's X-Callback-Token comes back as Authorization: Bearer; none given, none sent", async () => {
    const { url } = await serve();
    expect((await postJson(`${url}/run/double/t-token`, { x: 2 }, callbackToken(TOKEN_A))).status).toBe(202);
    expect(await recorder.next("/t-token")).toMatchObject({ json: { y: 4 }, authorization: `Bearer ${TOKEN_A}` });
    // Failures carry it too: they end the node's wait just like results.
    await postJson(`${url}/run/boom/t-token-boom`, {}, callbackToken(TOKEN_B));
    expect(await recorder.next("/t-token-boom")).toMatchObject({ json: { error: "kaboom" }, authorization: `Bearer ${TOKEN_B}` });
    await postJson(`${url}/run/double/t-no-token`, { x: 1 });
    expect((await recorder.next("/t-no-token")).authorization).toBeUndefined();
  });

  test("a malformed token → 400 and runs nothing (it would be echoed into a header)", async () => {
    const { url } = await serve();
    for (const token of ["short", `${"a".repeat(20)} b`, `${"a".repeat(20)},b`]) {
      const response = await postJson(`${url}/run/double/t-bad-token`, { x: 1 }, callbackToken(token));
      expect(response).toEqual({ status: 400, json: { error: "malformed x-callback-token header" } });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(recorder.hits).toBe(0);
  });

  test("a re-dispatch answered 409 cannot swap the running call's token", async () => {
    const held = gate();
    const slow = heldHandler(held);
    const { url } = await serve({ handlers: [slow] });
    expect((await postJson(`${url}/run/slow/t-swap`, {}, callbackToken(TOKEN_A))).status).toBe(202);
    expect((await postJson(`${url}/run/slow/t-swap`, {}, callbackToken(TOKEN_B))).status).toBe(409);
    held.open();
    expect((await recorder.next("/t-swap")).authorization).toBe(`Bearer ${TOKEN_A}`);
  });

  test("round trip with the node's callback server: the run's secret goes out with the dispatch and back with the result", async () => {
    const callbacks = new CallbackServer({ logger: silentLogger });
    await callbacks.start();
    try {
      const { url } = await serve({ callbackUrl: callbacks.url });
      const secret = callbacks.expectResult("0xround");
      const waiting = callbacks.waitFor("0xround", { timeoutMs: 5_000 });
      // Someone else's forgery first: refused, and the genuine result still wins.
      expect((await postJson(`${callbacks.url}/0xround`, { y: 666 })).status).toBe(401);
      expect((await postJson(`${url}/run/double/0xround`, { x: 21 }, callbackToken(secret))).status).toBe(202);
      expect(await waiting).toMatchObject({ ok: true, json: { y: 42 } });
    } finally {
      await callbacks.close();
    }
  });

  test("a handler given task A's secret for task B: B's result is refused, not retried, and B keeps waiting", async () => {
    const callbacks = new CallbackServer({ logger: silentLogger });
    await callbacks.start();
    try {
      // A retry would wait 2 s first: the call finishing well before proves the 403 was final.
      const { url } = await serve({ callbackUrl: callbacks.url, callbackRetries: 5, callbackBaseDelayMs: 2_000 });
      const secretA = callbacks.expectResult("0xtaskA");
      callbacks.expectResult("0xtaskB");
      const waitingB = callbacks.waitFor("0xtaskB", { timeoutMs: 400 });
      expect((await postJson(`${url}/run/double/0xtaskB`, { x: 1 }, callbackToken(secretA))).status).toBe(202);
      await expect.poll(() => server?.runningTasks(), { timeout: 1_000 }).toEqual([]);
      await expect(waitingB).rejects.toThrow(/no result for task 0xtaskB/);
      expect(callbacks.stats()).toMatchObject({ unclaimed: 0 });
      // A's run is untouched: its own result still gets in.
      const waitingA = callbacks.waitFor("0xtaskA", { timeoutMs: 5_000 });
      expect((await postJson(`${callbacks.url}/0xtaskA`, { y: 2 }, bearer(secretA))).status).toBe(200);
      expect(await waitingA).toMatchObject({ ok: true, json: { y: 2 } });
    } finally {
      await callbacks.close();
    }
  });
});

describe("graceful close", () => {
  test("refuses new work with 503, waits for the running call and flushes its callback", async () => {
    const held = gate();
    const slow = heldHandler(held);
    const running = await serve({ handlers: [slow] });
    expect((await postJson(`${running.url}/run/slow/t-drain`, {})).status).toBe(202);
    let closed = false;
    const closing = running.close({ timeoutMs: 10_000 }).then(() => (closed = true));
    expect((await fetch(`${running.url}/health`)).status).toBe(503);
    expect((await postJson(`${running.url}/run/slow/t-late`, {})).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(false);
    held.open();
    await closing;
    expect(recorder.received.map((record) => record.path)).toEqual(["/t-drain"]);
    expect(recorder.received[0]?.json).toEqual({ done: true });
    await expect(fetch(`${running.url}/health`)).rejects.toThrow();
  });

  test("past its bound, close aborts the running call and still reports it", async () => {
    const stuck = defineHandler({
      name: "stuck",
      input: z.object({}),
      output: z.object({}),
      async run(_input, { signal }) {
        await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
        return {};
      },
    });
    const running = await serve({ handlers: [stuck] });
    await postJson(`${running.url}/run/stuck/t-stuck`, {});
    const started = Date.now();
    await running.close({ timeoutMs: 200, flushTimeoutMs: 2_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(recorder.received[0]?.json).toEqual({ error: "handler server is shutting down" });
  });
});
