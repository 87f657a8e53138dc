import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pino, type Logger } from "pino";
import type { z } from "zod";
import { callbackTarget, deliverCallback } from "./callback.ts";
import type { AnyHandler } from "./define.ts";
import {
  BodyTooLargeError,
  CALLBACK_TOKEN_HEADER,
  discardBody,
  isValidCallbackToken,
  isValidTaskId,
  pathSegments,
  readBody,
  sendJson,
} from "./http.ts";

export type ServeHandlersOptions = {
  handlers: readonly AnyHandler[];
  port: number;
  /** Default 127.0.0.1; containers on a bridge network pass 0.0.0.0. */
  host?: string;
  /** Results go to `${callbackUrl}/{task}`. */
  callbackUrl: string;
  /** Per-call timeout unless the handler sets its own. Default 10 minutes. */
  defaultTimeoutMs?: number;
  /** Callback tries, the first included. Default 5. */
  callbackRetries?: number;
  callbackBaseDelayMs?: number;
  callbackMaxDelayMs?: number;
  callbackAttemptTimeoutMs?: number;
  /** Largest accepted `data` body. Default 8 MiB. */
  maxBodyBytes?: number;
  logger?: Logger;
};

export type CloseOptions = {
  /** How long running calls may take to finish before they are aborted. Default 30 s. */
  timeoutMs?: number;
  /** After aborting, how long error callbacks get to be delivered. Default 10 s. */
  flushTimeoutMs?: number;
};

export type HandlerServer = {
  readonly url: string;
  readonly port: number;
  readonly functions: readonly string[];
  /** Task ids whose call (run + callback delivery) is not finished. */
  runningTasks(): string[];
  /** Refuses new calls (503), waits for running ones (bounded), flushes callbacks, then stops listening. */
  close(options?: CloseOptions): Promise<void>;
};

type Call = { functionName: string; controller: AbortController; done: Promise<void> };

/** Raised inside a call when its timeout fires; its message is what the callback reports. */
export class HandlerTimeoutError extends Error {
  constructor(functionName: string, timeoutMs: number) {
    super(`handler "${functionName}" timed out after ${timeoutMs} ms`);
    this.name = "HandlerTimeoutError";
  }
}

const MAX_ERROR_LENGTH = 2_000;

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}

function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => (clearTimeout(timer), resolve(true)),
      () => (clearTimeout(timer), resolve(true)),
    );
  });
}

