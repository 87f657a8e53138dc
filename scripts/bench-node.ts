/**
 * Provider node throughput, end to end: ONE provider node (run as operators run it: `node src/node/main.ts --config`,
 * a child process) serving the example matmul source, against the embedded chain (startLocalChain + deploySuite:
 * automine plus an empty block every second) and the embedded IPFS node. Per runtime (local-process, then Docker
 * Compose when a daemon answers), one warm-up task starts the handler stack, then N FIRST_RESPONSE tasks are
 * published at once from one client key (createNexusNonceManager) and followed until each is finalized. Reports
 * tasks/s (first publish → last TaskFinalized) and per-task latency (its publish call → its TaskFinalized seen by
 * the client), and writes docs/benchmarks-node.json.
 *
 *   npm run bench:node [-- --tasks 40 --size 32 --concurrency 16 --polling-ms 100 --runtime both|local-process|docker-compose]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createPublicClient, createWalletClient, http, parseEther, toHex, type Address, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { deploySuite, startLocalChain } from "../src/devnet/local-chain.ts";
import { startIpfsDevNode } from "../src/ipfs-dev-node/index.ts";
import { detectDocker } from "../src/node/runtime/index.ts";
import { DeliveryMethod, Environment, VerificationMethod } from "../src/sdk/abis.ts";
import { announceMaster, announceProvider, createNexusNonceManager, deposit, lock, publishTask, register } from "../src/sdk/actions/index.ts";
import { getNexusEvents } from "../src/sdk/events/index.ts";
import { publishSourceWithMetadata } from "../src/sdk/flows/index.ts";
import { createIpfs, uploadJson } from "../src/sdk/ipfs/index.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const OUT = join(ROOT, "docs/benchmarks-node.json");
const WORK = join(ROOT, ".tmp/bench-node");
const DEV_MNEMONIC = "test test test test test test test test test test test junk";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "40" },
    size: { type: "string", default: "32" },
    concurrency: { type: "string", default: "16" },
    "polling-ms": { type: "string", default: "100" },
    runtime: { type: "string", default: "both" },
    "timeout-s": { type: "string", default: "90" },
  },
});
const TASKS = Number(values.tasks);
const SIZE = Number(values.size);
const CONCURRENCY = Number(values.concurrency);
const POLLING_MS = Number(values["polling-ms"]);
const TIMEOUT_MS = Number(values["timeout-s"]) * 1000;

const t0 = performance.now();
// Other work on the machine skews the figure: recorded with it.
const loadAtStart = loadavg()[0] ?? 0;
const step = (what: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${what}`);
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

type RuntimeResult = {
  runtime: "local-process" | "docker-compose";
  tasks: number;
  finalized: number;
  seconds: number;
  tasksPerSecond: number;
  latencyMs: { p50: number; p95: number; max: number };
  /** The warm-up task: publish → finalized, including the handler stack's start (compose up, or the process). */
  coldStartTaskMs: number;
  /** Provider transactions sent for the batch (2 per task when nothing is wasted). */
  providerTransactions: number;
};

