// waitForResult on AGREEMENT tasks (docs/PROTOCOL.md "Agreement"): it resolves only on the agreement, says the result
// was `agreed` and by whom; a single revealed vote is not a result, even with `until: "responded"`; a task whose
// revealed results never agree ends in NoAgreementError, before and after it is settled.
import type { Address, Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VerificationMethod } from "../../src/sdk/abis.ts";
import { commitVote, createResponseSecret, revealResponse } from "../../src/sdk/actions/responses.ts";
import { attempt, settle } from "../../src/sdk/actions/tasks.ts";
import { NoAgreementError, publishSourceWithMetadata, publishTaskWithConfig, TaskExpiredError, waitForResult } from "../../src/sdk/flows/index.ts";
import { uploadJson } from "../../src/sdk/ipfs/index.ts";
import { addr, CPU_COMPOSE, createFlowsFixture, PAYMENT, sourceParams, type FlowsFixture } from "./flows-fixture.ts";

let fx: FlowsFixture;
let source: Address;
beforeAll(async () => {
  fx = await createFlowsFixture();
  const published = await publishSourceWithMetadata(fx.client, {
    nexus: fx.nexus,
    ipfs: fx.ipfs,
    metadata: { name: "Agreed echo", description: "" },
    compose: { cpu: CPU_COMPOSE },
    params: { ...sourceParams(1), verification: VerificationMethod.AGREEMENT, quorum: 2 },
  });
  await published.wait();
  source = published.source;
  await fx.register(source);
});
afterAll(async () => fx?.close());

type Provider = FlowsFixture["provider1"];
type Sealed = { provider: Provider; resultUri: string; resultHash: Hex; secret: Hex };

const publish = async (expiresIn = 3_600) => {
  const t = await publishTaskWithConfig(fx.client, { nexus: fx.nexus, ipfs: fx.ipfs, source, config: { function_name: "echo", data: 1 }, payment: PAYMENT, expiresIn });
  await t.wait();
  return t;
};

/** A juror: attempts, pins its output and seals it with commitVote. */
async function seal(task: Address, provider: Provider, output: unknown): Promise<Sealed> {
  await (await attempt(provider, { nexus: fx.nexus, task, provider: addr(provider) })).wait();
  const pinned = await uploadJson(fx.ipfs, output);
  const secret = createResponseSecret();
  await (await commitVote(provider, { nexus: fx.nexus, task, resultHash: pinned.sha256, secret })).wait();
  return { provider, resultUri: pinned.uri, resultHash: pinned.sha256, secret };
}
const reveal = async (task: Address, s: Sealed) =>
  (await revealResponse(s.provider, { nexus: fx.nexus, task, resultUri: s.resultUri, resultHash: s.resultHash, secret: s.secret })).wait();

const wait = (task: Address, extra: { until?: "responded"; timeoutMs?: number } = {}) =>
  waitForResult(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, task, pollingInterval: 25, timeoutMs: 30_000, ...extra });

describe("waitForResult on an AGREEMENT task", () => {
  it("resolves on the agreement only, as `agreed` by both jurors, each paid a share", async () => {
    const t = await publish();
    const sealed = [await seal(t.task, fx.provider1, { answer: 42 }), await seal(t.task, fx.provider2, { answer: 42 })];
    await fx.networkHelpers.time.increase(2); // a reveal lands after its commitment
    const waiting = wait(t.task, { until: "responded" });
    await reveal(t.task, sealed[0]!);
    // One revealed vote is not a response to use: the wait goes on.
    const early = await Promise.race([waiting.then(() => "resolved"), new Promise((r) => setTimeout(() => r("pending"), 300))]);
    expect(early).toBe("pending");
    await reveal(t.task, sealed[1]!);

    const outcome = await waiting;
    expect(outcome).toMatchObject({ status: "finalized", verification: "agreed", paid: PAYMENT, result: { answer: 42 }, provider: addr(fx.provider2) });
    if (outcome.status !== "finalized") throw new Error("unreachable");
    expect([...outcome.agreedBy].sort()).toEqual([addr(fx.provider1), addr(fx.provider2)].sort());
  });

  it("ends in NoAgreementError when the revealed results differ, before and after settlement", async () => {
    // An attempt needs half the source's 600 s attempt timeout before expiry.
    const t = await publish(400);
    const sealed = [await seal(t.task, fx.provider1, { answer: 1 }), await seal(t.task, fx.provider2, { answer: 2 })];
    await fx.networkHelpers.time.increase(2);
    for (const s of sealed) await reveal(t.task, s);
    const waiting = wait(t.task).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    await fx.networkHelpers.time.increase(401); // past expiry: no vote can land any more
    const open = await waiting;
    expect(open).toBeInstanceOf(NoAgreementError);
    expect(open).not.toBeInstanceOf(TaskExpiredError);
    expect(open).toMatchObject({ task: t.task, settled: false, quorum: 2, revealed: 2, largestAgreement: 1 });

    await (await settle(fx.keeper, { nexus: fx.nexus, task: t.task })).wait();
    await expect(wait(t.task)).rejects.toMatchObject({ name: "NoAgreementError", settled: true, revealed: 2, largestAgreement: 1 });
  });

  it("reports a plain expiry when no juror revealed", async () => {
    const t = await publish(120);
    await fx.networkHelpers.time.increase(121);
    await expect(wait(t.task)).rejects.toBeInstanceOf(TaskExpiredError);
  });
});
