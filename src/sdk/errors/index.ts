// The SDK's error taxonomy (see decode.ts): decoded protocol reverts, unknown reverts, RPC failures, and the
// errors about how the SDK was called (usage.ts). Every error an action or flow throws is one of these.
export { NexusError, type NexusErrorOptions } from "./base.ts";
export * from "./classes.ts";
export {
  decodeNexusError,
  decodeRevertData,
  findRevertData,
  isNexusRevert,
  type DecodedNexusError,
} from "./decode.ts";
export {
  InsufficientFundsError,
  NexusRpcError,
  TransactionRevertedError,
  UnknownRevertError,
  type InsufficientFundsErrorType,
  type NexusRpcErrorParameters,
  type NexusRpcErrorType,
  type TransactionRevertedErrorType,
  type UnknownRevertErrorType,
} from "./kinds.ts";
export { revertMessages, type RevertMessages } from "./messages.ts";
export {
  defineRevertError,
  NexusRevertError,
  type NexusErrorArgs,
  type NexusErrorArgTuple,
  type NexusErrorName,
  type NexusErrorNamedArgs,
  type NexusRevertErrorClass,
  type NexusRevertErrorParameters,
  type NexusRevertErrorType,
  type ProtocolErrorName,
} from "./revert.ts";
export {
  InvalidAddressParameterError,
  InvalidParameterError,
  MissingAccountError,
  NexusNotFoundError,
  UnexpectedError,
  type InvalidAddressParameterErrorType,
  type InvalidParameterErrorType,
  type MissingAccountErrorType,
  type NexusNotFoundErrorType,
  type UnexpectedErrorType,
} from "./usage.ts";
