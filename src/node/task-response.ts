// The response's two transactions (docs/PROTOCOL.md "Commitments"): the commitment that seals the pinned result,
// then its reveal in a later block. The secret is on disk before the commitment is signed, and each resume reads
// the chain first, so a node killed between the two reveals after its restart and never commits twice.
import { setTimeout as sleep } from "node:timers/promises";
import type { Hex } from "viem";
import { AttemptState, TaskStatus, VerificationMethod } from "../sdk/abis.ts";
import { waitForNexusTransaction } from "../sdk/actions/internal.ts";
import { commitResponse, commitVote, getCommitment, responseCommitment, revealResponse } from "../sdk/actions/responses.ts";
import { withRetry } from "./retry.ts";
import type { TaskRecord } from "./state.ts";
import { chainNow, classifyRevert, pricing, readAttempt, readTask, retryOptions, waitRecorded, type ChainContext, type RevertOutcome } from "./task-chain.ts";

/** What the response commits to: the pinned result, the asked payment, and the recorded secret. */
function sealed(ctx: ChainContext, r: TaskRecord): { resultUri: string; resultHash: Hex; askedPayment: bigint; secret: Hex } {
  const { result, secret } = r;
  if (result === undefined) throw new Error(`task ${r.task} has no pinned result`);
  if (secret === undefined) throw new Error(`task ${r.task} has no recorded commitment secret`);
  const askedPayment = r.deliveryMethod === 0 ? pricing(ctx, r, "askedPayment") : 0n;
  return { resultUri: result.uri, resultHash: result.sha256, askedPayment, secret };
}

/** Whether our commitment to this task is on-chain, and whether it is the one our recorded secret opens. */
async function ourCommitment(ctx: ChainContext, r: TaskRecord): Promise<"none" | "ours" | "foreign"> {
  const c = await withRetry(() => getCommitment(ctx.client, { task: r.task, provider: ctx.provider, nexus: ctx.nexus }), retryOptions(ctx));
  if (c.committedAt === 0) return "none";
  const { resultHash, askedPayment, secret } = sealed(ctx, r);
  const expected = responseCommitment({ task: r.task, provider: ctx.provider, resultHash, askedPayment, secret });
  return c.digest.toLowerCase() === expected.slice(0, 56).toLowerCase() ? "ours" : "foreign";
}

/** Commits the pinned result (its secret already on disk): record → broadcast → mined. */
export async function sendCommit(ctx: ChainContext, r: TaskRecord): Promise<"committed" | RevertOutcome> {
  const { resultHash, askedPayment, secret } = sealed(ctx, r);
  try {
    const hash = await withRetry(
      () =>
        ctx.sender.send(
          (wallet, nonce) =>
            // An AGREEMENT task counts a result only from a juror: the same commitment, sent through commitVote.
            (r.verification === VerificationMethod.AGREEMENT ? commitVote : commitResponse)(wallet, {
              task: r.task,
              resultHash,
              askedPayment,
              secret,
              nexus: ctx.nexus,
              nonce,
            }),
          async (tx) => void (await ctx.state.transition(r.task, "committing", { commitTx: tx })),
        ),
      retryOptions(ctx),
    );
    await waitForNexusTransaction(ctx.client, { hash, nexus: ctx.nexus });
    return "committed";
  } catch (error) {
    const outcome = classifyRevert(error, "commit");
    if (outcome === undefined) throw error;
    // Our own earlier send landed (its answer was lost and the retry was refused): the chain holds our commitment.
    if ("reason" in outcome && outcome.reason === "already-committed") return commitmentOutcome(await ourCommitment(ctx, r));
    return outcome;
  }
}

function commitmentOutcome(found: "none" | "ours" | "foreign"): "committed" | RevertOutcome {
  // A commitment our secret does not open can only come from a state that lost its record: it can never be revealed.
  return found === "ours" ? "committed" : { end: "failed", reason: "commitment-lost" };
}

/** Our attempt already ended on-chain: responded, lapsed, or (AGREEMENT) its result rejected. */
async function attemptEnded(ctx: ChainContext, r: TaskRecord): Promise<"responded" | RevertOutcome | undefined> {
  const a = await readAttempt(ctx, r.task);
  if (a.state === AttemptState.RESPONDED) return "responded";
  if (a.state === AttemptState.LAPSED) return { end: "failed", reason: "lapsed" };
  if (a.state === AttemptState.REJECTED) return { end: "failed", reason: "rejected" };
  return undefined;
}

/** Nothing of ours landed: send again, unless another provider won or the task closed meanwhile. */
async function resendUnlessClosed(ctx: ChainContext, r: TaskRecord): Promise<"resend" | RevertOutcome> {
  const t = await readTask(ctx, r.task);
  if (t.state.status === TaskStatus.FINALIZED && t.state.selectedProvider !== ctx.provider) return { end: "failed", reason: "lost-race" };
  if (t.state.status >= TaskStatus.CANCELED) return { end: "failed", reason: "task-closed" };
  return "resend";
}

