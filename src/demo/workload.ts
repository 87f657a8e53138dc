// The demo's client side: publish a batch of tasks on both delivery methods, follow them through the protocol's
// events, confirm MANUAL responses once their result verifies, and collect what the summary reports.
import { decodeFunctionData, formatEther, parseEther, type Address, type Hex } from "viem";
import { nexusAbi } from "../sdk/abis.ts";
import { confirmResponse } from "../sdk/actions/index.ts";
import { watchNexusEvents, type NexusEvent } from "../sdk/events/index.ts";
import { fetchResult, publishTaskWithConfig } from "../sdk/flows/index.ts";
import type { Market } from "./market.ts";

export type TaskOutcome = {
  task: Address;
  delivery: "FIRST_RESPONSE" | "MANUAL";
  publishedAt: number;
  finishedAt?: number | undefined;
  status: "open" | "finalized" | "expired" | "canceled";
  provider?: Address | undefined;
  resultSha256?: string | undefined;
};

export type WorkloadResult = {
  outcomes: TaskOutcome[];
  gasByFunction: Map<string, bigint[]>;
  refunded: bigint;
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
    case "TaskExpired":
      return `TaskExpired        ${short(event.args.task)} refunded ${formatEther(event.args.refunded)} ETH`;
    case "TaskCanceled":
      return `TaskCanceled       ${short(event.args.task)}`;
    case "AttemptLapsed":
      return `AttemptLapsed      ${short(event.args.task)} provider ${short(event.args.provider)} penalty ${formatEther(event.args.penalty)} ETH`;
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
  const stop = new AbortController();
  options.signal.addEventListener("abort", () => stop.abort(), { once: true });
  const deadline = setTimeout(() => stop.abort(), options.timeoutMs);
  const confirming = new Set<Address>();
  const pending: Promise<void>[] = [];

  const watcher = (async () => {
    for await (const batch of watchNexusEvents(publicClient, { nexus, fromBlock: market.deployBlock, pollingInterval: 250, signal: stop.signal })) {
      if (batch.type !== "events") continue;
      for (const event of batch.events) {
        txs.add(event.transactionHash);
        const line = describe(event);
        if (line) options.onEvent(line);
        if (!("task" in event.args)) continue;
        const outcome = outcomes.get(event.args.task as Address);
        if (!outcome) continue;
        if (event.eventName === "TaskFinalized") {
          outcome.status = "finalized";
          outcome.provider = event.args.provider;
          outcome.finishedAt = Date.now();
          refunded += event.args.refunded;
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
              .then(async (response) => {
                outcome.resultSha256 = String((response.result as { resultSha256?: string }).resultSha256 ?? "");
                await (await confirmResponse(client.wallet, { nexus, task: outcome.task, provider })).wait();
              })
              .catch((error: Error) => options.onEvent(`confirm failed for ${short(outcome.task)}: ${error.message.split("\n")[0]}`)),
          );
        }
      }
      const done = [...outcomes.values()].filter((o) => o.status !== "open").length;
      options.onProgress(done, options.tasks);
      if (outcomes.size === options.tasks && done === options.tasks) stop.abort();
    }
  })();

  const published = await Promise.all(
    Array.from({ length: options.tasks }, async (_, i) => {
      const manual = i % 2 === 1;
      const sent = await publishTaskWithConfig(client.wallet, {
        nexus,
        ipfs,
        source: manual ? market.sources.manual : market.sources.firstResponse,
        config: { function_name: "matmul", data: { size: 48 + (i % 4) * 16, seed: i + 1, rounds: 1 } },
        payment: parseEther("0.01"),
        expiresIn: 1_800,
      });
      outcomes.set(sent.task, { task: sent.task, delivery: manual ? "MANUAL" : "FIRST_RESPONSE", publishedAt: Date.now(), status: "open" });
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

  const gasByFunction = new Map<string, bigint[]>();
  for (const hash of txs) {
    const [transaction, receipt] = await Promise.all([publicClient.getTransaction({ hash }), publicClient.getTransactionReceipt({ hash })]);
    // The deployment transaction (Nexus's constructor events) is not a protocol call.
    if (transaction.to === null) continue;
    const { functionName } = decodeFunctionData({ abi: nexusAbi, data: transaction.input });
    gasByFunction.set(functionName, [...(gasByFunction.get(functionName) ?? []), receipt.gasUsed]);
  }
  return { outcomes: [...outcomes.values()], gasByFunction, refunded, timedOut };
}
