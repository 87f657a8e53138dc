// Vault actions through Nexus: deposit, withdraw, stake (lock / unbond / cancel / claim), and fee collection.
import type { Account, Address, Chain, Client, Transport } from "viem";
import { parseAccount } from "viem/accounts";
import { MissingAccountError } from "../errors/usage.ts";
import {
  withWait,
  writeNexus,
  writeOptions,
  type NexusWriteErrorType,
  type NexusWriteParameters,
  type NexusWriteReturnType,
} from "./internal.ts";

type AnyClient<chain extends Chain | undefined, account extends Account | undefined> = Client<Transport, chain, account>;

export type DepositParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  /** Wei to deposit. */
  value: bigint;
  /** Whose balance is credited; defaults to the sender. */
  beneficiary?: Address | undefined;
};
export type DepositReturnType = NexusWriteReturnType;
export type DepositErrorType = NexusWriteErrorType;
/** Adds `value` to `beneficiary`'s (default: the sender's) vault balance. */
export async function deposit<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: DepositParameters<account>,
): Promise<DepositReturnType> {
  const options = writeOptions(parameters);
  const sender = options.account ?? client.account;
  const beneficiary = parameters.beneficiary ?? (sender ? parseAccount(sender).address : undefined);
  // The beneficiary defaults to the sender, so with neither there is no one to send from either.
  if (!beneficiary) throw new MissingAccountError({ functionName: "deposit" });
  const sent = await writeNexus(client, { ...options, functionName: "deposit", args: [beneficiary], value: parameters.value });
  return withWait(client, sent, {});
}

export type AmountParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & { amount: bigint };

export type WithdrawParameters<account extends Account | undefined = Account | undefined> = AmountParameters<account> & {
  /** Where the funds go (default: the sender), e.g. when the sender is a contract that cannot receive them. */
  recipient?: Address | undefined;
};
export type WithdrawReturnType = NexusWriteReturnType;
export type WithdrawErrorType = NexusWriteErrorType;
/** Sends `amount` of the sender's vault balance to the sender, or to `recipient` (`withdrawTo`). */
export async function withdraw<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: WithdrawParameters<account>,
): Promise<WithdrawReturnType> {
  const options = writeOptions(parameters);
  const sent =
    parameters.recipient === undefined
      ? await writeNexus(client, { ...options, functionName: "withdraw", args: [parameters.amount] })
      : await writeNexus(client, { ...options, functionName: "withdrawTo", args: [parameters.recipient, parameters.amount] });
  return withWait(client, sent, {});
}

export type LockParameters<account extends Account | undefined = Account | undefined> = AmountParameters<account>;
export type LockReturnType = NexusWriteReturnType;
export type LockErrorType = NexusWriteErrorType;
/** Moves `amount` of the sender's balance into its lockup (a master's stake). */
export async function lock<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: LockParameters<account>,
): Promise<LockReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "lock", args: [parameters.amount] });
  return withWait(client, sent, {});
}

export type UnbondParameters<account extends Account | undefined = Account | undefined> = AmountParameters<account>;
export type UnbondReturnType = NexusWriteReturnType;
export type UnbondErrorType = NexusWriteErrorType;
/** Moves `amount` of lockup into unbonding; the whole unbonding matures one unbonding period from now. */
export async function unbond<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: UnbondParameters<account>,
): Promise<UnbondReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "unbond", args: [parameters.amount] });
  return withWait(client, sent, {});
}

export type NoArgsParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account>;

export type CancelUnbondingParameters<account extends Account | undefined = Account | undefined> = NoArgsParameters<account>;
export type CancelUnbondingReturnType = NexusWriteReturnType;
export type CancelUnbondingErrorType = NexusWriteErrorType;
/** Returns the sender's unbonding to its lockup. */
export async function cancelUnbonding<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: CancelUnbondingParameters<account> = {} as CancelUnbondingParameters<account>,
): Promise<CancelUnbondingReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "cancelUnbonding", args: [] });
  return withWait(client, sent, {});
}

export type ClaimParameters<account extends Account | undefined = Account | undefined> = NoArgsParameters<account>;
export type ClaimReturnType = NexusWriteReturnType;
export type ClaimErrorType = NexusWriteErrorType;
/** Moves the sender's matured unbonding into its balance. */
export async function claim<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: ClaimParameters<account> = {} as ClaimParameters<account>,
): Promise<ClaimReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "claim", args: [] });
  return withWait(client, sent, {});
}

export type CollectFeesParameters<account extends Account | undefined = Account | undefined> = NoArgsParameters<account>;
export type CollectFeesReturnType = NexusWriteReturnType;
export type CollectFeesErrorType = NexusWriteErrorType;
/** Moves accrued protocol fees into the treasury's balance; by anyone. */
export async function collectFees<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: CollectFeesParameters<account> = {} as CollectFeesParameters<account>,
): Promise<CollectFeesReturnType> {
  const sent = await writeNexus(client, { ...writeOptions(parameters), functionName: "collectFees", args: [] });
  return withWait(client, sent, {});
}
