// A dapp that only reads a task: the smallest use of the SDK (its bundle size is a benchmark).
import { createPublicClient, http, type Address } from "viem";
import { getTask } from "gpu-nexus";

const params = new URLSearchParams(location.search);
const client = createPublicClient({ transport: http(params.get("rpc") ?? "http://127.0.0.1:8545") });
const task = await getTask(client, { nexus: params.get("nexus") as Address, task: params.get("task") as Address });
document.querySelector("#out")!.textContent = `task status ${task.state.status}`;
