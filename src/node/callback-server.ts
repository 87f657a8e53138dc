import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
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
  /**
   * How long a result nobody waits for yet is kept, and how long a task's secret stays valid while nobody
   * waits for it (before the first waitFor, after the last one ended). Default 5 minutes.
   */
  orphanTtlMs?: number;
  /** Caps on results nobody waits for, so a chatty or hostile handler cannot grow memory without bound. */
  maxOrphans?: number;
  maxOrphanBytes?: number;
  logger?: Logger;
};

export type WaitForOptions = { timeoutMs: number; signal?: AbortSignal };

/** Thrown by waitFor for a task whose secret was never registered (or has expired): no result could be accepted. */
export class CallbackNotExpectedError extends Error {
  readonly taskId: string;
  constructor(taskId: string) {
    super(`no callback secret is registered for task ${taskId}: call expectResult() before dispatching`);
    this.name = "CallbackNotExpectedError";
    this.taskId = taskId;
  }
}

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
/** One run's registration: the digest of the secret its result must carry, and when it lapses if nobody waits. */
type Expected = { digest: Buffer; idleUntil: number };
// `expected` is the registration the result was authenticated against: a later run of the same task registers a
// new one, and the orphan of the earlier run is then never handed to it.
type Orphan = { result: CallbackResult; at: number; size: number; expected: Expected };

// 256 bits: far beyond guessing within a task's lifetime, and base64url needs no escaping in a header.
const SECRET_BYTES = 32;

// Comparing digests keeps timingSafeEqual's inputs the same length whatever the caller sent.
function digestOf(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}

/** The token of an `Authorization: Bearer <token>` header; undefined when there is none or it is another scheme. */
function bearerToken(request: IncomingMessage): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
  return match?.[1];
}

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

/**
 * Receives handlers' `POST {CALLBACK_URL}/{task}` and hands each result to whoever waits for that task.
 *
 * Anything that reaches the port (another source's container through the bridge, a local process) could post a
 * result for any task id, and the node would pin and submit it. So a result is accepted only with the secret
 * the node registered for that task before dispatching it (`expectResult`), sent back by the handler framework
 * as `Authorization: Bearer <secret>` (PROTOCOL.md §7). Registering before dispatch is what lets a result that
 * beats its waiter be checked too: nothing is ever stored for a task without a registration, and what is
 * stored is tied to the registration that authenticated it. A refused post is answered 401/403 before its
 * body is read, and touches neither the waiter nor a stored result.
 */
export class CallbackServer {
  readonly #host: string;
  readonly #port: number;
  readonly #maxBodyBytes: number;
  readonly #orphanTtlMs: number;
  readonly #maxOrphans: number;
  readonly #maxOrphanBytes: number;
  readonly #logger: Logger;
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #expected = new Map<string, Expected>();
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
    const auth = this.#authenticate(request, taskId);
    if (!auth.ok) {
      this.#logger.warn({ task: taskId, reason: auth.reason, remote: request.socket.remoteAddress }, "callback refused");
      request.resume();
      // Closing spares reading a body we will not use; 4xx stops the sender's retry loop.
      const headers: Record<string, string> = { connection: "close" };
      if (auth.status === 401) headers["www-authenticate"] = 'Bearer realm="callback"';
      return sendJson(response, auth.status, { error: auth.status === 401 ? "callback secret required" : "callback secret refused" }, headers);
    }
    let raw: Buffer;
    try {
      raw = await readBody(request, this.#maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      // Tell the waiter too: the handler will not get a better answer by retrying.
      this.#deliver(taskId, auth.expected, { ok: false, error: `handler result exceeds ${this.#maxBodyBytes} bytes` }, 0);
      return sendJson(response, 413, { error: error.message }, { connection: "close" });
    }
    const { result, valid } = classify(raw);
    this.#deliver(taskId, auth.expected, result, raw.length);
    this.#logger.info({ task: taskId, ok: result.ok, bytes: raw.length }, "callback received");
    // 4xx for garbage so the handler's retry loop stops; 200 for everything it is done with.
    if (!valid) return sendJson(response, 400, { error: "body is not valid JSON" });
    sendJson(response, 200, { received: true });
  }

