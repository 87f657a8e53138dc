// A consumer's plain Node ESM script: the package's entries as installed, no TypeScript, no bundler.
//   node read-task.mjs <rpcUrl> <nexus> <task>
import { createPublicClient, http } from "viem";
import { getTask, NexusError } from "gpu-nexus";
import { nexusAbi, taskAbi } from "gpu-nexus/abis";
import { defineHandler } from "gpu-nexus/handler";
import { computeCid } from "gpu-nexus/ipfs";
import { watchNexusEvents } from "gpu-nexus/events";
import { nodeConfigSchema } from "gpu-nexus/node";

const [rpcUrl, nexus, task] = process.argv.slice(2);
const client = createPublicClient({ transport: http(rpcUrl) });
const read = await getTask(client, { nexus, task });
const cid = await computeCid(new TextEncoder().encode("hello world\n"));
process.stdout.write(
  `${JSON.stringify(
    {
      task: read,
      entries: {
        nexusError: typeof NexusError,
        nexusAbi: nexusAbi.length > 0,
        taskAbi: taskAbi.length > 0,
        defineHandler: typeof defineHandler,
        watchNexusEvents: typeof watchNexusEvents,
        nodeConfigSchema: typeof nodeConfigSchema.parse,
      },
      cid: String(cid),
    },
    (_, value) => (typeof value === "bigint" ? value.toString() : value),
  )}\n`,
);
