// The package as a dapp developer gets it: `npm pack` (prepack compiles dist/), `npm install <tarball> viem` in
// an empty project, then plain Node ESM, the consumer's own tsc (nodenext and bundler), a Vite build of a small
// dapp and `npx gpunexus`, all from the consumer's folder, never through this checkout's sources.
import { execFile, spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installConsumer, packPackage, type Tarball } from "../../scripts/package-consumer.ts";
import { makeTempDir, startTempNode } from "../ipfs/helpers.ts";
import { KEYS, makeCli, repoRoot, sourceSpec, startHardhatNode } from "../cli/helpers.ts";

const exec = promisify(execFile);
const bin = (name: string) => join(repoRoot, "node_modules/.bin", name);

describe("the packed package, installed in a consumer project", () => {
  let chain: Awaited<ReturnType<typeof startHardhatNode>> | undefined;
  let ipfsNode: Awaited<ReturnType<typeof startTempNode>> | undefined;
  let work: Awaited<ReturnType<typeof makeTempDir>> | undefined;
  let consumer: string;
  let home: string;
  let tarball: Tarball;
  let nexus: Address;
  let task: Address;

  beforeAll(async () => {
    work = await makeTempDir("package");
    consumer = join(work.path, "consumer");
    home = join(work.path, "home");
    [chain, ipfsNode, tarball] = await Promise.all([startHardhatNode(), startTempNode(), packPackage(join(work.path, "pack"))]);
    await installConsumer(consumer, tarball.file, ["@types/node@22"]);

    // A market to read from, set up through this checkout's CLI (the consumer only reads).
    const cli = makeCli({ home, rpcUrl: chain.url, ipfsRpc: ipfsNode.rpcUrl });
    const deployed = await cli(["deploy", "--json"], { key: KEYS.deployer });
    expect(deployed.code, deployed.stderr).toBe(0);
    nexus = deployed.json<{ nexus: Address }>().nexus;
    await writeFile(join(home, "compose.cpu.yml"), await readFile(join(repoRoot, "examples/matmul-source/compose.cpu.yml")));
    await writeFile(join(home, "source.yml"), sourceSpec("package-test", "FIRST_RESPONSE"));
    const source = await cli(["source", "publish", join(home, "source.yml"), "--quiet"], { key: KEYS.client });
    expect(source.code, source.stderr).toBe(0);
    const published = await cli(["task", "publish", "--source", source.stdout.trim(), "--function", "matmul", "--data", '{"size":2}', "--payment", "0.05", "--json"], { key: KEYS.client });
    expect(published.code, published.stderr).toBe(0);
    task = published.json<{ task: Address }>().task;
  }, 600_000);

  afterAll(async () => {
    await Promise.all([chain?.stop(), ipfsNode?.stop()]);
    await work?.remove();
  });

  it("ships compiled JavaScript, declarations and source maps, and nothing of the development harness", async () => {
    const paths = tarball.files.map((f) => f.path);
    for (const entry of ["sdk/index", "sdk/ipfs/index", "sdk/events/index", "abis/generated", "handler/index", "node/index", "cli/main"]) {
      expect(paths).toContain(`dist/${entry}.js`);
      expect(paths).toContain(`dist/${entry}.d.ts`);
      expect(paths).toContain(`dist/${entry}.js.map`);
    }
    const leaked = paths.filter((p) => /^(test|scripts|examples|contracts|ignition|docs|\.ci|\.tmp|artifacts)\//.test(p) || /^src\/(demo|devnet|ipfs-dev-node)\//.test(p));
    expect(leaked).toEqual([]);
    expect(paths.filter((p) => /\.(pem|key)$|private/i.test(p))).toEqual([]);
    // Declarations name compiled files: a consumer's tsc never meets a `.ts` import (TS5097).
    const dts = await readFile(join(consumer, "node_modules/gpu-nexus/dist/sdk/index.d.ts"), "utf8");
    expect(dts).not.toMatch(/from "\.[^"]*\.ts"/);

    const manifest = JSON.parse(await readFile(join(consumer, "node_modules/gpu-nexus/package.json"), "utf8")) as Record<string, Record<string, string> | boolean | undefined>;
    expect(manifest.peerDependencies).toHaveProperty("viem");
    expect(manifest.sideEffects).toBe(false);
    const dependencies = Object.keys((manifest.dependencies as Record<string, string> | undefined) ?? {});
    expect(dependencies).not.toContain("viem");
    expect(dependencies.filter((d) => /helia|blockstore|hardhat|vitest|vite$/.test(d))).toEqual([]);
  });

  it("plain Node ESM imports every entry and reads a task from a local chain", async () => {
    const { stdout } = await exec(process.execPath, ["read-task.mjs", chain!.url, nexus, task], { cwd: consumer });
    const out = JSON.parse(stdout) as { task: { address: string; state: { status: number }; escrow: string }; entries: Record<string, unknown>; cid: string };
    expect(out.task.address.toLowerCase()).toBe(task.toLowerCase());
    expect(out.task.escrow).toBe("50000000000000000");
    expect(out.entries).toEqual({ nexusError: "function", nexusAbi: true, taskAbi: true, defineHandler: "function", watchNexusEvents: "function", nodeConfigSchema: "function" });
    // Kubo's well-known vector, computed by the installed package.
    expect(out.cid).toBe("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
  });

  it("the consumer's tsc type-checks Parameters, ReturnType and ErrorType under nodenext and bundler", async () => {
    for (const project of ["tsconfig.nodenext.json", "tsconfig.bundler.json"]) {
      const r = spawnSync(bin("tsc"), ["-p", project], { cwd: consumer, encoding: "utf8" });
      expect(r.status, `${project}:\n${r.stdout}${r.stderr}`).toBe(0);
    }
    // And it is a real check: a wrong parameter name is refused.
    await writeFile(join(consumer, "use.ts"), `${await readFile(join(consumer, "use.ts"), "utf8")}\nimport type { GetTaskParameters as P } from "gpu-nexus";\nexport const wrong: P = { tsak: "0x0" };\n`);
    const bad = spawnSync(bin("tsc"), ["-p", "tsconfig.nodenext.json"], { cwd: consumer, encoding: "utf8" });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toContain("tsak");
  });

  it("Vite builds a dapp that reads and publishes a task, with nothing Node-only in the bundle", async () => {
    await writeFile(join(consumer, "vite.config.mjs"), 'export default { root: "dapp", logLevel: "warn", build: { outDir: "../dapp-dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 4096 } };\n');
    const r = spawnSync(process.execPath, [join(repoRoot, "node_modules/vite/bin/vite.js"), "build", "--config", "vite.config.mjs"], { cwd: consumer, encoding: "utf8" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const html = await readFile(join(consumer, "dapp-dist/index.html"), "utf8");
    const scripts = [...html.matchAll(/src="\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const code = await readFile(join(consumer, "dapp-dist", script), "utf8");
      expect(code).not.toMatch(/from\s*"node:|require\("node:/);
    }
  });

  it("npx gpunexus runs the compiled CLI from the consumer, and deploy says it needs a checkout", async () => {
    const env = { ...process.env, GPU_NEXUS_HOME: home, GPU_NEXUS_RPC_URL: chain!.url };
    const help = spawnSync("npx", ["--no-install", "gpunexus", "--help"], { cwd: consumer, encoding: "utf8", env });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain("Exit codes:");
    const status = spawnSync("npx", ["--no-install", "gpunexus", "task", "status", task, "--json"], { cwd: consumer, encoding: "utf8", env });
    expect(status.status, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { address: string }).address.toLowerCase()).toBe(task.toLowerCase());
    const deploy = spawnSync("npx", ["--no-install", "gpunexus", "deploy"], { cwd: consumer, encoding: "utf8", env });
    expect(deploy.status).toBe(2);
    expect(deploy.stderr).toMatch(/^error: gpunexus deploy needs a checkout of gpu-nexus/m);
  });
});
