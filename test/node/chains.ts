// The dev chains the provider-node tests run against, each as its own process on a free 127.0.0.1 port: Hardhat's
// `hardhat node` (EDR) and Foundry's Anvil, installed from npm (`@foundry-rs/anvil`) into node_modules. Both come
// up mining on every transaction plus an empty block each second, but they are told so differently: Hardhat's
// `evm_setIntervalMining` takes milliseconds and keeps automine, Anvil's takes seconds and turns automine off,
// so Anvil gets `--block-time 1 --mixed-mining` on its command line instead.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";

export type ChainKind = "hardhat" | "anvil";
const ROOT = resolve(import.meta.dirname, "../..");
export const HARDHAT = join(ROOT, "node_modules/.bin/hardhat");
export const ANVIL = join(ROOT, "node_modules/.bin/anvil");

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

export type TestChain = { kind: ChainKind; rpcUrl: string; process: ChildProcess; close: () => Promise<void> };

/** A chain process that did not come up; `output` is the tail of what it printed. */
export class ChainStartError extends Error {
  readonly output: string;
  constructor(kind: ChainKind, reason: string, output: string) {
    super(`${kind} did not start: ${reason}${output ? `\n${output}` : ""}`);
    this.name = "ChainStartError";
    this.output = output;
  }
}

/**
 * Spawns `command` in its own process group and waits until it answers eth_chainId. The group matters for Anvil:
 * node_modules/.bin/anvil is a Node wrapper that spawns the real binary, and killing only the wrapper could leave
 * the binary running. The group is killed on close, when startup fails, and (synchronously) if the test process
 * exits without closing it.
 */
async function spawnChain(kind: ChainKind, command: string, args: string[], port: number): Promise<TestChain> {
  const child = spawn(command, args, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const onExit = () => killGroup("SIGKILL");
  process.once("exit", onExit);
  const close = async () => {
    process.off("exit", onExit);
    killGroup("SIGTERM");
    const timer = setTimeout(() => killGroup("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const rpcUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      await close();
      throw new ChainStartError(kind, `exited with code ${child.exitCode}`, output);
    }
    try {
      await rpc(rpcUrl, "eth_chainId");
      break;
    } catch {
      if (Date.now() > deadline) {
        await close();
        throw new ChainStartError(kind, `no answer at ${rpcUrl} within 90 s`, output);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { kind, rpcUrl, process: child, close };
}

/** A fresh chain of `kind` (chain id 31337, the dev mnemonic), automining plus one block per second. */
export async function startChain(kind: ChainKind): Promise<TestChain> {
  const port = await freePort();
  if (kind === "anvil") {
    if (!existsSync(ANVIL)) throw new ChainStartError(kind, `${ANVIL} is missing (npm install brings @foundry-rs/anvil)`, "");
    return spawnChain(kind, ANVIL, ["--host", "127.0.0.1", "--port", String(port), "--block-time", "1", "--mixed-mining"], port);
  }
  const chain = await spawnChain(kind, HARDHAT, ["node", "--hostname", "127.0.0.1", "--port", String(port)], port);
  try {
    // Automine alone leaves the chain's clock frozen between transactions; a live chain makes a block every few
    // seconds, and time-based rules (lapses) are judged by block time.
    await rpc(chain.rpcUrl, "evm_setIntervalMining", [1_000]);
  } catch (error) {
    await chain.close();
    throw error;
  }
  return chain;
}
