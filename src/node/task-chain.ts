// The on-chain half of a task's life: attempt, reading our attempt back, and reporting lapses (the response's two
// transactions are in task-response.ts). Each
// send records the signed transaction in the state store before broadcast (see tx.ts), and each resume after
// a crash reads the chain before deciding whether anything needs sending again.
import type { Address, Chain, Client, Hash, Transport } from "viem";
import { getBlock, waitForTransactionReceipt } from "viem/actions";
import { AttemptState, TaskStatus, VerificationMethod, type Attempt, type TaskTerms } from "../sdk/abis.ts";
import { attempt, releaseAttempt, reportLapse } from "../sdk/actions/tasks.ts";
import { waitForNexusTransaction } from "../sdk/actions/internal.ts";
import { getAttempt, getPairing, getTask, getVaultPosition, type GetTaskReturnType } from "../sdk/actions/reads.ts";
import { NexusRevertError, TransactionRevertedError, decodeNexusError } from "../sdk/errors/index.ts";
import { getNexusEvents } from "../sdk/events/index.ts";
import type { NodeConfig } from "./config.ts";
import type { Logger } from "./logger.ts";
import { withRetry } from "./retry.ts";
import type { SentTx, StateStore, TaskRecord } from "./state.ts";
import { lookupTx, rebroadcast, type TxSender } from "./tx.ts";

type AnyClient = Client<Transport, Chain | undefined>;

export type ChainContext = {
  config: NodeConfig;
  state: StateStore;
  client: AnyClient;
  sender: TxSender;
  logger: Logger;
  nexus: Address;
  provider: Address;
  signal: AbortSignal;
};

/** How a revert ends a task: a normal outcome (skip / fail with a reason), or "we already attempted". */
export type RevertOutcome = { end: "skipped" | "failed"; reason: string } | { end: "already-attempted" };

/** Maps protocol reverts of attempt/submit to outcomes; anything else is not a revert outcome (undefined). */
export function classifyRevert(error: unknown, stage: "attempt" | "commit" | "submit"): RevertOutcome | undefined {
  const revert = error instanceof TransactionRevertedError ? error.revert : error;
  if (!(revert instanceof NexusRevertError)) return undefined;
  const end = stage === "attempt" ? "skipped" : "failed";
  switch (revert.errorName) {
    case "AlreadyAttempted":
      return { end: "already-attempted" };
    case "AttemptSlotsFull":
      return { end, reason: "slots-full" };
    case "TaskAlreadyFinalized":
      return { end, reason: stage === "submit" ? "lost-race" : "task-closed" };
    case "TaskClosed":
      return { end, reason: "task-closed" };
    case "TaskPastExpiry":
      return { end, reason: "expired" };
    case "AttemptNotLive":
      return { end, reason: "attempt-not-live" };
    case "MasterAlreadyAttempted":
      return { end, reason: "master-attempted" };
    case "AttemptWindowTooShort":
      return { end, reason: "window-too-short" };
    case "AlreadyCommitted":
      return { end, reason: "already-committed" };
    case "VotingClosed":
      // AGREEMENT: another juror revealed before we sealed ours; the closing cut our attempt short.
      return { end, reason: "voting-closed" };
    case "InsufficientFreeLockup":
    case "LockupBelowMinimum":
      return { end, reason: "stake-insufficient" };
    default:
      // Configuration problems (not registered, not paired, lockup too low…): named, bounded label set.
      return { end, reason: `revert-${revert.errorName}` };
  }
}

export const retryOptions = (ctx: ChainContext) => ({ ...ctx.config.retry, signal: ctx.signal });

export function readTask(ctx: ChainContext, task: Address): Promise<GetTaskReturnType> {
  return withRetry(() => getTask(ctx.client, { task, nexus: ctx.nexus }), retryOptions(ctx));
}

export function readAttempt(ctx: ChainContext, task: Address, provider = ctx.provider) {
  return withRetry(() => getAttempt(ctx.client, { task, provider }), retryOptions(ctx));
}

/** Chain-aware "now" in unix seconds: the later of the wall clock and the latest block (test chains jump). */
export async function chainNow(client: AnyClient): Promise<number> {
  const wall = Math.floor(Date.now() / 1000);
  try {
    const block = await getBlock(client, { blockTag: "latest" });
    return Math.max(wall, Number(block.timestamp));
  } catch {
    return wall;
  }
}

