// A consumer's TypeScript: the viem-style types of an action, checked by the consumer's own tsc.
import { createPublicClient, http, type Address } from "viem";
import { getTask, NexusError, type GetTaskErrorType, type GetTaskParameters, type GetTaskReturnType } from "gpu-nexus";
import { nexusAbi } from "gpu-nexus/abis";

export async function readTask(rpcUrl: string, nexus: Address, task: Address): Promise<GetTaskReturnType | GetTaskErrorType> {
  const client = createPublicClient({ transport: http(rpcUrl) });
  const parameters: GetTaskParameters = { nexus, task };
  try {
    return await getTask(client, parameters);
  } catch (error) {
    if (error instanceof NexusError) return error as GetTaskErrorType;
    throw error;
  }
}

export const nexusFunctions: readonly string[] = nexusAbi.filter((item) => item.type === "function").map((item) => item.name);
