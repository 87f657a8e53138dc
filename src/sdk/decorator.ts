// `client.extend(nexusActions)`: every action bound to the client, viem-style.
//   const nexus = createWalletClient({ account, chain, transport }).extend(nexusActions);
//   const { task, wait } = await nexus.publishTask({ source, configUri, configHash, expiryTime, payment });
// `nexusPublicActions` (reads only) suits a public client; `nexusWalletActions` adds the writes.
import type { Account, Chain, Client, Transport } from "viem";
import * as admin from "./actions/admin.ts";
import { waitForNexusTransaction, type WaitForNexusTransactionParameters, type WaitForNexusTransactionReturnType } from "./actions/internal.ts";
import * as reads from "./actions/reads.ts";
import * as registry from "./actions/registry.ts";
import * as responses from "./actions/responses.ts";
import * as snapshot from "./actions/snapshot.ts";
import * as sources from "./actions/sources.ts";
import * as tasks from "./actions/tasks.ts";
import * as vault from "./actions/vault.ts";

/** Reads, snapshots and waiting: need no account. */
export type NexusPublicActions = {
  getSource: (parameters: reads.GetSourceParameters) => Promise<reads.GetSourceReturnType>;
  getTask: (parameters: reads.GetTaskParameters) => Promise<reads.GetTaskReturnType>;
  getAttempt: (parameters: reads.GetAttemptParameters) => Promise<reads.GetAttemptReturnType>;
  getCommitment: (parameters: responses.GetCommitmentParameters) => Promise<responses.GetCommitmentReturnType>;
  getRegistrants: (parameters: reads.GetRegistrantsParameters) => Promise<reads.GetRegistrantsReturnType>;
  getAllRegistrants: (parameters: reads.GetAllRegistrantsParameters) => Promise<reads.GetAllRegistrantsReturnType>;
  getVaultPosition: (parameters: reads.GetVaultPositionParameters) => Promise<reads.GetVaultPositionReturnType>;
  getPairing: (parameters: reads.GetPairingParameters) => Promise<reads.GetPairingReturnType>;
  getAgent: (parameters: reads.GetAgentParameters) => Promise<reads.GetAgentReturnType>;
  getProtocolConfig: (parameters?: reads.GetProtocolConfigParameters) => Promise<reads.GetProtocolConfigReturnType>;
  getTermsSeen: (parameters: reads.GetTermsSeenParameters) => Promise<reads.GetTermsSeenReturnType>;
  predictSourceAddress: (parameters: reads.PredictSourceAddressParameters) => Promise<`0x${string}`>;
  getTaskSnapshot: (parameters: snapshot.GetTaskSnapshotParameters) => Promise<snapshot.GetTaskSnapshotReturnType>;
  getSourceSnapshot: (parameters: snapshot.GetSourceSnapshotParameters) => Promise<snapshot.GetSourceSnapshotReturnType>;
  waitForNexusTransaction: (parameters: WaitForNexusTransactionParameters) => Promise<WaitForNexusTransactionReturnType>;
};

