// Vault, registry and admin actions, the `client.extend(nexusActions)` decorator, and wait() on its own.
import { createNonceManager, getAddress, parseEther, publicActions, type Address } from "viem";
import { jsonRpc } from "viem/nonce";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentScope, type NexusEventLog } from "../../src/sdk/abis.ts";
import * as sdk from "../../src/sdk/actions/index.ts";
import { nexusActions, nexusPublicActions } from "../../src/sdk/decorator.ts";
import { isNexusRevert } from "../../src/sdk/errors/index.ts";
import { configHash, deployNexus, HOUR, sourceParams, type Fixture } from "./actions-fixtures.ts";

let f: Fixture;
const addr = (w: { account: { address: Address } }) => getAddress(w.account.address);
const args = <N extends NexusEventLog["eventName"]>(events: NexusEventLog[], name: N): NexusEventLog<N>["args"] | undefined =>
  (events.find((e) => e.eventName === name) as NexusEventLog<N> | undefined)?.args;

beforeAll(async () => {
  f = await deployNexus();
});
afterAll(async () => {
  await f.connection.close();
});

describe("vault", () => {
  it("deposits, locks, unbonds, cancels, claims after maturity and withdraws", async () => {
    const me = addr(f.master);
    const deposited = await (await sdk.deposit(f.master, { value: parseEther("3") })).wait();
    expect(args(deposited.events, "Deposited")).toEqual({ account: me, from: me, amount: parseEther("3") });
    const gift = await (await sdk.deposit(f.client, { value: parseEther("1"), beneficiary: me })).wait();
    expect(args(gift.events, "Deposited")).toEqual({ account: me, from: addr(f.client), amount: parseEther("1") });
    await (await sdk.lock(f.master, { amount: parseEther("2") })).wait();
    const unbonded = await (await sdk.unbond(f.master, { amount: parseEther("1") })).wait();
    expect(args(unbonded.events, "UnbondingStarted")).toMatchObject({ amount: parseEther("1"), unbonding: parseEther("1") });
    expect(args((await (await sdk.cancelUnbonding(f.master)).wait()).events, "UnbondingCanceled")?.amount).toBe(parseEther("1"));
    await (await sdk.unbond(f.master, { amount: parseEther("1") })).wait();
    await f.time.increase(7 * 86_400);
    expect(args((await (await sdk.claim(f.master)).wait()).events, "Claimed")?.amount).toBe(parseEther("1"));
    const balanceBefore = await f.publicClient.getBalance({ address: me });
    const withdrawn = await (await sdk.withdraw(f.master, { amount: parseEther("3") })).wait();
    expect(args(withdrawn.events, "Withdrawn")?.amount).toBe(parseEther("3"));
    const gasCost = withdrawn.receipt.gasUsed * withdrawn.receipt.effectiveGasPrice;
    expect(await f.publicClient.getBalance({ address: me })).toBe(balanceBefore + parseEther("3") - gasCost);
    expect(await sdk.getVaultPosition(f.publicClient, { account: me })).toEqual({ balance: 0n, earnings: 0n, lockup: parseEther("1"), reserved: 0n, freeLockup: parseEther("1"), unbonding: 0n, maturesAt: 0n });
  });

  it("withdraw with a recipient sends the sender's balance to that address (withdrawTo)", async () => {
    const me = addr(f.client);
    const recipient = addr(f.other);
    await (await sdk.deposit(f.client, { value: parseEther("2") })).wait();
    const recipientBefore = await f.publicClient.getBalance({ address: recipient });
    const sent = await (await sdk.withdraw(f.client, { amount: parseEther("0.5"), recipient })).wait();
    expect(args(sent.events, "Withdrawn")).toEqual({ account: me, recipient, amount: parseEther("0.5") });
    expect(await f.publicClient.getBalance({ address: recipient })).toBe(recipientBefore + parseEther("0.5"));
    expect((await sdk.getVaultPosition(f.publicClient, { account: me })).balance).toBe(parseEther("1.5"));
  });
});

describe("registry", () => {
  it("pairs two-sidedly with the master's penalty cap, sets info and agents, and unpairs", async () => {
    const announced = await (await sdk.announceProvider(f.master, { provider: addr(f.provider) })).wait();
    // No cap given: the master accepts no penalty at all.
    expect(args(announced.events, "ProviderAnnounced")).toEqual({ master: addr(f.master), provider: addr(f.provider), maxPenalty: 0n, paired: false });
    const back = await (await sdk.announceMaster(f.provider, { master: addr(f.master) })).wait();
    expect(args(back.events, "MasterAnnounced")?.paired).toBe(true);
    await (await sdk.setProviderInfo(f.master, { provider: addr(f.provider), uri: "ipfs://info" })).wait();
    expect(await sdk.getPairing(f.publicClient, { provider: addr(f.provider) })).toEqual({ master: addr(f.master), paired: true, maxPenalty: 0n, infoUri: "ipfs://info" });
    const raised = await (await sdk.announceProvider(f.master, { provider: addr(f.provider), maxPenalty: parseEther("0.2") })).wait();
    expect(args(raised.events, "ProviderAnnounced")).toEqual({ master: addr(f.master), provider: addr(f.provider), maxPenalty: parseEther("0.2"), paired: true });
    expect((await sdk.getPairing(f.publicClient, { provider: addr(f.provider) })).maxPenalty).toBe(parseEther("0.2"));
    const granted = await (await sdk.grantAgent(f.master, { agent: addr(f.agent), scopes: ["operator"] })).wait();
    expect(args(granted.events, "AgentGranted")).toEqual({ principal: addr(f.master), agent: addr(f.agent), scopes: AgentScope.OPERATOR, allowance: 0n });
    const revoked = await (await sdk.revokeAgent(f.master, { agent: addr(f.agent) })).wait();
    expect(args(revoked.events, "AgentGranted")).toEqual({ principal: addr(f.master), agent: addr(f.agent), scopes: 0, allowance: 0n });
    expect((await sdk.getAgent(f.publicClient, { principal: addr(f.master), agent: addr(f.agent) })).scopes).toEqual([]);
    expect(args((await (await sdk.revokeMaster(f.provider)).wait()).events, "MasterRevoked")?.master).toBe(addr(f.master));
    expect(args((await (await sdk.revokeProvider(f.master, { provider: addr(f.provider) })).wait()).events, "ProviderRevoked")?.provider).toBe(addr(f.provider));
    expect((await sdk.getPairing(f.publicClient, { provider: addr(f.provider) })).paired).toBe(false);
  });
});

