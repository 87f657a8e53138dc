// Every custom error of the protocol's interfaces, caused for real on a chain, decoded into its typed class
// with its arguments and sentence; plus unknown reverts, on-chain reverts and RPC failures kept apart.
import { createPublicClient, getAddress, http, parseEther, stringToHex, type Address } from "viem";
import { call, simulateContract } from "viem/actions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MAX_ATTEMPT_TIMEOUT,
  MAX_CONCURRENT_ATTEMPTS,
  MAX_FEE_BPS,
  MAX_UNBONDING_PERIOD,
  MIN_UNBONDING_PERIOD,
  protocolErrorNames,
  providerRegistryAbi,
  sourceAbi,
  taskAbi,
  vaultAbi,
  VerificationMethod,
} from "../../src/sdk/abis.ts";
import * as sdk from "../../src/sdk/actions/index.ts";
import { knownDeployments, nexusAbi, nexusErrorsAbi, type TermsSeen } from "../../src/sdk/abis.ts";
import {
  decodeNexusError,
  isNexusRevert,
  nexusRevertErrors,
  NexusRevertError,
  NexusRpcError,
  PaymentBelowMinimumError,
  TransactionRevertedError,
  UnknownRevertError,
  type NexusErrorName,
  type NexusErrorNamedArgs,
  type ProtocolErrorName,
} from "../../src/sdk/errors/index.ts";
import { configHash, deployNexus, HOUR, setupProtocol, sourceParams, type Fixture } from "./actions-fixtures.ts";

let f: Fixture;
let p: Awaited<ReturnType<typeof setupProtocol>>;
const ZERO = "0x0000000000000000000000000000000000000000";
const STRANGER: Address = "0x000000000000000000000000000000000000dEaD";

beforeAll(async () => {
  f = await deployNexus();
  p = await setupProtocol(f);
});
afterAll(async () => {
  await f.connection.close();
});

/** Runs `cause`, expects it to throw the typed error `name`; returns the error for further checks. */
async function expectRevert<N extends NexusErrorName>(cause: () => Promise<unknown>, name: N) {
  const err = await cause().then(
    () => {
      throw new Error(`expected ${name}, but the call succeeded`);
    },
    (e: unknown) => decodeNexusError(e),
  );
  expect(err, `expected ${name}, got ${(err as Error).name}: ${(err as Error).message}`).toBeInstanceOf(nexusRevertErrors[name]);
  expect(isNexusRevert(err, name)).toBe(true);
  return err as NexusRevertError<N>;
}

/** A direct call to a protocol contract other than Nexus (allowed to revert only with its own errors). */
const direct = (from: Address, address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[] = []) =>
  simulateContract(f.publicClient, { account: from, address, abi, functionName, args } as never);

const task = (source?: Address, o?: { payment?: bigint; expiresIn?: bigint }) => p.newTask(source ?? p.frSource, o);
const now = () => f.now();
const addr = (w: { account: { address: Address } }) => getAddress(w.account.address);

/** Sets the scene, then says which call fails and with which arguments (and, optionally, sentence). */
type Scenario<N extends ProtocolErrorName> = {
  cause: () => Promise<unknown>;
  args: Partial<NexusErrorNamedArgs<N>>;
  message?: string;
  check?: (e: NexusRevertError<N>) => void;
};
type Cases = { [N in ProtocolErrorName]: () => Promise<Scenario<N>> };
const publishTo = async (source: Address, payment: bigint, o: { value?: bigint; expiryTime?: bigint; seen?: TermsSeen } = {}) =>
  sdk.publishTask(f.client, { source, configUri: "ipfs://x", configHash: configHash(1), expiryTime: o.expiryTime ?? (await now()) + HOUR, payment, value: o.value, seen: o.seen });
const mined = async (sent: Promise<{ wait: () => Promise<unknown> }>) => (await sent).wait();
const newSource = async (overrides: Parameters<typeof sourceParams>[0] = {}) => {
  const s = await sdk.publishSource(f.client, { params: sourceParams(overrides) });
  await s.wait();
  return s.source;
};
const attemptAs = (w: Fixture["provider"], t: Address, suggestedPayment = 0n) => mined(sdk.attempt(w, { task: t, provider: addr(w), suggestedPayment }));
const SECRET = configHash("secret");
const commitAs = (w: Fixture["provider"], t: Address, askedPayment = 0n) =>
  sdk.commitResponse(w, { task: t, resultHash: configHash("r"), askedPayment, secret: SECRET });
