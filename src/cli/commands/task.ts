// `task publish | status | cancel | confirm | settle`.
import type { Address } from "viem";
import { getBlock } from "viem/actions";
import { attemptStateName, DeliveryMethod, taskStatusName } from "../../sdk/abis.ts";
import { getSource } from "../../sdk/actions/reads.ts";
import { getTaskSnapshot } from "../../sdk/actions/snapshot.ts";
import { cancelTask, confirmResponse, rejectResponse, settle } from "../../sdk/actions/tasks.ts";
import { getRejectableResponses } from "../../sdk/flows/index.ts";
import { publishTaskWithConfig } from "../../sdk/flows/publish.ts";
import { defineCommand, positionalArgs, required, type Invocation, type OptionSpecs } from "../command.ts";
import { connect } from "../connect.ts";
import { UsageError } from "../errors.ts";
import { formatDuration, formatEth, formatKv, formatTable, formatTime, jsonSafe } from "../output.ts";
import { parseAddress, parseDuration, parseEth, parseJsonArgument, parseUint } from "../parse.ts";
import { sendTx, txHuman, txJson, type TxOutcome } from "../tx.ts";
import { taskVerification, verificationRows } from "./task-verification.ts";

const DEFAULT_EXPIRES_IN = 3_600;

export const taskPublish = defineCommand({
  name: "task publish",
  summary: "Publishes a task on a source: pins its config ({function_name, data}) to IPFS and escrows the payment.",
  usage: "gpunexus task publish --source <address> --function <name> --payment <eth> [--data <json|@file>] [--expires-in <duration>]",
  details: ["The payment is sent with the transaction unless --from-balance pays it from your vault balance.", "Prints the task's address."],
  options: {
    source: { type: "string", value: "address", description: "the source to run the task on" },
    function: { type: "string", value: "name", description: "the handler function (the config's function_name)" },
    data: { type: "string", value: "json|@file", description: "the handler's input, JSON or @path (default {})" },
    extra: { type: "string", value: "json|@file", description: "extra top-level keys of the task config (a JSON object)" },
    payment: { type: "string", value: "eth", description: "escrowed payment in ETH, e.g. 0.05" },
    "expires-in": { type: "string", value: "duration", description: "time until expiry from the latest block (default 1h, at most the source's max)" },
    "from-balance": { type: "boolean", description: "pay from your vault balance instead of sending ETH" },
    salt: { type: "string", value: "uint64", description: "task salt (default random)" },
  },
  run: async ({ options, positionals, globals, ctx, io }) => {
    positionalArgs(positionals, []);
    const source = parseAddress(required(options.source, "--source"), "--source");
    const functionName = required(options.function, "--function");
    const payment = parseEth(required(options.payment, "--payment"), "--payment");
    const data = options.data === undefined ? {} : await parseJsonArgument(options.data, "--data");
    const extra = options.extra === undefined ? {} : await parseJsonArgument(options.extra, "--extra");
    if (typeof extra !== "object" || extra === null || Array.isArray(extra)) throw new UsageError("--extra must be a JSON object");
    const salt = options.salt === undefined ? undefined : parseUint(options.salt, "--salt", 2n ** 64n - 1n);
    const session = await connect({ globals, ctx, signer: true });
    const wallet = await session.wallet();
    const info = await getSource(session.publicClient, { source, nexus: session.nexus });
    const expiresIn = options["expires-in"] === undefined ? Math.min(DEFAULT_EXPIRES_IN, info.params.maxExpiryDuration) : parseDuration(options["expires-in"], "--expires-in");
    const config = { ...(extra as Record<string, unknown>), function_name: functionName, data } as Parameters<typeof publishTaskWithConfig>[1]["config"];
    io.note(`pinning the task config to ${globals.ipfsRpc}…`);
    const ipfs = await session.ipfs();
    const tx = await sendTx(io, ctx, "publishTask", () =>
      publishTaskWithConfig(wallet, { ipfs, source, config, payment, value: options["from-balance"] ? 0n : payment, expiresIn, salt, nexus: session.nexus }),
    );
    const r = tx.sent;
    io.result({ task: r.task, source, client: wallet.account.address, configUri: r.configUri, configHash: r.configHash, expiryTime: r.expiryTime, payment, salt: r.salt, ...txJson(tx) }, () =>
      globals.quiet
        ? `${r.task}\n`
        : formatKv([
            ["task", r.task],
            ["source", source],
            ["payment", formatEth(payment)],
            ["expires", formatTime(r.expiryTime)],
            ["config", r.configUri],
            ["config sha256", r.configHash],
          ]) + txHuman(tx),
    );
    return 0;
  },
});

