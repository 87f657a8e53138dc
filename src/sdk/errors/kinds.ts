// Errors that are not a decoded protocol revert: transport/RPC failures, reverts whose data is not in the
// protocol ABI, and transactions that were mined but reverted.
import type { Address, Hash, Hex, TransactionReceipt } from "viem";
import { NexusError } from "./base.ts";
import type { NexusRevertError } from "./revert.ts";

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
  constructor(args: { reason: string; retryable: boolean; code?: number | undefined; status?: number | undefined; details?: string | undefined; cause?: Error | undefined }) {
    super(args.retryable ? "The RPC request failed; it may succeed if retried." : "The RPC request failed.", "NexusRpcError", {
      cause: args.cause,
      details: args.details,
      metaMessages: [
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
