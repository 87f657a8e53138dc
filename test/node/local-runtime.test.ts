import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { matmul } from "../../examples/matmul-source/matmul.ts";
import { CallbackServer } from "../../src/node/callback-server.ts";
import {
  CapabilityMissingError,
  HealthTimeoutError,
  LocalProcessRuntime,
  StackStartError,
  type HandlerStack,
} from "../../src/node/runtime/index.ts";
import { callbackToken, freePort, postJson, silentLogger } from "../handler/helpers.ts";

const run = promisify(execFile);
const ENTRY = resolve(import.meta.dirname, "../../examples/matmul-source/handler.ts");
const callbacks = new CallbackServer({ logger: silentLogger });
const runtime = new LocalProcessRuntime({ entry: ENTRY, logger: silentLogger, healthTimeoutMs: 20_000, killGraceMs: 15_000 });
let scratch = "";
let counter = 0;

async function stack(overrides: Partial<HandlerStack> = {}): Promise<HandlerStack> {
  return {
    sourceAddress: "0x00000000000000000000000000000000000000aa",
    providerAddress: "0x00000000000000000000000000000000000000bb",
    environment: "cpu",
    composeFile: "/nonexistent/compose.cpu.yml", // the local runtime runs the entry file instead
    port: await freePort(),
    callbackUrl: callbacks.url,
    projectName: `gn-local-${process.pid}-${++counter}`,
    ...overrides,
  };
}

beforeAll(async () => {
  await callbacks.start();
  // Inside the repo (.tmp is git-ignored) so scratch entry files resolve the repo's node_modules.
  const base = resolve(import.meta.dirname, "../../.tmp");
  await mkdir(base, { recursive: true });
  scratch = await mkdtemp(join(base, "gn-local-"));
});

afterAll(async () => {
  await runtime.stopAll();
  await callbacks.close();
  await rm(scratch, { recursive: true, force: true });
});

