// The SDK refuses content that is not what was committed to, and says why with a typed error.
import { create } from "kubo-rpc-client";
import { BaseError } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { NexusError } from "../../src/sdk/errors/base.ts";
import {
  CidMismatchError,
  computeCid,
  ContentHashMismatchError,
  ContentTooLargeError,
  createIpfs,
  fetchBytes,
  fetchJson,
  InvalidDocumentError,
  IpfsRequestError,
  sha256Hex,
  taskConfigSchema,
  UnsupportedUriError,
  uploadJson,
  type IpfsClient,
} from "../../src/sdk/ipfs/index.ts";
import { closedPort, pseudoRandomBytes, startFakeServer, startTempNode } from "./helpers.ts";

const text = (s: string) => new TextEncoder().encode(s);
const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe("SDK upload and verified fetch against the dev node", () => {
  let node: Awaited<ReturnType<typeof startTempNode>>;
  let ipfs: IpfsClient;
  let rpcOnly: IpfsClient;
  beforeAll(async () => {
    node = await startTempNode();
    ipfs = createIpfs({ rpcUrl: node.rpcUrl, gatewayUrl: node.gatewayUrl });
    rpcOnly = createIpfs({ rpcUrl: node.rpcUrl });
  });
  afterAll(() => node?.stop());

  it("uploads JSON deterministically and hashes exactly the uploaded bytes", async () => {
    const a = await uploadJson(ipfs, { function_name: "render", data: { z: 1, a: [true, null] } });
    const b = await ipfs.uploadJson({ data: { a: [true, null], z: 1 }, function_name: "render" });
    expect(b).toEqual(a);
    for (const client of [ipfs, rpcOnly]) {
      const fetched = await fetchBytes(client, a.uri);
      expect(new TextDecoder().decode(fetched.bytes)).toBe('{"data":{"a":[true,null],"z":1},"function_name":"render"}');
      expect(fetched.sha256).toBe(a.sha256);
      expect(sha256Hex(fetched.bytes)).toBe(a.sha256);
      const config = await fetchJson(client, a.uri, { sha256: a.sha256, schema: taskConfigSchema });
      expect(config).toEqual({ function_name: "render", data: { a: [true, null], z: 1 } });
    }
    await expect(ipfs.uploadJson({ n: Number.NaN })).rejects.toBeInstanceOf(InvalidDocumentError);
    await expect(ipfs.uploadJson({ n: 1n })).rejects.toBeInstanceOf(InvalidDocumentError);
  });

  it("refuses content whose sha256 differs from the commitment", async () => {
    const up = await ipfs.uploadBytes(text("the real config"));
    const wrong = sha256Hex(text("another config"));
    const error = await rejection(ipfs.fetchBytes(up.uri, { sha256: wrong }));
    expect(error).toBeInstanceOf(ContentHashMismatchError);
    expect(error).toMatchObject({ uri: up.uri, expected: wrong, actual: up.sha256 });
    expect(error).toBeInstanceOf(NexusError);
    expect(error).toBeInstanceOf(BaseError);
    // An upper-case commitment is the same commitment.
    expect((await ipfs.fetchBytes(up.uri, { sha256: up.sha256.toUpperCase().replace("0X", "0x") as `0x${string}` })).cid).toBe(up.cid);
  });

  it("refuses content over maxBytes through the gateway and through the RPC", async () => {
    const up = await ipfs.uploadBytes(pseudoRandomBytes(10_000, 1));
    for (const via of ["gateway", "rpc"] as const) {
      const error = await rejection(ipfs.fetchBytes(up.uri, { maxBytes: 9_999, via }));
      expect(error, via).toBeInstanceOf(ContentTooLargeError);
      expect(error).toMatchObject({ uri: up.uri, maxBytes: 9_999 });
    }
    expect((await ipfs.fetchBytes(up.uri, { maxBytes: 10_000, via: "rpc" })).bytes.length).toBe(10_000);
    // fetchJson's own default limit is 4 MiB.
    const big = await ipfs.uploadJson({ function_name: "f", data: "x".repeat(4 * 1024 * 1024) });
    await expect(ipfs.fetchJson(big.uri, { sha256: big.sha256, schema: taskConfigSchema })).rejects.toBeInstanceOf(ContentTooLargeError);
  });

  it("refuses invalid JSON, invalid UTF-8 and schema violations", async () => {
    const notJson = await ipfs.uploadBytes(text("{not json"));
    const badUtf8 = await ipfs.uploadBytes(new Uint8Array([0x7b, 0xff, 0x7d]));
    const noName = await ipfs.uploadJson({ data: {} });
    const badName = await ipfs.uploadJson({ function_name: "../admin", data: 1 });
    const cases = [
      [notJson, "json"],
      [badUtf8, "encoding"],
      [noName, "schema"],
      [badName, "schema"],
    ] as const;
    for (const [doc, reason] of cases) {
      const error = await rejection(ipfs.fetchJson(doc.uri, { sha256: doc.sha256, schema: taskConfigSchema }));
      expect(error, reason).toBeInstanceOf(InvalidDocumentError);
      expect(error).toMatchObject({ uri: doc.uri, reason });
    }
    const error = await rejection(ipfs.fetchJson(noName.uri, { sha256: null, schema: taskConfigSchema }));
    expect((error as InvalidDocumentError).issues.map((i) => i.path.join("."))).toEqual(["function_name"]);
  });

  it("verifies CIDv1 content too (raw single block and dag-pb with raw leaves)", async () => {
    for (const size of [100, 600_000]) {
      const bytes = pseudoRandomBytes(size, size);
      // Added by kubo-rpc-client (a real Kubo client), with options the SDK's own upload never uses.
      const { cid } = await create({ url: node.rpcUrl }).add(bytes, { cidVersion: 1 });
      expect(cid.version).toBe(1);
      const fetched = await ipfs.fetchBytes(`ipfs://${cid}`, { sha256: sha256Hex(bytes), maxBytes: size });
      expect(fetched.cid).toBe(cid.toString());
    }
  });

  it("refuses node and gateway addresses that are not http(s) URLs", () => {
    expect(() => createIpfs({ rpcUrl: "/ip4/127.0.0.1/tcp/5001" })).toThrow(UnsupportedUriError);
    expect(() => createIpfs({ rpcUrl: node.rpcUrl, gatewayUrl: "ipfs.io" })).toThrow(UnsupportedUriError);
    expect(createIpfs({ rpcUrl: `${node.rpcUrl}/` }).rpcApiUrl).toBe(`${node.rpcUrl}/api/v0`);
  });

  it("refuses URIs it cannot verify", async () => {
    const up = await ipfs.uploadBytes(text("x"));
    for (const uri of [`ipfs://${up.cid}/file.json`, "ipfs://not-a-cid", "ftp://example.com/x", "http://example.com/x", "relative/path"]) {
      expect(await rejection(ipfs.fetchBytes(uri, { sha256: up.sha256 })), uri).toBeInstanceOf(UnsupportedUriError);
    }
    // https content is not content-addressed: without a commitment nothing would verify it.
    expect(await rejection(ipfs.fetchBytes("https://example.com/compose.yml"))).toBeInstanceOf(UnsupportedUriError);
  });

  it("reports an unknown CID on the RPC as a non-retryable request error", async () => {
    const missing = "ipfs://QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH";
    const rpcError = await rejection(rpcOnly.fetchBytes(missing));
    expect(rpcError).toBeInstanceOf(IpfsRequestError);
    expect(rpcError).toMatchObject({ status: 500, retryable: false });
    const gatewayError = await rejection(ipfs.fetchBytes(missing));
    expect(gatewayError).toMatchObject({ status: 404, retryable: false });
  });
});

