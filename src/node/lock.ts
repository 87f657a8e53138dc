// One live node per state directory: a `node.lock` file holding the owner's pid. A lock whose process is gone
// (kill -9, power loss) is stale and taken over, so a crashed node restarts without manual cleanup.
import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

/** Another live node process holds the state directory. */
export class StateLockedError extends Error {
  readonly pid: number;
  constructor(dir: string, pid: number) {
    super(`state directory ${dir} is in use by process ${pid}`);
    this.name = "StateLockedError";
    this.pid = pid;
  }
}

// In-process holders, so an embedded node restarted in the same process is told apart from a stale lock.
const heldInProcess = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the directory's lock; resolves with its release. @throws StateLockedError */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const lock = join(dir, "node.lock");
  if (heldInProcess.has(dir)) throw new StateLockedError(dir, process.pid);
  for (let i = 0; i < 2; i++) {
    try {
      const fh = await open(lock, "wx");
      await fh.writeFile(String(process.pid));
      await fh.close();
      heldInProcess.add(dir);
      return async () => {
        heldInProcess.delete(dir);
        await rm(lock, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number((await readFile(lock, "utf8").catch(() => "")).trim());
      // A lock left by a killed process (or by this process before an in-process restart) is stale.
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new StateLockedError(dir, pid);
      await rm(lock, { force: true });
    }
  }
  throw new StateLockedError(dir, -1);
}
