// One published task, followed live: its status and event log from subscribeNexusEvents (filtered by task), its
// verified result from waitForResult / fetchResult, and, for MANUAL sources, its responses with a Confirm button each.
import {
  DeliveryMethod,
  TaskStatus,
  confirmResponse,
  fetchResult,
  getTaskResponses,
  subscribeNexusEvents,
  taskStatusName,
  waitForResult,
  type FinalizedTaskResult,
  type ListedSource,
  type NexusEvent,
  type NexusEventBatch,
  type PublishTaskWithConfigReturnType,
  type TaskConfig,
  type TaskResponse,
} from "gpu-nexus";
import type { Address, Hex } from "viem";
import { errorContent, eth, h, json, replaceChildren, short } from "./dom.ts";
import { deliveryName } from "./sources.ts";
import type { Session } from "./wallet.ts";

export type TrackTaskParameters = {
  session: Session;
  source: ListedSource;
  published: PublishTaskWithConfigReturnType;
  config: TaskConfig;
  payment: bigint;
  /** First block the task's events can be in (the head before publishing + 1). */
  fromBlock: bigint;
  /** The task list; the card is put first. */
  list: HTMLElement;
  /** Called when money moved (the page refreshes the balances). */
  onSettled?: (() => void) | undefined;
};

const TERMINAL: readonly number[] = [TaskStatus.CANCELED, TaskStatus.EXPIRED, TaskStatus.FINALIZED];

function time(seconds: bigint | number): string {
  return new Date(Number(seconds) * 1000).toLocaleString();
}

function verifiedBadge(sha256: Hex): HTMLElement {
  return h(
    "span",
    { class: "badge ok", "data-testid": "verified", title: `The payload's bytes hash to ${sha256}, the sha256 the provider committed on-chain (and its CID matches).` },
    `verified ✓ (sha256 ${short(sha256, 8)})`,
  );
}

/** One line of the event log. */
function describeEvent(e: NexusEvent): string {
  switch (e.eventName) {
    case "TaskPublished":
      return `TaskPublished — payment ${eth(e.args.payment)}, expires ${time(e.args.expiryTime)}, config ${e.args.configUri}`;
    case "TaskAttempted":
      return `TaskAttempted — provider ${short(e.args.provider)} (master ${short(e.args.master)}), deadline ${time(e.args.deadline)}`;
    case "ResponseCommitted":
      return `ResponseCommitted — provider ${short(e.args.provider)} sealed its response (revealed in a later block)`;
    case "ResponseSubmitted":
      return `ResponseSubmitted — provider ${short(e.args.provider)} revealed its response: result ${e.args.resultUri} (sha256 ${short(e.args.resultHash, 6)}), asks ${eth(e.args.askedPayment)}`;
    case "TaskFinalized":
      return `TaskFinalized — ${eth(e.args.paid - e.args.fee)} to ${short(e.args.payee)} (fee ${eth(e.args.fee)}), refunded ${eth(e.args.refunded)}${e.args.bySettlement ? ", by settlement" : ""}`;
    case "TaskCanceled":
      return `TaskCanceled — refunded ${eth(e.args.refunded)}`;
    case "TaskExpired":
      return `TaskExpired — refunded ${eth(e.args.refunded)}`;
    case "AttemptLapsed":
      return `AttemptLapsed — provider ${short(e.args.provider)}, penalty ${eth(e.args.penalty)}`;
    default:
      return e.eventName;
  }
}

/** The status an event moves the task to (FIRST_RESPONSE tasks go from ATTEMPTED straight to FINALIZED). */
function statusAfter(e: NexusEvent, manual: boolean): number | undefined {
  switch (e.eventName) {
    case "TaskPublished":
      return TaskStatus.NEW;
    case "TaskAttempted":
      return TaskStatus.ATTEMPTED;
    case "ResponseSubmitted":
      return manual ? TaskStatus.RESPONDED : undefined;
    case "TaskFinalized":
      return TaskStatus.FINALIZED;
    case "TaskCanceled":
      return TaskStatus.CANCELED;
    case "TaskExpired":
      return TaskStatus.EXPIRED;
    default:
      return undefined;
  }
}