  #authenticate(request: IncomingMessage, taskId: string): { ok: true; expected: Expected } | { ok: false; status: 401 | 403; reason: string } {
    const token = bearerToken(request);
    if (token === undefined) return { ok: false, status: 401, reason: "no bearer secret" };
    this.#sweep();
    const expected = this.#expected.get(taskId);
    // Hash the token even when nothing is registered, so the answer takes as long either way.
    const presented = digestOf(token);
    if (expected === undefined) return { ok: false, status: 403, reason: "no run expects a result for this task" };
    if (!timingSafeEqual(presented, expected.digest)) return { ok: false, status: 403, reason: "wrong secret for this task" };
    return { ok: true, expected };
  }

  /**
   * Registers a fresh secret for the next run of `taskId` and returns it, to be sent with the dispatch. It replaces
   * any earlier registration (and drops the result that one accepted): only the latest run's result counts.
   * `idleTtlMs` (default orphanTtlMs) bounds how long it stays valid while nobody waits for the task.
   */
  expectResult(taskId: string, options: { idleTtlMs?: number } = {}): string {
    if (!isValidTaskId(taskId)) throw new TypeError(`invalid task id ${JSON.stringify(taskId)}`);
    const secret = randomBytes(SECRET_BYTES).toString("base64url");
    this.#dropOrphan(taskId);
    this.#expected.set(taskId, { digest: digestOf(secret), idleUntil: Date.now() + (options.idleTtlMs ?? this.#orphanTtlMs) });
    return secret;
  }

  #deliver(taskId: string, expected: Expected, result: CallbackResult, size: number): void {
    // A new run may have registered while the body was read: this result belongs to the run it was checked for.
    if (this.#expected.get(taskId) !== expected) {
      this.#logger.warn({ task: taskId }, "dropping a result of a superseded run");
      return;
    }
    const waiters = this.#waiters.get(taskId);
    if (waiters) {
      // Used up: a second post with the same secret is refused rather than taken for a new result.
      this.#waiters.delete(taskId);
      this.#expected.delete(taskId);
      for (const waiter of waiters) waiter.resolve(result);
      return;
    }
    // The result can beat waitFor(), or come after it gave up; keep it briefly. The first result for a run wins.
    this.#sweep();
    if (this.#orphans.has(taskId)) return;
    this.#orphans.set(taskId, { result, at: Date.now(), size, expected });
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
    // Its run has had its one result: the secret must not let in another.
    if (this.#expected.get(taskId) === orphan.expected) this.#expected.delete(taskId);
  }

  #sweep(): void {
    const now = Date.now();
    const cutoff = now - this.#orphanTtlMs;
    for (const [taskId, orphan] of this.#orphans) {
      if (orphan.at >= cutoff) break; // insertion order = age order
      this.#dropOrphan(taskId);
    }
    for (const [taskId, expected] of this.#expected) {
      if (expected.idleUntil < now && !this.#waiters.has(taskId) && !this.#orphans.has(taskId)) this.#expected.delete(taskId);
    }
  }

  /**
   * Resolves with the result of the task's registered run (see expectResult); rejects with CallbackTimeoutError,
   * the signal's reason, CallbackNotExpectedError, or on close.
   */
  waitFor(taskId: string, options: WaitForOptions): Promise<CallbackResult> {
    if (!isValidTaskId(taskId)) return Promise.reject(new TypeError(`invalid task id ${JSON.stringify(taskId)}`));
    this.#sweep();
    const expected = this.#expected.get(taskId);
    if (expected === undefined) return Promise.reject(new CallbackNotExpectedError(taskId));
    const orphan = this.#orphans.get(taskId);
    if (orphan?.expected === expected) {
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
    if (rest.length > 0) {
      this.#waiters.set(taskId, rest);
      return;
    }
    this.#waiters.delete(taskId);
    // Still valid for a while: a result that comes late is then received and kept for nobody, not refused as forged.
    const expected = this.#expected.get(taskId);
    if (expected) expected.idleUntil = Date.now() + this.#orphanTtlMs;
  }

  /** Tasks someone is waiting for, and results kept for nobody yet: for metrics and tests. */
  stats(): { waiting: number; unclaimed: number; unclaimedBytes: number; expected: number } {
    return { waiting: this.#waiters.size, unclaimed: this.#orphans.size, unclaimedBytes: this.#orphanBytes, expected: this.#expected.size };
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
    this.#expected.clear();
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
