// Three provider nodes, each under its own master, on an AGREEMENT source (quorum 2, three slots): two run the
// example matmul, one runs the example's cheating entry (a made-up product hash, no work). The cheater polls faster
// than the honest nodes, so it reveals first once the jury is full: its result is on-chain before the agreement and
// must be outvoted. What a client and the masters check: every task is paid to the honest masters only, for the
// result the client recomputes itself; the cheater's revealed results are rejected with its penalty to the client;
// no stake stays reserved; and each node logs the outcome it got.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseEther, type Account, type Address, type Hex } from "viem";
import { matmul } from "../../examples/matmul-source/matmul.ts";
import type { NodeConfigInput } from "../../src/node/config.ts";
import type { ProviderNode } from "../../src/node/node.ts";
import { TaskStatus } from "../../src/sdk/abis.ts";
import { getTask, getVaultPosition } from "../../src/sdk/actions/reads.ts";
import { rejectResponse } from "../../src/sdk/actions/tasks.ts";
import { getNexusEvents } from "../../src/sdk/events/index.ts";
import { fetchResult } from "../../src/sdk/flows/index.ts";
import { FEE_BPS, ROOT, createWorld, startLoggedNode, waitUntil, type World } from "./node-fixture.ts";

const CHEATING_ENTRY = join(ROOT, "examples/matmul-source/cheating-handler.ts");
const PAYMENT = parseEther("0.5");
const PENALTY = parseEther("0.1");
const TASKS = 4;

type Operator = { name: string; node: ProviderNode; provider: Address; master: Address; lines: Array<Record<string, unknown>> };

let world: World;
let source: Address;
let honest: Operator[];
let cheater: Operator;

async function startOperator(name: string, account: Account, master: Address, overrides: Partial<NodeConfigInput>): Promise<Operator> {
  return { name, provider: account.address, master, ...(await startLoggedNode(world, name, account, overrides)) };
}

beforeAll(async () => {
  world = await createWorld();
  source = await world.createSource({ deliveryMethod: 1, maxConcurrentAttempts: 3, quorum: 2 });
  const second = await world.providerWithOwnMaster([source]);
  const dishonest = await world.providerWithOwnMaster([source]);
  honest = [
    await startOperator("honest-a", world.providerAccount, world.master.account.address, { pollingIntervalMs: 300 }),
    await startOperator("honest-b", second.provider.account, second.master.account.address, { pollingIntervalMs: 300 }),
  ];
  cheater = await startOperator("cheater", dishonest.provider.account, dishonest.master.account.address, {
    pollingIntervalMs: 50,
    localProcess: { entries: { "*": CHEATING_ENTRY } },
  });
}, 150_000);

afterAll(async () => {
  for (const operator of [...(honest ?? []), cheater]) await operator?.node.stop();
  await world?.close();
}, 60_000);

describe("k-of-n agreement with a cheating node", () => {
  test("the honest pair is paid for the correct result, the cheater is outvoted and slashed, nothing stays reserved", async () => {
    const masters = [...honest, cheater].map((o) => o.master);
    const before = await Promise.all(masters.map((account) => getVaultPosition(world.publicClient, { nexus: world.nexus, account })));
    const clientBefore = await world.balanceOf(world.client.account.address);

    const inputs = Array.from({ length: TASKS }, (_, i) => ({ size: 24 + i * 8, seed: 100 + i, rounds: 1 }));
    const tasks: Address[] = [];
    for (const data of inputs) tasks.push(await world.createTask(source, { function_name: "matmul", data }, { payment: PAYMENT }));

    let rejected = 0;
    for (const [i, task] of tasks.entries()) {
      const finalized = await waitUntil(`task ${task} agreed`, async () => {
        const t = await getTask(world.publicClient, { task, nexus: world.nexus });
        return t.state.status === TaskStatus.FINALIZED ? t : undefined;
      }, 60_000);
      const events = await getNexusEvents(world.publicClient, { nexus: world.nexus, events: ["TaskAttempted", "ResponseSubmitted", "SharePaid"], args: { task }, fromBlock: 0n });
      // One attempt per master, the cheater's included: three slots, three masters.
      const attemptMasters = events.flatMap((e) => (e.eventName === "TaskAttempted" ? [e.args.master] : []));
      expect(new Set(attemptMasters).size).toBe(attemptMasters.length);

      // Paid: exactly the two honest masters, one share each, for the result the client computes itself.
      const shares = events.flatMap((e) => (e.eventName === "SharePaid" ? [e] : []));
      expect(shares.map((e) => e.args.payee).sort()).toEqual(honest.map((o) => o.master).sort());
      for (const share of shares) expect(share.args.paid).toBe(PAYMENT / 2n);
      const agreed = await fetchResult(world.publicClient, { ipfs: world.ipfs, task, provider: finalized.state.selectedProvider, nexus: world.nexus });
      expect((agreed.result as { resultSha256: string }).resultSha256).toBe((await matmul(inputs[i]!)).resultSha256);

      // The client takes the penalty of every revealed result the agreement outvoted.
      const reveals = new Map<Address, Hex>(events.flatMap((e) => (e.eventName === "ResponseSubmitted" ? [[e.args.provider, e.args.resultHash] as const] : [])));
      const agreedHash = reveals.get(finalized.state.selectedProvider);
      for (const [provider, hash] of reveals) {
        if (hash === agreedHash) continue;
        expect(provider).toBe(cheater.provider);
        const { events: mined } = await (await rejectResponse(world.client, { ...world.opts, task, provider })).wait();
        expect(mined.some((e) => e.eventName === "ResponseRejected" && e.args.provider === provider && !e.args.burned)).toBe(true);
        rejected++;
      }
      // An honest result is never rejectable.
      for (const o of honest) {
        await expect(rejectResponse(world.client, { ...world.opts, task, provider: o.provider })).rejects.toMatchObject({ errorName: "NotRejected" });
      }
    }
    // The cheater reveals first on a full jury: each of its made-up results was on-chain and outvoted.
    expect(rejected).toBe(TASKS);

    // Every reservation ended: shares released the honest ones; the cheater's were taken. Nothing stays reserved.
    const after = await waitUntil("reservations released", async () => {
      const positions = await Promise.all(masters.map((account) => getVaultPosition(world.publicClient, { nexus: world.nexus, account })));
      return positions.every((p) => p.reserved === 0n) ? positions : undefined;
    }, 30_000);
    const fee = (PAYMENT / 2n) * FEE_BPS / 10_000n;
    for (const i of [0, 1]) expect(after[i]!.earnings - before[i]!.earnings).toBe(BigInt(TASKS) * (PAYMENT / 2n - fee));
    expect(after[2]!.earnings).toBe(before[2]!.earnings);
    expect(before[2]!.lockup - after[2]!.lockup).toBe(BigInt(rejected) * PENALTY);
    expect((await world.balanceOf(world.client.account.address)) - clientBefore).toBe(BigInt(rejected) * PENALTY);

    // Each node says what happened to it.
    const messages = (o: Operator) => o.lines.map((l) => String(l.msg));
    await waitUntil("outcomes logged", () =>
      messages(cheater).filter((m) => m === "slashed: the agreement rejected our result").length === rejected &&
      honest.every((o) => messages(o).filter((m) => m.startsWith("agreed:")).length === TASKS),
    );
  }, 240_000);
});
