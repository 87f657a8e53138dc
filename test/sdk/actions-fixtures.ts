// Shared set-up for the SDK action tests: a fresh in-process Hardhat chain with GPU Nexus deployed by
// Ignition (its addresses equal the built-in 31337 deployment), named wallets and source parameters.
import { network } from "hardhat";
import { keccak256, parseEther, toHex, type Address, type Hex } from "viem";
import GpuNexus from "../../ignition/modules/GpuNexus.ts";
import {
  announceMaster,
  announceProvider,
  deposit,
  lock,
  publishSource,
  publishTask,
  register,
} from "../../src/sdk/actions/index.ts";
import { VerificationMethod, type SourceParams } from "../../src/sdk/abis.ts";

export const HOUR = 3600n;

export async function deployNexus() {
  const connection = await network.create();
  const deployed = await connection.ignition.deploy(GpuNexus, { displayUi: false });
  const publicClient = await connection.viem.getPublicClient();
  const wallets = await connection.viem.getWalletClients();
  const [owner, client, master, provider, provider2, agent, other, master2] = wallets;
  if (!owner || !client || !master || !provider || !provider2 || !agent || !other || !master2) throw new Error("need 8 accounts");
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
    master2,
    agent,
    other,
    time,
    nexus: (deployed.nexus as { address: Address }).address,
    vault: (deployed.vault as { address: Address }).address,
    registry: (deployed.registry as { address: Address }).address,
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
    verification: VerificationMethod.NONE,
    quorum: 0,
    ...overrides,
  };
}

export const configHash = (n: number | string): Hex => keccak256(toHex(n));

/**
 * A working protocol: `provider` paired with `master` and `provider2` with `master2` (a master attempts a task once;
 * each deposited 10 ETH and locked 5), a FIRST_RESPONSE source and a MANUAL_CONFIRMATION source by `client`, both
 * providers registered to both.
 */
export async function setupProtocol(f: Fixture) {
  const { client, master, provider, provider2, master2 } = f;
  const done = async (p: Promise<{ wait: () => Promise<unknown> }>) => (await p).wait();
  for (const [m, p] of [[master, provider], [master2, provider2]] as const) {
    await done(announceProvider(m, { provider: p.account.address, maxPenalty: parseEther("0.01") }));
    await done(announceMaster(p, { master: m.account.address }));
    await done(deposit(m, { value: parseEther("10") }));
    await done(lock(m, { amount: parseEther("5") }));
  }
  const fr = await publishSource(client, { params: sourceParams({ deliveryMethod: 1 }) });
  const manual = await publishSource(client, { params: sourceParams({ deliveryMethod: 0 }) });
  await fr.wait();
  await manual.wait();
  for (const p of [provider, provider2]) {
    await done(register(p, { source: fr.source, provider: p.account.address, environment: 1 }));
    await done(register(p, { source: manual.source, provider: p.account.address, environment: 1 }));
  }
  const newTask = async (source: Address, overrides: { payment?: bigint; expiresIn?: bigint } = {}) => {
    const payment = overrides.payment ?? parseEther("0.01");
    const sent = await publishTask(client, {
      source,
      configUri: "ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
      configHash: configHash(`task-${Math.random()}`),
      expiryTime: (await f.now()) + (overrides.expiresIn ?? 2n * HOUR),
      payment,
    });
    await sent.wait();
    return sent.task;
  };
  return { frSource: fr.source, manualSource: manual.source, newTask };
}
