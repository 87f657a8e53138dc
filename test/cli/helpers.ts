// Shared by the CLI tests: a `hardhat node` on a free port, the embedded IPFS node, and an in-process runner
// for the CLI that captures stdout / stderr.
import { spawn, type ChildProcess } from "node:child_process";
import { access } from "node:fs/promises";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import type { CliContext } from "../../src/cli/command.ts";
import { configFromEnv } from "../../src/cli/config.ts";
import { run } from "../../src/cli/run.ts";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Hardhat's default accounts (mnemonic "test test … junk"). */
export const KEYS = {
  deployer: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  client: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  master: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  provider: "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  master2: "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  provider2: "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
} as const;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

/** Starts `hardhat node` (needs `hardhat build` artifacts, checked first); `stop` kills it by its pid. */
export async function startHardhatNode(): Promise<{ url: string; stop: () => Promise<void> }> {
  await access(`${repoRoot}artifacts/contracts/Nexus.sol/Nexus.json`).catch(() => {
    throw new Error("contract artifacts missing: run `npm run build` (hardhat build) first");
  });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    `${repoRoot}node_modules/.bin/hardhat`,
    ["--config", "test/cli/hardhat-node.config.ts", "node", "--network", "cliTest", "--hostname", "127.0.0.1", "--port", String(port)],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PATH: `${repoRoot}node_modules/.bin:${process.env.PATH ?? ""}` } },
  );
  let output = "";
  child.stdout?.on("data", (d: Buffer) => void (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on("data", (d: Buffer) => void (output = (output + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited early:\n${output}`);
    try {
      await rpc(url, "eth_chainId");
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`hardhat node did not start:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null && child.pid !== undefined) {
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
    },
  };
}

export type CliRun = { code: number; stdout: string; stderr: string; json: <T = Record<string, unknown>>() => T };

/** An in-process CLI bound to one home folder, RPC and IPFS node; `key` picks the signer per call. */
export function makeCli(base: { home: string; rpcUrl: string; ipfsRpc: string }) {
  return async (args: string[], options: { key?: string | undefined; env?: Record<string, string>; signal?: AbortSignal } = {}): Promise<CliRun> => {
    let stdout = "";
    let stderr = "";
    const env: Record<string, string | undefined> = {
      GPU_NEXUS_HOME: base.home,
      GPU_NEXUS_RPC_URL: base.rpcUrl,
      GPU_NEXUS_IPFS_RPC: base.ipfsRpc,
      GPU_NEXUS_POLLING_INTERVAL_MS: "100",
      GPU_NEXUS_PRIVATE_KEY: options.key,
      ...options.env,
    };
    const ctx: CliContext = {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      config: configFromEnv(env, base.home),
      env,
      signal: options.signal,
    };
    const code = await run(args, ctx);
    return {
      code,
      stdout,
      stderr,
      json: <T,>() => {
        try {
          return JSON.parse(stdout) as T;
        } catch {
          throw new Error(`stdout is not one JSON document (exit ${code}):\n${stdout}\nstderr:\n${stderr}`);
        }
      },
    };
  };
}

/** The same context shape, for calling command functions (or scripts) directly. */
export function makeContext(base: { home: string; rpcUrl: string; ipfsRpc: string }, key: string | undefined): { ctx: CliContext; out: () => string; err: () => string } {
  let stdout = "";
  let stderr = "";
  const env = { GPU_NEXUS_HOME: base.home, GPU_NEXUS_RPC_URL: base.rpcUrl, GPU_NEXUS_IPFS_RPC: base.ipfsRpc, GPU_NEXUS_POLLING_INTERVAL_MS: "100", GPU_NEXUS_PRIVATE_KEY: key };
  return {
    ctx: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, config: configFromEnv(env, base.home), env },
    out: () => stdout,
    err: () => stderr,
  };
}

/** A YAML source spec with one CPU compose file next to it. */
export const sourceSpec = (name: string, deliveryMethod: string) => `
name: ${name}
description: CLI test source
compose:
  cpu: ./compose.cpu.yml
params:
  deliveryMethod: ${deliveryMethod}
  minPayment: "0.01"
  minAvailableLockup: "1"
  lapsePenalty: "0.1"
  maxExpiryDuration: 1d
  attemptTimeout: 10m
  maxConcurrentAttempts: 2
  reviewWindow: ${deliveryMethod === "MANUAL_CONFIRMATION" ? "1h" : "0"}
`;
