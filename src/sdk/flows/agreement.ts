// The client's side of an AGREEMENT task's verdict (docs/PROTOCOL.md "Agreement"): which revealed results lost, so
// that `rejectResponse` takes their penalty (to the client after an agreement, burned after a failed one).
import type { Address, Chain, Client, Hex, Transport } from "viem";
import { getBlockNumber } from "viem/actions";
import { AttemptState, TaskStatus, VerificationMethod } from "../abis.ts";
import { getAttempt, getTask } from "../actions/reads.ts";
import { resolveNexusAddress } from "../chains.ts";
import type { NexusError } from "../errors/base.ts";
import { checkedAddress } from "../errors/usage.ts";
import { getNexusEvents } from "../events/logs.ts";
import { guarded } from "./guard.ts";

type AnyClient = Client<Transport, Chain | undefined>;

export type GetRejectableResponsesParameters = { task: Address; nexus?: Address | undefined; fromBlock?: bigint | undefined };
export type RejectableResponse = {
  provider: Address;
  resultHash: Hex;
  /** `outvoted`: it differs from the agreed result (its penalty goes to the client); `no-agreement`: the task expired without one (burned). */
  reason: "outvoted" | "no-agreement";
};
export type GetRejectableResponsesReturnType = RejectableResponse[];
export type GetRejectableResponsesErrorType = NexusError;

/**
 * The revealed results of an AGREEMENT task whose penalty `rejectResponse` can take now: after the agreement, every
 * result that differs from the agreed one; after an expiry without agreement, every revealed result. Results already
 * rejected are left out, and so is every result of a NONE task or of a task still voting (none yet).
 * @throws UnknownTaskError when the address is not a task of this Nexus
 * @example for (const r of await getRejectableResponses(client, { task })) await (await rejectResponse(wallet, { task, provider: r.provider })).wait();
 */
export async function getRejectableResponses(client: AnyClient, parameters: GetRejectableResponsesParameters): Promise<GetRejectableResponsesReturnType> {
  return guarded(undefined, async () => {
    const { task } = parameters;
    checkedAddress(task, "task");
    const nexus = await resolveNexusAddress(client, parameters.nexus);
    // One block for the state, the votes and the attempts: a rejection mined meanwhile cannot be listed twice.
    const blockNumber = await getBlockNumber(client, { cacheTime: 0 });
    const { terms, state } = await getTask(client, { task, nexus, blockNumber });
    if (terms.verification !== VerificationMethod.AGREEMENT) return [];
    const agreed = state.status === TaskStatus.FINALIZED;
    if (!agreed && state.status !== TaskStatus.EXPIRED) return [];
    const votes = await getNexusEvents(client, { nexus, events: "ResponseSubmitted", args: { task }, fromBlock: parameters.fromBlock, toBlock: blockNumber });
    const agreedHash = agreed ? votes.find((v) => v.args.provider === state.selectedProvider)?.args.resultHash : undefined;
    const losing = votes.filter((v) => !agreed || v.args.resultHash !== agreedHash);
    const attempts = await Promise.all(losing.map((v) => getAttempt(client, { task, provider: v.args.provider, blockNumber })));
    return losing.flatMap((v, i) =>
      attempts[i]!.state === AttemptState.RESPONDED ? [{ provider: v.args.provider, resultHash: v.args.resultHash, reason: agreed ? ("outvoted" as const) : ("no-agreement" as const) }] : [],
    );
  });
}
