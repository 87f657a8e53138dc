// The README's `npm run demo -- --json --cheaters 1`, run as a stranger runs it (the demo's own entry, a child
// process, its JSON summary on stdout), on local processes and its own port and folder so it can run beside the
// other suites. What the issue promises a user reading that summary: every task agreed, the cheater caught and
// slashed, nothing paid for a wrong result (the demo recomputes every product), and the cheater's master poorer.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { freePort } from "../node/chains.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const scratch = await mkdtemp(join(tmpdir(), "gpunexus-demo-cheaters-"));

function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["src/demo/main.ts", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", fail);
    child.once("exit", (code) => done({ code, stdout, stderr }));
  });
}

type Summary = {
  tasks: { total: number; finalized: number; open: number; byPolicy: Record<string, number> };
  payouts: { role: string; earningsWei: string; reservedWei: string; netWei: string }[];
  verification: { audited: number; disputes: number; caught: number; slashedWei: string; wronglyPaid: number };
};

afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("npm run demo -- --cheaters 1", () => {
  test("every task is agreed by the honest masters; the cheater is caught, slashed and poorer; nothing is wrongly paid", async () => {
    const port = await freePort();
    const workDir = join(scratch, "run");
    const run = await runDemo(["--json", "--cheaters", "1", "--tasks", "4", "--runtime", "local-process", "--port", String(port), "--work-dir", workDir, "--timeout", "120"]);
    expect(run.code, run.stderr.slice(-2_000)).toBe(0);
    const summary = JSON.parse(run.stdout) as Summary;

    expect(summary.tasks).toMatchObject({ total: 4, finalized: 4, open: 0, byPolicy: { AGREEMENT: 4 } });
    expect(summary.verification.caught).toBeGreaterThanOrEqual(1);
    expect(BigInt(summary.verification.slashedWei)).toBeGreaterThan(0n);
    expect(summary.verification).toMatchObject({ audited: 0, disputes: 0, wronglyPaid: 0 });

    const cheaterMaster = summary.payouts.find((p) => p.role === "cheater-master-1");
    expect(cheaterMaster, "the cheater's master is in the payouts").toBeDefined();
    expect(BigInt(cheaterMaster!.earningsWei)).toBe(0n);
    expect(BigInt(cheaterMaster!.netWei)).toBeLessThan(0n);
    expect(-BigInt(cheaterMaster!.netWei)).toBe(BigInt(summary.verification.slashedWei));
    for (const honest of summary.payouts.filter((p) => p.role.startsWith("master-"))) expect(BigInt(honest.netWei)).toBeGreaterThan(0n);
    for (const p of summary.payouts) expect(p.reservedWei).toBe("0");

    // The event log names each catch as it happens, and the cheater's own node logged its slashing.
    expect(run.stderr.match(/ResponseRejected .* CAUGHT /g)?.length).toBe(summary.verification.caught);
    const cheaterLog = await readFile(join(workDir, "cheater-1.log"), "utf8");
    expect(cheaterLog).toContain("slashed: the agreement rejected our result");
  }, 240_000);

  test("refuses cheaters without two honest providers to outvote them", async () => {
    const run = await runDemo(["--cheaters", "1", "--providers", "1", "--work-dir", join(scratch, "refused")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("invalid options");
  });

  test("refuses to empty a --work-dir it did not make, and leaves it as it was", async () => {
    const foreign = join(scratch, "someone-elses");
    await mkdir(foreign, { recursive: true });
    await writeFile(join(foreign, "thesis.tex"), "years of work");
    const run = await runDemo(["--tasks", "0", "--work-dir", foreign]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("refusing --work-dir");
    expect(await readFile(join(foreign, "thesis.tex"), "utf8")).toBe("years of work");
  });
});
