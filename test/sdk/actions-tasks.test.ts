// Source and task actions for every role, end to end: each write simulates, returns its hash (and the new
// address for publishSource / publishTask), and wait() gives the receipt and the decoded protocol events.
import { getAddress, parseEther, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttemptState, TaskStatus, type NexusEventLog } from "../../src/sdk/abis.ts";
import * as sdk from "../../src/sdk/actions/index.ts";
import { configHash, deployNexus, HOUR, setupProtocol, sourceParams, type Fixture } from "./actions-fixtures.ts";

let f: Fixture;
let p: Awaited<ReturnType<typeof setupProtocol>>;
const addr = (w: { account: { address: Address } }) => getAddress(w.account.address);
const PAYMENT = parseEther("0.01");
const names = (events: NexusEventLog[]) => events.map((e) => e.eventName);
function only<N extends NexusEventLog["eventName"]>(events: NexusEventLog[], name: N): NexusEventLog<N> {
  const found = events.filter((e) => e.eventName === name);
  expect(found).toHaveLength(1);
  return found[0] as NexusEventLog<N>;
}

beforeAll(async () => {
  f = await deployNexus();
  p = await setupProtocol(f);
});
afterAll(async () => {
  await f.connection.close();
});

const publish = async (source: Address, extra: { expiresIn?: bigint } = {}) =>
  sdk.publishTask(f.client, {
    source,
    configUri: "ipfs://QmConfig",
    configHash: configHash(`t-${Math.random()}`),
    expiryTime: (await f.now()) + (extra.expiresIn ?? HOUR),
    payment: PAYMENT,
  });

describe("sources", () => {
  it("publishes at the predicted address, updates, (in)activates, registers and unregisters", async () => {
    const salt = `0x${"ab".repeat(32)}` as const;
    const predicted = await sdk.predictSourceAddress(f.publicClient, { client: addr(f.client), salt });
    const published = await sdk.publishSource(f.client, { params: sourceParams({ environments: 3 }), salt });
    expect(published.source).toBe(predicted);
    expect(published.hash).toMatch(/^0x[0-9a-f]{64}$/);
    const { receipt, events } = await published.wait();
    expect(receipt.status).toBe("success");
    const ev = only(events, "SourcePublished");
    expect(ev.args).toMatchObject({ source: predicted, client: addr(f.client), salt });
    expect(ev.args.params.environments).toBe(3);

    const updated = await (await sdk.updateSource(f.client, { source: predicted, params: sourceParams({ environments: 3, minPayment: 7n }) })).wait();
    expect(only(updated.events, "SourceUpdated").args.params.minPayment).toBe(7n);
    const inactive = await (await sdk.setSourceStatus(f.client, { source: predicted, status: 1 })).wait();
    expect(only(inactive.events, "SourceStatusChanged").args.status).toBe(1);
    await (await sdk.setSourceStatus(f.client, { source: predicted, status: 0 })).wait();

    // By the master for its provider, in the NVIDIA environment.
    const registered = await (await sdk.register(f.master, { source: predicted, provider: addr(f.provider), environment: 2 })).wait();
    expect(only(registered.events, "ProviderRegistered").args).toMatchObject({ source: predicted, provider: addr(f.provider), master: addr(f.master), environment: 2 });
    const removed = await (await sdk.unregister(f.provider, { source: predicted, provider: addr(f.provider) })).wait();
    expect(only(removed.events, "ProviderUnregistered").args.caller).toBe(addr(f.provider));
    expect((await sdk.getSource(f.publicClient, { source: predicted })).registrantCount).toBe(0n);
  });

  it("picks a random salt when none is given, so two identical publications get two addresses", async () => {
    const a = await sdk.publishSource(f.client, { params: sourceParams() });
    const b = await sdk.publishSource(f.client, { params: sourceParams() });
    expect(a.salt).not.toBe(b.salt);
    expect(a.source).not.toBe(b.source);
    await Promise.all([a.wait(), b.wait()]);
  });
});

