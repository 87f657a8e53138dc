// Read helpers: registrants paged without holes or repeats (0, 1, a page, a page + 1), consistent task and
// source snapshots at past blocks, vault positions, pairing, agents and the protocol configuration.
import { readFileSync } from "node:fs";
import { createPublicClient, custom, getAddress, parseEther, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttemptState, TaskStatus, UNLIMITED_ALLOWANCE } from "../../src/sdk/abis.ts";
import * as sdk from "../../src/sdk/actions/index.ts";
import { InvalidParameterError, UnknownSourceError, UnknownTaskError } from "../../src/sdk/errors/index.ts";
import { configHash, deployNexus, HOUR, setupProtocol, sourceParams, type Fixture } from "./actions-fixtures.ts";

let f: Fixture;
let p: Awaited<ReturnType<typeof setupProtocol>>;
const addr = (w: { account: { address: Address } }) => getAddress(w.account.address);
const PAGE = 3n;

beforeAll(async () => {
  f = await deployNexus();
  p = await setupProtocol(f);
});
afterAll(async () => {
  await f.connection.close();
});

describe("registrants", () => {
  let providers: Address[];
  const sources = new Map<number, Address>();

  beforeAll(async () => {
    // Four more providers paired with the master, and one source per count 0, 1, PAGE, PAGE + 1.
    const extra = f.wallets.slice(7, 11);
    for (const w of extra) {
      await (await sdk.announceProvider(f.master, { provider: w.account.address, maxPenalty: parseEther("0.01") })).wait();
      await (await sdk.announceMaster(w, { master: f.master.account.address })).wait();
    }
    providers = extra.map(addr);
    for (const count of [0, 1, Number(PAGE), Number(PAGE) + 1]) {
      const s = await sdk.publishSource(f.client, { params: sourceParams({ environments: 7 }) });
      await s.wait();
      for (const [i, w] of extra.slice(0, count).entries()) {
        await (await sdk.register(w, { source: s.source, provider: w.account.address, environment: [1, 2, 4][i % 3]! })).wait();
      }
      sources.set(count, s.source);
    }
  });

  for (const count of [0, 1, 3, 4]) {
    it(`pages ${count} registrant(s) with page size ${PAGE}`, async () => {
      const source = sources.get(count)!;
      const first = await sdk.getRegistrants(f.publicClient, { source, limit: PAGE });
      expect(first.total).toBe(BigInt(count));
      expect(first.registrants.length).toBe(Math.min(count, Number(PAGE)));
      expect(first.nextOffset).toBe(count > Number(PAGE) ? PAGE : undefined);
      if (first.nextOffset !== undefined) {
        const second = await sdk.getRegistrants(f.publicClient, { source, offset: first.nextOffset, limit: PAGE });
        expect(second.registrants.length).toBe(count - Number(PAGE));
        expect(second.nextOffset).toBeUndefined();
      }
      const all = await sdk.getAllRegistrants(f.publicClient, { source, pageSize: PAGE });
      expect(all.map((r) => r.provider)).toEqual(providers.slice(0, count));
      expect(all.map((r) => r.environment)).toEqual([1, 2, 4, 1].slice(0, count));
      // Past the end: an empty last page, not an error.
      const beyond = await sdk.getRegistrants(f.publicClient, { source, offset: BigInt(count) + 5n, limit: PAGE });
      expect(beyond).toEqual({ registrants: [], total: BigInt(count), offset: BigInt(count) + 5n, nextOffset: undefined });
    });
  }

  it("pages a pinned block, even when the set reorders afterwards", async () => {
    const source = sources.get(4)!;
    const before = await f.publicClient.getBlockNumber();
    // Removing the first moves the last into its slot: paging across this change unpinned would skip one.
    await (await sdk.unregister(f.wallets[7]!, { source, provider: providers[0]! })).wait();
    const then = await sdk.getAllRegistrants(f.publicClient, { source, pageSize: 2n, blockNumber: before });
    expect(then.map((r) => r.provider)).toEqual(providers);
    const now = await sdk.getAllRegistrants(f.publicClient, { source, pageSize: 2n });
    expect(now.map((r) => r.provider).sort()).toEqual(providers.slice(1).sort());
    expect((await sdk.getSource(f.publicClient, { source })).registrantCount).toBe(3n);
    await expect(sdk.getRegistrants(f.publicClient, { source, limit: 0n })).rejects.toThrow(InvalidParameterError);
  });
});

