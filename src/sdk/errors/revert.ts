// The base of every decoded protocol revert, typed per custom error name from the generated ABI.
import type { AbiParameterToPrimitiveType, Address, ContractErrorArgs, ContractErrorName, Hex } from "viem";
import { nexusErrorsAbi, type protocolErrorNames } from "../abis.ts";
import { NexusError } from "./base.ts";
import { revertMessages } from "./messages.ts";

type ErrorsAbi = typeof nexusErrorsAbi;

/** Every custom error any protocol contract (or a library it uses) can revert with. */
export type NexusErrorName = ContractErrorName<ErrorsAbi>;
/** The custom errors declared in the protocol's interfaces. */
export type ProtocolErrorName = (typeof protocolErrorNames)[number];

type ErrorItem<name extends NexusErrorName> = Extract<ErrorsAbi[number], { type: "error"; name: name }>;

/** The error's arguments in declaration order, e.g. `[payment, minPayment]`. */
export type NexusErrorArgTuple<name extends NexusErrorName> = ContractErrorArgs<ErrorsAbi, name>;
/** The error's arguments by parameter name, e.g. `{ payment, minPayment }`. */
export type NexusErrorNamedArgs<name extends NexusErrorName> = {
  [P in ErrorItem<name>["inputs"][number] as P["name"]]: AbiParameterToPrimitiveType<P>;
};
/** Both at once: `err.args[0] === err.args.payment`. */
export type NexusErrorArgs<name extends NexusErrorName> = NexusErrorArgTuple<name> & NexusErrorNamedArgs<name>;

export type NexusRevertErrorParameters<name extends NexusErrorName> = {
  /** The decoded arguments in declaration order. */
  args: NexusErrorArgTuple<name>;
  /** The raw revert data, when known. */
  data?: Hex | undefined;
  /** The contract that was called and the function, when known. */
  contract?: Address | undefined;
  functionName?: string | undefined;
  cause?: Error | undefined;
};

export type NexusRevertErrorType = NexusRevertError & { name: `${NexusErrorName}Error` };

/**
 * A call reverted with one of the protocol's custom errors. Subclasses exist per error name
 * (`PaymentBelowMinimumError`, …); `shortMessage` is a human sentence with the values formatted.
 */
export class NexusRevertError<name extends NexusErrorName = NexusErrorName> extends NexusError {
  readonly errorName: name;
  readonly args: NexusErrorArgs<name>;
  readonly data: Hex | undefined;
  readonly contract: Address | undefined;
  readonly functionName: string | undefined;

  constructor(errorName: name, parameters: NexusRevertErrorParameters<name>) {
    const named = namedArgs(errorName, parameters.args);
    const sentence = (revertMessages[errorName] as (a: NexusErrorNamedArgs<name>) => string)(named);
    super(sentence, `${errorName}Error`, {
      cause: parameters.cause,
      metaMessages: [
        `Error: ${errorName}(${Object.entries(named).map(([k, v]) => `${k}: ${String(v)}`).join(", ")})`,
        ...(parameters.contract ? [`Contract: ${parameters.contract}${parameters.functionName ? `.${parameters.functionName}` : ""}`] : []),
      ],
    });
    this.errorName = errorName;
    this.args = Object.assign([...(parameters.args as readonly unknown[])], named) as unknown as NexusErrorArgs<name>;
    this.data = parameters.data;
    this.contract = parameters.contract;
    this.functionName = parameters.functionName;
  }
}

const inputNames = new Map<string, readonly string[]>(nexusErrorsAbi.map((e) => [e.name, e.inputs.map((i) => i.name)]));

function namedArgs<name extends NexusErrorName>(errorName: name, args: NexusErrorArgTuple<name>): NexusErrorNamedArgs<name> {
  const names = inputNames.get(errorName) ?? [];
  const out: Record<string, unknown> = {};
  (args as readonly unknown[]).forEach((v, i) => {
    out[names[i] || `arg${i}`] = v;
  });
  return out as NexusErrorNamedArgs<name>;
}

/** The class of one custom error, e.g. `PaymentBelowMinimumError`. */
export type NexusRevertErrorClass<name extends NexusErrorName> = {
  new (parameters: NexusRevertErrorParameters<name>): NexusRevertError<name>;
  readonly errorName: name;
};

/** Makes the class of one custom error; ./classes.ts makes one per name of `nexusErrorsAbi`. */
export function defineRevertError<const name extends NexusErrorName>(errorName: name): NexusRevertErrorClass<name> {
  const C = class extends NexusRevertError<name> {
    static readonly errorName = errorName;
    constructor(parameters: NexusRevertErrorParameters<name>) {
      super(errorName, parameters);
    }
  };
  Object.defineProperty(C, "name", { value: `${errorName}Error` });
  return C;
}