export function trackTask(p: TrackTaskParameters): { stop: () => void } {
  const { session, source, published } = p;
  const { publicClient, ipfs, nexus } = session;
  const task = published.task;
  const manual = source.params.deliveryMethod === DeliveryMethod.MANUAL_CONFIRMATION;
  const controller = new AbortController();
  const signal = controller.signal;

  // The card.
  const statusEl = h("span", { class: "status PENDING", "data-testid": "task-status" }, "SENT");
  const trailEl = h("div", { class: "trail", "data-testid": "status-trail" }, h("span", { class: "muted" }, "waiting for the transaction to be mined…"));
  const minedEl = h("dd", {}, h("span", { class: "mono" }, published.hash), " — pending");
  const responsesEl = h("div", { "data-testid": "responses" });
  const resultEl = h("div", { "data-testid": "task-result" });
  const payoutEl = h("div", { "data-testid": "payout" });
  const errorEl = h("div", { class: "error", hidden: true, "data-testid": "task-error" });
  const logEl = h("pre", { class: "log", "data-testid": "event-log" });
  const card = h(
    "article",
    { class: "task", "data-task": task, "data-delivery": deliveryName(source.params.deliveryMethod) },
    h("div", { class: "task-head" }, h("strong", {}, "Task"), h("span", { class: "mono", "data-testid": "task-address" }, task), statusEl),
    h(
      "dl",
      { class: "kv" },
      h("dt", {}, "address"),
      h("dd", {}, "predicted with CREATE2 before the transaction mined ", h("span", { class: "badge info" }, "EIP-1167 clone")),
      h("dt", {}, "source"),
      h("dd", {}, `${source.metadata.name} — `, h("span", { class: "mono" }, source.address), " ", h("span", { class: "badge info" }, deliveryName(source.params.deliveryMethod))),
      h("dt", {}, "config"),
      h("dd", {}, h("span", { class: "mono" }, `${p.config.function_name}(${JSON.stringify(p.config.data)})`), " → ", h("span", { class: "mono" }, published.configUri)),
      h("dt", {}, "config sha256"),
      h("dd", { class: "mono" }, published.configHash),
      h("dt", {}, "payment"),
      h("dd", {}, `${eth(p.payment)} escrowed, expires ${time(published.expiryTime)}`),
      h("dt", {}, "publish tx"),
      minedEl,
    ),
    trailEl,
    errorEl,
    responsesEl,
    resultEl,
    payoutEl,
    h("details", { open: true }, h("summary", {}, "Event log (subscribeNexusEvents, filtered by task)"), logEl),
  );
  p.list.querySelector(":scope > p.muted")?.remove();
  p.list.prepend(card);

  const log = (line: string) => {
    logEl.append(`${line}\n`);
    logEl.scrollTop = logEl.scrollHeight;
  };
  const fail = (error: unknown) => {
    errorEl.hidden = false;
    replaceChildren(errorEl, ...errorContent(error));
  };

  // Status: the latest one reached; the trail keeps every status passed through, in the protocol's order (a task's
  // status only moves forward). Two sources report it, the event stream and waitForResult, in either order: a
  // status learned late (the event of an attempt, after the result was shown) still takes its place in the trail.
  let status: number | undefined;
  const passed = new Set<number>();
  const setStatus = (next: number) => {
    if (passed.has(next)) return;
    passed.add(next);
    const trail = [...passed].sort((a, b) => a - b);
    status = trail[trail.length - 1] ?? next;
    const name = taskStatusName(status);
    statusEl.className = `status ${name}`;
    statusEl.textContent = name;
    replaceChildren(trailEl, h("span", { class: "muted" }, "status: "), h("span", { class: "mono" }, trail.map(taskStatusName).join(" → ")));
  };
  // The stream stops at the terminal event it delivers itself, so that the log holds every event up to it.
  let terminalEventSeen = false;

  // Live events of this task only.
  let refundedByEvent: bigint | undefined;
  const unsubscribe = subscribeNexusEvents(publicClient, {
    nexus,
    args: { task },
    fromBlock: p.fromBlock,
    signal,
    onEvents: (batch: NexusEventBatch) => {
      if (batch.type === "removed") {
        log(`reorg: ${batch.events.length} event(s) removed${batch.incomplete ? " (and possibly more)" : ""}`);
        return;
      }
      for (const e of batch.events) {
        log(`#${e.blockNumber} ${describeEvent(e)}`);
        if (e.eventName === "TaskFinalized") refundedByEvent = e.args.refunded;
        if (manual && e.eventName === "ResponseSubmitted" && status !== TaskStatus.FINALIZED) void refreshResponses();
        const next = statusAfter(e, manual);
        if (next !== undefined) setStatus(next);
        if (next !== undefined && TERMINAL.includes(next)) terminalEventSeen = true;
      }
      if (terminalEventSeen) {
        if (status !== TaskStatus.FINALIZED) p.onSettled?.();
        unsubscribe();
      }
    },
    onError: (error) => log(`watcher: ${error.message} (retrying)`),
  });

  // The result, verified: the payload's CID and its sha256 against what the provider committed on-chain.
  let finalShown = false;
  const showFinal = (r: FinalizedTaskResult) => {
    if (finalShown) return;
    finalShown = true;
    setStatus(TaskStatus.FINALIZED);
    const result = r.result;
    const matmulHash = typeof result === "object" && result !== null && !Array.isArray(result) && typeof result.resultSha256 === "string" ? result.resultSha256 : undefined;
    replaceChildren(
      resultEl,
      h(
        "div",
        { class: "result" },
        h("h3", {}, "Result ", verifiedBadge(r.resultHash)),
        h(
          "dl",
          { class: "kv" },
          h("dt", {}, "winner"),
          h("dd", { class: "mono" }, r.provider),
          // What vouches for it: k independent masters' alike results, or one provider's word.
          h("dt", {}, "verification"),
          h("dd", { "data-testid": "verification" }, r.verification === "agreed" ? `agreed by ${r.agreedBy.length} providers of as many masters` : "unverified (one provider's response)"),
          h("dt", {}, "payload"),
          h("dd", { class: "mono" }, r.resultUri),
          h("dt", {}, "sha256"),
          h("dd", { class: "mono" }, r.resultHash),
          matmulHash === undefined ? null : h("dt", {}, "matmul resultSha256"),
          matmulHash === undefined ? null : h("dd", { class: "mono", "data-testid": "matmul-sha256" }, matmulHash),
        ),
        h("pre", { class: "json" }, json(result)),
      ),
    );
    const refunded = refundedByEvent === undefined ? "" : `; ${eth(refundedByEvent)} refunded to your Vault balance`;
    replaceChildren(
      payoutEl,
      h(
        "div",
        { class: "payout" },
        `Payout: ${eth(r.paid - r.fee)} to ${r.payee} (payment ${eth(r.paid)} − protocol fee ${eth(r.fee)})${r.bySettlement ? ", by settlement" : ""}${refunded}`,
      ),
    );
    p.onSettled?.();
  };
  const followToFinal = () =>
    waitForResult(publicClient, { ipfs, task, nexus, signal }).then(showFinal, (error: unknown) => {
      if (!signal.aborted) fail(error);
    });

  // MANUAL: the responses so far, each with its verified payload and a Confirm button.
  const shown = new Map<Address, HTMLElement>();
  const confirmButtons: HTMLButtonElement[] = [];
  const renderResponse = (r: TaskResponse): HTMLElement => {
    const payload = h("div", {}, h("span", { class: "muted" }, "fetching the payload…"));
    const button = h("button", { type: "button", "data-testid": "confirm", "data-provider": r.provider }, "Confirm");
    button.disabled = status === TaskStatus.FINALIZED;
    confirmButtons.push(button);
    button.addEventListener("click", () => void confirm(r.provider, button));
    fetchResult(publicClient, { ipfs, task, nexus, provider: r.provider, signal }).then(
      (fetched) => replaceChildren(payload, verifiedBadge(fetched.resultHash), h("pre", { class: "json" }, json(fetched.result))),
      (error: unknown) => replaceChildren(payload, h("div", { class: "error" }, ...errorContent(error))),
    );
    return h(
      "div",
      { class: "response", "data-response": r.provider },
      h("div", { class: "row" }, h("strong", {}, "Response"), h("span", { class: "mono" }, `provider ${r.provider}`), h("span", {}, `asks ${eth(r.askedPayment)}`), button),
      h("div", { class: "mono muted" }, `${r.resultUri} · block ${r.blockNumber}`),
      payload,
    );
  };
  const renderResponses = (responses: readonly TaskResponse[]) => {
    if (shown.size === 0 && responses.length > 0) replaceChildren(responsesEl, h("h3", {}, "Responses — review, then confirm one to pay it"));
    for (const r of responses) {
      if (shown.has(r.provider)) continue;
      const el = renderResponse(r);
      shown.set(r.provider, el);
      responsesEl.append(el);
    }
  };
  let refreshing: Promise<void> | undefined;
  const refreshResponses = async () => {
    if (refreshing !== undefined) return refreshing;
    refreshing = getTaskResponses(publicClient, { task, nexus })
      .then(renderResponses, (error: unknown) => log(`responses: ${(error as Error).message}`))
      .finally(() => (refreshing = undefined));
    return refreshing;
  };
  const confirm = async (provider: Address, button: HTMLButtonElement) => {
    for (const b of confirmButtons) b.disabled = true;
    button.textContent = "Confirming…";
    try {
      const sent = await confirmResponse(session.wallet, { task, provider, nexus });
      log(`confirmResponse sent: ${sent.hash}`);
      const { events } = await sent.wait();
      const finalized = events.find((e) => e.eventName === "TaskFinalized");
      if (finalized?.eventName === "TaskFinalized") refundedByEvent = finalized.args.refunded;
      button.textContent = "Confirmed ✓";
      await followToFinal();
    } catch (error) {
      fail(error);
      button.textContent = "Confirm";
      for (const b of confirmButtons) b.disabled = false;
    }
  };

  // Mined → follow: FIRST_RESPONSE until FINALIZED; MANUAL until it has responses (then the client confirms).
  published.wait().then(
    ({ receipt }) => {
      replaceChildren(minedEl, h("span", { class: "mono" }, published.hash), ` — mined in block ${receipt.blockNumber}`);
      if (status === undefined) setStatus(TaskStatus.NEW);
      if (!manual) return followToFinal();
      return waitForResult(publicClient, { ipfs, task, nexus, signal, until: "responded" }).then(
        (r) => (r.status === "finalized" ? showFinal(r) : renderResponses(r.responses)),
        (error: unknown) => {
          if (!signal.aborted) fail(error);
        },
      );
    },
    (error: unknown) => {
      statusEl.className = "status FAILED";
      statusEl.textContent = "FAILED";
      fail(error);
      unsubscribe();
    },
  );

  return {
    stop: () => {
      controller.abort();
      unsubscribe();
    },
  };
}