describe("LocalProcessRuntime", () => {
  test("runs the example: health, matmul through HTTP, result on the callback server, stop kills it", async () => {
    const started = await runtime.start(await stack());
    const health = await fetch(`${started.baseUrl}/health`);
    expect(await health.json()).toEqual({ status: "ok", functions: ["matmul", "fail", "sleep"] });

    // As the node dispatches: the run's callback secret goes with the request (PROTOCOL §7).
    const secret = callbacks.expectResult("0xtask01");
    const result = callbacks.waitFor("0xtask01", { timeoutMs: 20_000 });
    expect((await postJson(`${started.baseUrl}/run/matmul/0xtask01`, { size: 64, seed: 9 }, callbackToken(secret))).status).toBe(202);
    const outcome = await result;
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const expected = await matmul({ size: 64, seed: 9, rounds: 1 });
    expect(outcome.json).toMatchObject({ size: 64, seed: 9, rounds: 1, resultSha256: expected.resultSha256, checksum: expected.checksum });

    const failSecret = callbacks.expectResult("0xtask02");
    const failure = callbacks.waitFor("0xtask02", { timeoutMs: 20_000 });
    await postJson(`${started.baseUrl}/run/fail/0xtask02`, { message: "on purpose" }, callbackToken(failSecret));
    expect(await failure).toEqual({ ok: false, error: "on purpose" });

    await runtime.stop(started.projectName);
    expect(runtime.running()).toEqual([]);
    await expect(fetch(`${started.baseUrl}/health`)).rejects.toThrow();
  });

  test("SIGTERM on stop: a running call is aborted and still reported, and the process exits on its own", async () => {
    const started = await runtime.start(await stack());
    const secret = callbacks.expectResult("0xsleeper");
    const result = callbacks.waitFor("0xsleeper", { timeoutMs: 30_000 });
    expect((await postJson(`${started.baseUrl}/run/sleep/0xsleeper`, { ms: 600_000 }, callbackToken(secret))).status).toBe(202);
    const t0 = Date.now();
    await runtime.stop(started.projectName);
    // Below killGraceMs (15 s): the handler shut itself down rather than being SIGKILLed.
    expect(Date.now() - t0).toBeLessThan(12_000);
    expect(await result).toEqual({ ok: false, error: "handler server is shutting down" });
  });

  test("the handler never gets the node's environment (only PATH and the §7 variables)", async () => {
    const probe = join(scratch, "env-probe.ts");
    const handlerIndex = resolve(import.meta.dirname, "../../src/handler/index.ts");
    await writeFile(
      probe,
      `import { z } from "zod";
import { defineHandler, runHandlerServer } from ${JSON.stringify(handlerIndex)};
await runHandlerServer([defineHandler({ name: "env", input: z.object({}), output: z.record(z.string(), z.string()),
  async run() { return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)); } })]);
`,
    );
    process.env.GN_TEST_SECRET = "do-not-leak";
    const leaky = new LocalProcessRuntime({ entry: probe, logger: silentLogger });
    try {
      const started = await leaky.start(await stack());
      const secret = callbacks.expectResult("0xenv");
      const result = callbacks.waitFor("0xenv", { timeoutMs: 20_000 });
      await postJson(`${started.baseUrl}/run/env/0xenv`, {}, callbackToken(secret));
      const outcome = await result;
      expect(outcome.ok).toBe(true);
      if (outcome.ok) {
        expect(Object.keys(outcome.json as object).sort()).toEqual(["CALLBACK_URL", "HOST", "PATH", "PORT", "PROVIDER_ADDRESS", "SOURCE_ADDRESS"]);
      }
    } finally {
      delete process.env.GN_TEST_SECRET;
      await leaky.stopAll();
    }
  });

  test("a handler that dies at startup → StackStartError with its output", async () => {
    const crash = join(scratch, "crash.ts");
    await writeFile(crash, 'process.stderr.write("cannot load model weights\\n");\nprocess.exit(3);\n');
    const crashing = new LocalProcessRuntime({ entry: crash, logger: silentLogger });
    const error = await crashing.start(await stack()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StackStartError);
    expect((error as StackStartError).message).toContain("handler exited (3)");
    expect((error as StackStartError).outputTail).toContain("cannot load model weights");
    expect(crashing.running()).toEqual([]);
  });

  test("a handler that never answers /health → HealthTimeoutError, and the process is killed", async () => {
    const mute = join(scratch, "mute.ts");
    await writeFile(mute, "setInterval(() => undefined, 1_000);\nprocess.on('SIGTERM', () => process.exit(0));\n");
    const muted = new LocalProcessRuntime({ entry: mute, logger: silentLogger, healthTimeoutMs: 600 });
    const error = await muted.start(await stack()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HealthTimeoutError);
    expect((error as HealthTimeoutError).message).toMatch(/did not answer 200 within 600 ms/);
    expect(muted.running()).toEqual([]);
  });

  test("a handler outlives no node: when its parent is SIGKILLed, the handler exits on its own", async () => {
    // A node stand-in: starts one handler through the runtime, says so, and waits to be killed.
    const parentScript = join(scratch, "parent.ts");
    const runtimeIndex = resolve(import.meta.dirname, "../../src/node/runtime/index.ts");
    await writeFile(
      parentScript,
      `import { LocalProcessRuntime } from ${JSON.stringify(runtimeIndex)};
const runtime = new LocalProcessRuntime({ entry: ${JSON.stringify(ENTRY)} });
await runtime.start(${JSON.stringify(await stack())});
process.stdout.write("ready\\n");
setInterval(() => undefined, 1_000);
`,
    );
    const parent = spawn(process.execPath, [parentScript], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((ready, failed) => {
      parent.stdout?.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && ready());
      parent.once("exit", (code) => failed(new Error(`parent exited (${code})`)));
    });
    const { stdout } = await run("ps", ["-o", "pid=", "--ppid", String(parent.pid)]);
    const [handler] = stdout.split(/\s+/).filter(Boolean).map(Number);
    expect(handler).toBeTypeOf("number");
    parent.kill("SIGKILL");
    const alive = () => {
      try {
        process.kill(handler as number, 0);
        return true;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 15_000;
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const survived = alive();
    if (survived) process.kill(handler as number, "SIGKILL"); // ours: do not leave it behind even when red
    expect(survived).toBe(false);
  }, 30_000);

  test("GPU environments are refused with a typed error", async () => {
    const error = await runtime.start(await stack({ environment: "nvidia" })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CapabilityMissingError);
    expect((error as CapabilityMissingError).capability).toBe("nvidia");
    expect((error as Error).message).toMatch(/^this machine has no NVIDIA capability/);
  });

  test("malformed stacks are rejected before anything runs", async () => {
    await expect(runtime.start(await stack({ projectName: "Bad Name" }))).rejects.toThrow(TypeError);
    await expect(runtime.start(await stack({ sourceAddress: "0xaa\nEVIL=1" }))).rejects.toThrow(/sourceAddress/);
    expect(runtime.running()).toEqual([]);
  });
});
