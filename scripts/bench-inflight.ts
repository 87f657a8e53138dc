/**
 * Transactions in flight from one key: N concurrent publishTask calls from a single local account through
 * the SDK (with `createNexusNonceManager`) against the embedded chain over HTTP, for growing N, counting how
 * many land. OpenGPU's Python SDK reported nonce failures at about 20 in flight.
 * Writes docs/benchmarks-inflight.json.   node scripts/bench-inflight.ts [--max 1000]
 */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createPublicClient, createWalletClient, http, keccak256, parseEther, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { deploySuite, startLocalChain } from "../src/devnet/local-chain.ts";
import { DeliveryMethod, VerificationMethod, createNexusNonceManager, publishSource, publishTask } from "../src/sdk/index.ts";

const { values } = parseArgs({ options: { max: { type: "string", default: "1000" }, port: { type: "string", default: "8547" } } });
const sizes = [20, 100, 200, 500, 1000].filter((n) => n <= Number(values.max));
const chain = await startLocalChain({ port: Number(values.port), blockIntervalMs: 0 });
try {
  const { nexus } = await deploySuite({ rpcUrl: chain.rpcUrl });
  const publicClient = createPublicClient({ chain: hardhat, transport: http(chain.rpcUrl), pollingInterval: 100 });
  const account = mnemonicToAccount("test test test test test test test test test test test junk", {
    addressIndex: 5,
    nonceManager: createNexusNonceManager(),
  });
  const wallet = createWalletClient({ account, chain: hardhat, transport: http(chain.rpcUrl) });
  const { source, wait } = await publishSource(wallet, {
    nexus,
    params: {
      metadataUri: "ipfs://bench",
      metadataHash: keccak256(toHex("bench")),
      environments: 1,
      deliveryMethod: DeliveryMethod.FIRST_RESPONSE,
      maxConcurrentAttempts: 1,
      attemptTimeout: 600,
      maxExpiryDuration: 86_400,
      reviewWindow: 0,
      minPayment: 1n,
      minAvailableLockup: 0n,
      lapsePenalty: 0n,
      verification: VerificationMethod.NONE,
      quorum: 0,
    },
  });
  await wait();
  const rows: { inFlight: number; landed: number; failed: number; seconds: number }[] = [];
  for (const n of sizes) {
    const expiryTime = (await publicClient.getBlock()).timestamp + 3_600n;
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: n }, (_, i) =>
        publishTask(wallet, { nexus, source, configUri: `ipfs://bench/${n}/${i}`, configHash: keccak256(toHex(`${n}/${i}`)), expiryTime, payment: parseEther("0.0001") }).then((s) => s.wait()),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const landed = results.filter((r) => r.status === "fulfilled" && r.value.receipt.status === "success").length;
    rows.push({ inFlight: n, landed, failed: n - landed, seconds: Number(seconds.toFixed(2)) });
    console.log(`${String(n).padStart(5)} in flight from one key: ${landed} landed, ${n - landed} failed, ${seconds.toFixed(2)} s`);
  }
  await writeFile(
    new URL("../docs/benchmarks-inflight.json", import.meta.url),
    `${JSON.stringify({ measuredAt: new Date().toISOString(), chain: "embedded Hardhat network over HTTP, automine", sdk: "publishTask + createNexusNonceManager, one local account", rows }, null, 2)}\n`,
  );
  if (rows.some((r) => r.failed > 0)) process.exitCode = 1;
} finally {
  await chain.close();
}
