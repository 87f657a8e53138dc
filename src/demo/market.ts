// A whole local market in one process: chain, deployment, IPFS, the example source on both delivery methods,
// and provider nodes paired, staked and registered. Node-only; the demo's composition root drives it.
import { spawn } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import { createPublicClient, createWalletClient, http, parseEther, type Address, type Chain, type PublicClient, type Transport, type WalletClient } from "viem";
import { mnemonicToAccount, type HDAccount } from "viem/accounts";
import { DeliveryMethod, Environment, MAX_CONCURRENT_ATTEMPTS, VerificationMethod } from "../sdk/abis.ts";
import { announceMaster, announceProvider, createNexusNonceManager, deposit, lock, register } from "../sdk/actions/index.ts";
import { publishSourceWithMetadata } from "../sdk/flows/index.ts";
import { createIpfs, type Ipfs } from "../sdk/ipfs/index.ts";
import { registerDeployment } from "../sdk/chains.ts";
import { connectDevChain, describeFunding, fundAccounts } from "../devnet/dev-chain.ts";
import { deploySuite, startLocalChain, type SuiteAddresses } from "../devnet/local-chain.ts";
import { startIpfsDevNode } from "../ipfs-dev-node/index.ts";
import { nodeConfigSchema } from "../node/config.ts";
import { createProviderNode, type ProviderNode } from "../node/node.ts";
import { detectDocker } from "../node/runtime/index.ts";

/**
 * Hardhat's and Anvil's well-known development mnemonic. Only its first account is assumed funded (Hardhat funds
 * 20, Anvil 10, `anvil --accounts 1` one): the demo funds the others itself.
 */
const DEV_MNEMONIC = "test test test test test test test test test test test junk";
const ROOT = new URL("../../", import.meta.url).pathname;
const EXAMPLE = join(ROOT, "examples/matmul-source");
/** What each role account is brought up to: the client pays for tasks, masters deposit 10 ETH, providers pay gas. */
const ROLE_FUNDING = { client: parseEther("100"), master: parseEther("20"), provider: parseEther("10") } as const;
const MASTER_DEPOSIT = parseEther("10");
/** The demo's AGREEMENT source asks two masters to agree: one honest pair outvotes any single cheater. */
export const AGREEMENT_QUORUM = 2;

export type MarketOptions = {
  providers: number;
  /**
   * Dishonest provider nodes, each under its own master, that return made-up results (the example's cheating entry,
   * run as local processes). With any, an AGREEMENT source (quorum 2) is published for the workload.
   */
  cheaters?: number | undefined;
  /** External chain; default: an embedded one on 127.0.0.1. */
  rpcUrl?: string | undefined;
  port?: number | undefined;
  /** External IPFS (Kubo RPC API and gateway); default: the embedded dev node. */
  ipfsRpcUrl?: string | undefined;
  ipfsGatewayUrl?: string | undefined;
  runtime: "auto" | "docker-compose" | "local-process";
  workDir: string;
  log: (line: string) => void;
};

export type DemoAccount = { role: string; account: HDAccount; wallet: WalletClient<Transport, Chain, HDAccount> };

export type Market = {
  rpcUrl: string;
  chainId: number;
  addresses: SuiteAddresses;
  publicClient: PublicClient<Transport, Chain>;
  ipfs: Ipfs;
  ipfsRpcUrl: string;
  ipfsGatewayUrl: string | undefined;
  runtime: "docker-compose" | "local-process";
  client: DemoAccount;
  masters: DemoAccount[];
  providers: DemoAccount[];
  /** The cheating providers (their masters are in `masters`, role `cheater-master-N`). */
  cheaters: DemoAccount[];
  /** What each master deposited into the vault, to tell what it gained or lost. */
  deposits: Map<Address, bigint>;
  sources: { firstResponse: Address; manual: Address; agreement?: Address | undefined };
  nodes: ProviderNode[];
  deployBlock: bigint;
  close: () => Promise<void>;
};

function devAccount(index: number, role: string, rpcUrl: string, chain: Chain): DemoAccount {
  const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index, nonceManager: createNexusNonceManager() });
  const wallet = createWalletClient({ account, chain, transport: http(rpcUrl) });
  return { role, account, wallet };
}

async function buildExampleImage(log: (line: string) => void): Promise<void> {
  log("building the example image (gpunexus/matmul-source) locally");
  await new Promise<void>((resolve, reject) => {
    const child = spawn("bash", [join(ROOT, "scripts/build-example-image.sh")], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`build-example-image.sh exited ${code}: ${stderr.slice(-500)}`))));
  });
}