const revealAs = (w: Fixture["provider"], t: Address, askedPayment = 0n, secret = SECRET) =>
  sdk.revealResponse(w, { task: t, resultUri: "ipfs://r", resultHash: configHash("r"), askedPayment, secret });
/** Commits (mined), then sends the reveal in the next block: the call that fails, if one does. */
const respondAs = async (w: Fixture["provider"], t: Address, askedPayment = 0n) => {
  await mined(commitAs(w, t, askedPayment));
  return revealAs(w, t, askedPayment);
};

/** A task on a new AGREEMENT source (quorum 2) both fixture providers are registered to. */
const agreementTask = async () => {
  const source = await newSource({ verification: VerificationMethod.AGREEMENT, quorum: 2, deliveryMethod: 1 });
  for (const w of [f.provider, f.provider2]) await mined(sdk.register(w, { source, provider: addr(w), environment: 1 }));
  return task(source);
};
const voteAs = (w: Fixture["provider"], t: Address, result: string) =>
  sdk.commitVote(w, { task: t, resultHash: configHash(result), secret: SECRET });
const revealVoteAs = (w: Fixture["provider"], t: Address, result: string) =>
  sdk.revealResponse(w, { task: t, resultUri: "ipfs://r", resultHash: configHash(result), askedPayment: 0n, secret: SECRET });

