// Handler outputs kept on disk between their arrival and their pinning, so an IPFS outage or a crash at that
// moment never makes the node run (and pay for) the computation twice.
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Address } from "viem";

const pathOf = (stateDir: string, task: Address) => join(stateDir, "results", `${task}.json`);

/** Writes the output atomically (temp file, fsync, rename). */
export async function spool(stateDir: string, task: Address, bytes: Uint8Array): Promise<void> {
  const path = pathOf(stateDir, task);
  await mkdir(join(stateDir, "results"), { recursive: true });
  const fh = await open(`${path}.tmp`, "w");
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(`${path}.tmp`, path);
}

/** The spooled output of a task, if any. */
export async function readSpooled(stateDir: string, task: Address): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(pathOf(stateDir, task)));
  } catch {
    return undefined;
  }
}

/** Forgets the output once it is pinned and recorded. */
export async function dropSpooled(stateDir: string, task: Address): Promise<void> {
  await rm(pathOf(stateDir, task), { force: true });
}
