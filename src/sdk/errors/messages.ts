// One human sentence per custom error, written by hand: what went wrong, with the values that explain it.
import { formatEther, hexToString, type Hex } from "viem";
import { taskStatusName } from "../abis.ts";
import type { NexusErrorName, NexusErrorNamedArgs } from "./revert.ts";

const eth = (wei: bigint) => `${formatEther(wei)} ETH`;
const time = (seconds: bigint | number) => {
  const n = Number(seconds);
  if (n === 0) return "time 0";
  const iso = new Date(n * 1000).toISOString().replace(".000Z", "Z");
  return `${iso} (${n})`;
};
const duration = (seconds: bigint | number) => {
  const n = Number(seconds);
  if (n % 86_400 === 0 && n > 0) return `${n / 86_400} day(s)`;
  if (n % 3_600 === 0 && n > 0) return `${n / 3_600} hour(s)`;
  return `${n} s`;
};
const bytes32Text = (value: Hex) => {
  try {
    return hexToString(value, { size: 32 }).replace(/\0+$/, "");
  } catch {
    return value;
  }
};
const envNames = (mask: number) =>
  [mask & 1 ? "CPU" : "", mask & 2 ? "NVIDIA" : "", mask & 4 ? "AMD" : "", mask & ~7 ? `unknown bits 0x${(mask & ~7).toString(16)}` : ""]
    .filter(Boolean)
    .join(" | ") || "none";

const scopeName = (scope: number) => (scope === 1 ? "client" : scope === 2 ? "operator" : `0x${scope.toString(16)}`);

export type RevertMessages = { [N in NexusErrorName]: (args: NexusErrorNamedArgs<N>) => string };

