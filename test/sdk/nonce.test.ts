// One key, many transactions in flight: 200 concurrent publishTask calls from ONE account all land, each at
// the address predicted before it mined. In-process with viem's nonce manager on a local account (the
// recommended pattern), with createNexusNonceManager on a JSON-RPC account, and over HTTP against an
// automining `hardhat node`, where only ordered sends survive.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { network } from "hardhat";
import { createWalletClient, custom, getAddress, http, isAddressEqual, nonceManager, parseEther, type Account, type Address, type Chain, type Client, type Transport } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNexusNonceManager, getTask, publishSource, publishTask, type NexusNonceManager } from "../../src/sdk/actions/index.ts";
import { configHash, deployNexus, HOUR, sourceParams, type Fixture } from "./actions-fixtures.ts";

const COUNT = 200;
const PAYMENT = parseEther("0.001");

/** Sends COUNT publishTask at once from one account; checks every one landed where it was predicted. */
async function publishMany(
  wallet: Client<Transport, Chain, Account>,
  source: Address,
  label: string,
  options: { nonceManager?: NexusNonceManager } = {},
) {
  const expiryTime = BigInt(Math.floor(Date.now() / 1000)) + 10n * HOUR;
  const started = performance.now();
  const sent = await Promise.all(
    Array.from({ length: COUNT }, (_, i) =>
      publishTask(wallet, { ...options, source, configUri: `ipfs://${label}/${i}`, configHash: configHash(`${label}${i}`), expiryTime, payment: PAYMENT }),
    ),
  );
  const mined = await Promise.all(sent.map((s) => s.wait({ pollingInterval: 20 })));
  const elapsed = performance.now() - started;
  expect(new Set(sent.map((s) => s.task)).size).toBe(COUNT);
  const nonces = new Set<number>();
  for (const [i, { receipt, events }] of mined.entries()) {
    expect(receipt.status).toBe("success");
    const published = events.find((e) => e.eventName === "TaskPublished");
    expect(published?.eventName === "TaskPublished" && isAddressEqual(published.args.task, sent[i]!.task)).toBe(true);
    expect(published?.eventName === "TaskPublished" && published.args.salt).toBe(sent[i]!.salt);
    const tx = await wallet.request({ method: "eth_getTransactionByHash", params: [receipt.transactionHash] });
    nonces.add(Number(tx?.nonce));
  }
  expect(nonces.size).toBe(COUNT);
  return elapsed;
}

describe("in-process chain", () => {
  let f: Fixture;
  let source: Address;
  beforeAll(async () => {
    f = await deployNexus();
    const s = await publishSource(f.client, { params: sourceParams({ minPayment: PAYMENT }) });
    await s.wait();
    source = s.source;
  });
  afterAll(async () => {
    await f.connection.close();
  });

  it(`lands ${COUNT} concurrent publishTask from one local account with viem's nonceManager`, async () => {
    const account = privateKeyToAccount(generatePrivateKey(), { nonceManager });
    await f.connection.networkHelpers.setBalance(account.address, parseEther("100"));
    const wallet = createWalletClient({ account, chain: f.publicClient.chain, transport: custom(f.connection.provider), pollingInterval: 20 });
    const ms = await publishMany(wallet, source, "local");
    console.info(`nonce: ${COUNT} publishTask from one local account (viem nonceManager, in-process): ${ms.toFixed(0)} ms`);
    const { terms } = await getTask(f.publicClient, { task: (await publishTask(wallet, { source, configUri: "x", configHash: configHash("last"), expiryTime: (await f.now()) + HOUR, payment: PAYMENT, salt: 7n })).task });
    expect(terms.salt).toBe(7n);
  });

  it(`lands ${COUNT} concurrent publishTask from one JSON-RPC account with createNexusNonceManager`, async () => {
    const ms = await publishMany(f.other, source, "jsonrpc", { nonceManager: createNexusNonceManager() });
    console.info(`nonce: ${COUNT} publishTask from one JSON-RPC account (createNexusNonceManager, in-process): ${ms.toFixed(0)} ms`);
  });
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

describe("HTTP, automining hardhat node (refuses nonce gaps)", () => {
  let node: ChildProcess | undefined;
  let url: string;
  let close: () => Promise<void>;
  let source: Address;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    node = spawn("node_modules/.bin/hardhat", ["node", "--hostname", "127.0.0.1", "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      let out = "";
      node!.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("Started HTTP")) resolve();
      });
      node!.once("exit", (code) => reject(new Error(`hardhat node exited with ${code}: ${out}`)));
    });
    // Deployed without Ignition (no deployment journal on disk); same deployer and order, so the
    // addresses are the built-in 31337 deployment's.
    const connection = await network.create({ network: "localhost", override: { url } });
    close = () => connection.close();
    const src = await connection.viem.deployContract("Source");
    const tsk = await connection.viem.deployContract("Task");
    const [deployer] = await connection.viem.getWalletClients();
    await connection.viem.deployContract("Nexus", [deployer!.account.address, deployer!.account.address, 100, 7n * 86_400n, tsk.address, src.address]);
    const s = await publishSource(deployer!, { params: sourceParams({ minPayment: PAYMENT }) });
    await s.wait();
    source = s.source;
    await deployer!.sendTransaction({ to: getAddress(keyAccount.address), value: parseEther("100") });
  }, 60_000);
  afterAll(async () => {
    await close?.();
    if (node?.pid) process.kill(node.pid);
  });

  const keyAccount = privateKeyToAccount(generatePrivateKey(), { nonceManager: createNexusNonceManager() });

  it(`lands ${COUNT} concurrent publishTask from one local account with createNexusNonceManager`, async () => {
    const wallet = createWalletClient({ account: keyAccount, chain: { ...(await import("viem/chains")).hardhat }, transport: http(url), pollingInterval: 20 });
    const ms = await publishMany(wallet, source, "http");
    console.info(`nonce: ${COUNT} publishTask from one local account (createNexusNonceManager, HTTP hardhat node): ${ms.toFixed(0)} ms`);
  });
});
