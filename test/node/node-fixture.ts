// Shared world of the provider-node tests: a real dev chain over HTTP (`hardhat node` by default, Anvil on request;
// see chains.ts), GPU Nexus deployed to it from the build artifacts, the embedded IPFS dev node, and a client /
// master / provider set up the way PROTOCOL.md describes (paired, staked, registered). Each test file builds its
// own world.
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import {
  createPublicClient,
  createWalletClient,
  http,
  parseEther,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { readContract } from "viem/actions";
import { VerificationMethod, vaultAbi, type SourceParams } from "../../src/sdk/abis.ts";
import { announceMaster, announceProvider } from "../../src/sdk/actions/registry.ts";
import { publishSource, register, updateSource } from "../../src/sdk/actions/sources.ts";
import { publishTask } from "../../src/sdk/actions/tasks.ts";
import { deposit, lock } from "../../src/sdk/actions/vault.ts";
import { getNexusEvents } from "../../src/sdk/events/index.ts";
import { createIpfs, uploadBytes, uploadJson, type IpfsClient } from "../../src/sdk/ipfs/index.ts";
import { startIpfsDevNode } from "../../src/ipfs-dev-node/index.ts";
import { nodeConfigSchema, type NodeConfig, type NodeConfigInput } from "../../src/node/config.ts";
import { createLogger } from "../../src/node/logger.ts";
import { createProviderNode } from "../../src/node/node.ts";
import { setBalance } from "../../src/devnet/dev-chain.ts";
import { rpc, startChain, type ChainKind, type TestChain } from "./chains.ts";

export { freePort } from "./chains.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
export const MATMUL_ENTRY = join(ROOT, "examples/matmul-source/handler.ts");
export const FEE_BPS = 100n;

type Artifact = { abi: Abi; bytecode: Hex };
const artifact = async (name: string): Promise<Artifact> =>
  JSON.parse(await readFile(join(ROOT, `artifacts/contracts/${name}.sol/${name}.json`), "utf8")) as Artifact;

export type Wallet = WalletClient<Transport, Chain | undefined, Account>;

export type World = Awaited<ReturnType<typeof createWorld>>;

/**
 * Deploys the protocol (same order as ignition/modules/GpuNexus.ts), pairs and stakes a provider, on a chain of
 * `chain`'s kind. Whatever it started is stopped again if a later step fails: a beforeAll that throws leaves the
 * test file no world to close.
 */
export async function createWorld(options: { chain?: ChainKind } = {}) {
  const scratchBase = join(ROOT, ".tmp");
  await mkdir(scratchBase, { recursive: true });
  const scratch = await mkdtemp(join(scratchBase, "gn-node-"));
  let chain: TestChain | undefined;
  let ipfsNode: Awaited<ReturnType<typeof startIpfsDevNode>> | undefined;
  try {
    chain = await startChain(options.chain ?? "hardhat");
    ipfsNode = await startIpfsDevNode({ dir: join(scratch, "ipfs") });
    return await buildWorld(scratch, chain, ipfsNode);
  } catch (error) {
    await ipfsNode?.close().catch(() => undefined);
    await chain?.close().catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
}

async function buildWorld(scratch: string, chain: TestChain, ipfsNode: Awaited<ReturnType<typeof startIpfsDevNode>>) {
  const ipfs: IpfsClient = createIpfs({ rpcUrl: ipfsNode.rpcUrl, gatewayUrl: ipfsNode.gatewayUrl });
  const publicClient: PublicClient<Transport, Chain | undefined> = createPublicClient({ transport: http(chain.rpcUrl), pollingInterval: 50 });
  // Fresh keys hold nothing on any chain: set their balance with whichever method the node offers.
  const fund = async (address: Address, value: bigint) => {
    if ((await setBalance(chain.rpcUrl, address, value)) === undefined) throw new Error(`${chain.kind} offers no set-balance method`);
  };
  const wallet = async (): Promise<Wallet> => {
    const account = privateKeyToAccount(generatePrivateKey());
    await fund(account.address, parseEther("1000"));
    return createWalletClient({ account, transport: http(chain.rpcUrl), pollingInterval: 50 });
  };
  const providerKey = generatePrivateKey();
  const providerAccount = privateKeyToAccount(providerKey);
  await fund(providerAccount.address, parseEther("100"));
  const provider: Wallet = createWalletClient({ account: providerAccount, transport: http(chain.rpcUrl), pollingInterval: 50 });
  const [deployer, client, master, keeper] = [await wallet(), await wallet(), await wallet(), await wallet()];

  const deploy = async (name: string, args: unknown[] = []) => {
    const a = await artifact(name);
    const hash = await deployer.deployContract({ abi: a.abi, bytecode: a.bytecode, args, chain: null });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (!receipt.contractAddress) throw new Error(`${name} not deployed`);
    return receipt.contractAddress;
  };
  const sourceImpl = await deploy("Source");
  const taskImpl = await deploy("Task");
  const me = deployer.account.address;
  const nexus = await deploy("Nexus", [me, me, Number(FEE_BPS), 86_400n, taskImpl, sourceImpl]);
  const vault = await readContract(publicClient, { address: nexus, abi: (await artifact("Nexus")).abi, functionName: "vault" }) as Address;
  const opts = { nexus, chain: null } as const;

  const done = async (sent: Promise<{ wait: () => Promise<unknown> }>) => (await sent).wait();
  await done(announceProvider(master, { ...opts, provider: providerAccount.address, maxPenalty: parseEther("0.1") }));
  await done(announceMaster(provider, { ...opts, master: master.account.address }));
  await done(deposit(master, { ...opts, value: parseEther("10") }));
  await done(lock(master, { ...opts, amount: parseEther("5") }));

  const composeCpu = await readFile(join(ROOT, "examples/matmul-source/compose.cpu.yml"));

  /** Publishes a source (metadata + compose pinned) and registers the provider to it in the CPU environment. */
  const pinMetadata = async (p: { tamperCompose?: boolean | undefined; description?: string | undefined }) => {
    const compose = await uploadBytes(ipfs, composeCpu);
    const composeSha256 = p.tamperCompose ? (`0x${"ab".repeat(32)}` as Hex) : compose.sha256;
    return uploadJson(ipfs, {
      name: "matmul",
      description: p.description ?? "example matmul source",
      logoUrl: "",
      cpu: compose.uri,
      nvidia: "",
      amd: "",
      composeSha256: { cpu: composeSha256 },
      schemaVersion: 1,
    });
  };
  const sourceParamsOf = new Map<Address, SourceParams>();
  const createSource = async (p: {
    deliveryMethod: 0 | 1;
    attemptTimeout?: number;
    maxConcurrentAttempts?: number;
    tamperCompose?: boolean;
    registerProvider?: boolean;
    /** AGREEMENT with this quorum (FIRST_RESPONSE delivery); NONE when absent. */
    quorum?: number;
  }) => {
    const metadata = await pinMetadata(p);
    const params: SourceParams = {
      metadataUri: metadata.uri,
      metadataHash: metadata.sha256,
      environments: 1,
      deliveryMethod: p.deliveryMethod,
      maxConcurrentAttempts: p.maxConcurrentAttempts ?? 2,
      attemptTimeout: p.attemptTimeout ?? 300,
      maxExpiryDuration: 86_400,
      reviewWindow: 3_600,
      minPayment: 1_000n,
      minAvailableLockup: parseEther("1"),
      lapsePenalty: parseEther("0.1"),
      verification: p.quorum === undefined ? VerificationMethod.NONE : VerificationMethod.AGREEMENT,
      quorum: p.quorum ?? 0,
    };
    const sent = await publishSource(client, { ...opts, params });
    await sent.wait();
    sourceParamsOf.set(sent.source, params);
    if (p.registerProvider ?? true) await done(register(provider, { ...opts, source: sent.source, provider: providerAccount.address, environment: 1 }));
    return sent.source;
  };

  /** Publishes a task with its config pinned; `tamperHash` commits to other bytes than the pinned ones. */
  const createTask = async (source: Address, config: { function_name: string; data: unknown }, p: { payment?: bigint; tamperHash?: boolean; expirySeconds?: number } = {}) => {
    const pinned = await uploadJson(ipfs, config);
    const configHash = p.tamperHash ? (`0x${"cd".repeat(32)}` as Hex) : pinned.sha256;
    const latest = await publicClient.getBlock();
    const expiryTime = latest.timestamp + BigInt(p.expirySeconds ?? 3_600);
    const payment = p.payment ?? parseEther("0.5");
    const sent = await publishTask(client, { ...opts, source, configUri: pinned.uri, configHash, expiryTime, payment });
    await sent.wait();
    return sent.task;
  };

  /** A provider paired with a master of its own (funded, staked like the first), registered to `sources`. */
  const providerWithOwnMaster = async (sources: readonly Address[]) => {
    const [newMaster, newProvider] = [await wallet(), await wallet()];
    await done(announceProvider(newMaster, { ...opts, provider: newProvider.account.address, maxPenalty: parseEther("0.1") }));
    await done(announceMaster(newProvider, { ...opts, master: newMaster.account.address }));
    await done(deposit(newMaster, { ...opts, value: parseEther("10") }));
    await done(lock(newMaster, { ...opts, amount: parseEther("5") }));
    for (const source of sources) await done(register(newProvider, { ...opts, source, provider: newProvider.account.address, environment: 1 }));
    return { master: newMaster, provider: newProvider };
  };
  /**
   * Another provider registered to `source`, competing for its slots. It has a master of its own: a master
   * attempts a task once, so a rival of the same master could not attempt beside the node at all.
   */
  const extraProvider = async (source: Address) => (await providerWithOwnMaster([source])).provider;
  /** Updates a source: new handler metadata (another document, same compose) when `description` is given, else only its minimum payment. */
  const updateSourceOf = async (source: Address, p: { description?: string } = {}) => {
    const previous = sourceParamsOf.get(source);
    if (previous === undefined) throw new Error(`not a source of this world: ${source}`);
    const metadata = p.description === undefined ? undefined : await pinMetadata(p);
    const params = { ...previous, minPayment: previous.minPayment + 1n, ...(metadata ? { metadataUri: metadata.uri, metadataHash: metadata.sha256 } : {}) };
    await done(updateSource(client, { ...opts, source, params }));
    sourceParamsOf.set(source, params);
  };
  const registerProvider = (source: Address) => done(register(provider, { ...opts, source, provider: providerAccount.address, environment: 1 }));

  const countEvents = async (task: Address) => {
    const events = await getNexusEvents(publicClient, { nexus, events: ["TaskAttempted", "ResponseCommitted", "ResponseSubmitted", "AttemptLapsed"], args: { task }, fromBlock: 0n });
    const count = (name: string) => events.filter((e) => e.eventName === name).length;
    return { attempted: count("TaskAttempted"), committed: count("ResponseCommitted"), responded: count("ResponseSubmitted"), lapsed: count("AttemptLapsed"), events };
  };
  const balanceOf = (account: Address) => readContract(publicClient, { address: vault, abi: vaultAbi, functionName: "balanceOf", args: [account] });

  /** A complete node config for this world; `overrides` are merged at the top level. */
  const nodeConfig = (overrides: Partial<NodeConfigInput> & { stateDir: string }): NodeConfig =>
    nodeConfigSchema.parse({
      rpcUrl: chain.rpcUrl,
      nexus,
      ipfs: { rpcUrl: ipfsNode.rpcUrl, gatewayUrl: ipfsNode.gatewayUrl },
      runtime: "local-process",
      localProcess: { entries: { "*": MATMUL_ENTRY } },
      environments: ["cpu"],
      pollingIntervalMs: 100,
      minTimeToDeadlineMs: 5_000,
      submitMarginMs: 2_000,
      stackHealthTimeoutMs: 60_000,
      metrics: { enabled: false },
      retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 },
      logLevel: process.env.GN_TEST_LOG ?? "silent",
      ...overrides,
    });

  const increaseTime = async (seconds: number) => {
    await rpc(chain.rpcUrl, "evm_increaseTime", [seconds]);
    await rpc(chain.rpcUrl, "evm_mine", []);
  };

  const close = async () => {
    await ipfsNode.close();
    await chain.close();
    await rm(scratch, { recursive: true, force: true });
  };

  return {
    scratch,
    chain,
    ipfs,
    ipfsNode,
    publicClient,
    nexus,
    vault,
    client,
    master,
    keeper,
    provider,
    providerKey,
    providerAddress: providerAccount.address,
    providerAccount,
    opts,
    createSource,
    createTask,
    extraProvider,
    providerWithOwnMaster,
    registerProvider,
    updateSource: updateSourceOf,
    countEvents,
    balanceOf,
    nodeConfig,
    increaseTime,
    close,
  };
}

/**
 * A JSON-RPC pass-through in front of the chain that can be cut (connections refused at the socket) and restored:
 * the node under test sees an unreachable RPC while the chain itself keeps its state.
 */
export async function startRpcProxy(target: string): Promise<{ url: string; cut: () => void; restore: () => void; close: () => Promise<void> }> {
  let down = false;
  const server = createHttpServer((request, response) => {
    if (down) return void request.socket.destroy();
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) })
        .then(async (upstream) => response.writeHead(upstream.status, { "content-type": "application/json" }).end(await upstream.text()))
        .catch(() => request.socket.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut: () => {
      down = true;
      server.closeAllConnections();
    },
    restore: () => {
      down = false;
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
/** A node's log, as the tests read it: each JSON line parsed, in order, and the raw text. */
export type CapturedLog = { destination: Writable; lines: Array<Record<string, unknown>>; text: () => string };

/** A pino destination that keeps everything a node logs, for a test to assert on what it said. */
export function captureLog(): CapturedLog {
  const lines: Array<Record<string, unknown>> = [];
  let raw = "";
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw += chunk.toString();
      for (const line of chunk.toString().split("\n")) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { destination, lines, text: () => raw };
}

/** A started provider node of `world` for `account`, with its own state folder and its log captured at info. */
export async function startLoggedNode(world: World, name: string, account: Account, overrides: Partial<NodeConfigInput> = {}) {
  const log = captureLog();
  const node = createProviderNode(world.nodeConfig({ stateDir: join(world.scratch, `state-${name}`), logLevel: "info", ...overrides }), {
    account,
    logger: createLogger({ level: "info", destination: log.destination }),
  });
  await node.start();
  return { node, lines: log.lines };
}

export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
