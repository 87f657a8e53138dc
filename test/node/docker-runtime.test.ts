import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { matmul } from "../../examples/matmul-source/matmul.ts";
import { CallbackServer } from "../../src/node/callback-server.ts";
import {
  CapabilityMissingError,
  DockerComposeRuntime,
  StackStartError,
  detectDocker,
  type Environment,
  type HandlerStack,
} from "../../src/node/runtime/index.ts";
import { callbackToken, freePort, postJson, silentLogger } from "../handler/helpers.ts";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const EXAMPLE = join(ROOT, "examples/matmul-source");
const NO_DOCKER = "no Docker daemon answers `docker info` here; run `npm run docker:up` (CI always provides one)";
// Decided once: only a missing daemon may skip these tests.
const dockerUp = await detectDocker();

const callbacks = new CallbackServer({ logger: silentLogger });
const runtime = new DockerComposeRuntime({ logger: silentLogger, healthTimeoutMs: 60_000, allowLocalImages: true });
let scratch = "";
let counter = 0;
const timings: Record<string, number> = {};

async function stack(environment: Environment, overrides: Partial<HandlerStack> = {}): Promise<HandlerStack> {
  return {
    sourceAddress: "0x00000000000000000000000000000000000000aa",
    providerAddress: "0x00000000000000000000000000000000000000bb",
    environment,
    composeFile: join(EXAMPLE, `compose.${environment}.yml`),
    port: await freePort(),
    callbackUrl: callbacks.url,
    projectName: `gntest${process.pid}x${++counter}`,
    ...overrides,
  };
}

/** Containers of a compose project, running or not, as docker itself reports them. */
async function projectContainers(projectName: string): Promise<string[]> {
  const { stdout } = await run("docker", ["ps", "-a", "--format", "{{.Names}} {{.Status}}", "--filter", `label=com.docker.compose.project=${projectName}`]);
  return stdout.split("\n").filter((line) => line.trim() !== "");
}

async function hasNvidiaRuntime(): Promise<boolean> {
  const { stdout } = await run("docker", ["info", "--format", "{{json .Runtimes}}"]);
  return stdout.includes("nvidia");
}

beforeAll(async () => {
  if (!dockerUp) return;
  await callbacks.start();
  await mkdir(join(ROOT, ".tmp"), { recursive: true });
  scratch = await mkdtemp(join(ROOT, ".tmp", "gn-docker-"));
  const t0 = performance.now();
  const { stdout } = await run("bash", [join(ROOT, "scripts/build-example-image.sh")], { timeout: 300_000 });
  timings.imageBuildMs = Math.round(performance.now() - t0);
  expect(stdout.trim().split("\n").at(-1)).toBe("gpunexus/matmul-source:0.1.0");
}, 300_000);

afterAll(async () => {
  if (!dockerUp) return;
  await runtime.stopAll();
  await callbacks.close();
  await rm(scratch, { recursive: true, force: true });
  process.stdout.write(`docker timings: ${JSON.stringify(timings)}\n`);
});

