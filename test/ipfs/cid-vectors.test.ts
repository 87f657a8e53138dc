// CIDs must equal those of an independent implementation of Kubo's defaults (Debian's ipfs_cid),
// both from the dev node's `add` and from the SDK's in-memory computation.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { create, type KuboRPCClient } from "kubo-rpc-client";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { computeCid, createIpfs, sha256Hex, type IpfsClient } from "../../src/sdk/ipfs/index.ts";
import { concat, findIpfsCid, ipfsCidOf, makeTempDir, pseudoRandomBytes, startTempNode } from "./helpers.ts";

const CHUNK = 262_144;
const vectors: { name: string; bytes: () => Uint8Array }[] = [
  { name: "0 bytes", bytes: () => new Uint8Array(0) },
  { name: "12 bytes (hello world\\n)", bytes: () => new TextEncoder().encode("hello world\n") },
  { name: "1 KiB", bytes: () => pseudoRandomBytes(1024, 1) },
  { name: "exactly one chunk (262144)", bytes: () => pseudoRandomBytes(CHUNK, 2) },
  { name: "one chunk + 1 byte (262145)", bytes: () => pseudoRandomBytes(CHUNK + 1, 3) },
  { name: "~1 MiB (1048583)", bytes: () => pseudoRandomBytes(1_048_583, 4) },
];
// 175 leaves: more than one node's 174 links, so the balanced DAG gets a second level.
const deepSize = 174 * CHUNK + 1;

const ipfsCid = findIpfsCid();

/** Fails in CI (which installs ipfs-cid) and skips with the reason elsewhere. */
function requireIpfsCid(ctx: TestContext): string {
  if (ipfsCid !== undefined) return ipfsCid;
  if (process.env.CI !== undefined) {
    throw new Error("ipfs_cid is not installed: CI must run `apt-get install -y ipfs-cid` (Debian) before the tests");
  }
  return ctx.skip("ipfs_cid is not installed (apt-get install -y ipfs-cid); CI installs it and runs this check");
}

describe("CIDs match Kubo's defaults (oracle: Debian ipfs_cid)", () => {
  let node: Awaited<ReturnType<typeof startTempNode>>;
  let kubo: KuboRPCClient;
  let ipfs: IpfsClient;
  let files: Awaited<ReturnType<typeof makeTempDir>>;

  beforeAll(async () => {
    node = await startTempNode();
    kubo = create({ url: node.rpcUrl });
    ipfs = createIpfs({ rpcUrl: node.rpcUrl, gatewayUrl: node.gatewayUrl });
    files = await makeTempDir("cid-vectors");
  });
  afterAll(async () => {
    await node?.stop();
    await files?.remove();
  });

  it("adds Kubo's well-known vector: hello world\\n is QmT78zSu…", async () => {
    const bytes = new TextEncoder().encode("hello world\n");
    const expected = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";
    expect((await computeCid(bytes)).toString()).toBe(expected);
    expect((await kubo.add(bytes)).cid.toString()).toBe(expected);
    const uploaded = await ipfs.uploadBytes(bytes);
    expect(uploaded).toEqual({ cid: expected, uri: `ipfs://${expected}`, sha256: sha256Hex(bytes), size: 12 });
  });

  for (const vector of vectors) {
    it(`${vector.name}: dev node add and SDK computeCid equal ipfs_cid`, async (ctx) => {
      const tool = requireIpfsCid(ctx);
      const bytes = vector.bytes();
      const file = join(files.path, `v-${bytes.length}`);
      await writeFile(file, bytes);
      const expected = ipfsCidOf(tool, file);

      expect((await computeCid(bytes)).toString()).toBe(expected);
      // No options: the dev node's own defaults must be Kubo's.
      const added = await kubo.add(bytes);
      expect(added.cid.toString()).toBe(expected);
      // And the content reads back byte for byte.
      expect(sha256Hex(await concat(kubo.cat(added.cid)))).toBe(sha256Hex(bytes));
    });
  }

  it(`${deepSize} bytes (175 leaves, two-level DAG): dev node, SDK and read-back agree with ipfs_cid`, async (ctx) => {
    const tool = requireIpfsCid(ctx);
    const bytes = pseudoRandomBytes(deepSize, 5);
    const file = join(files.path, "deep");
    await writeFile(file, bytes);
    const expected = ipfsCidOf(tool, file);

    expect((await computeCid(bytes)).toString()).toBe(expected);
    const uploaded = await ipfs.uploadBytes(bytes, { timeoutMs: 120_000 });
    expect(uploaded.cid).toBe(expected);
    expect(uploaded.size).toBe(deepSize);
    // Fetching re-verifies the CID from the bytes, through the gateway.
    const fetched = await ipfs.fetchBytes(uploaded.uri, { sha256: uploaded.sha256, maxBytes: 64 * 1024 * 1024 });
    expect(fetched.bytes.length).toBe(deepSize);
    expect(fetched.cid).toBe(expected);
  });
});
