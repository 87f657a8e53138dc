import { BaseError } from "viem";

export type NexusErrorOptions = {
  cause?: Error | undefined;
  details?: string | undefined;
  metaMessages?: string[] | undefined;
};

/**
 * Root of every error the GPU Nexus SDK throws. It is a viem `BaseError`, so `walk()`,
 * `shortMessage` and `metaMessages` behave exactly as they do for viem's own errors.
 */
export class NexusError extends BaseError {
  constructor(shortMessage: string, name: string, options: NexusErrorOptions = {}) {
    super(shortMessage, { ...options, name });
  }
}
