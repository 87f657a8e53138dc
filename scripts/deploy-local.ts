/**
 * Starts the embedded chain on 127.0.0.1:8545, deploys the suite with Ignition, prints the addresses, and
 * stops (or, with --keep-running, serves the chain until interrupted).
 *
 *   npm run deploy:local [-- --keep-running] [-- --port 8545]
 */
import { parseArgs } from "node:util";
import { deploySuite, startLocalChain } from "../src/devnet/local-chain.ts";

const { values } = parseArgs({
  options: { "keep-running": { type: "boolean", default: false }, port: { type: "string", default: "8545" } },
});
const chain = await startLocalChain({ port: Number(values.port) });
process.stdout.write(`chain: ${chain.rpcUrl} (chain id 31337)\n`);
const addresses = await deploySuite({ rpcUrl: chain.rpcUrl });
for (const [name, address] of Object.entries(addresses)) process.stdout.write(`${name.padEnd(22)}${address}\n`);
if (values["keep-running"]) {
  process.stdout.write("serving; Ctrl-C stops\n");
  const stop = () => void chain.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} else {
  await chain.close();
}
