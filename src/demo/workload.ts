// The demo's client side: publish a batch of tasks (on both delivery methods, or on the AGREEMENT source when cheaters
// run), follow them through the protocol's events, confirm MANUAL responses once their result verifies, reject the
// results an agreement outvoted (their penalty is the client's), recompute every paid result, and collect what the
// summary reports.
import { decodeFunctionData, formatEther, parseEther, type Address, type Hex } from "viem";
import { matmul } from "../../examples/matmul-source/matmul.ts";
import { nexusAbi } from "../sdk/abis.ts";
import { confirmResponse, rejectResponse } from "../sdk/actions/index.ts";
import { watchNexusEvents, type NexusEvent } from "../sdk/events/index.ts";
import { fetchResult, getRejectableResponses, publishTaskWithConfig } from "../sdk/flows/index.ts";
import type { Market } from "./market.ts";

type MatmulInput = { size: number; seed: number; rounds: number };

export type TaskOutcome = {
  task: Address;
  delivery: "FIRST_RESPONSE" | "MANUAL" | "AGREEMENT";
  input: MatmulInput;
  publishedAt: number;
  finishedAt?: number | undefined;
  status: "open" | "finalized" | "expired" | "canceled";
  provider?: Address | undefined;
  /** Who was paid: the winner, the confirmed responder, or every agreeing juror. */
  paid: Address[];
};

/** What checking the results found: PROTOCOL.md "Agreement"; `audited` and `disputes` belong to the sampled audit. */
export type Verification = { audited: number; disputes: number; caught: number; slashedWei: bigint; wronglyPaid: number };

export type WorkloadResult = {
  outcomes: TaskOutcome[];
  gasByFunction: Map<string, bigint[]>;
  refunded: bigint;
  verification: Verification;
  timedOut: boolean;
};

export type WorkloadOptions = {
  tasks: number;
  timeoutMs: number;
  onEvent: (line: string) => void;
  onProgress: (done: number, total: number) => void;
  signal: AbortSignal;
};

const short = (a: string) => `${a.slice(0, 8)}…`;

function describe(event: NexusEvent): string | undefined {
  switch (event.eventName) {
    case "TaskPublished":
      return `TaskPublished      ${short(event.args.task)} payment ${formatEther(event.args.payment)} ETH`;
    case "TaskAttempted":
      return `TaskAttempted      ${short(event.args.task)} by ${short(event.args.provider)}`;
    case "ResponseCommitted":
      return `ResponseCommitted  ${short(event.args.task)} by ${short(event.args.provider)} (sealed; revealed in a later block)`;
    case "ResponseSubmitted":
      return `ResponseSubmitted  ${short(event.args.task)} by ${short(event.args.provider)} ${event.args.resultUri.slice(0, 20)}…`;
    case "TaskFinalized":
      return `TaskFinalized      ${short(event.args.task)} paid ${formatEther(event.args.paid - event.args.fee)} ETH to ${short(event.args.payee)}${event.args.bySettlement ? " (settled)" : ""}`;
    case "SharePaid":
      return `SharePaid          ${short(event.args.task)} agreed: ${formatEther(event.args.paid - event.args.fee)} ETH to ${short(event.args.payee)} for ${short(event.args.provider)}`;
    case "ResponseRejected":
      return `ResponseRejected   ${short(event.args.task)} CAUGHT ${short(event.args.provider)}: its result lost the vote, penalty ${formatEther(event.args.penalty)} ETH ${event.args.burned ? "burned" : "to the client"}`;
    case "TaskExpired":
      return `TaskExpired        ${short(event.args.task)} refunded ${formatEther(event.args.refunded)} ETH`;
    case "TaskCanceled":
      return `TaskCanceled       ${short(event.args.task)}`;
    case "AttemptLapsed":
      return `AttemptLapsed      ${short(event.args.task)} provider ${short(event.args.provider)} penalty ${formatEther(event.args.penalty)} ETH${event.args.burned ? " burned" : ""}`;
    default:
      return undefined;
  }
}

