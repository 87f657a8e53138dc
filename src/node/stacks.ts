// One handler stack per (source, environment): fetched and verified from the source's on-chain commitments,
// brought up through the runtime when a task needs it, shared by that source's tasks, and brought down when
// idle, when the provider is unregistered, or at shutdown.
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Address, Chain, Client, Hex, Transport } from "viem";
import { sourceAbi } from "../sdk/abis.ts";
import { readMany } from "../sdk/actions/index.ts";
import {
  CidMismatchError,
  ContentHashMismatchError,
  InvalidDocumentError,
  UnsupportedUriError,
  fetchBytes,
  fetchJson,
  sourceMetadataSchema,
  type Ipfs,
} from "../sdk/ipfs/index.ts";
import type { Logger } from "./logger.ts";
import { withRetry, type RetryOptions } from "./retry.ts";
import { probeHealth, type Environment, type HandlerRuntime, type StartedStack } from "./runtime/index.ts";

/** The source's metadata or compose file does not match its commitment, or does not offer the environment. */
export class SourceVerificationError extends Error {
  readonly source: Address;
  readonly document: "metadata" | "compose";
  readonly reason: "hash-mismatch" | "invalid" | "not-offered";
  constructor(source: Address, document: SourceVerificationError["document"], reason: SourceVerificationError["reason"], detail: string, cause?: unknown) {
    super(`source ${source}: ${document} refused (${reason}): ${detail}`, { cause });
    this.name = "SourceVerificationError";
    this.source = source;
    this.document = document;
    this.reason = reason;
  }
}

export type StackLease = {
  baseUrl: string;
  projectName: string;
  /** The source's metadata the stack runs, and the source version it was read at. */
  metadataHash: Hex;
  sourceVersion: number;
  /** One health probe of the handler (see probeHealth). */
  probe: (signal?: AbortSignal) => Promise<"up" | "down" | "unknown">;
  /** The holder saw the handler die: the stack is brought down, and the next acquire starts a fresh one. */
  reportDown: () => void;
  release: () => void;
};

export type StackManagerOptions = {
  runtime: HandlerRuntime;
  ipfs: Ipfs;
  client: Client<Transport, Chain | undefined>;
  stateDir: string;
  callbackUrl: string;
  provider: Address;
  idleTimeoutMs: number;
  healthTimeoutMs: number;
  retry: Omit<RetryOptions, "signal" | "onRetry">;
  logger: Logger;
  /** Aborts stack starts at hard shutdown. A shared start must not die with the one task that triggered it. */
  signal?: AbortSignal | undefined;
};

type Entry = {
  projectName: string;
  source: Address;
  environment: Environment;
  metadataHash: Hex;
  /** The source version the stack's metadata was read at. */
  sourceVersion: number;
  started: Promise<StartedStack>;
  refs: number;
  retiring: boolean;
  idle: NodeJS.Timeout | undefined;
  /** Set by the first stop of this entry. */
  stopped?: Promise<void> | undefined;
};

