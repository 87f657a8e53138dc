import type * as z from "zod/v4/core";
import { UnsupportedUriError } from "./errors.ts";
import {
  fetchBytes,
  type FetchBytesParameters,
  type FetchBytesReturnType,
  fetchJson,
  type FetchJsonParameters,
  type FetchJsonReturnType,
} from "./fetch.ts";
import {
  uploadBytes,
  type UploadBytesParameters,
  type UploadBytesReturnType,
  uploadJson,
  type UploadJsonParameters,
  type UploadJsonReturnType,
} from "./upload.ts";

export const DEFAULT_IPFS_TIMEOUT_MS = 60_000;

export type CreateIpfsParameters = {
  /** Kubo RPC API base, e.g. `http://127.0.0.1:5001` (a pinning service's RPC endpoint works too). */
  rpcUrl: string;
  /** HTTP gateway base, e.g. `http://127.0.0.1:8080`; when set, ipfs:// content is read from it. */
  gatewayUrl?: string | undefined;
  /**
   * More gateways, tried in order after `gatewayUrl` when one cannot serve the content (down, 404, timeout,
   * bytes that fail the CID check), e.g. public ones: `["https://ipfs.io", "https://dweb.link"]`.
   */
  gatewayUrls?: readonly string[] | undefined;
  /**
   * Sent to the RPC API and to `gatewayUrl` (e.g. an Authorization header); to a `gatewayUrls` entry only when
   * it is on the same origin as one of those two, so a token never reaches a public fallback.
   */
  headers?: Record<string, string> | undefined;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number | undefined;
};

/** The configuration every IPFS action takes as its first argument. */
export type Ipfs = {
  readonly rpcUrl: string;
  /** Where the RPC commands live: `<rpcUrl>/api/v0`, or rpcUrl itself when it already has a path. */
  readonly rpcApiUrl: string;
  readonly gatewayUrl: string | undefined;
  /** Every gateway in the order they are tried: `gatewayUrl` first, then `gatewayUrls` (empty: none). */
  readonly gatewayUrls: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
};

export type IpfsActions = {
  uploadBytes: (bytes: Uint8Array, parameters?: UploadBytesParameters) => Promise<UploadBytesReturnType>;
  uploadJson: (value: unknown, parameters?: UploadJsonParameters) => Promise<UploadJsonReturnType>;
  fetchBytes: (uri: string, parameters?: FetchBytesParameters) => Promise<FetchBytesReturnType>;
  fetchJson: <schema extends z.$ZodType>(
    uri: string,
    parameters: FetchJsonParameters<schema>,
  ) => Promise<FetchJsonReturnType<schema>>;
};

export type IpfsClient = Ipfs & IpfsActions;
export type CreateIpfsReturnType = IpfsClient;

/**
 * An IPFS client bound to one node: the free functions (`uploadJson(ipfs, value)`, …) also exist
 * as methods (`ipfs.uploadJson(value)`). Creating it opens no connection.
 */
export function createIpfs(parameters: CreateIpfsParameters): CreateIpfsReturnType {
  const rpcUrl = trimSlash(parameters.rpcUrl);
  const headers = { ...parameters.headers };
  const timeoutMs = parameters.timeoutMs ?? DEFAULT_IPFS_TIMEOUT_MS;
  const gatewayUrl = parameters.gatewayUrl === undefined ? undefined : trimSlash(parameters.gatewayUrl);
  const gatewayUrls = [...(gatewayUrl === undefined ? [] : [gatewayUrl]), ...(parameters.gatewayUrls ?? []).map(trimSlash)];
  for (const url of gatewayUrls) httpUrl(url);
  const base: Ipfs = {
    rpcUrl,
    // Kubo's rule for the API path: a bare origin means its /api/v0.
    rpcApiUrl: httpUrl(rpcUrl).pathname === "/" ? `${rpcUrl}/api/v0` : rpcUrl,
    gatewayUrl,
    gatewayUrls,
    headers,
    timeoutMs,
  };
  return {
    ...base,
    uploadBytes: (bytes, p) => uploadBytes(base, bytes, p),
    uploadJson: (value, p) => uploadJson(base, value, p),
    fetchBytes: (uri, p) => fetchBytes(base, uri, p),
    fetchJson: (uri, p) => fetchJson(base, uri, p),
  };
}

/** Node and gateway addresses are http(s) URLs (multiaddrs are not accepted). */
function httpUrl(url: string): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    throw new UnsupportedUriError({ uri: url, reason: "expected an http:// or https:// URL for the IPFS node or gateway" });
  }
  return parsed;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
