/**
 * SDK benchmark against a `hardhat node` served over HTTP on a free 127.0.0.1 port (automine):
 *  1. seconds to publish 1,000 tasks from one key, pipelined through the SDK's `publishTask` with viem's
 *     nonceManager (no wait for receipts between sends), then checks that all 1,000 landed;
 *  2. seconds for `watchNexusEvents` to backfill, from block 0 to the head, the events of 10,000 more tasks
 *     (published first in batches: signed locally, sent as JSON-RPC batches, mined many per block).
 * Prints the figures and writes them to docs/benchmarks-sdk.json.   npm run bench:sdk
 */
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { cpus } from "node:os";
import { createPublicClient, createWalletClient, encodeFunctionData, http, keccak256, toHex, type Abi, type Address, type Hex } from "viem";
import { nonceManager, privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { VerificationMethod, getNexusEvents, getTermsSeen, nexusAbi, publishSource, publishTask, watchNexusEvents } from "../src/sdk/index.ts";

const ROOT = new URL("../", import.meta.url);
const OUT = new URL("docs/benchmarks-sdk.json", ROOT);
const PIPELINED = 1_000;
const BACKFILL = 10_000;
// Hardhat's well-known development keys (accounts #0, #1, #2 of `hardhat node`).
const KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
] as const;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const t0 = performance.now();
const step = (what: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${what}`);
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const node = spawn(new URL("node_modules/.bin/hardhat", ROOT).pathname, ["node", "--hostname", "127.0.0.1", "--port", String(port)], {
  cwd: ROOT.pathname,
  stdio: ["ignore", "ignore", "pipe"],
});
let nodeErrors = "";
node.stderr.on("data", (d: Buffer) => (nodeErrors += d.toString()));
const stopNode = () => node.exitCode === null && node.kill("SIGTERM");
process.once("exit", stopNode);

async function rpc<T>(method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}
for (let started = Date.now(); ; ) {
  try {
    await rpc("eth_chainId");
    break;
  } catch {
    if (node.exitCode !== null || Date.now() - started > 60_000) throw new Error(`hardhat node did not start on ${url}\n${nodeErrors}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

step(`hardhat node up on ${url}`);
let getLogsRequests = 0;
const transport = http(url, {
  batch: false,
  onFetchRequest: (_request, init) => {
    if (typeof init.body === "string" && init.body.includes('"eth_getLogs"')) getLogsRequests++;
  },
});
const publicClient = createPublicClient({ chain: hardhat, transport, pollingInterval: 50 });
const [deployerKey, clientKey, bulkKey] = KEYS;
const deployer = createWalletClient({ chain: hardhat, transport, account: privateKeyToAccount(deployerKey) });
const artifact = async (name: string) =>
  JSON.parse(await readFile(new URL(`artifacts/contracts/${name}.sol/${name}.json`, ROOT), "utf8")) as { abi: Abi; bytecode: Hex };
async function deploy(name: string, args: unknown[] = []): Promise<Address> {
  const { abi, bytecode } = await artifact(name);
  const hash = await deployer.deployContract({ abi, bytecode, args });
  const { contractAddress } = await publicClient.waitForTransactionReceipt({ hash });
  if (!contractAddress) throw new Error(`${name} was not deployed`);
  return contractAddress;
}
const taskImpl = await deploy("Task");
const sourceImpl = await deploy("Source");
const owner = deployer.account.address;
const nexus = await deploy("Nexus", [owner, owner, 100, 7n * 86_400n, taskImpl, sourceImpl]);

// One FIRST_RESPONSE source, long expiries, a 1 gwei minimum payment.
const account = privateKeyToAccount(clientKey, { nonceManager });
const client = createWalletClient({ chain: hardhat, transport, account });
const params = {
  metadataUri: "ipfs://QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
  metadataHash: keccak256(toHex("bench")),
  environments: 1,
  deliveryMethod: 1,
  maxConcurrentAttempts: 1,
  attemptTimeout: 600,
  maxExpiryDuration: 30 * 86_400,
  reviewWindow: 0,
  minPayment: 1_000_000_000n,
  minAvailableLockup: 0n,
  lapsePenalty: 0n,
  verification: VerificationMethod.NONE,
  quorum: 0,
} as const;
const { source, wait } = await publishSource(client, { nexus, params });
await wait();
const payment = params.minPayment;
const expiryTime = BigInt((await publicClient.getBlock()).timestamp) + 20n * 86_400n;
const configHash = keccak256(toHex("config"));

step(`deployed; source ${source}`);
// 1. Pipelined publishTask: send after send, never waiting for a receipt in between.
const before = await publicClient.getBlockNumber();
const t1 = performance.now();
const tasks: Address[] = [];
for (let i = 0; i < PIPELINED; i++) {
  const sent = await publishTask(client, { nexus, source, configUri: `ipfs://bench/${i}`, configHash, expiryTime, payment });
  tasks.push(sent.task);
}
const lastNonce = await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
while ((await publicClient.getTransactionCount({ address: account.address })) < lastNonce) await new Promise((r) => setTimeout(r, 20));
const publishSeconds = (performance.now() - t1) / 1000;
const landed = await getNexusEvents(publicClient, { nexus, events: "TaskPublished", args: { client: account.address }, fromBlock: before + 1n });
const landedTasks = new Set(landed.map((e) => (e.eventName === "TaskPublished" ? e.args.task : "")));
if (landed.length !== PIPELINED || !tasks.every((t) => landedTasks.has(t))) throw new Error(`only ${landed.length} of ${PIPELINED} tasks landed`);

step(`${PIPELINED} pipelined tasks landed`);
// 2. 10,000 tasks in bulk: signed locally with explicit nonces, sent in JSON-RPC batches, mined many per block.
const bulk = privateKeyToAccount(bulkKey);
const seen = await getTermsSeen(publicClient, { source, nexus });
const t2 = performance.now();
const gas = (await publicClient.estimateContractGas({ account: bulk, address: nexus, abi: nexusAbi, functionName: "publishTask", args: [bulk.address, source, "ipfs://bulk/0", configHash, expiryTime, payment, 1n, seen], value: payment })) * 12n / 10n;
const maxFeePerGas = ((await publicClient.getBlock()).baseFeePerGas ?? 1_000_000_000n) * 4n + 1_000_000_000n;
let nonce = await publicClient.getTransactionCount({ address: bulk.address });
await rpc("evm_setAutomine", [false]);
for (let offset = 0; offset < BACKFILL; offset += 500) {
  const raws = await Promise.all(
    Array.from({ length: Math.min(500, BACKFILL - offset) }, (_, k) =>
      bulk.signTransaction({
        chainId: hardhat.id,
        type: "eip1559",
        to: nexus,
        nonce: nonce + k,
        gas,
        maxFeePerGas,
        maxPriorityFeePerGas: 1_000_000_000n,
        value: payment,
        data: encodeFunctionData({ abi: nexusAbi, functionName: "publishTask", args: [bulk.address, source, `ipfs://bulk/${offset + k}`, configHash, expiryTime, payment, BigInt(offset + k + 1), seen] }),
      }),
    ),
  );
  nonce += raws.length;
  const body = raws.map((raw, k) => ({ jsonrpc: "2.0", id: k, method: "eth_sendRawTransaction", params: [raw] }));
  const replies = (await (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json()) as { error?: { message: string } }[];
  const failed = replies.find((r) => r.error);
  if (failed) throw new Error(`eth_sendRawTransaction: ${failed.error?.message}`);
  // Mine what is pending (as many per block as the block gas limit allows).
  while ((await publicClient.getTransactionCount({ address: bulk.address })) < nonce) await rpc("evm_mine");
}
await rpc("evm_setAutomine", [true]);
const bulkSeconds = (performance.now() - t2) / 1000;

step(`${BACKFILL} bulk tasks mined`);
// 3. Backfill with the watcher, from block 0 to the head.
const head = await publicClient.getBlockNumber();
getLogsRequests = 0;
const t3 = performance.now();
let events = 0;
let published = 0;
const stop = new AbortController();
for await (const batch of watchNexusEvents(publicClient, { nexus, fromBlock: 0n, emptyBatches: true, pollingInterval: 50, signal: stop.signal })) {
  events += batch.events.length;
  published += batch.events.filter((e) => e.eventName === "TaskPublished").length;
  if (batch.type === "events" && batch.toBlock >= head) break;
}
const backfillSeconds = (performance.now() - t3) / 1000;
stop.abort();
if (published !== PIPELINED + BACKFILL) throw new Error(`backfill saw ${published} TaskPublished, expected ${PIPELINED + BACKFILL}`);

const round = (x: number) => Math.round(x * 1000) / 1000;
const report = {
  measuredAt: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", node: process.version },
  chain: "hardhat node over HTTP, 127.0.0.1, automine",
  publishTasksPipelined: { tasks: PIPELINED, seconds: round(publishSeconds), tasksPerSecond: round(PIPELINED / publishSeconds), allLanded: true },
  publishTasksBulk: { tasks: BACKFILL, seconds: round(bulkSeconds), note: "signed locally, JSON-RPC batches of 500, mined many per block" },
  watcherBackfill: { fromBlock: 0, toBlock: Number(head), blocks: Number(head) + 1, events, taskPublished: published, seconds: round(backfillSeconds), eventsPerSecond: round(events / backfillSeconds), getLogsRequests,
    note: "viem's HTTP transport refuses replies over 10 MB: ranges it refused were cut and asked again (counted in getLogsRequests)" },
};
await writeFile(OUT, `${JSON.stringify(report, null, 2)}\n`);
console.log(`publish ${PIPELINED} tasks, one key, pipelined (SDK publishTask + nonceManager): ${report.publishTasksPipelined.seconds} s (${report.publishTasksPipelined.tasksPerSecond} tasks/s), all landed`);
console.log(`(setup) publish ${BACKFILL} tasks in bulk: ${report.publishTasksBulk.seconds} s`);
console.log(`watchNexusEvents backfill, blocks 0..${head}: ${events} events (${published} TaskPublished) in ${report.watcherBackfill.seconds} s (${report.watcherBackfill.eventsPerSecond} events/s, ${getLogsRequests} eth_getLogs requests)`);
console.log(`written to ${OUT.pathname}`);
stopNode();
