// Public surface of the SDK's event module. Browser-safe: nothing here imports Node built-ins.
export {
  compareEventCursors,
  createEventCursorStore,
  cursorAfterBlock,
  cursorAfterEvent,
  parseEventCursor,
  serializeEventCursor,
  type EventCursorStore,
} from "./cursor.ts";
export { DEFAULT_MAX_BLOCK_RANGE, getNexusEvents, isLogRangeRefusal, type GetNexusEventsParameters } from "./logs.ts";
export {
  getSourceVersion,
  SourceVersionNotFoundError,
  type GetSourceVersionErrorType,
  type GetSourceVersionParameters,
  type GetSourceVersionReturnType,
} from "./source-versions.ts";
export {
  DEFAULT_REORG_DEPTH,
  subscribeNexusEvents,
  watchNexusEvents,
  type SubscribeNexusEventsParameters,
  type WatchNexusEventsParameters,
} from "./watch.ts";
export type {
  AddressFilter,
  EventCursor,
  NexusEvent,
  NexusEventBatch,
  NexusEventFilter,
  NexusEventsBatch,
  NexusIndexedArgName,
  NexusRemovedBatch,
} from "./types.ts";
