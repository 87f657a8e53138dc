import type { Logger } from "pino";
import type { z } from "zod";

/** What a handler's `run` receives besides its validated input. */
export type HandlerContext = {
  /** Aborted when the per-call timeout fires or the server shuts down: long work should watch it. */
  signal: AbortSignal;
  /** The task id from the route (`/run/{function_name}/{task}`). */
  taskId: string;
  /** A child logger already carrying the function name and task id. */
  logger: Logger;
};

/**
 * One function a source serves. The schemas are the contract: input is checked before the 202, output
 * before it is POSTed back, so a buggy handler reports an error instead of a malformed result.
 */
export type HandlerDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> = {
  name: string;
  input: I;
  output: O;
  run: (input: z.output<I>, context: HandlerContext) => Promise<z.input<O>>;
  /** Overrides the server's default per-call timeout. */
  timeoutMs?: number;
};

/** Any handler, whatever its schemas: what the server stores in its table. */
export type AnyHandler = {
  name: string;
  input: z.ZodType;
  output: z.ZodType;
  run: (input: never, context: HandlerContext) => Promise<unknown>;
  timeoutMs?: number;
};

// Function names end up in URLs and logs; keep them boring so routing needs no escaping.
const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** Declares a handler; the generics tie `run`'s types to the schemas. */
export function defineHandler<I extends z.ZodType, O extends z.ZodType>(
  definition: HandlerDefinition<I, O>,
): HandlerDefinition<I, O> {
  if (!NAME_PATTERN.test(definition.name)) {
    throw new TypeError(`handler name ${JSON.stringify(definition.name)} must match ${NAME_PATTERN}`);
  }
  if (definition.timeoutMs !== undefined && !(definition.timeoutMs > 0)) {
    throw new TypeError(`handler ${definition.name}: timeoutMs must be positive`);
  }
  return definition;
}
