// AGREEMENT tasks from the client's side (docs/PROTOCOL.md "Agreement"). waitForResult resolves only on the
// agreement and says the result was `agreed` and by whom; a single revealed vote is not a result, even with
// `until: "responded"`; a task whose revealed results never agree ends in NoAgreementError, before and after it is
// settled. getRejectableResponses lists the results whose penalty can be taken: the outvoted ones after an
// agreement, every revealed one after a failed agreement, none before the verdict or once taken.
import { parseEther, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VerificationMethod } from "../../src/sdk/abis.ts";
import { announceMaster, announceProvider, deposit, lock, register } from "../../src/sdk/actions/index.ts";
import { commitVote, createResponseSecret, revealResponse } from "../../src/sdk/actions/responses.ts";
import { attempt, rejectResponse, settle } from "../../src/sdk/actions/tasks.ts";
import { getRejectableResponses, NoAgreementError, publishSourceWithMetadata, publishTaskWithConfig, TaskExpiredError, waitForResult } from "../../src/sdk/flows/index.ts";
import { uploadJson } from "../../src/sdk/ipfs/index.ts";
import { addr, CPU_COMPOSE, createFlowsFixture, PAYMENT, sourceParams, type FlowsFixture } from "./flows-fixture.ts";

let fx: FlowsFixture;
let source: Address;
/** A third provider under a third master: a jury of three masters can outvote one. */
let provider3: FlowsFixture["provider1"];
beforeAll(async () => {
  fx = await createFlowsFixture();
  const wallets = await fx.connection.viem.getWalletClients({ pollingInterval: 25 });
  const [master3, third] = [wallets[7], wallets[8]];
  if (!master3 || !third) throw new Error("need 9 accounts");
  provider3 = third;
  const opts = { nexus: fx.nexus } as const;
  await (await announceProvider(master3, { ...opts, provider: addr(third), maxPenalty: parseEther("1") })).wait();
  await (await announceMaster(third, { ...opts, master: addr(master3) })).wait();
  await (await deposit(master3, { ...opts, value: parseEther("5") })).wait();
  await (await lock(master3, { ...opts, amount: parseEther("5") })).wait();
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
  await (await register(third, { nexus: fx.nexus, source, provider: addr(third), environment: 1 })).wait();
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

describe("AGREEMENT tasks: waitForResult and getRejectableResponses", () => {
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
    // Both agreed: nothing to reject.
    expect(await getRejectableResponses(fx.publicClient, { nexus: fx.nexus, task: t.task })).toEqual([]);
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

    // Still voting in the task's state (nobody settled it): no verdict, nothing to reject yet.
    expect(await getRejectableResponses(fx.publicClient, { nexus: fx.nexus, task: t.task })).toEqual([]);
    await (await settle(fx.keeper, { nexus: fx.nexus, task: t.task })).wait();
    await expect(wait(t.task)).rejects.toMatchObject({ name: "NoAgreementError", settled: true, revealed: 2, largestAgreement: 1 });

    // Expired without agreement: every revealed result's penalty is burned, by anyone, once.
    const rejectable = await getRejectableResponses(fx.publicClient, { nexus: fx.nexus, task: t.task });
    expect(rejectable.map((r) => [r.provider, r.resultHash, r.reason])).toEqual(sealed.map((s) => [addr(s.provider), s.resultHash, "no-agreement"]));
    const { events } = await (await rejectResponse(fx.keeper, { nexus: fx.nexus, task: t.task, provider: rejectable[0]!.provider })).wait();
    expect(events.find((e) => e.eventName === "ResponseRejected")).toMatchObject({ args: { provider: rejectable[0]!.provider, burned: true } });
    expect((await getRejectableResponses(fx.publicClient, { nexus: fx.nexus, task: t.task })).map((r) => r.provider)).toEqual([rejectable[1]!.provider]);
  });

  it("lists the outvoted result of an agreement; the client's rejection takes its penalty, once", async () => {
    const t = await publish();
    const sealed = [
      await seal(t.task, provider3, { answer: 6 }),
      await seal(t.task, fx.provider1, { answer: 5 }),
      await seal(t.task, fx.provider2, { answer: 5 }),
    ];
    await fx.networkHelpers.time.increase(2);
    await reveal(t.task, sealed[0]!); // the dissent lands first: the jury is closed, nothing is agreed yet
    expect(await getRejectableResponses(fx.publicClient, { nexus: fx.nexus, task: t.task })).toEqual([]);
    for (const s of sealed.slice(1)) await reveal(t.task, s);

    const rejectable = await getRejectableResponses(fx.publicClient, { nexus: fx.nexus, task: t.task });
    expect(rejectable).toEqual([{ provider: addr(provider3), resultHash: sealed[0]!.resultHash, reason: "outvoted" }]);
    const { events } = await (await rejectResponse(fx.client, { nexus: fx.nexus, task: t.task, provider: addr(provider3) })).wait();
    expect(events.find((e) => e.eventName === "ResponseRejected")).toMatchObject({ args: { provider: addr(provider3), penalty: sourceParams(1).lapsePenalty, burned: false } });
    expect(await getRejectableResponses(fx.publicClient, { nexus: fx.nexus, task: t.task })).toEqual([]);
  });

  it("reports a plain expiry when no juror revealed", async () => {
    const t = await publish(120);
    await fx.networkHelpers.time.increase(121);
    await expect(wait(t.task)).rejects.toBeInstanceOf(TaskExpiredError);
  });
});