/** After a restart in "committing": committed already (reveal next), or to be sent (again) with the same secret. */
export async function reconcileCommit(ctx: ChainContext, r: TaskRecord): Promise<"committed" | "resend" | "responded" | RevertOutcome> {
  const ended = await attemptEnded(ctx, r);
  if (ended !== undefined) return ended;
  const found = await ourCommitment(ctx, r);
  if (found !== "none") return commitmentOutcome(found);
  if (r.commitTx !== undefined && (await waitRecorded(ctx, r.commitTx)) === "mined") return commitmentOutcome(await ourCommitment(ctx, r));
  return resendUnlessClosed(ctx, r);
}

/** A chain whose blocks may share a second (sub-second block times) refuses a reveal until the next second. */
const REVEAL_TOO_EARLY_RETRIES = 10;
/** AGREEMENT: how often a juror reads its jury (reveals open at the quorum and last until expiry): each block's worth. */
const juryPollMs = (ctx: ChainContext) => ctx.config.pollingIntervalMs;

/**
 * AGREEMENT: waits until revealing is worth it. Reveals open once the jury reaches the quorum, and the first reveal
 * closes the jury: an attempt still computing then is left out, and a jury of one honest juror and one cheater
 * cannot agree. So a juror waits, at most `juryWaitMs` after the quorum, for every attempt slot to seal; a full jury,
 * a jury another juror already closed, or the task's expiry drawing near ends the wait at once.
 */
async function waitForJury(ctx: ChainContext, r: TaskRecord): Promise<void> {
  let quorumSeenAt: number | undefined;
  for (;;) {
    const { terms, agreement } = await readTask(ctx, r.task);
    const now = await chainNow(ctx.client);
    const expiringAt = Number(terms.expiryTime) - Math.ceil((ctx.config.submitMarginMs + juryPollMs(ctx)) / 1000);
    if (agreement.jurors >= terms.quorum) {
      quorumSeenAt ??= Date.now();
      const full = agreement.jurors >= terms.maxConcurrentAttempts;
      if (full || agreement.votingClosedAt !== 0 || Date.now() - quorumSeenAt >= ctx.config.juryWaitMs || now >= expiringAt) {
        ctx.logger.info({ task: r.task, jurors: agreement.jurors, quorum: terms.quorum, slots: terms.maxConcurrentAttempts }, "jury ready: revealing");
        return;
      }
    } else if (now >= Number(terms.expiryTime)) {
      return; // the reveal reports the expiry
    }
    await sleep(juryPollMs(ctx), undefined, { signal: ctx.signal });
  }
}

/** Reveals the committed result: record → broadcast → mined. */
export async function sendReveal(ctx: ChainContext, r: TaskRecord): Promise<{ blockNumber: bigint } | RevertOutcome> {
  if (r.verification === VerificationMethod.AGREEMENT) await waitForJury(ctx, r);
  for (let tries = 1; ; tries++) {
    const outcome = await sendRevealOnce(ctx, r);
    if (!("reason" in outcome)) return outcome;
    // The jury is not complete yet: wait for it (the reveal fails as "expired" once the task expires).
    if (outcome.reason === "revert-RevealsNotOpen") {
      await sleep(juryPollMs(ctx), undefined, { signal: ctx.signal });
      continue;
    }
    if (outcome.reason !== "revert-RevealTooEarly" || tries >= REVEAL_TOO_EARLY_RETRIES) return outcome;
    await sleep(1_000, undefined, { signal: ctx.signal });
  }
}

async function sendRevealOnce(ctx: ChainContext, r: TaskRecord): Promise<{ blockNumber: bigint } | RevertOutcome> {
  const { resultUri, resultHash, askedPayment, secret } = sealed(ctx, r);
  try {
    const hash = await withRetry(
      () =>
        ctx.sender.send(
          (wallet, nonce) => revealResponse(wallet, { task: r.task, resultUri, resultHash, askedPayment, secret, nexus: ctx.nexus, nonce }),
          async (tx) => void (await ctx.state.transition(r.task, "submitting", { submitTx: tx })),
        ),
      retryOptions(ctx),
    );
    const { receipt } = await waitForNexusTransaction(ctx.client, { hash, nexus: ctx.nexus });
    return { blockNumber: receipt.blockNumber };
  } catch (error) {
    const outcome = classifyRevert(error, "submit");
    if (outcome) return outcome;
    throw error;
  }
}

/** After a restart in "submitting": responded already, lost, or to be revealed again. */
export async function reconcileReveal(ctx: ChainContext, r: TaskRecord): Promise<"responded" | "resend" | RevertOutcome> {
  const ended = await attemptEnded(ctx, r);
  if (ended !== undefined) return ended;
  if (r.submitTx !== undefined && (await waitRecorded(ctx, r.submitTx)) === "mined") return "responded";
  return resendUnlessClosed(ctx, r);
}
