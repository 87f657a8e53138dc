// How the demo reports a failure: one line, `Name: what happened`, never a stack trace. viem's and the SDK's errors
// carry a multi-line message (request body, version, docs link); their shortMessage and details say what matters.
import { BaseError } from "viem";
import { DevChainError } from "../devnet/errors.ts";

const firstLine = (text: string) => text.split("\n").find((line) => line.trim().length > 0)?.trim() ?? "";

export function describeError(error: unknown): string {
  if (error instanceof DevChainError) return `${error.name}: ${error.message}`;
  if (error instanceof BaseError) {
    const details = error.details ? firstLine(error.details) : "";
    const short = firstLine(error.shortMessage);
    return `${error.name}: ${short}${details && !short.includes(details) ? ` (${details})` : ""}`;
  }
  if (error instanceof Error) return `${error.name}: ${firstLine(error.message)}`;
  return `Error: ${String(error)}`;
}