export const taskStatus = defineCommand({
  name: "task status",
  summary: "Shows a task: terms, status, escrow, verification (an AGREEMENT task's jury, votes and verdict), attempts, commitments and revealed responses.",
  usage: "gpunexus task status <task>",
  options: {},
  run: async ({ positionals, globals, ctx, io }) => {
    const task = parseAddress(positionalArgs(positionals, ["task"])[0], "<task>");
    const session = await connect({ globals, ctx });
    const snap = await getTaskSnapshot(session.publicClient, { task, nexus: session.nexus });
    const block = await getBlock(session.publicClient, { blockNumber: snap.blockNumber });
    const { terms, state } = snap;
    const status = taskStatusName(state.status);
    const verification = taskVerification(snap);
    const value = {
      ...(jsonSafe(snap) as object),
      status,
      verification,
      attempts: snap.attempts.map((a) => ({ ...(jsonSafe(a) as object), state: attemptStateName(a.record.state) })),
      now: block.timestamp,
    };
    io.result(value, () => {
      if (globals.quiet) return `${status}\n`;
      const rows: [string, string][] = [
        ["task", task],
        ["source", `${terms.source} (version ${terms.sourceVersion}: its handler)`],
        ["client", terms.client],
        ["status", status],
        ["delivery method", terms.deliveryMethod === DeliveryMethod.FIRST_RESPONSE ? "FIRST_RESPONSE" : "MANUAL_CONFIRMATION"],
        ["payment", formatEth(terms.payment)],
        ["escrow", formatEth(snap.escrow)],
        ["expires", formatTime(terms.expiryTime, block.timestamp)],
        ["attempt timeout", formatDuration(terms.attemptTimeout)],
        ["live attempts", `${state.liveAttempts} / ${terms.maxConcurrentAttempts}`],
        ...verificationRows(verification, block.timestamp),
        ...(terms.deliveryMethod === DeliveryMethod.MANUAL_CONFIRMATION ? ([["review window", formatDuration(terms.reviewWindow)]] as [string, string][]) : []),
        ...(snap.settleableAt > 0n ? ([["settleable", formatTime(snap.settleableAt, block.timestamp)]] as [string, string][]) : []),
        ...(state.selectedProvider !== "0x0000000000000000000000000000000000000000" ? ([[state.status === 5 ? "winner" : "first responder", state.selectedProvider]] as [string, string][]) : []),
        ["config", snap.publication?.configUri ?? "(publication not found)"],
      ];
      const attempts = snap.attempts.length
        ? "\n" + formatTable(
            ["provider", "master", "attempt", "deadline", "committed", "revealed"],
            snap.attempts.map((a) => [
              a.provider,
              a.master,
              attemptStateName(a.record.state),
              formatTime(a.deadline),
              a.commitment ? `block ${a.commitment.blockNumber}` : "-",
              a.response ? `block ${a.response.blockNumber}: ${a.response.resultUri}` : a.commitment ? "(not yet)" : "-",
            ]),
          )
        : "";
      return formatKv(rows) + attempts;
    });
    return 0;
  },
});

