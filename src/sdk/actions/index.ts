// Every protocol call as a viem-style action `action(client, parameters)`, named after the Nexus function it
// sends (publishTask, attempt, …), plus reads and snapshots. Higher-level flows that also touch IPFS live in
// ../flows and use other names.
export * from "./admin.ts";
export {
  waitForNexusTransaction,
  type NexusAccountParameter,
  type NexusWaitOptions,
  type NexusWriteErrorType,
  type NexusWriteOptions,
  type NexusWriteParameters,
  type NexusWriteReturnType,
  type WaitForNexusTransactionErrorType,
  type WaitForNexusTransactionParameters,
  type WaitForNexusTransactionReturnType,
} from "./internal.ts";
export * from "./nonce.ts";
export { readMany, type NexusReadErrorType, type NexusReadParameters } from "./read-many.ts";
export * from "./reads.ts";
export * from "./registry.ts";
export * from "./responses.ts";
export * from "./snapshot.ts";
export * from "./sources.ts";
export * from "./tasks.ts";
export * from "./vault.ts";
