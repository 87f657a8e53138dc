// Source discovery: sources from their events, current parameters from the chain, metadata from IPFS
// (verified and validated), with a short-lived cache so that a UI can call it freely.
import type { Address, Chain, Client, Hex, Transport } from "viem";
import type { NexusError } from "../errors/base.ts";
import { getBlockNumber } from "viem/actions";
import { SourceStatus, type DeliveryMethod, type SourceParams, type VerificationMethod } from "../abis.ts";
import { assertNexus } from "../actions/nexus-check.ts";
import { getSource } from "../actions/reads.ts";
import { resolveNexusAddress } from "../chains.ts";
import { sourceMetadataSchema, type SourceMetadata } from "../documents.ts";
import { defaultFromBlock, getNexusEvents } from "../events/logs.ts";
import type { Ipfs } from "../ipfs/client.ts";
import { IpfsRequestError } from "../ipfs/errors.ts";
import { fetchJson } from "../ipfs/fetch.ts";
import { guarded } from "./guard.ts";
import { MAX_METADATA_BYTES } from "./publish.ts";

type AnyClient = Client<Transport, Chain | undefined>;

export type SourceFilter = {
  /** Only sources offering this environment bit (CPU = 1, NVIDIA = 2, AMD = 4). */
  environment?: number | undefined;
  deliveryMethod?: DeliveryMethod | undefined;
  /** Only sources with this verification policy (`params.verification`; AGREEMENT's quorum is `params.quorum`). */
  verification?: VerificationMethod | undefined;
  /** Only sources whose minimum payment is at most this (wei). */
  maxMinPayment?: bigint | undefined;
  /** true: only ACTIVE sources; false: only INACTIVE ones; omitted: both. */
  active?: boolean | undefined;
  /** Only sources of this client. */
  client?: Address | undefined;
};
export type ListedSource = {
  address: Address;
  client: Address;
  params: SourceParams;
  status: SourceStatus;
  registrantCount: bigint;
  metadata: SourceMetadata;
};
/** A source left out because its metadata could not be fetched, verified or validated. */
export type InvalidSource = { address: Address; metadataUri: string; metadataHash: Hex; error: Error };
export type ListSourcesParameters = {
  ipfs: Ipfs;
  filter?: SourceFilter | undefined;
  nexus?: Address | undefined;
  /** How long chain reads are reused, in ms (default 15 s; 0 reads afresh). Verified metadata is kept for good. */
  cacheTtlMs?: number | undefined;
  /** First block to look for sources in (default: the registered deployment block). */
  fromBlock?: bigint | undefined;
  /** Reads and fetches in flight at once (default 8). */
  concurrency?: number | undefined;
  signal?: AbortSignal | undefined;
};
export type ListSourcesReturnType = { sources: ListedSource[]; invalid: InvalidSource[] };
export type ListSourcesErrorType = NexusError;

type OnChain = Omit<ListedSource, "metadata">;
type ChainCache = { scannedTo: bigint; addresses: Set<Address>; reads: OnChain[]; readAt: number };
const chainCaches = new WeakMap<object, Map<string, ChainCache>>();
/** Content-addressed and hash-checked: a verdict on (uri, sha256) never changes, except for network failures. */
const metadataCache = new Map<string, SourceMetadata | Error>();

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

async function onChainSources(client: AnyClient, nexus: Address, parameters: ListSourcesParameters): Promise<OnChain[]> {
  let perClient = chainCaches.get(client);
  if (perClient === undefined) chainCaches.set(client, (perClient = new Map()));
  const key = `${nexus.toLowerCase()}:${parameters.fromBlock ?? ""}`;
  const ttl = parameters.cacheTtlMs ?? 15_000;
  const cached = perClient.get(key);
  if (cached !== undefined && Date.now() - cached.readAt < ttl) return cached.reads;
  // New sources since the last scan only: SourcePublished events are never removed (reorgs aside).
  const head = await getBlockNumber(client, { cacheTime: 0 });
  const from = cached === undefined ? (parameters.fromBlock ?? (await defaultFromBlock(client, nexus))) : cached.scannedTo + 1n;
  const addresses = new Set(cached?.addresses);
  if (from <= head) {
    const events = await getNexusEvents(client, { nexus, events: "SourcePublished", fromBlock: from, toBlock: head });
    for (const e of events) if (e.eventName === "SourcePublished") addresses.add(e.args.source);
  }
  const reads = await mapLimit([...addresses], parameters.concurrency ?? 8, async (source) => {
    const { address, client: owner, params, status, registrantCount } = await getSource(client, { source, nexus, blockNumber: head });
    return { address, client: owner, params, status, registrantCount };
  });
  perClient.set(key, { scannedTo: head, addresses, reads, readAt: Date.now() });
  return reads;
}

