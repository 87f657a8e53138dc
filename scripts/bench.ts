/**
 * `npm run bench`: runs the gas, SDK, in-flight and node benchmarks in one go and writes BENCHMARKS.md with the
 * machine, the versions, every figure with how it was measured, and the comparison rows.
 *
 *   npm run bench                     measure everything, then write the report
 *   npm run bench -- --report-only    write the report from the figures last recorded by each benchmark
 *                                     (gas-snapshot.json, docs/benchmarks-*.json), without measuring again
 */
import { spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";

const ROOT = new URL("../", import.meta.url);
const run = (script: string, args: string[] = []) => {
  process.stderr.write(`\n== ${script} ${args.join(" ")}\n`);
  const result = spawnSync(process.execPath, [new URL(script, ROOT).pathname, ...args], { stdio: "inherit", cwd: ROOT.pathname });
  if (result.status !== 0 && result.status !== 2) throw new Error(`${script} exited with ${result.status}`);
};
const json = async <T>(path: string): Promise<T> => JSON.parse(await readFile(new URL(path, ROOT), "utf8")) as T;
const version = async (pkg: string) => (await json<{ version: string }>(`node_modules/${pkg}/package.json`)).version;

const { values } = parseArgs({ options: { "report-only": { type: "boolean", default: false } } });
if (!values["report-only"]) {
  run("scripts/bench-gas.ts");
  run("scripts/bench-sdk.ts");
  run("scripts/bench-inflight.ts");
  run("scripts/bench-node.ts");
  run("scripts/bench-package.ts");
}

const gas = await json<Record<string, number>>("gas-snapshot.json");
type Sdk = { publishTasksPipelined: { tasks: number; seconds: number; tasksPerSecond: number }; watcherBackfill: { events: number; seconds: number; eventsPerSecond: number; blocks: number } };
const sdk = await json<Sdk>("docs/benchmarks-sdk.json");
type Inflight = { rows: { inFlight: number; landed: number; failed: number; seconds: number }[] };
const inflight = await json<Inflight>("docs/benchmarks-inflight.json");
type NodeRun = { tasks: number; seconds: number; tasksPerSecond: number; latencyMs?: { p50: number; p95: number } };
type NodeBench = { localProcess: NodeRun; docker: NodeRun | null; dockerSkipped?: string };
const node = await json<NodeBench>("docs/benchmarks-node.json");
type PackageBundle = { name: string; minifiedBytes: number; gzipBytes: number; restMinifiedBytes: number; restGzipBytes: number };
type PackageBench = { tarball: { packedBytes: number; files: number }; bundles: PackageBundle[]; install: { viemOnlyBytes: number; withPackageBytes: number; addedBytes: number } };
const pkg = await json<PackageBench>("docs/benchmarks-package.json");
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;

// Labels written by bench-gas.ts: a renamed row must fail here, not print 0.
const lifecycle = (label: string): number => {
  const used = gas[label];
  if (used === undefined) throw new Error(`gas-snapshot.json has no row "${label}": run npm run bench:gas`);
  return used;
};
const first = lifecycle("FIRST_RESPONSE lifecycle (publishTask + attempt + commitResponse + revealResponse)");
const manual = lifecycle("MANUAL lifecycle, 3 providers (publish + 3 attempts + 3 commitments + 3 reveals + confirm)");
const fmt = (n: number) => n.toLocaleString("en-US");
const maxInflight = inflight.rows.filter((r) => r.failed === 0).reduce((m, r) => Math.max(m, r.inFlight), 0);
const nodeRow = (name: string, r: NodeRun | null, why?: string) =>
  r ? `| ${name} | ${r.tasksPerSecond.toFixed(2)} tasks/s (${r.tasks} tasks in ${r.seconds.toFixed(1)} s${r.latencyMs ? `, latency p50 ${(r.latencyMs.p50 / 1000).toFixed(1)} s, p95 ${(r.latencyMs.p95 / 1000).toFixed(1)} s` : ""}) |` : `| ${name} | not measured: ${why ?? "no Docker daemon"} |`;

const report = `# Benchmarks

Written by \`npm run bench${values["report-only"] ? " -- --report-only" : ""}\` on ${new Date().toISOString().slice(0, 10)}${values["report-only"] ? ", from the figures each benchmark last recorded (gas-snapshot.json and docs/benchmarks-*.json; each file's own benchmark wrote it, possibly on an earlier day: compare figures of one file, or run \`npm run bench\` for one run)" : ""}. \`npm run bench\` measures every figure again.

**Machine:** ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.
**Versions:** hardhat ${await version("hardhat")}, viem ${await version("viem")}, solc 0.8.29 (via-IR, optimizer 10,000 runs, cancun), zod ${await version("zod")}.

## Against peers

| measure | GPU Nexus | peer |
|---|---|---|
| FIRST_RESPONSE lifecycle gas (publish + attempt + commitment + reveal with payout) | **${fmt(first)}** | Chainlink Functions cheapest request + fulfil ≈ 385,000; Ritual Infernet subscription + delivery ≈ 353,000 (test upper bound) |
| MANUAL lifecycle gas, 3 providers (publish + 3 attempts + 3 commitments + 3 reveals + confirm) | **${fmt(manual)}** | — |
| transactions in flight from one key without a nonce error | **${fmt(maxInflight)}** (largest size tried, all landed) | OpenGPU's Python SDK reported failures at 20 |
| end-to-end tasks per second, one provider node, local processes | **${node.localProcess.tasksPerSecond.toFixed(2)}** | — |
| end-to-end tasks per second, one provider node, Docker Compose | **${node.docker ? node.docker.tasksPerSecond.toFixed(2) : "n/a"}** | — |
| a dapp that only reads a task, gzip beyond viem's share (goal ≤ 40 KB) | **${kb(pkg.bundles[0]?.restGzipBytes ?? 0)}** | — |
| what installing gpu-nexus adds beside viem (goal < 60 MB) | **${mb(pkg.install.addedBytes)}** | — |

## How each figure is measured

### Gas (\`npm run bench:gas\`)
Hardhat's in-process network; the suite deployed with the Ignition module; steady state (the master already
holds a balance, fees already accrued). Lifecycle figures add the receipts' \`gasUsed\` of each transaction.

| operation | gas |
|---|---|
${Object.entries(gas).map(([k, v]) => `| ${k} | ${fmt(v)} |`).join("\n")}

### SDK (\`npm run bench:sdk\`)
A \`hardhat node\` over HTTP on 127.0.0.1 with automine.
- Publishing ${fmt(sdk.publishTasksPipelined.tasks)} tasks from one key, pipelined (no wait for receipts between sends): **${sdk.publishTasksPipelined.seconds.toFixed(1)} s** (${sdk.publishTasksPipelined.tasksPerSecond.toFixed(1)} tasks/s).
- A watcher backfilling ${fmt(sdk.watcherBackfill.events)} events of 10,000+ tasks over ${fmt(sdk.watcherBackfill.blocks)} blocks: **${sdk.watcherBackfill.seconds.toFixed(1)} s** (${fmt(Math.round(sdk.watcherBackfill.eventsPerSecond))} events/s).

### Transactions in flight (\`node scripts/bench-inflight.ts\`)
N concurrent \`publishTask\` calls from one local account through the SDK with \`createNexusNonceManager\`,
against the embedded chain over HTTP.

| in flight | landed | failed | seconds |
|---|---|---|---|
${inflight.rows.map((r) => `| ${r.inFlight} | ${r.landed} | ${r.failed} | ${r.seconds} |`).join("\n")}

### Provider node (\`npm run bench:node\`)
One provider node with the example matmul handler, the embedded chain (automine plus a block a second) and
the embedded IPFS node; a batch of FIRST_RESPONSE tasks published at once, timed from the first publish to the
last TaskFinalized.

| runtime | throughput |
|---|---|
${nodeRow("local processes", node.localProcess)}
${nodeRow("Docker Compose", node.docker, node.dockerSkipped)}

### Package (\`npm run bench:package\`)
The packed tarball (${kb(pkg.tarball.packedBytes)}, ${pkg.tarball.files} files) installed with viem into an empty project. Each dapp of
test/package/consumer/dapp bundled by esbuild (browser, ESM, minified, tree-shaken); "beyond viem" is the same
bundle with viem and its own dependencies left external, i.e. what the SDK and its dependencies add.

| dapp | whole bundle | beyond viem |
|---|---|---|
${pkg.bundles.map((b) => `| ${b.name} | ${kb(b.gzipBytes)} gzip (${kb(b.minifiedBytes)} minified) | ${kb(b.restGzipBytes)} gzip (${kb(b.restMinifiedBytes)} minified) |`).join("\n")}

Install size (apparent bytes of node_modules): viem alone ${mb(pkg.install.viemOnlyBytes)}; with gpu-nexus ${mb(pkg.install.withPackageBytes)}; gpu-nexus adds **${mb(pkg.install.addedBytes)}**.
`;
await writeFile(new URL("BENCHMARKS.md", ROOT), report);
process.stdout.write(report);
