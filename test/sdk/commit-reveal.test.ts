// Results bound to their provider, through the SDK and a real mempool: a provider commits its response, then reveals
// it in a later block. The copier is another provider with a live attempt on the same task: it reads the honest
// reveal from the mempool and sends its copies with a higher tip, so they are mined first.
import { decodeFunctionData, getAddress, parseEther, type Address, type Hash } from "viem";
import { writeContract } from "viem/actions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nexusAbi } from "../../src/sdk/abis.ts";
import * as sdk from "../../src/sdk/actions/index.ts";
import { isNexusRevert } from "../../src/sdk/errors/index.ts";
import { configHash, deployNexus, setupProtocol, type Fixture } from "./actions-fixtures.ts";

let f: Fixture;
let p: Awaited<ReturnType<typeof setupProtocol>>;
const addr = (w: { account: { address: Address } }) => getAddress(w.account.address);
const PAYMENT = parseEther("0.01");
const RESULT = { resultUri: "ipfs://QmHonestResult", resultHash: configHash("honest result") };

beforeAll(async () => {
  f = await deployNexus();
  p = await setupProtocol(f);
});
afterAll(async () => {
  await f.connection.close();
});

const mined = async (sent: Promise<{ wait: () => Promise<unknown> }>) => (await sent).wait();
const receiptOf = (hash: Hash) => f.publicClient.waitForTransactionReceipt({ hash });

/**
 * The honest provider's reveal waits in the mempool; the copier reads it there and sends what `copies` builds from
 * its arguments, outbidding its tip (and skipping simulation, which would tell it the copy fails). One block mines
 * them all, the copier's first. Returns the honest reveal's and the copies' receipts.
 */
async function copierFrontRuns(task: Address, askedPayment: bigint, copies: (revealed: readonly [Address, string, `0x${string}`, bigint, `0x${string}`]) => { functionName: "commitResponse" | "revealResponse"; args: readonly unknown[] }[]) {
  const secret = sdk.createResponseSecret();
  await mined(sdk.commitResponse(f.provider, { task, ...RESULT, askedPayment, secret }));
  const { networkHelpers, provider } = f.connection;
  await provider.request({ method: "evm_setAutomine", params: [false] });
  try {
    const honest = await sdk.revealResponse(f.provider, { task, ...RESULT, askedPayment, secret });
    const pending = await f.publicClient.getTransaction({ hash: honest.hash });
    const { functionName, args } = decodeFunctionData({ abi: nexusAbi, data: pending.input });
    expect(functionName).toBe("revealResponse");
    const tip = (pending.maxPriorityFeePerGas ?? 0n) * 2n + 1_000_000_000n;
    const sent: Hash[] = [];
    for (const copy of copies(args as never)) {
      sent.push(
        await writeContract(f.provider2, {
          address: f.nexus,
          abi: nexusAbi,
          functionName: copy.functionName,
          args: copy.args as never,
          gas: 300_000n,
          maxFeePerGas: (pending.maxFeePerGas ?? 0n) + tip,
          maxPriorityFeePerGas: tip,
        }),
      );
      // Each copy outbids the one before it too, keeping the copier's own order.
    }
    await networkHelpers.mine(1);
    const copied = await Promise.all(sent.map(receiptOf));
    const revealed = await receiptOf(honest.hash);
    for (const c of copied) expect(c.blockNumber).toBe(revealed.blockNumber);
    for (const c of copied) expect(c.transactionIndex).toBeLessThan(revealed.transactionIndex);
    return { revealed, copied, secret };
  } finally {
    await provider.request({ method: "evm_setAutomine", params: [true] });
  }
}