describe("task and source reads", () => {
  it("reads a task, its attempts and a consistent snapshot at a past block", async () => {
    const payment = parseEther("0.01");
    const configUri = "ipfs://QmSnapshotConfig";
    const published = await sdk.publishTask(f.client, { source: p.manualSource, configUri, configHash: configHash("snap"), expiryTime: (await f.now()) + HOUR, payment });
    const { receipt: publishedAt } = await published.wait();
    const task = published.task;
    await (await sdk.attempt(f.provider, { task, provider: addr(f.provider), suggestedPayment: parseEther("0.008") })).wait();
    await (await sdk.attempt(f.master2, { task, provider: addr(f.provider2) })).wait();
    await (await sdk.submitResponse(f.provider, { task, resultUri: "ipfs://r1", resultHash: configHash("r1"), askedPayment: parseEther("0.006") })).wait();
    const midBlock = await f.publicClient.getBlockNumber();
    await (await sdk.submitResponse(f.provider2, { task, resultUri: "ipfs://r2", resultHash: configHash("r2"), askedPayment: parseEther("0.004") })).wait();
    await (await sdk.confirmResponse(f.client, { task, provider: addr(f.provider2) })).wait();

    const mid = await sdk.getTaskSnapshot(f.publicClient, { task, blockNumber: midBlock });
    expect(mid.blockNumber).toBe(midBlock);
    expect(mid.blockHash).toBe((await f.publicClient.getBlock({ blockNumber: midBlock })).hash);
    expect(mid.state.status).toBe(TaskStatus.RESPONDED);
    expect(mid.escrow).toBe(payment);
    expect(mid.publication).toMatchObject({ configUri, client: addr(f.client), source: p.manualSource, blockNumber: publishedAt.blockNumber });
    expect(mid.attempts.map((a) => a.provider)).toEqual([addr(f.provider), addr(f.provider2)]);
    expect(mid.attempts[0]).toMatchObject({ master: addr(f.master), suggestedPayment: parseEther("0.008") });
    expect(mid.attempts.map((a) => a.record.state)).toEqual([AttemptState.RESPONDED, AttemptState.LIVE]);
    expect(mid.responses).toHaveLength(1);
    expect(mid.attempts[0]!.response).toMatchObject({ resultUri: "ipfs://r1", askedPayment: parseEther("0.006") });
    expect(mid.attempts[1]!.response).toBeUndefined();

    const last = await sdk.getTaskSnapshot(f.publicClient, { task });
    expect(last.state.status).toBe(TaskStatus.FINALIZED);
    expect(last.state.selectedProvider).toBe(addr(f.provider2));
    expect(last.escrow).toBe(0n);
    expect(last.settleableAt).toBe(0n);
    expect(last.responses.map((r) => r.resultUri)).toEqual(["ipfs://r1", "ipfs://r2"]);
    expect(last.attempts.map((a) => a.record.state)).toEqual([AttemptState.RESPONDED, AttemptState.RESPONDED]);
    // The same snapshot through ranged log scans (RPCs that cap eth_getLogs).
    expect(await sdk.getTaskSnapshot(f.publicClient, { task, logBlockRange: 2n })).toEqual(last);

    const t = await sdk.getTask(f.publicClient, { task });
    expect(t.terms).toMatchObject({ client: addr(f.client), source: p.manualSource, payment, salt: published.salt, deliveryMethod: 0 });
    expect(await sdk.getAttempt(f.publicClient, { task, provider: addr(f.provider2) })).toMatchObject({ state: AttemptState.RESPONDED, askedPayment: parseEther("0.004") });
    expect((await sdk.getAttempt(f.publicClient, { task, provider: addr(f.other) })).state).toBe(AttemptState.NONE);
  });

  it("refuses addresses that are not tasks or sources of this Nexus", async () => {
    await expect(sdk.getTask(f.publicClient, { task: p.frSource })).rejects.toBeInstanceOf(UnknownTaskError);
    await expect(sdk.getSource(f.publicClient, { source: addr(f.other) })).rejects.toBeInstanceOf(UnknownSourceError);
    await expect(sdk.getTaskSnapshot(f.publicClient, { task: addr(f.other) })).rejects.toBeInstanceOf(UnknownTaskError);
  });

  it("snapshots a source at a block before and after a change", async () => {
    const s = await sdk.publishSource(f.client, { params: sourceParams() });
    await s.wait();
    const before = await f.publicClient.getBlockNumber();
    await (await sdk.register(f.provider, { source: s.source, provider: addr(f.provider), environment: 1 })).wait();
    await (await sdk.setSourceStatus(f.client, { source: s.source, status: 1 })).wait();
    await (await sdk.updateSource(f.client, { source: s.source, params: sourceParams({ minPayment: 5n }) })).wait();

    const then = await sdk.getSourceSnapshot(f.publicClient, { source: s.source, blockNumber: before });
    expect(then).toMatchObject({ client: addr(f.client), status: 0, registrantCount: 0n, registrants: [] });
    expect(then.params.minPayment).toBe(parseEther("0.001"));
    expect(then.publication?.salt).toBe(s.salt);
    const now = await sdk.getSourceSnapshot(f.publicClient, { source: s.source });
    expect(now).toMatchObject({ status: 1, registrantCount: 1n, registrants: [{ provider: addr(f.provider), environment: 1 }] });
    expect(now.params.minPayment).toBe(5n);
    expect(await sdk.predictSourceAddress(f.publicClient, { client: addr(f.client), salt: s.salt })).toBe(s.source);
  });
});

