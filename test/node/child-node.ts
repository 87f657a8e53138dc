// The provider node as an operator runs it: a child process (`node src/node/main.ts --config <file>`, or the CLI's
// `gpunexus provider start`) with the key in its environment, a config file on disk, and its state directory read
// back from outside. Used by the restart and SIGKILL fault tests.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Address } from "viem";
import type { TaskRecord } from "../../src/node/state.ts";
import { MATMUL_ENTRY, ROOT, waitUntil, type World } from "./node-fixture.ts";

const run = promisify(execFile);

export type StateFile = { cursor?: { blockNumber: string }; tasks: Record<string, TaskRecord> };

export async function readState(stateDir: string): Promise<StateFile | undefined> {
  try {
    return JSON.parse(await readFile(join(stateDir, "state.json"), "utf8")) as StateFile;
  } catch {
    return undefined; // not written yet, or mid-rename
  }
}

export const recordIn = async (stateDir: string, task: Address): Promise<TaskRecord | undefined> => (await readState(stateDir))?.tasks[task];
export const phaseIn = async (stateDir: string, task: Address) => (await recordIn(stateDir, task))?.phase;

/** Writes a node config file for a child process; returns its path. */
export async function writeConfig(world: World, name: string, stateDir: string, extra: Record<string, unknown> = {}): Promise<string> {
  const base = world.nodeConfig({ stateDir });
  const file = join(world.scratch, `${name}.json`);
  await writeFile(
    file,
    JSON.stringify({
      rpcUrl: base.rpcUrl,
      nexus: base.nexus,
      ipfs: base.ipfs,
      runtime: "local-process",
      localProcess: { entries: { "*": MATMUL_ENTRY } },
      stateDir,
      pollingIntervalMs: 100,
      minTimeToDeadlineMs: 5_000,
      submitMarginMs: 2_000,
      metrics: { enabled: false },
      retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 },
      logLevel: "info",
      ...extra,
    }),
  );
  return file;
}

export type SpawnedNode = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** Children spawned by a test file, so afterAll can SIGKILL whatever is still running (by pid). */
export class NodeProcesses {
  readonly #children: ChildProcess[] = [];

  /**
   * Starts the node with `key` in GPU_NEXUS_PROVIDER_KEY, as `node src/node/main.ts --config <file>` or, with
   * `via: "cli"`, as `node src/cli/main.ts provider start --config <file>`.
   */
  spawn(configFile: string, key: string, options: { via?: "node" | "cli" } = {}): SpawnedNode {
    const args =
      options.via === "cli" ? [join(ROOT, "src/cli/main.ts"), "provider", "start", "--config", configFile] : [join(ROOT, "src/node/main.ts"), "--config", configFile];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", GPU_NEXUS_PROVIDER_KEY: key },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#children.push(child);
    let out = "";
    child.stdout?.on("data", (c: Buffer) => (out = (out + c.toString()).slice(-40_000)));
    child.stderr?.on("data", (c: Buffer) => (out = (out + c.toString()).slice(-40_000)));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { child, output: () => out, exited };
  }

  killAll(): void {
    for (const child of this.#children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

/** Pids of the direct children of `pid` (a node's handler processes). */
export async function childPids(pid: number): Promise<number[]> {
  const { stdout } = await run("ps", ["-o", "pid=", "--ppid", String(pid)]).catch(() => ({ stdout: "" }));
  return stdout.split(/\s+/).filter(Boolean).map(Number);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGKILLs a node process; returns the pids of its handler processes as they were. With `reapHandlers` the test
 * kills those too (by id); without, the handlers must notice on their own that their parent is gone.
 */
export async function kill9(child: ChildProcess, options: { reapHandlers?: boolean } = {}): Promise<number[]> {
  const handlers = await childPids(child.pid ?? 0);
  child.kill("SIGKILL");
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once("exit", r));
  if (options.reapHandlers) for (const pid of handlers) if (alive(pid)) process.kill(pid, "SIGKILL");
  return handlers;
}

/** Waits until every pid in `pids` has exited (they are not ours to kill). */
export function waitGone(pids: readonly number[], timeoutMs = 20_000): Promise<true> {
  return waitUntil(`processes ${pids.join(", ")} to exit`, () => pids.every((pid) => !alive(pid)), timeoutMs, 200);
}

/** Fails with the node's output attached, so a red test says what the node was doing. */
export function withOutput<T>(promise: Promise<T>, node: SpawnedNode): Promise<T> {
  return promise.catch((error: unknown) => {
    throw new Error(`${String(error)}\n--- node output ---\n${node.output().slice(-15_000)}`);
  });
}
