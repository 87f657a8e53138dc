import { parseEther } from "viem";
import { deployNexus, sourceParams, HOUR, configHash } from "./actions-fixtures.ts";
import { publishSource, publishTask } from "../../src/sdk/actions/index.ts";
import { decodeNexusError } from "../../src/sdk/errors/index.ts";
const f = await deployNexus();
console.log(f.nexus, f.publicClient.chain.id);
const { source, wait } = await publishSource(f.client, { params: sourceParams() });
const r = await wait();
console.log(source, r.events.map((e) => e.eventName));
try {
  await publishTask(f.client, { source, configUri: "ipfs://x", configHash: configHash(1), expiryTime: (await f.now()) + HOUR, payment: 1n });
} catch (e) { console.log("ERR", e.constructor.name, e.shortMessage, e.args); }
// raw viem error shape
try {
  const { simulateContract } = await import("viem/actions");
  const { nexusAbi } = await import("../../src/sdk/abis.ts");
  await simulateContract(f.client, { address: f.nexus, abi: nexusAbi, functionName: "publishTask", args: [source, "x", configHash(1), (await f.now()) + HOUR, 1n, 1n], value: 1n });
} catch (e) { let x = e; while (x) { console.log(" >", x.name, Object.keys(x).join(","), typeof x.data === "string" ? x.data : JSON.stringify(x.data ?? null, (k, v) => typeof v === "bigint" ? v.toString() : v)?.slice(0, 200)); x = x.cause; } }
try {
  await f.client.writeContract({ address: f.nexus, abi: (await import("../../src/sdk/abis.ts")).nexusAbi, functionName: "publishTask", args: [source, "x", configHash(1), (await f.now()) + HOUR, 1n, 1n], value: 1n, gas: 1000000n });
} catch (e) { let x = e; while (x) { console.log(" W>", x.name, typeof x.data === "string" ? x.data : ""); x = x.cause; } console.log("decoded:", decodeNexusError(e).name) }
// concurrency: 50 from json-rpc account
const t0 = Date.now();
const now = await f.now();
const res = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => publishTask(f.client, { source, configUri: "ipfs://x", configHash: configHash(i), expiryTime: now + HOUR, payment: parseEther("0.001") })));
console.log("jsonrpc", res.filter((r) => r.status === "fulfilled").length, res.find((r) => r.status === "rejected")?.reason?.shortMessage, Date.now() - t0);
process.exit(0);
