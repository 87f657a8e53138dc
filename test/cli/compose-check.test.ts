// `gpunexus compose check`: the node's policy from the command line, in-process (no chain, no IPFS needed).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { makeCli } from "./helpers.ts";

const EXAMPLE = resolve(import.meta.dirname, "../../examples/matmul-source");
let home = "";
let cli: ReturnType<typeof makeCli>;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "gn-compose-check-"));
  cli = makeCli({ home, rpcUrl: "http://127.0.0.1:1", ipfsRpc: "http://127.0.0.1:1" });
});
afterAll(() => rm(home, { recursive: true, force: true }));

describe("gpunexus compose check", () => {
  test.each(["cpu", "nvidia", "amd"])("accepts the example's compose.%s.yml (exit 0)", async (environment) => {
    const result = await cli(["compose", "check", join(EXAMPLE, `compose.${environment}.yml`), "--json"]);
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ accepted: true, environment, services: ["handler"] });
  });

  test("refuses a hostile file with every reason (non-zero exit), human and --json", async () => {
    const file = join(home, "compose.cpu.yml");
    await writeFile(
      file,
      'services:\n  h:\n    image: x\n    privileged: true\n    pid: host\n    network_mode: host\n    cap_add: [SYS_ADMIN]\n    volumes: ["/var/run/docker.sock:/s", "/:/host"]\n',
    );
    const json = await cli(["compose", "check", file, "--json"]);
    expect(json.code).not.toBe(0);
    const { accepted, reasons } = json.json<{ accepted: boolean; reasons: string[] }>();
    expect(accepted).toBe(false);
    for (const pattern of [/privileged/, /pid: refused/, /network_mode: refused/, /cap_add: refused/, /"\/var\/run\/docker\.sock"/, /host path "\/" refused/]) {
      expect(reasons.some((reason) => pattern.test(reason)), String(pattern)).toBe(true);
    }
    const human = await cli(["compose", "check", file]);
    expect(human.code).toBe(json.code);
    expect(human.stdout).toMatch(/^refused: .*\n {2}- services\.h\.privileged/);
  });

  test("--public refuses the example's local tag: images must be pinned by digest there", async () => {
    const result = await cli(["compose", "check", join(EXAMPLE, "compose.cpu.yml"), "--public", "--json"]);
    expect(result.code).not.toBe(0);
    expect(result.json<{ reasons: string[] }>().reasons).toEqual([expect.stringMatching(/not pinned by digest/)]);
  });
});