describe("tasks", () => {
  it("runs a FIRST_RESPONSE task: publish at the predicted address, attempt, respond, paid to the master", async () => {
    const published = await publish(p.frSource);
    const { events } = await published.wait();
    const ev = only(events, "TaskPublished");
    expect(ev.args).toMatchObject({ task: published.task, source: p.frSource, client: addr(f.client), payment: PAYMENT, salt: published.salt });
    expect(await sdk.isNexusContract(f.publicClient, { address: published.task, kind: "task" })).toBe(true);

    const attempted = await (await sdk.attempt(f.provider, { task: published.task, provider: addr(f.provider) })).wait();
    expect(only(attempted.events, "TaskAttempted").args).toMatchObject({ task: published.task, provider: addr(f.provider), master: addr(f.master) });
    const before = await sdk.getVaultPosition(f.publicClient, { account: addr(f.master) });
    const responded = await (await sdk.submitResponse(f.provider, { task: published.task, resultUri: "ipfs://result", resultHash: configHash("result") })).wait();
    expect(names(responded.events)).toEqual(["ResponseSubmitted", "TaskFinalized"]);
    const fin = only(responded.events, "TaskFinalized");
    expect(fin.args).toMatchObject({ provider: addr(f.provider), payee: addr(f.master), paid: PAYMENT, fee: PAYMENT / 100n, refunded: 0n, bySettlement: false });
    const after = await sdk.getVaultPosition(f.publicClient, { account: addr(f.master) });
    expect(after.balance - before.balance).toBe(PAYMENT - PAYMENT / 100n);
    expect((await sdk.getTask(f.publicClient, { task: published.task })).state.status).toBe(TaskStatus.FINALIZED);
  });

  it("runs a MANUAL task: two responses, the client confirms one and gets the rest back", async () => {
    const { task } = await publish(p.manualSource);
    await (await sdk.attempt(f.provider, { task, provider: addr(f.provider), suggestedPayment: parseEther("0.009") })).wait();
    await (await sdk.attempt(f.provider2, { task, provider: addr(f.provider2) })).wait();
    await (await sdk.submitResponse(f.provider, { task, resultUri: "ipfs://a", resultHash: configHash("a"), askedPayment: parseEther("0.009") })).wait();
    await (await sdk.submitResponse(f.provider2, { task, resultUri: "ipfs://b", resultHash: configHash("b"), askedPayment: parseEther("0.006") })).wait();
    const confirmed = await (await sdk.confirmResponse(f.client, { task, provider: addr(f.provider2) })).wait();
    expect(only(confirmed.events, "TaskFinalized").args).toMatchObject({ provider: addr(f.provider2), paid: parseEther("0.006"), refunded: parseEther("0.004"), bySettlement: false });
  });

  it("reserves a live attempt's penalty from its master; anyone releases it once the task closed before its deadline", async () => {
    const { task } = await publish(p.frSource);
    const reserved = async () => (await sdk.getVaultPosition(f.publicClient, { account: addr(f.master) })).reserved;
    const before = await reserved();
    await (await sdk.attempt(f.provider, { task, provider: addr(f.provider) })).wait();
    await (await sdk.attempt(f.provider2, { task, provider: addr(f.provider2) })).wait();
    expect(await reserved()).toBe(before + parseEther("0.01"));
    await (await sdk.submitResponse(f.provider2, { task, resultUri: "ipfs://won", resultHash: configHash("won") })).wait();
    const released = await (await sdk.releaseAttempt(f.other, { task, provider: addr(f.provider) })).wait();
    expect(only(released.events, "AttemptReleased").args).toEqual({ task, provider: addr(f.provider), master: addr(f.master), penalty: parseEther("0.01"), caller: addr(f.other) });
    expect(await reserved()).toBe(before);
    expect((await sdk.getAttempt(f.publicClient, { task, provider: addr(f.provider) })).state).toBe(AttemptState.RELEASED);
  });

  it("lets an agent publish for its client within its allowance and cancel; anyone settles and reports lapses", async () => {
    await (await sdk.grantAgent(f.client, { agent: addr(f.agent), scopes: ["client"], allowance: PAYMENT })).wait();
    await (await sdk.deposit(f.client, { value: parseEther("1") })).wait();
    const forClient = await sdk.publishTaskFor(f.agent, {
      client: addr(f.client),
      source: p.frSource,
      configUri: "ipfs://byAgent",
      configHash: configHash("agent"),
      expiryTime: (await f.now()) + HOUR,
      payment: PAYMENT,
    });
    const { events } = await forClient.wait();
    expect(only(events, "TaskPublished").args).toMatchObject({ task: forClient.task, client: addr(f.client) });
    const canceled = await (await sdk.cancelTask(f.agent, { task: forClient.task })).wait();
    expect(only(canceled.events, "TaskCanceled").args).toMatchObject({ client: addr(f.client), refunded: PAYMENT });

    // An attempt that lapses, a task that expires, a MANUAL task settled in favour of its earliest response.
    const lapsing = (await publish(p.frSource, { expiresIn: 2n * HOUR })).task;
    await (await sdk.attempt(f.provider, { task: lapsing, provider: addr(f.provider) })).wait();
    const manual = (await publish(p.manualSource)).task;
    await (await sdk.attempt(f.provider2, { task: manual, provider: addr(f.provider2) })).wait();
    await (await sdk.submitResponse(f.provider2, { task: manual, resultUri: "ipfs://m", resultHash: configHash("m"), askedPayment: parseEther("0.002") })).wait();
    await f.time.increase(601);
    const lapsed = await (await sdk.reportLapse(f.other, { task: lapsing, provider: addr(f.provider) })).wait();
    expect(only(lapsed.events, "AttemptLapsed").args).toMatchObject({ master: addr(f.master), penalty: parseEther("0.01"), reporter: addr(f.other) });
    await f.time.increase(2 * 3600);
    const expired = await (await sdk.settle(f.other, { task: lapsing })).wait();
    expect(only(expired.events, "TaskExpired").args.refunded).toBe(PAYMENT);
    const settled = await (await sdk.settle(f.other, { task: manual })).wait();
    expect(only(settled.events, "TaskFinalized").args).toMatchObject({ provider: addr(f.provider2), paid: parseEther("0.002"), bySettlement: true });
  });
});
