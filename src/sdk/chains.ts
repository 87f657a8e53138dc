// Where GPU Nexus lives on each chain. The local chain (31337, a fresh Hardhat/Anvil node deployed from its
// first account) is built in; any EVM chain is added with `registerDeployment`.
import type { Address, Chain, Client, Transport } from "viem";
import { getChainId } from "viem/actions";
import { knownDeployments } from "./abis.ts";
import { NexusError } from "./errors/base.ts";
import { toNexusError } from "./errors/decode.ts";
import { checkedAddress, InvalidParameterError } from "./errors/usage.ts";
import { readNexusAddresses } from "./probe.ts";

/** The addresses of one GPU Nexus deployment. */
export type NexusDeployment = {
  chainId: number;
  nexus: Address;
  vault: Address;
  registry: Address;
  taskImplementation: Address;
  sourceImplementation: Address;
  /** The block Nexus was deployed in: where log scans (snapshots, watchers' backfill) start. */
  deployBlock: bigint;
};

/** What `registerDeployment` accepts: `deployBlock` may be a number. */
export type NexusDeploymentInput = Omit<NexusDeployment, "deployBlock"> & { deployBlock: bigint | number };

const registry = new Map<number, NexusDeployment>();

function normalize(d: NexusDeploymentInput): NexusDeployment {
  if (!Number.isSafeInteger(d.chainId) || d.chainId <= 0) throw new InvalidParameterError({ parameter: "chainId", reason: `expected a positive integer, got ${d.chainId}` });
  return {
    chainId: d.chainId,
    nexus: checkedAddress(d.nexus, "nexus"),
    vault: checkedAddress(d.vault, "vault"),
    registry: checkedAddress(d.registry, "registry"),
    taskImplementation: checkedAddress(d.taskImplementation, "taskImplementation"),
    sourceImplementation: checkedAddress(d.sourceImplementation, "sourceImplementation"),
    deployBlock: BigInt(d.deployBlock),
  };
}

for (const d of knownDeployments) registry.set(d.chainId, normalize(d));

/**
 * Adds (or replaces) the deployment of a chain. Addresses are checksummed; returns the stored deployment.
 * @example registerDeployment({ chainId: 8453, nexus: "0x…", vault: "0x…", …, deployBlock: 123n })
 */
export function registerDeployment(deployment: NexusDeploymentInput): NexusDeployment {
  const d = normalize(deployment);
  registry.set(d.chainId, d);
  return d;
}

/** The deployment registered for `chainId`, or undefined. */
export function getDeployment(chainId: number): NexusDeployment | undefined {
  return registry.get(chainId);
}

/** Every registered deployment. */
export function getDeployments(): NexusDeployment[] {
  return [...registry.values()];
}

export type NoDeploymentErrorType = NoDeploymentError & { name: "NoDeploymentError" };
/** No `nexus` address was given and no deployment is registered for the client's chain. */
export class NoDeploymentError extends NexusError {
  readonly chainId: number;
  constructor(chainId: number) {
    super(`GPU Nexus has no deployment registered for chain ${chainId}.`, "NoDeploymentError", {
      metaMessages: ["Pass `nexus: <address>` to the action, or call registerDeployment({ chainId, … }) first."],
    });
    this.chainId = chainId;
  }
}

const chainIds = new WeakMap<object, Promise<number>>();

/** The client's chain id: `client.chain.id` when set, else asked once per client and cached. */
export async function getClientChainId(client: Client<Transport, Chain | undefined>): Promise<number> {
  if (client.chain) return client.chain.id;
  let id = chainIds.get(client);
  if (!id) {
    id = getChainId(client).catch((err: unknown) => {
      throw toNexusError(err);
    });
    chainIds.set(client, id);
    id.catch(() => chainIds.delete(client));
  }
  return id;
}

/**
 * `override` when given, else the Nexus address of the client's chain. Nothing is asked of the chain: the
 * actions check that a Nexus answers there when it matters.
 * @throws NoDeploymentError, InvalidAddressParameterError
 */
export async function resolveNexusAddress(
  client: Client<Transport, Chain | undefined>,
  override?: Address | undefined,
): Promise<Address> {
  if (override) {
    checkedAddress(override, "nexus");
    return override;
  }
  const chainId = await getClientChainId(client);
  const d = getDeployment(chainId);
  if (!d) throw new NoDeploymentError(chainId);
  return d.nexus;
}

const resolved = new Map<string, Promise<NexusDeployment>>();

/**
 * The full deployment for the client's chain, or for `nexus` when given: the registered one when it matches,
 * else read from the Nexus contract itself (vault, registry, implementations; `deployBlock` 0 since a
 * contract does not know its own deploy block: register the deployment to make log scans cheaper).
 * @throws NoDeploymentError, NexusNotFoundError when no Nexus answers at `nexus`, InvalidAddressParameterError
 */
export async function resolveDeployment(
  client: Client<Transport, Chain | undefined>,
  parameters: { nexus?: Address | undefined } = {},
): Promise<NexusDeployment> {
  const chainId = await getClientChainId(client);
  const known = getDeployment(chainId);
  if (!parameters.nexus) {
    if (!known) throw new NoDeploymentError(chainId);
    return known;
  }
  const nexus = checkedAddress(parameters.nexus, "nexus");
  if (known && known.nexus === nexus) return known;
  const key = `${chainId}:${nexus}`;
  let pending = resolved.get(key);
  if (!pending) {
    pending = readNexusAddresses(client, chainId, nexus).then((addresses) => ({ chainId, nexus, ...addresses, deployBlock: 0n }));
    resolved.set(key, pending);
    pending.catch(() => resolved.delete(key));
  }
  return pending;
}
