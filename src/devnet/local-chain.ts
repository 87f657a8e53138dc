/**
 * The embedded chain of local runs: Hardhat's simulated network served over JSON-RPC on 127.0.0.1, and the
 * protocol deployed to it with the project's Ignition module. Node-only (imports hardhat).
 */
import { network } from "hardhat";
import type { Address } from "viem";
import GpuNexus from "../../ignition/modules/GpuNexus.ts";

export type LocalChain = {
  rpcUrl: string;
  port: number;
  close: () => Promise<void>;
};

export type SuiteAddresses = {
  nexus: Address;
  vault: Address;
  registry: Address;
  taskImplementation: Address;
  sourceImplementation: Address;
};

export type DeploySuiteParameters = {
  /** JSON-RPC URL of the chain; its first unlocked account deploys. */
  rpcUrl: string;
  feeBps?: number;
  unbondingPeriod?: bigint;
};

/**
 * Serves a fresh simulated chain (chain id 31337, Hardhat's funded dev accounts) on `host:port`. Besides
 * automining, it mines an empty block every `blockIntervalMs`: with automine alone the chain's clock stands
 * still between transactions, and expiry, lapses and settlement are judged by block time.
 */
export async function startLocalChain({ host = "127.0.0.1", port = 8545, blockIntervalMs = 1_000 } = {}): Promise<LocalChain> {
  const server = await network.createServer("default", host, port);
  const { address, port: actualPort } = await server.listen();
  const rpcUrl = `http://${address}:${actualPort}`;
  if (blockIntervalMs > 0) {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_setIntervalMining", params: [blockIntervalMs] }),
    });
    if (!response.ok) throw new Error(`evm_setIntervalMining failed: HTTP ${response.status}`);
  }
  return { rpcUrl, port: actualPort, close: () => server.close() };
}

/** Deploys the suite with the Ignition module to the chain behind `networkName` and returns its addresses. */
export async function deploySuite({
  rpcUrl,
  feeBps = 100,
  unbondingPeriod = 7n * 86_400n,
}: DeploySuiteParameters): Promise<SuiteAddresses> {
  const connection = await network.create({ network: "localhost", override: { url: rpcUrl } });
  try {
    const deployed = await connection.ignition.deploy(GpuNexus, {
      displayUi: false,
      // A fresh id per run: a local chain restarts empty, so an earlier journal would not match it.
      deploymentId: `local-${Date.now()}`,
      parameters: { GpuNexus: { feeBps, unbondingPeriod } },
    });
    return {
      nexus: deployed.nexus.address,
      vault: deployed.vault.address,
      registry: deployed.registry.address,
      taskImplementation: deployed.taskImplementation.address,
      sourceImplementation: deployed.sourceImplementation.address,
    };
  } finally {
    await connection.close();
  }
}