const cases: Cases = {
  // ------------------------------------------------------------------ Nexus
  ZeroAddress: async () => ({ cause: () => sdk.revokeAgent(f.client, { agent: ZERO }), args: {}, message: "An address argument is the zero address." }),
  Unauthorized: async () => ({
    cause: () => sdk.updateSource(f.other, { source: p.frSource, params: sourceParams() }),
    args: { caller: addr(f.other), principal: addr(f.client) },
  }),
  UnknownSource: async () => ({ cause: () => sdk.register(f.provider, { source: STRANGER, provider: addr(f.provider), environment: 1 }), args: { source: STRANGER } }),
  UnknownTask: async () => ({ cause: () => sdk.attempt(f.provider, { task: STRANGER, provider: addr(f.provider) }), args: { task: STRANGER } }),
  SourceInactive: async () => {
    const source = await newSource();
    await mined(sdk.setSourceStatus(f.client, { source, status: 1 }));
    return { cause: () => publishTo(source, parseEther("0.01")), args: { source } };
  },
  SourceChanged: async () => {
    const source = await newSource();
    const seen = await sdk.getTermsSeen(f.publicClient, { source });
    await mined(sdk.updateSource(f.client, { source, params: sourceParams({ lapsePenalty: 0n }) }));
    return {
      cause: () => publishTo(source, parseEther("0.01"), { seen }),
      args: { source, seenVersion: 1, version: 2 },
      message: `The source ${source} was updated after you read it (version 1, now 2): nothing was published. Read its terms again (getSource) before publishing on them.`,
    };
  },
  FeeChanged: async () => {
    const seen = await sdk.getTermsSeen(f.publicClient, { source: p.frSource });
    return {
      cause: () => publishTo(p.frSource, parseEther("0.01"), { seen: { ...seen, feeBps: seen.feeBps + 1 } }),
      args: { seenFeeBps: seen.feeBps + 1, feeBps: seen.feeBps },
    };
  },
  PaymentBelowMinimum: async () => ({
    cause: () => publishTo(p.frSource, parseEther("0.0005")),
    args: { payment: parseEther("0.0005"), minPayment: parseEther("0.001") },
    message: "The payment 0.0005 ETH is below the source's minimum 0.001 ETH.",
  }),
  InvalidExpiry: async () => {
    const past = (await now()) - 10n;
    return {
      cause: () => publishTo(p.frSource, parseEther("0.01"), { expiryTime: past }),
      args: { expiryTime: past },
      // The allowed window is (now, now + maxExpiryDuration], now being the simulated block's time.
      check: (e) => expect(e.args.latest - e.args.earliest).toBe(86_400n - 1n),
    };
  },
  ProviderNotPaired: async () => ({ cause: () => sdk.register(f.other, { source: p.frSource, provider: addr(f.other), environment: 1 }), args: { provider: addr(f.other) } }),
  LockupBelowMinimum: async () => {
    const source = await newSource({ minAvailableLockup: parseEther("100") });
    return {
      cause: () => sdk.register(f.provider, { source, provider: addr(f.provider), environment: 1 }),
      args: { master: addr(f.master), freeLockup: parseEther("5"), minAvailableLockup: parseEther("100") },
    };
  },
  FeeTooHigh: async () => ({ cause: () => sdk.setFee(f.owner, { feeBps: 1001 }), args: { feeBps: 1001, maxFeeBps: MAX_FEE_BPS } }),
  UnbondingPeriodOutOfRange: async () => ({
    cause: () => sdk.setUnbondingPeriod(f.owner, { period: 43_200n }),
    // The SDK's copies of the protocol caps are the contract's (the revert reports them).
    args: { period: 43_200n, minPeriod: MIN_UNBONDING_PERIOD, maxPeriod: MAX_UNBONDING_PERIOD },
    message: "The unbonding period 12 hour(s) must be between 1 day(s) and 30 day(s).",
  }),
  ValueOverflow: async () => ({ cause: () => publishTo(p.frSource, 2n ** 96n, { value: 0n }), args: { value: 2n ** 96n } }),
  // ------------------------------------------------------------------ Task
  NotTaskNexus: async () => {
    const t = await task();
    return { cause: () => direct(addr(f.other), t, taskAbi, "recordCancellation"), args: { caller: addr(f.other) } };
  },
  TaskClosed: async () => {
    const t = await task();
    await mined(sdk.cancelTask(f.client, { task: t }));
    return { cause: () => sdk.cancelTask(f.client, { task: t }), args: { task: t, status: 3 }, message: `The task ${t} is CANCELED and takes no further action.` };
  },
  TaskAlreadyFinalized: async () => {
    const t = await task();
    await attemptAs(f.provider, t);
    await attemptAs(f.provider2, t);
    await mined(respondAs(f.provider, t));
    return { cause: () => respondAs(f.provider2, t), args: { task: t, winner: addr(f.provider) } };
  },
  TaskPastExpiry: async () => {
    const t = await task(undefined, { expiresIn: 100n });
    await f.time.increase(200);
    return { cause: () => sdk.attempt(f.provider, { task: t, provider: addr(f.provider) }), args: { task: t } };
  },
  AlreadyAttempted: async () => {
    const t = await task();
    await attemptAs(f.provider, t);
    return { cause: () => sdk.attempt(f.master, { task: t, provider: addr(f.provider) }), args: { task: t, provider: addr(f.provider) } };
  },
  MasterAlreadyAttempted: async () => {
    const t = await task();
    await attemptAs(f.provider, t);
    // A second key of the same master.
    await mined(sdk.announceProvider(f.master, { provider: addr(f.agent), maxPenalty: parseEther("0.01") }));
    await mined(sdk.announceMaster(f.agent, { master: addr(f.master) }));
    await mined(sdk.register(f.agent, { source: p.frSource, provider: addr(f.agent), environment: 1 }));
    return { cause: () => attemptAs(f.agent, t), args: { task: t, master: addr(f.master), provider: addr(f.provider) } };
  },
  AttemptWindowTooShort: async () => {
    const t = await task(undefined, { expiresIn: 200n }); // the source's attempt timeout is 600 s
    return {
      cause: () => attemptAs(f.provider, t),
      check: (e) => expect(e.args.minWindow).toBe(300n),
      args: { task: t },
    };
  },
  AttemptSlotsFull: async () => {
    const source = await newSource({ maxConcurrentAttempts: 1 });
    for (const w of [f.provider, f.provider2]) await mined(sdk.register(w, { source, provider: addr(w), environment: 1 }));
    const t = await task(source);
    await attemptAs(f.provider, t);
    return { cause: () => attemptAs(f.provider2, t), args: { task: t, liveAttempts: 1, maxConcurrentAttempts: 1 } };
  },
  PaymentAboveEscrow: async () => {
    const t = await task(p.manualSource);
    return { cause: () => attemptAs(f.provider, t, parseEther("1")), args: { task: t, amount: parseEther("1"), payment: parseEther("0.01") } };
  },
  AttemptNotLive: async () => {
    const t = await task();
    return {
      cause: () => respondAs(f.provider, t),
      args: { task: t, provider: addr(f.provider), deadline: 0 },
      message: `The provider ${addr(f.provider)} has no attempt on the task ${t}.`,
    };
  },
  AlreadyCommitted: async () => {
    const t = await task();
    await attemptAs(f.provider, t);
    await mined(commitAs(f.provider, t));
    const committedAt = Number(await now());
    return { cause: () => commitAs(f.provider, t, 1n), args: { task: t, provider: addr(f.provider), committedAt } };
  },
  NotCommitted: async () => {
    const t = await task();
    await attemptAs(f.provider, t);
    return { cause: () => revealAs(f.provider, t), args: { task: t, provider: addr(f.provider) } };
  },
  RevealTooEarly: async () => {
    const t = await task();
    await attemptAs(f.provider, t);
    // The commitment waits in the mempool; the reveal is simulated on the pending block, the one it would share.
    const { provider, networkHelpers } = f.connection;
    await provider.request({ method: "evm_setAutomine", params: [false] });
    try {
      await commitAs(f.provider, t);
      const pending = await f.publicClient.getBlock({ blockTag: "pending" });
      const args = [t, "ipfs://r", configHash("r"), 0n, SECRET] as const;
      const cause = () => simulateContract(f.publicClient, { account: addr(f.provider), address: f.nexus, abi: nexusAbi, functionName: "revealResponse", args, blockTag: "pending" });
      const error = await cause().catch((e: unknown) => e);
      return { cause: () => Promise.reject(error), args: { task: t, provider: addr(f.provider), committedAt: Number(pending.timestamp) } };
    } finally {
      await networkHelpers.mine(1);
      await provider.request({ method: "evm_setAutomine", params: [true] });
    }
  },
  CommitmentMismatch: async () => {
    const t = await task();
    await attemptAs(f.provider, t);
    const { commitment } = await commitAs(f.provider, t);
    await f.time.increase(1);
    return {
      cause: () => revealAs(f.provider, t, 0n, configHash("another secret")),
      args: { task: t, provider: addr(f.provider), digest: commitment.slice(0, 56) as `0x${string}` },
      check: (e) => expect(e.args.revealed).toBe(sdk.responseCommitment({ task: t, provider: addr(f.provider), resultHash: configHash("r"), askedPayment: 0n, secret: configHash("another secret") })),
    };
  },
  NotManualTask: async () => {
    const t = await task();
    return { cause: () => sdk.confirmResponse(f.client, { task: t, provider: addr(f.provider) }), args: { task: t } };
  },
  ReviewWindowClosed: async () => {
    const t = await task(p.manualSource, { expiresIn: 1000n });
    await attemptAs(f.provider, t);
    await mined(respondAs(f.provider, t, 1n));
    const { terms } = await sdk.getTask(f.publicClient, { task: t });
    await f.time.increase(1000 + 3600);
    return { cause: () => sdk.confirmResponse(f.client, { task: t, provider: addr(f.provider) }), args: { task: t, closedAt: terms.expiryTime + 3600n } };
  },
  NoResponse: async () => {
    const t = await task(p.manualSource);
    return { cause: () => sdk.confirmResponse(f.client, { task: t, provider: addr(f.provider) }), args: { task: t, provider: addr(f.provider) } };
  },
  TaskInProgress: async () => {
    const t = await task();
    await attemptAs(f.provider, t);
    const { state } = await sdk.getTask(f.publicClient, { task: t });
    return { cause: () => sdk.cancelTask(f.client, { task: t }), args: { task: t, respondent: ZERO, lastDeadline: state.lastDeadline } };
  },
  NotYetSettleable: async () => {
    const t = await task();
    const { terms } = await sdk.getTask(f.publicClient, { task: t });
    return { cause: () => sdk.settle(f.other, { task: t }), args: { task: t, settleableAt: terms.expiryTime } };
  },
  NotCutShort: async () => {
    const t = await task();
    await attemptAs(f.provider, t);
    return { cause: () => sdk.releaseAttempt(f.other, { task: t, provider: addr(f.provider) }), args: { task: t, provider: addr(f.provider) } };
  },
  NotLapsed: async () => {
    const t = await task();
    await attemptAs(f.provider, t);
    return { cause: () => sdk.reportLapse(f.other, { task: t, provider: addr(f.provider) }), args: { task: t, provider: addr(f.provider) } };
  },
  NotAgreementTask: async () => {
    const t = await task();
    await attemptAs(f.provider, t);
    return { cause: () => sdk.commitVote(f.provider, { task: t, resultHash: configHash("r"), secret: SECRET }), args: { task: t } };
  },
  VotingClosed: async () => {
    const t = await agreementTask();
    for (const w of [f.provider, f.provider2]) await attemptAs(w, t);
    for (const w of [f.provider, f.provider2]) await mined(voteAs(w, t, "a"));
    const revealed = await (await revealVoteAs(f.provider, t, "a")).wait();
    const { timestamp } = await f.publicClient.getBlock({ blockNumber: revealed.receipt.blockNumber });
    return { cause: () => attemptAs(f.provider2, t), args: { task: t, votingClosedAt: Number(timestamp) } };
  },
  NotAJuror: async () => {
    const t = await agreementTask();
    await attemptAs(f.provider, t);
    // Sealed through commitResponse: a commitment, but no seat on the jury.
    await mined(commitAs(f.provider, t));
    return { cause: () => revealAs(f.provider, t), args: { task: t, provider: addr(f.provider) } };
  },
  RevealsNotOpen: async () => {
    const t = await agreementTask();
    await attemptAs(f.provider, t);
    await mined(voteAs(f.provider, t, "a"));
    return { cause: () => revealVoteAs(f.provider, t, "a"), args: { task: t, jurors: 1, quorum: 2 } };
  },
  NotRejected: async () => {
    const t = await agreementTask();
    for (const w of [f.provider, f.provider2]) await attemptAs(w, t);
    for (const w of [f.provider, f.provider2]) await mined(voteAs(w, t, "a"));
    await mined(revealVoteAs(f.provider, t, "a"));
    // The task is still open: nothing is rejected before the verdict.
    return { cause: () => sdk.rejectResponse(f.other, { task: t, provider: addr(f.provider) }), args: { task: t, provider: addr(f.provider) } };
  },
  // ------------------------------------------------------------------ Source
  InvalidVerification: async () => ({
    cause: () => sdk.publishSource(f.client, { params: sourceParams({ verification: VerificationMethod.AGREEMENT, quorum: 2, lapsePenalty: 0n }) }),
    args: { verification: VerificationMethod.AGREEMENT, quorum: 2 },
  }),
  NotSourceNexus: async () => ({ cause: () => direct(addr(f.client), p.frSource, sourceAbi, "setStatus", [1]), args: { caller: addr(f.client) } }),
  AlreadyInitialized: async () => {
    // Only Nexus may call initialize, and it does so once, at creation: impersonate Nexus to try a second time.
    await f.connection.networkHelpers.impersonateAccount(f.nexus);
    await f.connection.networkHelpers.setBalance(f.nexus, parseEther("1"));
    return { cause: () => direct(f.nexus, p.frSource, sourceAbi, "initialize", [sourceParams()]), args: { source: p.frSource } };
  },
  InvalidEnvironments: async () => ({ cause: () => sdk.publishSource(f.client, { params: sourceParams({ environments: 8 }) }), args: { environments: 8 } }),
  InvalidMaxConcurrentAttempts: async () => ({
    cause: () => sdk.publishSource(f.client, { params: sourceParams({ maxConcurrentAttempts: 65 }) }),
    args: { maxConcurrentAttempts: 65, cap: MAX_CONCURRENT_ATTEMPTS },
  }),
  InvalidAttemptTimeout: async () => ({
    cause: () => sdk.publishSource(f.client, { params: sourceParams({ attemptTimeout: 86_400 }) }),
    args: { attemptTimeout: 86_400, cap: MAX_ATTEMPT_TIMEOUT },
    message: "The attemptTimeout 1 day(s) must be between 1 s and 12 hour(s).",
  }),
  ZeroDuration: async () => ({
    cause: () => sdk.publishSource(f.client, { params: sourceParams({ maxExpiryDuration: 0 }) }),
    args: { name: stringToHex("maxExpiryDuration", { size: 32 }) },
    message: "The duration maxExpiryDuration must be positive.",
  }),
  MissingReviewWindow: async () => ({ cause: () => sdk.publishSource(f.client, { params: sourceParams({ deliveryMethod: 0, reviewWindow: 0 }) }), args: {} }),
  UnsupportedEnvironment: async () => {
    const source = await newSource();
    return { cause: () => sdk.register(f.provider, { source, provider: addr(f.provider), environment: 2 }), args: { source, environment: 2, offered: 1 } };
  },
  AlreadyRegistered: async () => ({
    cause: () => sdk.register(f.provider, { source: p.frSource, provider: addr(f.provider), environment: 1 }),
    args: { source: p.frSource, provider: addr(f.provider) },
  }),
  NotRegistered: async () => {
    const source = await newSource();
    return { cause: () => sdk.unregister(f.provider, { source, provider: addr(f.provider) }), args: { source, provider: addr(f.provider) } };
  },
  // ------------------------------------------------------------------ Vault
  NotNexus: async () => ({ cause: () => direct(addr(f.other), f.vault, vaultAbi, "withdraw", [addr(f.other), addr(f.other), 1n]), args: { caller: addr(f.other) } }),
  ZeroAmount: async () => ({ cause: () => sdk.withdraw(f.client, { amount: 0n }), args: {} }),
  InsufficientBalance: async () => ({
    cause: () => sdk.withdraw(f.other, { amount: parseEther("1") }),
    args: { account: addr(f.other), balance: 0n, needed: parseEther("1") },
  }),
  InsufficientFreeLockup: async () => ({
    cause: () => sdk.unbond(f.master, { amount: parseEther("6") }),
    args: { account: addr(f.master), free: parseEther("5"), needed: parseEther("6") },
  }),
  NothingUnbonding: async () => ({ cause: () => sdk.cancelUnbonding(f.other), args: { account: addr(f.other) } }),
  UnbondingNotMatured: async () => {
    await mined(sdk.unbond(f.master, { amount: parseEther("1") }));
    const { maturesAt } = await sdk.getVaultPosition(f.publicClient, { account: addr(f.master) });
    return { cause: () => sdk.claim(f.master), args: { account: addr(f.master), maturesAt } };
  },
  TransferFailed: async () => {
    // A contract without receive() cannot take a withdrawal: credit the Task implementation, then withdraw as it.
    const [{ taskImplementation }] = knownDeployments;
    await mined(sdk.deposit(f.client, { value: parseEther("1"), beneficiary: taskImplementation }));
    await f.connection.networkHelpers.impersonateAccount(taskImplementation);
    await f.connection.networkHelpers.setBalance(taskImplementation, parseEther("1"));
    return { cause: () => sdk.withdraw(f.client, { account: taskImplementation, amount: parseEther("1") }), args: { to: taskImplementation, amount: parseEther("1") } };
  },
  AmountOverflow: async () => {
    // Balances are 128-bit, stakes 96-bit: locking 2^96 wei overflows the stake.
    await f.connection.networkHelpers.setBalance(addr(f.other), 2n ** 97n);
    await mined(sdk.deposit(f.other, { value: 2n ** 96n }));
    return { cause: () => sdk.lock(f.other, { amount: 2n ** 96n }), args: { amount: 2n ** 96n } };
  },
  // ------------------------------------------------------------------ Provider registry
  NotRegistryNexus: async () => ({
    cause: () => direct(addr(f.other), f.registry, providerRegistryAbi, "grantAgent", [addr(f.other), addr(f.agent), 1, 0n]),
    args: { caller: addr(f.other) },
  }),
  // The SDK refuses unknown scope names itself; the contract's check is reached with a raw mask.
  InvalidAgentScopes: async () => ({ cause: () => direct(addr(f.client), f.nexus, nexusAbi, "grantAgent", [addr(f.agent), 4, 0n]), args: { scopes: 4 } }),
  MissingAgentScope: async () => {
    // The master's node operator may attempt for its providers, never draw on the master's earnings.
    await mined(sdk.grantAgent(f.master, { agent: addr(f.agent), scopes: ["operator"] }));
    return {
      cause: async () =>
        sdk.publishTaskFor(f.agent, { client: addr(f.master), source: p.frSource, configUri: "ipfs://x", configHash: configHash(1), expiryTime: (await now()) + HOUR, payment: parseEther("0.01") }),
      args: { principal: addr(f.master), agent: addr(f.agent), scope: 1 },
      message: `${addr(f.agent)} is an agent of ${addr(f.master)} but was not granted the client scope this call needs.`,
    };
  },
  AllowanceExceeded: async () => {
    await mined(sdk.deposit(f.client, { value: parseEther("1") }));
    await mined(sdk.grantAgent(f.client, { agent: addr(f.agent), scopes: ["client"], allowance: parseEther("0.01") }));
    return {
      cause: async () =>
        sdk.publishTaskFor(f.agent, { client: addr(f.client), source: p.frSource, configUri: "ipfs://x", configHash: configHash(1), expiryTime: (await now()) + HOUR, payment: parseEther("0.05"), value: parseEther("0.02") }),
      // Only the part drawn from the client's balance counts: 0.05 - 0.02.
      args: { principal: addr(f.client), agent: addr(f.agent), allowance: parseEther("0.01"), needed: parseEther("0.03") },
    };
  },
  PenaltyAboveMasterCap: async () => {
    const source = await newSource({ lapsePenalty: parseEther("0.02") });
    return {
      cause: () => sdk.register(f.provider, { source, provider: addr(f.provider), environment: 1 }),
      args: { provider: addr(f.provider), penalty: parseEther("0.02"), maxPenalty: parseEther("0.01") },
      message: `The lapse penalty 0.02 ETH is above the 0.01 ETH per attempt that the master of ${addr(f.provider)} accepts for it (the master raises it with announceProvider).`,
    };
  },
  ProviderNotAnnounced: async () => ({ cause: () => sdk.revokeProvider(f.master, { provider: STRANGER }), args: { master: addr(f.master), provider: STRANGER } }),
  NoMasterAnnounced: async () => ({ cause: () => sdk.revokeMaster(f.other), args: { provider: addr(f.other) } }),
};

