import { describe, expect, it } from "vitest";
import {
  decodeDocument,
  encodeDocument,
  InvalidDocumentError,
  sha256Hex,
  sourceMetadataSchema,
  stringifyDocument,
  taskConfigSchema,
} from "../../src/sdk/ipfs/index.ts";

const composeHash = `0x${"ab".repeat(32)}`;
const metadata = {
  name: "Stable Diffusion XL",
  description: "Text to image",
  logoUrl: "ipfs://QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
  cpu: "",
  nvidia: "ipfs://QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
  amd: "https://example.com/amd-compose.yml",
  composeSha256: { nvidia: composeHash, amd: composeHash.slice(2).toUpperCase() },
  schemaVersion: 1,
};

describe("off-chain documents (PROTOCOL.md §6)", () => {
  it("sha256Hex is the bytes32 hex of sha256 over the exact bytes", () => {
    expect(sha256Hex(new TextEncoder().encode("hello world\n"))).toBe(
      "0xa948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447",
    );
    expect(sha256Hex(new Uint8Array(0))).toBe("0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("accepts source metadata and normalises compose hashes to 0x-prefixed lowercase", () => {
    const parsed = sourceMetadataSchema.parse(metadata);
    expect(parsed.composeSha256).toEqual({ nvidia: composeHash, amd: composeHash });
    expect(parsed.schemaVersion).toBe(1);
  });

  it("refuses source metadata a provider could not safely use", () => {
    const bad = [
      { ...metadata, schemaVersion: 2 },
      { ...metadata, composeSha256: { amd: composeHash } }, // nvidia offered without a hash
      { ...metadata, cpu: "http://example.com/compose.yml" }, // unverifiable plain http
      { ...metadata, composeSha256: { ...metadata.composeSha256, nvidia: "0x1234" } },
      { ...metadata, name: "" },
    ];
    for (const doc of bad) expect(sourceMetadataSchema.safeParse(doc).success, JSON.stringify(doc)).toBe(false);
    const missing = sourceMetadataSchema.safeParse({ ...metadata, composeSha256: {} });
    expect(missing.error?.issues.map((i) => i.path.join("."))).toEqual(["composeSha256.nvidia", "composeSha256.amd"]);
  });

  it("accepts task configs with any JSON data and extra keys, and refuses unsafe handler names", () => {
    const config = { function_name: "txt2img", data: { prompt: "a cat", steps: [1, 2] }, priority: "high" };
    expect(taskConfigSchema.parse(config)).toEqual(config);
    expect(taskConfigSchema.parse({ function_name: "f", data: null })).toEqual({ function_name: "f", data: null });
    for (const function_name of ["", "../admin", "a/b", ".hidden", "x y"]) {
      expect(taskConfigSchema.safeParse({ function_name, data: 1 }).success, function_name).toBe(false);
    }
    expect(taskConfigSchema.safeParse({ function_name: "f" }).success).toBe(false);
  });

  it("serialises deterministically and refuses values JSON would silently change", () => {
    expect(stringifyDocument({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: "é" } })).toBe('{"a":{"c":"é","d":[3,{"y":2,"z":1}]},"b":1}');
    expect(encodeDocument({ b: 1, a: 2 })).toEqual(encodeDocument({ a: 2, b: 1 }));
    // Plain code-unit order even for integer-like keys (which JS objects would otherwise reorder).
    expect(stringifyDocument({ "2": 0, "10": 0, b: [undefined, () => 1], a: undefined, d: new Date(0) })).toBe(
      '{"10":0,"2":0,"b":[null,null],"d":"1970-01-01T00:00:00.000Z"}',
    );
    // Same output as JSON.stringify wherever JSON.stringify is already deterministic.
    const sample = { a: [1.5, -0, 1e21, "\u2028\"\n", true, null, { x: {} }], e: "é" };
    expect(stringifyDocument(sample)).toBe(JSON.stringify(sample));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [Number.POSITIVE_INFINITY, { n: Number.NaN }, { n: 10n }, undefined, cyclic]) {
      expect(() => stringifyDocument(value)).toThrow(InvalidDocumentError);
    }
  });

  it("decodes and validates, with the failing paths in the error", () => {
    const bytes = encodeDocument({ function_name: "f", data: [1] });
    expect(decodeDocument(bytes, taskConfigSchema)).toEqual({ function_name: "f", data: [1] });
    try {
      decodeDocument(encodeDocument({ function_name: 7 }), taskConfigSchema, "ipfs://x");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidDocumentError);
      expect((error as InvalidDocumentError).issues.map((i) => i.path.join("."))).toEqual(["function_name", "data"]);
      expect((error as InvalidDocumentError).message).toContain("function_name");
    }
  });
});
