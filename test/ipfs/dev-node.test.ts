import { create, type KuboRPCClient } from "kubo-rpc-client";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIpfsDevNode } from "../../src/ipfs-dev-node/index.ts";
import { computeCid, createIpfs, IpfsRequestError } from "../../src/sdk/ipfs/index.ts";
import { collect, concat, makeTempDir, pseudoRandomBytes, startTempNode } from "./helpers.ts";

const text = (s: string) => new TextEncoder().encode(s);
const pinned = async (kubo: KuboRPCClient) => (await collect(kubo.pin.ls())).map((p) => `${p.cid}:${p.type}`);

/** A raw multipart add, to see exactly what the node answers. */
async function rawAdd(rpcUrl: string, query: string, bytes: Uint8Array<ArrayBuffer>): Promise<Response> {
  const form = new FormData();
  form.append("file", new Blob([bytes]), "");
  return fetch(`${rpcUrl}/api/v0/add?${query}`, { method: "POST", body: form });
}

describe("ipfs dev node: Kubo RPC through kubo-rpc-client", () => {
  let node: Awaited<ReturnType<typeof startTempNode>>;
  let kubo: KuboRPCClient;
  beforeAll(async () => {
    node = await startTempNode();
    kubo = create({ url: node.rpcUrl });
  });
  afterAll(() => node?.stop());

  it("add → cat (whole, offset/length) → pin ls → pin rm → pin add", async () => {
    const bytes = pseudoRandomBytes(300_000, 7);
    const { cid, size } = await kubo.add(bytes);
    expect(cid.toString()).toBe((await computeCid(bytes)).toString());
    expect(size).toBeGreaterThan(bytes.length); // cumulative DAG size, as Kubo reports
    expect(await concat(kubo.cat(cid))).toEqual(bytes);
    expect(await concat(kubo.cat(cid, { offset: 262_000, length: 500 }))).toEqual(bytes.slice(262_000, 262_500));
    expect(await concat(kubo.cat(cid, { offset: 400_000 }))).toEqual(new Uint8Array(0));

    expect(await pinned(kubo)).toContain(`${cid}:recursive`);
    expect((await kubo.pin.rm(cid)).toString()).toBe(cid.toString());
    expect(await pinned(kubo)).not.toContain(`${cid}:recursive`);
    // Unpinned content is still readable (the dev node never garbage-collects).
    expect(await concat(kubo.cat(cid))).toEqual(bytes);
    await kubo.pin.add(cid);
    expect(await pinned(kubo)).toContain(`${cid}:recursive`);
    await expect(kubo.pin.rm(CID.parse("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"))).rejects.toThrow(/not pinned/);
  });

  it("honours pin=false, only-hash, cid-version=1 and chunker=size-N", async () => {
    const unpinned = await kubo.add(text("not pinned"), { pin: false });
    expect(await pinned(kubo)).not.toContain(`${unpinned.cid}:recursive`);

    const hashOnly = await kubo.add(text("only hashed"), { onlyHash: true });
    expect(hashOnly.cid.toString()).toBe((await computeCid(text("only hashed"))).toString());
    await expect(concat(kubo.cat(hashOnly.cid))).rejects.toThrow(/not found/);
    await expect(kubo.pin.add(hashOnly.cid)).rejects.toThrow(/not found/);

    const v1 = await kubo.add(text("hello world\n"), { cidVersion: 1 });
    expect(v1.cid.toString()).toBe(CID.createV1(raw.code, await sha256.digest(text("hello world\n"))).toString());

    const bytes = pseudoRandomBytes(5000, 8);
    const small = await kubo.add(bytes, { chunker: "size-1024" });
    expect(small.cid.toString()).toBe((await computeCid(bytes, { chunkSize: 1024 })).toString());
    expect(small.cid.toString()).not.toBe((await computeCid(bytes)).toString());
    expect(await concat(kubo.cat(small.cid))).toEqual(bytes);
  });

  it("refuses unsupported add options with Kubo's JSON error and HTTP 500", async () => {
    for (const query of ["trickle=true", "chunker=rabin", "hash=sha2-512", "wrap-with-directory=true", "cid-version=2", "pin=maybe"]) {
      const res = await rawAdd(node.rpcUrl, query, text("x"));
      expect(res.status, query).toBe(500);
      expect(res.headers.get("content-type")).toBe("application/json");
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ Code: 0, Type: "error" });
      expect(typeof body.Message).toBe("string");
    }
    await expect(kubo.add(text("x"), { trickle: true })).rejects.toThrow(/trickle/);
  });

  it("answers id, version and block/stat", async () => {
    const id = await kubo.id();
    expect(id.id.toString()).toMatch(/^12D3KooW/);
    expect((await kubo.version()).version).toMatch(/gpu-nexus-dev/);
    const { cid } = await kubo.add(text("hello world\n"));
    expect(await kubo.block.stat(cid)).toEqual({ cid, size: 20 });
  });

  it("only accepts POST on the RPC API, 404s unknown commands and refuses foreign browser origins", async () => {
    expect((await fetch(`${node.rpcUrl}/api/v0/version`)).status).toBe(405);
    expect((await fetch(`${node.rpcUrl}/api/v0/nope`, { method: "POST" })).status).toBe(404);
    const foreign = await fetch(`${node.rpcUrl}/api/v0/version`, { method: "POST", headers: { origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
  });
});

describe("ipfs dev node: gateway, limits, CORS", () => {
  let node: Awaited<ReturnType<typeof startTempNode>>;
  beforeAll(async () => {
    node = await startTempNode({ maxAddBytes: 4096, rpcCorsOrigins: ["http://localhost:5173"] });
  });
  afterAll(() => node?.stop());

  it("serves stored files with their length, 404s unknown CIDs, 400s bad ones and refuses writes", async () => {
    const bytes = pseudoRandomBytes(3000, 9);
    const { cid } = await create({ url: node.rpcUrl }).add(bytes);
    const get = await fetch(`${node.gatewayUrl}/ipfs/${cid}`);
    expect(get.status).toBe(200);
    expect(get.headers.get("content-length")).toBe("3000");
    expect(get.headers.get("access-control-allow-origin")).toBe("*");
    expect(new Uint8Array(await get.arrayBuffer())).toEqual(bytes);

    const head = await fetch(`${node.gatewayUrl}/ipfs/${cid}`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("3000");

    const unknown = await computeCid(text("never added"));
    expect((await fetch(`${node.gatewayUrl}/ipfs/${unknown}`)).status).toBe(404);
    expect((await fetch(`${node.gatewayUrl}/ipfs/not-a-cid`)).status).toBe(400);
    const post = await fetch(`${node.gatewayUrl}/ipfs/${cid}`, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
  });

  it("refuses an add larger than the body limit with 413 (not retryable) and keeps serving", async () => {
    const ipfs = createIpfs({ rpcUrl: node.rpcUrl });
    const error = await ipfs.uploadBytes(pseudoRandomBytes(20_000, 10)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpfsRequestError);
    expect(error).toMatchObject({ status: 413, retryable: false });
    expect((await ipfs.uploadBytes(text("small"))).size).toBe(5);
  });

  it("lets an allowed browser origin call the RPC API", async () => {
    const res = await fetch(`${node.rpcUrl}/api/v0/version`, { method: "POST", headers: { origin: "http://localhost:5173" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
  });
});

describe("ipfs dev node: persistence", () => {
  it("keeps content, pins and identity across a restart on the same folder", async () => {
    const dir = await makeTempDir("persist");
    try {
      const first = await startIpfsDevNode({ dir: dir.path });
      let kubo = create({ url: first.rpcUrl });
      const kept = await kubo.add(pseudoRandomBytes(600_000, 11));
      const loose = await kubo.add(text("loose"), { pin: false });
      const peer = (await kubo.id()).id.toString();
      await first.close();
      await first.close(); // idempotent

      const second = await startIpfsDevNode({ dir: dir.path });
      try {
        kubo = create({ url: second.rpcUrl });
        expect(await concat(kubo.cat(kept.cid))).toEqual(pseudoRandomBytes(600_000, 11));
        expect(await concat(kubo.cat(loose.cid))).toEqual(text("loose"));
        const pins = await pinned(kubo);
        expect(pins).toContain(`${kept.cid}:recursive`);
        expect(pins).not.toContain(`${loose.cid}:recursive`);
        expect((await kubo.id()).id.toString()).toBe(peer);
        const gateway = await fetch(`${second.gatewayUrl}/ipfs/${kept.cid}`);
        expect(gateway.headers.get("content-length")).toBe("600000");
      } finally {
        await second.close();
      }
    } finally {
      await dir.remove();
    }
  });
});
