// `task result` (fetch + verify) and `task watch` (live event log until the task can change no more).
import { writeFile } from "node:fs/promises";
import { zeroAddress } from "viem";
import { getBlock, getBlockNumber, readContract } from "viem/actions";
import { taskAbi, TaskStatus, taskStatusName, type NexusEventLog } from "../../sdk/abis.ts";
import { getTask } from "../../sdk/actions/reads.ts";
import { getNexusEvents } from "../../sdk/events/logs.ts";
import { fetchResult } from "../../sdk/flows/results.ts";
import { defineCommand, positionalArgs } from "../command.ts";
import { connect } from "../connect.ts";
import { InterruptedError, ProtocolError } from "../errors.ts";
import { formatDuration, formatEth, formatKv, toJson } from "../output.ts";
import { parseAddress, parseDuration } from "../parse.ts";
import { createProgress } from "../progress.ts";
import { eventJson, formatEvent } from "../tx.ts";

export const taskResult = defineCommand({
  name: "task result",
  summary: "Fetches a task's result from IPFS and verifies it against the hash the provider committed on-chain.",
  usage: "gpunexus task result <task> [--provider <address>] [--output <file>]",
  details: ["Exit code 4 when the content does not match its on-chain sha256 or its CID (tampered)."],
  options: {
    provider: { type: "string", value: "address", description: "whose response (default: the winner, else the earliest responder)" },
    output: { type: "string", value: "file", description: "also write the result JSON to this file" },
  },
  run: async ({ options, positionals, globals, ctx, io }) => {
    const task = parseAddress(positionalArgs(positionals, ["task"])[0], "<task>");
    const provider = options.provider === undefined ? undefined : parseAddress(options.provider, "--provider");
    const session = await connect({ globals, ctx });
    const r = await fetchResult(session.publicClient, { ipfs: await session.ipfs(), task, provider, nexus: session.nexus, signal: ctx.signal });
    if (options.output !== undefined) await writeFile(options.output, toJson(r.result));
    const value = { task, provider: r.provider, resultUri: r.resultUri, resultHash: r.resultHash, askedPayment: r.askedPayment, transactionHash: r.transactionHash, verified: true, result: r.result };
    io.result(value, () =>
      globals.quiet
        ? toJson(r.result)
        : formatKv([
            ["task", task],
            ["provider", r.provider],
            ["result", r.resultUri],
            ["sha256", r.resultHash],
            ["verified", "yes (CID and on-chain sha256 match)"],
          ]) + toJson(r.result),
    );
    return 0;
  },
});

const TERMINAL = new Set<number>([TaskStatus.CANCELED, TaskStatus.EXPIRED, TaskStatus.FINALIZED]);

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

export const taskWatch = defineCommand({
  name: "task watch",
  summary: "Follows a task's events live until it is finalized, canceled or expired (progress on stderr in a terminal).",
  usage: "gpunexus task watch <task> [--timeout <duration>]",
  details: [
    "Prints the task's history, then each new event. Ends when the task is closed, or when it passed its expiry",
    "with no response (nothing can answer it any more: `gpunexus task settle` refunds it).",
  ],
  options: { timeout: { type: "string", value: "duration", description: "give up after this long (exit 1)" } },
  run: async ({ options, positionals, globals, ctx, io }) => {
    const task = parseAddress(positionalArgs(positionals, ["task"])[0], "<task>");
    const timeoutMs = options.timeout === undefined ? undefined : parseDuration(options.timeout, "--timeout") * 1000;
    const session = await connect({ globals, ctx });
    const client = session.publicClient;
    const { terms } = await getTask(client, { task, nexus: session.nexus });
    const human = !globals.json;
    const progress = createProgress(ctx.stderr, human && !globals.quiet && ctx.stderr.isTTY === true);
    const seen: NexusEventLog[] = [];
    const started = Date.now();
    let next = session.deployment.deployBlock;
    let status: number = TaskStatus.NEW;
    let outcome = "";
    try {
      for (;;) {
        if (ctx.signal?.aborted) throw new InterruptedError();
        const head = await getBlockNumber(client, { cacheTime: 0 });
        if (head >= next) {
          const events = await getNexusEvents(client, { nexus: session.nexus, args: { task }, fromBlock: next, toBlock: head });
          for (const e of events) {
            seen.push(e);
            if (human) progress.log(ctx.stdout, `[block ${e.blockNumber}] ${formatEvent(e)}`);
          }
          next = head + 1n;
        }
        // State and time read at the same block as the events above: a closing event is printed before we stop.
        const [state, block] = await Promise.all([
          readContract(client, { address: task, abi: taskAbi, functionName: "state", blockNumber: head }),
          getBlock(client, { blockNumber: head }),
        ]);
        status = state.status;
        if (TERMINAL.has(status)) {
          outcome = `task ${taskStatusName(status)}`;
          break;
        }
        if (status !== TaskStatus.RESPONDED && block.timestamp >= terms.expiryTime) {
          outcome = `task expired with no response; \`gpunexus task settle ${task}\` refunds ${formatEth(terms.payment)}`;
          break;
        }
        // Display only: an idle dev chain mines no blocks, so the wall clock keeps the countdown moving.
        const left = Number(terms.expiryTime) - Math.max(Number(block.timestamp), Math.floor(Date.now() / 1000));
        progress.update(
          `${taskStatusName(status)} · ${state.liveAttempts} live attempt(s) · ${left > 0 ? `expires in ${formatDuration(left)}` : "in review"}` +
            (state.selectedProvider !== zeroAddress ? ` · responded by ${state.selectedProvider.slice(0, 10)}…` : ""),
        );
        if (timeoutMs !== undefined && Date.now() - started >= timeoutMs) {
          throw new ProtocolError(`gave up watching after ${formatDuration(timeoutMs / 1000)}; the task is ${taskStatusName(status)}`, "WatchTimeout");
        }
        await sleep(session.pollingInterval, ctx.signal);
      }
    } finally {
      progress.stop();
    }
    io.result({ task, status: taskStatusName(status), closed: TERMINAL.has(status), events: seen.map(eventJson) }, () => (globals.quiet ? `${taskStatusName(status)}\n` : `${outcome}\n`));
    return 0;
  },
});