describe("DockerComposeRuntime", () => {
  test("the example image builds from the local rootfs and a rebuild is a no-op", async (context) => {
    if (!dockerUp) context.skip(NO_DOCKER);
    const again = await run("bash", [join(ROOT, "scripts/build-example-image.sh")], { timeout: 120_000 });
    expect(again.stderr).toMatch(/is up to date/);
    const { stdout } = await run("docker", ["image", "inspect", "--format", "{{json .Config.Entrypoint}} {{.Config.User}}", "gpunexus/matmul-source:0.1.0"]);
    expect(stdout.trim()).toBe('["/usr/local/bin/node","/app/handler.mjs"] 1000:1000');
  });

  test("cpu stack: up, healthy, matmul result reaches the host, down leaves no container", async (context) => {
    if (!dockerUp) context.skip(NO_DOCKER);
    const cpu = await stack("cpu");
    const t0 = performance.now();
    const started = await runtime.start(cpu);
    timings.composeUpHealthyMs = Math.round(performance.now() - t0);
    expect(started.baseUrl).toBe(`http://127.0.0.1:${cpu.port}`);
    expect(await projectContainers(cpu.projectName)).toEqual([expect.stringMatching(/ Up /)]);

    const health = await fetch(`${started.baseUrl}/health`);
    expect(await health.json()).toEqual({ status: "ok", functions: ["matmul", "fail", "sleep"] });

    const secret = callbacks.expectResult("0xdock01");
    const result = callbacks.waitFor("0xdock01", { timeoutMs: 60_000 });
    const t1 = performance.now();
    expect((await postJson(`${started.baseUrl}/run/matmul/0xdock01`, { size: 256, seed: 77, rounds: 2 }, callbackToken(secret))).status).toBe(202);
    const outcome = await result;
    timings.matmul256x2RoundTripMs = Math.round(performance.now() - t1);
    expect(outcome.ok).toBe(true);
    const expected = await matmul({ size: 256, seed: 77, rounds: 2 });
    // Same bits in the container as on the host: the cross-provider comparison holds.
    if (outcome.ok) expect(outcome.json).toMatchObject({ resultSha256: expected.resultSha256, checksum: expected.checksum });

    const failSecret = callbacks.expectResult("0xdock02");
    const failure = callbacks.waitFor("0xdock02", { timeoutMs: 60_000 });
    await postJson(`${started.baseUrl}/run/fail/0xdock02`, { message: "inside the container" }, callbackToken(failSecret));
    expect(await failure).toEqual({ ok: false, error: "inside the container" });

    const t2 = performance.now();
    await runtime.stop(cpu.projectName);
    timings.composeDownMs = Math.round(performance.now() - t2);
    expect(await projectContainers(cpu.projectName)).toEqual([]);
    await expect(fetch(`${started.baseUrl}/health`)).rejects.toThrow();
  });

  test("a tampered compose file → StackStartError with compose's output, nothing left running", async (context) => {
    if (!dockerUp) context.skip(NO_DOCKER);
    const original = await readFile(join(EXAMPLE, "compose.cpu.yml"), "utf8");
    const tampered = join(scratch, "compose.tampered.yml");
    await writeFile(tampered, original.replace("init: true", "init: true\n    privileged: [oops"));
    const bad = await stack("cpu", { composeFile: tampered });
    const error = await runtime.start(bad).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StackStartError);
    expect((error as StackStartError).outputTail).not.toBe("");
    expect(await projectContainers(bad.projectName)).toEqual([]);
    expect(runtime.running()).toEqual([]);
  });

  test("a handler that crashes at startup fails fast with its log, not after the health budget", async (context) => {
    if (!dockerUp) context.skip(NO_DOCKER);
    // On the project network the host port is docker's, so the crash comes from the handler's own config check.
    const original = await readFile(join(EXAMPLE, "compose.cpu.yml"), "utf8");
    const crashing = join(scratch, "compose.crashing.yml");
    await writeFile(crashing, original.replace("      HOST: 0.0.0.0\n", "      HOST: 0.0.0.0\n      HANDLER_TIMEOUT_MS: \"-1\"\n"));
    const busy = await stack("cpu", { composeFile: crashing });
    const t0 = performance.now();
    const error = await runtime.start(busy).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StackStartError);
    expect((error as StackStartError).outputTail).toContain("HANDLER_TIMEOUT_MS must be a positive integer");
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect(await projectContainers(busy.projectName)).toEqual([]);
  });

  test("nvidia stack: a typed CapabilityMissingError unless this daemon has the NVIDIA runtime", async (context) => {
    if (!dockerUp) context.skip(NO_DOCKER);
    const gpu = await stack("nvidia");
    if (await hasNvidiaRuntime()) {
      await runtime.start(gpu);
      await runtime.stop(gpu.projectName);
    } else {
      const error = await runtime.start(gpu).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CapabilityMissingError);
      expect((error as CapabilityMissingError).capability).toBe("nvidia");
      expect((error as Error).message).toMatch(/^this machine has no NVIDIA capability/);
    }
    expect(await projectContainers(gpu.projectName)).toEqual([]);
  });

  test("amd stack on a machine without /dev/kfd → CapabilityMissingError", async (context) => {
    if (!dockerUp) context.skip(NO_DOCKER);
    const hasKfd = await readFile("/dev/kfd").then(() => true, (error: NodeJS.ErrnoException) => error.code !== "ENOENT");
    const amd = await stack("amd");
    if (hasKfd) {
      await runtime.start(amd);
      await runtime.stop(amd.projectName);
    } else {
      const error = await runtime.start(amd).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CapabilityMissingError);
      expect((error as CapabilityMissingError).capability).toBe("amd");
    }
    expect(await projectContainers(amd.projectName)).toEqual([]);
  });

  test("a fresh runtime removes a project it did not start (crash recovery, by compose labels)", async (context) => {
    if (!dockerUp) context.skip(NO_DOCKER);
    const orphan = await stack("cpu");
    await runtime.start(orphan);
    const fresh = new DockerComposeRuntime({ logger: silentLogger, allowLocalImages: true });
    await fresh.stop(orphan.projectName);
    expect(await projectContainers(orphan.projectName)).toEqual([]);
    await runtime.stop(orphan.projectName); // compose down of an already removed project still succeeds
    expect(runtime.running()).toEqual([]);
  });

  test("compose is detected once: v2 plugin when present, else v1 docker-compose", async (context) => {
    if (!dockerUp) context.skip(NO_DOCKER);
    const command = await runtime.composeCommand();
    const v2 = await run("docker", ["compose", "version"]).then(() => true, () => false);
    expect(command).toEqual(v2 ? ["docker", "compose"] : ["docker-compose"]);
    expect(runtime.composeCommand()).toBe(runtime.composeCommand());
  });
});
