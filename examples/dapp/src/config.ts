// The page's network configuration: from the URL query, else from the demo's endpoints (served by the dapp's Vite
// server), else local defaults.
import { getDeployment } from "gpu-nexus";
import { isAddress, type Address, type Hex } from "viem";

export type NetworkConfig = {
  rpcUrl: string;
  nexus: string;
  ipfsRpcUrl: string;
  ipfsGatewayUrl: string;
};
export const CONFIG_KEYS = ["rpcUrl", "nexus", "ipfsRpcUrl", "ipfsGatewayUrl"] as const;

/** What `npm run demo -- --keep-running` writes to .tmp/demo/endpoints.json (Hardhat dev keys only). */
export type DemoEndpoints = {
  rpcUrl: string;
  chainId: number;
  nexus: Address;
  ipfsRpcUrl: string;
  ipfsGatewayUrl: string;
  sources: { firstResponse: Address; manual: Address };
  accounts: { client: { address: Address; privateKey: Hex } };
};

export const LOCAL_CHAIN_ID = 31337;
export const DEFAULTS: NetworkConfig = {
  rpcUrl: "http://127.0.0.1:8545",
  nexus: getDeployment(LOCAL_CHAIN_ID)?.nexus ?? "",
  ipfsRpcUrl: "http://127.0.0.1:5001",
  ipfsGatewayUrl: "http://127.0.0.1:8080",
};

/** The page's own IPFS RPC proxy (see ../dev-server.ts); only the dapp's Vite server (dev or preview) has it. */
export function proxiedIpfsRpcUrl(): string {
  return `${location.origin}/ipfs-rpc`;
}

export type ServerInfo = {
  /** True when the page is served by the dapp's Vite server, which proxies IPFS RPC calls. */
  devServer: boolean;
  demo: DemoEndpoints | undefined;
};

/** Asks the page's server for the demo endpoints; a static host answers 404 without the dev server's header. */
export async function fetchServerInfo(): Promise<ServerInfo> {
  try {
    const response = await fetch("./demo/endpoints.json", { cache: "no-store" });
    const devServer = response.headers.get("x-gpu-nexus-dev-server") === "1";
    if (!response.ok) return { devServer, demo: undefined };
    const demo = (await response.json()) as DemoEndpoints;
    return { devServer, demo: isAddress(demo.nexus) ? demo : undefined };
  } catch {
    return { devServer: false, demo: undefined };
  }
}

export type ConfigOrigin = "query" | "demo" | "default";

/** Query parameters win, then the demo endpoints, then the defaults; IPFS RPC goes through the proxy when there is one. */
export function initialConfig(query: URLSearchParams, server: ServerInfo): { config: NetworkConfig; origin: Record<keyof NetworkConfig, ConfigOrigin> } {
  const demo: Partial<NetworkConfig> = server.demo
    ? { rpcUrl: server.demo.rpcUrl, nexus: server.demo.nexus, ipfsGatewayUrl: server.demo.ipfsGatewayUrl }
    : {};
  const defaults: NetworkConfig = { ...DEFAULTS, ...(server.devServer ? { ipfsRpcUrl: proxiedIpfsRpcUrl() } : {}) };
  const config = { ...defaults };
  const origin = { rpcUrl: "default", nexus: "default", ipfsRpcUrl: "default", ipfsGatewayUrl: "default" } as Record<keyof NetworkConfig, ConfigOrigin>;
  for (const key of CONFIG_KEYS) {
    const fromQuery = query.get(key);
    const fromDemo = demo[key];
    if (fromQuery !== null && fromQuery !== "") {
      config[key] = fromQuery;
      origin[key] = "query";
    } else if (fromDemo !== undefined && fromDemo !== "") {
      config[key] = fromDemo;
      origin[key] = "demo";
    }
  }
  return { config, origin };
}

/** Keeps the URL shareable: the applied configuration goes into the query string. */
export function writeQuery(config: NetworkConfig): void {
  const url = new URL(location.href);
  for (const key of CONFIG_KEYS) {
    if (config[key] === "") url.searchParams.delete(key);
    else url.searchParams.set(key, config[key]);
  }
  history.replaceState(null, "", url);
}