function matches(s: OnChain, f: SourceFilter): boolean {
  if (f.environment !== undefined && (s.params.environments & f.environment) === 0) return false;
  if (f.deliveryMethod !== undefined && s.params.deliveryMethod !== f.deliveryMethod) return false;
  if (f.verification !== undefined && s.params.verification !== f.verification) return false;
  if (f.maxMinPayment !== undefined && s.params.minPayment > f.maxMinPayment) return false;
  if (f.active !== undefined && (s.status === SourceStatus.ACTIVE) !== f.active) return false;
  if (f.client !== undefined && s.client.toLowerCase() !== f.client.toLowerCase()) return false;
  return true;
}

/**
 * Discovers the sources of a Nexus (SourcePublished events), reads their current parameters and status,
 * keeps those matching `filter`, and fetches their metadata verified against `metadataHash` and validated
 * against the metadata schema. Sources whose metadata fails are left out and reported in `invalid`.
 * @throws NexusNotFoundError when no Nexus answers at the address (it would list no sources)
 * @example const { sources } = await listSources(client, { ipfs, filter: { environment: Environment.NVIDIA, active: true } });
 */
export async function listSources(client: AnyClient, parameters: ListSourcesParameters): Promise<ListSourcesReturnType> {
  return guarded(parameters.signal, () => list(client, parameters));
}

async function list(client: AnyClient, parameters: ListSourcesParameters): Promise<ListSourcesReturnType> {
  const nexus = await resolveNexusAddress(client, parameters.nexus);
  // Checked even when the scan is cached or has nothing new to read: an empty list must mean "no sources".
  await assertNexus(client, nexus);
  const selected = (await onChainSources(client, nexus, parameters)).filter((s) => matches(s, parameters.filter ?? {}));
  const verdicts = await mapLimit(selected, parameters.concurrency ?? 8, async (s) => {
    const key = `${s.params.metadataUri}|${s.params.metadataHash.toLowerCase()}`;
    let verdict = metadataCache.get(key);
    if (verdict === undefined) {
      try {
        verdict = await fetchJson(parameters.ipfs, s.params.metadataUri, {
          sha256: s.params.metadataHash,
          schema: sourceMetadataSchema,
          maxBytes: MAX_METADATA_BYTES,
          signal: parameters.signal,
        });
      } catch (error) {
        if (parameters.signal?.aborted) throw error;
        verdict = error instanceof Error ? error : new Error(String(error));
      }
      // A node being unreachable says nothing about the document: ask again next time.
      if (!(verdict instanceof IpfsRequestError)) metadataCache.set(key, verdict);
    }
    return verdict;
  });
  const sources: ListedSource[] = [];
  const invalid: InvalidSource[] = [];
  selected.forEach((s, i) => {
    const verdict = verdicts[i] as SourceMetadata | Error;
    if (verdict instanceof Error) invalid.push({ address: s.address, metadataUri: s.params.metadataUri, metadataHash: s.params.metadataHash, error: verdict });
    else sources.push({ ...s, metadata: verdict });
  });
  return { sources, invalid };
}

/** Forgets what listSources cached for a client (all of it when no client is given). */
export function clearSourcesCache(client?: AnyClient | undefined): void {
  if (client === undefined) metadataCache.clear();
  else chainCaches.delete(client);
}