export function pricing(ctx: ChainContext, r: TaskRecord, which: "askedPayment" | "suggestedPayment"): bigint {
  const payment = BigInt(r.payment);
  const configured = ctx.config[which];
  if (configured === "payment") return payment;
  const wanted = BigInt(configured);
  return wanted < payment ? wanted : payment;
}

/** What the master's free lockup lacks for an attempt on a task with these terms; undefined when it is covered. */
export type StakeShortfall = { master: Address; freeLockup: bigint; needed: bigint };

/**
 * An attempt reserves the task's lapse penalty from the master's free lockup (the lockup less what its live
 * attempts reserve), which must also reach the task's minimum: checked before sending, so that the node skips the
 * task instead of sending a transaction that reverts.
 */
export async function stakeShortfall(ctx: ChainContext, terms: Pick<TaskTerms, "lapsePenalty" | "minAvailableLockup">): Promise<StakeShortfall | undefined> {
  const needed = terms.lapsePenalty > terms.minAvailableLockup ? terms.lapsePenalty : terms.minAvailableLockup;
  if (needed === 0n) return undefined;
  const pairing = await withRetry(() => getPairing(ctx.client, { provider: ctx.provider, nexus: ctx.nexus }), retryOptions(ctx));
  // Unpaired: the attempt's own refusal names it.
  if (!pairing.paired) return undefined;
  const { freeLockup } = await withRetry(() => getVaultPosition(ctx.client, { account: pairing.master, nexus: ctx.nexus }), retryOptions(ctx));
  return freeLockup >= needed ? undefined : { master: pairing.master, freeLockup, needed };
}

/**
 * Returns the penalty our attempt reserved to our master's free lockup when the task closed before its deadline
 * (another provider won, or the client confirmed): anyone may, and nobody else has a reason to. Best effort: the
 * reservation stays releasable later. Returns whether it was released now.
 */
export async function releaseCutShort(ctx: ChainContext, r: TaskRecord): Promise<boolean> {
  const [a, t] = await Promise.all([readAttempt(ctx, r.task), readTask(ctx, r.task)]);
  if (!isCutShort(a, t, ctx.provider)) return false;
  try {
    const hash = await ctx.sender.send((wallet, nonce) => releaseAttempt(wallet, { task: r.task, provider: ctx.provider, nexus: ctx.nexus, nonce }), async () => undefined);
    await waitForNexusTransaction(ctx.client, { hash, nexus: ctx.nexus });
    ctx.logger.info({ task: r.task, penalty: t.terms.lapsePenalty.toString() }, "released the stake our cut-short attempt reserved");
    return true;
  } catch (error) {
    ctx.logger.warn({ task: r.task, err: decodeNexusError(error) }, "could not release the stake our cut-short attempt reserved; anyone can later");
    return false;
  }
}

/** The chain's rule for `releaseAttempt` (Task.recordRelease), read from one snapshot of the task. */
function isCutShort(a: Attempt, t: GetTaskReturnType, provider: Address): boolean {
  const { status, closedAt, selectedProvider } = t.state;
  const closed = status >= TaskStatus.CANCELED;
  if (a.state === AttemptState.COMMITTED) {
    // A juror that never revealed: the agreement came without it, or the jury never reached its quorum.
    return status === TaskStatus.FINALIZED || (closed && t.agreement.jurors < t.terms.quorum);
  }
  // A FIRST_RESPONSE winner's record stays LIVE: its reservation went back when it answered.
  if (a.state !== AttemptState.LIVE || (status === TaskStatus.FINALIZED && selectedProvider === provider)) return false;
  if (closed && a.deadline > closedAt) return true;
  // An AGREEMENT attempt that had not sealed when the first reveal closed the jury.
  const votingClosedAt = t.agreement.votingClosedAt;
  return t.terms.verification === VerificationMethod.AGREEMENT && votingClosedAt !== 0 && votingClosedAt < a.deadline;
}

