// The SDK's error taxonomy (see decode.ts): decoded protocol reverts, unknown reverts, RPC failures.
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
  NexusRpcError,
  TransactionRevertedError,
  UnknownRevertError,
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
