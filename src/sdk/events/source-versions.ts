// Which parameters (and so which handler metadata) a source had at a given version: a task's terms name the
// version it was published under, and the SourcePublished / SourceUpdated event of that version carries them.
import type { Address, Chain, Client, Transport } from "viem";
import type { SourceParams } from "../abis.ts";
import { NexusError } from "../errors/base.ts";
import { getNexusEvents } from "./logs.ts";

export type GetSourceVersionParameters = {
  source: Address;
  /** A version the source had: 1 is its publication, each update adds one. */
  version: number;
  nexus?: Address | undefined;
  /** First block searched (default: the registered deployment's block, else 0). */
  fromBlock?: bigint | undefined;
};
export type GetSourceVersionReturnType = { version: number; params: SourceParams; blockNumber: bigint };
export type GetSourceVersionErrorType = SourceVersionNotFoundError;

/** No SourcePublished or SourceUpdated event gives the asked version of the source (in the blocks searched). */
export class SourceVersionNotFoundError extends NexusError {
  readonly source: Address;
  /** The version asked for (viem's BaseError already has a `version`: the package's). */
  readonly sourceVersion: number;
  constructor({ source, version }: { source: Address; version: number }) {
    super(`No event gives version ${version} of the source ${source}.`, "SourceVersionNotFoundError", {
      metaMessages: ["The source never had that version, or it was set before the blocks searched (fromBlock)."],
    });
    this.source = source;
    this.sourceVersion = version;
  }
}

/**
 * The parameters `source` had at `version`, from the event that set them.
 * @throws SourceVersionNotFoundError when no event in the searched blocks gives that version
 * @example const { params } = await getSourceVersion(client, { source, version: task.terms.sourceVersion })
 */
export async function getSourceVersion(
  client: Client<Transport, Chain | undefined>,
  parameters: GetSourceVersionParameters,
): Promise<GetSourceVersionReturnType> {
  const { source, version, nexus, fromBlock } = parameters;
  const events = await getNexusEvents(client, {
    nexus,
    fromBlock,
    events: version === 1 ? "SourcePublished" : "SourceUpdated",
    args: { source },
  });
  for (const e of events) {
    const v = e.eventName === "SourceUpdated" ? e.args.version : 1;
    if (v === version) return { version, params: e.args.params, blockNumber: e.blockNumber };
  }
  throw new SourceVersionNotFoundError({ source, version });
}
