// Two provider nodes competing for the same tasks: separate keys, state directories and masters, both registered to
// the same FIRST_RESPONSE and MANUAL sources. FIRST_RESPONSE: one winner and one payout per task; the loser's late
// response is refused by the chain (TaskAlreadyFinalized) and ends as an ordinary `failed: lost-race`, logged at
// info, never as a crash. MANUAL: both respond, the client confirms one, and only that one's master is paid, at
// the price it asked; the rest of the escrow goes back to the client.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Account, Address } from "viem";
import type { NodeConfigInput } from "../../src/node/config.ts";
import type { ProviderNode } from "../../src/node/node.ts";
import { getVaultPosition } from "../../src/sdk/actions/reads.ts";
import { confirmResponse } from "../../src/sdk/actions/tasks.ts";
import { getNexusEvents } from "../../src/sdk/events/index.ts";
import { FEE_BPS, createWorld, startLoggedNode, waitUntil, type World } from "./node-fixture.ts";

type Competitor = { name: string; node: ProviderNode; provider: Address; master: Address; lines: Array<Record<string, unknown>> };

let world: World;
let firstResponse: Address;
let manual: Address;
let a: Competitor;
let b: Competitor;
const PAYMENT = 500_000_000_000_000_000n;
const ASKED_BY_B = 250_000_000_000_000_000n;
const net = (paid: bigint) => paid - (paid * FEE_BPS) / 10_000n;

async function startCompetitor(name: string, account: Account, master: Address, extra: Partial<NodeConfigInput> = {}): Promise<Competitor> {
  return { name, provider: account.address, master, ...(await startLoggedNode(world, name, account, extra)) };
}

const recordOf = (c: Competitor, task: Address) => c.node.tasks().find((r) => r.task === task);
const settledIn = (c: Competitor, task: Address) =>
  waitUntil(`${c.name}: task ${task} to settle`, () => {
    const r = recordOf(c, task);
    return r && ["done", "failed", "skipped"].includes(r.phase) ? r : undefined;
  }, 60_000);

beforeAll(async () => {
  world = await createWorld();
  firstResponse = await world.createSource({ deliveryMethod: 1, maxConcurrentAttempts: 2 });
  manual = await world.createSource({ deliveryMethod: 0, maxConcurrentAttempts: 2 });
  const rival = await world.providerWithOwnMaster([firstResponse, manual]);
  a = await startCompetitor("a", world.providerAccount, world.master.account.address);
  b = await startCompetitor("b", rival.provider.account, rival.master.account.address, { askedPayment: ASKED_BY_B.toString() });
}, 150_000);

afterAll(async () => {
  await a?.node.stop();
  await b?.node.stop();
  await world?.close();
}, 60_000);

