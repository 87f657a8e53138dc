// The CLI end to end against a real `hardhat node` over HTTP and the embedded IPFS node: deploy, publish sources,
// pair + stake + register, publish tasks, a provider answering through the SDK, results verified (and a tampered
// one refused), confirm / cancel / settle, vault balance / withdraw, JSON output, reverts and the set-up scripts.
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createPublicClient, createWalletClient, http, parseEther, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { getTransactionCount } from "viem/actions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attempt } from "../../src/sdk/actions/tasks.ts";
import { commitVote, createResponseSecret, revealResponse, submitResponse } from "../../src/sdk/actions/responses.ts";
import { createIpfs } from "../../src/sdk/ipfs/client.ts";
import { uploadJson } from "../../src/sdk/ipfs/upload.ts";
import { masterSetup } from "../../scripts/provider/master-setup.ts";
import { providerSetup } from "../../scripts/provider/provider-setup.ts";
import { closedPort, makeTempDir, startTempNode } from "../ipfs/helpers.ts";
import { KEYS, makeCli, makeContext, repoRoot, rpc, sourceSpec, startHardhatNode, type CliRun } from "./helpers.ts";

const addr = (key: string) => privateKeyToAccount(key as Hex).address;
const CLIENT = addr(KEYS.client);
const MASTER = addr(KEYS.master);
const PROVIDER = addr(KEYS.provider);
const PROVIDER2 = addr(KEYS.provider2);


