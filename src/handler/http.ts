import type { IncomingMessage, ServerResponse } from "node:http";

/** Thrown by `readBody` when the body exceeds its limit; the caller answers 413. */
export class BodyTooLargeError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.name = "BodyTooLargeError";
    this.limit = limit;
  }
}

/**
 * Reads a request body with a hard byte limit. The Content-Length header is checked first so an
 * honest oversized upload is refused without reading it; the running count catches chunked or lying ones.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      request.resume(); // discard, so the response can still be written on this connection
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks, size));
    });
    request.on("error", (error) => {
      if (!failed) {
        failed = true;
        reject(error);
      }
    });
  });
}

/** Discards whatever is left of a body we will not read, so keep-alive connections stay usable. */
export function discardBody(request: IncomingMessage): void {
  request.resume();
}

export function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}

// Task ids become a path segment of the callback URL and a key in maps: refuse anything that
// would need escaping or could traverse (`..`, `/`). Addresses, uuids and decimal ids all fit.
const TASK_ID_PATTERN = /^[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,127}$/;

export function isValidTaskId(taskId: string): boolean {
  return TASK_ID_PATTERN.test(taskId);
}

/**
 * Request header of `POST /run/{function_name}/{task}` carrying the per-run secret the callback must present as
 * `Authorization: Bearer <token>` (PROTOCOL.md §7). A header rather than a body field: the body is the
 * function's input, checked by its own schema.
 */
export const CALLBACK_TOKEN_HEADER = "x-callback-token";

// RFC 6750's token68 characters: the token is echoed into a header, so nothing that could end or split it.
const CALLBACK_TOKEN_PATTERN = /^[A-Za-z0-9._~+/-]{16,512}=*$/;

export function isValidCallbackToken(token: string): boolean {
  return CALLBACK_TOKEN_PATTERN.test(token);
}

/** Splits a URL path into decoded segments; undefined when a segment is not valid percent-encoding. */
export function pathSegments(url: string | undefined): string[] | undefined {
  const path = (url ?? "/").split("?")[0] ?? "/";
  try {
    return path.split("/").filter((segment) => segment !== "").map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}
