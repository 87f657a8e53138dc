/**
 * The auditors' end-to-end walk: deploy the suite with the Ignition module, then take one task through each
 * delivery method, reading every event each transaction emits and the Vault's books after every step.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { network } from "hardhat";
import { encodeAbiParameters, getAddress, keccak256, parseEther, parseEventLogs, toHex, type Address, type Hash, type Hex, type WalletClient } from "viem";
import GpuNexus from "../../ignition/modules/GpuNexus.ts";
import { VerificationMethod } from "../../src/sdk/abis.ts";

const HOUR = 3600n;
const addr = (wallet: WalletClient) => getAddress(wallet.account!.address);
const PAYMENT = parseEther("1");
const FEE_BPS = 250n;
/** What the master accepts to lose per attempt of its providers: the sources' penalty (PROTOCOL.md "The master's consent"). */
const MAX_PENALTY = parseEther("0.5");

describe("GPU Nexus end to end (Ignition deployment)", async () => {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;
  const publicClient = await viem.getPublicClient();
  const [deployer, treasury, client, master, provider1, provider2, keeper, master2] = await viem.getWalletClients();
  const { nexus, vault, registry } = await connection.ignition.deploy(GpuNexus, {
    displayUi: false,
    parameters: { GpuNexus: { treasury: addr(treasury!), feeBps: Number(FEE_BPS), unbondingPeriod: 86_400 } },
  });

  /** Sends, waits, and returns the decoded Nexus events of the receipt (all protocol events come from Nexus). */
  async function send(hash: Promise<Hash>) {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    assert.equal(receipt.status, "success");
    for (const log of receipt.logs) assert.equal(log.address.toLowerCase(), nexus.address.toLowerCase());
    return parseEventLogs({ abi: nexus.abi, logs: receipt.logs });
  }
  const eventNames = (events: { eventName: string }[]) => events.map((e) => e.eventName);
  const SECRET = keccak256(toHex("secret"));
  /** Seals a response (PROTOCOL.md "Commitments"): keccak256(abi.encode(task, provider, resultHash, askedPayment, secret)). */
  async function commit(task: Address, provider: WalletClient, resultHash: Hex, askedPayment: bigint) {
    const types = [{ type: "address" }, { type: "address" }, { type: "bytes32" }, { type: "uint256" }, { type: "bytes32" }] as const;
    const commitment = keccak256(encodeAbiParameters(types, [task, addr(provider), resultHash, askedPayment, SECRET]));
    const events = await send(nexus.write.commitResponse([task, commitment], { account: provider.account! }));
    assert.deepEqual(events[0]?.args, { task, provider: addr(provider), commitment });
  }
  const vaultNativeBalance = () => publicClient.getBalance({ address: vault.address });
  const balanceOf = (a: Address) => vault.read.balanceOf([a]);

  const sourceParams = (deliveryMethod: 0 | 1) => ({
    metadataUri: "ipfs://QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
    metadataHash: keccak256(toHex("metadata")),
    environments: 1 | 2,
    deliveryMethod,
    maxConcurrentAttempts: 2,
    attemptTimeout: 600,
    maxExpiryDuration: 86_400,
    reviewWindow: 3_600,
    minPayment: parseEther("0.1"),
    minAvailableLockup: parseEther("2"),
    lapsePenalty: parseEther("0.5"),
    verification: VerificationMethod.NONE,
    quorum: 0,
  });

  let firstResponseSource: Address;
  let manualSource: Address;

  before(async () => {
    assert.equal(await nexus.read.vault(), vault.address);
    assert.equal(await nexus.read.registry(), registry.address);
    assert.equal(await vault.read.nexus(), nexus.address);
    assert.equal(await nexus.read.owner(), addr(deployer!));
    assert.equal(await nexus.read.treasury(), addr(treasury!));
    assert.equal(BigInt(await nexus.read.feeBps()), FEE_BPS);
    assert.equal(await vault.read.unbondingPeriod(), 86_400n);
  });

  it("pairs each provider with its master in both orders and stakes the masters", async () => {
    assert.deepEqual(eventNames(await send(nexus.write.announceProvider([addr(provider1!), MAX_PENALTY], { account: master!.account }))), ["ProviderAnnounced"]);
    const paired1 = await send(nexus.write.announceMaster([addr(master!)], { account: provider1!.account }));
    assert.equal(paired1[0]?.eventName, "MasterAnnounced");
    assert.deepEqual(paired1[0]?.args, { provider: addr(provider1!), master: addr(master!), paired: true });

    // provider2 has a master of its own: a master attempts a task once.
    const half = await send(nexus.write.announceMaster([addr(master2!)], { account: provider2!.account }));
    assert.deepEqual(half[0]?.args, { provider: addr(provider2!), master: addr(master2!), paired: false });
    const paired2 = await send(nexus.write.announceProvider([addr(provider2!), MAX_PENALTY], { account: master2!.account }));
    assert.deepEqual(paired2[0]?.args, { master: addr(master2!), provider: addr(provider2!), maxPenalty: MAX_PENALTY, paired: true });
    assert.equal(await registry.read.masterOf([addr(provider2!)]), addr(master2!));

    for (const m of [master!, master2!]) {
      const deposited = await send(nexus.write.deposit([addr(m)], { account: m.account, value: parseEther("5") }));
      assert.deepEqual(deposited[0]?.args, { account: addr(m), from: addr(m), amount: parseEther("5") });
      const locked = await send(nexus.write.lock([parseEther("3")], { account: m.account }));
      assert.deepEqual(locked[0]?.args, { account: addr(m), amount: parseEther("3") });
      assert.equal(await vault.read.lockupOf([addr(m)]), parseEther("3"));
    }
    assert.equal(await vaultNativeBalance(), parseEther("10"));
  });

  it("publishes both sources at their predicted addresses and registers the providers", async () => {
    for (const [deliveryMethod, salt] of [[1, toHex(1n, { size: 32 })], [0, toHex(2n, { size: 32 })]] as const) {
      const predicted = await nexus.read.predictSourceAddress([addr(client!), salt]);
      const events = await send(nexus.write.publishSource([sourceParams(deliveryMethod), salt], { account: client!.account }));
      assert.deepEqual(eventNames(events), ["SourcePublished"]);
      const published = events[0]!;
      assert.equal(published.eventName, "SourcePublished");
      if (published.eventName !== "SourcePublished") return;
      assert.equal(published.args.source, predicted);
      assert.equal(published.args.client, addr(client!));
      assert.equal(published.args.params.deliveryMethod, deliveryMethod);
      assert.equal(await nexus.read.isSource([predicted]), true);
      if (deliveryMethod === 1) firstResponseSource = predicted;
      else manualSource = predicted;
    }
    for (const source of [firstResponseSource, manualSource]) {
      for (const [provider, environment] of [[provider1!, 1], [provider2!, 2]] as const) {
        const events = await send(nexus.write.register([source, addr(provider), environment], { account: provider.account }));
        assert.deepEqual(events[0]?.args, { source, provider: addr(provider), master: addr(provider === provider1 ? master! : master2!), environment });
      }
    }
    const sourceContract = await viem.getContractAt("Source", firstResponseSource);
    assert.equal(await sourceContract.read.registrantCount(), 2n);
    assert.equal(await sourceContract.read.client(), addr(client!));
  });

  async function publishTask(source: Address, salt: bigint) {
    const expiryTime = BigInt(await networkHelpers.time.latest()) + 2n * HOUR;
    const configHash = keccak256(toHex(`config-${salt}`));
    const seen = { sourceVersion: 1, feeBps: Number(FEE_BPS) };
    const args = [addr(client!), source, `ipfs://config-${salt}`, configHash, expiryTime, PAYMENT, salt, seen] as const;
    const { result: predicted } = await nexus.simulate.publishTask(args, { account: addr(client!), value: PAYMENT });
    const events = await send(nexus.write.publishTask(args, { account: client!.account, value: PAYMENT }));
    // The value sent is credited to the client's balance, then escrowed.
    assert.deepEqual(eventNames(events), ["Deposited", "TaskPublished"]);
    assert.deepEqual(events[0]?.args, { account: addr(client!), from: addr(client!), amount: PAYMENT });
    assert.deepEqual(events[1]?.args, {
      task: predicted,
      source,
      client: addr(client!),
      configUri: `ipfs://config-${salt}`,
      configHash,
      expiryTime,
      payment: PAYMENT,
      salt,
    });
    assert.equal(await vault.read.escrowOf([predicted]), PAYMENT);
    return predicted;
  }

  it("FIRST_RESPONSE: the first response finalizes and pays its master, a late one is refused, the loser's stake is released", async () => {
    const vaultBefore = await vaultNativeBalance();
    const task = await publishTask(firstResponseSource, 1n);
    assert.equal(await vaultNativeBalance(), vaultBefore + PAYMENT);

    for (const provider of [provider1!, provider2!]) {
      const events = await send(nexus.write.attempt([task, addr(provider), 0n], { account: provider.account }));
      assert.equal(events[0]?.eventName, "TaskAttempted");
      assert.equal(events[0]?.args.provider, addr(provider));
    }
    // Each live attempt reserves the task's lapse penalty from its master's lockup.
    assert.equal((await vault.read.stakeOf([addr(master!)])).reserved, parseEther("0.5"));
    const masterBefore = await balanceOf(addr(master2!));
    const resultHash = keccak256(toHex("result-1"));
    await commit(task, provider1!, resultHash, 0n);
    await commit(task, provider2!, resultHash, 0n);
    const events = await send(nexus.write.revealResponse([task, "ipfs://result-1", resultHash, 0n, SECRET], { account: provider2!.account }));
    assert.deepEqual(eventNames(events), ["ResponseSubmitted", "TaskFinalized"]);
    assert.deepEqual(events[0]?.args, { task, provider: addr(provider2!), resultUri: "ipfs://result-1", resultHash, askedPayment: PAYMENT });
    const fee = (PAYMENT * FEE_BPS) / 10_000n;
    assert.deepEqual(events[1]?.args, {
      task,
      provider: addr(provider2!),
      payee: addr(master2!),
      paid: PAYMENT,
      fee,
      refunded: 0n,
      bySettlement: false,
    });
    assert.equal(await balanceOf(addr(master2!)), masterBefore + PAYMENT - fee);
    assert.equal((await vault.read.stakeOf([addr(master2!)])).reserved, 0n);
    assert.equal(await vault.read.accruedFees(), fee);
    assert.equal(await vault.read.escrowOf([task]), 0n);

    const taskContract = await viem.getContractAt("Task", task);
    assert.equal(await taskContract.read.status(), 5);
    assert.equal(await taskContract.read.winner(), addr(provider2!));
    await viem.assertions.revertWithCustomErrorWithArgs(
      nexus.write.revealResponse([task, "ipfs://late", resultHash, 0n, SECRET], { account: provider1!.account }),
      taskContract,
      "TaskAlreadyFinalized",
      [task, addr(provider2!)],
    );
    // The loser was cut short: anyone returns its reservation to its master's free lockup.
    const released = await send(nexus.write.releaseAttempt([task, addr(provider1!)], { account: keeper!.account }));
    assert.deepEqual(released[0]?.args, { task, provider: addr(provider1!), master: addr(master!), penalty: parseEther("0.5"), caller: addr(keeper!) });
    assert.equal(await vault.read.freeLockupOf([addr(master!)]), parseEther("3"));
  });

  it("MANUAL_CONFIRMATION: several responses, the client confirms one, the rest of the escrow is refunded", async () => {
    const task = await publishTask(manualSource, 2n);
    for (const provider of [provider1!, provider2!]) {
      await send(nexus.write.attempt([task, addr(provider), parseEther("0.8")], { account: provider.account }));
    }
    const asked = [parseEther("0.9"), parseEther("0.6")] as const;
    for (const [i, provider] of [provider1!, provider2!].entries()) {
      await commit(task, provider, keccak256(toHex(i)), asked[i]!);
      const events = await send(nexus.write.revealResponse([task, `ipfs://manual-${i}`, keccak256(toHex(i)), asked[i]!, SECRET], { account: provider.account }));
      assert.deepEqual(eventNames(events), ["ResponseSubmitted"]);
      const submitted = events[0];
      assert.ok(submitted?.eventName === "ResponseSubmitted");
      assert.equal(submitted.args.askedPayment, asked[i]);
    }
    const taskContract = await viem.getContractAt("Task", task);
    assert.equal(await taskContract.read.status(), 2);
    assert.equal((await taskContract.read.state()).selectedProvider, addr(provider1!));

    const clientBefore = await balanceOf(addr(client!));
    const masterBefore = await balanceOf(addr(master2!));
    const events = await send(nexus.write.confirmResponse([task, addr(provider2!)], { account: client!.account }));
    const fee = (asked[1] * FEE_BPS) / 10_000n;
    assert.deepEqual(eventNames(events), ["TaskFinalized"]);
    assert.deepEqual(events[0]?.args, {
      task,
      provider: addr(provider2!),
      payee: addr(master2!),
      paid: asked[1],
      fee,
      refunded: PAYMENT - asked[1],
      bySettlement: false,
    });
    assert.equal(await balanceOf(addr(master2!)), masterBefore + asked[1] - fee);
    assert.equal(await balanceOf(addr(client!)), clientBefore + PAYMENT - asked[1]);
    assert.equal(await taskContract.read.winner(), addr(provider2!));
  });

  it("an unanswered task lapses, is penalized, settles as EXPIRED, and the books balance to the wei", async () => {
    const task = await publishTask(firstResponseSource, 3n);
    await send(nexus.write.attempt([task, addr(provider1!), 0n], { account: provider1!.account }));
    await networkHelpers.time.increase(2n * HOUR);

    const lapse = await send(nexus.write.reportLapse([task, addr(provider1!)], { account: keeper!.account }));
    assert.deepEqual(lapse[0]?.args, {
      task,
      provider: addr(provider1!),
      master: addr(master!),
      penalty: parseEther("0.5"),
      // Paid to the client, not burned: only an AGREEMENT task without agreement burns a penalty.
      burned: false,
      reporter: addr(keeper!),
    });
    const settled = await send(nexus.write.settle([task], { account: keeper!.account }));
    assert.deepEqual(settled[0]?.args, { task, client: addr(client!), refunded: PAYMENT });

    const collected = await send(nexus.write.collectFees({ account: keeper!.account }));
    assert.equal(collected[0]?.eventName, "FeesCollected");

    const accounts = [client!, master!, master2!, provider1!, provider2!, treasury!, keeper!].map((w) => addr(w));
    let books = await vault.read.accruedFees();
    for (const account of accounts) {
      const stake = await vault.read.stakeOf([account]);
      books += (await balanceOf(account)) + stake.lockup + stake.unbonding;
    }
    assert.equal(books, await vaultNativeBalance());
  });

  it("unbonds, claims after the period and withdraws to the master's wallet", async () => {
    const unbond = await send(nexus.write.unbond([parseEther("1")], { account: master!.account }));
    assert.equal(unbond[0]?.eventName, "UnbondingStarted");
    await networkHelpers.time.increase(86_400n);
    const claimed = await send(nexus.write.claim({ account: master!.account }));
    assert.deepEqual(claimed[0]?.args, { account: addr(master!), amount: parseEther("1") });
    const balance = await balanceOf(addr(master!));
    const walletBefore = await publicClient.getBalance({ address: addr(master!) });
    const receipt = await publicClient.waitForTransactionReceipt({
      hash: await nexus.write.withdraw([balance], { account: master!.account }),
    });
    const withdrawn = parseEventLogs({ abi: nexus.abi, logs: receipt.logs, eventName: "Withdrawn" });
    assert.deepEqual(withdrawn[0]?.args, { account: addr(master!), recipient: addr(master!), amount: balance });
    const gasPaid = receipt.gasUsed * receipt.effectiveGasPrice;
    assert.equal(await publicClient.getBalance({ address: addr(master!) }), walletBefore + balance - gasPaid);
    assert.equal(await balanceOf(addr(master!)), 0n);
  });
});
