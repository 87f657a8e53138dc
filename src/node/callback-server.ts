import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pino, type Logger } from "pino";
import { BodyTooLargeError, isValidTaskId, pathSegments, readBody, sendJson } from "../handler/http.ts";

/** What a handler reported for a task: its output bytes (what gets pinned and hashed) or its error. */
export type CallbackResult = { ok: true; body: Uint8Array; json: unknown } | { ok: false; error: string };

export type CallbackServerOptions = {
  /** Default 127.0.0.1: handlers run with host networking or as local processes. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Largest accepted result. Default 16 MiB. */
  maxBodyBytes?: number;
  /** How long a result nobody waits for yet is kept. Default 5 minutes. */
  orphanTtlMs?: number;
  /** Caps on results nobody waits for, so a chatty or hostile handler cannot grow memory without bound. */
  maxOrphans?: number;
  maxOrphanBytes?: number;
  logger?: Logger;
};

export type WaitForOptions = { timeoutMs: number; signal?: AbortSignal };

export class CallbackTimeoutError extends Error {
  readonly taskId: string;
  readonly timeoutMs: number;
  constructor(taskId: string, timeoutMs: number) {
    super(`no result for task ${taskId} within ${timeoutMs} ms`);
    this.name = "CallbackTimeoutError";
    this.taskId = taskId;
    this.timeoutMs = timeoutMs;
  }
}

type Waiter = { resolve: (result: CallbackResult) => void; reject: (error: unknown) => void };
type Orphan = { result: CallbackResult; at: number; size: number };

// PROTOCOL §7: a failure is POSTed as {"error": …}. An object with that single key is read as one;
// anything else (including outputs that merely contain an "error" field) is a result.
function classify(raw: Buffer): { result: CallbackResult; valid: boolean } {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    return { result: { ok: false, error: "handler posted a result that is not valid JSON" }, valid: false };
  }
  if (typeof json === "object" && json !== null && !Array.isArray(json)) {
    const keys = Object.keys(json);
    if (keys.length === 1 && keys[0] === "error") {
      const error = (json as { error: unknown }).error;
      return { result: { ok: false, error: typeof error === "string" ? error : JSON.stringify(error) }, valid: true };
    }
  }
  return { result: { ok: true, body: new Uint8Array(raw), json }, valid: true };
}

/** Receives handlers' `POST {CALLBACK_URL}/{task}` and hands each result to whoever waits for that task. */
export class CallbackServer {
  readonly #host: string;
  readonly #port: number;
  readonly #maxBodyBytes: number;
  readonly #orphanTtlMs: number;
  readonly #maxOrphans: number;
  readonly #maxOrphanBytes: number;
  readonly #logger: Logger;
  readonly #waiters = new Map<string, Waiter[]>();
  // Map keeps insertion order: the first entries are the oldest, which is what eviction wants.
  readonly #orphans = new Map<string, Orphan>();
  #orphanBytes = 0;
  #server: Server | undefined;
  #url = "";

  constructor(options: CallbackServerOptions = {}) {
    this.#host = options.host ?? "127.0.0.1";
    this.#port = options.port ?? 0;
    this.#maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
    this.#orphanTtlMs = options.orphanTtlMs ?? 5 * 60_000;
    this.#maxOrphans = options.maxOrphans ?? 256;
    this.#maxOrphanBytes = options.maxOrphanBytes ?? 64 * 1024 * 1024;
    this.#logger = options.logger ?? pino({ name: "callback-server" });
  }

