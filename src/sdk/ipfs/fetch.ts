import type { Hex } from "viem";
import type { z } from "zod";
import { decodeDocument, sha256Hex } from "../documents.ts";
import { computeCidLike, parseContentUri, type ParsedContentUri } from "./cid.ts";
import type { Ipfs } from "./client.ts";
import {
  CidMismatchError,
  type CidMismatchErrorType,
  ContentHashMismatchError,
  type ContentHashMismatchErrorType,
  type ContentTooLargeErrorType,
  type InvalidDocumentErrorType,
  IpfsRequestError,
  type IpfsRequestErrorType,
  UnsupportedUriError,
  type UnsupportedUriErrorType,
} from "./errors.ts";
import { checkDeclaredLength, isRetryableStatus, iterateBody, readLimited, requestSignal, toRequestError } from "./http.ts";

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
  /** Where ipfs:// content is read from; default: the gateway when configured, else the RPC API. */
  via?: "gateway" | "rpc" | undefined;
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
 * Fetches `ipfs://<cid>` (RPC `cat` or gateway) or `https://…` content with a byte limit, then
 * verifies it: the CID is recomputed from the bytes, and the sha256 compared with the commitment.
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
  const bytes = await download(ipfs, parsed, maxBytes, parameters);

  let cid: string | undefined;
  if (parsed.kind === "ipfs") {
    const expected = parsed.cid.toString();
    const actual = (await computeCidLike(bytes, parsed.cid, uri)).toString();
    if (actual !== expected) throw new CidMismatchError({ uri, expected, actual });
    cid = expected;
  }
  const digest = sha256Hex(bytes);
  if (parameters.sha256 !== undefined && digest !== parameters.sha256.toLowerCase()) {
    throw new ContentHashMismatchError({ uri, expected: parameters.sha256, actual: digest });
  }
  return { bytes, sha256: digest, cid };
}

export type FetchJsonParameters<schema extends z.ZodType> = Omit<FetchBytesParameters, "sha256"> & {
  /** The commitment to check, or null to rely on the CID alone (ipfs:// only). */
  sha256: Hex | null;
  schema: schema;
};
export type FetchJsonReturnType<schema extends z.ZodType> = z.output<schema>;
export type FetchJsonErrorType = FetchBytesErrorType | InvalidDocumentErrorType;

/** fetchBytes (default limit 4 MiB) + UTF-8 JSON parse + schema validation. */
export async function fetchJson<schema extends z.ZodType>(
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

async function download(
  ipfs: Ipfs,
  parsed: ParsedContentUri,
  maxBytes: number,
  parameters: FetchBytesParameters,
): Promise<Uint8Array> {
  // Aborted once we are done, so a refused (too large) download does not keep streaming.
  const done = new AbortController();
  const signal = AbortSignal.any([requestSignal(parameters.signal, parameters.timeoutMs ?? ipfs.timeoutMs), done.signal]);
  try {
    return await downloadWith(ipfs, parsed, maxBytes, parameters, signal);
  } finally {
    done.abort();
  }
}

async function downloadWith(
  ipfs: Ipfs,
  parsed: ParsedContentUri,
  maxBytes: number,
  parameters: FetchBytesParameters,
  signal: AbortSignal,
): Promise<Uint8Array> {
  if (parsed.kind === "web") {
    // The client's headers may hold credentials for its own node: never send them to third parties.
    return httpGet(parsed.url.toString(), {}, signal, maxBytes, parsed.uri, parameters.signal);
  }
  const via = parameters.via ?? (ipfs.gatewayUrl === undefined ? "rpc" : "gateway");
  if (via === "gateway") {
    if (ipfs.gatewayUrl === undefined) {
      throw new UnsupportedUriError({ uri: parsed.uri, reason: "no gatewayUrl configured" });
    }
    const url = `${ipfs.gatewayUrl}/ipfs/${parsed.cid.toString()}`;
    return httpGet(url, ipfs.headers, signal, maxBytes, parsed.uri, parameters.signal);
  }
  const url = `${ipfs.rpcApiUrl}/cat?arg=${parsed.cid.toString()}`;
  try {
    // length = limit + 1 lets the node stop early yet still shows us that the content is too large.
    return await readLimited(ipfs.rpc.cat(parsed.cid, { length: maxBytes + 1, signal }), maxBytes, parsed.uri);
  } catch (error) {
    throw toRequestError(error, url, parameters.signal);
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