/** Every Nexus write, for every role. */
export type NexusWalletActions<account extends Account | undefined = Account | undefined> = {
  publishSource: (parameters: sources.PublishSourceParameters<account>) => Promise<sources.PublishSourceReturnType>;
  updateSource: (parameters: sources.UpdateSourceParameters<account>) => Promise<sources.UpdateSourceReturnType>;
  setSourceStatus: (parameters: sources.SetSourceStatusParameters<account>) => Promise<sources.SetSourceStatusReturnType>;
  register: (parameters: sources.RegisterParameters<account>) => Promise<sources.RegisterReturnType>;
  unregister: (parameters: sources.UnregisterParameters<account>) => Promise<sources.UnregisterReturnType>;
  publishTask: (parameters: tasks.PublishTaskParameters<account>) => Promise<tasks.PublishTaskReturnType>;
  publishTaskFor: (parameters: tasks.PublishTaskForParameters<account>) => Promise<tasks.PublishTaskForReturnType>;
  attempt: (parameters: tasks.AttemptParameters<account>) => Promise<tasks.AttemptReturnType>;
  commitResponse: (parameters: responses.CommitResponseParameters<account>) => Promise<responses.CommitResponseReturnType>;
  commitVote: (parameters: responses.CommitVoteParameters<account>) => Promise<responses.CommitVoteReturnType>;
  revealResponse: (parameters: responses.RevealResponseParameters<account>) => Promise<responses.RevealResponseReturnType>;
  submitResponse: (parameters: responses.SubmitResponseParameters<account>) => Promise<responses.SubmitResponseReturnType>;
  confirmResponse: (parameters: tasks.ConfirmResponseParameters<account>) => Promise<tasks.ConfirmResponseReturnType>;
  cancelTask: (parameters: tasks.CancelTaskParameters<account>) => Promise<tasks.CancelTaskReturnType>;
  settle: (parameters: tasks.SettleParameters<account>) => Promise<tasks.SettleReturnType>;
  reportLapse: (parameters: tasks.ReportLapseParameters<account>) => Promise<tasks.ReportLapseReturnType>;
  releaseAttempt: (parameters: tasks.ReleaseAttemptParameters<account>) => Promise<tasks.ReleaseAttemptReturnType>;
  rejectResponse: (parameters: tasks.RejectResponseParameters<account>) => Promise<tasks.RejectResponseReturnType>;
  deposit: (parameters: vault.DepositParameters<account>) => Promise<vault.DepositReturnType>;
  withdraw: (parameters: vault.WithdrawParameters<account>) => Promise<vault.WithdrawReturnType>;
  lock: (parameters: vault.LockParameters<account>) => Promise<vault.LockReturnType>;
  unbond: (parameters: vault.UnbondParameters<account>) => Promise<vault.UnbondReturnType>;
  cancelUnbonding: (parameters?: vault.CancelUnbondingParameters<account>) => Promise<vault.CancelUnbondingReturnType>;
  claim: (parameters?: vault.ClaimParameters<account>) => Promise<vault.ClaimReturnType>;
  collectFees: (parameters?: vault.CollectFeesParameters<account>) => Promise<vault.CollectFeesReturnType>;
  announceProvider: (parameters: registry.AnnounceProviderParameters<account>) => Promise<registry.AnnounceProviderReturnType>;
  revokeProvider: (parameters: registry.RevokeProviderParameters<account>) => Promise<registry.RevokeProviderReturnType>;
  announceMaster: (parameters: registry.AnnounceMasterParameters<account>) => Promise<registry.AnnounceMasterReturnType>;
  revokeMaster: (parameters?: registry.RevokeMasterParameters<account>) => Promise<registry.RevokeMasterReturnType>;
  grantAgent: (parameters: registry.GrantAgentParameters<account>) => Promise<registry.GrantAgentReturnType>;
  revokeAgent: (parameters: registry.RevokeAgentParameters<account>) => Promise<registry.RevokeAgentReturnType>;
  setProviderInfo: (parameters: registry.SetProviderInfoParameters<account>) => Promise<registry.SetProviderInfoReturnType>;
  setFee: (parameters: admin.SetFeeParameters<account>) => Promise<admin.SetFeeReturnType>;
  setTreasury: (parameters: admin.SetTreasuryParameters<account>) => Promise<admin.SetTreasuryReturnType>;
  setUnbondingPeriod: (parameters: admin.SetUnbondingPeriodParameters<account>) => Promise<admin.SetUnbondingPeriodReturnType>;
  transferOwnership: (parameters: admin.TransferOwnershipParameters<account>) => Promise<admin.TransferOwnershipReturnType>;
  acceptOwnership: (parameters?: admin.AcceptOwnershipParameters<account>) => Promise<admin.AcceptOwnershipReturnType>;
  renounceOwnership: (parameters?: admin.RenounceOwnershipParameters<account>) => Promise<admin.RenounceOwnershipReturnType>;
};

export type NexusActions<account extends Account | undefined = Account | undefined> = NexusPublicActions & NexusWalletActions<account>;

