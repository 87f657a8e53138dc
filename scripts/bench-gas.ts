/**
 * Gas benchmark: deploys the suite with Ignition on Hardhat's in-process network, runs every protocol call
 * and the two reference lifecycles, prints a table, and writes it to docs/gas.md and gas-snapshot.json.
 *
 *   npm run bench:gas            measure and rewrite the snapshot
 *   npm run gas:check            measure and fail when a figure moved from the committed snapshot
 */
import { readFile, writeFile } from "node:fs/promises";
import { network } from "hardhat";
import { keccak256, parseEther, toHex, type Address, type Hash, type Hex, type WalletClient } from "viem";
import GpuNexus from "../ignition/modules/GpuNexus.ts";
import { responseCommitment } from "../src/sdk/actions/responses.ts";
import { VerificationMethod } from "../src/sdk/abis.ts";

const SNAPSHOT = new URL("../gas-snapshot.json", import.meta.url);
const REPORT = new URL("../docs/gas.md", import.meta.url);
// Both ceilings were raised for Safety 2 of 3: an attempt reserves its penalty (one slot shared with the lockup) and
// marks its master (a new slot per attempt, ~22,100 gas), and a response releases the reservation. Safety 3 of 3
// raised them again: a response is committed (one more transaction and one slot) before it is revealed.
const TARGETS = { firstResponseLifecycle: 380_000n, manualLifecycle3: 870_000n, agreementLifecycle2: 550_000n };
const HOUR = 3600n;

const connection = await network.create();
const { viem, networkHelpers } = connection;
const publicClient = await viem.getPublicClient();
const [deployer, client, master, p1, p2, p3, other, master2, master3] = await viem.getWalletClients();
if (!deployer || !client || !master || !p1 || !p2 || !p3 || !other || !master2 || !master3) throw new Error("need 9 accounts");
const { nexus } = await connection.ignition.deploy(GpuNexus, { displayUi: false });

const gas = new Map<string, bigint>();
async function measure(label: string, send: Promise<Hash>): Promise<bigint> {
  const receipt = await publicClient.waitForTransactionReceipt({ hash: await send });
  if (receipt.status !== "success") throw new Error(`${label} reverted`);
  if (!gas.has(label)) gas.set(label, receipt.gasUsed);
  return receipt.gasUsed;
}
const as = (wallet: WalletClient) => ({ client: { wallet } }) as const;
const now = async () => BigInt(await networkHelpers.time.latest());
let salt = 0n;
const config = (n: number) => ({ uri: `ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG/${n}`, hash: keccak256(toHex(n)) });

function sourceParams(deliveryMethod: 0 | 1, quorum = 0) {
  return {
    metadataUri: "ipfs://QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
    metadataHash: keccak256(toHex("metadata")),
    environments: 1,
    deliveryMethod,
    maxConcurrentAttempts: 3,
    attemptTimeout: 600,
    maxExpiryDuration: 86_400,
    reviewWindow: 3_600,
    minPayment: parseEther("0.001"),
    minAvailableLockup: parseEther("1"),
    lapsePenalty: parseEther("0.01"),
    verification: quorum === 0 ? VerificationMethod.NONE : VerificationMethod.AGREEMENT,
    quorum,
  };
}

async function publishSource(deliveryMethod: 0 | 1, label?: string, quorum = 0) {
  const s = toHex(++salt, { size: 32 });
  const params = sourceParams(deliveryMethod, quorum);
  const sim = await nexus.simulate.publishSource([params, s], { account: client!.account!.address });
  const hash = nexus.write.publishSource([params, s], { account: client!.account });
  if (label) await measure(label, hash);
  else await publicClient.waitForTransactionReceipt({ hash: await hash });
  return sim.result;
}

