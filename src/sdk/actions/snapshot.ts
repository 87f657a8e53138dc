// Consistent snapshots: every read of a task (or source) at ONE block, joined with the protocol events that
// led there. The block is fetched once and passed to every eth_call and getLogs, so the parts agree.
import { getAbiItem, type Address, type Chain, type Client, type Hash, type Hex, type Transport } from "viem";
import { getBlock, getLogs } from "viem/actions";
import { nexusAbi, taskAbi, type Attempt } from "../abis.ts";
import { resolveDeployment } from "../chains.ts";
import { toNexusError } from "../errors/decode.ts";
import { readMany, type NexusReadErrorType } from "./read-many.ts";
import {
  getAllRegistrants,
  getSource,
  getTask,
  type GetSourceReturnType,
  type GetTaskReturnType,
  type NexusTargetParameters,
} from "./reads.ts";

type AnyClient = Client<Transport, Chain | undefined>;

export type SnapshotParameters = NexusTargetParameters & {
  /** Where the log scan starts; defaults to the deployment's `deployBlock`. */
  fromBlock?: bigint | undefined;
  /** Split the log scan into ranges of at most this many blocks (for RPCs that cap eth_getLogs). */
  logBlockRange?: bigint | undefined;
};

/** Where an event was emitted. */
export type EventOrigin = { blockNumber: bigint; transactionHash: Hash; logIndex: number };

export type TaskSnapshotResponse = EventOrigin & {
  provider: Address;
  resultUri: string;
  resultHash: Hex;
  askedPayment: bigint;
};
/** A provider's sealed response (ResponseCommitted): revealed by its ResponseSubmitted in a later block. */
export type TaskSnapshotCommitment = EventOrigin & { provider: Address; commitment: Hex };
export type TaskSnapshotAttempt = {
  provider: Address;
  /** The master paid for this provider, as of the attempt. */
  master: Address;
  /** The attempt's deadline (unix seconds). */
  deadline: number;
  suggestedPayment: bigint;
  attempted: EventOrigin;
  /** The on-chain attempt record at the snapshot block (state LIVE / RESPONDED / LAPSED). */
  record: Attempt;
  /** The provider's commitment, when it committed one by the snapshot block (revealed or not). */
  commitment: TaskSnapshotCommitment | undefined;
  /** The response, when the provider revealed one by the snapshot block. */
  response: TaskSnapshotResponse | undefined;
};
export type GetTaskSnapshotParameters = SnapshotParameters & { task: Address };
export type GetTaskSnapshotErrorType = NexusReadErrorType;
export type GetTaskSnapshotReturnType = GetTaskReturnType & {
  blockNumber: bigint;
  blockHash: Hash;
  /** The TaskPublished event: where the config URI lives. Undefined when the scan did not reach it. */
  publication: (EventOrigin & { configUri: string; configHash: Hex; client: Address; source: Address }) | undefined;
  /** Every attempt, in the order they were made. */
  attempts: TaskSnapshotAttempt[];
  /** Every commitment, in the order they were made (a commitment needs no attempt: some may have none). */
  commitments: TaskSnapshotCommitment[];
  /** Every response, in submission order. */
  responses: TaskSnapshotResponse[];
};

const taskPublished = getAbiItem({ abi: nexusAbi, name: "TaskPublished" });
const taskAttempted = getAbiItem({ abi: nexusAbi, name: "TaskAttempted" });
const responseCommitted = getAbiItem({ abi: nexusAbi, name: "ResponseCommitted" });
const responseSubmitted = getAbiItem({ abi: nexusAbi, name: "ResponseSubmitted" });
const sourcePublished = getAbiItem({ abi: nexusAbi, name: "SourcePublished" });

/** The block to pin: the given one (with its hash) or the latest, fetched once. */
async function pinBlock(client: AnyClient, blockNumber: bigint | undefined): Promise<{ number: bigint; hash: Hash }> {
  try {
    const block = blockNumber === undefined ? await getBlock(client, { blockTag: "latest" }) : await getBlock(client, { blockNumber });
    return { number: block.number, hash: block.hash };
  } catch (err) {
    throw toNexusError(err);
  }
}

/** Block ranges `[from, to]` of at most `size` blocks. */
export function blockRanges(from: bigint, to: bigint, size?: bigint): Array<[bigint, bigint]> {
  if (from > to) return [];
  if (!size || size <= 0n) return [[from, to]];
  const out: Array<[bigint, bigint]> = [];
  for (let start = from; start <= to; start += size) out.push([start, start + size - 1n < to ? start + size - 1n : to]);
  return out;
}

async function scan<T>(ranges: Array<[bigint, bigint]>, fetch: (from: bigint, to: bigint) => Promise<T[]>): Promise<T[]> {
  try {
    const pages = await Promise.all(ranges.map(([from, to]) => fetch(from, to)));
    return pages.flat();
  } catch (err) {
    throw toNexusError(err);
  }
}

