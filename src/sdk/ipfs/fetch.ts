import type { Hex } from "viem";
import type * as z from "zod/v4/core";
import { decodeDocument, sha256Hex } from "../documents.ts";
import { computeCidLike, parseContentUri, type ParsedContentUri } from "./cid.ts";
import type { Ipfs } from "./client.ts";
import {
  CidMismatchError,
  type CidMismatchErrorType,
  ContentHashMismatchError,
  type ContentHashMismatchErrorType,
  ContentTooLargeError,
  type ContentTooLargeErrorType,
  type InvalidDocumentErrorType,
  IpfsRequestError,
  type IpfsRequestErrorType,
  UnsupportedUriError,
  type UnsupportedUriErrorType,
} from "./errors.ts";
import { checkDeclaredLength, isRetryableStatus, iterateBody, readLimited, requestSignal, toRequestError } from "./http.ts";
import { kuboCat } from "./kubo-rpc.ts";

/** Compose files and other blobs: generous, but bounded so a hostile URI cannot exhaust memory. */
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
/** Metadata, task configs and results are small JSON documents. */
export const DEFAULT_MAX_JSON_BYTES = 4 * 1024 * 1024;

export type FetchBytesParameters = {
  /** sha256 commitment (usually from the chain). Required for https:// URIs, which nothing else verifies. */
  sha256?: Hex | undefined;
  /** Refuse content larger than this (default 16 MiB). */
  maxBytes?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Where ipfs:// content is read from; default: the gateways when configured, else the RPC API. */
  via?: "gateway" | "rpc" | undefined;
  /** Per request: each gateway tried gets its own (default: the client's). */
  timeoutMs?: number | undefined;
};
export type FetchBytesReturnType = {
  bytes: Uint8Array;
  sha256: Hex;
  /** The verified CID, for ipfs:// URIs. */
  cid: string | undefined;
};
export type FetchBytesErrorType =
  | IpfsRequestErrorType
  | ContentTooLargeErrorType
  | CidMismatchErrorType
  | ContentHashMismatchErrorType
  | UnsupportedUriErrorType;

/**
 * Fetches `ipfs://<cid>` (RPC `cat` or gateways) or `https://…` content with a byte limit, then verifies it:
 * the CID is recomputed from the bytes, and the sha256 compared with the commitment. With several gateways
 * (`gatewayUrl` + `gatewayUrls`), one that is down, times out, lacks the content or serves bytes that fail the
 * CID check is passed over for the next; when all fail, the one failure is thrown, or an IpfsRequestError
 * listing them all (`status` set when they all answered the same).
 */
export async function fetchBytes(
  ipfs: Ipfs,
  uri: string,
  parameters: FetchBytesParameters = {},
): Promise<FetchBytesReturnType> {
  const parsed = parseContentUri(uri);
  if (parsed.kind === "web" && parameters.sha256 === undefined) {
    throw new UnsupportedUriError({ uri, reason: "web URIs are not content-addressed; pass their sha256 commitment" });
  }
  const maxBytes = parameters.maxBytes ?? DEFAULT_MAX_BYTES;
  let bytes: Uint8Array;
  let cid: string | undefined;
  if (parsed.kind === "ipfs") {
    ({ bytes, cid } = await fetchVerified(ipfs, parsed, maxBytes, parameters));
  } else {
    // The client's headers may hold credentials for its own node: never send them to third parties.
    bytes = await download(parameters, ipfs.timeoutMs, (signal) => httpGet(parsed.url.toString(), {}, signal, maxBytes, parsed.uri, parameters.signal));
  }
  const digest = sha256Hex(bytes);
  if (parameters.sha256 !== undefined && digest !== parameters.sha256.toLowerCase()) {
    throw new ContentHashMismatchError({ uri, expected: parameters.sha256, actual: digest });
  }
  return { bytes, sha256: digest, cid };
}

type IpfsUri = Extract<ParsedContentUri, { kind: "ipfs" }>;

/** Downloads from each source in turn (the RPC, or the gateways) until one gives bytes that match the CID. */
async function fetchVerified(
  ipfs: Ipfs,
  parsed: IpfsUri,
  maxBytes: number,
  parameters: FetchBytesParameters,
): Promise<{ bytes: Uint8Array; cid: string }> {
  const via = parameters.via ?? (ipfs.gatewayUrls.length === 0 ? "rpc" : "gateway");
  if (via === "gateway" && ipfs.gatewayUrls.length === 0) {
    throw new UnsupportedUriError({ uri: parsed.uri, reason: "no gatewayUrl configured" });
  }
  const expected = parsed.cid.toString();
  const sources = via === "rpc" ? [undefined] : ipfs.gatewayUrls;
  const failures: Error[] = [];
  for (const gateway of sources) {
    try {
      const bytes = await download(parameters, ipfs.timeoutMs, (signal) =>
        gateway === undefined ? rpcCat(ipfs, parsed, maxBytes, signal, parameters.signal) : gatewayGet(ipfs, gateway, parsed, maxBytes, signal, parameters.signal),
      );
      const actual = (await computeCidLike(bytes, parsed.cid, parsed.uri)).toString();
      if (actual !== expected) throw new CidMismatchError({ uri: parsed.uri, expected, actual });
      return { bytes, cid: expected };
    } catch (error) {
      // Another gateway may have the content, or honest bytes; any other failure (or the caller's abort) is final.
      const passOver = error instanceof IpfsRequestError || error instanceof CidMismatchError || error instanceof ContentTooLargeError;
      if (parameters.signal?.aborted === true || !passOver) throw error;
      failures.push(error);
    }
  }
  throw everySourceFailed(failures);
}

