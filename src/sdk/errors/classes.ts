// One class per custom error of `nexusErrorsAbi`, made by `defineRevertError`: `instanceof`, `errorName`, typed `args`.
// The list is spelled out so each class is a named export; errors.test.ts checks it covers the ABI exactly.
import { defineRevertError, type NexusErrorName, type NexusRevertError, type NexusRevertErrorClass } from "./revert.ts";

export const AllowanceExceededError = defineRevertError("AllowanceExceeded");
export type AllowanceExceededError = NexusRevertError<"AllowanceExceeded">;
export type AllowanceExceededErrorType = AllowanceExceededError & { name: "AllowanceExceededError" };
export const AlreadyAttemptedError = defineRevertError("AlreadyAttempted");
export type AlreadyAttemptedError = NexusRevertError<"AlreadyAttempted">;
export type AlreadyAttemptedErrorType = AlreadyAttemptedError & { name: "AlreadyAttemptedError" };
export const AlreadyCommittedError = defineRevertError("AlreadyCommitted");
export type AlreadyCommittedError = NexusRevertError<"AlreadyCommitted">;
export type AlreadyCommittedErrorType = AlreadyCommittedError & { name: "AlreadyCommittedError" };
export const AlreadyInitializedError = defineRevertError("AlreadyInitialized");
export type AlreadyInitializedError = NexusRevertError<"AlreadyInitialized">;
export type AlreadyInitializedErrorType = AlreadyInitializedError & { name: "AlreadyInitializedError" };
export const AlreadyRegisteredError = defineRevertError("AlreadyRegistered");
export type AlreadyRegisteredError = NexusRevertError<"AlreadyRegistered">;
export type AlreadyRegisteredErrorType = AlreadyRegisteredError & { name: "AlreadyRegisteredError" };
export const AmountOverflowError = defineRevertError("AmountOverflow");
export type AmountOverflowError = NexusRevertError<"AmountOverflow">;
export type AmountOverflowErrorType = AmountOverflowError & { name: "AmountOverflowError" };
export const AttemptNotLiveError = defineRevertError("AttemptNotLive");
export type AttemptNotLiveError = NexusRevertError<"AttemptNotLive">;
export type AttemptNotLiveErrorType = AttemptNotLiveError & { name: "AttemptNotLiveError" };
export const AttemptSlotsFullError = defineRevertError("AttemptSlotsFull");
export type AttemptSlotsFullError = NexusRevertError<"AttemptSlotsFull">;
export type AttemptSlotsFullErrorType = AttemptSlotsFullError & { name: "AttemptSlotsFullError" };
export const AttemptWindowTooShortError = defineRevertError("AttemptWindowTooShort");
export type AttemptWindowTooShortError = NexusRevertError<"AttemptWindowTooShort">;
export type AttemptWindowTooShortErrorType = AttemptWindowTooShortError & { name: "AttemptWindowTooShortError" };
export const CloneArgumentsTooLongError = defineRevertError("CloneArgumentsTooLong");
export type CloneArgumentsTooLongError = NexusRevertError<"CloneArgumentsTooLong">;
export type CloneArgumentsTooLongErrorType = CloneArgumentsTooLongError & { name: "CloneArgumentsTooLongError" };
export const CommitmentMismatchError = defineRevertError("CommitmentMismatch");
export type CommitmentMismatchError = NexusRevertError<"CommitmentMismatch">;
export type CommitmentMismatchErrorType = CommitmentMismatchError & { name: "CommitmentMismatchError" };
export const Create2EmptyBytecodeError = defineRevertError("Create2EmptyBytecode");
export type Create2EmptyBytecodeError = NexusRevertError<"Create2EmptyBytecode">;
export type Create2EmptyBytecodeErrorType = Create2EmptyBytecodeError & { name: "Create2EmptyBytecodeError" };
export const FailedDeploymentError = defineRevertError("FailedDeployment");
export type FailedDeploymentError = NexusRevertError<"FailedDeployment">;
export type FailedDeploymentErrorType = FailedDeploymentError & { name: "FailedDeploymentError" };
export const FeeTooHighError = defineRevertError("FeeTooHigh");
export type FeeTooHighError = NexusRevertError<"FeeTooHigh">;
export type FeeTooHighErrorType = FeeTooHighError & { name: "FeeTooHighError" };
export const InsufficientBalanceError = defineRevertError("InsufficientBalance");
export type InsufficientBalanceError = NexusRevertError<"InsufficientBalance">;
export type InsufficientBalanceErrorType = InsufficientBalanceError & { name: "InsufficientBalanceError" };
export const InsufficientFreeLockupError = defineRevertError("InsufficientFreeLockup");
export type InsufficientFreeLockupError = NexusRevertError<"InsufficientFreeLockup">;
export type InsufficientFreeLockupErrorType = InsufficientFreeLockupError & { name: "InsufficientFreeLockupError" };
export const InvalidAgentScopesError = defineRevertError("InvalidAgentScopes");
export type InvalidAgentScopesError = NexusRevertError<"InvalidAgentScopes">;
export type InvalidAgentScopesErrorType = InvalidAgentScopesError & { name: "InvalidAgentScopesError" };
export const InvalidEnvironmentsError = defineRevertError("InvalidEnvironments");
export type InvalidEnvironmentsError = NexusRevertError<"InvalidEnvironments">;
export type InvalidEnvironmentsErrorType = InvalidEnvironmentsError & { name: "InvalidEnvironmentsError" };
export const InvalidExpiryError = defineRevertError("InvalidExpiry");
export type InvalidExpiryError = NexusRevertError<"InvalidExpiry">;
export type InvalidExpiryErrorType = InvalidExpiryError & { name: "InvalidExpiryError" };
export const FeeChangedError = defineRevertError("FeeChanged");
export type FeeChangedError = NexusRevertError<"FeeChanged">;
export type FeeChangedErrorType = FeeChangedError & { name: "FeeChangedError" };
export const InvalidAttemptTimeoutError = defineRevertError("InvalidAttemptTimeout");
export type InvalidAttemptTimeoutError = NexusRevertError<"InvalidAttemptTimeout">;
export type InvalidAttemptTimeoutErrorType = InvalidAttemptTimeoutError & { name: "InvalidAttemptTimeoutError" };
export const InvalidMaxConcurrentAttemptsError = defineRevertError("InvalidMaxConcurrentAttempts");
export type InvalidMaxConcurrentAttemptsError = NexusRevertError<"InvalidMaxConcurrentAttempts">;
export type InvalidMaxConcurrentAttemptsErrorType = InvalidMaxConcurrentAttemptsError & { name: "InvalidMaxConcurrentAttemptsError" };
export const LockupBelowMinimumError = defineRevertError("LockupBelowMinimum");
export type LockupBelowMinimumError = NexusRevertError<"LockupBelowMinimum">;
export type LockupBelowMinimumErrorType = LockupBelowMinimumError & { name: "LockupBelowMinimumError" };
export const MasterAlreadyAttemptedError = defineRevertError("MasterAlreadyAttempted");
export type MasterAlreadyAttemptedError = NexusRevertError<"MasterAlreadyAttempted">;
export type MasterAlreadyAttemptedErrorType = MasterAlreadyAttemptedError & { name: "MasterAlreadyAttemptedError" };
export const MissingAgentScopeError = defineRevertError("MissingAgentScope");
export type MissingAgentScopeError = NexusRevertError<"MissingAgentScope">;
export type MissingAgentScopeErrorType = MissingAgentScopeError & { name: "MissingAgentScopeError" };
export const MissingReviewWindowError = defineRevertError("MissingReviewWindow");
export type MissingReviewWindowError = NexusRevertError<"MissingReviewWindow">;
export type MissingReviewWindowErrorType = MissingReviewWindowError & { name: "MissingReviewWindowError" };
export const NoMasterAnnouncedError = defineRevertError("NoMasterAnnounced");
export type NoMasterAnnouncedError = NexusRevertError<"NoMasterAnnounced">;
export type NoMasterAnnouncedErrorType = NoMasterAnnouncedError & { name: "NoMasterAnnouncedError" };
export const NoResponseError = defineRevertError("NoResponse");
export type NoResponseError = NexusRevertError<"NoResponse">;
export type NoResponseErrorType = NoResponseError & { name: "NoResponseError" };
export const NothingUnbondingError = defineRevertError("NothingUnbonding");
export type NothingUnbondingError = NexusRevertError<"NothingUnbonding">;
export type NothingUnbondingErrorType = NothingUnbondingError & { name: "NothingUnbondingError" };
export const NotCutShortError = defineRevertError("NotCutShort");
export type NotCutShortError = NexusRevertError<"NotCutShort">;
export type NotCutShortErrorType = NotCutShortError & { name: "NotCutShortError" };
export const NotLapsedError = defineRevertError("NotLapsed");
export type NotLapsedError = NexusRevertError<"NotLapsed">;
export type NotLapsedErrorType = NotLapsedError & { name: "NotLapsedError" };
export const NotManualTaskError = defineRevertError("NotManualTask");
export type NotManualTaskError = NexusRevertError<"NotManualTask">;
export type NotManualTaskErrorType = NotManualTaskError & { name: "NotManualTaskError" };
export const NotNexusError = defineRevertError("NotNexus");
export type NotNexusError = NexusRevertError<"NotNexus">;
export type NotNexusErrorType = NotNexusError & { name: "NotNexusError" };
export const NotRegisteredError = defineRevertError("NotRegistered");
export type NotRegisteredError = NexusRevertError<"NotRegistered">;
export type NotRegisteredErrorType = NotRegisteredError & { name: "NotRegisteredError" };
export const NotRegistryNexusError = defineRevertError("NotRegistryNexus");
export type NotRegistryNexusError = NexusRevertError<"NotRegistryNexus">;
export type NotRegistryNexusErrorType = NotRegistryNexusError & { name: "NotRegistryNexusError" };
export const NotSourceNexusError = defineRevertError("NotSourceNexus");
export type NotSourceNexusError = NexusRevertError<"NotSourceNexus">;
export type NotSourceNexusErrorType = NotSourceNexusError & { name: "NotSourceNexusError" };
export const NotTaskNexusError = defineRevertError("NotTaskNexus");
export type NotTaskNexusError = NexusRevertError<"NotTaskNexus">;
export type NotTaskNexusErrorType = NotTaskNexusError & { name: "NotTaskNexusError" };
export const NotYetSettleableError = defineRevertError("NotYetSettleable");
export type NotYetSettleableError = NexusRevertError<"NotYetSettleable">;
export type NotYetSettleableErrorType = NotYetSettleableError & { name: "NotYetSettleableError" };
export const OwnableInvalidOwnerError = defineRevertError("OwnableInvalidOwner");
export type OwnableInvalidOwnerError = NexusRevertError<"OwnableInvalidOwner">;
export type OwnableInvalidOwnerErrorType = OwnableInvalidOwnerError & { name: "OwnableInvalidOwnerError" };
export const OwnableUnauthorizedAccountError = defineRevertError("OwnableUnauthorizedAccount");
export type OwnableUnauthorizedAccountError = NexusRevertError<"OwnableUnauthorizedAccount">;
export type OwnableUnauthorizedAccountErrorType = OwnableUnauthorizedAccountError & { name: "OwnableUnauthorizedAccountError" };
export const PaymentAboveEscrowError = defineRevertError("PaymentAboveEscrow");
export type PaymentAboveEscrowError = NexusRevertError<"PaymentAboveEscrow">;
export type PaymentAboveEscrowErrorType = PaymentAboveEscrowError & { name: "PaymentAboveEscrowError" };
export const PenaltyAboveMasterCapError = defineRevertError("PenaltyAboveMasterCap");
export type PenaltyAboveMasterCapError = NexusRevertError<"PenaltyAboveMasterCap">;
export type PenaltyAboveMasterCapErrorType = PenaltyAboveMasterCapError & { name: "PenaltyAboveMasterCapError" };
export const PaymentBelowMinimumError = defineRevertError("PaymentBelowMinimum");
export type PaymentBelowMinimumError = NexusRevertError<"PaymentBelowMinimum">;
export type PaymentBelowMinimumErrorType = PaymentBelowMinimumError & { name: "PaymentBelowMinimumError" };
export const ProviderNotAnnouncedError = defineRevertError("ProviderNotAnnounced");
export type ProviderNotAnnouncedError = NexusRevertError<"ProviderNotAnnounced">;
export type ProviderNotAnnouncedErrorType = ProviderNotAnnouncedError & { name: "ProviderNotAnnouncedError" };
export const ProviderNotPairedError = defineRevertError("ProviderNotPaired");
export type ProviderNotPairedError = NexusRevertError<"ProviderNotPaired">;
export type ProviderNotPairedErrorType = ProviderNotPairedError & { name: "ProviderNotPairedError" };
export const ReentrancyGuardReentrantCallError = defineRevertError("ReentrancyGuardReentrantCall");
export type ReentrancyGuardReentrantCallError = NexusRevertError<"ReentrancyGuardReentrantCall">;
export type ReentrancyGuardReentrantCallErrorType = ReentrancyGuardReentrantCallError & { name: "ReentrancyGuardReentrantCallError" };
export const ReviewWindowClosedError = defineRevertError("ReviewWindowClosed");
export type ReviewWindowClosedError = NexusRevertError<"ReviewWindowClosed">;
export type ReviewWindowClosedErrorType = ReviewWindowClosedError & { name: "ReviewWindowClosedError" };
export const NotCommittedError = defineRevertError("NotCommitted");
export type NotCommittedError = NexusRevertError<"NotCommitted">;
export type NotCommittedErrorType = NotCommittedError & { name: "NotCommittedError" };
export const RevealTooEarlyError = defineRevertError("RevealTooEarly");
export type RevealTooEarlyError = NexusRevertError<"RevealTooEarly">;
export type RevealTooEarlyErrorType = RevealTooEarlyError & { name: "RevealTooEarlyError" };
export const SourceChangedError = defineRevertError("SourceChanged");
export type SourceChangedError = NexusRevertError<"SourceChanged">;
export type SourceChangedErrorType = SourceChangedError & { name: "SourceChangedError" };
export const SourceInactiveError = defineRevertError("SourceInactive");
export type SourceInactiveError = NexusRevertError<"SourceInactive">;
export type SourceInactiveErrorType = SourceInactiveError & { name: "SourceInactiveError" };
export const TaskAlreadyFinalizedError = defineRevertError("TaskAlreadyFinalized");
export type TaskAlreadyFinalizedError = NexusRevertError<"TaskAlreadyFinalized">;
export type TaskAlreadyFinalizedErrorType = TaskAlreadyFinalizedError & { name: "TaskAlreadyFinalizedError" };
export const TaskClosedError = defineRevertError("TaskClosed");
export type TaskClosedError = NexusRevertError<"TaskClosed">;
export type TaskClosedErrorType = TaskClosedError & { name: "TaskClosedError" };
export const TaskInProgressError = defineRevertError("TaskInProgress");
export type TaskInProgressError = NexusRevertError<"TaskInProgress">;
export type TaskInProgressErrorType = TaskInProgressError & { name: "TaskInProgressError" };
export const TaskPastExpiryError = defineRevertError("TaskPastExpiry");
export type TaskPastExpiryError = NexusRevertError<"TaskPastExpiry">;
export type TaskPastExpiryErrorType = TaskPastExpiryError & { name: "TaskPastExpiryError" };
export const TransferFailedError = defineRevertError("TransferFailed");
export type TransferFailedError = NexusRevertError<"TransferFailed">;
export type TransferFailedErrorType = TransferFailedError & { name: "TransferFailedError" };
export const UnauthorizedError = defineRevertError("Unauthorized");
export type UnauthorizedError = NexusRevertError<"Unauthorized">;
export type UnauthorizedErrorType = UnauthorizedError & { name: "UnauthorizedError" };
export const UnbondingNotMaturedError = defineRevertError("UnbondingNotMatured");
export type UnbondingNotMaturedError = NexusRevertError<"UnbondingNotMatured">;
export type UnbondingNotMaturedErrorType = UnbondingNotMaturedError & { name: "UnbondingNotMaturedError" };
export const UnbondingPeriodOutOfRangeError = defineRevertError("UnbondingPeriodOutOfRange");
export type UnbondingPeriodOutOfRangeError = NexusRevertError<"UnbondingPeriodOutOfRange">;
export type UnbondingPeriodOutOfRangeErrorType = UnbondingPeriodOutOfRangeError & { name: "UnbondingPeriodOutOfRangeError" };
export const UnknownSourceError = defineRevertError("UnknownSource");
export type UnknownSourceError = NexusRevertError<"UnknownSource">;
export type UnknownSourceErrorType = UnknownSourceError & { name: "UnknownSourceError" };
export const UnknownTaskError = defineRevertError("UnknownTask");
export type UnknownTaskError = NexusRevertError<"UnknownTask">;
export type UnknownTaskErrorType = UnknownTaskError & { name: "UnknownTaskError" };
export const UnsupportedEnvironmentError = defineRevertError("UnsupportedEnvironment");
export type UnsupportedEnvironmentError = NexusRevertError<"UnsupportedEnvironment">;
export type UnsupportedEnvironmentErrorType = UnsupportedEnvironmentError & { name: "UnsupportedEnvironmentError" };
export const ValueOverflowError = defineRevertError("ValueOverflow");
export type ValueOverflowError = NexusRevertError<"ValueOverflow">;
export type ValueOverflowErrorType = ValueOverflowError & { name: "ValueOverflowError" };
export const ZeroAddressError = defineRevertError("ZeroAddress");
export type ZeroAddressError = NexusRevertError<"ZeroAddress">;
export type ZeroAddressErrorType = ZeroAddressError & { name: "ZeroAddressError" };
export const ZeroAmountError = defineRevertError("ZeroAmount");
export type ZeroAmountError = NexusRevertError<"ZeroAmount">;
export type ZeroAmountErrorType = ZeroAmountError & { name: "ZeroAmountError" };
export const ZeroDurationError = defineRevertError("ZeroDuration");
export type ZeroDurationError = NexusRevertError<"ZeroDuration">;
export type ZeroDurationErrorType = ZeroDurationError & { name: "ZeroDurationError" };
export const NotAgreementTaskError = defineRevertError("NotAgreementTask");
export type NotAgreementTaskError = NexusRevertError<"NotAgreementTask">;
export type NotAgreementTaskErrorType = NotAgreementTaskError & { name: "NotAgreementTaskError" };
export const VotingClosedError = defineRevertError("VotingClosed");
export type VotingClosedError = NexusRevertError<"VotingClosed">;
export type VotingClosedErrorType = VotingClosedError & { name: "VotingClosedError" };
export const NotAJurorError = defineRevertError("NotAJuror");
export type NotAJurorError = NexusRevertError<"NotAJuror">;
export type NotAJurorErrorType = NotAJurorError & { name: "NotAJurorError" };
export const RevealsNotOpenError = defineRevertError("RevealsNotOpen");
export type RevealsNotOpenError = NexusRevertError<"RevealsNotOpen">;
export type RevealsNotOpenErrorType = RevealsNotOpenError & { name: "RevealsNotOpenError" };
export const NotRejectedError = defineRevertError("NotRejected");
export type NotRejectedError = NexusRevertError<"NotRejected">;
export type NotRejectedErrorType = NotRejectedError & { name: "NotRejectedError" };
export const InvalidVerificationError = defineRevertError("InvalidVerification");
export type InvalidVerificationError = NexusRevertError<"InvalidVerification">;
export type InvalidVerificationErrorType = InvalidVerificationError & { name: "InvalidVerificationError" };