describe("two provider nodes competing", () => {
  test("FIRST_RESPONSE: one winner and one payout per task; the loser's late response is refused and handled as a normal outcome", async () => {
    const before = { a: await world.balanceOf(a.master), b: await world.balanceOf(b.master) };
    // The handler sleeps 2.5 s: both nodes attempt before either can answer, so both race to submit.
    const tasks: Address[] = [];
    for (let i = 0; i < 3; i++) tasks.push(await world.createTask(firstResponse, { function_name: "sleep", data: { ms: 2_500 + i } }, { payment: PAYMENT }));

    const wins = { a: 0n, b: 0n };
    let races = 0;
    for (const task of tasks) {
      const [ra, rb] = [await settledIn(a, task), await settledIn(b, task)];
      const { attempted, responded, events } = await world.countEvents(task);
      expect(responded).toBe(1);
      expect(attempted).toBeLessThanOrEqual(2);
      const finalized = await getNexusEvents(world.publicClient, { nexus: world.nexus, events: "TaskFinalized", args: { task }, fromBlock: 0n });
      expect(finalized).toHaveLength(1);
      const response = events.find((e) => e.eventName === "ResponseSubmitted");
      const winner = response?.eventName === "ResponseSubmitted" && response.args.provider === a.provider ? "a" : "b";
      const [won, lost] = winner === "a" ? [ra, rb] : [rb, ra];
      wins[winner]++;
      expect(won.phase).toBe("done");
      // The loser either lost the race to submit (it had attempted and computed) or found the task closed.
      expect(["failed:lost-race", "skipped:task-closed"]).toContain(`${lost.phase}:${lost.reason}`);
      if (lost.reason === "lost-race") races++;
      expect(finalized[0]?.eventName === "TaskFinalized" && finalized[0].args.provider).toBe(winner === "a" ? a.provider : b.provider);
    }
    expect(races).toBeGreaterThan(0);
    // A loser that had attempted released the penalty its attempt reserved: no stake is left reserved.
    for (const c of [a, b]) expect((await getVaultPosition(world.publicClient, { ...world.opts, account: c.master })).reserved).toBe(0n);
    // One payout per task, to the winner's master.
    expect((await world.balanceOf(a.master)) - before.a).toBe(wins.a * net(PAYMENT));
    expect((await world.balanceOf(b.master)) - before.b).toBe(wins.b * net(PAYMENT));

    // Logged as an outcome (info), never as an error or a crash; both nodes still healthy. (A record changes in
    // memory just before its line is logged: wait for the lines.)
    const lostRaceLines = () => [...a.lines, ...b.lines].filter((l) => l.reason === "lost-race" && tasks.includes(l.task as Address));
    await waitUntil("the lost-race log lines", () => lostRaceLines().length >= races, 5_000);
    for (const c of [a, b]) {
      for (const line of c.lines.filter((l) => l.reason === "lost-race")) expect(line).toMatchObject({ level: 30, msg: "task failed: lost-race" });
      expect(c.lines.filter((l) => (l.level as number) >= 50 && tasks.includes(l.task as Address))).toEqual([]);
      expect(await c.node.health()).toMatchObject({ status: "ok", inflight: 0 });
    }
  }, 60_000);

  test("MANUAL: both respond, the client confirms one; only its master is paid, at its asked price, and the rest is refunded", async () => {
    const client = world.client.account.address;
    const task = await world.createTask(manual, { function_name: "matmul", data: { size: 16, seed: 42 } }, { payment: PAYMENT });
    expect((await settledIn(a, task)).phase).toBe("done");
    expect((await settledIn(b, task)).phase).toBe("done");
    const { attempted, responded, events } = await world.countEvents(task);
    expect({ attempted, responded }).toEqual({ attempted: 2, responded: 2 });
    const asked = Object.fromEntries(events.flatMap((e) => (e.eventName === "ResponseSubmitted" ? [[e.args.provider, e.args.askedPayment]] : [])));
    expect(asked).toEqual({ [a.provider]: PAYMENT, [b.provider]: ASKED_BY_B });

    const before = { a: await world.balanceOf(a.master), b: await world.balanceOf(b.master), client: await world.balanceOf(client) };
    await (await confirmResponse(world.client, { ...world.opts, task, provider: b.provider })).wait();
    expect((await world.balanceOf(b.master)) - before.b).toBe(net(ASKED_BY_B));
    expect((await world.balanceOf(a.master)) - before.a).toBe(0n);
    expect((await world.balanceOf(client)) - before.client).toBe(PAYMENT - ASKED_BY_B);
    const finalized = await getNexusEvents(world.publicClient, { nexus: world.nexus, events: "TaskFinalized", args: { task }, fromBlock: 0n });
    expect(finalized).toHaveLength(1);
    // Nothing more happens on-chain for the task: neither node does anything twice.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await world.countEvents(task)).toMatchObject({ attempted: 2, responded: 2 });
    expect([recordOf(a, task)?.phase, recordOf(b, task)?.phase]).toEqual(["done", "done"]);
  }, 60_000);
});
