// Owner actions: fee (capped at 10 %), treasury, unbonding period (1 to 30 days), two-step ownership.
import type { Account, Address, Chain, Client, Transport } from "viem";
import {
  withWait,
  writeNexus,
  writeOptions,
  type NexusWriteErrorType,
  type NexusWriteParameters,
  type NexusWriteReturnType,
} from "./internal.ts";

type AnyClient<chain extends Chain | undefined, account extends Account | undefined> = Client<Transport, chain, account>;

export type SetFeeParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & { feeBps: number };
export type SetFeeReturnType = NexusWriteReturnType;
export type SetFeeErrorType = NexusWriteErrorType;
/** Sets the protocol fee in basis points (at most 1,000). Owner only. */
export async function setFee<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: SetFeeParameters<account>,
): Promise<SetFeeReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "setFee", args: [parameters.feeBps] });
  return withWait(client, sent, {});
}

export type SetTreasuryParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & { treasury: Address };
export type SetTreasuryReturnType = NexusWriteReturnType;
export type SetTreasuryErrorType = NexusWriteErrorType;
/** Sets the account fees are collected to. Owner only. */
export async function setTreasury<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: SetTreasuryParameters<account>,
): Promise<SetTreasuryReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "setTreasury", args: [parameters.treasury] });
  return withWait(client, sent, {});
}

export type SetUnbondingPeriodParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  /** Seconds, from 1 day (`MIN_UNBONDING_PERIOD`) to 30 days (`MAX_UNBONDING_PERIOD`). */
  period: bigint;
};
export type SetUnbondingPeriodReturnType = NexusWriteReturnType;
export type SetUnbondingPeriodErrorType = NexusWriteErrorType;
/** Sets the unbonding period. Owner only. */
export async function setUnbondingPeriod<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: SetUnbondingPeriodParameters<account>,
): Promise<SetUnbondingPeriodReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "setUnbondingPeriod", args: [parameters.period] });
  return withWait(client, sent, {});
}

export type TransferOwnershipParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & { newOwner: Address };
export type TransferOwnershipReturnType = NexusWriteReturnType;
export type TransferOwnershipErrorType = NexusWriteErrorType;
/** Starts a two-step ownership transfer; `newOwner` must call acceptOwnership. Owner only. */
export async function transferOwnership<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: TransferOwnershipParameters<account>,
): Promise<TransferOwnershipReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "transferOwnership", args: [parameters.newOwner] });
  return withWait(client, sent, {});
}

export type AcceptOwnershipParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account>;
export type AcceptOwnershipReturnType = NexusWriteReturnType;
export type AcceptOwnershipErrorType = NexusWriteErrorType;
/** Completes a two-step ownership transfer. Pending owner only. */
export async function acceptOwnership<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: AcceptOwnershipParameters<account> = {} as AcceptOwnershipParameters<account>,
): Promise<AcceptOwnershipReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "acceptOwnership", args: [] });
  return withWait(client, sent, {});
}

export type RenounceOwnershipParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account>;
export type RenounceOwnershipReturnType = NexusWriteReturnType;
export type RenounceOwnershipErrorType = NexusWriteErrorType;
/** Leaves Nexus without an owner, forever (fee, treasury and unbonding period frozen). Owner only. */
export async function renounceOwnership<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: RenounceOwnershipParameters<account> = {} as RenounceOwnershipParameters<account>,
): Promise<RenounceOwnershipReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "renounceOwnership", args: [] });
  return withWait(client, sent, {});
}
