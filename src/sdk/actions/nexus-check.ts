// Making sure a Nexus answers where the SDK sends calls. Internal (not re-exported).
//   assertNexus          – before a write (a call to an account "succeeds" and would send the value there) and
//                          before a listing (logs of a wrong address are just empty); cached per client
//   explainNexusFailure  – after a failed read: the read's error, or NexusNotFoundError when the Nexus is the
//                          reason; costs nothing while reads succeed
import type { Address, Chain, Client, Transport } from "viem";
import { getClientChainId } from "../chains.ts";
import type { NexusError } from "../errors/base.ts";
import { toNexusError } from "../errors/decode.ts";
import { UnknownRevertError } from "../errors/kinds.ts";
import { NexusNotFoundError, UnexpectedError } from "../errors/usage.ts";
import { readNexusAddresses } from "../probe.ts";

type AnyClient = Client<Transport, Chain | undefined>;

// Per client object: a new client (say, after a local chain restarted) checks again. Only successes are kept.
const checked = new WeakMap<object, Map<string, Promise<void>>>();

/** Resolves once a Nexus answered at `nexus` on the client's chain. @throws NexusNotFoundError, NexusRpcError */
export async function assertNexus(client: AnyClient, nexus: Address): Promise<void> {
  const chainId = await getClientChainId(client);
  const perClient = checked.get(client) ?? new Map<string, Promise<void>>();
  checked.set(client, perClient);
  const key = `${chainId}:${nexus.toLowerCase()}`;
  let pending = perClient.get(key);
  if (pending === undefined) {
    pending = readNexusAddresses(client, chainId, nexus).then(() => undefined);
    perClient.set(key, pending);
    pending.catch(() => perClient.delete(key));
  }
  return pending;
}

/**
 * The error to throw for a read that involved `nexus` (or its vault or registry) and failed. Failures that a
 * wrong address produces (a reply with no data, a revert with no reason) are checked against the Nexus.
 */
export async function explainNexusFailure(client: AnyClient, nexus: Address, err: unknown): Promise<NexusError> {
  const decoded = toNexusError(err);
  // A protocol revert, an RPC failure or a bad argument already says why.
  if (!(decoded instanceof UnknownRevertError || decoded instanceof UnexpectedError)) return decoded;
  try {
    await assertNexus(client, nexus);
  } catch (probed) {
    if (probed instanceof NexusNotFoundError) {
      return new NexusNotFoundError({ chainId: probed.chainId, chainName: client.chain?.name, address: probed.address, hasCode: probed.hasCode, cause: decoded });
    }
  }
  return decoded;
}