export async function startMarket(options: MarketOptions): Promise<Market> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    await mkdir(options.workDir, { recursive: true });
    let rpcUrl = options.rpcUrl;
    if (rpcUrl === undefined) {
      const chain = await startLocalChain({ port: options.port ?? 8545 });
      cleanups.push(chain.close);
      rpcUrl = chain.rpcUrl;
    }
    // Before anything is sent: the node answers, is a dev chain, and its first account has funds (typed errors).
    const dev = await connectDevChain(rpcUrl);
    const chainId = dev.chainId;
    options.log(`chain: ${options.rpcUrl === undefined ? "embedded Hardhat network" : "external"} at ${rpcUrl} (${dev.clientVersion ?? "unknown node"}, chain id ${chainId})`);
    const publicClient = createPublicClient({ chain: dev.chain, transport: http(rpcUrl), pollingInterval: 250 });

    const client = devAccount(1, "client", dev.rpcUrl, dev.chain);
    const masters = [devAccount(2, "master-1", dev.rpcUrl, dev.chain), devAccount(3, "master-2", dev.rpcUrl, dev.chain)];
    const providers = Array.from({ length: options.providers }, (_, i) => devAccount(10 + i, `provider-${i + 1}`, dev.rpcUrl, dev.chain));
    const cheaterCount = options.cheaters ?? 0;
    const cheaterMasters = Array.from({ length: cheaterCount }, (_, i) => devAccount(40 + i, `cheater-master-${i + 1}`, dev.rpcUrl, dev.chain));
    const cheaters = Array.from({ length: cheaterCount }, (_, i) => devAccount(60 + i, `cheater-${i + 1}`, dev.rpcUrl, dev.chain));
    const funding = await fundAccounts(dev, [
      { label: client.role, address: client.account.address, amount: ROLE_FUNDING.client },
      ...[...masters, ...cheaterMasters].map((m) => ({ label: m.role, address: m.account.address, amount: ROLE_FUNDING.master })),
      ...[...providers, ...cheaters].map((p) => ({ label: p.role, address: p.account.address, amount: ROLE_FUNDING.provider })),
    ]);
    options.log(describeFunding(funding));

    const addresses = await deploySuite({ rpcUrl });
    const deployBlock = await publicClient.getBlockNumber();
    registerDeployment({ chainId, ...addresses, deployBlock: 0 });
    options.log(`deployed with Ignition: Nexus ${addresses.nexus}`);

    let ipfsRpcUrl = options.ipfsRpcUrl;
    let ipfsGatewayUrl = options.ipfsGatewayUrl;
    if (ipfsRpcUrl === undefined) {
      const node = await startIpfsDevNode({ dir: join(options.workDir, "ipfs") });
      cleanups.push(node.close);
      ipfsRpcUrl = node.rpcUrl;
      ipfsGatewayUrl = node.gatewayUrl;
      options.log(`ipfs: embedded Kubo-RPC dev node at ${ipfsRpcUrl}`);
    } else {
      options.log(`ipfs: external at ${ipfsRpcUrl}`);
    }
    const ipfs = createIpfs({ rpcUrl: ipfsRpcUrl, gatewayUrl: ipfsGatewayUrl });

    let runtime: Market["runtime"] = options.runtime === "auto" ? ((await detectDocker()) ? "docker-compose" : "local-process") : options.runtime;
    if (runtime === "docker-compose") await buildExampleImage(options.log);
    options.log(
      runtime === "docker-compose"
        ? "runtime: Docker Compose (a Docker daemon answers)"
        : "runtime: local processes (no Docker daemon answers; handlers run as child processes)",
    );

    const composeCpu = await readFile(join(EXAMPLE, "compose.cpu.yml"), "utf8");
    const composeNvidia = await readFile(join(EXAMPLE, "compose.nvidia.yml"), "utf8");
    const common = {
      maxConcurrentAttempts: Math.max(1, options.providers),
      attemptTimeout: 300,
      maxExpiryDuration: 86_400,
      reviewWindow: 600,
      minPayment: parseEther("0.001"),
      minAvailableLockup: parseEther("1"),
      lapsePenalty: parseEther("0.01"),
      verification: VerificationMethod.NONE as VerificationMethod,
      quorum: 0 as number,
    };
    const publish = async (name: string, params: Partial<typeof common> & { deliveryMethod: DeliveryMethod }) => {
      const sent = await publishSourceWithMetadata(client.wallet, {
        nexus: addresses.nexus,
        ipfs,
        metadata: { name, description: "Seeded matrix multiplication; returns the sha256 of the product so answers can be compared." },
        compose: { cpu: composeCpu, nvidia: composeNvidia },
        params: { ...common, ...params },
      });
      await sent.wait();
      return sent.source;
    };
    const sources: Market["sources"] = {
      firstResponse: await publish("matmul (first response)", { deliveryMethod: DeliveryMethod.FIRST_RESPONSE }),
      manual: await publish("matmul (manual confirmation)", { deliveryMethod: DeliveryMethod.MANUAL_CONFIRMATION }),
    };
    options.log(`sources: FIRST_RESPONSE ${sources.firstResponse}, MANUAL_CONFIRMATION ${sources.manual}`);
    if (cheaterCount > 0) {
      // Every provider, honest or not, holds a slot: the jury is everyone who answers, and two masters must agree.
      sources.agreement = await publish("matmul (agreement of 2)", {
        deliveryMethod: DeliveryMethod.FIRST_RESPONSE,
        verification: VerificationMethod.AGREEMENT,
        quorum: AGREEMENT_QUORUM,
        maxConcurrentAttempts: Math.min(MAX_CONCURRENT_ATTEMPTS, options.providers + cheaterCount),
      });
      options.log(`sources: AGREEMENT (quorum ${AGREEMENT_QUORUM}) ${sources.agreement}`);
    }

    const deposits = new Map<Address, bigint>();
    const enlist = async (provider: DemoAccount, master: DemoAccount, registerTo: Address[]) => {
      const nexus = addresses.nexus;
      // The master accepts the demo sources' lapse penalty per attempt, and no more (PROTOCOL.md "The master's consent").
      await (await announceProvider(master.wallet, { nexus, provider: provider.account.address, maxPenalty: parseEther("0.01") })).wait();
      await (await announceMaster(provider.wallet, { nexus, master: master.account.address })).wait();
      if (!deposits.has(master.account.address)) {
        await (await deposit(master.wallet, { nexus, beneficiary: master.account.address, value: MASTER_DEPOSIT })).wait();
        await (await lock(master.wallet, { nexus, amount: parseEther("5") })).wait();
        deposits.set(master.account.address, MASTER_DEPOSIT);
      }
      for (const source of registerTo) {
        await (await register(provider.wallet, { nexus, source, provider: provider.account.address, environment: Environment.CPU })).wait();
      }
    };
    const allSources = [sources.firstResponse, sources.manual, ...(sources.agreement === undefined ? [] : [sources.agreement])];
    for (const [i, provider] of providers.entries()) await enlist(provider, masters[i % masters.length]!, allSources);
    options.log(`providers: ${providers.length} paired with ${Math.min(masters.length, providers.length)} master(s), staked and registered`);
    // A cheater needs its own master: one master holds one attempt per task, and quorum counts masters.
    for (const [i, cheater] of cheaters.entries()) await enlist(cheater, cheaterMasters[i]!, [sources.agreement!]);
    if (cheaterCount > 0) options.log(`cheaters: ${cheaterCount} provider(s) that return made-up results, each under its own staked master`);

    const nodes: ProviderNode[] = [];
    const operators = [
      ...providers.map((account, i) => ({ account, name: `provider-${i + 1}`, runtime, entry: join(EXAMPLE, "handler.ts"), pollingIntervalMs: 250 })),
      // The cheating entry runs as a local process whatever the honest runtime: no image carries it. A cheater wants
      // its reveal in before the honest pair agrees (a later one is refused, and nothing is won): it polls faster.
      ...cheaters.map((account, i) => ({
        account,
        name: `cheater-${i + 1}`,
        runtime: "local-process" as const,
        entry: join(EXAMPLE, "cheating-handler.ts"),
        pollingIntervalMs: 100,
      })),
    ];
    for (const { account: provider, name, runtime: nodeRuntime, entry, pollingIntervalMs } of operators) {
      const config = nodeConfigSchema.parse({
        rpcUrl,
        nexus: addresses.nexus,
        fromBlock: String(deployBlock),
        ipfs: { rpcUrl: ipfsRpcUrl, gatewayUrl: ipfsGatewayUrl },
        runtime: nodeRuntime,
        localProcess: { entries: { "*": entry } },
        environments: ["cpu"],
        stateDir: join(options.workDir, name),
        pollingIntervalMs,
        minTimeToDeadlineMs: 5_000,
        submitMarginMs: 2_000,
        metrics: { enabled: true, port: 0 },
        shutdownGraceMs: 5_000,
        logLevel: "info",
      });
      const logger: Logger = pino({ level: "info" }, pino.destination({ dest: join(options.workDir, `${name}.log`), sync: false }));
      const node = createProviderNode(config, { account: provider.account, logger });
      const info = await node.start();
      nodes.push(node);
      cleanups.push(() => node.stop());
      options.log(`${name} node: ${provider.account.address}, metrics ${info.metricsUrl ?? "off"}, log ${join(options.workDir, `${name}.log`)}`);
    }

    return {
      rpcUrl,
      chainId,
      addresses,
      publicClient,
      ipfs,
      ipfsRpcUrl,
      ipfsGatewayUrl,
      runtime,
      client,
      masters: [...masters, ...cheaterMasters],
      providers,
      cheaters,
      deposits,
      sources,
      nodes,
      deployBlock,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