/** The class of each custom error, by error name. */
export const nexusRevertErrors: { readonly [N in NexusErrorName]: NexusRevertErrorClass<N> } = {
  AllowanceExceeded: AllowanceExceededError,
  AlreadyAttempted: AlreadyAttemptedError,
  AlreadyCommitted: AlreadyCommittedError,
  AlreadyInitialized: AlreadyInitializedError,
  AlreadyRegistered: AlreadyRegisteredError,
  AmountOverflow: AmountOverflowError,
  AttemptNotLive: AttemptNotLiveError,
  CommitmentMismatch: CommitmentMismatchError,
  NotCommitted: NotCommittedError,
  RevealTooEarly: RevealTooEarlyError,
  AttemptSlotsFull: AttemptSlotsFullError,
  AttemptWindowTooShort: AttemptWindowTooShortError,
  CloneArgumentsTooLong: CloneArgumentsTooLongError,
  Create2EmptyBytecode: Create2EmptyBytecodeError,
  FailedDeployment: FailedDeploymentError,
  FeeTooHigh: FeeTooHighError,
  InsufficientBalance: InsufficientBalanceError,
  InsufficientFreeLockup: InsufficientFreeLockupError,
  InvalidAgentScopes: InvalidAgentScopesError,
  InvalidEnvironments: InvalidEnvironmentsError,
  InvalidExpiry: InvalidExpiryError,
  InvalidAttemptTimeout: InvalidAttemptTimeoutError,
  InvalidMaxConcurrentAttempts: InvalidMaxConcurrentAttemptsError,
  LockupBelowMinimum: LockupBelowMinimumError,
  FeeChanged: FeeChangedError,
  MasterAlreadyAttempted: MasterAlreadyAttemptedError,
  MissingAgentScope: MissingAgentScopeError,
  MissingReviewWindow: MissingReviewWindowError,
  NoMasterAnnounced: NoMasterAnnouncedError,
  NoResponse: NoResponseError,
  NothingUnbonding: NothingUnbondingError,
  NotCutShort: NotCutShortError,
  NotLapsed: NotLapsedError,
  NotAgreementTask: NotAgreementTaskError,
  VotingClosed: VotingClosedError,
  NotAJuror: NotAJurorError,
  RevealsNotOpen: RevealsNotOpenError,
  NotRejected: NotRejectedError,
  InvalidVerification: InvalidVerificationError,
  NotManualTask: NotManualTaskError,
  NotNexus: NotNexusError,
  NotRegistered: NotRegisteredError,
  NotRegistryNexus: NotRegistryNexusError,
  NotSourceNexus: NotSourceNexusError,
  NotTaskNexus: NotTaskNexusError,
  NotYetSettleable: NotYetSettleableError,
  OwnableInvalidOwner: OwnableInvalidOwnerError,
  OwnableUnauthorizedAccount: OwnableUnauthorizedAccountError,
  PaymentAboveEscrow: PaymentAboveEscrowError,
  PaymentBelowMinimum: PaymentBelowMinimumError,
  PenaltyAboveMasterCap: PenaltyAboveMasterCapError,
  ProviderNotAnnounced: ProviderNotAnnouncedError,
  ProviderNotPaired: ProviderNotPairedError,
  ReentrancyGuardReentrantCall: ReentrancyGuardReentrantCallError,
  ReviewWindowClosed: ReviewWindowClosedError,
  SourceInactive: SourceInactiveError,
  SourceChanged: SourceChangedError,
  TaskAlreadyFinalized: TaskAlreadyFinalizedError,
  TaskClosed: TaskClosedError,
  TaskInProgress: TaskInProgressError,
  TaskPastExpiry: TaskPastExpiryError,
  TransferFailed: TransferFailedError,
  Unauthorized: UnauthorizedError,
  UnbondingNotMatured: UnbondingNotMaturedError,
  UnbondingPeriodOutOfRange: UnbondingPeriodOutOfRangeError,
  UnknownSource: UnknownSourceError,
  UnknownTask: UnknownTaskError,
  UnsupportedEnvironment: UnsupportedEnvironmentError,
  ValueOverflow: ValueOverflowError,
  ZeroAddress: ZeroAddressError,
  ZeroAmount: ZeroAmountError,
  ZeroDuration: ZeroDurationError,
};
