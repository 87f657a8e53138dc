#!/usr/bin/env node
// The `gpunexus` executable: runs src/cli/main.ts, which is TypeScript run by Node's type stripping (Node ≥ 22.18).
// An older `node` on the PATH hands over to the project's own Node 22 (the `node` package in node_modules).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../src/cli/main.ts", import.meta.url);

if (process.features.typescript) {
  await import(main.href);
} else {
  const candidates = ["../node_modules/node/bin/node", "../node_modules/.bin/node"].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const node = candidates.find((p) => existsSync(p));
  if (node === undefined) {
    process.stderr.write(`error: gpunexus needs Node >= 22.18 (found ${process.version}); run npm install in the project to get it\n`);
    process.exit(2);
  }
  const child = spawn(node, [fileURLToPath(main), ...process.argv.slice(2)], { stdio: "inherit" });
  // The terminal sends Ctrl-C to the child too: let it decide (it exits 130).
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal === "SIGINT" ? "SIGINT" : signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
}
