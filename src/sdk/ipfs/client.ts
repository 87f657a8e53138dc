import { create, type KuboRPCClient } from "kubo-rpc-client";
import type { z } from "zod";
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
  /** Sent to the RPC API and the gateway (e.g. an Authorization header), never to other hosts. */
  headers?: Record<string, string> | undefined;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number | undefined;
};

/** The configuration every IPFS action takes as its first argument. */
export type Ipfs = {
  readonly rpcUrl: string;
  readonly gatewayUrl: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** The underlying kubo-rpc-client, for operations this module does not wrap. */
  readonly rpc: KuboRPCClient;
};

export type IpfsActions = {
  uploadBytes: (bytes: Uint8Array, parameters?: UploadBytesParameters) => Promise<UploadBytesReturnType>;
  uploadJson: (value: unknown, parameters?: UploadJsonParameters) => Promise<UploadJsonReturnType>;
  fetchBytes: (uri: string, parameters?: FetchBytesParameters) => Promise<FetchBytesReturnType>;
  fetchJson: <schema extends z.ZodType>(
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
  const base: Ipfs = {
    rpcUrl,
    gatewayUrl: parameters.gatewayUrl === undefined ? undefined : trimSlash(parameters.gatewayUrl),
    headers,
    timeoutMs,
    rpc: create({ url: rpcUrl, headers, timeout: timeoutMs }),
  };
  return {
    ...base,
    uploadBytes: (bytes, p) => uploadBytes(base, bytes, p),
    uploadJson: (value, p) => uploadJson(base, value, p),
    fetchBytes: (uri, p) => fetchBytes(base, uri, p),
    fetchJson: (uri, p) => fetchJson(base, uri, p),
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
