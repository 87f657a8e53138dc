// Configuration the CLI derives from its environment, the deployments file, and the signing key.
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { getAddress, type Hex } from "viem";
import type { NexusDeployment } from "../sdk/chains.ts";
import { UsageError } from "./errors.ts";

export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";
export const DEFAULT_IPFS_RPC = "http://127.0.0.1:5001";

/** What the environment contributes; flags win over it. Built by main.ts (or a test) from a plain env record. */
export type CliConfig = {
  rpcUrl: string | undefined;
  ipfsRpc: string | undefined;
  ipfsGateway: string | undefined;
  nexus: string | undefined;
  /** GPU_NEXUS_PRIVATE_KEY. Never printed. */
  privateKey: string | undefined;
  keyFile: string | undefined;
  /** Where `deploy` records deployments and every command looks them up. */
  deploymentsPath: string;
  /** The CLI's state folder (deployments, Ignition journals). */
  home: string;
  /** Poll interval for receipts and watchers, in ms (default: 1 s on local chains, 4 s elsewhere). */
  pollingIntervalMs: number | undefined;
};

/** Reads GPU_NEXUS_* variables. `homeDir` is the user's home (os.homedir()). */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>, homeDir: string): CliConfig {
  const home = env.GPU_NEXUS_HOME || join(homeDir, ".gpunexus");
  const poll = env.GPU_NEXUS_POLLING_INTERVAL_MS;
  return {
    rpcUrl: env.GPU_NEXUS_RPC_URL || undefined,
    // The provider node spells them GPU_NEXUS_IPFS_RPC_URL / _GATEWAY_URL: one environment serves both.
    ipfsRpc: env.GPU_NEXUS_IPFS_RPC || env.GPU_NEXUS_IPFS_RPC_URL || undefined,
    ipfsGateway: env.GPU_NEXUS_IPFS_GATEWAY || env.GPU_NEXUS_IPFS_GATEWAY_URL || undefined,
    nexus: env.GPU_NEXUS_NEXUS || undefined,
    privateKey: env.GPU_NEXUS_PRIVATE_KEY || undefined,
    keyFile: env.GPU_NEXUS_KEY_FILE || undefined,
    deploymentsPath: env.GPU_NEXUS_DEPLOYMENTS || join(home, "deployments.json"),
    home,
    pollingIntervalMs: poll && /^\d+$/.test(poll) ? Number(poll) : undefined,
  };
}

/** One entry of the deployments file (JSON-safe: deployBlock as a decimal string). */
export type DeploymentRecord = Omit<NexusDeployment, "deployBlock"> & {
  deployBlock: string;
  rpcUrl?: string | undefined;
  deployer?: string | undefined;
  deployedAt?: string | undefined;
};
type DeploymentsFile = { version: 1; deployments: Record<string, DeploymentRecord> };

export async function readDeploymentsFile(path: string): Promise<DeploymentsFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, deployments: {} };
    throw new UsageError(`cannot read the deployments file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    const parsed = JSON.parse(text) as Partial<DeploymentsFile>;
    if (typeof parsed !== "object" || parsed === null || typeof parsed.deployments !== "object") throw new Error("no deployments object");
    return { version: 1, deployments: parsed.deployments ?? {} };
  } catch (err) {
    throw new UsageError(`the deployments file ${path} is not valid: ${(err as Error).message}`);
  }
}

/** The recorded deployment of `chainId`, as the SDK's type. */
export async function findDeployment(path: string, chainId: number): Promise<NexusDeployment | undefined> {
  const record = (await readDeploymentsFile(path)).deployments[String(chainId)];
  if (!record) return undefined;
  try {
    return {
      chainId,
      nexus: getAddress(record.nexus),
      vault: getAddress(record.vault),
      registry: getAddress(record.registry),
      taskImplementation: getAddress(record.taskImplementation),
      sourceImplementation: getAddress(record.sourceImplementation),
      deployBlock: BigInt(record.deployBlock),
    };
  } catch (err) {
    throw new UsageError(`the deployments file ${path} has an invalid entry for chain ${chainId}: ${(err as Error).message}`);
  }
}

/** Records (replaces) the deployment of its chain. Written atomically. */
export async function saveDeployment(path: string, record: DeploymentRecord): Promise<void> {
  const file = await readDeploymentsFile(path);
  file.deployments[String(record.chainId)] = record;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o644 });
  await rename(tmp, path);
}

const KEY_PATTERN = /^(0x)?[0-9a-fA-F]{64}$/;

/**
 * The signing key: `--key-file` (which must not be readable by group or others), else GPU_NEXUS_PRIVATE_KEY,
 * else GPU_NEXUS_KEY_FILE. Throws a UsageError naming the source, never the key.
 */
export async function loadPrivateKey(keyFileFlag: string | undefined, config: CliConfig): Promise<Hex> {
  const file = keyFileFlag ?? (config.privateKey ? undefined : config.keyFile);
  if (file !== undefined) return readKeyFile(file);
  if (config.privateKey !== undefined) return normalizeKey(config.privateKey, "GPU_NEXUS_PRIVATE_KEY");
  throw new UsageError("this command signs a transaction and no key is configured", "Set GPU_NEXUS_PRIVATE_KEY or pass --key-file <path> (mode 0600).");
}

async function readKeyFile(path: string): Promise<Hex> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (err) {
    throw new UsageError(`cannot read the key file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new UsageError(
      `the key file ${path} is accessible by group or others (mode ${(mode & 0o777).toString(8).padStart(4, "0")})`,
      `Restrict it: chmod 600 ${path}`,
    );
  }
  return normalizeKey(await readFile(path, "utf8"), `the key file ${path}`);
}

function normalizeKey(raw: string, from: string): Hex {
  const key = raw.trim();
  if (!KEY_PATTERN.test(key)) throw new UsageError(`${from} does not hold a 32-byte hex private key`);
  return (key.startsWith("0x") ? key : `0x${key}`).toLowerCase() as Hex;
}
