// The whole SDK (src/sdk/index.ts) must run in a browser: bundling it for the browser may not pull in any Node
// built-in, and the bundle must load where no Node global (process, Buffer, require, global…) exists.
import { readFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import { build, type BuildResult, type Plugin } from "esbuild";
import { describe, expect, it } from "vitest";

const entry = fileURLToPath(new URL("../../src/sdk/index.ts", import.meta.url));
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** A generous ceiling: the SDK is viem + zod + the IPFS client; a jump past it means a heavy dependency slipped in. */
const MAX_MINIFIED_BYTES = 1_500_000;

function forbidNodeBuiltins(found: string[]): Plugin {
  return {
    name: "forbid-node-builtins",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.split("/")[0] ?? args.path;
        if (args.path.startsWith("node:") || builtins.has(args.path) || builtins.has(bare)) {
          found.push(`${args.path} (imported by ${args.importer})`);
          return { errors: [{ text: `Node built-in "${args.path}" imported by ${args.importer}` }] };
        }
        return undefined;
      });
    },
  };
}

async function bundle(format: "esm" | "iife", found: string[]) {
  return build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format,
    globalName: format === "iife" ? "GpuNexusSdk" : undefined,
    target: "es2022",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [forbidNodeBuiltins(found)],
  });
}

/** Only what a browser page has: no process, Buffer, require, module, global, __dirname, setImmediate. */
function browserGlobals(): Record<string, unknown> {
  const names = [
    "TextEncoder", "TextDecoder", "URL", "URLSearchParams", "AbortController", "AbortSignal", "fetch", "Headers", "Request",
    "Response", "FormData", "Blob", "ReadableStream", "WritableStream", "TransformStream", "crypto", "performance", "setTimeout",
    "clearTimeout", "setInterval", "clearInterval", "queueMicrotask", "structuredClone", "atob", "btoa", "console", "Event",
    "EventTarget", "DOMException", "WebSocket", "navigator",
  ] as const;
  const g: Record<string, unknown> = Object.fromEntries(names.map((n) => [n, (globalThis as Record<string, unknown>)[n]]));
  g.window = g;
  g.self = g;
  g.globalThis = g;
  return g;
}

describe("browser bundle of the SDK", () => {
  it("bundles src/sdk/index.ts for platform=browser with no Node built-in and loads without Node globals", async () => {
    const found: string[] = [];
    const result = (await bundle("esm", found).catch((error: unknown) => error)) as BuildResult<{ metafile: true; write: false }> | Error;
    expect(found).toEqual([]);
    if (result instanceof Error) throw result;
    const code = result.outputFiles[0]?.contents ?? new Uint8Array();
    const gzipped = gzipSync(code).byteLength;
    console.log(`SDK browser bundle: ${(code.byteLength / 1024).toFixed(1)} KiB minified, ${(gzipped / 1024).toFixed(1)} KiB gzipped`);
    expect(code.byteLength).toBeGreaterThan(0);
    expect(code.byteLength).toBeLessThan(MAX_MINIFIED_BYTES);

    // Every module of the SDK is in the graph, and our own sources touch no Node global.
    const inputs = Object.keys(result.metafile.inputs);
    for (const dir of ["events", "flows", "ipfs", "actions", "errors"]) expect(inputs.some((p) => p.startsWith(`src/sdk/${dir}/`)), dir).toBe(true);
    for (const file of inputs.filter((p) => p.startsWith("src/"))) {
      const source = await readFile(fileURLToPath(new URL(`../../${file}`, import.meta.url)), "utf8");
      expect(source, file).not.toMatch(/\bBuffer\b|\bprocess\.|\brequire\(|__dirname|__filename|\bsetImmediate\(/);
    }

    // Loaded in a context holding only browser globals, the bundle evaluates and exposes the API.
    const iife = await bundle("iife", found);
    const sandbox = browserGlobals();
    runInNewContext(iife.outputFiles[0]?.text ?? "", sandbox, { filename: "gpu-nexus-sdk.js" });
    const sdk = sandbox.GpuNexusSdk as Record<string, unknown>;
    for (const name of ["watchNexusEvents", "subscribeNexusEvents", "getNexusEvents", "createEventCursorStore", "publishSourceWithMetadata", "publishTaskWithConfig", "waitForResult", "fetchResult", "listSources", "createIpfs", "publishTask"]) {
      expect(typeof sdk[name], name).toBe("function");
    }
    const parse = sdk.parseEventCursor as (value: unknown) => unknown;
    expect(parse({ blockNumber: "7", blockHash: `0x${"0".repeat(64)}` })).toEqual({ blockNumber: "7", blockHash: `0x${"0".repeat(64)}` });
  });
});
