// Errors about how the SDK was called or configured, rather than about the protocol's rules: a Nexus address
// where no Nexus answers, a malformed address or argument, a write without an account, and the wrapper that
// keeps any other failure inside the NexusError family.
import { BaseError, getAddress, isAddress, type Address } from "viem";
import { NexusError } from "./base.ts";

/** "Hardhat (chain 31337)", or "chain 31337" when the client has no chain object. */
export function chainLabel(chainId: number, chainName?: string | undefined): string {
  return chainName ? `${chainName} (chain ${chainId})` : `chain ${chainId}`;
}

/**
 * `value` checksummed. As strict as viem: a mixed-case address must match its checksum (a likely typo).
 * Internal helper of the actions. @throws InvalidAddressParameterError naming `parameter`
 */
export function checkedAddress(value: string, parameter: string): Address {
  if (typeof value !== "string" || !isAddress(value)) throw new InvalidAddressParameterError({ address: String(value), parameter });
  return getAddress(value);
}

export type NexusNotFoundErrorType = NexusNotFoundError & { name: "NexusNotFoundError" };
/**
 * No GPU Nexus answers at the address used (given as `nexus` or registered for the chain): an account, an
 * address with nothing deployed (a restarted local chain, the wrong chain), or a contract that is not Nexus.
 * `hasCode` tells which (undefined when the node could not say); `cause` is the call that failed.
 */
export class NexusNotFoundError extends NexusError {
  readonly chainId: number;
  readonly address: Address;
  readonly hasCode: boolean | undefined;
  constructor(args: { chainId: number; chainName?: string | undefined; address: Address; hasCode: boolean | undefined; cause?: Error | undefined }) {
    super(`No GPU Nexus answers at ${args.address} on ${chainLabel(args.chainId, args.chainName)}.`, "NexusNotFoundError", {
      cause: args.cause,
      metaMessages: [
        args.hasCode === false
          ? "There is no contract at this address: an account, or nothing deployed yet (a restarted local chain needs a new deployment)."
          : args.hasCode === true
            ? "The contract at this address is not a GPU Nexus."
            : "The contract at this address does not answer as a GPU Nexus.",
        "Pass the right `nexus`, or registerDeployment({ chainId, nexus, … }) for this chain.",
      ],
    });
    this.chainId = args.chainId;
    this.address = args.address;
    this.hasCode = args.hasCode;
  }
}

export type InvalidAddressParameterErrorType = InvalidAddressParameterError & { name: "InvalidAddressParameterError" };
/** A value given where an address belongs is not one (20 bytes of hex, and a valid checksum when mixed-case). */
export class InvalidAddressParameterError extends NexusError {
  /** The value as given. */
  readonly address: string;
  /** The parameter it was given as, when known (e.g. "nexus"). */
  readonly parameter: string | undefined;
  constructor(args: { address: string; parameter?: string | undefined; cause?: Error | undefined }) {
    super(
      args.parameter === undefined
        ? `"${args.address}" is not a valid address.`
        : `\`${args.parameter}\` is not a valid address: "${args.address}".`,
      "InvalidAddressParameterError",
      { cause: args.cause, metaMessages: ["An address is 20 bytes of hex (0x + 40 characters); a mixed-case one must match its checksum."] },
    );
    this.address = args.address;
    this.parameter = args.parameter;
  }
}

export type InvalidParameterErrorType = InvalidParameterError & { name: "InvalidParameterError" };
/** A parameter other than an address is out of range or malformed. */
export class InvalidParameterError extends NexusError {
  readonly parameter: string;
  readonly reason: string;
  constructor(args: { parameter: string; reason: string; cause?: Error | undefined }) {
    super(`Invalid \`${args.parameter}\`: ${args.reason}.`, "InvalidParameterError", { cause: args.cause });
    this.parameter = args.parameter;
    this.reason = args.reason;
  }
}

export type MissingAccountErrorType = MissingAccountError & { name: "MissingAccountError" };
/** A write was called with no `account` on a client that has none: there is nobody to send it from. */
export class MissingAccountError extends NexusError {
  /** The Nexus function the write would have called, when known. */
  readonly functionName: string | undefined;
  constructor(args: { functionName?: string | undefined; cause?: Error | undefined } = {}) {
    super("This action sends a transaction and needs an account.", "MissingAccountError", {
      cause: args.cause,
      metaMessages: [
        ...(args.functionName === undefined ? [] : [`Function: ${args.functionName}`]),
        "Pass `account` to the action, or create the wallet client with one: createWalletClient({ account, chain, transport }).",
      ],
    });
    this.functionName = args.functionName;
  }
}

export type UnexpectedErrorType = UnexpectedError & { name: "UnexpectedError" };
/**
 * A failure the SDK has no dedicated class for (a viem error such as a return value that does not decode, a
 * custom transport's exception, …), wrapped so that every error the SDK throws is a NexusError. `reason` is
 * the wrapped error's name; `cause` is that error, with its own message and metadata.
 */
export class UnexpectedError extends NexusError {
  readonly reason: string;
  constructor(args: { cause: Error }) {
    const { cause } = args;
    // The wrapped error's own sentence: the SDK has nothing better to say about it.
    const short = (cause instanceof BaseError ? cause.shortMessage : cause.message.split("\n")[0]) || "An unexpected error occurred.";
    super(short, "UnexpectedError", {
      cause,
      metaMessages: [...(cause instanceof BaseError ? (cause.metaMessages ?? []) : []), `Reason: ${cause.name}`],
    });
    this.reason = cause.name;
  }
}