const origin = (log: { blockNumber: bigint; transactionHash: Hash; logIndex: number }): EventOrigin => ({
  blockNumber: log.blockNumber,
  transactionHash: log.transactionHash,
  logIndex: log.logIndex,
});

/**
 * A task as of one block: terms, state, escrow, its publication, and every attempt and response discovered
 * from TaskAttempted / ResponseCommitted / ResponseSubmitted logs up to that block, joined with `attemptOf` at that
 * block.
 */
export async function getTaskSnapshot(client: AnyClient, parameters: GetTaskSnapshotParameters): Promise<GetTaskSnapshotReturnType> {
  const { task, logBlockRange } = parameters;
  const [block, deployment] = await Promise.all([pinBlock(client, parameters.blockNumber), resolveDeployment(client, parameters)]);
  const ranges = blockRanges(parameters.fromBlock ?? deployment.deployBlock, block.number, logBlockRange);
  const address = deployment.nexus;
  const [info, published, attempted, committed, responded] = await Promise.all([
    getTask(client, { ...parameters, blockNumber: block.number }),
    scan(ranges, (fromBlock, toBlock) => getLogs(client, { address, event: taskPublished, args: { task }, fromBlock, toBlock, strict: true })),
    scan(ranges, (fromBlock, toBlock) => getLogs(client, { address, event: taskAttempted, args: { task }, fromBlock, toBlock, strict: true })),
    scan(ranges, (fromBlock, toBlock) => getLogs(client, { address, event: responseCommitted, args: { task }, fromBlock, toBlock, strict: true })),
    scan(ranges, (fromBlock, toBlock) => getLogs(client, { address, event: responseSubmitted, args: { task }, fromBlock, toBlock, strict: true })),
  ]);
  const commitments: TaskSnapshotCommitment[] = committed.map((l) => ({ ...origin(l), provider: l.args.provider, commitment: l.args.commitment }));
  const responses: TaskSnapshotResponse[] = responded.map((l) => ({
    ...origin(l),
    provider: l.args.provider,
    resultUri: l.args.resultUri,
    resultHash: l.args.resultHash,
    askedPayment: l.args.askedPayment,
  }));
  const records = await readMany(
    client,
    attempted.map((l) => ({ address: task, abi: taskAbi, functionName: "attemptOf", args: [l.args.provider] }) as const),
    block.number,
  );
  const attempts: TaskSnapshotAttempt[] = attempted.map((l, i) => ({
    provider: l.args.provider,
    master: l.args.master,
    deadline: l.args.deadline,
    suggestedPayment: l.args.suggestedPayment,
    attempted: origin(l),
    record: records[i] as Attempt,
    commitment: commitments.find((c) => c.provider === l.args.provider),
    response: responses.find((r) => r.provider === l.args.provider),
  }));
  const p = published[0];
  return {
    ...info,
    blockNumber: block.number,
    blockHash: block.hash,
    publication: p && {
      ...origin(p),
      configUri: p.args.configUri,
      configHash: p.args.configHash,
      client: p.args.client,
      source: p.args.source,
    },
    attempts,
    commitments,
    responses,
  };
}

export type GetSourceSnapshotParameters = SnapshotParameters & { source: Address; pageSize?: bigint | undefined };
export type GetSourceSnapshotErrorType = NexusReadErrorType;
export type GetSourceSnapshotReturnType = GetSourceReturnType & {
  blockNumber: bigint;
  blockHash: Hash;
  /** Every registrant at that block. */
  registrants: Awaited<ReturnType<typeof getAllRegistrants>>;
  /** The SourcePublished event. Undefined when the scan did not reach it. */
  publication: (EventOrigin & { salt: Hex }) | undefined;
};
/** A source as of one block: client, parameters, status, every registrant, and its publication. */
export async function getSourceSnapshot(client: AnyClient, parameters: GetSourceSnapshotParameters): Promise<GetSourceSnapshotReturnType> {
  const { source, logBlockRange } = parameters;
  const [block, deployment] = await Promise.all([pinBlock(client, parameters.blockNumber), resolveDeployment(client, parameters)]);
  const ranges = blockRanges(parameters.fromBlock ?? deployment.deployBlock, block.number, logBlockRange);
  const [info, registrants, published] = await Promise.all([
    getSource(client, { ...parameters, blockNumber: block.number }),
    getAllRegistrants(client, { source, pageSize: parameters.pageSize, blockNumber: block.number }),
    scan(ranges, (fromBlock, toBlock) =>
      getLogs(client, { address: deployment.nexus, event: sourcePublished, args: { source }, fromBlock, toBlock, strict: true }),
    ),
  ]);
  const p = published[0];
  return {
    ...info,
    blockNumber: block.number,
    blockHash: block.hash,
    registrants,
    publication: p && { ...origin(p), salt: p.args.salt },
  };
}