/** A TCP port that was free a moment ago. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, host, resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export class StackManager {
  readonly #o: StackManagerOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #cleaned = new Set<string>();
  /** Stops in progress per project: a new start of the same project waits for the old one to be gone. */
  readonly #stopping = new Map<string, Promise<void>>();

  constructor(options: StackManagerOptions) {
    this.#o = options;
  }

  projectName(source: Address, environment: Environment): string {
    return `gn-${this.#o.provider.slice(2, 10)}-${source.slice(2, 14)}-${environment}`.toLowerCase();
  }

  /**
   * A running stack for the source, started (metadata and compose verified) if needed. Release the lease when
   * the task no longer needs the handler. A stack whose handler stopped answering (crashed process, dead
   * container) is brought down and started again. @throws SourceVerificationError, runtime errors, IPFS errors
   */
  async acquire(source: Address, environment: Environment, signal?: AbortSignal): Promise<StackLease> {
    const projectName = this.projectName(source, environment);
    // One block for both: the version names these params.
    const [params, sourceVersion] = await withRetry(
      () =>
        readMany(this.#o.client, [
          { address: source, abi: sourceAbi, functionName: "params" },
          { address: source, abi: sourceAbi, functionName: "version" },
        ]),
      { ...this.#o.retry, signal },
    );
    for (;;) {
      let entry = this.#entries.get(projectName);
      if (entry && entry.metadataHash !== params.metadataHash && entry.refs === 0) {
        // The client updated the source: its new handler replaces the old one once nobody uses it.
        this.#o.logger.info({ source, project: projectName }, "source metadata changed, restarting its stack");
        await this.#stop(entry);
        entry = undefined;
      }
      const reused = entry !== undefined;
      if (!entry) {
        const created: Entry = {
          projectName,
          source,
          environment,
          metadataHash: params.metadataHash,
          sourceVersion,
          // After the previous stack of this project is down (one being stopped, e.g. crashed): not after its own.
          started: this.#start(source, environment, projectName, params.metadataUri, params.metadataHash, this.#stopping.get(projectName)),
          refs: 0,
          retiring: false,
          idle: undefined,
        };
        this.#entries.set(projectName, created);
        created.started.catch(() => {
          if (this.#entries.get(projectName) === created) this.#entries.delete(projectName);
        });
        entry = created;
      }
      const held = entry;
      held.refs++;
      clearTimeout(held.idle);
      held.idle = undefined;
      let started: StartedStack;
      try {
        started = await held.started;
      } catch (error) {
        held.refs--;
        throw error;
      }
      // A running stack may have died since its last task (the handler crashed, its container was killed): a
      // refused /health brings it down, and the next turn starts a fresh one (checked healthy by the runtime).
      if (reused && (await probeHealth(started.baseUrl, { ...(signal ? { signal } : {}) })) === "down") {
        held.refs--;
        signal?.throwIfAborted();
        this.#o.logger.warn({ source, project: projectName, baseUrl: started.baseUrl }, "handler stack does not answer; restarting it");
        await this.#stop(held);
        continue;
      }
      // A stack already running an older version of the same metadata runs this version's handler too.
      return this.#lease(held, started, held.metadataHash === params.metadataHash ? sourceVersion : held.sourceVersion);
    }
  }

  #lease(held: Entry, started: StartedStack, sourceVersion: number): StackLease {
    let released = false;
    const { projectName } = held;
    return {
      baseUrl: started.baseUrl,
      projectName,
      metadataHash: held.metadataHash,
      sourceVersion,
      probe: (signal) => probeHealth(started.baseUrl, { ...(signal ? { signal } : {}) }),
      reportDown: () => {
        if (this.#entries.get(projectName) !== held) return;
        this.#o.logger.warn({ project: projectName, source: held.source }, "handler stack died; the next task starts a new one");
        void this.#stop(held);
      },
      release: () => {
        if (released) return;
        released = true;
        held.refs--;
        if (held.refs > 0) return;
        if (held.retiring) void this.#stop(held);
        else if (this.#entries.get(projectName) === held) {
          held.idle = setTimeout(() => void this.#stop(held), this.#o.idleTimeoutMs);
          held.idle.unref();
        }
      },
    };
  }

  async #start(source: Address, environment: Environment, projectName: string, metadataUri: string, metadataHash: Hex, previousStop: Promise<void> | undefined): Promise<StartedStack> {
    const signal = this.#o.signal;
    const log = this.#o.logger.child({ source, environment, project: projectName });
    const retry = { ...this.#o.retry, signal };
    let metadata;
    try {
      metadata = await withRetry(() => fetchJson(this.#o.ipfs, metadataUri, { sha256: metadataHash, schema: sourceMetadataSchema, signal }), retry);
    } catch (error) {
      throw this.#verification(source, "metadata", error);
    }
    const composeUri = metadata[environment];
    const composeSha256 = metadata.composeSha256[environment];
    if (composeUri === "" || composeSha256 === undefined) {
      throw new SourceVerificationError(source, "compose", "not-offered", `the metadata offers no ${environment} compose file`);
    }
    let compose: Uint8Array;
    try {
      compose = (await withRetry(() => fetchBytes(this.#o.ipfs, composeUri, { sha256: composeSha256, signal }), retry)).bytes;
    } catch (error) {
      throw this.#verification(source, "compose", error);
    }
    const dir = join(this.#o.stateDir, "stacks", projectName);
    await mkdir(dir, { recursive: true });
    const composeFile = join(dir, `compose.${environment}.yml`);
    await writeFile(composeFile, compose);
    if (!this.#cleaned.has(projectName)) {
      // Containers a killed predecessor left behind still hold the project name: remove them first.
      this.#cleaned.add(projectName);
      await this.#o.runtime.stop(projectName).catch((error: unknown) => log.warn({ err: error }, "leftover cleanup failed"));
    }
    await previousStop;
    const port = await freePort();
    log.info({ port, composeUri, name: metadata.name }, "starting handler stack");
    const started = await this.#o.runtime.start(
      { sourceAddress: source, environment, composeFile, port, callbackUrl: this.#o.callbackUrl, providerAddress: this.#o.provider, projectName },
      { healthTimeoutMs: this.#o.healthTimeoutMs, ...(signal ? { signal } : {}) },
    );
    log.info({ baseUrl: started.baseUrl }, "handler stack ready");
    return started;
  }

  #verification(source: Address, document: "metadata" | "compose", error: unknown): unknown {
    if (error instanceof ContentHashMismatchError || error instanceof CidMismatchError) {
      return new SourceVerificationError(source, document, "hash-mismatch", error.shortMessage, error);
    }
    if (error instanceof InvalidDocumentError || error instanceof UnsupportedUriError) {
      return new SourceVerificationError(source, document, "invalid", error.shortMessage, error);
    }
    return error;
  }

  /** The provider left the source: down now if idle, else once its last task releases it. */
  retire(source: Address): void {
    for (const entry of this.#entries.values()) {
      if (entry.source !== source) continue;
      entry.retiring = true;
      if (entry.refs === 0) void this.#stop(entry);
    }
  }

  #stop(entry: Entry): Promise<void> {
    clearTimeout(entry.idle);
    if (this.#entries.get(entry.projectName) === entry) this.#entries.delete(entry.projectName);
    // Once per entry: a second stop of an entry already replaced must not stop its successor (same project).
    if (entry.stopped) return entry.stopped;
    const previous = this.#stopping.get(entry.projectName) ?? Promise.resolve();
    const stopping = previous.then(async () => {
      const ok = await entry.started.then(
        () => true,
        () => false,
      );
      if (!ok) return;
      try {
        await this.#o.runtime.stop(entry.projectName);
        this.#o.logger.info({ project: entry.projectName, source: entry.source }, "handler stack stopped");
      } catch (error) {
        this.#o.logger.warn({ err: error, project: entry.projectName }, "stopping handler stack failed");
      }
    });
    entry.stopped = stopping;
    this.#stopping.set(entry.projectName, stopping);
    void stopping.finally(() => {
      if (this.#stopping.get(entry.projectName) === stopping) this.#stopping.delete(entry.projectName);
    });
    return stopping;
  }

  /** Stops every stack (shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((entry) => this.#stop(entry)));
    await Promise.all([...this.#stopping.values()]);
    await this.#o.runtime.stopAll().catch((error: unknown) => this.#o.logger.warn({ err: error }, "runtime stopAll failed"));
  }

  /** Project names of stacks started or starting. */
  running(): string[] {
    return [...this.#entries.keys()];
  }
}
