// Shared set-up of the event tests: an in-process Hardhat chain with GPU Nexus deployed, a source, and
// helpers that publish tasks (one per block, or several in one block).
import { network } from "hardhat";
import { keccak256, parseEther, toHex, type Address, type Hash } from "viem";
import GpuNexus from "../../ignition/modules/GpuNexus.ts";
import { VerificationMethod, nexusAbi } from "../../src/sdk/abis.ts";
import { getTermsSeen } from "../../src/sdk/actions/reads.ts";
import type { NexusEvent, NexusEventBatch } from "../../src/sdk/events/index.ts";

export const PAYMENT = parseEther("0.01");

export async function createEventsFixture() {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;
  const publicClient = await viem.getPublicClient({ pollingInterval: 20 });
  const [deployer, client, other] = await viem.getWalletClients();
  if (!deployer || !client || !other) throw new Error("need 3 accounts");
  const deployed = await connection.ignition.deploy(GpuNexus, { displayUi: false });
  const nexus = (deployed.nexus as { address: Address }).address;
  const wait = async (hash: Promise<Hash>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error("transaction reverted");
    return receipt;
  };

  const params = {
    metadataUri: "ipfs://QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
    metadataHash: keccak256(toHex("metadata")),
    environments: 1,
    deliveryMethod: 1,
    maxConcurrentAttempts: 2,
    attemptTimeout: 600,
    maxExpiryDuration: 86_400,
    reviewWindow: 0,
    minPayment: PAYMENT,
    minAvailableLockup: 0n,
    lapsePenalty: 0n,
    verification: VerificationMethod.NONE,
    quorum: 0,
  } as const;
  const sourceSalt = toHex(1n, { size: 32 });
  const source = await publicClient.readContract({ address: nexus, abi: nexusAbi, functionName: "predictSourceAddress", args: [client.account.address, sourceSalt] });
  await wait(client.writeContract({ address: nexus, abi: nexusAbi, functionName: "publishSource", args: [params, sourceSalt] }));

  const seen = await getTermsSeen(publicClient, { source, nexus });
  let salt = 0n;
  /** Sends one publishTask; returns its hash without waiting (with automine off it stays pending). */
  const sendTask = async (tag: string, from = client) => {
    const expiry = BigInt(await networkHelpers.time.latest()) + 3_600n;
    return from.writeContract({
      address: nexus,
      abi: nexusAbi,
      functionName: "publishTask",
      args: [from.account!.address, source, `ipfs://config-${tag}`, keccak256(toHex(tag)), expiry, PAYMENT, ++salt, seen],
      value: PAYMENT,
    });
  };
  /** Publishes tasks one block each; returns their config URIs (a unique tag per task). */
  const publishTasks = async (tags: string[]) => {
    for (const tag of tags) await wait(sendTask(tag));
    return tags.map((t) => `ipfs://config-${t}`);
  };
  /** Publishes several tasks in one block. */
  const publishInOneBlock = async (tags: string[]) => {
    await connection.provider.request({ method: "evm_setAutomine", params: [false] });
    const hashes: Hash[] = [];
    for (const tag of tags) hashes.push(await sendTask(tag));
    await networkHelpers.mine();
    await connection.provider.request({ method: "evm_setAutomine", params: [true] });
    for (const hash of hashes) await wait(Promise.resolve(hash));
    return tags.map((t) => `ipfs://config-${t}`);
  };
  return { connection, networkHelpers, publicClient, client, other, nexus, source, publishTasks, publishInOneBlock, sendTask, wait };
}

/** The config URIs of the TaskPublished events of some events (the tests' way to name tasks). */
export function configUris(events: readonly NexusEvent[]): string[] {
  return events.flatMap((e) => (e.eventName === "TaskPublished" ? [e.args.configUri] : []));
}

/** Pulls batches from an iterator until `done(all)` is true or the timeout passes. */
export async function collect(
  iterator: AsyncIterator<NexusEventBatch>,
  done: (batches: NexusEventBatch[]) => boolean,
  timeoutMs = 20_000,
): Promise<NexusEventBatch[]> {
  const batches: NexusEventBatch[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done(batches)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out with ${batches.length} batch(es): ${JSON.stringify(batches.map(describe))}`);
    const result = await Promise.race([iterator.next(), new Promise<"timeout">((r) => setTimeout(() => r("timeout"), left))]);
    if (result === "timeout") continue;
    if (result.done === true) break;
    batches.push(result.value);
  }
  return batches;
}

export function describe(batch: NexusEventBatch): string {
  return `${batch.type}[${configUris(batch.events).join(",")}]@${batch.cursor.blockNumber}`;
}

/** Config URIs of the `events` batches, in delivery order. */
export function delivered(batches: readonly NexusEventBatch[]): string[] {
  return batches.flatMap((b) => (b.type === "events" ? configUris(b.events) : []));
}
