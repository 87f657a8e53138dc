// A provider's response in two transactions (docs/PROTOCOL.md "Commitments"): a commitment that seals it, then the
// reveal in a later block. A copy of a pending reveal opens no commitment of the copier's, so the response stays the
// provider's. `submitResponse` runs both steps for a caller that can keep the secret in memory until the reveal.
import { bytesToHex, encodeAbiParameters, keccak256, type Account, type Address, type Chain, type Client, type Hash, type Hex, type Transport } from "viem";
import { parseAccount } from "viem/accounts";
import { getBlock } from "viem/actions";
import { nexusAbi, type Commitment } from "../abis.ts";
import { resolveDeployment } from "../chains.ts";
import { checkedAddress, MissingAccountError } from "../errors/usage.ts";
import { explainNexusFailure } from "./nexus-check.ts";
import {
  randomBytes,
  withWait,
  writeNexus,
  writeOptions,
  type NexusWriteErrorType,
  type NexusWriteParameters,
  type NexusWriteReturnType,
} from "./internal.ts";
import { readMany, type NexusReadErrorType, type NexusReadParameters } from "./read-many.ts";

type AnyClient<chain extends Chain | undefined, account extends Account | undefined> = Client<Transport, chain, account>;

/** What a provider's commitment seals; `provider` is the account that commits and reveals. */
export type ResponseCommitmentParameters = {
  task: Address;
  provider: Address;
  /** sha256 of the result bytes. */
  resultHash: Hex;
  /** MANUAL_CONFIRMATION: the price asked; FIRST_RESPONSE: any value, 0n by convention. */
  askedPayment: bigint;
  /** 32 random bytes kept until the reveal (`createResponseSecret`). */
  secret: Hex;
};
/** The commitment `commitResponse` sends: `keccak256(abi.encode(task, provider, resultHash, askedPayment, secret))`. */
export function responseCommitment(parameters: ResponseCommitmentParameters): Hex {
  const { task, provider, resultHash, askedPayment, secret } = parameters;
  return keccak256(encodeAbiParameters(COMMITMENT_TYPES, [task, provider, resultHash, askedPayment, secret]));
}
const COMMITMENT_TYPES = [{ type: "address" }, { type: "address" }, { type: "bytes32" }, { type: "uint256" }, { type: "bytes32" }] as const;

/** 32 random bytes (crypto.getRandomValues) to seal a response with. Store it before committing: the reveal needs it. */
export function createResponseSecret(): Hex {
  return bytesToHex(randomBytes(32));
}

export type CommitResponseParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  task: Address;
  /** sha256 of the result bytes. */
  resultHash: Hex;
  /** MANUAL_CONFIRMATION: the price asked, at most the payment. Ignored by FIRST_RESPONSE. Defaults to 0n. */
  askedPayment?: bigint | undefined;
  /** The secret the reveal will carry; keep it (durably, if the reveal may come from another process). */
  secret: Hex;
};
export type CommitResponseReturnType = NexusWriteReturnType<{ commitment: Hex }>;
export type CommitResponseErrorType = NexusWriteErrorType;
/**
 * Seals the sender's (a provider key's) response: step one of two. Reveal it with `revealResponse` in a later
 * block, while the attempt is live; a commitment never revealed lapses like no response.
 */
export async function commitResponse<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: CommitResponseParameters<account>,
): Promise<CommitResponseReturnType> {
  return sendCommitment(client, parameters, "commitResponse");
}

export type CommitVoteParameters<account extends Account | undefined = Account | undefined> = CommitResponseParameters<account>;
export type CommitVoteReturnType = CommitResponseReturnType;
export type CommitVoteErrorType = NexusWriteErrorType;
/**
 * AGREEMENT tasks: seals the sender's result like `commitResponse` and makes its live attempt a juror. Jurors join
 * until the first reveal; results are revealed (`revealResponse`) once the task's quorum of jurors has committed.
 */
export async function commitVote<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: CommitVoteParameters<account>,
): Promise<CommitVoteReturnType> {
  return sendCommitment(client, parameters, "commitVote");
}

async function sendCommitment<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: CommitResponseParameters<account>,
  functionName: "commitResponse" | "commitVote",
): Promise<CommitResponseReturnType> {
  const { task, resultHash, askedPayment = 0n, secret } = parameters;
  const account = parameters.account ?? client.account;
  if (!account) throw new MissingAccountError({ functionName });
  const commitment = responseCommitment({ task, provider: parseAccount(account).address, resultHash, askedPayment, secret });
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName, args: [task, commitment] });
  return withWait(client, sent, { commitment });
}