describe("admin", () => {
  it("sets fee, treasury and unbonding period; collects fees; transfers ownership in two steps", async () => {
    expect(args((await (await sdk.setFee(f.owner, { feeBps: 250 })).wait()).events, "FeeSet")?.feeBps).toBe(250);
    expect(args((await (await sdk.setTreasury(f.owner, { treasury: addr(f.other) })).wait()).events, "TreasurySet")?.treasury).toBe(addr(f.other));
    expect(args((await (await sdk.setUnbondingPeriod(f.owner, { period: 86_400n })).wait()).events, "UnbondingPeriodSet")?.period).toBe(86_400n);

    // A paid FIRST_RESPONSE task accrues 2.5 % to collect.
    await (await sdk.announceProvider(f.master, { provider: addr(f.provider2), maxPenalty: parseEther("0.01") })).wait();
    await (await sdk.announceMaster(f.provider2, { master: addr(f.master) })).wait();
    const { source } = await sdk.publishSource(f.client, { params: sourceParams({ minAvailableLockup: 0n }) });
    await (await sdk.register(f.provider2, { source, provider: addr(f.provider2), environment: 1 })).wait();
    const { task } = await sdk.publishTask(f.client, { source, configUri: "ipfs://c", configHash: configHash("c"), expiryTime: (await f.now()) + HOUR, payment: parseEther("1") });
    await (await sdk.attempt(f.provider2, { task, provider: addr(f.provider2) })).wait();
    await (await sdk.submitResponse(f.provider2, { task, resultUri: "ipfs://r", resultHash: configHash("r") })).wait();
    const collected = await (await sdk.collectFees(f.agent)).wait();
    expect(args(collected.events, "FeesCollected")).toEqual({ treasury: addr(f.other), amount: parseEther("0.025") });

    await (await sdk.transferOwnership(f.owner, { newOwner: addr(f.agent) })).wait();
    expect((await sdk.getProtocolConfig(f.publicClient)).pendingOwner).toBe(addr(f.agent));
    await (await sdk.acceptOwnership(f.agent)).wait();
    const config = await sdk.getProtocolConfig(f.publicClient);
    expect(config).toMatchObject({ owner: addr(f.agent), feeBps: 250, treasury: addr(f.other), unbondingPeriod: 86_400n, accruedFees: 0n });
    const refused = await sdk.setFee(f.owner, { feeBps: 1 }).catch((e: unknown) => e);
    expect(isNexusRevert(refused, "OwnableUnauthorizedAccount")).toBe(true);
    await (await sdk.renounceOwnership(f.agent)).wait();
    expect((await sdk.getProtocolConfig(f.publicClient)).owner).toBe("0x0000000000000000000000000000000000000000");
  });
});

describe("decorator and waiting", () => {
  it("binds every action with client.extend(nexusActions)", async () => {
    const wallet = f.client.extend(nexusActions);
    const reader = f.publicClient.extend(nexusPublicActions);
    const published = await wallet.publishSource({ params: sourceParams() });
    await published.wait();
    const source = await reader.getSource({ source: published.source });
    expect(source.client).toBe(addr(f.client));
    const { task, hash } = await wallet.publishTask({ source: published.source, configUri: "ipfs://d", configHash: configHash("d"), expiryTime: (await f.now()) + HOUR, payment: parseEther("0.01") });
    // wait() on its own, from a hash.
    const { events } = await reader.waitForNexusTransaction({ hash });
    expect(args(events, "TaskPublished")?.task).toBe(task);
    expect((await wallet.getTaskSnapshot({ task })).publication?.configUri).toBe("ipfs://d");
    await (await wallet.cancelTask({ task })).wait();
    const withPublic = f.client.extend(publicActions).extend(nexusActions);
    expect((await withPublic.getTask({ task })).state.status).toBe(3);
  });

  it("takes nonces from a plain viem NonceManager and gives one back when the send fails", async () => {
    const nonceManager = createNonceManager({ source: jsonRpc() });
    const from = addr(f.other);
    const chainId = 31337;
    const first = await sdk.deposit(f.other, { value: 1n, nonceManager });
    await first.wait();
    const start = await nonceManager.get({ address: from, chainId, client: f.publicClient });
    // Fails before any nonce is taken (simulation), then a real send reuses the next nonce.
    await expect(sdk.withdraw(f.other, { amount: parseEther("100"), nonceManager })).rejects.toSatisfy((e) => isNexusRevert(e, "InsufficientBalance"));
    const second = await sdk.deposit(f.other, { value: 1n, nonceManager });
    const tx = await f.publicClient.getTransaction({ hash: second.hash });
    expect(tx.nonce).toBe(start);
  });
});