describe("SDK against misbehaving or absent servers", () => {
  const good = text('{"function_name":"f","data":1}');
  const evil = text('{"function_name":"f","data":666}');
  let fake: Awaited<ReturnType<typeof startFakeServer>>;
  beforeAll(async () => {
    fake = await startFakeServer((req, res) => {
      const path = req.url ?? "";
      if (path.startsWith("/ipfs/")) {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.end(evil); // a tampering gateway
      } else if (path === "/big") {
        res.writeHead(200); // no content-length: only the streaming limit can stop it
        res.write(new Uint8Array(60_000));
        res.end(new Uint8Array(60_000));
      } else if (path === "/compose.yml") {
        res.writeHead(200, { "content-type": "text/yaml" });
        res.end("services: {}\n");
      } else if (path === "/down") {
        res.writeHead(502);
        res.end();
      } else if (path.startsWith("/api/v0/add")) {
        req.resume();
        // A node with other defaults (CIDv1 raw leaves) answers with a CID we would not verify.
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`${JSON.stringify({ Name: "x", Hash: "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e", Size: "12" })}\n`);
      } else if (path.startsWith("/slow")) {
        // never answers
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  afterAll(() => fake?.close());

  it("refuses bytes from a gateway that do not hash to the CID", async () => {
    const cid = (await computeCid(good)).toString();
    const ipfs = createIpfs({ rpcUrl: fake.url, gatewayUrl: fake.url });
    const error = await rejection(ipfs.fetchJson(`ipfs://${cid}`, { sha256: null, schema: taskConfigSchema }));
    expect(error).toBeInstanceOf(CidMismatchError);
    expect(error).toMatchObject({ uri: `ipfs://${cid}`, expected: cid, actual: (await computeCid(evil)).toString() });
  });

  it("refuses an upload when the node stores it under another CID", async () => {
    const ipfs = createIpfs({ rpcUrl: fake.url });
    const error = await rejection(ipfs.uploadBytes(text("hello world\n")));
    expect(error).toBeInstanceOf(CidMismatchError);
    expect(error).toMatchObject({ expected: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o" });
  });

  it("fetches web URIs only against a sha256, with a streaming size limit, and never sends the node's headers", async () => {
    const ipfs = createIpfs({ rpcUrl: fake.url, gatewayUrl: fake.url, headers: { authorization: "Bearer secret" } });
    const compose = text("services: {}\n");
    const got = await ipfs.fetchBytes(`${fake.url}/compose.yml`, { sha256: sha256Hex(compose) });
    expect(got).toEqual({ bytes: compose, sha256: sha256Hex(compose), cid: undefined });
    expect(fake.requests.at(-1)?.authorization).toBeUndefined();
    await expect(ipfs.fetchBytes(`${fake.url}/compose.yml`, { sha256: sha256Hex(text("other")) })).rejects.toBeInstanceOf(ContentHashMismatchError);
    const big = await rejection(ipfs.fetchBytes(`${fake.url}/big`, { sha256: sha256Hex(good), maxBytes: 100_000 }));
    expect(big).toBeInstanceOf(ContentTooLargeError);
    expect(big).toMatchObject({ maxBytes: 100_000, declaredSize: undefined });
    // The gateway, configured by the user, does get them.
    await rejection(ipfs.fetchBytes("ipfs://QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"));
    expect(fake.requests.at(-1)?.authorization).toBe("Bearer secret");
  });

  it("marks network failures, timeouts and 5xx as retryable, 4xx as not", async () => {
    const port = await closedPort();
    const down = createIpfs({ rpcUrl: `http://127.0.0.1:${port}`, gatewayUrl: `http://127.0.0.1:${port}` });
    const uri = "ipfs://QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";
    const attempts = [() => down.uploadJson({ a: 1 }), () => down.fetchBytes(uri), () => down.fetchBytes(uri, { via: "rpc" })];
    for (const attempt of attempts) {
      const error = await rejection(attempt());
      expect(error).toBeInstanceOf(IpfsRequestError);
      expect(error).toMatchObject({ status: undefined, retryable: true });
      expect((error as IpfsRequestError).reason).toMatch(/ECONNREFUSED/);
    }
    const ipfs = createIpfs({ rpcUrl: `${fake.url}/slow`, timeoutMs: 300 });
    const sha256 = sha256Hex(good);
    expect(await rejection(ipfs.fetchBytes(`${fake.url}/slow`, { sha256 }))).toMatchObject({ retryable: true, status: undefined });
    const rpcTimeout = await rejection(ipfs.fetchBytes(uri, { via: "rpc" }));
    expect(rpcTimeout).toBeInstanceOf(IpfsRequestError);
    expect(rpcTimeout).toMatchObject({ retryable: true, reason: "request timed out", url: `${fake.url}/slow/cat?arg=${uri.slice(7)}` });
    // A per-call timeout overrides the client's.
    const started = Date.now();
    await rejection(ipfs.uploadBytes(text("x"), { timeoutMs: 1_000 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await rejection(ipfs.fetchBytes(`${fake.url}/down`, { sha256 }))).toMatchObject({ status: 502, retryable: true });
    expect(await rejection(ipfs.fetchBytes(`${fake.url}/missing`, { sha256 }))).toMatchObject({ status: 404, retryable: false });
  });

  it("lets a caller's abort propagate as an abort, not as a request error", async () => {
    const ipfs = createIpfs({ rpcUrl: fake.url });
    const controller = new AbortController();
    const pending = rejection(ipfs.fetchBytes(`${fake.url}/slow`, { sha256: sha256Hex(good), signal: controller.signal }));
    controller.abort();
    const error = await pending;
    expect(error).not.toBeInstanceOf(IpfsRequestError);
    expect((error as Error).name).toBe("AbortError");
  });

  it("validates with any zod schema the caller gives", async () => {
    const node = await startTempNode();
    try {
      const ipfs = createIpfs({ rpcUrl: node.rpcUrl });
      const doc = await ipfs.uploadJson({ count: 3 });
      const schema = z.object({ count: z.number().int() });
      const value: { count: number } = await ipfs.fetchJson(doc.uri, { sha256: doc.sha256, schema });
      expect(value).toEqual({ count: 3 });
      await expect(ipfs.fetchJson(doc.uri, { sha256: doc.sha256, schema: z.object({ count: z.string() }) })).rejects.toBeInstanceOf(InvalidDocumentError);
    } finally {
      await node.stop();
    }
  });
});