/** Reads bound to `client`: `publicClient.extend(nexusPublicActions)`. */
export function nexusPublicActions<transport extends Transport, chain extends Chain | undefined>(
  client: Client<transport, chain>,
): NexusPublicActions {
  return {
    getSource: (p) => reads.getSource(client, p),
    getTask: (p) => reads.getTask(client, p),
    getAttempt: (p) => reads.getAttempt(client, p),
    getCommitment: (p) => responses.getCommitment(client, p),
    getRegistrants: (p) => reads.getRegistrants(client, p),
    getAllRegistrants: (p) => reads.getAllRegistrants(client, p),
    getVaultPosition: (p) => reads.getVaultPosition(client, p),
    getPairing: (p) => reads.getPairing(client, p),
    getAgent: (p) => reads.getAgent(client, p),
    getProtocolConfig: (p) => reads.getProtocolConfig(client, p),
    getTermsSeen: (p) => reads.getTermsSeen(client, p),
    predictSourceAddress: (p) => reads.predictSourceAddress(client, p),
    getTaskSnapshot: (p) => snapshot.getTaskSnapshot(client, p),
    getSourceSnapshot: (p) => snapshot.getSourceSnapshot(client, p),
    waitForNexusTransaction: (p) => waitForNexusTransaction(client, p),
  };
}

/** Writes bound to `client`: `walletClient.extend(nexusWalletActions)`. */
export function nexusWalletActions<transport extends Transport, chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<transport, chain, account>,
): NexusWalletActions<account> {
  return {
    publishSource: (p) => sources.publishSource(client, p),
    updateSource: (p) => sources.updateSource(client, p),
    setSourceStatus: (p) => sources.setSourceStatus(client, p),
    register: (p) => sources.register(client, p),
    unregister: (p) => sources.unregister(client, p),
    publishTask: (p) => tasks.publishTask(client, p),
    publishTaskFor: (p) => tasks.publishTaskFor(client, p),
    attempt: (p) => tasks.attempt(client, p),
    commitResponse: (p) => responses.commitResponse(client, p),
    commitVote: (p) => responses.commitVote(client, p),
    revealResponse: (p) => responses.revealResponse(client, p),
    submitResponse: (p) => responses.submitResponse(client, p),
    confirmResponse: (p) => tasks.confirmResponse(client, p),
    cancelTask: (p) => tasks.cancelTask(client, p),
    settle: (p) => tasks.settle(client, p),
    reportLapse: (p) => tasks.reportLapse(client, p),
    releaseAttempt: (p) => tasks.releaseAttempt(client, p),
    rejectResponse: (p) => tasks.rejectResponse(client, p),
    deposit: (p) => vault.deposit(client, p),
    withdraw: (p) => vault.withdraw(client, p),
    lock: (p) => vault.lock(client, p),
    unbond: (p) => vault.unbond(client, p),
    cancelUnbonding: (p) => vault.cancelUnbonding(client, p),
    claim: (p) => vault.claim(client, p),
    collectFees: (p) => vault.collectFees(client, p),
    announceProvider: (p) => registry.announceProvider(client, p),
    revokeProvider: (p) => registry.revokeProvider(client, p),
    announceMaster: (p) => registry.announceMaster(client, p),
    revokeMaster: (p) => registry.revokeMaster(client, p),
    grantAgent: (p) => registry.grantAgent(client, p),
    revokeAgent: (p) => registry.revokeAgent(client, p),
    setProviderInfo: (p) => registry.setProviderInfo(client, p),
    setFee: (p) => admin.setFee(client, p),
    setTreasury: (p) => admin.setTreasury(client, p),
    setUnbondingPeriod: (p) => admin.setUnbondingPeriod(client, p),
    transferOwnership: (p) => admin.transferOwnership(client, p),
    acceptOwnership: (p) => admin.acceptOwnership(client, p),
    renounceOwnership: (p) => admin.renounceOwnership(client, p),
  };
}

/** Reads and writes bound to `client`: `walletClient.extend(nexusActions)`. */
export function nexusActions<transport extends Transport, chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<transport, chain, account>,
): NexusActions<account> {
  return { ...nexusPublicActions(client), ...nexusWalletActions(client) };
}
