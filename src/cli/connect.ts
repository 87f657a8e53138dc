// One connection per command: the RPC client (chain id asked once), the deployment to talk to, the signing
// wallet (key loaded only when a command signs) and the IPFS client.
import { createPublicClient, createWalletClient, defineChain, http, type Account, type Address, type Chain, type PublicClient, type Transport, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { getChainId, getCode } from "viem/actions";
import { getDeployment, NoDeploymentError, registerDeployment, resolveDeployment, type NexusDeployment } from "../sdk/chains.ts";
import { decodeNexusError } from "../sdk/errors/decode.ts";
import type { IpfsClient } from "../sdk/ipfs/client.ts";
import type { CliContext, Globals } from "./command.ts";
import { findDeployment, loadPrivateKey } from "./config.ts";
import { UsageError } from "./errors.ts";

/** Chains that are thrown away and redeployed freely (Hardhat, Anvil, Ganache). */
export const DEV_CHAIN_IDS: ReadonlySet<number> = new Set([31337, 1337]);

export type SignerClient = WalletClient<Transport, Chain, Account>;

export type Session = {
  chainId: number;
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  pollingInterval: number;
  /** Undefined only when connect() was asked not to resolve one (deploy). */
  deployment: NexusDeployment;
  nexus: Address;
  /** The configured key's wallet; throws a UsageError when no key is configured. */
  wallet: () => Promise<SignerClient>;
  /** The configured key's address, or undefined when no key is configured. */
  accountAddress: () => Promise<Address | undefined>;
  /** The IPFS client (created on first use). */
  ipfs: () => Promise<IpfsClient>;
};

type ConnectInput = {
  globals: Globals;
  ctx: CliContext;
  keyFile?: string | undefined;
  /** The command signs: check the key before touching the network (a bad key is a usage error, exit 2). */
  signer?: boolean | undefined;
};

export function makeTransport(url: string): Transport {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`invalid --rpc-url "${url}"`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new UsageError(`--rpc-url must be http(s):// (got ${parsed.protocol})`);
  return http(url, { retryCount: 1, timeout: 20_000 });
}

/** Connects to the RPC node and learns the chain. Network failures surface as NexusRpcError (exit 3). */
export async function connectChain(globals: Globals, ctx: CliContext): Promise<{ chainId: number; chain: Chain; transport: Transport; pollingInterval: number }> {
  const transport = makeTransport(globals.rpcUrl);
  let chainId: number;
  try {
    chainId = await getChainId(createPublicClient({ transport }));
  } catch (err) {
    throw decodeNexusError(err);
  }
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [globals.rpcUrl] } },
  });
  const pollingInterval = ctx.config.pollingIntervalMs ?? (DEV_CHAIN_IDS.has(chainId) ? 500 : 4_000);
  return { chainId, chain, transport, pollingInterval };
}

async function pickDeployment(client: PublicClient<Transport, Chain>, globals: Globals, chainId: number): Promise<NexusDeployment> {
  const recorded = await findDeployment(globals.deploymentsPath, chainId);
  if (globals.nexus !== undefined) {
    if (recorded && recorded.nexus === globals.nexus) return registerDeployment(recorded);
    try {
      return registerDeployment(await resolveDeployment(client, { nexus: globals.nexus }));
    } catch (err) {
      const decoded = decodeNexusError(err);
      if (decoded.name === "NexusRpcError") throw decoded;
      throw new UsageError(`${globals.nexus} does not look like a GPU Nexus contract on chain ${chainId}`);
    }
  }
  if (recorded) return registerDeployment(recorded);
  const known = getDeployment(chainId);
  if (!known) throw new NoDeploymentError(chainId);
  return known;
}

export async function connect(input: ConnectInput): Promise<Session> {
  const { globals, ctx } = input;
  const key = input.signer ? await loadPrivateKey(input.keyFile ?? globals.keyFile, ctx.config) : undefined;
  const { chainId, chain, transport, pollingInterval } = await connectChain(globals, ctx);
  const publicClient = createPublicClient({ chain, transport, pollingInterval });
  const deployment = await pickDeployment(publicClient, globals, chainId);
  let code: string | undefined;
  try {
    code = await getCode(publicClient, { address: deployment.nexus });
  } catch (err) {
    throw decodeNexusError(err);
  }
  if (code === undefined || code === "0x") {
    throw new UsageError(
      `there is no contract at the Nexus address ${deployment.nexus} on chain ${chainId}`,
      DEV_CHAIN_IDS.has(chainId) ? "The local chain was probably restarted: run `gpunexus deploy` again." : "Check --nexus, --rpc-url and the deployments file.",
    );
  }
  let wallet: Promise<SignerClient> | undefined;
  const loadWallet = () =>
    (wallet ??= (key === undefined ? loadPrivateKey(input.keyFile ?? globals.keyFile, ctx.config) : Promise.resolve(key)).then((k) =>
      createWalletClient({ account: privateKeyToAccount(k), chain, transport, pollingInterval }),
    ));
  let ipfs: Promise<IpfsClient> | undefined;
  return {
    chainId,
    chain,
    publicClient,
    pollingInterval,
    deployment,
    nexus: deployment.nexus,
    wallet: loadWallet,
    accountAddress: async () => {
      const configured = input.keyFile ?? globals.keyFile ?? ctx.config.privateKey ?? ctx.config.keyFile;
      return configured === undefined ? undefined : (await loadWallet()).account.address;
    },
    ipfs: () =>
      (ipfs ??= import("../sdk/ipfs/client.ts").then(({ createIpfs }) =>
        createIpfs({ rpcUrl: globals.ipfsRpc, gatewayUrl: globals.ipfsGateway, timeoutMs: 30_000 }),
      )),
  };
}
