import type { Hex } from "viem";
import { encodeDocument, sha256Hex } from "../documents.ts";
import { computeCid } from "./cid.ts";
import type { Ipfs } from "./client.ts";
import {
  CidMismatchError,
  type CidMismatchErrorType,
  type InvalidDocumentErrorType,
  type IpfsRequestErrorType,
} from "./errors.ts";
import { requestSignal, toRequestError } from "./http.ts";
import { kuboAdd } from "./kubo-rpc.ts";

export type UploadBytesParameters = {
  /** Pin on the node (default true): unpinned content may be garbage-collected before anyone reads it. */
  pin?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** Overrides the client's timeout for this upload (large files). */
  timeoutMs?: number | undefined;
};
export type UploadBytesReturnType = {
  /** CIDv0 (`Qm…`), as `ipfs add` with Kubo's defaults gives. */
  cid: string;
  uri: `ipfs://${string}`;
  /** sha256 of the exact uploaded bytes: the commitment to put on-chain. */
  sha256: Hex;
  size: number;
};
export type UploadBytesErrorType = IpfsRequestErrorType | CidMismatchErrorType;

/**
 * Adds and pins `bytes` through the Kubo RPC API with Kubo's default import settings, and checks
 * the node's CID against one computed locally (a node with other settings would hand out a URI
 * that fetchBytes could not verify).
 */
export async function uploadBytes(
  ipfs: Ipfs,
  bytes: Uint8Array,
  parameters: UploadBytesParameters = {},
): Promise<UploadBytesReturnType> {
  const url = `${ipfs.rpcApiUrl}/add`;
  const expected = await computeCid(bytes);
  let cid: string;
  try {
    cid = await kuboAdd(ipfs, bytes, {
      pin: parameters.pin ?? true,
      signal: requestSignal(parameters.signal, parameters.timeoutMs ?? ipfs.timeoutMs),
    });
  } catch (error) {
    throw toRequestError(error, url, parameters.signal);
  }
  if (cid !== expected.toString()) {
    throw new CidMismatchError({
      uri: `ipfs://${cid}`,
      expected: expected.toString(),
      actual: cid,
      details: "the node did not import with Kubo's default settings (CIDv0, 256 KiB chunks, dag-pb leaves)",
    });
  }
  return { cid, uri: `ipfs://${cid}`, sha256: sha256Hex(bytes), size: bytes.byteLength };
}

export type UploadJsonParameters = UploadBytesParameters;
export type UploadJsonReturnType = UploadBytesReturnType;
export type UploadJsonErrorType = UploadBytesErrorType | InvalidDocumentErrorType;

/** Uploads `value` as deterministic JSON (sorted keys, no whitespace); the hash is of those exact bytes. */
export async function uploadJson(
  ipfs: Ipfs,
  value: unknown,
  parameters: UploadJsonParameters = {},
): Promise<UploadJsonReturnType> {
  return uploadBytes(ipfs, encodeDocument(value), parameters);
}
