// `npm run demo`: the whole market on this machine in one command. The composition root: the only demo file
// that reads argv, writes to the terminal directly and exits.
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { toHex } from "viem";
import { getVaultPosition } from "../sdk/actions/index.ts";
import { describeError } from "./errors.ts";
import { startMarket, type Market } from "./market.ts";
import { progressBar, renderSummary, summarize } from "./report.ts";
import { runWorkload } from "./workload.ts";

const USAGE = `usage: npm run demo -- [options]

Runs a local GPU Nexus market end to end: an embedded chain (Hardhat's network on 127.0.0.1) or a running dev
node (\`anvil\`, \`npx hardhat node\`), the suite deployed with Ignition, an embedded IPFS node, the example
matmul source (Docker when a daemon answers, local processes otherwise), provider nodes, and a batch of tasks on
both delivery methods, followed live.

  --tasks <n>           tasks to publish, half FIRST_RESPONSE, half MANUAL (all AGREEMENT with --cheaters;
                        default 10; 0 allowed)
  --providers <n>       provider nodes (default 2)
  --cheaters <n>        add n provider nodes, each under its own master, that return made-up results; the tasks
                        then go to an AGREEMENT source (quorum 2), where the cheaters are outvoted and slashed
                        (default 0; needs --providers >= 2)
  --runtime <kind>      auto | docker-compose | local-process (default auto)
  --rpc-url <url>       use this dev chain (chain id 31337 or 1337) instead of the embedded one; only its first
                        account needs funds: the demo funds every account it uses from it
  --port <n>            port of the embedded chain (default 8545)
  --ipfs-rpc <url>      use this Kubo RPC API instead of the embedded IPFS node
  --ipfs-gateway <url>  gateway for --ipfs-rpc
  --timeout <seconds>   give up waiting for tasks after this long (default 300)
  --work-dir <dir>      where the nodes' state and logs, the IPFS repo and endpoints.json go (default .tmp/demo;
                        emptied first, so it must be missing, empty, or a folder of an earlier run)
  --keep-running        stay up as a local network for the CLI or a dapp (endpoints in .tmp/demo/endpoints.json)
  --json                print the summary as JSON on stdout
  -h, --help`;

/** Marks a folder the demo made, so that a later run may empty it. */
const WORK_DIR_MARKER = ".gpunexus-demo";

async function isDemoWorkDir(dir: string): Promise<boolean> {
  const entries: string[] = await readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? [] : Promise.reject(error)));
  return entries.length === 0 || entries.includes(WORK_DIR_MARKER);
}

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "10" },
    providers: { type: "string", default: "2" },
    cheaters: { type: "string", default: "0" },
    runtime: { type: "string", default: "auto" },
    "rpc-url": { type: "string" },
    port: { type: "string", default: "8545" },
    "ipfs-rpc": { type: "string" },
    "ipfs-gateway": { type: "string" },
    timeout: { type: "string", default: "300" },
    "work-dir": { type: "string" },
    "keep-running": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const tasks = Number(values.tasks);
const providers = Number(values.providers);
const cheaters = Number(values.cheaters);
const runtime = values.runtime;
// Two honest masters must be able to agree without the cheaters; 8 cheaters already outnumber any useful jury.
const validCheaters = Number.isInteger(cheaters) && cheaters >= 0 && cheaters <= 8 && (cheaters === 0 || providers >= 2);
if (!Number.isInteger(tasks) || tasks < 0 || !Number.isInteger(providers) || providers < 1 || !validCheaters || !["auto", "docker-compose", "local-process"].includes(runtime)) {
  process.stderr.write(`invalid options\n\n${USAGE}\n`);
  process.exit(2);
}