/** The `shortMessage` of each decoded revert. */
export const revertMessages: RevertMessages = {
  // Nexus
  ZeroAddress: () => "An address argument is the zero address.",
  Unauthorized: (a) => `${a.caller} may not act for ${a.principal}: it is neither that account nor one of its agents.`,
  PenaltyAboveMasterCap: (a) =>
    `The lapse penalty ${eth(a.penalty)} is above the ${eth(a.maxPenalty)} per attempt that the master of ${a.provider} accepts for it (the master raises it with announceProvider).`,
  UnknownSource: (a) => `${a.source} is not a source created by this Nexus.`,
  UnknownTask: (a) => `${a.task} is not a task created by this Nexus.`,
  SourceInactive: (a) => `The source ${a.source} is inactive and takes no new tasks or registrations.`,
  SourceChanged: (a) =>
    `The source ${a.source} was updated after you read it (version ${a.seenVersion}, now ${a.version}): nothing was published. Read its terms again (getSource) before publishing on them.`,
  FeeChanged: (a) =>
    `The protocol fee changed after you read it (${a.seenFeeBps} bps, now ${a.feeBps} bps): nothing was published. Publish again if the new fee suits you.`,
  PaymentBelowMinimum: (a) => `The payment ${eth(a.payment)} is below the source's minimum ${eth(a.minPayment)}.`,
  InvalidExpiry: (a) =>
    `The expiry ${time(a.expiryTime)} is outside the allowed range ${time(a.earliest)} to ${time(a.latest)}.`,
  ProviderNotPaired: (a) => `The provider ${a.provider} is not paired with a master (both sides must announce each other).`,
  LockupBelowMinimum: (a) =>
    `The master ${a.master} has ${eth(a.freeLockup)} of free lockup (not reserved by live attempts), below the source's minimum available lockup ${eth(a.minAvailableLockup)}.`,
  FeeTooHigh: (a) => `The fee ${a.feeBps} bps is above the cap of ${a.maxFeeBps} bps.`,
  UnbondingPeriodOutOfRange: (a) =>
    `The unbonding period ${duration(a.period)} must be between ${duration(a.minPeriod)} and ${duration(a.maxPeriod)}.`,
  AlreadyCommitted: (a) =>
    `The provider ${a.provider} already committed a response to the task ${a.task} at ${time(a.committedAt)}; a provider commits once per task (reveal that commitment).`,
  NotCommitted: (a) => `The provider ${a.provider} has no commitment on the task ${a.task} to reveal: commit the response first (commitResponse), then reveal it in a later block.`,
  RevealTooEarly: (a) =>
    `The response of ${a.provider} to the task ${a.task} was committed at ${time(a.committedAt)}; it is revealed in a later block, at a later time.`,
  CommitmentMismatch: (a) =>
    `The revealed response of ${a.provider} to the task ${a.task} does not open its commitment: the result hash, asked payment or secret differs from what was committed.`,
  ValueOverflow: (a) => `The value ${a.value} does not fit the protocol's storage width (payments are at most 2^96 - 1 wei).`,
  // Task
  NotTaskNexus: (a) => `${a.caller} is not the Nexus that created this task; only Nexus may change a task.`,
  TaskClosed: (a) => `The task ${a.task} is ${taskStatusName(a.status)} and takes no further action.`,
  TaskAlreadyFinalized: (a) => `The task ${a.task} was already won by ${a.winner}; this response came too late.`,
  TaskPastExpiry: (a) => `The task ${a.task} expired at ${time(a.expiryTime)}.`,
  AlreadyAttempted: (a) => `The provider ${a.provider} already attempted the task ${a.task}; each provider attempts once.`,
  MasterAlreadyAttempted: (a) =>
    `The master ${a.master} already attempted the task ${a.task} through ${a.provider}; each master attempts a task once.`,
  AttemptWindowTooShort: (a) =>
    `Only ${duration(a.window)} is left before the task ${a.task} expires; an attempt needs at least ${duration(a.minWindow)} (half the attempt timeout).`,
  AttemptSlotsFull: (a) =>
    `All ${a.maxConcurrentAttempts} attempt slot(s) of the task ${a.task} are held (${a.liveAttempts} live); a lapsed attempt frees its slot through reportLapse.`,
  PaymentAboveEscrow: (a) => `The amount ${eth(a.amount)} exceeds the task ${a.task}'s payment ${eth(a.payment)}.`,
  AttemptNotLive: (a) =>
    a.deadline === 0
      ? `The provider ${a.provider} has no attempt on the task ${a.task}.`
      : `The provider ${a.provider} holds no live attempt on the task ${a.task} (deadline ${time(a.deadline)}): it responded, lapsed or ran out of time.`,
  NotManualTask: (a) => `The task ${a.task} is FIRST_RESPONSE; only MANUAL_CONFIRMATION tasks are confirmed.`,
  ReviewWindowClosed: (a) => `The review window of the task ${a.task} closed at ${time(a.closedAt)}; the task can only be settled.`,
  NoResponse: (a) => `The provider ${a.provider} has no response on the task ${a.task}.`,
  TaskInProgress: (a) =>
    a.respondent !== "0x0000000000000000000000000000000000000000"
      ? `The task ${a.task} has a response from ${a.respondent} and cannot be canceled.`
      : `The task ${a.task} has a live attempt until ${time(a.lastDeadline)} and cannot be canceled before then.`,
  NotYetSettleable: (a) => `The task ${a.task} can still change; it can be settled from ${time(a.settleableAt)}.`,
  NotCutShort: (a) =>
    `The attempt of ${a.provider} on the task ${a.task} was not cut short: it is not live, the task is still open, it lapsed (reportLapse), or it won.`,
  NotLapsed: (a) =>
    `The attempt of ${a.provider} on the task ${a.task} did not lapse: it responded, was already reported, or its deadline has not passed.`,
  NotAgreementTask: (a) => `The task ${a.task} is not an AGREEMENT task.`,
  VotingClosed: (a) =>
    `A result of the task ${a.task} was revealed at ${time(a.votingClosedAt)}: its jury takes no new attempt or commitment.`,
  NotAJuror: (a) =>
    `The provider ${a.provider} is not a juror of the task ${a.task} waiting to reveal: commit with commitVote first (or it already revealed).`,
  RevealsNotOpen: (a) =>
    `Only ${a.jurors} of the ${a.quorum} jurors the task ${a.task} needs have committed: results are revealed once the jury is complete.`,
  NotRejected: (a) =>
    `The response of ${a.provider} on the task ${a.task} was not rejected: the task is open, it is the agreed result, or it was already handled.`,
  // Source
  NotSourceNexus: (a) => `${a.caller} is not the Nexus that created this source; only Nexus may change a source.`,
  AlreadyInitialized: (a) => `The source ${a.source} was already initialized.`,
  InvalidEnvironments: (a) => `The environment mask ${a.environments} (${envNames(a.environments)}) must be a non-empty subset of CPU = 1, NVIDIA = 2, AMD = 4.`,
  InvalidAttemptTimeout: (a) => `The attemptTimeout ${duration(a.attemptTimeout)} must be between 1 s and ${duration(a.cap)}.`,
  InvalidMaxConcurrentAttempts: (a) => `The maxConcurrentAttempts ${a.maxConcurrentAttempts} must be between 1 and ${a.cap}.`,
  ZeroDuration: (a) => `The duration ${bytes32Text(a.name)} must be positive.`,
  MissingReviewWindow: () => "A MANUAL_CONFIRMATION source needs a positive review window.",
  InvalidVerification: (a) =>
    a.verification === 0
      ? `A source without verification takes quorum 0, not ${a.quorum}.`
      : `An AGREEMENT source needs FIRST_RESPONSE delivery, a quorum from 2 to 8 within its attempt slots (got ${a.quorum}) and a positive lapse penalty.`,
  UnsupportedEnvironment: (a) =>
    `The environment ${a.environment} is not exactly one of the source ${a.source}'s offered environments (${envNames(a.offered)}).`,
  AlreadyRegistered: (a) => `The provider ${a.provider} is already registered to the source ${a.source}.`,
  NotRegistered: (a) => `The provider ${a.provider} is not registered to the source ${a.source}.`,
  // Vault
  NotNexus: (a) => `${a.caller} is not Nexus; only Nexus may move funds in the vault.`,
  ZeroAmount: () => "The amount must be positive (or there is nothing to move).",
  InsufficientBalance: (a) => `The balance of ${a.account} is ${eth(a.balance)}, less than the ${eth(a.needed)} needed.`,
  InsufficientFreeLockup: (a) =>
    `The free lockup of ${a.account} (its lockup less what live attempts reserve) is ${eth(a.free)}, less than the ${eth(a.needed)} needed.`,
  NothingUnbonding: (a) => `Nothing is unbonding for ${a.account}.`,
  UnbondingNotMatured: (a) => `The unbonding of ${a.account} matures at ${time(a.maturesAt)}.`,
  TransferFailed: (a) => `Sending ${eth(a.amount)} to ${a.to} failed (the recipient refused native currency).`,
  AmountOverflow: (a) => `The amount ${a.amount} does not fit the vault's accounting width.`,
  // Provider registry
  NotRegistryNexus: (a) => `${a.caller} is not Nexus; only Nexus may write to the provider registry.`,
  ProviderNotAnnounced: (a) => `The master ${a.master} has not announced the provider ${a.provider}.`,
  NoMasterAnnounced: (a) => `The provider ${a.provider} has not announced any master.`,
  InvalidAgentScopes: (a) => `The agent scopes ${a.scopes} have unknown bits: the scopes are CLIENT = 1 and OPERATOR = 2.`,
  MissingAgentScope: (a) =>
    `${a.agent} is an agent of ${a.principal} but was not granted the ${scopeName(a.scope)} scope this call needs.`,
  AllowanceExceeded: (a) =>
    `The agent ${a.agent} may draw ${eth(a.allowance)} more of ${a.principal}'s balance, less than the ${eth(a.needed)} this task draws (send the rest as value, or have the principal raise the allowance).`,
  // Libraries (OpenZeppelin)
  OwnableUnauthorizedAccount: (a) => `${a.account} is not the owner (or the pending owner) of Nexus.`,
  OwnableInvalidOwner: (a) => `${a.owner} cannot be the owner.`,
  ReentrancyGuardReentrantCall: () => "Reentrant call refused.",
  CloneArgumentsTooLong: () => "The clone's immutable arguments are too long.",
  Create2EmptyBytecode: () => "CREATE2 was given empty bytecode.",
  FailedDeployment: () => "The clone could not be deployed (its address is already taken: same terms and salt).",
};
