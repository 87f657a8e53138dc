// Turns protocol events into work: which sources this provider is registered to (ProviderRegistered /
// ProviderUnregistered), which of their tasks are new (TaskPublished), what it earned (TaskFinalized, SharePaid) and
// what it lost (AttemptLapsed, ResponseRejected).
// Everything a batch implies is written to the state store before the batch's cursor is saved, so a crash
// between the two replays the batch, and replaying is a no-op for tasks already known.
import type { Address, Chain, Client, Transport } from "viem";
import { readContract } from "viem/actions";
import { sourceAbi, VerificationMethod } from "../sdk/abis.ts";
import { decodeNexusError } from "../sdk/errors/index.ts";
import { getNexusEvents, type NexusEvent, type NexusEventBatch } from "../sdk/events/index.ts";
import type { NodeConfig } from "./config.ts";
import type { Logger } from "./logger.ts";
import type { NodeMetrics } from "./metrics.ts";
import { withRetry } from "./retry.ts";
import type { Environment } from "./runtime/index.ts";
import type { StackManager } from "./stacks.ts";
import type { StateStore } from "./state.ts";

type AnyClient = Client<Transport, Chain | undefined>;

/** The events the node watches; the rest of the protocol's traffic never reaches it. */
export const WATCHED_EVENTS = [
  "ProviderRegistered",
  "ProviderUnregistered",
  "TaskPublished",
  "TaskFinalized",
  "SharePaid",
  "AttemptLapsed",
  "ResponseRejected",
] as const;

const ENVIRONMENT_BITS: ReadonlyArray<[number, Environment]> = [
  [1, "cpu"],
  [2, "nvidia"],
  [4, "amd"],
];
export function environmentName(bit: number): Environment | undefined {
  return ENVIRONMENT_BITS.find(([b]) => b === bit)?.[1];
}

export type DiscoveryDeps = {
  config: NodeConfig;
  client: AnyClient;
  state: StateStore;
  stacks: StackManager;
  metrics: NodeMetrics;
  logger: Logger;
  nexus: Address;
  provider: Address;
  /** Where to look for a newly registered source's earlier tasks. */
  startBlock: bigint;
  signal: AbortSignal;
};

export class Discovery {
  readonly #d: DiscoveryDeps;
  constructor(deps: DiscoveryDeps) {
    this.#d = deps;
  }

  /** Handles one watcher batch; returns the tasks added (to schedule once this returns: they are on disk). */
  async handle(batch: NexusEventBatch): Promise<Address[]> {
    const added: Address[] = [];
    if (batch.type === "removed") {
      await this.#handleRemoved(batch.events, batch.incomplete);
    } else {
      for (const event of batch.events) await this.#handleEvent(event, added);
    }
    await this.#d.state.persist();
    return added;
  }

