// Bound terms through the SDK, as a dapp uses it: publishTask binds the source version and fee it read, so a
// source update or a fee change mined before the client's transaction (a front-run in the mempool) reverts it
// instead of publishing the task on other terms.
import { getAddress, parseEther, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as sdk from "../../src/sdk/actions/index.ts";
import { isNexusRevert, TransactionRevertedError } from "../../src/sdk/errors/index.ts";
import { getSourceVersion, SourceVersionNotFoundError } from "../../src/sdk/events/index.ts";
import { configHash, deployNexus, HOUR, sourceParams, type Fixture } from "./actions-fixtures.ts";

let f: Fixture;
const addr = (w: { account: { address: Address } }) => getAddress(w.account.address);
const PAYMENT = parseEther("0.01");

beforeAll(async () => {
  f = await deployNexus();
});
afterAll(async () => {
  await f.connection.close();
});

/** A MANUAL source with a lapse penalty, published by `other` (the source owner, not the client). */
async function ownersSource(): Promise<Address> {
  const sent = await sdk.publishSource(f.other, { params: sourceParams({ deliveryMethod: 0, lapsePenalty: parseEther("0.01") }) });
  await sent.wait();
  return sent.source;
}

const publish = async (source: Address, extra: { seen?: sdk.GetTermsSeenReturnType } = {}) =>
  sdk.publishTask(f.client, {
    source,
    configUri: "ipfs://QmConfig",
    configHash: configHash(`bound-${Math.random()}`),
    expiryTime: (await f.now()) + HOUR,
    payment: PAYMENT,
    ...extra,
  });

/**
 * Sends the client's publish, then the attacker's transaction outbidding its tip, and mines them in one block:
 * the attacker's lands first, as a front-runner's would. Returns the client's outcome.
 */
async function frontRun(clientSends: () => Promise<{ hash: `0x${string}`; task: Address; wait: () => Promise<unknown> }>, attackerSends: (fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }) => Promise<{ wait: () => Promise<unknown> }>) {
  const { networkHelpers, provider } = f.connection;
  await provider.request({ method: "evm_setAutomine", params: [false] });
  try {
    const victim = await clientSends();
    const seen = await f.publicClient.getTransaction({ hash: victim.hash });
    const tip = (seen.maxPriorityFeePerGas ?? 0n) * 2n + 1_000_000_000n;
    const attack = await attackerSends({ maxFeePerGas: (seen.maxFeePerGas ?? 0n) + tip, maxPriorityFeePerGas: tip });
    await networkHelpers.mine(1);
    await provider.request({ method: "evm_setAutomine", params: [true] });
    await attack.wait();
    const outcome = await victim.wait().catch((e: unknown) => e);
    return { victim, outcome };
  } finally {
    await provider.request({ method: "evm_setAutomine", params: [true] });
  }
}

describe("bound terms", () => {
  it("publishTask binds the version it read: the task records it, and a later version is bound after an update", async () => {
    const source = await ownersSource();
    const first = await publish(source);
    await first.wait();
    expect((await sdk.getTask(f.publicClient, { task: first.task })).terms.sourceVersion).toBe(1);
    await (await sdk.updateSource(f.other, { source, params: sourceParams({ deliveryMethod: 0, minPayment: 2n }) })).wait();
    expect(await sdk.getTermsSeen(f.publicClient, { source })).toEqual({ sourceVersion: 2, feeBps: (await sdk.getProtocolConfig(f.publicClient)).feeBps });
    expect((await sdk.getSource(f.publicClient, { source })).version).toBe(2);
    const second = await publish(source);
    await second.wait();
    expect((await sdk.getTask(f.publicClient, { task: second.task })).terms.sourceVersion).toBe(2);
  });

  it("a source owner's update mined before the client's publish reverts it: no task on the new terms, no escrow", async () => {
    const source = await ownersSource();
    const balanceBefore = (await sdk.getVaultPosition(f.publicClient, { account: addr(f.client) })).balance;
    const { victim, outcome } = await frontRun(
      () => publish(source, {}),
      // Paid on first bytes, no penalty, the longest timeout: what a colluding owner switches a MANUAL task to.
      (fees) => sdk.updateSource(f.other, { source, params: sourceParams({ deliveryMethod: 1, lapsePenalty: 0n, attemptTimeout: 43_200 }), ...fees }),
    );
    expect(outcome).toBeInstanceOf(TransactionRevertedError);
    const revert = (outcome as TransactionRevertedError).revert;
    expect(isNexusRevert(revert, "SourceChanged")).toBe(true);
    expect(isNexusRevert(revert, "SourceChanged") && revert.args).toMatchObject({ source, seenVersion: 1, version: 2 });
    expect(await sdk.isNexusContract(f.publicClient, { address: victim.task, kind: "task" })).toBe(false);
    expect((await sdk.getVaultPosition(f.publicClient, { account: addr(f.client) })).balance).toBe(balanceBefore);
  });

  it("a fee raise mined before the client's publish reverts it", async () => {
    const source = await ownersSource();
    const { feeBps } = await sdk.getProtocolConfig(f.publicClient);
    try {
      const { outcome } = await frontRun(() => publish(source), (fees) => sdk.setFee(f.owner, { feeBps: 1_000, ...fees }));
      const revert = (outcome as TransactionRevertedError).revert;
      expect(isNexusRevert(revert, "FeeChanged") && revert.args).toMatchObject({ seenFeeBps: feeBps, feeBps: 1_000 });
    } finally {
      await (await sdk.setFee(f.owner, { feeBps })).wait();
    }
  });

  it("binds what the user was shown when the dapp passes it, however long ago it was read", async () => {
    const source = await ownersSource();
    const shown = await sdk.getTermsSeen(f.publicClient, { source });
    await (await sdk.updateSource(f.other, { source, params: sourceParams({ deliveryMethod: 1, lapsePenalty: 0n }) })).wait();
    // Refused at simulation, before anything is sent.
    const err = await publish(source, { seen: shown }).catch((e: unknown) => e);
    expect(isNexusRevert(err, "SourceChanged")).toBe(true);
    expect((err as Error).message).toContain("was updated after you read it (version 1, now 2)");
  });

  it("getSourceVersion gives the parameters (the handler metadata) of any version a source had", async () => {
    const source = await ownersSource();
    const v1 = sourceParams({ deliveryMethod: 0, lapsePenalty: parseEther("0.01") });
    const v2 = sourceParams({ deliveryMethod: 0, metadataUri: "ipfs://handler-v2", metadataHash: configHash("handler v2") });
    await (await sdk.updateSource(f.other, { source, params: v2 })).wait();
    expect((await getSourceVersion(f.publicClient, { source, version: 1 })).params).toEqual(v1);
    expect((await getSourceVersion(f.publicClient, { source, version: 2 })).params).toEqual(v2);
    const missing = await getSourceVersion(f.publicClient, { source, version: 3 }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SourceVersionNotFoundError);
    expect(missing).toMatchObject({ source, sourceVersion: 3 });
  });
});