/**
 * The error once every source failed: the failure itself when there was one; the first content failure when
 * all were (bytes that fail the CID check, too large); else an IpfsRequestError that lists every failure and
 * is retryable when any request was, so "not there yet on any gateway" stays recognisable.
 */
function everySourceFailed(failures: readonly Error[]): Error {
  const [first] = failures;
  if (first === undefined || failures.length === 1) return first ?? new Error("no IPFS source to read from");
  const requests = failures.filter((f): f is IpfsRequestError => f instanceof IpfsRequestError);
  if (requests.length === 0) return first;
  const statuses = new Set(requests.map((r) => r.status));
  const [status] = statuses;
  return new IpfsRequestError({
    url: requests.map((r) => r.url).join(", "),
    status: statuses.size === 1 && requests.length === failures.length ? status : undefined,
    retryable: requests.some((r) => r.retryable),
    reason: `all ${failures.length} gateways failed: ${failures
      .map((f) => (f instanceof IpfsRequestError ? `${f.url}: ${f.reason}` : `${(f as { uri?: unknown }).uri ?? ""} ${(f as { shortMessage?: string }).shortMessage ?? f.message}`))
      .join("; ")}`,
    cause: requests[requests.length - 1],
  });
}

export type FetchJsonParameters<schema extends z.$ZodType> = Omit<FetchBytesParameters, "sha256"> & {
  /** The commitment to check, or null to rely on the CID alone (ipfs:// only). */
  sha256: Hex | null;
  schema: schema;
};
export type FetchJsonReturnType<schema extends z.$ZodType> = z.output<schema>;
export type FetchJsonErrorType = FetchBytesErrorType | InvalidDocumentErrorType;

/** fetchBytes (default limit 4 MiB) + UTF-8 JSON parse + schema validation. */
export async function fetchJson<schema extends z.$ZodType>(
  ipfs: Ipfs,
  uri: string,
  parameters: FetchJsonParameters<schema>,
): Promise<FetchJsonReturnType<schema>> {
  const { schema, sha256, ...rest } = parameters;
  const { bytes } = await fetchBytes(ipfs, uri, {
    ...rest,
    sha256: sha256 ?? undefined,
    maxBytes: parameters.maxBytes ?? DEFAULT_MAX_JSON_BYTES,
  });
  return decodeDocument(bytes, schema, uri);
}

/** Runs one request under its own timeout; the signal is aborted once done, so a refused download stops streaming. */
async function download(
  parameters: FetchBytesParameters,
  defaultTimeoutMs: number,
  request: (signal: AbortSignal) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const done = new AbortController();
  const signal = AbortSignal.any([requestSignal(parameters.signal, parameters.timeoutMs ?? defaultTimeoutMs), done.signal]);
  try {
    return await request(signal);
  } finally {
    done.abort();
  }
}

async function gatewayGet(
  ipfs: Ipfs,
  gateway: string,
  parsed: IpfsUri,
  maxBytes: number,
  signal: AbortSignal,
  callerSignal: AbortSignal | undefined,
): Promise<Uint8Array> {
  return httpGet(`${gateway}/ipfs/${parsed.cid.toString()}`, headersFor(ipfs, gateway), signal, maxBytes, parsed.uri, callerSignal);
}

/** The client's headers go to its RPC API and `gatewayUrl`, and to fallbacks only on one of their origins. */
function headersFor(ipfs: Ipfs, gateway: string): Readonly<Record<string, string>> {
  if (gateway === ipfs.gatewayUrl) return ipfs.headers;
  const own = [ipfs.rpcUrl, ipfs.gatewayUrl].filter((u): u is string => u !== undefined).map((u) => new URL(u).origin);
  return own.includes(new URL(gateway).origin) ? ipfs.headers : {};
}

async function rpcCat(
  ipfs: Ipfs,
  parsed: IpfsUri,
  maxBytes: number,
  signal: AbortSignal,
  callerSignal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const url = `${ipfs.rpcApiUrl}/cat?arg=${parsed.cid.toString()}`;
  try {
    // length = limit + 1 lets the node stop early yet still shows us that the content is too large.
    return await readLimited(kuboCat(ipfs, parsed.cid.toString(), { length: maxBytes + 1, signal }), maxBytes, parsed.uri);
  } catch (error) {
    throw toRequestError(error, url, callerSignal);
  }
}

async function httpGet(
  url: string,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
  maxBytes: number,
  uri: string,
  callerSignal: AbortSignal | undefined,
): Promise<Uint8Array> {
  try {
    const response = await fetch(url, { headers, signal, redirect: "follow" });
    if (!response.ok) {
      void response.body?.cancel().catch(() => undefined);
      throw new IpfsRequestError({
        url,
        status: response.status,
        retryable: isRetryableStatus(response.status),
        reason: `HTTP ${response.status} ${response.statusText}`.trim(),
      });
    }
    checkDeclaredLength(response, maxBytes, uri);
    if (response.body === null) return new Uint8Array(0);
    return await readLimited(iterateBody(response.body), maxBytes, uri);
  } catch (error) {
    throw toRequestError(error, url, callerSignal);
  }
}
