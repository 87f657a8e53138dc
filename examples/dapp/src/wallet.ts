// Connecting: an injected EIP-1193 wallet (window.ethereum) or, on a local chain only, a dev account whose key is
// typed into the page. Reads always go to the configured RPC URL; writes go through the connected wallet.
import { createIpfs, type IpfsClient } from "gpu-nexus";
import {
  createPublicClient,
  createWalletClient,
  custom,
  defineChain,
  getAddress,
  http,
  isAddress,
  isHex,
  toHex,
  type Account,
  type Address,
  type Chain,
  type EIP1193Provider,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import type { NetworkConfig } from "./config.ts";

export type Session = {
  kind: "injected" | "dev";
  address: Address;
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  wallet: WalletClient<Transport, Chain, Account>;
  ipfs: IpfsClient;
  nexus: Address;
  config: NetworkConfig;
};

/** Hardhat's and Anvil's public development mnemonic: its accounts are funded on every local chain. */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
/** Chains a typed-in dev key may be used on. */
export const LOCAL_CHAIN_IDS: readonly number[] = [31337, 1337];
const POLLING_MS = 500;

/** The private key of Hardhat dev account #index (public knowledge: for local chains only). */
export function hardhatDevKey(index: number): Hex {
  const key = mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index }).getHdKey().privateKey;
  if (key === null) throw new Error("no private key derived");
  return toHex(key);
}

export function injectedProvider(): EIP1193Provider | undefined {
  return (window as Window & { ethereum?: EIP1193Provider }).ethereum;
}

type Network = Omit<Session, "kind" | "address" | "wallet">;

async function openNetwork(config: NetworkConfig): Promise<Network> {
  if (!isAddress(config.nexus)) throw new Error(`The Nexus address "${config.nexus}" is not an address.`);
  const nexus = getAddress(config.nexus);
  const id = await createPublicClient({ transport: http(config.rpcUrl) }).getChainId();
  const chain = defineChain({
    id,
    name: LOCAL_CHAIN_IDS.includes(id) ? "GPU Nexus local chain" : `Chain ${id}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  });
  const publicClient = createPublicClient({ chain, transport: http(config.rpcUrl), pollingInterval: POLLING_MS });
  const code = await publicClient.getCode({ address: nexus });
  if (code === undefined || code === "0x") {
    throw new Error(`No contract at ${nexus} on chain ${id} (${config.rpcUrl}). Is the demo running, and is this its Nexus address?`);
  }
  const ipfs = createIpfs({ rpcUrl: config.ipfsRpcUrl, gatewayUrl: config.ipfsGatewayUrl === "" ? undefined : config.ipfsGatewayUrl });
  return { chain, publicClient, ipfs, nexus, config };
}

/** Signs with a typed-in private key, over the configured RPC URL. Refused on chains other than local ones. */
export async function connectDevAccount(config: NetworkConfig, privateKey: string): Promise<Session> {
  const key = privateKey.trim();
  if (!isHex(key) || key.length !== 66) throw new Error("A dev account key is 32 bytes of hex: 0x followed by 64 hex digits.");
  const network = await openNetwork(config);
  if (!LOCAL_CHAIN_IDS.includes(network.chain.id)) {
    throw new Error(`Local dev accounts are for local chains only (${LOCAL_CHAIN_IDS.join(", ")}); this RPC serves chain ${network.chain.id}. Use a browser wallet.`);
  }
  const account = privateKeyToAccount(key);
  const wallet = createWalletClient({ account, chain: network.chain, transport: http(config.rpcUrl), pollingInterval: POLLING_MS });
  return { kind: "dev", address: account.address, wallet, ...network };
}

/** Asks the injected wallet for an account and to switch to (or add) the configured chain. */
export async function connectInjected(config: NetworkConfig): Promise<Session> {
  const provider = injectedProvider();
  if (provider === undefined) throw new Error("No browser wallet found (window.ethereum is not set).");
  const network = await openNetwork(config);
  const bare = createWalletClient({ chain: network.chain, transport: custom(provider) });
  const [address] = await bare.requestAddresses();
  if (address === undefined) throw new Error("The wallet returned no account.");
  if ((await bare.getChainId()) !== network.chain.id) {
    try {
      await bare.switchChain({ id: network.chain.id });
    } catch {
      await bare.addChain({ chain: network.chain });
      await bare.switchChain({ id: network.chain.id });
    }
  }
  const wallet = createWalletClient({ account: address, chain: network.chain, transport: custom(provider), pollingInterval: POLLING_MS });
  return { kind: "injected", address, wallet, ...network };
}
