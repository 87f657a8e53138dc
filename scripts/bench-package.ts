/**
 * Package benchmark: what a dapp developer pays for the SDK. Packs the package, installs it with viem into an
 * empty consumer project (scripts/package-consumer.ts), then:
 *  1. bundles two dapps from test/package/consumer/dapp with esbuild (browser, ESM, minified, tree-shaken):
 *     one that only reads a task, one that publishes a task with its config pinned to IPFS; each is measured
 *     whole and with viem's share (viem and the packages viem itself depends on) left external, which leaves
 *     what gpu-nexus and its dependencies add; minified and gzip sizes of both;
 *  2. the consumer's install size: node_modules with viem alone, and with gpu-nexus added (the difference is
 *     what the package adds).
 * Prints the figures and writes them to docs/benchmarks-package.json.   npm run bench:package
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type BuildOptions } from "esbuild";
import { diskBytes, installConsumer, packPackage } from "./package-consumer.ts";

const ROOT = new URL("../", import.meta.url);
const OUT = new URL("docs/benchmarks-package.json", ROOT);
const work = join(ROOT.pathname, ".tmp/bench-package");
// viem and the packages viem itself depends on: the share a dapp pays for viem whether or not it uses the SDK.
const VIEM_SHARE = ["viem", "viem/*", "ox", "ox/*", "abitype", "@noble/*", "@scure/*", "@adraffy/*", "isows", "ws", "eventemitter3"];

const step = (what: string) => console.error(`bench:package: ${what}`);
step("packing and installing into a consumer project…");
const tarball = await packPackage(join(work, "pack"));
const viemOnly = join(work, "viem-only");
const consumer = join(work, "consumer");
await Promise.all([installConsumer(consumer, tarball.file), installConsumer(viemOnly, undefined)]);

type Bundle = { name: string; minifiedBytes: number; gzipBytes: number; restMinifiedBytes: number; restGzipBytes: number };
async function bundle(name: string, entry: string): Promise<Bundle> {
  const options = {
    entryPoints: [join(consumer, "dapp", entry)],
    absWorkingDir: consumer,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false as const,
    logLevel: "warning",
  } satisfies BuildOptions;
  const whole = (await build(options)).outputFiles[0]!.contents;
  // The rest alone: the same bundle with viem's share left external.
  const rest = (await build({ ...options, external: VIEM_SHARE })).outputFiles[0]!.contents;
  return { name, minifiedBytes: whole.length, gzipBytes: gzipSync(whole).length, restMinifiedBytes: rest.length, restGzipBytes: gzipSync(rest).length };
}

const bundles = [await bundle("reads a task", "read.ts"), await bundle("publishes a task with metadata", "publish.ts")];
const install = { viemOnlyBytes: await diskBytes(join(viemOnly, "node_modules")), withPackageBytes: await diskBytes(join(consumer, "node_modules")) };
const report = { tarball: { packedBytes: tarball.size, unpackedBytes: tarball.unpackedSize, files: tarball.files.length }, bundles, install: { ...install, addedBytes: install.withPackageBytes - install.viemOnlyBytes } };

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
for (const b of bundles) console.log(`dapp that ${b.name}: ${kb(b.gzipBytes)} gzip in all (${kb(b.minifiedBytes)} minified); beyond viem: ${kb(b.restGzipBytes)} gzip (${kb(b.restMinifiedBytes)} minified)`);
console.log(`install: viem alone ${mb(install.viemOnlyBytes)}, with gpu-nexus ${mb(install.withPackageBytes)} (gpu-nexus adds ${mb(report.install.addedBytes)}); tarball ${kb(tarball.size)}`);
await writeFile(OUT, `${JSON.stringify(report, null, 2)}\n`);
