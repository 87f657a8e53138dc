import { importBytes, type ImporterOptions } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { UnsupportedUriError } from "./errors.ts";

/** Kubo's `ipfs add` defaults: 256 KiB fixed chunks, balanced DAG of at most 174 links per node. */
export const KUBO_CHUNK_SIZE = 262_144;
export const KUBO_MAX_CHILDREN_PER_NODE = 174;

/** Options sent to the Kubo RPC `add`, spelled out so a node with other defaults still yields our CIDs. */
export const kuboAddOptions = {
  cidVersion: 0,
  rawLeaves: false,
  chunker: `size-${KUBO_CHUNK_SIZE}`,
  hashAlg: "sha2-256",
  pin: true,
} as const;

const DAG_PB_CODE = 0x70;
const SHA2_256_CODE = 0x12;

// The importer only needs somewhere to put blocks; to compute a CID we drop them.
const discardBlocks = { put: async (cid: CID) => cid };

export type UnixfsImportParameters = {
  /** 0 = Kubo default (dag-pb leaves); 1 = `ipfs add --cid-version=1` (raw leaves). */
  cidVersion?: 0 | 1 | undefined;
  /** Defaults to false for CIDv0 and true for CIDv1, as Kubo does. */
  rawLeaves?: boolean | undefined;
  chunkSize?: number | undefined;
};

/** Importer options reproducing `ipfs add` with the given CID version (Kubo's defaults otherwise). */
export function unixfsImporterOptions(parameters: UnixfsImportParameters = {}): ImporterOptions {
  const cidVersion = parameters.cidVersion ?? 0;
  return {
    cidVersion,
    rawLeaves: parameters.rawLeaves ?? cidVersion === 1,
    leafType: "file",
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: parameters.chunkSize ?? KUBO_CHUNK_SIZE }),
    layout: balanced({ maxChildrenPerNode: KUBO_MAX_CHILDREN_PER_NODE }),
  };
}

export type ComputeCidParameters = UnixfsImportParameters;
export type ComputeCidReturnType = CID;
export type ComputeCidErrorType = Error;

/** The CID `ipfs add` (Kubo defaults unless told otherwise) gives these bytes, computed in memory. */
export async function computeCid(bytes: Uint8Array, parameters: ComputeCidParameters = {}): Promise<ComputeCidReturnType> {
  const { cid } = await importBytes(bytes, discardBlocks, unixfsImporterOptions(parameters));
  return cid;
}

/**
 * Recomputes the CID of `bytes` the way the node that produced `expected` must have: CIDv0 →
 * Kubo defaults; CIDv1 dag-pb → `--cid-version=1` defaults; CIDv1 raw → a single raw block.
 */
export async function computeCidLike(bytes: Uint8Array, expected: CID, uri: string): Promise<CID> {
  if (expected.multihash.code !== SHA2_256_CODE) {
    throw new UnsupportedUriError({ uri, reason: "only sha2-256 CIDs can be verified" });
  }
  if (expected.version === 0) return computeCid(bytes, { cidVersion: 0 });
  if (expected.code === raw.code) return CID.createV1(raw.code, await sha256.digest(bytes));
  if (expected.code === DAG_PB_CODE) return computeCid(bytes, { cidVersion: 1 });
  throw new UnsupportedUriError({ uri, reason: `CID codec 0x${expected.code.toString(16)} is not a UnixFS file` });
}

export type ParsedContentUri =
  | { kind: "ipfs"; uri: string; cid: CID }
  | { kind: "web"; uri: string; url: URL };

/** Accepts `ipfs://<cid>` and `https://…` (plus `http://` to a loopback host, for local development). */
export function parseContentUri(uri: string): ParsedContentUri {
  if (uri.startsWith("ipfs://")) {
    const rest = uri.slice("ipfs://".length);
    if (rest === "" || /[/?#]/.test(rest)) {
      throw new UnsupportedUriError({ uri, reason: "expected ipfs://<cid> with no path, query or fragment" });
    }
    let cid: CID;
    try {
      cid = CID.parse(rest);
    } catch (error) {
      throw new UnsupportedUriError({ uri, reason: `not a CID: ${error instanceof Error ? error.message : String(error)}` });
    }
    return { kind: "ipfs", uri, cid };
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new UnsupportedUriError({ uri, reason: "not a URI; expected ipfs://<cid> or https://…" });
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname))) {
    return { kind: "web", uri, url };
  }
  throw new UnsupportedUriError({ uri, reason: `scheme ${url.protocol} is not supported; expected ipfs:// or https://` });
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