describe("gpunexus CLI against hardhat node + IPFS", () => {
  let chain: Awaited<ReturnType<typeof startHardhatNode>>;
  let ipfsNode: Awaited<ReturnType<typeof startTempNode>>;
  let home: Awaited<ReturnType<typeof makeTempDir>>;
  let cli: ReturnType<typeof makeCli>;
  let base: { home: string; rpcUrl: string; ipfsRpc: string };
  let nexus: Address;
  let firstResponse: Address;
  let manual: Address;

  /** A provider answering through the SDK (the node is tested elsewhere). */
  async function answer(task: Address, result: unknown, options: { key?: string; tamper?: boolean } = {}) {
    const account = privateKeyToAccount((options.key ?? KEYS.provider) as Hex);
    const wallet = createWalletClient({ account, transport: http(chain.url) });
    await (await attempt(wallet, { task, provider: account.address, nexus })).wait();
    const ipfs = createIpfs({ rpcUrl: ipfsNode.rpcUrl });
    const pinned = await uploadJson(ipfs, result);
    const other = await uploadJson(ipfs, { not: "the committed result" });
    // Tampered: the event points at other content than the hash the provider committed to.
    const resultUri = options.tamper ? other.uri : pinned.uri;
    await (await submitResponse(wallet, { task, resultUri, resultHash: pinned.sha256, askedPayment: parseEther("0.02"), nexus })).wait();
  }

  async function publishTask(source: Address, extra: string[] = []): Promise<Address> {
    const r = await cli(["task", "publish", "--source", source, "--function", "matmul", "--data", '{"size":4,"seed":7}', "--payment", "0.05", "--json", ...extra], { key: KEYS.client });
    expect(r.code, r.stderr).toBe(0);
    return r.json<{ task: Address }>().task;
  }
  const ok = (r: CliRun) => {
    expect(r.code, `stderr: ${r.stderr}\nstdout: ${r.stdout}`).toBe(0);
    return r;
  };

  beforeAll(async () => {
    [chain, ipfsNode, home] = await Promise.all([startHardhatNode(), startTempNode(), makeTempDir("cli")]);
    base = { home: home.path, rpcUrl: chain.url, ipfsRpc: ipfsNode.rpcUrl };
    cli = makeCli(base);
    await writeFile(join(home.path, "compose.cpu.yml"), await readFile(join(repoRoot, "examples/matmul-source/compose.cpu.yml")));
    await writeFile(join(home.path, "first.yml"), sourceSpec("matmul-first", "FIRST_RESPONSE"));
    await writeFile(join(home.path, "manual.json"), JSON.stringify({
      name: "matmul-manual",
      compose: { cpu: "./compose.cpu.yml" },
      params: { deliveryMethod: "MANUAL_CONFIRMATION", minPayment: 0.01, minAvailableLockup: "1", maxExpiryDuration: "1d", attemptTimeout: "10m", maxConcurrentAttempts: 2, reviewWindow: "1h" },
    }));
  }, 120_000);
  afterAll(async () => {
    await Promise.all([chain?.stop(), ipfsNode?.stop()]);
    await home?.remove();
  });

  it("deploy: Ignition deployment, addresses printed and recorded", async () => {
    const r = ok(await cli(["deploy", "--fee-bps", "250", "--unbonding-period", "1d", "--json"], { key: KEYS.deployer }));
    const d = r.json<Record<string, string>>();
    nexus = d.nexus as Address;
    expect(d).toMatchObject({ chainId: 31337, feeBps: 250, unbondingPeriod: "86400" });
    for (const k of ["vault", "registry", "taskImplementation", "sourceImplementation"]) expect(d[k]).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const file = JSON.parse(await readFile(join(home.path, "deployments.json"), "utf8")) as { deployments: Record<string, { nexus: string }> };
    expect(file.deployments["31337"]?.nexus).toBe(nexus);
  });

  it("source publish (YAML and JSON specs), source status, source list", async () => {
    const first = ok(await cli(["source", "publish", join(home.path, "first.yml"), "--json"], { key: KEYS.client })).json<Record<string, unknown>>();
    firstResponse = first.source as Address;
    expect(first).toMatchObject({ client: CLIENT, environments: 1 });
    expect(first.metadataUri).toMatch(/^ipfs:\/\//);
    manual = ok(await cli(["source", "publish", join(home.path, "manual.json"), "--quiet"], { key: KEYS.client })).stdout.trim() as Address;
    expect(manual).toMatch(/^0x[0-9a-fA-F]{40}$/);

    const status = ok(await cli(["source", "status", firstResponse, "--metadata"]));
    expect(status.stdout).toMatch(/status\s+ACTIVE/);
    expect(status.stdout).toMatch(/version\s+1 /);
    expect(status.stdout).toMatch(/min payment\s+0\.01 ETH/);
    expect(status.stdout).toMatch(/metadata verified\s+yes/);

    const before = ok(await cli(["source", "status", manual, "--json"])).json<{ params: { metadataUri: string } }>();
    await writeFile(join(home.path, "manual.json"), (await readFile(join(home.path, "manual.json"), "utf8")).replace('"matmul-manual"', '"matmul-manual", "description": "v2"'));
    const updated = ok(await cli(["source", "update", manual, join(home.path, "manual.json"), "--json"], { key: KEYS.client })).json<{ metadataUri: string; events: { event: string }[] }>();
    expect(updated.events.map((e) => e.event)).toEqual(["SourceUpdated"]);
    expect(updated.metadataUri).not.toBe(before.params.metadataUri);
    const afterUpdate = ok(await cli(["source", "status", manual, "--metadata"])).stdout;
    expect(afterUpdate).toMatch(/description\s+v2/);
    // Tasks published from now on bind version 2, and run under its handler.
    expect(afterUpdate).toMatch(/version\s+2 /);
    const notMine = await cli(["source", "update", manual, join(home.path, "manual.json")], { key: KEYS.master });
    expect(notMine.code).toBe(1);
    expect(notMine.stderr).toMatch(/\(Unauthorized\)/);

    const deadIpfs = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = await cli(["source", "publish", join(home.path, "first.yml"), "--ipfs-rpc", deadIpfs], { key: KEYS.client });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/^error: IPFS request to .* failed/m);

    const list = ok(await cli(["source", "list", "--json"])).json<{ sources: { address: string; metadata: { name: string }; params: { minPayment: string } }[] }>();
    expect(list.sources.map((s) => s.metadata.name).sort()).toEqual(["matmul-first", "matmul-manual"]);
    expect(list.sources[0]?.params.minPayment).toBe("10000000000000000");
  });

  it("provider pair (both sides), stake, register; master-setup is idempotent", async () => {
    const half = ok(await cli(["provider", "pair", "--as", "master", "--provider", PROVIDER, "--json"], { key: KEYS.master })).json();
    expect(half).toMatchObject({ announcedByMaster: true, announcedByProvider: false, paired: false, changed: true });
    const full = ok(await cli(["provider", "pair", "--as", "provider", "--master", MASTER, "--json"], { key: KEYS.provider })).json();
    expect(full).toMatchObject({ paired: true, changed: true, maxPenalty: "0" });

    ok(await cli(["vault", "lock", "--up-to", "2"], { key: KEYS.master }));
    // The master accepted no penalty yet: the sources' 0.1 ETH lapse penalty is refused, whoever registers.
    const refused = await cli(["provider", "register", "--source", firstResponse, "--environment", "cpu"], { key: KEYS.provider });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("above the 0 ETH per attempt that the master");
    const capped = ok(await cli(["provider", "pair", "--as", "master", "--provider", PROVIDER, "--max-penalty", "0.1", "--json"], { key: KEYS.master })).json();
    expect(capped).toMatchObject({ paired: true, changed: true, maxPenalty: parseEther("0.1").toString() });
    // Re-running without --max-penalty keeps the cap.
    expect(ok(await cli(["provider", "pair", "--as", "master", "--provider", PROVIDER, "--json"], { key: KEYS.master })).json()).toMatchObject({ changed: false, maxPenalty: parseEther("0.1").toString() });
    const reg = ok(await cli(["provider", "register", "--source", firstResponse, "--source", manual, "--environment", "cpu", "--provider", PROVIDER, "--json"], { key: KEYS.master }));
    expect(reg.json<{ sources: { action: string }[] }>().sources.map((s) => s.action)).toEqual(["registered", "registered"]);
    const balance = ok(await cli(["vault", "balance", "--account", MASTER, "--json"])).json();
    expect(balance).toMatchObject({ lockup: parseEther("2").toString() });

    // A second master + provider through the scripts: the provider side first, then the master's, run twice.
    const p = makeContext(base, KEYS.provider2);
    expect(await providerSetup(["--master", addr(KEYS.master2)], p.ctx), p.err()).toBe(0);
    const args = ["--provider", PROVIDER2, "--max-penalty", "0.1", "--stake", "1.5", "--source", firstResponse, "--source", manual, "--environment", "cpu", "--json"];
    const m1 = makeContext(base, KEYS.master2);
    expect(await masterSetup(args, m1.ctx), m1.err()).toBe(0);
    const steps = (JSON.parse(m1.out()) as { steps: { pair: { paired: boolean }; register: { sources: { action: string }[] } } }).steps;
    expect(steps.pair.paired).toBe(true);
    expect(steps.register.sources.map((s) => s.action)).toEqual(["registered", "registered"]);
    const client = createPublicClient({ transport: http(chain.url) });
    const nonce = await getTransactionCount(client, { address: addr(KEYS.master2) });
    const m2 = makeContext(base, KEYS.master2);
    expect(await masterSetup(args, m2.ctx), m2.err()).toBe(0);
    expect(await getTransactionCount(client, { address: addr(KEYS.master2) })).toBe(nonce);
    const again = (JSON.parse(m2.out()) as { steps: { pair: { changed: boolean }; register: { sources: { action: string }[] } } }).steps;
    expect(again.pair.changed).toBe(false);
    expect(again.register.sources.map((s) => s.action)).toEqual(["already registered", "already registered"]);

    const un = ok(await cli(["provider", "unregister", "--source", manual, "--provider", PROVIDER2, "--json"], { key: KEYS.master2 }));
    expect(un.json<{ sources: { action: string }[] }>().sources[0]?.action).toBe("unregistered");
    const un2 = ok(await cli(["provider", "unregister", "--source", manual, "--provider", PROVIDER2, "--quiet"], { key: KEYS.master2 }));
    expect(un2.stdout).toContain("not registered");
  });

  it("task publish → status → a provider answers → task result verified → watch ends FINALIZED", async () => {
    const task = await publishTask(firstResponse);
    const status = ok(await cli(["task", "status", task, "--json"])).json<Record<string, unknown>>();
    expect(status).toMatchObject({ status: "NEW", escrow: parseEther("0.05").toString() });
    expect((status.publication as { configUri: string }).configUri).toMatch(/^ipfs:\/\//);

    const watching = cli(["task", "watch", task, "--timeout", "60", "--json"]);
    const output = { checksum: 42, rows: [[1, 2], [3, 4]] };
    await answer(task, output);
    const watched = ok(await watching).json<{ status: string; events: { event: string }[] }>();
    expect(watched.status).toBe("FINALIZED");
    expect(watched.events.map((e) => e.event)).toEqual(["TaskPublished", "TaskAttempted", "ResponseCommitted", "ResponseSubmitted", "TaskFinalized"]);

    const result = ok(await cli(["task", "result", task, "--json"])).json();
    expect(result).toMatchObject({ provider: PROVIDER, verified: true, result: output });
    const human = ok(await cli(["task", "status", task]));
    expect(human.stdout).toMatch(/status\s+FINALIZED/);
    expect(human.stdout).toMatch(/winner\s+0x/);
    // The winner's commitment and, in a later block, its reveal.
    const [committed, revealed] = [...human.stdout.matchAll(/block (\d+)/g)].map((m) => Number(m[1]));
    expect(human.stdout).toMatch(/committed\s+revealed/);
    expect(revealed).toBeGreaterThan(committed ?? Infinity);
    const json = ok(await cli(["task", "status", task, "--json"])).json<{ attempts: { commitment: { blockNumber: string } | null; response: { blockNumber: string } }[] }>();
    expect(BigInt(json.attempts[0]!.response.blockNumber)).toBeGreaterThan(BigInt(json.attempts[0]!.commitment!.blockNumber));
  });

  it("task result of tampered content exits 4", async () => {
    const task = await publishTask(firstResponse);
    await answer(task, { honest: false }, { tamper: true });
    const r = await cli(["task", "result", task]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: .*(CidMismatchError|ContentHashMismatchError)/m);
  });

  it("MANUAL task: respond, task confirm --provider pays the master; watch of a closed task returns at once", async () => {
    const task = await publishTask(manual);
    await answer(task, { manual: true });
    expect(ok(await cli(["task", "status", task, "--quiet"])).stdout.trim()).toBe("RESPONDED");
    const confirmed = ok(await cli(["task", "confirm", task, "--provider", PROVIDER, "--json"], { key: KEYS.client })).json<{ events: { event: string; args: Record<string, string> }[] }>();
    const finalized = confirmed.events.find((e) => e.event === "TaskFinalized");
    expect(finalized?.args).toMatchObject({ provider: PROVIDER, payee: MASTER, paid: parseEther("0.02").toString() });
    const watched = ok(await cli(["task", "watch", task]));
    expect(watched.stdout).toMatch(/TaskFinalized/);
    expect(watched.stdout).toMatch(/task FINALIZED/);
  });

  it("task watch stops on interrupt with exit 130 (in-process abort and SIGINT to the process)", async () => {
    const task = await publishTask(firstResponse);
    const controller = new AbortController();
    const watching = cli(["task", "watch", task], { signal: controller.signal });
    setTimeout(() => controller.abort(), 500);
    const r = await watching;
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/TaskPublished/);
    expect(r.stderr).toMatch(/^error: interrupted$/m);

    const child = spawn(process.execPath, [join(repoRoot, "src/cli/main.ts"), "task", "watch", task], {
      env: { ...process.env, GPU_NEXUS_HOME: home.path, GPU_NEXUS_RPC_URL: chain.url, GPU_NEXUS_POLLING_INTERVAL_MS: "100" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("TaskPublished")) child.kill("SIGINT");
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(code).toBe(130);
    expect(ok(await cli(["task", "cancel", task], { key: KEYS.client })).stdout).toMatch(/TaskCanceled/);
  });

  it("provider start delegates to the provider node", async () => {
    expect((await cli(["provider", "start", "--no-such-node-flag"])).code).toBe(2);
  });

  it("a revert exits 1 with the decoded error; cancel and settle close tasks", async () => {
    const low = await cli(["task", "publish", "--source", firstResponse, "--function", "matmul", "--payment", "0.001"], { key: KEYS.client });
    expect(low.code).toBe(1);
    expect(low.stderr).toContain("error: The payment 0.001 ETH is below the source's minimum 0.01 ETH (PaymentBelowMinimum)");
    expect(low.stderr).toContain("PaymentBelowMinimum(payment: 1000000000000000, minPayment: 10000000000000000)");
    const jsonErr = await cli(["task", "cancel", "0x0000000000000000000000000000000000000001", "--json"], { key: KEYS.client });
    expect(jsonErr.code).toBe(1);
    expect(jsonErr.json<{ error: { name: string } }>().error.name).toBe("UnknownTask");

    const toCancel = await publishTask(firstResponse);
    const canceled = ok(await cli(["task", "cancel", toCancel], { key: KEYS.client }));
    expect(canceled.stdout).toMatch(/TaskCanceled .*refunded=0\.05 ETH/);
    const again = await cli(["task", "cancel", toCancel], { key: KEYS.client });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is CANCELED and takes no further action \(TaskClosed\)/);

    const toExpire = await publishTask(firstResponse, ["--expires-in", "60"]);
    const early = await cli(["task", "settle", toExpire], { key: KEYS.master });
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/\(NotYetSettleable\)/);
    await rpc(chain.url, "evm_increaseTime", [120]);
    await rpc(chain.url, "evm_mine");
    const settled = ok(await cli(["task", "settle", toExpire, "--json"], { key: KEYS.master })).json<{ events: { event: string }[] }>();
    expect(settled.events.map((e) => e.event)).toEqual(["TaskExpired"]);
    expect(ok(await cli(["task", "status", toExpire, "--quiet"])).stdout.trim()).toBe("EXPIRED");
  });

  it("vault: refunds are in the client's balance; withdraw all; deposit, agent grant/show/revoke", async () => {
    const before = ok(await cli(["vault", "balance", "--json"], { key: KEYS.client })).json<{ balance: string }>();
    expect(BigInt(before.balance)).toBeGreaterThanOrEqual(parseEther("0.1")); // a cancel, an expiry and a MANUAL refund
    const withdrawn = ok(await cli(["vault", "withdraw", "all", "--json"], { key: KEYS.client })).json<{ balance: string; transactions: unknown[] }>();
    expect(withdrawn.balance).toBe("0");
    expect(withdrawn.transactions).toHaveLength(1);
    const nothing = await cli(["vault", "withdraw", "all"], { key: KEYS.client });
    expect(nothing.code).toBe(2);

    const master = ok(await cli(["vault", "balance"], { key: KEYS.master }));
    expect(master.stdout).toMatch(/earnings\s+0\.117 ETH/); // 2 × 0.05 + 0.02 paid, less the 2.5 % fee
    ok(await cli(["vault", "deposit", "0.3", "--for", CLIENT], { key: KEYS.master }));
    expect(ok(await cli(["vault", "balance", "--quiet", "--json"], { key: KEYS.client })).json<{ balance: string }>().balance).toBe(parseEther("0.3").toString());

    const grant = ["agent", "grant", MASTER, "--scope", "client", "--allowance", "0.05", "--json"];
    expect(ok(await cli(grant, { key: KEYS.client })).json()).toMatchObject({ scopes: ["client"], allowance: parseEther("0.05").toString(), changed: true });
    expect(ok(await cli(grant, { key: KEYS.client })).json()).toMatchObject({ changed: false });
    expect(ok(await cli(["agent", "show", MASTER, "--principal", CLIENT, "--json"])).json()).toMatchObject({ principal: CLIENT, scopes: ["client"] });
    const unknown = await cli(["agent", "grant", MASTER, "--scope", "admin"], { key: KEYS.client });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('invalid --scope "admin"');
    expect(ok(await cli(["agent", "revoke", MASTER, "--json"], { key: KEYS.client })).json()).toMatchObject({ scopes: [], changed: true });
    expect(ok(await cli(["agent", "show", MASTER, "--principal", CLIENT, "--quiet"])).stdout.trim()).toBe("none");

    // Stake: unbond (confirmed), cancel, unbond again, claim after the 1-day unbonding period.
    const m2 = { key: KEYS.master2 };
    expect((await cli(["vault", "unbond", "0.5"], m2)).code).toBe(2); // needs --yes without a terminal
    expect(ok(await cli(["vault", "unbond", "0.5", "--yes", "--json"], m2)).json()).toMatchObject({ lockup: parseEther("1").toString(), unbonding: parseEther("0.5").toString() });
    expect(ok(await cli(["vault", "cancel-unbonding", "--json"], m2)).json()).toMatchObject({ lockup: parseEther("1.5").toString(), unbonding: "0" });
    ok(await cli(["vault", "unbond", "0.5", "--yes"], m2));
    const early = await cli(["vault", "claim"], m2);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/\(UnbondingNotMatured\)/);
    await rpc(chain.url, "evm_increaseTime", [86_401]);
    await rpc(chain.url, "evm_mine");
    expect(ok(await cli(["vault", "claim", "--json"], m2)).json()).toMatchObject({ balance: parseEther("0.5").toString(), unbonding: "0" });
  });

  it("AGREEMENT source: source list shows the policy; task status shows the jury, the votes and the verdict", async () => {
    const spec = sourceSpec("matmul-agreement", "FIRST_RESPONSE").replace('minAvailableLockup: "1"', 'minAvailableLockup: "0"') + "  verification: AGREEMENT\n  quorum: 2\n";
    await writeFile(join(home.path, "agreement.yml"), spec);
    const agreement = ok(await cli(["source", "publish", join(home.path, "agreement.yml"), "--quiet"], { key: KEYS.client })).stdout.trim() as Address;
    expect(ok(await cli(["source", "status", agreement])).stdout).toMatch(/verification\s+AGREEMENT of 2/);
    const listed = ok(await cli(["source", "list"])).stdout;
    expect(listed.split("\n").find((line) => line.startsWith(agreement))).toMatch(/AGREEMENT of 2/);
    expect(listed.split("\n").find((line) => line.startsWith(firstResponse))).toMatch(/\bNONE\b/);
    ok(await cli(["provider", "register", "--source", agreement, "--environment", "cpu", "--provider", PROVIDER], { key: KEYS.master }));
    ok(await cli(["provider", "register", "--source", agreement, "--environment", "cpu", "--provider", PROVIDER2], { key: KEYS.master2 }));

    const task = await publishTask(agreement);
    type Status = { verification: { method: string; quorum: number; state: string; jurors: number; votes: { count: number }[] } };
    const status = async () => ok(await cli(["task", "status", task, "--json"])).json<Status>().verification;
    expect(await status()).toMatchObject({ method: "AGREEMENT", quorum: 2, state: "voting", jurors: 0, votes: [] });

    // Two jurors of two masters seal the same result, then reveal it one after the other.
    const ipfs = createIpfs({ rpcUrl: ipfsNode.rpcUrl });
    const pinned = await uploadJson(ipfs, { checksum: 7 });
    const jurors: { wallet: ReturnType<typeof createWalletClient>; secret: Hex }[] = [];
    for (const key of [KEYS.provider, KEYS.provider2]) {
      const account = privateKeyToAccount(key as Hex);
      const wallet = createWalletClient({ account, transport: http(chain.url) });
      await (await attempt(wallet, { task, provider: account.address, nexus })).wait();
      const secret = createResponseSecret();
      await (await commitVote(wallet, { task, resultHash: pinned.sha256, secret, nexus })).wait();
      jurors.push({ wallet, secret });
    }
    await rpc(chain.url, "evm_increaseTime", [2]);
    await rpc(chain.url, "evm_mine");
    const revealOne = async (j: (typeof jurors)[number]) =>
      (await revealResponse(j.wallet, { task, resultUri: pinned.uri, resultHash: pinned.sha256, secret: j.secret, nexus })).wait();
    await revealOne(jurors[0]!);
    expect(await status()).toMatchObject({ state: "voting", jurors: 2, votes: [{ count: 1 }] });
    const voting = ok(await cli(["task", "status", task])).stdout;
    expect(voting).toMatch(/jury\s+2 sealed, 2 needed; closed by the first reveal/);
    expect(voting).toMatch(/votes 0x[0-9a-f]{8}…\s+1 \/ 2/);
    await revealOne(jurors[1]!);
    expect(await status()).toMatchObject({ state: "agreed", votes: [{ count: 2 }] });
    expect(ok(await cli(["task", "status", task])).stdout).toMatch(/verdict\s+agreed: 2 alike results/);
    // Both agreed: nothing for the client to reject; an agreed result cannot be rejected.
    expect(ok(await cli(["task", "reject", task])).stdout).toContain("nothing to reject");
    const refused = await cli(["task", "reject", task, "--provider", PROVIDER], { key: KEYS.client });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\(NotRejected\)/);
  });

  it("source status --deactivate needs --yes without a terminal, then refuses new tasks", async () => {
    const refused = await cli(["source", "status", firstResponse, "--deactivate"], { key: KEYS.client });
    expect(refused.code).toBe(2);
    ok(await cli(["source", "status", firstResponse, "--deactivate", "--yes"], { key: KEYS.client }));
    const r = await cli(["task", "publish", "--source", firstResponse, "--function", "f", "--payment", "0.05"], { key: KEYS.client });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\(SourceInactive\)/);
    ok(await cli(["source", "status", firstResponse, "--activate"], { key: KEYS.client }));
  });
});