async function publishTask(source: `0x${string}`, label: string, n: number) {
  const c = config(n);
  // What the client read just before: the source's version and the fee (the transaction reverts if either moves).
  const seen = { sourceVersion: await (await viem.getContractAt("Source", source)).read.version(), feeBps: await nexus.read.feeBps() };
  const args = [client!.account!.address, source, c.uri, c.hash, (await now()) + 2n * HOUR, parseEther("0.01"), ++salt, seen] as const;
  const sim = await nexus.simulate.publishTask(args, { account: client!.account!.address, value: parseEther("0.01") });
  const used = await measure(label, nexus.write.publishTask(args, { account: client!.account, value: parseEther("0.01") }));
  return { task: sim.result, used };
}

// A response: committed, then revealed in the next block (automine: the next transaction).
const SECRET = keccak256(toHex("secret"));
async function respond(task: Address, p: WalletClient, uri: string, hash: Hex, asked: bigint, labels?: { commit: string; reveal: string }) {
  const commitment = responseCommitment({ task, provider: p.account!.address, resultHash: hash, askedPayment: asked, secret: SECRET });
  const committed = await gasOf(labels?.commit, nexus.write.commitResponse([task, commitment], { account: p.account }));
  return committed + (await gasOf(labels?.reveal, nexus.write.revealResponse([task, uri, hash, asked, SECRET], { account: p.account })));
}
/** Measured under `label` when given, else only waited for. */
async function gasOf(label: string | undefined, send: Promise<Hash>): Promise<bigint> {
  if (label !== undefined) return measure(label, send);
  const receipt = await publicClient.waitForTransactionReceipt({ hash: await send });
  if (receipt.status !== "success") throw new Error("a transaction of the benchmark reverted");
  return receipt.gasUsed;
}

// Providers: each paired with a master of its own (a master attempts a task once), which stakes; every provider
// registers to both sources.
for (const [m, p] of [[master, p1], [master2, p2], [master3, p3]] as const) {
  await measure("announceProvider (master)", nexus.write.announceProvider([p.account!.address, parseEther("0.01")], { account: m.account }));
  await measure("announceMaster (provider, completes pairing)", nexus.write.announceMaster([m.account!.address], { account: p.account }));
  await measure("deposit", nexus.write.deposit([m.account!.address], { account: m.account, value: parseEther("10") }));
  await measure("lock", nexus.write.lock([parseEther("5")], { account: m.account }));
}
const first = await publishSource(1, "publishSource");
const manual = await publishSource(0);
const agreement = await publishSource(1, undefined, 2);
for (const p of [p1, p2, p3]) {
  await measure("register", nexus.write.register([first, p.account!.address, 1], { account: p.account }));
  await nexus.write.register([manual, p.account!.address, 1], { account: p.account });
  await nexus.write.register([agreement, p.account!.address, 1], { account: p.account });
}
// Warm-up: the first payout to each master and the first fee create storage slots a steady state does not.
for (const [i, p] of [p1, p2, p3].entries()) {
  const { task } = await publishTask(first, "warm-up", 1000 + i);
  await nexus.write.attempt([task, p.account!.address, 0n], { account: p.account });
  await respond(task, p, "ipfs://warm", keccak256("0x00"), 0n);
}

// FIRST_RESPONSE lifecycle.
const fr = await publishTask(first, "publishTask", 1);
const frAttempt = await measure("attempt", nexus.write.attempt([fr.task, p1.account!.address, 0n], { account: p1.account }));
const c1 = config(101);
const frRespond = await respond(fr.task, p1, c1.uri, c1.hash, 0n, { commit: "commitResponse", reveal: "revealResponse (FIRST_RESPONSE, pays out)" });
const firstResponseLifecycle = fr.used + frAttempt + frRespond;

