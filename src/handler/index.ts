// The handler framework: what a source author runs inside the container. Chain-agnostic by design.
export { defineHandler, type AnyHandler, type HandlerContext, type HandlerDefinition } from "./define.ts";
export { serveHandlers, HandlerTimeoutError, type CloseOptions, type HandlerServer, type ServeHandlersOptions } from "./server.ts";
export { callbackTarget, deliverCallback, type CallbackDeliveryOptions, type CallbackDeliveryResult } from "./callback.ts";
export { runHandlerServer, type RunHandlerServerOptions } from "./main.ts";
