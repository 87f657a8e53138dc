// A consumer project of the packed package, as a dapp developer makes one: `npm pack` (which runs `prepack`, the
// compiled build), then `npm install <tarball> viem` in an empty folder. Shared by the package test
// (test/package) and the package benchmark (scripts/bench-package.ts).
import { execFile } from "node:child_process";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = new URL("../", import.meta.url).pathname;
const NPM_ENV = { ...process.env, PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH ?? ""}`, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };

export type PackedFile = { path: string; size: number };
export type Tarball = { file: string; size: number; unpackedSize: number; files: PackedFile[] };

/** `npm pack` of this checkout into `dir`; returns the tarball and the files it holds. */
export async function packPackage(dir: string): Promise<Tarball> {
  await mkdir(dir, { recursive: true });
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: ROOT, env: NPM_ENV, maxBuffer: 64 * 2 ** 20 });
  const [packed] = JSON.parse(stdout) as [{ filename: string; size: number; unpackedSize: number; files: PackedFile[] }];
  return { file: join(dir, packed.filename), size: packed.size, unpackedSize: packed.unpackedSize, files: packed.files };
}

/** The viem version this checkout is tested with: what a consumer installs beside the package. */
export async function checkoutVersion(pkg: string): Promise<string> {
  return (JSON.parse(await readFile(join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * An empty ESM project in `dir` with the tarball (none: viem alone, the baseline), viem and `extra` packages
 * installed from the registry (the npm cache answers when it can), and the files of test/package/consumer.
 */
export async function installConsumer(dir: string, tarball: string | undefined, extra: string[] = []): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "package.json"), `${JSON.stringify({ name: "gpu-nexus-consumer", private: true, type: "module" }, null, 2)}\n`);
  await cp(join(ROOT, "test/package/consumer"), dir, { recursive: true });
  await run("npm", ["install", "--prefer-offline", "--no-package-lock", ...(tarball === undefined ? [] : [tarball]), `viem@${await checkoutVersion("viem")}`, ...extra], { cwd: dir, env: NPM_ENV, maxBuffer: 64 * 2 ** 20 });
}

/** Bytes on disk under `dir` (apparent sizes, as `du -sb` counts them). */
export async function diskBytes(dir: string): Promise<number> {
  const { stdout } = await run("du", ["-sb", dir]);
  return Number(stdout.split(/\s/)[0]);
}
