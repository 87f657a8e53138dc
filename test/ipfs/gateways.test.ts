// Reading ipfs:// content through a list of gateways: one that is down, slow, missing the content or tampering
// is passed over for the next; when all fail the error says so for each; the client's headers never reach a
// public fallback. Against the dev node and throwaway misbehaving servers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CidMismatchError, createIpfs, IpfsRequestError, sha256Hex, taskConfigSchema, UnsupportedUriError, type IpfsClient } from "../../src/sdk/ipfs/index.ts";
import { closedPort, startFakeServer, startTempNode } from "./helpers.ts";

const text = (s: string) => new TextEncoder().encode(s);
const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe("gateway fallback", () => {
  let node: Awaited<ReturnType<typeof startTempNode>>;
  let fakes: Record<"missing" | "tampering" | "slow", Awaited<ReturnType<typeof startFakeServer>>>;
  let down: string;
  let uri: string;
  const doc = text('{"function_name":"f","data":"through the fallback"}');
  beforeAll(async () => {
    node = await startTempNode();
    uri = (await createIpfs({ rpcUrl: node.rpcUrl }).uploadBytes(doc)).uri;
    down = `http://127.0.0.1:${await closedPort()}`;
    fakes = {
      missing: await startFakeServer((_req, res) => {
        res.writeHead(404);
        res.end();
      }),
      tampering: await startFakeServer((_req, res) => {
        res.writeHead(200);
        res.end(text('{"function_name":"f","data":"evil"}'));
      }),
      slow: await startFakeServer(() => undefined), // never answers
    };
  });
  afterAll(async () => {
    await Promise.all(Object.values(fakes ?? {}).map((f) => f.close()));
    await node?.stop();
  });

  const through = (gateways: string[], extra: { timeoutMs?: number; headers?: Record<string, string> } = {}): IpfsClient =>
    createIpfs({ rpcUrl: node.rpcUrl, gatewayUrl: gateways[0], gatewayUrls: gateways.slice(1), ...extra });

  it("passes over a gateway that is down, lacks the content or serves bytes that fail the CID check", async () => {
    for (const first of [() => down, () => fakes.missing.url, () => fakes.tampering.url]) {
      const ipfs = through([first(), fakes.missing.url, node.gatewayUrl]);
      const fetched = await ipfs.fetchBytes(uri, { sha256: sha256Hex(doc) });
      expect(fetched.bytes).toEqual(doc);
      expect(await ipfs.fetchJson(uri, { sha256: sha256Hex(doc), schema: taskConfigSchema })).toEqual({ function_name: "f", data: "through the fallback" });
    }
  });

  it("gives each gateway its own timeout, so a hanging one does not use up the others' time", async () => {
    const ipfs = through([fakes.slow.url, node.gatewayUrl], { timeoutMs: 300 });
    const started = Date.now();
    expect((await ipfs.fetchBytes(uri)).bytes).toEqual(doc);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("when every gateway fails, lists each failure; all answering 404 keeps the status", async () => {
    const missing = "ipfs://QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH";
    const notFound = await rejection(through([fakes.missing.url, node.gatewayUrl]).fetchBytes(missing));
    expect(notFound).toBeInstanceOf(IpfsRequestError);
    expect(notFound).toMatchObject({ status: 404, retryable: false });
    expect((notFound as IpfsRequestError).reason).toMatch(/^all 2 gateways failed: .*HTTP 404.*HTTP 404/);

    const mixed = await rejection(through([down, node.gatewayUrl]).fetchBytes(missing));
    expect(mixed).toBeInstanceOf(IpfsRequestError);
    // The one that is down may answer later: the whole read may too.
    expect(mixed).toMatchObject({ status: undefined, retryable: true });
    expect((mixed as IpfsRequestError).reason).toMatch(/ECONNREFUSED.*HTTP 404/);

    // A single gateway's failure is thrown as it is.
    expect(await rejection(through([fakes.tampering.url]).fetchBytes(uri))).toBeInstanceOf(CidMismatchError);
    expect(await rejection(through([fakes.tampering.url, fakes.tampering.url]).fetchBytes(uri))).toBeInstanceOf(CidMismatchError);
  });

  it("sends the client's headers to its own gateway and node only, never to a public fallback", async () => {
    const ipfs = createIpfs({ rpcUrl: node.rpcUrl, gatewayUrl: fakes.missing.url, gatewayUrls: [fakes.tampering.url, node.gatewayUrl], headers: { authorization: "Bearer secret" } });
    await ipfs.fetchBytes(uri);
    expect(fakes.missing.requests.at(-1)?.authorization).toBe("Bearer secret");
    expect(fakes.tampering.requests.at(-1)?.authorization).toBeUndefined();
  });

  it("checks every gateway address when the client is created", () => {
    expect(() => createIpfs({ rpcUrl: node.rpcUrl, gatewayUrls: [node.gatewayUrl, "ipfs.io"] })).toThrow(UnsupportedUriError);
    expect(createIpfs({ rpcUrl: node.rpcUrl, gatewayUrls: [`${node.gatewayUrl}/`] })).toMatchObject({ gatewayUrl: undefined, gatewayUrls: [node.gatewayUrl] });
  });
});
