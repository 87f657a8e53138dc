// Byte-limited reading and error mapping shared by the RPC, gateway and web paths.
import { NexusError } from "../errors/base.ts";
import { ContentTooLargeError, IpfsRequestError } from "./errors.ts";

/** Statuses worth retrying: the server may answer differently later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** A signal that fires on the caller's abort or after `timeoutMs`. */
export function requestSignal(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
}

/**
 * Wraps any failure of a request as an IpfsRequestError, except our own errors and an abort
 * the caller asked for (that one propagates unchanged, as fetch does).
 */
export function toRequestError(error: unknown, url: string, callerSignal?: AbortSignal): unknown {
  if (error instanceof NexusError) return error;
  if (callerSignal?.aborted === true) return callerSignal.reason ?? error;
  const err = error instanceof Error ? error : new Error(String(error));
  if (err.name === "TimeoutError" || err.name === "AbortError") {
    return new IpfsRequestError({ url, retryable: true, reason: "request timed out", cause: err });
  }
  return new IpfsRequestError({ url, retryable: true, reason: describeNetworkError(err), cause: err });
}

/** fetch's "fetch failed" hides the reason in its cause chain (ECONNREFUSED, ENOTFOUND…): surface it. */
function describeNetworkError(err: Error): string {
  // Duck-typed: errors raised inside Node's bundled undici may not be this realm's Error.
  let cause = err.cause as { message?: unknown; code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; typeof cause === "object" && cause !== null && depth < 5; depth++) {
    if (typeof cause.code === "string") return `${err.message}: ${String(cause.message)} (${cause.code})`;
    cause = cause.cause as typeof cause;
  }
  return err.message;
}

/** Concatenates chunks, throwing ContentTooLargeError as soon as more than `maxBytes` arrive. */
export async function readLimited(
  chunks: AsyncIterable<Uint8Array>,
  maxBytes: number,
  uri: string,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    // Leaving the loop early closes the source (and so the request).
    if (total > maxBytes) throw new ContentTooLargeError({ uri, maxBytes });
    parts.push(chunk);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** Async iteration over a fetch body via getReader (not every browser iterates ReadableStream). */
export async function* iterateBody(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stops the download when the consumer gave up early (limit reached, error).
    await reader.cancel().catch(() => undefined);
  }
}

/** Rejects early when the server announces more than `maxBytes`. */
export function checkDeclaredLength(response: Response, maxBytes: number, uri: string): void {
  const declared = response.headers.get("content-length");
  if (declared === null) return;
  const size = Number(declared);
  if (Number.isSafeInteger(size) && size > maxBytes) {
    void response.body?.cancel().catch(() => undefined);
    throw new ContentTooLargeError({ uri, maxBytes, declaredSize: size });
  }
}
