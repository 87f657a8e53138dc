// Shared set-up of the flow tests: the in-process chain with GPU Nexus, the embedded IPFS dev node, a client,
// a master with stake, and providers paired with it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import { getAddress, parseEther, type Address, type Hash } from "viem";
import GpuNexus from "../../ignition/modules/GpuNexus.ts";
import { startIpfsDevNode } from "../../src/ipfs-dev-node/index.ts";
import { VerificationMethod, nexusAbi } from "../../src/sdk/abis.ts";
import { createIpfs } from "../../src/sdk/ipfs/index.ts";

export const PAYMENT = parseEther("0.01");
export const CPU_COMPOSE = `services:
  handler:
    image: gpu-nexus/echo:1
    ports: ["\${PORT}:5555"]
    environment: [CALLBACK_URL, SOURCE_ADDRESS, PROVIDER_ADDRESS]
`;
export const NVIDIA_COMPOSE = `${CPU_COMPOSE}    deploy:
      resources:
        reservations:
          devices: [{ driver: nvidia, count: 1, capabilities: [gpu] }]
`;

/** Source parameters besides the derived metadataUri / metadataHash / environments. */
export function sourceParams(deliveryMethod: 0 | 1, minPayment = PAYMENT) {
  return {
    deliveryMethod,
    maxConcurrentAttempts: 3,
    attemptTimeout: 600,
    maxExpiryDuration: 86_400,
    reviewWindow: deliveryMethod === 0 ? 3_600 : 0,
    minPayment,
    minAvailableLockup: parseEther("1"),
    lapsePenalty: parseEther("0.001"),
    verification: VerificationMethod.NONE,
    quorum: 0,
  } as const;
}

/** A wallet's address, checksummed as decoded events and reads return it. */
export const addr = (wallet: { account: { address: Address } }): Address => getAddress(wallet.account.address);

export async function createFlowsFixture() {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;
  const publicClient = await viem.getPublicClient({ pollingInterval: 25 });
  const [, client, master, provider1, provider2, keeper, master2] = await viem.getWalletClients({ pollingInterval: 25 });
  if (!client || !master || !provider1 || !provider2 || !keeper || !master2) throw new Error("need 7 accounts");
  const deployed = await connection.ignition.deploy(GpuNexus, { displayUi: false });
  const nexus = (deployed.nexus as { address: Address }).address;

  const dir = await mkdtemp(join(tmpdir(), "gpu-nexus-flows-"));
  const node = await startIpfsDevNode({ dir });
  const ipfs = createIpfs({ rpcUrl: node.rpcUrl, gatewayUrl: node.gatewayUrl, timeoutMs: 10_000 });

  const send = async (hash: Promise<Hash>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error("transaction reverted");
    return receipt;
  };
  // One master per provider (a master attempts a task once), each staking 5 ETH and accepting up to 1 ETH of lapse
  // penalty per attempt: more than any source here.
  for (const [m, p] of [[master, provider1], [master2, provider2]] as const) {
    await send(m.writeContract({ address: nexus, abi: nexusAbi, functionName: "announceProvider", args: [p.account.address, parseEther("1")] }));
    await send(p.writeContract({ address: nexus, abi: nexusAbi, functionName: "announceMaster", args: [m.account.address] }));
    await send(m.writeContract({ address: nexus, abi: nexusAbi, functionName: "deposit", args: [m.account.address], value: parseEther("5") }));
    await send(m.writeContract({ address: nexus, abi: nexusAbi, functionName: "lock", args: [parseEther("5")] }));
  }
  const register = async (source: Address, environment = 1) => {
    for (const p of [provider1, provider2]) {
      await send(p.writeContract({ address: nexus, abi: nexusAbi, functionName: "register", args: [source, p.account.address, environment] }));
    }
  };

  const close = async () => {
    await node.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { connection, networkHelpers, publicClient, client, master, master2, provider1, provider2, keeper, nexus, ipfs, node, send, register, close };
}
export type FlowsFixture = Awaited<ReturnType<typeof createFlowsFixture>>;
