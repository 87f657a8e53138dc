#!/usr/bin/env node
// The `gpunexus` executable. An installed package (it always sits under node_modules) runs the compiled CLI,
// dist/cli/main.js. A checkout runs the TypeScript sources through Node's type stripping (Node >= 22.18), and
// from an older `node` hands over to the project's own Node 22 (the `node` package in node_modules), so a stale
// dist/ from an earlier `npm pack` never runs there.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const compiled = new URL("../dist/cli/main.js", import.meta.url);
const source = new URL("../src/cli/main.ts", import.meta.url);

const installed = fileURLToPath(import.meta.url).split(/[\\/]/).includes("node_modules");

if (installed || !existsSync(fileURLToPath(source))) {
  await import(compiled.href);
} else if (process.features.typescript) {
  await import(source.href);
} else {
  const candidates = ["../node_modules/node/bin/node", "../node_modules/.bin/node"].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const node = candidates.find((p) => existsSync(p));
  if (node === undefined) {
    process.stderr.write(`error: gpunexus needs Node >= 22.18 (found ${process.version}); run npm install in the project to get it\n`);
    process.exit(2);
  }
  const child = spawn(node, [fileURLToPath(source), ...process.argv.slice(2)], { stdio: "inherit" });
  // The terminal sends Ctrl-C to the child too: let it decide (it exits 130).
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal === "SIGINT" ? "SIGINT" : signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
}