/** Attempts: record → broadcast → mined. Returns the deadline, or the revert outcome. */
export async function sendAttempt(ctx: ChainContext, r: TaskRecord, deliveryMethod: number): Promise<{ deadline: number } | RevertOutcome> {
  const suggestedPayment = deliveryMethod === 0 ? pricing(ctx, r, "suggestedPayment") : 0n;
  let hash: Hash;
  try {
    hash = await withRetry(
      () =>
        ctx.sender.send(
          (wallet, nonce) => attempt(wallet, { task: r.task, provider: ctx.provider, suggestedPayment, nexus: ctx.nexus, nonce }),
          async (tx) => void (await ctx.state.transition(r.task, "attempting", { attemptTx: tx })),
        ),
      retryOptions(ctx),
    );
  } catch (error) {
    const outcome = classifyRevert(error, "attempt");
    if (outcome) return outcome;
    throw error;
  }
  return waitAttempt(ctx, r.task, hash);
}

async function waitAttempt(ctx: ChainContext, task: Address, hash: Hash): Promise<{ deadline: number } | RevertOutcome> {
  try {
    const { events } = await waitForNexusTransaction(ctx.client, { hash, nexus: ctx.nexus });
    for (const e of events) if (e.eventName === "TaskAttempted" && e.args.task === task) return { deadline: Number(e.args.deadline) };
    throw new Error(`attempt ${hash} mined without a TaskAttempted event`);
  } catch (error) {
    const outcome = classifyRevert(error, "attempt");
    if (outcome) return outcome;
    throw error;
  }
}

/** After a restart in "attempting": what the chain says about our attempt, re-broadcasting when it never landed. */
export async function reconcileAttempt(ctx: ChainContext, r: TaskRecord): Promise<{ state: "live" | "responded" | "lapsed"; deadline: number } | { state: "not-attempted" }> {
  const read = async () => {
    const a = await readAttempt(ctx, r.task);
    const name: "live" | "responded" | "lapsed" | undefined =
      a.state === AttemptState.LIVE ? "live" : a.state === AttemptState.RESPONDED ? "responded" : a.state === AttemptState.LAPSED ? "lapsed" : undefined;
    return name === undefined ? undefined : { state: name, deadline: Number(a.deadline) };
  };
  const first = await read();
  if (first !== undefined || r.attemptTx === undefined) return first ?? { state: "not-attempted" };
  // Recorded but not on-chain yet: wait for it (re-broadcasting the same bytes if the node lost them).
  if ((await waitRecorded(ctx, r.attemptTx)) !== "mined") return { state: "not-attempted" };
  return (await read()) ?? { state: "not-attempted" };
}

/** Resolves once a recorded tx is mined (re-broadcasting it if the node lost it), or says it never will be. */
export async function waitRecorded(ctx: ChainContext, tx: SentTx): Promise<"mined" | "reverted" | "gone"> {
  let status = await lookupTx(ctx.client, tx.hash);
  if (status.status === "unknown") {
    if (!(await rebroadcast(ctx.client, tx, ctx.logger))) return "gone";
    status = { status: "pending" };
  }
  if (status.status === "pending") {
    const receipt = await waitForTransactionReceipt(ctx.client, { hash: tx.hash, timeout: 120_000 }).catch((error: unknown) => {
      throw decodeNexusError(error);
    });
    return receipt.status === "success" ? "mined" : "reverted";
  }
  return status.success ? "mined" : "reverted";
}

/**
 * Frees slots of a full task by reporting attempts whose deadline passed without a response (anyone may).
 * Returns how many were reported.
 */
export async function reportLapses(ctx: ChainContext, r: TaskRecord, now: number): Promise<number> {
  const attempted = await withRetry(
    () => getNexusEvents(ctx.client, { nexus: ctx.nexus, events: "TaskAttempted", args: { task: r.task }, fromBlock: BigInt(r.publishedBlock) }),
    retryOptions(ctx),
  );
  let reported = 0;
  for (const event of attempted) {
    const provider = event.args.provider;
    const a = await readAttempt(ctx, r.task, provider);
    if (a.state !== AttemptState.LIVE || a.deadline > now) continue;
    try {
      const hash = await ctx.sender.send((wallet, nonce) => reportLapse(wallet, { task: r.task, provider, nexus: ctx.nexus, nonce }), async () => undefined);
      await waitForNexusTransaction(ctx.client, { hash, nexus: ctx.nexus });
      reported++;
      ctx.logger.info({ task: r.task, provider }, "reported a lapsed attempt to free a slot");
    } catch (error) {
      ctx.logger.debug({ task: r.task, provider, err: decodeNexusError(error) }, "lapse report refused");
    }
  }
  return reported;
}
