// Turns whatever viem (or a provider) threw into the SDK's error taxonomy:
//   NexusRevertError subclass     – revert data decodes to a protocol custom error
//   UnknownRevertError            – the call reverted, but not with a protocol error (data kept)
//   InsufficientFundsError        – the sender cannot pay for gas and value (a NexusRpcError)
//   NexusRpcError                 – transport / JSON-RPC failure, with `retryable`
//   InvalidAddressParameterError  – viem refused a malformed address
//   MissingAccountError           – viem found no account to send with
//   anything else                 – returned unchanged by decodeNexusError; wrapped as UnexpectedError by
//                                   toNexusError, which the SDK's own actions use
import { BaseError, decodeErrorResult, isHex, type Address, type Hex } from "viem";
import { nexusErrorsAbi } from "../abis.ts";
import { NexusError } from "./base.ts";
import { nexusRevertErrors } from "./classes.ts";
import { InsufficientFundsError, NexusRpcError, TransactionRevertedError, UnknownRevertError } from "./kinds.ts";
import { NexusRevertError, type NexusErrorName, type NexusErrorArgTuple, type NexusRevertErrorParameters } from "./revert.ts";
import { InvalidAddressParameterError, MissingAccountError, UnexpectedError } from "./usage.ts";

/** What `decodeNexusError` returns. */
export type DecodedNexusError =
  | NexusRevertError
  | UnknownRevertError
  | NexusRpcError
  | TransactionRevertedError
  | InvalidAddressParameterError
  | MissingAccountError
  | Error;

const RETRYABLE_NAMES = new Set([
  "TimeoutError",
  "SocketClosedError",
  "WebSocketRequestError",
  "LimitExceededRpcError",
  "ResourceUnavailableRpcError",
  "InternalRpcError",
  "NonceTooLowError",
  "NonceTooHighError",
  "NonceMaxValueError",
  "TransactionUnderpricedError",
  "FeeCapTooLowError",
  "UnknownNodeError",
]);
const RPC_NAMES = new Set([
  ...RETRYABLE_NAMES,
  "HttpRequestError",
  "RpcRequestError",
  "InsufficientFundsError",
  "IntrinsicGasTooHighError",
  "IntrinsicGasTooLowError",
  "FeeCapTooHighError",
  "TipAboveFeeCapError",
  "TransactionTypeNotSupportedError",
  "ChainDisconnectedError",
  "ProviderDisconnectedError",
]);
const REVERT_NAMES = new Set(["ContractFunctionRevertedError", "ExecutionRevertedError", "RawContractError"]);