  async start(): Promise<{ url: string; port: number }> {
    if (this.#server) throw new Error("callback server already started");
    const server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        this.#logger.error({ err: error }, "callback request failed");
        if (!response.headersSent) sendJson(response, 500, { error: "internal error" });
        else response.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.#port, this.#host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.#server = server;
    const { port } = server.address() as AddressInfo;
    this.#url = `http://${this.#host.includes(":") ? `[${this.#host}]` : this.#host}:${port}`;
    this.#logger.info({ url: this.#url }, "callback server listening");
    return { url: this.#url, port };
  }

  /** Base URL to give handlers as CALLBACK_URL. */
  get url(): string {
    if (!this.#server) throw new Error("callback server not started");
    return this.#url;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const segments = pathSegments(request.url);
    const taskId = segments?.length === 1 ? segments[0] : undefined;
    if (request.method !== "POST" || taskId === undefined || !isValidTaskId(taskId)) {
      request.resume();
      return sendJson(response, 404, { error: "POST /{task} only" });
    }
    let raw: Buffer;
    try {
      raw = await readBody(request, this.#maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      // Tell the waiter too: the handler will not get a better answer by retrying.
      this.#deliver(taskId, { ok: false, error: `handler result exceeds ${this.#maxBodyBytes} bytes` }, 0);
      return sendJson(response, 413, { error: error.message }, { connection: "close" });
    }
    const { result, valid } = classify(raw);
    this.#deliver(taskId, result, raw.length);
    this.#logger.info({ task: taskId, ok: result.ok, bytes: raw.length }, "callback received");
    // 4xx for garbage so the handler's retry loop stops; 200 for everything it is done with.
    if (!valid) return sendJson(response, 400, { error: "body is not valid JSON" });
    sendJson(response, 200, { received: true });
  }

  #deliver(taskId: string, result: CallbackResult, size: number): void {
    const waiters = this.#waiters.get(taskId);
    if (waiters) {
      this.#waiters.delete(taskId);
      for (const waiter of waiters) waiter.resolve(result);
      return;
    }
    // The result can beat waitFor(); keep it briefly. The first result for a task wins.
    this.#sweep();
    if (this.#orphans.has(taskId)) return;
    this.#orphans.set(taskId, { result, at: Date.now(), size });
    this.#orphanBytes += size;
    while (this.#orphans.size > this.#maxOrphans || this.#orphanBytes > this.#maxOrphanBytes) {
      const oldest = this.#orphans.keys().next();
      if (oldest.done) break;
      this.#logger.warn({ task: oldest.value }, "dropping unclaimed result");
      this.#dropOrphan(oldest.value);
    }
  }

  #dropOrphan(taskId: string): void {
    const orphan = this.#orphans.get(taskId);
    if (!orphan) return;
    this.#orphans.delete(taskId);
    this.#orphanBytes -= orphan.size;
  }

  #sweep(): void {
    const cutoff = Date.now() - this.#orphanTtlMs;
    for (const [taskId, orphan] of this.#orphans) {
      if (orphan.at >= cutoff) break; // insertion order = age order
      this.#dropOrphan(taskId);
    }
  }

  /** Resolves with the task's result; rejects with CallbackTimeoutError, the signal's reason, or on close. */
  waitFor(taskId: string, options: WaitForOptions): Promise<CallbackResult> {
    if (!isValidTaskId(taskId)) return Promise.reject(new TypeError(`invalid task id ${JSON.stringify(taskId)}`));
    this.#sweep();
    const orphan = this.#orphans.get(taskId);
    if (orphan) {
      this.#dropOrphan(taskId);
      return Promise.resolve(orphan.result);
    }
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<CallbackResult>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (result) => (cleanup(), resolve(result)),
        reject: (error) => (cleanup(), reject(error)),
      };
      const timer = setTimeout(() => {
        this.#removeWaiter(taskId, waiter);
        waiter.reject(new CallbackTimeoutError(taskId, options.timeoutMs));
      }, options.timeoutMs);
      const onAbort = () => {
        this.#removeWaiter(taskId, waiter);
        waiter.reject(signal?.reason);
      };
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const list = this.#waiters.get(taskId) ?? [];
      list.push(waiter);
      this.#waiters.set(taskId, list);
    });
  }

  #removeWaiter(taskId: string, waiter: Waiter): void {
    const list = this.#waiters.get(taskId);
    if (!list) return;
    const rest = list.filter((entry) => entry !== waiter);
    if (rest.length > 0) this.#waiters.set(taskId, rest);
    else this.#waiters.delete(taskId);
  }

  /** Tasks someone is waiting for, and results kept for nobody yet: for metrics and tests. */
  stats(): { waiting: number; unclaimed: number; unclaimedBytes: number } {
    return { waiting: this.#waiters.size, unclaimed: this.#orphans.size, unclaimedBytes: this.#orphanBytes };
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const [taskId, list] of [...this.#waiters]) {
      this.#waiters.delete(taskId);
      for (const waiter of list) waiter.reject(new Error("callback server closed"));
    }
    this.#orphans.clear();
    this.#orphanBytes = 0;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