// MANUAL lifecycle with 3 providers: each asks the full payment (the provider node's default), and again with
// asks below the payment, which store one more slot per response.
async function manualLifecycle(asked: bigint | undefined, suffix: string, salt: number) {
  const mt = await publishTask(manual, `publishTask (MANUAL${suffix})`, salt);
  let total = mt.used;
  for (const [i, p] of [p1!, p2!, p3!].entries()) {
    total += await measure(`attempt (MANUAL${suffix}, #${i + 1})`, nexus.write.attempt([mt.task, p.account!.address, 0n], { account: p.account }));
  }
  for (const [i, p] of [p1!, p2!, p3!].entries()) {
    const c = config(salt * 100 + i);
    total += await respond(mt.task, p, c.uri, c.hash, asked ?? parseEther("0.01"), {
      commit: `commitResponse (MANUAL${suffix}, #${i + 1})`,
      reveal: `revealResponse (MANUAL${suffix}, #${i + 1})`,
    });
  }
  return total + (await measure(`confirmResponse${suffix}`, nexus.write.confirmResponse([mt.task, p2!.account!.address], { account: client!.account })));
}
const manualLifecycle3 = await manualLifecycle(undefined, "", 2);
const manualLifecycle3Partial = await manualLifecycle(parseEther("0.008"), ", asking less", 6);

// AGREEMENT lifecycle, quorum 2: two attempts, two sealed votes, two reveals; the second pays both masters.
async function agreementLifecycle(saltOf: number) {
  const at = await publishTask(agreement, "publishTask (AGREEMENT)", saltOf);
  let total = at.used;
  const c = config(saltOf * 100);
  for (const [i, p] of [p1!, p2!].entries()) {
    total += await measure(`attempt (AGREEMENT, #${i + 1})`, nexus.write.attempt([at.task, p.account!.address, 0n], { account: p.account }));
  }
  for (const [i, p] of [p1!, p2!].entries()) {
    const commitment = responseCommitment({ task: at.task, provider: p.account!.address, resultHash: c.hash, askedPayment: 0n, secret: SECRET });
    total += await measure(`commitVote (#${i + 1})`, nexus.write.commitVote([at.task, commitment], { account: p.account }));
  }
  for (const [i, p] of [p1!, p2!].entries()) {
    const label = i === 0 ? "revealResponse (AGREEMENT, first vote)" : "revealResponse (AGREEMENT, completes the quorum, pays 2)";
    total += await measure(label, nexus.write.revealResponse([at.task, c.uri, c.hash, 0n, SECRET], { account: p.account }));
  }
  return total;
}
const agreementLifecycle2 = await agreementLifecycle(8);

// Cancel, settle (expired and MANUAL auto-confirm), reportLapse.
const ct = await publishTask(first, "publishTask (again)", 3);
await measure("cancelTask", nexus.write.cancelTask([ct.task], { account: client.account }));
const et = await publishTask(first, "publishTask (again)", 4);
await nexus.write.attempt([et.task, p1.account!.address, 0n], { account: p1.account });
const st = await publishTask(manual, "publishTask (again)", 5);
await nexus.write.attempt([st.task, p1.account!.address, 0n], { account: p1.account });
await nexus.write.attempt([st.task, p2.account!.address, 0n], { account: p2.account });
await respond(st.task, p1, "ipfs://r", keccak256("0x01"), parseEther("0.005"));
await networkHelpers.time.increase(3n * HOUR + 1n);
await measure("reportLapse", nexus.write.reportLapse([et.task, p1.account!.address], { account: other.account }));
// An attempt cut short: p2 and p3 attempt a FIRST_RESPONSE task, p3 wins, p2's reservation is released.
{
  const rt = await publishTask(first, "publishTask (again)", 7);
  await nexus.write.attempt([rt.task, p2.account!.address, 0n], { account: p2.account });
  await nexus.write.attempt([rt.task, p3.account!.address, 0n], { account: p3.account });
  await respond(rt.task, p3, "ipfs://r", keccak256("0x02"), 0n);
  await measure("releaseAttempt", nexus.write.releaseAttempt([rt.task, p2.account!.address], { account: other.account }));
}
await measure("settle (expired, refund)", nexus.write.settle([et.task], { account: other.account }));
await measure("settle (MANUAL, pays earliest)", nexus.write.settle([st.task], { account: other.account }));

