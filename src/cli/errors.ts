// How the CLI turns any failure into an exit code and one short line (plus the decoded revert, when there is one).
import { BaseError } from "viem";
import { NoDeploymentError } from "../sdk/chains.ts";
import { NexusError } from "../sdk/errors/base.ts";
import { decodeNexusError } from "../sdk/errors/decode.ts";
import { NexusRpcError, TransactionRevertedError, UnknownRevertError } from "../sdk/errors/kinds.ts";
import { NexusRevertError } from "../sdk/errors/revert.ts";
import { CidMismatchError, ContentHashMismatchError, InvalidDocumentError, IpfsRequestError } from "../sdk/ipfs/errors.ts";

/** Exit codes, documented in `gpunexus --help`. */
export const ExitCode = {
  OK: 0,
  /** A transaction or call reverted, or the protocol refused the request. */
  PROTOCOL: 1,
  /** Bad command line, missing key or deployment, unreadable spec. */
  USAGE: 2,
  /** The RPC node or the IPFS node could not be reached (retryable). */
  UNREACHABLE: 3,
  /** Fetched content does not match its on-chain commitment (tampered). */
  VERIFICATION: 4,
  /** Interrupted (SIGINT). */
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A mistake in how the CLI was called (exit 2). */
export class UsageError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = "UsageError";
    this.hint = hint;
  }
}

/** Content that does not match what the chain committed to (exit 4). */
export class VerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VerificationError";
  }
}

/** The user interrupted the command (exit 130). */
export class InterruptedError extends Error {
  constructor() {
    super("interrupted");
    this.name = "InterruptedError";
  }
}

/** A protocol-level outcome that is not a revert: a task that cannot give a result, a timeout (exit 1). */
export class ProtocolError extends Error {
  constructor(message: string, name = "ProtocolError") {
    super(message);
    this.name = name;
  }
}

/** Everything the CLI prints about a failure. */
export type DescribedError = {
  exitCode: ExitCode;
  /** The error's name: a revert's custom error name (`PaymentBelowMinimum`) or the class name. */
  name: string;
  /** One sentence, without the trailing period. */
  message: string;
  /** Further lines: decoded revert arguments, a hint. */
  details: string[];
  /** Decoded revert arguments, by name (bigint kept; the JSON writer turns them into strings). */
  args: Record<string, unknown> | undefined;
  /** The full error text and stack, for --verbose. */
  verbose: string;
};

const sentence = (s: string) => s.trim().replace(/\.$/, "");

function revertDetails(err: NexusRevertError): Pick<DescribedError, "name" | "message" | "details" | "args"> {
  const args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err.args)) if (!/^\d+$/.test(k)) args[k] = v;
  const rendered = Object.entries(args).map(([k, v]) => `${k}: ${String(v)}`).join(", ");
  return { name: err.errorName, message: sentence(err.shortMessage), details: [`${err.errorName}(${rendered})`], args };
}

function verboseText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

/** Classifies any thrown value. */
export function describeError(thrown: unknown): DescribedError {
  const verbose = verboseText(thrown);
  const base = { details: [] as string[], args: undefined, verbose };
  if (thrown instanceof UsageError) {
    return { ...base, exitCode: ExitCode.USAGE, name: "UsageError", message: sentence(thrown.message), details: thrown.hint ? [thrown.hint] : [] };
  }
  if (thrown instanceof InterruptedError) return { ...base, exitCode: ExitCode.INTERRUPTED, name: thrown.name, message: "interrupted" };
  if (thrown instanceof VerificationError) return { ...base, exitCode: ExitCode.VERIFICATION, name: thrown.name, message: sentence(thrown.message) };
  if (thrown instanceof ProtocolError) return { ...base, exitCode: ExitCode.PROTOCOL, name: thrown.name, message: sentence(thrown.message) };
  const err = decodeNexusError(thrown);
  if (err instanceof NexusRevertError) return { ...base, exitCode: ExitCode.PROTOCOL, ...revertDetails(err) };
  if (err instanceof TransactionRevertedError) {
    if (err.revert instanceof NexusRevertError) {
      const d = revertDetails(err.revert);
      return { ...base, exitCode: ExitCode.PROTOCOL, ...d, details: [...d.details, `transaction ${err.hash} reverted on-chain`] };
    }
    return { ...base, exitCode: ExitCode.PROTOCOL, name: "TransactionReverted", message: sentence(err.shortMessage), details: [`transaction ${err.hash}`] };
  }
  if (err instanceof UnknownRevertError) return { ...base, exitCode: ExitCode.PROTOCOL, name: "UnknownRevert", message: sentence(err.shortMessage) };
  if (err instanceof NexusRpcError) {
    const unreachable = err.retryable || err.reason === "HttpRequestError";
    const detail = err.details ? firstLine(err.details) : err.reason;
    return {
      ...base,
      exitCode: unreachable ? ExitCode.UNREACHABLE : ExitCode.PROTOCOL,
      name: err.reason,
      message: unreachable ? `The RPC node could not be reached or failed (${detail})` : `The RPC node refused the request: ${detail}`,
    };
  }
  if (err instanceof CidMismatchError || err instanceof ContentHashMismatchError) {
    return { ...base, exitCode: ExitCode.VERIFICATION, name: err.name, message: sentence(err.shortMessage), details: err.metaMessages ?? [] };
  }
  if (err instanceof IpfsRequestError) {
    const unreachable = err.retryable || err.status === undefined;
    return {
      ...base,
      exitCode: unreachable ? ExitCode.UNREACHABLE : ExitCode.PROTOCOL,
      name: err.name,
      message: `IPFS request to ${err.url} failed: ${firstLine(err.reason)}`,
    };
  }
  if (err instanceof InvalidDocumentError) {
    return { ...base, exitCode: ExitCode.PROTOCOL, name: err.name, message: sentence(err.shortMessage), details: err.metaMessages ?? [] };
  }
  if (err instanceof NoDeploymentError) {
    return {
      ...base,
      exitCode: ExitCode.USAGE,
      name: err.name,
      message: `No GPU Nexus deployment is known for chain ${err.chainId}`,
      details: ["Run `gpunexus deploy`, pass --nexus <address>, or point --deployments at a deployments file."],
    };
  }
  if (err instanceof NexusError) {
    // The SDK's own errors (flows, documents): their details say why, in one line.
    const why = err.details ? `: ${firstLine(err.details)}` : "";
    return { ...base, exitCode: ExitCode.PROTOCOL, name: err.name, message: sentence(`${sentence(err.shortMessage)}${why}`) };
  }
  if (err instanceof BaseError) return { ...base, exitCode: ExitCode.PROTOCOL, name: err.name, message: sentence(err.shortMessage) };
  if (err instanceof Error) {
    const name = err.name === "Error" ? "Error" : err.name;
    return { ...base, exitCode: ExitCode.PROTOCOL, name, message: sentence(firstLine(err.message)) };
  }
  return { ...base, exitCode: ExitCode.PROTOCOL, name: "Error", message: String(thrown) };
}

function firstLine(s: string): string {
  return s.split("\n")[0]?.trim() ?? s;
}