/** Starts the HTTP side of the handler container contract (PROTOCOL §7). */
export async function serveHandlers(options: ServeHandlersOptions): Promise<HandlerServer> {
  const logger = options.logger ?? pino({ name: "gpunexus-handler" });
  const host = options.host ?? "127.0.0.1";
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 10 * 60_000;
  const maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const delivery = {
    retries: options.callbackRetries ?? 5,
    baseDelayMs: options.callbackBaseDelayMs ?? 250,
    maxDelayMs: options.callbackMaxDelayMs ?? 5_000,
    attemptTimeoutMs: options.callbackAttemptTimeoutMs ?? 15_000,
  };
  new URL(options.callbackUrl); // fail at startup, not at the first result, on a malformed URL

  const table = new Map<string, AnyHandler>();
  for (const handler of options.handlers) {
    if (table.has(handler.name)) throw new TypeError(`duplicate handler name "${handler.name}"`);
    table.set(handler.name, handler);
  }
  const functions = [...table.keys()];
  const calls = new Map<string, Call>();
  let draining = false;

  // `token` is what the dispatch carried; it is not shown to the handler's code, which has no use for it.
  async function execute(handler: AnyHandler, input: unknown, taskId: string, token: string | undefined, controller: AbortController): Promise<void> {
    const log = logger.child({ fn: handler.name, task: taskId });
    const timeoutMs = handler.timeoutMs ?? defaultTimeoutMs;
    const timer = setTimeout(() => controller.abort(new HandlerTimeoutError(handler.name, timeoutMs)), timeoutMs);
    const started = performance.now();
    // A handler that ignores its signal must not hold the result hostage: racing the abort lets the
    // error callback go out on time while the stray promise is left to finish on its own.
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
    });
    let body: string;
    try {
      const raw = await Promise.race([
        Promise.resolve().then(() => handler.run(input as never, { signal: controller.signal, taskId, logger: log })),
        aborted,
      ]);
      const parsed = handler.output.safeParse(raw);
      if (parsed.success) {
        body = JSON.stringify(parsed.data ?? null);
        log.info({ ms: Math.round(performance.now() - started) }, "call succeeded");
      } else {
        body = JSON.stringify({ error: `handler "${handler.name}" returned invalid output: ${describeIssues(parsed.error)}` });
        log.error({ issues: parsed.error.issues }, "invalid output");
      }
    } catch (error) {
      body = JSON.stringify({ error: errorMessage(error) });
      log.warn({ err: error, ms: Math.round(performance.now() - started) }, "call failed");
    } finally {
      clearTimeout(timer);
    }
    await deliverCallback(callbackTarget(options.callbackUrl, taskId), body, { ...delivery, token, logger: log });
  }

  async function handleRun(request: IncomingMessage, response: ServerResponse, functionName: string, taskId: string): Promise<void> {
    if (request.method !== "POST") {
      discardBody(request);
      return sendJson(response, 405, { error: "use POST" }, { allow: "POST" });
    }
    const handler = table.get(functionName);
    if (!handler) {
      discardBody(request);
      return sendJson(response, 404, { error: `unknown function "${functionName}"`, functions });
    }
    if (!isValidTaskId(taskId)) {
      discardBody(request);
      return sendJson(response, 400, { error: "invalid task id" });
    }
    // Optional here: the receiver decides whether a result needs one. A running call keeps the token it was
    // accepted with (the 409 below): whoever can reach this port must not be able to swap it and void the result.
    const token = request.headers[CALLBACK_TOKEN_HEADER];
    if (token !== undefined && (typeof token !== "string" || !isValidCallbackToken(token))) {
      discardBody(request);
      return sendJson(response, 400, { error: `malformed ${CALLBACK_TOKEN_HEADER} header` });
    }
    if (calls.has(taskId)) {
      discardBody(request);
      return sendJson(response, 409, { error: `task ${taskId} is already running` });
    }
    let raw: Buffer;
    try {
      raw = await readBody(request, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendJson(response, 413, { error: error.message }, { connection: "close" });
      throw error;
    }
    let data: unknown;
    try {
      data = JSON.parse(raw.toString("utf8"));
    } catch {
      return sendJson(response, 400, { error: "body is not valid JSON" });
    }
    const parsed = handler.input.safeParse(data);
    if (!parsed.success) {
      return sendJson(response, 400, { error: `invalid input for "${functionName}": ${describeIssues(parsed.error)}` });
    }
    // Both can change while the body was being read.
    if (draining) return sendJson(response, 503, { error: "handler server is shutting down" }, { connection: "close" });
    if (calls.has(taskId)) return sendJson(response, 409, { error: `task ${taskId} is already running` });

    const controller = new AbortController();
    const done = execute(handler, parsed.data, taskId, token, controller)
      .catch((error: unknown) => logger.error({ err: error, task: taskId }, "call crashed"))
      .finally(() => calls.delete(taskId));
    calls.set(taskId, { functionName, controller, done });
    logger.info({ fn: functionName, task: taskId }, "call accepted");
    sendJson(response, 202, { accepted: true });
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const segments = pathSegments(request.url);
    if (!segments) {
      discardBody(request);
      return sendJson(response, 400, { error: "malformed path" });
    }
    if (segments.length === 1 && segments[0] === "health") {
      discardBody(request);
      if (draining) return sendJson(response, 503, { status: "draining", functions });
      return sendJson(response, 200, { status: "ok", functions });
    }
    if (segments.length === 3 && segments[0] === "run") {
      if (draining) {
        discardBody(request);
        return sendJson(response, 503, { error: "handler server is shutting down" }, { connection: "close" });
      }
      return handleRun(request, response, segments[1] ?? "", segments[2] ?? "");
    }
    discardBody(request);
    sendJson(response, 404, { error: "not found" });
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      logger.error({ err: error, url: request.url }, "request failed");
      if (!response.headersSent) sendJson(response, 500, { error: "internal error" });
      else response.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  logger.info({ url, functions }, "handler server listening");

  let closing: Promise<void> | undefined;
  async function close(closeOptions: CloseOptions = {}): Promise<void> {
    draining = true;
    closing ??= (async () => {
      const pending = () => Promise.allSettled([...calls.values()].map((call) => call.done));
      // Keep listening while draining so health checks observe 503 instead of a refused connection.
      if (!(await settleWithin(pending(), closeOptions.timeoutMs ?? 30_000))) {
        logger.warn({ tasks: [...calls.keys()] }, "aborting calls still running at shutdown");
        for (const call of calls.values()) call.controller.abort(new Error("handler server is shutting down"));
        if (!(await settleWithin(pending(), closeOptions.flushTimeoutMs ?? 10_000))) {
          logger.error({ tasks: [...calls.keys()] }, "callbacks not flushed before shutdown");
        }
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      logger.info("handler server closed");
    })();
    return closing;
  }

  return { url, port, functions, runningTasks: () => [...calls.keys()], close };
}