// Vault calls.
await measure("unbond", nexus.write.unbond([parseEther("1")], { account: master.account }));
await measure("cancelUnbonding", nexus.write.cancelUnbonding({ account: master.account }));
await nexus.write.unbond([parseEther("1")], { account: master.account });
await networkHelpers.time.increase(8n * 24n * HOUR);
await measure("claim", nexus.write.claim({ account: master.account }));
await measure("withdraw", nexus.write.withdraw([parseEther("1")], { account: master.account }));
await measure("collectFees", nexus.write.collectFees({ account: other.account }));
gas.delete("warm-up");
gas.delete("publishTask (again)");
gas.set("FIRST_RESPONSE lifecycle (publishTask + attempt + commitResponse + revealResponse)", firstResponseLifecycle);
gas.set("MANUAL lifecycle, 3 providers (publish + 3 attempts + 3 commitments + 3 reveals + confirm)", manualLifecycle3);
gas.set("MANUAL lifecycle, 3 providers asking less than the payment", manualLifecycle3Partial);
gas.set("AGREEMENT lifecycle, quorum 2 (publish + 2 attempts + 2 commitVotes + 2 reveals)", agreementLifecycle2);
for (const label of [...gas.keys()]) if (/\(MANUAL, asking less, #|confirmResponse, asking less|publishTask \(MANUAL, asking less/.test(label)) gas.delete(label);

const rows = [...gas.entries()];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`${"operation".padEnd(width)}  gas`);
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v.toLocaleString("en-US")}`);
const verdict = (v: bigint, t: bigint) => `${v.toLocaleString("en-US")} / target ${t.toLocaleString("en-US")} ${v <= t ? "(met)" : "(MISSED)"}`;
console.log(`\nFIRST_RESPONSE lifecycle: ${verdict(firstResponseLifecycle, TARGETS.firstResponseLifecycle)}`);
console.log(`MANUAL lifecycle (3 providers): ${verdict(manualLifecycle3, TARGETS.manualLifecycle3)}`);
console.log(`AGREEMENT lifecycle (quorum 2): ${verdict(agreementLifecycle2, TARGETS.agreementLifecycle2)}`);

const snapshot = Object.fromEntries(rows.map(([k, v]) => [k, Number(v)]));
if (process.argv.includes("--check")) {
  const committed = JSON.parse(await readFile(SNAPSHOT, "utf8")) as Record<string, number>;
  // Calldata costs 4 gas per zero byte and 16 per other byte, and the measured calls carry timestamps, so a
  // figure may move by a few gas between runs; anything beyond that is a real change.
  const tolerance = (k: string) => Math.max(64, Math.ceil((committed[k] ?? 0) * 0.0005));
  const drift = Object.keys({ ...committed, ...snapshot }).filter(
    (k) => committed[k] === undefined || snapshot[k] === undefined || Math.abs(committed[k] - snapshot[k]) > tolerance(k),
  );
  for (const k of drift) console.error(`gas changed: ${k}: snapshot ${committed[k]} -> now ${snapshot[k]}`);
  if (drift.length > 0) {
    console.error("gas snapshot is stale: run `npm run bench:gas` and commit gas-snapshot.json");
    process.exit(1);
  }
  console.log("gas snapshot matches");
} else {
  await writeFile(SNAPSHOT, `${JSON.stringify(snapshot, null, 2)}\n`);
  const table = rows.map(([k, v]) => `| ${k} | ${v.toLocaleString("en-US")} |`).join("\n");
  await writeFile(
    REPORT,
    `# Gas\n\nMeasured by \`npm run bench:gas\` (Hardhat in-process network, solc 0.8.29, optimizer 10,000 runs, cancun),\nsteady state: the master already holds a balance and fees were accrued before.\n\nA response is two transactions, \`commitResponse\` then \`revealResponse\` in a later block (docs/PROTOCOL.md\n"Commitments"); there is no one-transaction mode, so each lifecycle below includes both. Ceilings: FIRST_RESPONSE\nlifecycle ${TARGETS.firstResponseLifecycle.toLocaleString("en-US")}, MANUAL lifecycle with 3 providers ${TARGETS.manualLifecycle3.toLocaleString("en-US")}.\n\n| operation | gas |\n|---|---|\n${table}\n`,
  );
}
if (firstResponseLifecycle > TARGETS.firstResponseLifecycle || manualLifecycle3 > TARGETS.manualLifecycle3) process.exitCode = 2;
