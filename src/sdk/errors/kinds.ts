// Errors that are not a decoded protocol revert: transport/RPC failures, reverts whose data is not in the
// protocol ABI, and transactions that were mined but reverted.
import { formatEther, type Address, type Hash, type Hex, type TransactionReceipt } from "viem";
import { NexusError } from "./base.ts";
import type { NexusRevertError } from "./revert.ts";
import { chainLabel } from "./usage.ts";

/** What NexusRpcError (and its subclasses) are made from. */
export type NexusRpcErrorParameters = {
  reason: string;
  retryable: boolean;
  code?: number | undefined;
  status?: number | undefined;
  details?: string | undefined;
  cause?: Error | undefined;
};

export type NexusRpcErrorType = NexusRpcError & { name: "NexusRpcError" };
/**
 * The node could not be reached or refused the request for a reason other than a revert: network failure,
 * timeout, HTTP status, JSON-RPC error (rate limit, nonce too low, insufficient funds for gas, user rejected…).
 * `cause` is viem's original error.
 */
export class NexusRpcError extends NexusError {
  /** JSON-RPC error code when the node answered with one. */
  readonly code: number | undefined;
  /** HTTP status when the transport is HTTP and the server answered. */
  readonly status: number | undefined;
  /** viem's name for the failure, e.g. "HttpRequestError", "TimeoutError", "NonceTooLowError". */
  readonly reason: string;
  /** True when the same request may succeed if sent again (network, timeout, 408/429/5xx, rate limit, stale nonce). */
  readonly retryable: boolean;
  constructor(
    // A subclass passes its own sentence first (then its name and meta messages in `subclass`), so that it says
    // more than "the request failed" while staying a NexusRpcError.
    first: NexusRpcErrorParameters | string,
    subclass?: NexusRpcErrorParameters & { name: string; metaMessages: string[] },
  ) {
    const args = typeof first === "string" ? (subclass as NexusRpcErrorParameters) : first;
    super(typeof first !== "string" ? (args.retryable ? "The RPC request failed; it may succeed if retried." : "The RPC request failed.") : first, subclass?.name ?? "NexusRpcError", {
      cause: args.cause,
      details: args.details,
      metaMessages: [
        ...(subclass?.metaMessages ?? []),
        `Reason: ${args.reason}`,
        ...(args.code === undefined ? [] : [`Code: ${args.code}`]),
        ...(args.status === undefined ? [] : [`HTTP status: ${args.status}`]),
        `Retryable: ${args.retryable}`,
      ],
    });
    this.code = args.code;
    this.status = args.status;
    this.reason = args.reason;
    this.retryable = args.retryable;
  }
}

export type InsufficientFundsErrorType = InsufficientFundsError & { name: "InsufficientFundsError" };
/**
 * The sending account cannot pay for the transaction (gas × gas price + value): typically a new key that was
 * never funded. A NexusRpcError (not retryable) that names the account and, when it could be read, its balance.
 */
export class InsufficientFundsError extends NexusRpcError {
  /** The sender, when known (always set by the SDK's writes). */
  readonly account: Address | undefined;
  /** The sender's balance in wei, read when the send failed; undefined when unknown. */
  readonly balance: bigint | undefined;
  /** The native currency the transaction sends along, when known. */
  readonly value: bigint | undefined;
  constructor(
    args: NexusRpcErrorParameters & {
      account?: Address | undefined;
      balance?: bigint | undefined;
      value?: bigint | undefined;
      chainId?: number | undefined;
      chainName?: string | undefined;
    },
  ) {
    const who = args.account === undefined ? "The sending account" : `The account ${args.account}`;
    const where = args.chainId === undefined ? "" : ` on ${chainLabel(args.chainId, args.chainName)}`;
    const balance = args.balance === undefined ? "" : ` (balance ${formatEther(args.balance)} ETH)`;
    super(`${who} has insufficient funds${where} to pay for this transaction${balance}.`, {
      ...args,
      retryable: false,
      name: "InsufficientFundsError",
      metaMessages: [
        ...(args.value ? [`Value sent: ${formatEther(args.value)} ETH`] : []),
        "A transaction costs gas × gas price + value, paid from the sender's balance: fund the account first.",
      ],
    });
    this.account = args.account;
    this.balance = args.balance;
    this.value = args.value;
  }
}

export type UnknownRevertErrorType = UnknownRevertError & { name: "UnknownRevertError" };
/**
 * The call reverted with data the protocol ABI does not describe (or with none): `Error(string)`, `Panic`,
 * out of gas, a non-protocol contract. The raw `data` is kept.
 */
export class UnknownRevertError extends NexusError {
  /** The raw revert data, "0x" when the node returned none. */
  readonly data: Hex;
  /** The 4-byte selector, when the data has one. */
  readonly selector: Hex | undefined;
  /** Decoded `Error(string)` message or `Panic` reason, or the node's message. */
  readonly reason: string | undefined;
  constructor(args: { data: Hex; reason?: string | undefined; cause?: Error | undefined }) {
    const selector = args.data.length >= 10 ? (args.data.slice(0, 10) as Hex) : undefined;
    super(
      args.reason ? `The call reverted: ${args.reason}` : selector ? `The call reverted with an unknown error ${selector}.` : "The call reverted without a reason.",
      "UnknownRevertError",
      { cause: args.cause, metaMessages: [`Data: ${args.data}`] },
    );
    this.data = args.data;
    this.selector = selector;
    this.reason = args.reason;
  }
}

export type TransactionRevertedErrorType = TransactionRevertedError & { name: "TransactionRevertedError" };
/**
 * The transaction was mined with status "reverted" (it passed simulation, but the state changed before it
 * mined, or it ran out of gas). `revert` is the best-effort reason, found by replaying the call on the
 * state at the end of its block; it may be undefined.
 */
export class TransactionRevertedError extends NexusError {
  readonly hash: Hash;
  readonly receipt: TransactionReceipt;
  readonly revert: NexusRevertError | UnknownRevertError | undefined;
  constructor(args: { hash: Hash; receipt: TransactionReceipt; to?: Address | null | undefined; revert?: NexusRevertError | UnknownRevertError | undefined }) {
    super(
      args.revert ? `The transaction reverted on-chain: ${args.revert.shortMessage}` : "The transaction reverted on-chain.",
      "TransactionRevertedError",
      {
        cause: args.revert,
        metaMessages: [`Hash: ${args.hash}`, `Block: ${args.receipt.blockNumber}`, `Gas used: ${args.receipt.gasUsed}`],
      },
    );
    this.hash = args.hash;
    this.receipt = args.receipt;
    this.revert = args.revert;
  }
}