  async #handleEvent(event: NexusEvent, added: Address[]): Promise<void> {
    const { state, provider } = this.#d;
    switch (event.eventName) {
      case "ProviderRegistered": {
        if (event.args.provider !== provider) return;
        const known = state.sources().has(event.args.source);
        state.setSource(event.args.source, { environment: event.args.environment, block: event.blockNumber.toString() });
        this.#d.logger.info({ source: event.args.source, environment: environmentName(event.args.environment) }, "registered to source");
        // Tasks published before the registration are still attemptable while open: look back once.
        if (!known) await this.#backfill(event.args.source, event.blockNumber, added);
        return;
      }
      case "ProviderUnregistered": {
        if (event.args.provider !== provider) return;
        state.setSource(event.args.source, undefined);
        this.#d.stacks.retire(event.args.source);
        this.#d.logger.info({ source: event.args.source }, "unregistered from source; its stack goes down");
        return;
      }
      case "TaskPublished": {
        if (!state.sources().has(event.args.source)) return;
        this.#record(event, added);
        return;
      }
      case "TaskFinalized": {
        // An agreement pays every agreeing juror by SharePaid; its TaskFinalized names the reveal that completed it.
        if (event.args.provider !== provider || state.task(event.args.task)?.verification === VerificationMethod.AGREEMENT) return;
        const net = event.args.paid - event.args.fee;
        this.#d.metrics.earningsWei.inc(Number(net));
        this.#d.logger.info({ task: event.args.task, payee: event.args.payee, net: net.toString(), bySettlement: event.args.bySettlement }, "paid");
        return;
      }
      case "SharePaid": {
        if (event.args.provider !== provider) return;
        const net = event.args.paid - event.args.fee;
        this.#d.metrics.earningsWei.inc(Number(net));
        this.#d.logger.info({ task: event.args.task, payee: event.args.payee, net: net.toString() }, "agreed: our result was the agreed one, share paid");
        return;
      }
      case "AttemptLapsed":
      case "ResponseRejected": {
        if (event.args.provider !== provider) return;
        const reason = event.eventName === "AttemptLapsed" ? "lapsed" : "rejected";
        const to = event.args.burned ? "burned" : "client";
        this.#d.metrics.penalties.inc({ reason, to });
        this.#d.logger.warn(
          { task: event.args.task, master: event.args.master, penalty: event.args.penalty.toString(), to, by: event.args.reporter },
          reason === "lapsed" ? "slashed: our attempt lapsed" : "slashed: the agreement rejected our result",
        );
        return;
      }
      default:
        return;
    }
  }

  #record(event: NexusEvent<"TaskPublished">, added: Address[]): void {
    const { args } = event;
    // Expired tasks cannot be attempted: not worth a state entry (backfills would otherwise store history).
    if (Number(args.expiryTime) * 1000 <= Date.now()) return;
    const isNew = this.#d.state.addTask({
      task: args.task,
      source: args.source,
      client: args.client,
      configUri: args.configUri,
      configHash: args.configHash,
      expiryTime: args.expiryTime.toString(),
      payment: args.payment.toString(),
      publishedBlock: event.blockNumber.toString(),
    });
    if (!isNew) return;
    this.#d.metrics.tasksSeen.inc();
    added.push(args.task);
  }

  async #backfill(source: Address, toBlock: bigint, added: Address[]): Promise<void> {
    const events = await withRetry(
      () => getNexusEvents(this.#d.client, { nexus: this.#d.nexus, events: "TaskPublished", args: { source }, fromBlock: this.#d.startBlock, toBlock }),
      { ...this.#d.config.retry, signal: this.#d.signal },
    );
    for (const event of events) this.#record(event, added);
  }

  /**
   * Seeds registrations made before `startBlock` (an operator starting the scan late), from the cheap indexed
   * provider filter.
   */
  async seedRegistrations(fromBlock: bigint): Promise<void> {
    if (this.#d.startBlock <= fromBlock) return;
    const events = await withRetry(
      () =>
        getNexusEvents(this.#d.client, {
          nexus: this.#d.nexus,
          events: ["ProviderRegistered", "ProviderUnregistered"],
          args: { provider: this.#d.provider },
          fromBlock,
          toBlock: this.#d.startBlock - 1n,
        }),
      { ...this.#d.config.retry, signal: this.#d.signal },
    );
    for (const event of events) {
      if (event.eventName === "ProviderRegistered") this.#d.state.setSource(event.args.source, { environment: event.args.environment, block: event.blockNumber.toString() });
      if (event.eventName === "ProviderUnregistered") this.#d.state.setSource(event.args.source, undefined);
    }
    await this.#d.state.persist();
  }

  async #handleRemoved(events: readonly NexusEvent[], incomplete: boolean): Promise<void> {
    this.#d.logger.warn({ removed: events.length, incomplete }, "chain reorganisation: events removed");
    for (const event of events) {
      if (event.eventName !== "TaskPublished") continue;
      // Nothing was sent for a task still "seen": forget it; the canonical chain re-delivers it if it exists.
      if (this.#d.state.task(event.args.task)?.phase === "seen") this.#d.state.dropTask(event.args.task);
    }
    if (incomplete || events.some((e) => e.eventName === "ProviderRegistered" || e.eventName === "ProviderUnregistered")) await this.reverifySources();
  }

  /** Re-reads every known registration from the chain (after a reorg that may have undone some). */
  async reverifySources(): Promise<void> {
    for (const source of [...this.#d.state.sources().keys()]) {
      const environment = await withRetry(
        async () => {
          try {
            return await readContract(this.#d.client, { address: source, abi: sourceAbi, functionName: "environmentOf", args: [this.#d.provider] });
          } catch (error) {
            throw decodeNexusError(error);
          }
        },
        { ...this.#d.config.retry, signal: this.#d.signal },
      );
      if (environment === 0) {
        this.#d.state.setSource(source, undefined);
        this.#d.stacks.retire(source);
      }
    }
  }

  environmentOf(source: Address): Environment | undefined {
    const record = this.#d.state.sources().get(source);
    return record === undefined ? undefined : environmentName(record.environment);
  }
}