/** The shape shared by cancel / settle / confirm: one task, one transaction. */
function taskTx<O extends OptionSpecs>(spec: {
  name: string;
  summary: string;
  usage: string;
  options: O;
  /** Validates the flags before connecting. */
  check?: (inv: Invocation<O>) => void;
  send: (inv: Invocation<O>, task: Address, session: Awaited<ReturnType<typeof connect>>) => ReturnType<typeof settle>;
}) {
  return defineCommand({
    name: spec.name,
    summary: spec.summary,
    usage: spec.usage,
    options: spec.options,
    run: async (inv) => {
      const task = parseAddress(positionalArgs(inv.positionals, ["task"])[0], "<task>");
      spec.check?.(inv);
      const session = await connect({ globals: inv.globals, ctx: inv.ctx, signer: true });
      const tx = await sendTx(inv.io, inv.ctx, spec.name.split(" ")[1] ?? spec.name, () => spec.send(inv, task, session));
      inv.io.result({ task, ...txJson(tx) }, () => (inv.globals.quiet ? `${tx.transactionHash}\n` : txHuman(tx)));
      return 0;
    },
  });
}

export const taskCancel = taskTx({
  name: "task cancel",
  summary: "Cancels a task with no live attempt and no response; refunds its payment to your vault balance.",
  usage: "gpunexus task cancel <task>",
  options: {},
  send: async (_inv, task, session) => cancelTask(await session.wallet(), { task, nexus: session.nexus }),
});

export const taskSettle = taskTx({
  name: "task settle",
  summary: "Settles a task nothing more can happen to: refunds an expired task or pays the earliest response. By anyone.",
  usage: "gpunexus task settle <task>",
  options: {},
  send: async (_inv, task, session) => settle(await session.wallet(), { task, nexus: session.nexus }),
});

export const taskConfirm = taskTx({
  name: "task confirm",
  summary: "Confirms (and pays) a provider's response to a MANUAL_CONFIRMATION task; refunds the rest.",
  usage: "gpunexus task confirm <task> --provider <address>",
  options: { provider: { type: "string", value: "address", description: "the provider whose response is accepted" } },
  check: (inv) => void parseAddress(required(inv.options.provider, "--provider"), "--provider"),
  send: async (inv, task, session) => {
    const provider = parseAddress(required(inv.options.provider, "--provider"), "--provider");
    return confirmResponse(await session.wallet(), { task, provider, nexus: session.nexus });
  },
});

export const taskReject = defineCommand({
  name: "task reject",
  summary: "AGREEMENT tasks: takes the penalty of each revealed result the verdict rejected (outvoted: to the client; no agreement: burned). By anyone.",
  usage: "gpunexus task reject <task> [--provider <address>]",
  details: ["Without --provider, rejects every result `getRejectableResponses` lists: none while the task is still voting."],
  options: { provider: { type: "string", value: "address", description: "only this provider's result" } },
  run: async ({ options, positionals, globals, ctx, io }) => {
    const task = parseAddress(positionalArgs(positionals, ["task"])[0], "<task>");
    const only = options.provider === undefined ? undefined : parseAddress(options.provider, "--provider");
    // The key is loaded only when there is something to send: finding nothing to reject needs none.
    const session = await connect({ globals, ctx, signer: only !== undefined });
    const providers = only !== undefined ? [only] : (await getRejectableResponses(session.publicClient, { task, nexus: session.nexus })).map((r) => r.provider);
    const rejected: (TxOutcome & { provider: Address })[] = [];
    for (const provider of providers) {
      const wallet = await session.wallet();
      const tx = await sendTx(io, ctx, `reject ${provider}`, () => rejectResponse(wallet, { task, provider, nexus: session.nexus }));
      rejected.push({ ...tx, provider });
    }
    io.result({ task, rejected: rejected.map((tx) => ({ provider: tx.provider, ...txJson(tx) })) }, () => {
      if (globals.quiet) return rejected.map((tx) => `${tx.transactionHash}\n`).join("");
      return rejected.length === 0 ? "nothing to reject: no revealed result was refused by the verdict (or the task is still voting)\n" : rejected.map(txHuman).join("");
    });
    return 0;
  },
});
