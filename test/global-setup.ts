// vitest's global setup: the suites deploy from the contract artifacts, so a checkout without them (a fresh
// clone, `npx vitest run` as the first command) builds them once here, and says so, instead of every suite
// failing on its own after starting chains and IPFS nodes it then leaves behind.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export function setup(): void {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const built = spawnSync("bash", ["scripts/build-contracts.sh"], { cwd: root, stdio: "inherit" });
  if (built.status !== 0) throw new Error("the contract artifacts could not be built (bash scripts/build-contracts.sh); see its output above");
}