export async function runWorkload(market: Market, options: WorkloadOptions): Promise<WorkloadResult> {
  const { client, ipfs, addresses, publicClient } = market;
  const nexus = addresses.nexus;
  const outcomes = new Map<Address, TaskOutcome>();
  const txs = new Set<Hex>();
  let refunded = 0n;
  const verification: Verification = { audited: 0, disputes: 0, caught: 0, slashedWei: 0n, wronglyPaid: 0 };
  const stop = new AbortController();
  options.signal.addEventListener("abort", () => stop.abort(), { once: true });
  const deadline = setTimeout(() => stop.abort(), options.timeoutMs);
  const confirming = new Set<Address>();
  const pending: Promise<void>[] = [];
  const fail = (what: string, task: Address) => (error: Error) => options.onEvent(`${what} failed for ${short(task)}: ${error.message.split("\n")[0]}`);

  const penaltiesCounted = new Set<string>();
  /** Counts a penalty once, whether the watcher or the rejecting transaction's receipt saw it first. */
  function countPenalty(event: NexusEvent<"ResponseRejected" | "AttemptLapsed">): boolean {
    const key = `${event.transactionHash}:${event.logIndex}`;
    if (penaltiesCounted.has(key)) return false;
    penaltiesCounted.add(key);
    verification.slashedWei += event.args.penalty;
    if (event.eventName === "ResponseRejected") verification.caught++;
    return true;
  }

  const watcher = (async () => {
    for await (const batch of watchNexusEvents(publicClient, { nexus, fromBlock: market.deployBlock, pollingInterval: 250, signal: stop.signal })) {
      if (batch.type !== "events") continue;
      for (const event of batch.events) {
        txs.add(event.transactionHash);
        // A penalty the rejecting transaction's receipt already counted (and printed) is not shown twice.
        const penalty = event.eventName === "ResponseRejected" || event.eventName === "AttemptLapsed";
        const line = penalty && !countPenalty(event) ? undefined : describe(event);
        if (line) options.onEvent(line);
        if (!("task" in event.args)) continue;
        const outcome = outcomes.get(event.args.task as Address);
        if (!outcome) continue;
        if (event.eventName === "SharePaid") outcome.paid.push(event.args.provider);
        if (event.eventName === "TaskFinalized") {
          outcome.status = "finalized";
          outcome.provider = event.args.provider;
          if (outcome.delivery !== "AGREEMENT") outcome.paid.push(event.args.provider);
          outcome.finishedAt = Date.now();
          refunded += event.args.refunded;
          if (outcome.delivery === "AGREEMENT") pending.push(rejectOutvoted(outcome).catch(fail("reject", outcome.task)));
        } else if (event.eventName === "TaskExpired" || event.eventName === "TaskCanceled") {
          outcome.status = event.eventName === "TaskExpired" ? "expired" : "canceled";
          outcome.finishedAt = Date.now();
          refunded += event.args.refunded;
        } else if (event.eventName === "ResponseSubmitted" && outcome.delivery === "MANUAL" && !confirming.has(outcome.task)) {
          // The client reviews the first response: it must verify against the on-chain hash before paying.
          confirming.add(outcome.task);
          const provider = event.args.provider;
          pending.push(
            fetchResult(publicClient, { ipfs, task: outcome.task, provider, nexus })
              .then(async () => void (await (await confirmResponse(client.wallet, { nexus, task: outcome.task, provider })).wait()))
              .catch(fail("confirm", outcome.task)),
          );
        }
      }
      const done = [...outcomes.values()].filter((o) => o.status !== "open").length;
      options.onProgress(done, options.tasks);
      if (outcomes.size === options.tasks && done === options.tasks) stop.abort();
    }
  })();

  /** The client's due after an agreement: every revealed result that differs from the agreed one forfeits its penalty. */
  async function rejectOutvoted(outcome: TaskOutcome): Promise<void> {
    for (const { provider } of await getRejectableResponses(publicClient, { task: outcome.task, nexus, fromBlock: market.deployBlock })) {
      const { events } = await (await rejectResponse(client.wallet, { nexus, task: outcome.task, provider })).wait();
      // Counted here too: the watcher may already have stopped when the last rejection is mined.
      for (const e of events) {
        if (e.eventName !== "ResponseRejected") continue;
        txs.add(e.transactionHash);
        if (countPenalty(e)) options.onEvent(describe(e) ?? "");
      }
    }
  }

  const agreementSource = market.sources.agreement;
  const published = await Promise.all(
    Array.from({ length: options.tasks }, async (_, i) => {
      const delivery = agreementSource !== undefined ? "AGREEMENT" : i % 2 === 1 ? "MANUAL" : "FIRST_RESPONSE";
      const source = delivery === "AGREEMENT" ? agreementSource! : delivery === "MANUAL" ? market.sources.manual : market.sources.firstResponse;
      const input = { size: 48 + (i % 4) * 16, seed: i + 1, rounds: 1 };
      const sent = await publishTaskWithConfig(client.wallet, {
        nexus,
        ipfs,
        source,
        config: { function_name: "matmul", data: input },
        payment: parseEther("0.01"),
        expiresIn: 1_800,
      });
      outcomes.set(sent.task, { task: sent.task, delivery, input, publishedAt: Date.now(), status: "open", paid: [] });
      return sent;
    }),
  );
  await Promise.all(published.map((p) => p.wait()));
  options.onProgress(0, options.tasks);
  if (options.tasks === 0) stop.abort();
  await watcher.catch((error: unknown) => {
    if (!stop.signal.aborted) throw error;
  });
  clearTimeout(deadline);
  await Promise.all(pending);
  const timedOut = [...outcomes.values()].some((o) => o.status === "open");
  verification.wronglyPaid = await countWronglyPaid(market, [...outcomes.values()]);

  const gasByFunction = new Map<string, bigint[]>();
  for (const hash of txs) {
    const [transaction, receipt] = await Promise.all([publicClient.getTransaction({ hash }), publicClient.getTransactionReceipt({ hash })]);
    // The deployment transaction (Nexus's constructor events) is not a protocol call.
    if (transaction.to === null) continue;
    const { functionName } = decodeFunctionData({ abi: nexusAbi, data: transaction.input });
    gasByFunction.set(functionName, [...(gasByFunction.get(functionName) ?? []), receipt.gasUsed]);
  }
  return { outcomes: [...outcomes.values()], gasByFunction, refunded, verification, timedOut };
}

/**
 * The client's own check, independent of the protocol: it recomputes each task's product and compares it with every
 * result that was paid (fetched from IPFS against its on-chain hash). A task counts once however many shares were wrong.
 */
async function countWronglyPaid(market: Market, outcomes: TaskOutcome[]): Promise<number> {
  let wrong = 0;
  for (const outcome of outcomes) {
    if (outcome.paid.length === 0) continue;
    const expected = (await matmul(outcome.input)).resultSha256;
    for (const provider of outcome.paid) {
      const { result } = await fetchResult(market.publicClient, { ipfs: market.ipfs, task: outcome.task, provider, nexus: market.addresses.nexus });
      if ((result as { resultSha256?: unknown }).resultSha256 !== expected) {
        wrong++;
        break;
      }
    }
  }
  return wrong;
}
