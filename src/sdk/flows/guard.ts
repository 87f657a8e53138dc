// The flows compose chain reads, IPFS and the actions; this makes whatever they throw a NexusError.
// Internal (not re-exported).
import { toNexusError } from "../errors/decode.ts";

/**
 * Runs a flow's body. Its errors become NexusErrors (decoded, or wrapped as UnexpectedError), except once the
 * caller aborted `signal`: then the error is the signal's reason, as fetch does, and passes unchanged.
 */
export async function guarded<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (signal?.aborted) throw err;
    throw toNexusError(err);
  }
}