await rm(WORK, { recursive: true, force: true });
await mkdir(WORK, { recursive: true });
const chain = await startLocalChain({ port: await freePort() });
const children: ChildProcess[] = [];
const cleanup = async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
};
let ipfsNode: Awaited<ReturnType<typeof startIpfsDevNode>> | undefined;
try {
  step(`chain at ${chain.rpcUrl}`);
  const addresses = await deploySuite({ rpcUrl: chain.rpcUrl });
  const nexus = addresses.nexus;
  const publicClient = createPublicClient({ chain: hardhat, transport: http(chain.rpcUrl), pollingInterval: 50 });
  const deployBlock = await publicClient.getBlockNumber();
  ipfsNode = await startIpfsDevNode({ dir: join(WORK, "ipfs") });
  const ipfs = createIpfs({ rpcUrl: ipfsNode.rpcUrl, gatewayUrl: ipfsNode.gatewayUrl });
  step(`deployed (Nexus ${nexus}), IPFS at ${ipfsNode.rpcUrl}`);

  const dev = (index: number) => {
    const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index, nonceManager: createNexusNonceManager() });
    return { account, wallet: createWalletClient({ account, chain: hardhat, transport: http(chain.rpcUrl) }) };
  };
  const client = dev(1);
  const master = dev(2);
  const provider = dev(10);
  const providerKey = toHex(provider.account.getHdKey().privateKey as Uint8Array) as Hex;
  await (await announceProvider(master.wallet, { nexus, provider: provider.account.address, maxPenalty: parseEther("0.01") })).wait();
  await (await announceMaster(provider.wallet, { nexus, master: master.account.address })).wait();
  await (await deposit(master.wallet, { nexus, beneficiary: master.account.address, value: parseEther("10") })).wait();
  await (await lock(master.wallet, { nexus, amount: parseEther("5") })).wait();
  const composeCpu = await readFile(join(ROOT, "examples/matmul-source/compose.cpu.yml"), "utf8");

  async function measure(runtime: RuntimeResult["runtime"]): Promise<RuntimeResult> {
    // A source of its own per run; the node scans from here on, so the earlier run's tasks are not its business.
    const sent = await publishSourceWithMetadata(client.wallet, {
      nexus,
      ipfs,
      metadata: { name: `matmul bench (${runtime})`, description: "provider node benchmark" },
      compose: { cpu: composeCpu },
      params: {
        deliveryMethod: DeliveryMethod.FIRST_RESPONSE,
        maxConcurrentAttempts: 1,
        attemptTimeout: 600,
        maxExpiryDuration: 86_400,
        reviewWindow: 600,
        minPayment: parseEther("0.001"),
        minAvailableLockup: parseEther("1"),
        lapsePenalty: parseEther("0.01"),
        verification: VerificationMethod.NONE,
        quorum: 0,
      },
    });
    await sent.wait();
    const source = sent.source;
    await (await register(provider.wallet, { nexus, source, provider: provider.account.address, environment: Environment.CPU })).wait();
    const fromBlock = await publicClient.getBlockNumber();

    const stateDir = join(WORK, `state-${runtime}`);
    const configFile = join(WORK, `node-${runtime}.json`);
    await writeFile(
      configFile,
      JSON.stringify(
        {
          rpcUrl: chain.rpcUrl,
          nexus,
          fromBlock: String(fromBlock),
          ipfs: { rpcUrl: ipfsNode?.rpcUrl, gatewayUrl: ipfsNode?.gatewayUrl },
          runtime,
          localProcess: { entries: { "*": join(ROOT, "examples/matmul-source/handler.ts") } },
          environments: ["cpu"],
          stateDir,
          concurrency: CONCURRENCY,
          confirmations: 1,
          pollingIntervalMs: POLLING_MS,
          minTimeToDeadlineMs: 5_000,
          submitMarginMs: 2_000,
          stackIdleTimeoutMs: 600_000,
          metrics: { enabled: false },
          logLevel: "info",
        },
        null,
        2,
      ),
    );
    const node = spawn(process.execPath, [join(ROOT, "src/node/main.ts"), "--config", configFile], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", GPU_NEXUS_PROVIDER_KEY: providerKey },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(node);
    let log = "";
    node.stdout?.on("data", (c: Buffer) => (log += c.toString()));
    node.stderr?.on("data", (c: Buffer) => (log += c.toString()));
    const exited = new Promise<number | null>((resolve) => node.once("exit", (code) => resolve(code)));
    try {
      for (const deadline = Date.now() + 60_000; !log.includes("provider node running"); ) {
        if (node.exitCode !== null) throw new Error(`node exited (${node.exitCode}):\n${log.slice(-3_000)}`);
        if (Date.now() > deadline) throw new Error(`node did not start:\n${log.slice(-3_000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }

      // Every task's config is pinned first: that is the client's work, not the node's.
      const configs = await Promise.all(
        Array.from({ length: TASKS + 1 }, (_, i) => uploadJson(ipfs, { function_name: "matmul", data: { size: SIZE, seed: 1_000 + i } })),
      );
      const finalizedAt = new Map<Address, number>();
      const publishedAt = new Map<Address, number>();
      let cursor = fromBlock;
      let stopWatching = false;
      const watching = (async () => {
        for (;;) {
          const head = await publicClient.getBlockNumber();
          if (head >= cursor) {
            const events = await getNexusEvents(publicClient, { nexus, events: "TaskFinalized", fromBlock: cursor, toBlock: head });
            for (const e of events) if (!finalizedAt.has(e.args.task)) finalizedAt.set(e.args.task, performance.now());
            cursor = head + 1n;
          }
          if (stopWatching) return;
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const expiryTime = (await publicClient.getBlock()).timestamp + 3_600n;
      const publish = async (i: number) => {
        const config = configs[i];
        if (config === undefined) throw new Error("no config");
        const at = performance.now();
        const tx = await publishTask(client.wallet, { nexus, source, configUri: config.uri, configHash: config.sha256, expiryTime, payment: parseEther("0.01") });
        publishedAt.set(tx.task, at);
        await tx.wait();
        return tx.task;
      };
      const waitFinalized = async (tasks: readonly Address[], timeoutMs: number) => {
        for (const deadline = Date.now() + timeoutMs; tasks.some((t) => !finalizedAt.has(t)); ) {
          if (Date.now() > deadline) break;
          if (node.exitCode !== null) throw new Error(`node exited (${node.exitCode}):\n${log.slice(-3_000)}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };

      step(`${runtime}: warm-up task (starts the handler stack)`);
      const warm = await publish(0);
      await waitFinalized([warm], 180_000);
      if (!finalizedAt.has(warm)) throw new Error(`${runtime}: the warm-up task was not finalized:\n${log.slice(-3_000)}`);
      const coldStartTaskMs = (finalizedAt.get(warm) ?? 0) - (publishedAt.get(warm) ?? 0);

      const nonceBefore = await publicClient.getTransactionCount({ address: provider.account.address });
      step(`${runtime}: publishing ${TASKS} tasks at once`);
      const started = performance.now();
      const tasks = await Promise.all(Array.from({ length: TASKS }, (_, i) => publish(i + 1)));
      step(`${runtime}: all published (${((performance.now() - started) / 1000).toFixed(1)} s); waiting for TaskFinalized`);
      await waitFinalized(tasks, TIMEOUT_MS);
      stopWatching = true;
      await watching;
      const done = tasks.filter((t) => finalizedAt.has(t));
      const last = Math.max(...done.map((t) => finalizedAt.get(t) ?? 0));
      const seconds = (last - started) / 1000;
      const latencies = done.map((t) => (finalizedAt.get(t) ?? 0) - (publishedAt.get(t) ?? 0)).sort((a, b) => a - b);
      const providerTransactions = (await publicClient.getTransactionCount({ address: provider.account.address })) - nonceBefore;
      if (done.length < tasks.length) console.error(`${runtime}: only ${done.length}/${tasks.length} finalized within ${TIMEOUT_MS / 1000} s`);
      return {
        runtime,
        tasks: tasks.length,
        finalized: done.length,
        seconds: round(seconds),
        tasksPerSecond: round(done.length / seconds),
        latencyMs: { p50: Math.round(quantile(latencies, 0.5)), p95: Math.round(quantile(latencies, 0.95)), max: Math.round(latencies.at(-1) ?? NaN) },
        coldStartTaskMs: Math.round(coldStartTaskMs),
        providerTransactions,
      };
    } finally {
      node.kill("SIGTERM");
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), 30_000))]);
      if (code !== 0) node.kill("SIGKILL");
      await writeFile(join(WORK, `node-${runtime}.log`), log);
    }
  }

  const wanted = values.runtime ?? "both";
  let localProcess: RuntimeResult | null = null;
  let docker: RuntimeResult | null = null;
  let dockerSkipped: string | undefined;
  if (wanted === "both" || wanted === "local-process") localProcess = await measure("local-process");
  if (wanted === "both" || wanted === "docker-compose") {
    if (await detectDocker()) {
      step("building the example image (gpunexus/matmul-source)");
      await new Promise<void>((resolve, reject) => {
        const build = spawn("bash", [join(ROOT, "scripts/build-example-image.sh")], { stdio: ["ignore", "ignore", "inherit"] });
        build.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`build-example-image.sh exited ${code}`))));
      });
      docker = await measure("docker-compose");
    } else {
      dockerSkipped = "no Docker daemon answers `docker info` (start one with `npm run docker:up`)";
      console.log(`docker-compose: skipped: ${dockerSkipped}`);
    }
  }

  for (const r of [localProcess, docker]) {
    if (!r) continue;
    console.log(
      `${r.runtime.padEnd(15)} ${r.finalized}/${r.tasks} tasks in ${r.seconds} s = ${r.tasksPerSecond} tasks/s; latency p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms; ` +
        `cold-start task ${r.coldStartTaskMs} ms; ${r.providerTransactions} provider txs`,
    );
  }
  const cpuList = cpus();
  await writeFile(
    OUT,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        command: `npm run bench:node -- --tasks ${TASKS} --size ${SIZE} --concurrency ${CONCURRENCY} --polling-ms ${POLLING_MS}`,
        setup: {
          chain: "embedded Hardhat network over HTTP (startLocalChain: automine + a block every 1 s), suite deployed with Ignition",
          ipfs: "embedded Kubo-RPC dev node (src/ipfs-dev-node)",
          node: `one provider node as a child process (src/node/main.ts), concurrency ${CONCURRENCY}, pollingIntervalMs ${POLLING_MS}, confirmations 1`,
          workload: `${TASKS} FIRST_RESPONSE matmul tasks (size ${SIZE}) published at once from one client key (createNexusNonceManager), after one warm-up task`,
          measured: "tasksPerSecond: tasks / (first publish call → last TaskFinalized seen by the client, 50 ms polling); latency: each task's publish call → its TaskFinalized",
        },
        localProcess,
        docker,
        ...(dockerSkipped ? { dockerSkipped } : {}),
        machine: {
          cpus: cpuList.length,
          cpuModel: cpuList[0]?.model ?? "unknown",
          memoryGiB: round(totalmem() / 2 ** 30, 1),
          node: process.version,
          platform: `${process.platform}-${process.arch}`,
          loadAverage1mAtStart: round(loadAtStart),
        },
      },
      null,
      2,
    )}\n`,
  );
  step(`wrote ${OUT}`);
} finally {
  await cleanup();
  await ipfsNode?.close();
  await chain.close();
  step("stopped");
}
// Idle keep-alive sockets of the embedded chain's and IPFS node's clients would hold the process ~30 s longer.
process.exit(process.exitCode ?? 0);
