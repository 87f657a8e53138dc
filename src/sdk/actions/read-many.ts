// Several contract reads at one block: one multicall3 call when the chain declares multicall3, else
// parallel eth_calls pinned to the same block number. Reverts come back decoded.
import type { Chain, Client, MulticallContracts, MulticallResults, Narrow, Transport } from "viem";
import { multicall, readContract } from "viem/actions";
import type { NexusError } from "../errors/base.ts";
import { toNexusError } from "../errors/decode.ts";

type ViewOptions = { mutability: "view" | "pure" };

/** Common to every read: the block to read at (latest when omitted). */
export type NexusReadParameters = {
  /** Read the state at this block (pin it to combine several reads consistently). */
  blockNumber?: bigint | undefined;
};

/**
 * What a read throws, always a NexusError: a decoded revert (e.g. `UnknownTaskError`), `NexusRpcError` when the
 * node fails, `NexusNotFoundError` when no Nexus answers at the address used, `InvalidAddressParameterError`, …
 */
export type NexusReadErrorType = NexusError;

/** Several reads at one block: one multicall3 call when the chain declares multicall3, else parallel eth_calls. */
export async function readMany<const contracts extends readonly unknown[]>(
  client: Client<Transport, Chain | undefined>,
  contracts: MulticallContracts<Narrow<contracts>, ViewOptions>,
  blockNumber?: bigint | undefined,
): Promise<MulticallResults<Narrow<contracts>, false, ViewOptions>> {
  const list = contracts as unknown as readonly Parameters<typeof readContract>[1][];
  try {
    if (client.chain?.contracts?.multicall3 && list.length > 1) {
      return (await multicall(client, { contracts: list as never, allowFailure: false, blockNumber })) as never;
    }
    return (await Promise.all(list.map((c) => readContract(client, { ...c, blockNumber } as never)))) as never;
  } catch (err) {
    throw toNexusError(err);
  }
}