export type RevealResponseParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  task: Address;
  /** `ipfs://<cid>` of the result payload (travels in the ResponseSubmitted event). */
  resultUri: string;
  /** sha256 of the result bytes, as committed. */
  resultHash: Hex;
  /** As committed. Defaults to 0n. */
  askedPayment?: bigint | undefined;
  /** The secret of the commitment. */
  secret: Hex;
};
export type RevealResponseReturnType = NexusWriteReturnType;
export type RevealResponseErrorType = NexusWriteErrorType;
/** Reveals the sender's committed response (step two), in a later block than the commitment and before the deadline. */
export async function revealResponse<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: RevealResponseParameters<account>,
): Promise<RevealResponseReturnType> {
  const { task, resultUri, resultHash, askedPayment = 0n, secret } = parameters;
  const sent = await writeNexus(client, {
    ...writeOptions(parameters),
    functionName: "revealResponse",
    args: [task, resultUri, resultHash, askedPayment, secret],
    // On the latest block the reveal would share its commitment's time when that block is the commitment's own.
    simulateOn: "pending",
  });
  return withWait(client, sent, {});
}

export type SubmitResponseParameters<account extends Account | undefined = Account | undefined> = Omit<CommitResponseParameters<account>, "secret"> & {
  resultUri: string;
  /** The commitment's secret; 32 random bytes when omitted. */
  secret?: Hex | undefined;
  /** Called once the commitment is mined, before the reveal is sent. */
  onCommitted?: ((committed: { hash: Hash; commitment: Hex; secret: Hex }) => void) | undefined;
};
export type SubmitResponseReturnType = RevealResponseReturnType & { commitHash: Hash; commitment: Hex; secret: Hex };
export type SubmitResponseErrorType = NexusWriteErrorType;
/**
 * Commits the sender's response, waits for the commitment to be mined, and reveals it in a later block: both steps.
 * The secret lives in memory in between; a process that may stop between the two should call `commitResponse` and
 * `revealResponse` itself, with the secret stored first (the provider node does).
 */
export async function submitResponse<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: SubmitResponseParameters<account>,
): Promise<SubmitResponseReturnType> {
  const { onCommitted, resultUri, secret = createResponseSecret(), ...rest } = parameters;
  const committed = await commitResponse(client, { ...rest, secret } as CommitResponseParameters<account>);
  const { receipt } = await committed.wait();
  onCommitted?.({ hash: committed.hash, commitment: committed.commitment, secret });
  // The reveal must land at a later time than its commitment: wait until the chain's next block is later (at once on
  // a chain that mines a block per transaction; a chain whose blocks may share a second takes up to one).
  await waitForLaterBlock(client, receipt.blockNumber);
  const revealed = await revealResponse(client, { ...rest, resultUri, secret } as RevealResponseParameters<account>);
  return { ...revealed, commitHash: committed.hash, commitment: committed.commitment, secret };
}

async function waitForLaterBlock(client: Client<Transport, Chain | undefined>, committedIn: bigint): Promise<void> {
  const committed = await getBlock(client, { blockNumber: committedIn });
  for (let waitedMs = 0; ; ) {
    const pending = await getBlock(client, { blockTag: "pending" }).catch(() => undefined);
    if (pending !== undefined && pending.timestamp > committed.timestamp) return;
    const latest = await getBlock(client, { blockTag: "latest" });
    if (latest.timestamp > committed.timestamp) return;
    if (waitedMs >= 120_000) return; // the reveal's own simulation then says why
    await new Promise((resolve) => setTimeout(resolve, 500));
    waitedMs += 500;
  }
}

export type GetCommitmentParameters = NexusReadParameters & { nexus?: Address | undefined; task: Address; provider: Address };
export type GetCommitmentErrorType = NexusReadErrorType;
export type GetCommitmentReturnType = Commitment;
/** A provider's commitment to a task while it waits for its reveal (`committedAt` 0 when there is none). */
export async function getCommitment(client: Client<Transport, Chain | undefined>, parameters: GetCommitmentParameters): Promise<GetCommitmentReturnType> {
  const { task, provider, blockNumber } = parameters;
  checkedAddress(task, "task");
  checkedAddress(provider, "provider");
  const { nexus } = await resolveDeployment(client, parameters);
  try {
    const [commitment] = await readMany(client, [{ address: nexus, abi: nexusAbi, functionName: "commitmentOf", args: [task, provider] }], blockNumber);
    return commitment;
  } catch (err) {
    throw await explainNexusFailure(client, nexus, err);
  }
}
