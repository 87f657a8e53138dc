import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { startIpfsDevNode, type StartIpfsDevNodeParameters, type StartIpfsDevNodeReturnType } from "../../src/ipfs-dev-node/index.ts";

/** Deterministic pseudo-random bytes (xorshift32): the same content on every machine. */
export function pseudoRandomBytes(size: number, seed = 0x9e3779b9): Uint8Array<ArrayBuffer> {
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  return new Uint8Array(words.buffer, 0, size);
}

export async function makeTempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `gpu-nexus-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A dev node in a fresh temporary folder; `stop` closes it and removes the folder. */
export async function startTempNode(
  options: Omit<StartIpfsDevNodeParameters, "dir"> = {},
): Promise<StartIpfsDevNodeReturnType & { dir: string; stop: () => Promise<void> }> {
  const dir = await makeTempDir("ipfs");
  const node = await startIpfsDevNode({ ...options, dir: dir.path });
  return {
    ...node,
    dir: dir.path,
    stop: async () => {
      await node.close();
      await dir.remove();
    },
  };
}

/** Absolute path of Debian's `ipfs_cid` (package ipfs-cid), or undefined when it is not installed. */
export function findIpfsCid(): string | undefined {
  for (const dir of [...(process.env.PATH ?? "").split(delimiter), "/usr/bin"]) {
    if (dir === "") continue;
    const candidate = join(dir, "ipfs_cid");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The CIDv0 the independent `ipfs_cid` tool computes for a file (it prints `{"CIDv0": …, "CIDv1": …}`). */
export function ipfsCidOf(tool: string, file: string): string {
  const out = execFileSync(tool, [file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const parsed = JSON.parse(out) as { CIDv0?: unknown };
  if (typeof parsed.CIDv0 !== "string") throw new Error(`unexpected ipfs_cid output: ${out}`);
  return parsed.CIDv0;
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export async function concat(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Uint8Array.from(Buffer.concat(parts));
}

/** A throwaway HTTP server for misbehaving gateways and web hosts; records request headers. */
export async function startFakeServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; requests: IncomingMessage["headers"][]; close: () => Promise<void> }> {
  const requests: IncomingMessage["headers"][] = [];
  const server = createServer((req, res) => {
    requests.push(req.headers);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port that was just free: nothing listens on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
