// `npm run build:package` (and `prepack`): compiles the product (tsconfig.build.json) into dist/ as ESM with
// declarations and source maps. tsc rewrites `./x.ts` to `./x.js` in the JavaScript it emits but not in the
// declarations, so the relative specifiers of the .d.ts files are rewritten here: a consumer's tsc resolves
// `./x.js` to `./x.d.ts` under every moduleResolution, without allowImportingTsExtensions.
import { spawnSync } from "node:child_process";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

const root = new URL("../", import.meta.url).pathname;
const dist = join(root, "dist");

await rm(dist, { recursive: true, force: true });
const tsc = spawnSync(join(root, "node_modules/.bin/tsc"), ["-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${tsc.status})`);

const relativeTs = /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']*?)\.ts(["'])/g;
let rewritten = 0;
for (const entry of await readdir(dist, { recursive: true })) {
  if (!entry.endsWith(".d.ts")) continue;
  const file = join(dist, entry);
  const text = await readFile(file, "utf8");
  const fixed = text.replace(relativeTs, (_, head: string, path: string, tail: string) => `${head}${path}.js${tail}`);
  if (fixed !== text) {
    rewritten++;
    await writeFile(file, fixed);
  }
}
process.stderr.write(`build:package: dist/ written (${rewritten} declaration files had their relative imports rewritten)\n`);
