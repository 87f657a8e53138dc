// `gpunexus deploy`: the Ignition module through Hardhat's runtime (loaded only here), then the addresses are
// recorded in the deployments file that every other command reads.
import { access, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { HardhatUserConfig } from "hardhat/config";
import type { createHardhatRuntimeEnvironment as CreateHre } from "hardhat/hre";
import type { IgnitionModule } from "@nomicfoundation/ignition-core";
// Brings Hardhat's `paths.ignition` and `connection.ignition` types (the config loads the plugin itself).
import type {} from "@nomicfoundation/hardhat-ignition-viem";
import { createPublicClient, custom, getAddress, type Address, type PublicClient } from "viem";
import { getBlockNumber, getCode, readContract } from "viem/actions";
import { nexusAbi, vaultAbi } from "../../sdk/abis.ts";
import { NexusRpcError } from "../../sdk/errors/kinds.ts";
import { defineCommand } from "../command.ts";
import { loadPrivateKey, saveDeployment, type DeploymentRecord } from "../config.ts";
import { connectChain, DEV_CHAIN_IDS, makeTransport } from "../connect.ts";
import { UsageError } from "../errors.ts";
import { formatDuration, formatKv } from "../output.ts";
import { parseAddress, parseDuration } from "../parse.ts";

// Two levels above this file's folder: src/cli/commands in a checkout, dist/cli/commands in the package.
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Hardhat, its config and the Ignition module live in a checkout of gpu-nexus, not in the published package,
 * so they are loaded by path at run time (and never compiled into dist/).
 */
async function loadCheckoutDeployer() {
  const fromRoot = (path: string) => pathToFileURL(join(repoRoot, path)).href;
  try {
    const [hre, config, module] = await Promise.all([
      import("hardhat/hre") as Promise<{ createHardhatRuntimeEnvironment: typeof CreateHre }>,
      import(fromRoot("hardhat.config.ts")) as Promise<{ default: HardhatUserConfig }>,
      import(fromRoot("ignition/modules/GpuNexus.ts")) as Promise<{ default: IgnitionModule }>,
    ]);
    return { createHardhatRuntimeEnvironment: hre.createHardhatRuntimeEnvironment, userConfig: config.default, GpuNexus: module.default };
  } catch (err) {
    throw new UsageError(
      "Hardhat could not be loaded from this checkout",
      `Run npm run setup (${(err as Error).message.split("\n")[0]}).`,
    );
  }
}

/** The first block where `address` has code (binary search); 0 when the node cannot read old state. */
async function findDeployBlock(client: PublicClient, address: Address, head: bigint): Promise<bigint> {
  try {
    let lo = 0n;
    let hi = head;
    while (lo < hi) {
      const mid = (lo + hi) / 2n;
      const code = await getCode(client, { address, blockNumber: mid });
      if (code !== undefined && code !== "0x") hi = mid;
      else lo = mid + 1n;
    }
    return lo;
  } catch {
    return 0n;
  }
}

export const deploy = defineCommand({
  name: "deploy",
  summary: "Deploys GPU Nexus (ignition/modules/GpuNexus.ts) and records its addresses for the other commands.",
  usage: "gpunexus deploy [--rpc-url <url> | --network <name>] [--owner <address>] [--treasury <address>] [--fee-bps <n>] [--unbonding-period <duration>]",
  details: [
    "Signs with GPU_NEXUS_PRIVATE_KEY / --key-file; without a key, the node's own (unlocked) accounts deploy.",
    "Addresses are written to the deployments file (--deployments, default ~/.gpunexus/deployments.json), keyed by chain id.",
    "Ignition's journal lives in ~/.gpunexus/ignition/deployments/<id>: an interrupted deployment resumes with the same",
    "--deployment-id. Local chains (31337, 1337) get a fresh id each time, since they are restarted freely.",
  ],
  options: {
    network: { type: "string", value: "name", description: "an http network of hardhat.config.ts, instead of --rpc-url" },
    owner: { type: "string", value: "address", description: "protocol owner (default: the deployer)" },
    treasury: { type: "string", value: "address", description: "fee treasury (default: the deployer)" },
    "fee-bps": { type: "string", value: "n", description: "protocol fee in basis points, at most 1000 (default 100)" },
    "unbonding-period": { type: "string", value: "duration", description: "stake unbonding period, 1d to 30d (default 7d)" },
    "deployment-id": { type: "string", value: "id", description: "Ignition deployment id (journal folder)" },
    reset: { type: "boolean", description: "discard the Ignition journal of this deployment id first" },
  },
  run: async ({ options, globals, ctx, io }) => {
    const parameters: Record<string, string | number | bigint> = {};
    if (options.owner !== undefined) parameters.owner = parseAddress(options.owner, "--owner");
    if (options.treasury !== undefined) parameters.treasury = parseAddress(options.treasury, "--treasury");
    if (options["fee-bps"] !== undefined) {
      const fee = Number(options["fee-bps"]);
      if (!Number.isInteger(fee) || fee < 0 || fee > 1000) throw new UsageError(`invalid --fee-bps "${options["fee-bps"]}": expected 0..1000`);
      parameters.feeBps = fee;
    }
    if (options["unbonding-period"] !== undefined) parameters.unbondingPeriod = BigInt(parseDuration(options["unbonding-period"], "--unbonding-period"));
    try {
      await access(join(repoRoot, "hardhat.config.ts"));
    } catch {
      throw new UsageError(
        "gpunexus deploy needs a checkout of gpu-nexus (Hardhat, its config and the Ignition module)",
        "Clone the repository, run npm run setup there, and run the CLI from it.",
      );
    }
    try {
      await access(join(repoRoot, "artifacts/contracts/Nexus.sol/Nexus.json"));
    } catch {
      throw new UsageError("the contract artifacts are missing", "Build them first: npm run build (hardhat build).");
    }
    const configured = globals.keyFile ?? ctx.config.privateKey ?? ctx.config.keyFile;
    const key = configured === undefined ? undefined : await loadPrivateKey(globals.keyFile, ctx.config);

    // Unreachable RPC → exit 3 before Hardhat is even loaded.
    if (options.network === undefined) await connectChain(globals, ctx);
    const { createHardhatRuntimeEnvironment, userConfig, GpuNexus } = await loadCheckoutDeployer();
    const ignitionDir = join(ctx.config.home, "ignition");
    const hre = await createHardhatRuntimeEnvironment({ ...userConfig, paths: { ...userConfig.paths, ignition: ignitionDir } }, {}, repoRoot);
    const networkName = options.network ?? "localhost";
    if (options.network !== undefined) {
      const net = hre.config.networks[networkName];
      if (net === undefined) throw new UsageError(`hardhat.config.ts has no network "${networkName}"`);
      if (net.type !== "http") throw new UsageError(`network "${networkName}" is in-process (${net.type}); deploy to an http network`);
    }
    const override = {
      ...(options.network === undefined ? { url: globals.rpcUrl } : {}),
      ...(key === undefined ? {} : { accounts: [key] }),
    };
    const connection = await hre.network.create({ network: networkName, override });
    try {
      let chainId: number;
      let accounts: string[];
      try {
        chainId = Number(await connection.provider.request({ method: "eth_chainId" }));
        accounts = (await connection.provider.request({ method: "eth_accounts" })) as string[];
      } catch (err) {
        throw new NexusRpcError({ reason: "HttpRequestError", retryable: true, details: (err as Error).message, cause: err as Error });
      }
      const deployer = accounts[0];
      if (deployer === undefined) throw new UsageError("the node has no account to deploy from", "Set GPU_NEXUS_PRIVATE_KEY or pass --key-file.");
      if (!DEV_CHAIN_IDS.has(chainId)) await io.confirm(`Deploy GPU Nexus to chain ${chainId} from ${getAddress(deployer)}?`);

      const deploymentId = options["deployment-id"] ?? (DEV_CHAIN_IDS.has(chainId) ? `chain-${chainId}-${Date.now()}` : `chain-${chainId}`);
      if (options.reset) await rm(join(ignitionDir, "deployments", deploymentId), { recursive: true, force: true });
      io.note(`deploying GPU Nexus to chain ${chainId} from ${getAddress(deployer)} (Ignition deployment ${deploymentId})…`);
      const deployed = (await connection.ignition.deploy(GpuNexus, {
        parameters: { GpuNexus: parameters },
        deploymentId,
        displayUi: false,
      })) as unknown as Record<"nexus" | "vault" | "registry" | "taskImplementation" | "sourceImplementation", { address: Address }>;
      const { nexus, vault, registry, taskImplementation, sourceImplementation } = deployed;

      const rpcUrl = options.network === undefined ? globals.rpcUrl : undefined;
      const reader = createPublicClient({ transport: rpcUrl ? makeTransport(rpcUrl) : custom(connection.provider) });
      const head = await getBlockNumber(reader);
      const deployBlock = await findDeployBlock(reader, nexus.address, head);
      const record: DeploymentRecord = {
        chainId,
        nexus: nexus.address,
        vault: vault.address,
        registry: registry.address,
        taskImplementation: taskImplementation.address,
        sourceImplementation: sourceImplementation.address,
        deployBlock: deployBlock.toString(),
        rpcUrl,
        deployer: getAddress(deployer),
        deployedAt: new Date().toISOString(),
      };
      await saveDeployment(globals.deploymentsPath, record);
      const [feeBps, unbondingPeriod] = await Promise.all([
        readContract(reader, { address: nexus.address, abi: nexusAbi, functionName: "feeBps" }),
        readContract(reader, { address: vault.address, abi: vaultAbi, functionName: "unbondingPeriod" }),
      ]);
      io.result({ ...record, feeBps, unbondingPeriod, deploymentId, deploymentsFile: globals.deploymentsPath }, () =>
        globals.quiet
          ? `${record.nexus}\n`
          : formatKv([
              ["chain", String(chainId)],
              ["nexus", record.nexus],
              ["vault", record.vault],
              ["registry", record.registry],
              ["task implementation", record.taskImplementation],
              ["source implementation", record.sourceImplementation],
              ["deploy block", record.deployBlock],
              ["deployer", record.deployer ?? ""],
              ["fee", `${feeBps} bps`],
              ["unbonding period", formatDuration(unbondingPeriod)],
              ["recorded in", globals.deploymentsPath],
            ]),
      );
      return 0;
    } finally {
      await connection.close();
    }
  },
});