describe("multicall3", () => {
  it("batches a read into one multicall when the chain declares multicall3, with the same result", async () => {
    // Deploy Multicall3 (viem's own copy of its bytecode) and declare it on a copy of the chain.
    const source = readFileSync(new URL("../../node_modules/viem/_esm/constants/contracts.js", import.meta.url), "utf8");
    const bytecode = /multicall3Bytecode = '(0x[0-9a-f]+)'/.exec(source)?.[1] as Hex;
    const hash = await f.owner.sendTransaction({ data: bytecode });
    const { contractAddress } = await f.publicClient.waitForTransactionReceipt({ hash });
    let calls = 0;
    const batched = createPublicClient({
      chain: { ...f.publicClient.chain, contracts: { multicall3: { address: contractAddress! } } },
      transport: custom({
        request: async (args: { method: string; params?: unknown }) => {
          if (args.method === "eth_call") calls++;
          return f.connection.provider.request(args as never);
        },
      }),
    });
    const expected = await sdk.getProtocolConfig(f.publicClient);
    calls = 0;
    expect(await sdk.getProtocolConfig(batched)).toEqual(expected);
    expect(calls).toBe(1);
    const { task } = await sdk.publishTask(f.client, { source: p.frSource, configUri: "ipfs://m", configHash: configHash("m"), expiryTime: (await f.now()) + HOUR, payment: parseEther("0.01") });
    expect(await sdk.getTaskSnapshot(batched, { task })).toEqual(await sdk.getTaskSnapshot(f.publicClient, { task }));
  });
});

describe("accounts and configuration", () => {
  it("reads vault positions, pairing, agents and the protocol configuration", async () => {
    // provider2's master was paid 0.004 ETH less the 1 % fee for its confirmed response above.
    const earned = parseEther("0.004") - parseEther("0.00004");
    expect(await sdk.getVaultPosition(f.publicClient, { account: addr(f.master2) })).toEqual({
      balance: parseEther("5") + earned,
      earnings: earned,
      lockup: parseEther("5"),
      reserved: 0n,
      freeLockup: parseEther("5"),
      unbonding: 0n,
      maturesAt: 0n,
    });
    // A live attempt reserves the task's penalty from its master's lockup until it responds.
    const { task } = await sdk.publishTask(f.client, { source: p.frSource, configUri: "ipfs://v", configHash: configHash("v"), expiryTime: (await f.now()) + HOUR, payment: parseEther("0.01") });
    await (await sdk.attempt(f.provider2, { task, provider: addr(f.provider2) })).wait();
    expect(await sdk.getVaultPosition(f.publicClient, { account: addr(f.master2) })).toMatchObject({ lockup: parseEther("5"), reserved: parseEther("0.01"), freeLockup: parseEther("4.99") });
    await (await sdk.unbond(f.master2, { amount: parseEther("2") })).wait();
    const unbonding = await sdk.getVaultPosition(f.publicClient, { account: addr(f.master2) });
    expect(unbonding).toMatchObject({ lockup: parseEther("3"), reserved: parseEther("0.01"), freeLockup: parseEther("2.99"), unbonding: parseEther("2") });
    expect(unbonding.maturesAt).toBe((await f.now()) + 7n * 86_400n);

    expect(await sdk.getPairing(f.publicClient, { provider: addr(f.provider) })).toEqual({ master: addr(f.master), paired: true, maxPenalty: parseEther("0.01"), infoUri: "" });
    await (await sdk.announceMaster(f.other, { master: addr(f.master) })).wait();
    expect(await sdk.getPairing(f.publicClient, { provider: addr(f.other) })).toMatchObject({ master: addr(f.master), paired: false });

    const agentOf = () => sdk.getAgent(f.publicClient, { principal: addr(f.client), agent: addr(f.agent) });
    expect(await agentOf()).toEqual({ scopes: [], allowance: 0n, unlimited: false });
    await (await sdk.grantAgent(f.client, { agent: addr(f.agent), scopes: ["operator", "client"], allowance: parseEther("2") })).wait();
    expect(await agentOf()).toEqual({ scopes: ["client", "operator"], allowance: parseEther("2"), unlimited: false });
    await (await sdk.grantAgent(f.client, { agent: addr(f.agent), scopes: ["client"], allowance: "unlimited" })).wait();
    expect(await agentOf()).toEqual({ scopes: ["client"], allowance: UNLIMITED_ALLOWANCE, unlimited: true });
    await (await sdk.revokeAgent(f.client, { agent: addr(f.agent) })).wait();
    expect(await agentOf()).toEqual({ scopes: [], allowance: 0n, unlimited: false });

    expect(await sdk.getProtocolConfig(f.publicClient)).toEqual({
      nexus: getAddress(f.nexus),
      vault: getAddress(f.vault),
      registry: getAddress(f.registry),
      feeBps: 100,
      treasury: addr(f.owner),
      unbondingPeriod: 7n * 86_400n,
      owner: addr(f.owner),
      pendingOwner: "0x0000000000000000000000000000000000000000",
      accruedFees: parseEther("0.00004"),
    });
  });
});
