import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";

export const silentLogger = pino({ level: "silent" });

/** A port that was free a moment ago (bind to 0, read it, release it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type RecordedCallback = { path: string; body: string; json: unknown; at: number; authorization: string | undefined };

/**
 * A bare callback receiver independent of the code under test: records every POST, answers with the
 * statuses queued in `failWith` first (e.g. [503, 503]) and 200 afterwards.
 */
export class CallbackRecorder {
  readonly received: RecordedCallback[] = [];
  hits = 0;
  failWith: number[] = [];
  #server: Server | undefined;
  #waiters: Array<{ path: string; resolve: (value: RecordedCallback) => void }> = [];
  url = "";

  async start(): Promise<this> {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        this.hits++;
        const status = this.failWith.shift() ?? 200;
        response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ status }));
        if (status !== 200) return;
        const body = Buffer.concat(chunks).toString("utf8");
        const record = { path: request.url ?? "", body, json: JSON.parse(body) as unknown, at: Date.now(), authorization: request.headers.authorization };
        this.received.push(record);
        for (const waiter of this.#waiters.filter((entry) => entry.path === record.path)) waiter.resolve(record);
        this.#waiters = this.#waiters.filter((entry) => entry.path !== record.path);
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** The first accepted callback for `path` (e.g. "/task-1"), waiting for it if needed. */
  next(path: string, timeoutMs = 10_000): Promise<RecordedCallback> {
    const seen = this.received.find((record) => record.path === path);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no callback on ${path} within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({ path, resolve: (record) => (clearTimeout(timer), resolve(record)) });
    });
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

/** A promise with its resolve handle outside, to hold a handler mid-run. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as unknown };
}

/** How the node authenticates a result to its callback server (PROTOCOL.md §7). */
export function bearer(secret: string): Record<string, string> {
  return { authorization: `Bearer ${secret}` };
}

/** How the node hands a run's callback secret to the handler with its dispatch (PROTOCOL.md §7). */
export function callbackToken(secret: string): Record<string, string> {
  return { "x-callback-token": secret };
}
