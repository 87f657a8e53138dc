// The CLI without a chain: help, usage errors (exit 2), an unreachable RPC (exit 3), key file permissions, and
// the bin shim under the system Node.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort, makeTempDir } from "../ipfs/helpers.ts";
import { KEYS, makeCli, repoRoot } from "./helpers.ts";

describe("gpunexus CLI: usage, exit codes, keys, bin shim", () => {
  let home: Awaited<ReturnType<typeof makeTempDir>>;
  let cli: ReturnType<typeof makeCli>;
  let deadRpc: string;
  beforeAll(async () => {
    home = await makeTempDir("cli-usage");
    deadRpc = `http://127.0.0.1:${await closedPort()}`;
    cli = makeCli({ home: home.path, rpcUrl: deadRpc, ipfsRpc: deadRpc });
  });
  afterAll(() => home?.remove());

  it("--help documents commands and exit codes; no command is a usage error", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    for (const text of ["task publish", "provider pair", "vault cancel-unbonding", "Exit codes:", "130", "retryable"]) expect(help.stdout).toContain(text);
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Usage: gpunexus <command>");
    const sub = await cli(["task", "publish", "--help"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain("--expires-in <duration>");
  });

  it("usage errors exit 2 with one short line", async () => {
    const cases: [string[], RegExp][] = [
      [["frobnicate"], /^error: unknown command "frobnicate"$/m],
      [["task", "frobnicate"], /unknown command "task frobnicate"/],
      [["task", "publish", "--function", "f", "--payment", "1"], /^error: missing --source$/m],
      [["task", "publish", "--source", "0x12", "--function", "f", "--payment", "1"], /invalid --source "0x12"/],
      [["vault", "deposit", "lots"], /invalid <amount> "lots"/],
      [["vault", "deposit"], /missing <amount>/],
      [["task", "status"], /missing <task>/],
      [["task", "status", "0x0000000000000000000000000000000000000001", "extra"], /unexpected argument "extra"/],
      [["provider", "pair", "--as", "boss"], /invalid --as "boss"/],
      [["provider", "register", "--source", "0x0000000000000000000000000000000000000001", "--environment", "tpu"], /invalid environment "tpu"/],
      [["task", "status", "--bogus"], /Unknown option '--bogus'/],
      [["source", "publish", join("/nonexistent", "spec.yml")], /cannot read the spec file/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args, { key: KEYS.client });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace without --verbose
    }
    const json = await cli(["vault", "deposit", "--json"], { key: KEYS.client });
    expect(json.code).toBe(2);
    expect(json.json()).toMatchObject({ error: { name: "UsageError", exitCode: 2 } });
  });

  it("a spec file with bad fields is a usage error naming them", async () => {
    const file = join(home.path, "bad.yml");
    await writeFile(file, "name: x\ncompose: {}\nparams:\n  deliveryMethod: SOMETIMES\n  minPayment: 1\n  maxExpiryDuration: 1d\n  attemptTimeout: 1m\n");
    const r = await cli(["source", "publish", file], { key: KEYS.client });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/compose: give at least one of cpu, nvidia, amd/);
    expect(r.stderr).toMatch(/params\.deliveryMethod/);
  });

  it("signing needs a key; a key file open to others is refused; keys are never printed", async () => {
    const none = await cli(["vault", "deposit", "1"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Set GPU_NEXUS_PRIVATE_KEY or pass --key-file");
    const file = join(home.path, "key");
    await writeFile(file, `${KEYS.client}\n`);
    await chmod(file, 0o644);
    const open = await cli(["vault", "deposit", "1", "--key-file", file]);
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/accessible by group or others \(mode 0644\)/);
    const bad = await cli(["vault", "deposit", "1"], { key: "0x1234" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toContain("0x1234");
    await chmod(file, 0o600);
    const good = await cli(["vault", "deposit", "1", "--key-file", file, "--verbose"]);
    expect(good.code).toBe(3); // the key is fine; the RPC is down
    expect(good.stdout + good.stderr).not.toContain(KEYS.client.slice(2));
  });

  it("an unreachable RPC node exits 3 (retryable)", async () => {
    const r = await cli(["vault", "balance", "--account", "0x0000000000000000000000000000000000000001"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: The RPC node could not be reached/m);
    const json = await cli(["task", "status", "0x0000000000000000000000000000000000000001", "--json"]);
    expect(json.code).toBe(3);
    expect(json.json()).toMatchObject({ error: { exitCode: 3 } });
  });

  it("bin/gpunexus.js runs the CLI under the project's Node 22, even from an older node", () => {
    for (const node of ["/usr/bin/node", process.execPath].filter((p) => existsSync(p))) {
      const help = spawnSync(node, [join(repoRoot, "bin/gpunexus.js"), "--help"], { encoding: "utf8", timeout: 60_000 });
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toContain("Exit codes:");
    }
    const bad = spawnSync(process.execPath, [join(repoRoot, "bin/gpunexus.js"), "frobnicate"], { encoding: "utf8", timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown command "frobnicate"');
  });
});
