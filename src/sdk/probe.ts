// Telling a GPU Nexus from an address where none answers (an account, an empty address, another contract).
// Internal: chains.ts reads deployments through it and actions/nexus-check.ts builds its checks on it.
import { getAddress, type Address, type Chain, type Client, type Transport } from "viem";
import { getCode, readContract } from "viem/actions";
import { nexusAbi } from "./abis.ts";
import type { NexusError } from "./errors/base.ts";
import { toNexusError } from "./errors/decode.ts";
import { NexusRpcError } from "./errors/kinds.ts";
import { NexusNotFoundError } from "./errors/usage.ts";

type AnyClient = Client<Transport, Chain | undefined>;

/** What a Nexus knows of its own deployment. */
export type NexusAddresses = { vault: Address; registry: Address; taskImplementation: Address; sourceImplementation: Address };

/**
 * Reads the four addresses every Nexus answers with. A contract that is not Nexus fails at least one of them
 * (unknown selector, or a reply that does not decode as an address), and so does an address with no code.
 * @throws NexusNotFoundError when no Nexus answers at `nexus`, NexusRpcError when the node failed.
 */
export async function readNexusAddresses(client: AnyClient, chainId: number, nexus: Address): Promise<NexusAddresses> {
  const read = <F extends keyof NexusAddresses>(functionName: F) => readContract(client, { address: nexus, abi: nexusAbi, functionName });
  try {
    const [vault, registry, taskImplementation, sourceImplementation] = await Promise.all([
      read("vault"),
      read("registry"),
      read("taskImplementation"),
      read("sourceImplementation"),
    ]);
    return { vault, registry, taskImplementation, sourceImplementation };
  } catch (err) {
    throw await nexusNotFound(client, chainId, nexus, err);
  }
}

/**
 * The error for a failed read of `nexus` that is not the node's fault: NexusNotFoundError, with whether any
 * code lives there (asked once more; undefined when the node cannot say). RPC failures stay NexusRpcError.
 */
export async function nexusNotFound(client: AnyClient, chainId: number, nexus: Address, err: unknown): Promise<NexusError> {
  const decoded = toNexusError(err);
  if (decoded instanceof NexusRpcError) return decoded;
  let hasCode: boolean | undefined;
  try {
    const code = await getCode(client, { address: nexus });
    hasCode = code !== undefined && code !== "0x";
  } catch {
    hasCode = undefined;
  }
  return new NexusNotFoundError({ chainId, chainName: client.chain?.name, address: getAddress(nexus), hasCode, cause: decoded });
}
