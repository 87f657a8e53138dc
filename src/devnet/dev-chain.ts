/**
 * A development chain that something else started (`anvil`, `hardhat node`, the embedded chain): checked before
 * anything is sent to it, and the one thing asked of it is a single funded unlocked account. Hardhat funds 20
 * dev accounts and Anvil 10, so role accounts are funded from that first account rather than assumed funded.
 */
import { createPublicClient, createTestClient, createWalletClient, defineChain, formatEther, http, parseEther, type Address, type Chain, type Hex } from "viem";
import { DevChainError, DevChainUnreachableError, NotDevChainError, UnfundedAccountError, rootReason } from "./errors.ts";

/** Chain ids of local development nodes: Hardhat's and Anvil's default, and geth --dev / Ganache's. */
export const DEV_CHAIN_IDS: readonly number[] = [31337, 1337];

/** Kept back on the funder for its own transactions (the suite's deployment costs well under this). */
export const FUNDER_RESERVE = parseEther("1");

export type DevChain = {
  rpcUrl: string;
  chainId: number;
  chain: Chain;
  /** `web3_clientVersion`, e.g. "anvil/v1.7.1"; undefined when the node does not say. */
  clientVersion: string | undefined;
  /** The chain's first unlocked account: Ignition deploys from it and role accounts are funded from it. */
  funder: Address;
};

/** Answers, is a dev chain, and has a funded first account (at least FUNDER_RESERVE); otherwise a typed error. */
export async function connectDevChain(rpcUrl: string, { timeoutMs = 5_000 }: { timeoutMs?: number } = {}): Promise<DevChain> {
  // No retries: a node that is not running should be reported now, not after viem's backoff.
  const probe = createPublicClient({ transport: http(rpcUrl, { timeout: timeoutMs, retryCount: 0 }) });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (error) {
    throw new DevChainUnreachableError(rpcUrl, rootReason(error), { cause: error });
  }
  if (!DEV_CHAIN_IDS.includes(chainId)) throw new NotDevChainError(rpcUrl, chainId, DEV_CHAIN_IDS);
  const clientVersion = await probe.request({ method: "web3_clientVersion" }).catch(() => undefined);
  const accounts = await createWalletClient({ transport: http(rpcUrl, { timeout: timeoutMs, retryCount: 0 }) })
    .getAddresses()
    .catch((): Address[] => []);
  const funder = accounts[0];
  const balance = funder === undefined ? 0n : await probe.getBalance({ address: funder });
  if (funder === undefined || balance < FUNDER_RESERVE) {
    throw new UnfundedAccountError({ account: funder, balance, needed: FUNDER_RESERVE, hint: "the chain's first account deploys the suite and funds every other account" });
  }
  const chain = defineChain({
    id: chainId,
    name: clientVersion ?? `dev chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  return { rpcUrl, chainId, chain, clientVersion, funder };
}

export type FundingTarget = { label: string; address: Address; amount: bigint };
export type FundingMethod = "transfer" | "anvil_setBalance" | "hardhat_setBalance";
export type FundingReport = {
  funder: Address;
  method: FundingMethod | undefined;
  funded: (FundingTarget & { topUp: bigint })[];
  /** Targets that already held at least their amount. */
  alreadyFunded: FundingTarget[];
};

/**
 * Sets `address`'s balance with the node's own method, Anvil's name first (Anvil also answers Hardhat's; Hardhat
 * only its own). Returns the method that worked, or undefined when the node offers neither.
 */
export async function setBalance(rpcUrl: string, address: Address, value: bigint): Promise<FundingMethod | undefined> {
  for (const mode of ["anvil", "hardhat"] as const) {
    const client = createTestClient({ mode, transport: http(rpcUrl, { retryCount: 0 }) });
    try {
      await client.setBalance({ address, value });
      return `${mode}_setBalance`;
    } catch {
      // Method not found: try the other name.
    }
  }
  return undefined;
}

/**
 * Brings every target up to its amount. Plain transfers from the funder, which any dev node accepts; only when the
 * funder cannot cover them (its reserve kept) does it fall back to the node's set-balance method, where offered.
 */
export async function fundAccounts(dev: DevChain, targets: readonly FundingTarget[]): Promise<FundingReport> {
  const transport = http(dev.rpcUrl);
  const publicClient = createPublicClient({ chain: dev.chain, transport });
  const balances = await Promise.all(targets.map((t) => publicClient.getBalance({ address: t.address })));
  const funded = targets.flatMap((t, i) => (balances[i]! < t.amount ? [{ ...t, topUp: t.amount - balances[i]! }] : []));
  const alreadyFunded = targets.filter((_, i) => balances[i]! >= targets[i]!.amount);
  if (funded.length === 0) return { funder: dev.funder, method: undefined, funded, alreadyFunded };

  const total = funded.reduce((sum, t) => sum + t.topUp, 0n);
  const funderBalance = await publicClient.getBalance({ address: dev.funder });
  if (funderBalance >= total + FUNDER_RESERVE) {
    // The node signs for its unlocked account; explicit nonces let every transfer go out before any is mined
    // (a chain that mines on an interval would otherwise cost one block per account).
    const wallet = createWalletClient({ account: dev.funder, chain: dev.chain, transport });
    const nonce = await publicClient.getTransactionCount({ address: dev.funder, blockTag: "pending" });
    const hashes: Hex[] = [];
    for (const [i, t] of funded.entries()) hashes.push(await wallet.sendTransaction({ to: t.address, value: t.topUp, nonce: nonce + i }));
    const receipts = await Promise.all(hashes.map((hash) => publicClient.waitForTransactionReceipt({ hash })));
    const failed = receipts.findIndex((r) => r.status !== "success");
    if (failed >= 0) throw new DevChainError("unfunded", `funding ${funded[failed]!.label} ${funded[failed]!.address}: transfer ${hashes[failed]} from ${dev.funder} reverted`);
    return { funder: dev.funder, method: "transfer", funded, alreadyFunded };
  }

  let method: FundingMethod | undefined;
  for (const t of funded) {
    method = await setBalance(dev.rpcUrl, t.address, t.amount);
    if (method === undefined) {
      throw new UnfundedAccountError({
        account: dev.funder,
        balance: funderBalance,
        needed: total + FUNDER_RESERVE,
        hint: `to fund ${funded.map((f) => f.label).join(", ")}; the node offers no anvil_setBalance / hardhat_setBalance`,
      });
    }
  }
  return { funder: dev.funder, method, funded, alreadyFunded };
}

/** One line saying what was funded, how, and from where. */
export function describeFunding(report: FundingReport): string {
  if (report.funded.length === 0) return `funding: every role account already held its amount (${report.alreadyFunded.map((t) => t.label).join(", ")})`;
  const how = report.method === "transfer" ? `plain transfers from ${report.funder}` : `${report.method} (${report.funder} could not cover them)`;
  const list = report.funded.map((t) => `${t.label} ${t.address} +${formatEther(t.topUp)} ETH`).join(", ");
  const rest = report.alreadyFunded.length === 0 ? "" : `; already funded: ${report.alreadyFunded.map((t) => t.label).join(", ")}`;
  return `funding: ${list} by ${how}${rest}`;
}