const defaultWorkDir = join(new URL("../../", import.meta.url).pathname, ".tmp/demo");
const workDir = resolve(values["work-dir"] ?? defaultWorkDir);
// The folder is emptied first: only the default one, an empty or missing one, or one an earlier run marked as its own,
// so that a mistyped --work-dir (a home folder, a checkout) is refused instead of deleted.
if (workDir !== defaultWorkDir && !(await isDemoWorkDir(workDir))) {
  process.stderr.write(`refusing --work-dir ${workDir}: it is not empty and no earlier demo run made it (no ${WORK_DIR_MARKER})\n`);
  process.exit(2);
}
await rm(workDir, { recursive: true, force: true });
await mkdir(workDir, { recursive: true });
await writeFile(join(workDir, WORK_DIR_MARKER), "a folder of `npm run demo`: emptied by its next run\n");
const out = values.json ? process.stderr : process.stdout;
const tty = process.stderr.isTTY === true;
const log = (line: string) => {
  if (tty) process.stderr.write("\r\x1b[2K");
  out.write(`${line}\n`);
};

const interrupted = new AbortController();
const onSignal = () => interrupted.abort();
process.once("SIGINT", onSignal);
process.once("SIGTERM", onSignal);

let exitCode = 0;
let market: Market;
try {
  market = await startMarket({
    providers,
    cheaters,
    rpcUrl: values["rpc-url"],
    port: Number(values.port),
    ipfsRpcUrl: values["ipfs-rpc"],
    ipfsGatewayUrl: values["ipfs-gateway"],
    runtime: runtime as "auto" | "docker-compose" | "local-process",
    workDir,
    log,
  });
} catch (error) {
  // Setup failed (no node, not a dev chain, no funds, a port taken…): one typed line; startMarket cleaned up.
  process.stderr.write(`demo: ${describeError(error)}\n`);
  process.exit(interrupted.signal.aborted ? 130 : 1);
}
try {
  log(`publishing ${tasks} task(s) and following them live`);
  let lastProgress = "";
  const result = await runWorkload(market, {
    tasks,
    timeoutMs: Number(values.timeout) * 1000,
    signal: interrupted.signal,
    onEvent: (line) => log(`  ${line}`),
    onProgress: (done, total) => {
      const bar = progressBar(done, total);
      if (tty) process.stderr.write(`\r\x1b[2K${bar}`);
      else if (bar !== lastProgress) out.write(`${bar}\n`);
      lastProgress = bar;
    },
  });
  if (tty) process.stderr.write("\n");
  const payouts = await Promise.all(
    market.masters.map(async (m) => {
      const position = await getVaultPosition(market.publicClient, { nexus: market.addresses.nexus, account: m.account.address });
      const deposited = market.deposits.get(m.account.address) ?? 0n;
      const held = position.balance + position.lockup + position.unbonding;
      return { master: m.account.address, role: m.role, earnings: position.earnings, balance: position.balance, reserved: position.reserved, held, deposited };
    }),
  );
  const summary = summarize(result, payouts, market.runtime);
  if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else log(renderSummary(summary));
  if (result.timedOut) {
    log(`not every task finished within ${values.timeout} s`);
    exitCode = 1;
  }

  if (values["keep-running"] && !interrupted.signal.aborted) {
    const endpoints = {
      rpcUrl: market.rpcUrl,
      chainId: market.chainId,
      nexus: market.addresses.nexus,
      ipfsRpcUrl: market.ipfsRpcUrl,
      ipfsGatewayUrl: market.ipfsGatewayUrl,
      sources: market.sources,
      // Hardhat's public development keys, never real funds.
      accounts: { client: { address: market.client.account.address, privateKey: toHex(market.client.account.getHdKey().privateKey!) } },
    };
    await writeFile(join(workDir, "endpoints.json"), `${JSON.stringify(endpoints, null, 2)}\n`);
    log(`keeping the market running (endpoints in ${join(workDir, "endpoints.json")}); Ctrl-C stops it`);
    await new Promise<void>((resolve) => interrupted.signal.addEventListener("abort", () => resolve(), { once: true }));
  }
} catch (error) {
  log(`demo failed: ${describeError(error)}`);
  exitCode = 1;
} finally {
  await market.close();
}
process.exit(interrupted.signal.aborted && !values["keep-running"] ? 130 : exitCode);