describe("results bound to their provider", () => {
  it("submitResponse commits, then reveals in a later block; the commitment shows until the reveal", async () => {
    const task = await p.newTask(p.frSource);
    await mined(sdk.attempt(f.provider, { task, provider: addr(f.provider) }));
    const committed: Hash[] = [];
    const sent = await sdk.submitResponse(f.provider, { task, ...RESULT, onCommitted: ({ hash }) => void committed.push(hash) });
    expect(committed).toEqual([sent.commitHash]);
    const { receipt, events } = await sent.wait();
    expect(events.map((e) => e.eventName)).toEqual(["ResponseSubmitted", "TaskFinalized"]);
    const commitReceipt = await receiptOf(sent.commitHash);
    expect(commitReceipt.blockNumber).toBeLessThan(receipt.blockNumber);
    expect(sent.commitment).toBe(sdk.responseCommitment({ task, provider: addr(f.provider), resultHash: RESULT.resultHash, askedPayment: 0n, secret: sent.secret }));
    const seen = await sdk.getCommitment(f.publicClient, { task, provider: addr(f.provider), blockNumber: commitReceipt.blockNumber });
    expect(seen.digest).toBe(sent.commitment.slice(0, 56));
    expect(seen.committedAt).toBeGreaterThan(0);
    expect((await sdk.getCommitment(f.publicClient, { task, provider: addr(f.provider) })).committedAt).toBe(0);
    expect((await sdk.getTask(f.publicClient, { task })).state.selectedProvider).toBe(addr(f.provider));
  });

  it("FIRST_RESPONSE: the copier's copy of a pending reveal, mined first, opens nothing; the honest provider is paid", async () => {
    const task = await p.newTask(p.frSource);
    for (const w of [f.provider, f.provider2]) await mined(sdk.attempt(w, { task, provider: addr(w) }));
    const masterBefore = (await sdk.getVaultPosition(f.publicClient, { account: addr(f.master) })).balance;
    const copierMasterBefore = (await sdk.getVaultPosition(f.publicClient, { account: addr(f.master2) })).balance;
    const { revealed, copied, secret } = await copierFrontRuns(task, 0n, (args) => [
      // The reveal as it is, from the copier's key; then a commitment of the same result under its own name and its
      // reveal, both in the honest reveal's block.
      { functionName: "revealResponse", args },
      { functionName: "commitResponse", args: [task, sdk.responseCommitment({ task, provider: addr(f.provider2), resultHash: args[2], askedPayment: args[3], secret: args[4] })] },
      { functionName: "revealResponse", args },
    ]);
    expect(copied.map((r) => r.status)).toEqual(["reverted", "success", "reverted"]);
    expect(revealed.status).toBe("success");
    const { state } = await sdk.getTask(f.publicClient, { task });
    expect(state.selectedProvider).toBe(addr(f.provider));
    const fee = (PAYMENT * BigInt((await sdk.getProtocolConfig(f.publicClient)).feeBps)) / 10_000n;
    expect((await sdk.getVaultPosition(f.publicClient, { account: addr(f.master) })).balance).toBe(masterBefore + PAYMENT - fee);
    expect((await sdk.getVaultPosition(f.publicClient, { account: addr(f.master2) })).balance).toBe(copierMasterBefore);
    // Its own commitment, revealed in a later block, comes too late.
    const late = await sdk.revealResponse(f.provider2, { task, ...RESULT, secret }).catch((e: unknown) => e);
    expect(isNexusRevert(late, "TaskAlreadyFinalized")).toBe(true);
  });

  it("MANUAL: the copier cannot become the earliest response, the one default settlement pays", async () => {
    const task = await p.newTask(p.manualSource);
    for (const w of [f.provider, f.provider2]) await mined(sdk.attempt(w, { task, provider: addr(w) }));
    const { copied } = await copierFrontRuns(task, PAYMENT, (args) => [{ functionName: "revealResponse", args }]);
    expect(copied[0]?.status).toBe("reverted");
    const { state } = await sdk.getTask(f.publicClient, { task });
    expect(state.selectedProvider).toBe(addr(f.provider));
    expect((await sdk.getAttempt(f.publicClient, { task, provider: addr(f.provider2) })).state).toBe(1); // still LIVE
  });
});
