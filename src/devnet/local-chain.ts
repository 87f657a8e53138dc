/**
 * The embedded chain of local runs: Hardhat's simulated network served over JSON-RPC on 127.0.0.1, and the
 * protocol deployed to it with the project's Ignition module. Node-only (imports hardhat).
 */
import { createServer } from "node:net";
import { network } from "hardhat";
import type { Address } from "viem";
import GpuNexus from "../../ignition/modules/GpuNexus.ts";
import { LocalChainStartError, rootReason } from "./errors.ts";

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
  // Hardhat's server re-emits a taken port on its WebSocket server, where nothing listens for it: the process dies
  // with an unhandled 'error' event instead of a rejected listen(). Binding the port first turns that into an error.
  if (port !== 0) await assertPortFree(host, port);
  const server = await network.createServer("default", host, port);
  let listening: { address: string; port: number };
  try {
    listening = await server.listen();
  } catch (error) {
    throw new LocalChainStartError(host, port, rootReason(error), { cause: error });
  }
  const { address, port: actualPort } = listening;
  const rpcUrl = `http://${address}:${actualPort}`;
  if (blockIntervalMs > 0) {
    // Hardhat's evm_setIntervalMining takes milliseconds and keeps automine on. (Anvil's takes seconds and turns
    // automine off, so this call is for the embedded Hardhat chain only; an Anvil node gets `--block-time`.)
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_setIntervalMining", params: [blockIntervalMs] }),
    });
    if (!response.ok) throw new Error(`evm_setIntervalMining failed: HTTP ${response.status}`);
  }
  return { rpcUrl, port: actualPort, close: () => server.close() };
}

async function assertPortFree(host: string, port: number): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", (error) => reject(new LocalChainStartError(host, port, rootReason(error), { cause: error })));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Deploys the suite with the Ignition module to the chain at `rpcUrl` (any dev node) and returns its addresses. */
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
