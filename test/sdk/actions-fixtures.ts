// Shared set-up for the SDK action tests: a fresh in-process Hardhat chain with GPU Nexus deployed by
// Ignition (its addresses equal the built-in 31337 deployment), named wallets and source parameters.
import { network } from "hardhat";
import { keccak256, parseEther, toHex, type Address, type Hex } from "viem";
import GpuNexus from "../../ignition/modules/GpuNexus.ts";
import type { SourceParams } from "../../src/sdk/index.ts";

export const HOUR = 3600n;

export async function deployNexus() {
  const connection = await network.create();
  const deployed = await connection.ignition.deploy(GpuNexus, { displayUi: false });
  const publicClient = await connection.viem.getPublicClient();
  const wallets = await connection.viem.getWalletClients();
  const [owner, client, master, provider, provider2, agent, other] = wallets;
  if (!owner || !client || !master || !provider || !provider2 || !agent || !other) throw new Error("need 7 accounts");
  const { time } = connection.networkHelpers;
  return {
    connection,
    publicClient,
    wallets,
    owner,
    client,
    master,
    provider,
    provider2,
    agent,
    other,
    time,
    nexus: deployed.nexus.address as Address,
    vault: deployed.vault.address as Address,
    registry: deployed.registry.address as Address,
    now: async () => BigInt(await time.latest()),
  };
}
export type Fixture = Awaited<ReturnType<typeof deployNexus>>;

export function sourceParams(overrides: Partial<SourceParams> = {}): SourceParams {
  return {
    metadataUri: "ipfs://QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
    metadataHash: keccak256(toHex("metadata")),
    environments: 1,
    deliveryMethod: 1,
    maxConcurrentAttempts: 3,
    attemptTimeout: 600,
    maxExpiryDuration: 86_400,
    reviewWindow: 3_600,
    minPayment: parseEther("0.001"),
    minAvailableLockup: parseEther("1"),
    lapsePenalty: parseEther("0.01"),
    ...overrides,
  };
}

export const configHash = (n: number | string): Hex => keccak256(toHex(n));
