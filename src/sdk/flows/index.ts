// Public surface of the SDK's flows: IPFS documents and chain calls composed. Browser-safe.
export {
  NoAgreementError,
  ResponseNotFoundError,
  ResultUnavailableError,
  TaskCanceledError,
  TaskExpiredError,
  WaitForResultTimeoutError,
  type NoAgreementErrorType,
  type ResponseNotFoundErrorType,
  type ResultUnavailableErrorType,
  type TaskCanceledErrorType,
  type TaskExpiredErrorType,
  type WaitForResultTimeoutErrorType,
} from "./errors.ts";
export { blocksAtTimestamp } from "./lookup.ts";
export {
  MAX_COMPOSE_BYTES,
  MAX_METADATA_BYTES,
  MAX_TASK_CONFIG_BYTES,
  publishSourceWithMetadata,
  publishTaskWithConfig,
  type PublishSourceWithMetadataParameters,
  type PublishSourceWithMetadataReturnType,
  type PublishTaskWithConfigParameters,
  type PublishTaskWithConfigReturnType,
} from "./publish.ts";
export {
  DEFAULT_RESULT_RETRY,
  fetchResult,
  getTaskResponses,
  waitForResult,
  type FetchResultErrorType,
  type FetchResultParameters,
  type FetchResultReturnType,
  type FinalizedTaskResult,
  type GetTaskResponsesErrorType,
  type GetTaskResponsesParameters,
  type GetTaskResponsesReturnType,
  type RespondedTaskResult,
  type ResultRetryOptions,
  type TaskResponse,
  type WaitForResultErrorType,
  type WaitForResultParameters,
  type WaitForResultReturnType,
} from "./results.ts";
export {
  getRejectableResponses,
  type GetRejectableResponsesErrorType,
  type GetRejectableResponsesParameters,
  type GetRejectableResponsesReturnType,
  type RejectableResponse,
} from "./agreement.ts";
export {
  clearSourcesCache,
  listSources,
  type InvalidSource,
  type ListedSource,
  type ListSourcesErrorType,
  type ListSourcesParameters,
  type ListSourcesReturnType,
  type SourceFilter,
} from "./sources.ts";