describe("every protocol custom error, caused on-chain", () => {
  it("covers exactly protocolErrorNames", () => {
    expect(Object.keys(cases).sort()).toEqual([...protocolErrorNames].sort());
  });

  for (const name of protocolErrorNames) {
    it(name, async () => {
      const snapshot = await f.connection.networkHelpers.takeSnapshot();
      try {
        const scenario = (await cases[name]()) as Scenario<ProtocolErrorName>;
        const e = (await expectRevert(scenario.cause, name)) as NexusRevertError<ProtocolErrorName>;
        expect(e.errorName).toBe(name);
        expect(e.name).toBe(`${name}Error`);
        expect(e.args).toMatchObject(scenario.args);
        expect(e.data).toMatch(/^0x[0-9a-f]{8}/);
        // A human sentence, and the error's values in the details.
        if (scenario.message) expect(e.shortMessage).toBe(scenario.message);
        scenario.check?.(e);
        expect(e.shortMessage).toMatch(/^[A-Z0-9`$].*\.$/s);
        expect(e.message).toContain(`Error: ${name}(`);
        // Positional and named arguments agree.
        const inputs = nexusErrorsAbi.find((x) => x.name === name)?.inputs ?? [];
        expect((e.args as readonly unknown[]).length).toBe(inputs.length);
        inputs.forEach((input, i) => expect((e.args as unknown as Record<string, unknown>)[input.name]).toBe((e.args as readonly unknown[])[i]));
      } finally {
        await snapshot.restore();
      }
    });
  }
});

describe("errors that are not protocol reverts", () => {
  it("decodes a revert with no data as UnknownRevertError, keeping the data", async () => {
    const err = await call(f.publicClient, { to: f.nexus, data: "0xdeadbeef" }).catch((e: unknown) => decodeNexusError(e));
    expect(err).toBeInstanceOf(UnknownRevertError);
    expect((err as UnknownRevertError).data).toBe("0x");
  });

  it("keeps revert data it does not know", () => {
    const viemLike = Object.assign(new Error("execution reverted"), { name: "ContractFunctionRevertedError", raw: "0x12345678abcd" as const });
    const err = decodeNexusError(viemLike);
    expect(err).toBeInstanceOf(UnknownRevertError);
    expect((err as UnknownRevertError).data).toBe("0x12345678abcd");
    expect((err as UnknownRevertError).selector).toBe("0x12345678");
  });

  it("raises TransactionRevertedError for a transaction mined with status reverted, with the reason", async () => {
    const snapshot = await f.connection.networkHelpers.takeSnapshot();
    try {
      // Two withdrawals of the whole balance in one block: both simulate fine, the second reverts on-chain.
      await (await sdk.deposit(f.other, { value: parseEther("1") })).wait();
      await f.connection.networkHelpers.mine(1);
      await f.connection.provider.request({ method: "evm_setAutomine", params: [false] });
      const first = await sdk.withdraw(f.other, { amount: parseEther("1"), gas: 200_000n });
      const second = await sdk.withdraw(f.other, { amount: parseEther("1"), gas: 200_000n, nonce: (await f.publicClient.getTransactionCount({ address: addr(f.other), blockTag: "pending" })) });
      await f.connection.networkHelpers.mine(1);
      await f.connection.provider.request({ method: "evm_setAutomine", params: [true] });
      const ok = await first.wait();
      expect(ok.events.map((e) => e.eventName)).toEqual(["Withdrawn"]);
      const err = await second.wait().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransactionRevertedError);
      const reverted = err as TransactionRevertedError;
      expect(reverted.hash).toBe(second.hash);
      expect(reverted.receipt.status).toBe("reverted");
      expect(isNexusRevert(reverted.revert, "InsufficientBalance")).toBe(true);
    } finally {
      await f.connection.provider.request({ method: "evm_setAutomine", params: [true] });
      await snapshot.restore();
    }
  });

  it("turns an unreachable node into a retryable NexusRpcError, not a revert", async () => {
    const offline = createPublicClient({ chain: f.publicClient.chain, transport: http("http://127.0.0.1:9", { retryCount: 0, timeout: 2_000 }) });
    const err = await sdk.getTask(offline, { task: STRANGER }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NexusRpcError);
    expect(err).not.toBeInstanceOf(NexusRevertError);
    expect((err as NexusRpcError).retryable).toBe(true);
    expect((err as NexusRpcError).reason).toBe("HttpRequestError");
  });

  it("classifies JSON-RPC refusals: rate limits are retryable, user rejection is not", () => {
    const limited = decodeNexusError(Object.assign(new Error("rate limited"), { name: "LimitExceededRpcError", code: -32005 }));
    expect(limited).toBeInstanceOf(NexusRpcError);
    expect((limited as NexusRpcError).retryable).toBe(true);
    const rejected = decodeNexusError(Object.assign(new Error("User rejected the request."), { name: "UserRejectedRequestError", code: 4001 }));
    expect(rejected).toBeInstanceOf(NexusRpcError);
    expect((rejected as NexusRpcError).retryable).toBe(false);
    expect((rejected as NexusRpcError).code).toBe(4001);
  });

  it("returns errors it cannot classify unchanged", () => {
    const bad = new TypeError("not an address");
    expect(decodeNexusError(bad)).toBe(bad);
  });

  it("has one class per error of the ABI, constructible with typed args", () => {
    expect(Object.keys(nexusRevertErrors).sort()).toEqual([...new Set(nexusErrorsAbi.map((e) => e.name))].sort());
    const e = new PaymentBelowMinimumError({ args: [parseEther("0.5"), parseEther("1")] });
    expect(e.shortMessage).toBe("The payment 0.5 ETH is below the source's minimum 1 ETH.");
    expect(e.args.minPayment).toBe(parseEther("1"));
    expect(e).toBeInstanceOf(NexusRevertError);
    expect(PaymentBelowMinimumError.name).toBe("PaymentBelowMinimumError");
  });

  it("decodes the OpenZeppelin ownership error too", async () => {
    const e = await expectRevert(() => sdk.setFee(f.other, { feeBps: 5 }), "OwnableUnauthorizedAccount");
    expect(e.args.account).toBe(addr(f.other));
  });
});
