// A task names the source version it was published under (its terms' `sourceVersion`); the node runs it only
// under that version's handler metadata. Versions that differ only in other parameters share the handler.
import type { Address, Hex } from "viem";
import { getSourceVersion, SourceVersionNotFoundError } from "../sdk/events/index.ts";
import { withRetry } from "./retry.ts";
import type { StackLease } from "./stacks.ts";
import type { ChainContext } from "./task-chain.ts";

/** `publishedMetadataHash` is undefined when no event gives the task's version (a source cannot have it: refused). */
export type HandlerDrift = { publishedVersion: number; publishedMetadataHash: Hex | undefined; runningVersion: number; runningMetadataHash: Hex };

/** The metadata hash of each (source, version) looked up so far: a version's parameters never change. */
export class PublishedHandlers {
  readonly #known = new Map<string, Promise<Hex>>();

  /** Undefined when `lease` runs the handler the task was published under; else what differs. */
  async drift(ctx: ChainContext, lease: StackLease, source: Address, publishedVersion: number): Promise<HandlerDrift | undefined> {
    if (publishedVersion === lease.sourceVersion) return undefined;
    let publishedMetadataHash: Hex | undefined;
    try {
      publishedMetadataHash = await this.#metadataHash(ctx, source, publishedVersion);
    } catch (error) {
      if (!(error instanceof SourceVersionNotFoundError)) throw error;
    }
    if (publishedMetadataHash === lease.metadataHash) return undefined;
    return { publishedVersion, publishedMetadataHash, runningVersion: lease.sourceVersion, runningMetadataHash: lease.metadataHash };
  }

  #metadataHash(ctx: ChainContext, source: Address, version: number): Promise<Hex> {
    const key = `${source.toLowerCase()}:${version}`;
    let known = this.#known.get(key);
    if (known === undefined) {
      known = withRetry(() => getSourceVersion(ctx.client, { source, version, nexus: ctx.nexus }), { ...ctx.config.retry, signal: ctx.signal }).then(
        (v) => v.params.metadataHash,
      );
      // A failed lookup is not remembered: the next task asks again.
      known.catch(() => this.#known.delete(key));
      this.#known.set(key, known);
    }
    return known;
  }
}
