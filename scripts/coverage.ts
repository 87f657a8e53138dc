/**
 * Line coverage of contracts/ by the whole Hardhat suite (Solidity unit, fuzz and invariant tests and the
 * node:test walk), from the lcov report `hardhat test --coverage` writes. Prints one row per contract and
 * fails below the threshold (95 % of lines by default, `--min <percent>` to change it).
 *
 *   npm run coverage
 */
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { min: { type: "string", default: "95" }, "no-run": { type: "boolean", default: false } } });
const minimum = Number(values.min);

if (!values["no-run"]) {
  const run = spawnSync("hardhat", ["test", "--coverage"], { stdio: ["ignore", "ignore", "inherit"] });
  // A coverage run leaves instrumented bytecode in artifacts/ (Nexus then exceeds the initcode limit of a real
  // chain); rebuild so that later deployments use the real contracts.
  const rebuild = spawnSync("hardhat", ["build"], { stdio: ["ignore", "ignore", "inherit"] });
  if (rebuild.status !== 0) process.exit(rebuild.status ?? 1);
  if (run.status !== 0) {
    console.error(`hardhat test --coverage exited with ${run.status}: coverage is only meaningful on a green suite`);
    process.exit(run.status ?? 1);
  }
}

type FileCoverage = { file: string; found: number; hit: number; missed: number[] };
const files: FileCoverage[] = [];
let current: FileCoverage | undefined;
for (const line of (await readFile("coverage/lcov.info", "utf8")).split("\n")) {
  if (line.startsWith("SF:")) {
    current = { file: line.slice(3), found: 0, hit: 0, missed: [] };
    files.push(current);
  } else if (line.startsWith("DA:") && current) {
    const [lineNumber, hits] = line.slice(3).split(",").map(Number);
    current.found += 1;
    if ((hits ?? 0) > 0) current.hit += 1;
    else current.missed.push(lineNumber ?? 0);
  }
}

const contracts = files.filter((f) => f.file.startsWith("contracts/")).sort((a, b) => a.file.localeCompare(b.file));
const width = Math.max(...contracts.map((f) => f.file.length), "total".length);
const percent = (hit: number, found: number) => (found === 0 ? 100 : (100 * hit) / found);
console.log(`${"file".padEnd(width)}  lines    covered  missed lines`);
for (const f of contracts) {
  console.log(`${f.file.padEnd(width)}  ${String(f.found).padStart(5)}  ${percent(f.hit, f.found).toFixed(2).padStart(7)} %  ${f.missed.join(", ") || "-"}`);
}
const found = contracts.reduce((s, f) => s + f.found, 0);
const hit = contracts.reduce((s, f) => s + f.hit, 0);
const total = percent(hit, found);
console.log(`${"total".padEnd(width)}  ${String(found).padStart(5)}  ${total.toFixed(2).padStart(7)} %`);
console.log(`line coverage of contracts/: ${total.toFixed(2)} % (minimum ${minimum} %)`);
if (total < minimum) process.exit(1);