function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  let e: unknown = err;
  for (let i = 0; e && i < 20; i++) {
    out.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

function isRevertData(value: unknown): value is Hex {
  return typeof value === "string" && isHex(value) && (value === "0x" || value.length >= 10);
}

/** The revert data carried anywhere in the error's cause chain, if any (`"0x"` for an empty revert). */
export function findRevertData(err: unknown): Hex | undefined {
  let empty = false;
  for (const e of chain(err)) {
    if (!e || typeof e !== "object") continue;
    const raw = (e as { raw?: unknown }).raw;
    if (isRevertData(raw) && raw !== "0x") return raw;
    const data = (e as { data?: unknown }).data;
    if (isRevertData(data)) {
      if (data !== "0x") return data;
      empty = true;
    }
    if (data && typeof data === "object") {
      const nested = (data as { data?: unknown }).data;
      if (isRevertData(nested) && nested !== "0x") return nested;
    }
  }
  return empty ? "0x" : undefined;
}

/** Decodes raw revert data against every protocol custom error; undefined when the selector is not one. */
export function decodeRevertData(
  data: Hex,
  context: { contract?: Address | undefined; functionName?: string | undefined; cause?: Error | undefined } = {},
): NexusRevertError | undefined {
  if (data.length < 10) return undefined;
  let decoded;
  try {
    decoded = decodeErrorResult({ abi: nexusErrorsAbi, data });
  } catch {
    return undefined;
  }
  const name = decoded.errorName as NexusErrorName;
  const Class = nexusRevertErrors[name] as unknown as new (p: NexusRevertErrorParameters<NexusErrorName>) => NexusRevertError;
  if (!Class) return undefined;
  return new Class({ args: (decoded.args ?? []) as NexusErrorArgTuple<NexusErrorName>, data, ...context });
}

function revertReason(err: unknown): string | undefined {
  for (const e of chain(err)) {
    const reason = (e as { reason?: unknown } | null)?.reason;
    if (typeof reason === "string" && reason) return reason;
  }
  return undefined;
}

function contextOf(err: unknown): { contract?: Address | undefined; functionName?: string | undefined } {
  for (const e of chain(err)) {
    if (e && typeof e === "object" && "contractAddress" in e && "functionName" in e) {
      const { contractAddress, functionName } = e as { contractAddress?: Address; functionName?: string };
      return { contract: contractAddress, functionName };
    }
  }
  return {};
}

/**
 * Classifies an error thrown by a viem action (simulate, call, estimateGas, sendTransaction, …) or an
 * EIP-1193 provider. Already-decoded SDK errors are returned as they are.
 */
export function decodeNexusError(err: unknown): DecodedNexusError {
  if (err instanceof NexusError) return err;
  const cause = err instanceof Error ? err : new Error(String(err));
  const names = chain(err).map((e) => (e as { name?: unknown } | null)?.name).filter((n): n is string => typeof n === "string");
  const data = findRevertData(err);
  const reverted = names.some((n) => REVERT_NAMES.has(n)) || (data !== undefined && isExecutionRevertMessage(err));
  if (data !== undefined && data !== "0x") {
    const decoded = decodeRevertData(data, { ...contextOf(err), cause });
    if (decoded) return decoded;
    if (reverted || data.length >= 10) return new UnknownRevertError({ data, reason: revertReason(err), cause });
  }
  if (reverted) return new UnknownRevertError({ data: data ?? "0x", reason: revertReason(err), cause });
  // Checked before the RPC classes: viem reports a malformed address inside whatever call it was encoding.
  const badAddress = chain(err).find((e) => (e as { name?: unknown } | null)?.name === "InvalidAddressError");
  if (badAddress) return new InvalidAddressParameterError({ address: invalidAddressOf(badAddress), cause });
  if (names.includes("AccountNotFoundError")) return new MissingAccountError({ cause });
  const rpcName = names.find((n) => RPC_NAMES.has(n)) ?? (chain(err).some(isRpcShaped) ? "RpcRequestError" : undefined);
  if (rpcName) {
    const status = firstNumber(err, "status");
    const code = firstNumber(err, "code");
    const details = err instanceof BaseError ? err.details : cause.message;
    // viem recognises geth's "insufficient funds"; other nodes word it differently (Hardhat/EDR: "Sender
    // doesn't have enough funds to send tx"), and viem then reports a bare RpcRequestError.
    if (rpcName === "InsufficientFundsError" || chain(err).some(saysInsufficientFunds)) {
      return new InsufficientFundsError({ reason: "InsufficientFundsError", retryable: false, code, status, details, cause });
    }
    const retryable =
      RETRYABLE_NAMES.has(rpcName) ||
      (rpcName === "HttpRequestError" && (status === undefined || status === 408 || status === 429 || status >= 500)) ||
      code === -32005 ||
      code === -32002 ||
      code === -32603 ||
      code === 429;
    return new NexusRpcError({ reason: rpcName, retryable, code, status, details, cause });
  }
  return cause;
}

/**
 * decodeNexusError, then anything still unclassified wrapped as UnexpectedError (cause kept): every error the
 * SDK's actions and flows throw goes through this, so callers only ever see NexusError subclasses.
 */
export function toNexusError(err: unknown): NexusError {
  const decoded = decodeNexusError(err);
  return decoded instanceof NexusError ? decoded : new UnexpectedError({ cause: decoded });
}

const INSUFFICIENT_FUNDS = /insufficient funds|(doesn't|does not) have enough funds/i;

function saysInsufficientFunds(e: unknown): boolean {
  const { message, details } = (e ?? {}) as { message?: unknown; details?: unknown };
  return [message, details].some((s) => typeof s === "string" && INSUFFICIENT_FUNDS.test(s));
}

/** viem's InvalidAddressError keeps the address only in its message: `Address "0x12" is invalid.` */
function invalidAddressOf(e: unknown): string {
  const text = String((e as { shortMessage?: unknown }).shortMessage ?? (e as { message?: unknown }).message ?? "");
  return /Address "([^"]*)" is invalid/.exec(text)?.[1] ?? "(unknown)";
}

function isExecutionRevertMessage(err: unknown): boolean {
  return chain(err).some((e) => /revert/i.test(String((e as { message?: unknown } | null)?.message ?? "")));
}

function isRpcShaped(e: unknown): boolean {
  return !!e && typeof e === "object" && typeof (e as { code?: unknown }).code === "number" && !(e instanceof NexusError);
}

function firstNumber(err: unknown, key: "status" | "code"): number | undefined {
  for (const e of chain(err)) {
    const v = (e as Record<string, unknown> | null)?.[key];
    if (typeof v === "number") return v;
  }
  return undefined;
}

/**
 * Whether `err` is a decoded protocol revert, optionally of one error name (narrows `args`).
 * @example if (isNexusRevert(err, "PaymentBelowMinimum")) console.log(err.args.minPayment)
 */
export function isNexusRevert<const name extends NexusErrorName = NexusErrorName>(
  err: unknown,
  errorName?: name,
): err is NexusRevertError<name> {
  return err instanceof NexusRevertError && (errorName === undefined || err.errorName === errorName);
}
