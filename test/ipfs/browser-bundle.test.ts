// The SDK's IPFS module must load in a browser: bundling it for the browser may not pull in any
// Node built-in, from our code or from a dependency.
import { readFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { describe, expect, it } from "vitest";

const entry = fileURLToPath(new URL("../../src/sdk/ipfs/index.ts", import.meta.url));
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Records every import of a Node built-in, whoever imports it. */
function forbidNodeBuiltins(found: string[]): Plugin {
  return {
    name: "forbid-node-builtins",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.split("/")[0] ?? args.path;
        if (builtins.has(args.path) || (bare.startsWith("node:") && builtins.has(bare))) {
          found.push(`${args.path} (imported by ${args.importer})`);
          return { errors: [{ text: `Node built-in "${args.path}" imported by ${args.importer}` }] };
        }
        return undefined;
      });
    },
  };
}

describe("browser safety of src/sdk/ipfs", () => {
  it("bundles for platform=browser with no Node built-in anywhere in the graph", async () => {
    const found: string[] = [];
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      write: false,
      metafile: true,
      logLevel: "silent",
      plugins: [forbidNodeBuiltins(found)],
    }).catch((error: unknown) => error);

    expect(found).toEqual([]);
    expect(result).not.toBeInstanceOf(Error);
    const { metafile, outputFiles } = result as Awaited<ReturnType<typeof build>>;
    const inputs = Object.keys(metafile?.inputs ?? {});
    // The SDK speaks the Kubo RPC API over fetch: no client library (and its libp2p stack) in a dapp's bundle.
    expect(inputs.filter((p) => /node_modules\/(kubo-rpc-client|@libp2p|dag-jose|cborg)\//.test(p))).toEqual([]);
    expect(inputs.filter((p) => p.startsWith("src/sdk/")).sort()).toEqual([
      "src/sdk/documents.ts",
      "src/sdk/errors/base.ts",
      "src/sdk/ipfs/cid.ts",
      "src/sdk/ipfs/client.ts",
      "src/sdk/ipfs/errors.ts",
      "src/sdk/ipfs/fetch.ts",
      "src/sdk/ipfs/http.ts",
      "src/sdk/ipfs/index.ts",
      "src/sdk/ipfs/kubo-rpc.ts",
      "src/sdk/ipfs/upload.ts",
    ]);
    expect(outputFiles?.[0]?.text).toContain("createIpfs");

    // Globals a bundler would not catch: our own browser-bound sources must not touch them.
    for (const file of inputs.filter((p) => p.startsWith("src/"))) {
      const source = await readFile(fileURLToPath(new URL(`../../${file}`, import.meta.url)), "utf8");
      expect(source, file).not.toMatch(/\bBuffer\b|\bprocess\.|\brequire\(|__dirname/);
    }
  });
});
