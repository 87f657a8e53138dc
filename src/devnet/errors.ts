// What can go wrong before a local market has a chain it may use: the node does not answer, it is not a
// development chain, or it has no funded account to pay for everything else. Each error's message is one line
// a person can act on, so a composition root can print `name: message` and stop.
import { formatEther, type Address } from "viem";

export type DevChainErrorCode = "unreachable" | "not-a-dev-chain" | "unfunded" | "chain-start-failed";

/** Root of the devnet's errors: `code` tells them apart without `instanceof`. */
export class DevChainError extends Error {
  readonly code: DevChainErrorCode;
  constructor(code: DevChainErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "DevChainError";
    this.code = code;
  }
}

/** Nothing answers JSON-RPC at the URL (refused, timed out, or not a JSON-RPC server). */
export class DevChainUnreachableError extends DevChainError {
  readonly rpcUrl: string;
  constructor(rpcUrl: string, reason: string, options: { cause?: unknown } = {}) {
    super("unreachable", `no JSON-RPC node answers at ${rpcUrl} (${reason}); start one (\`anvil\` or \`npx hardhat node\`) or leave out --rpc-url`, options);
    this.name = "DevChainUnreachableError";
    this.rpcUrl = rpcUrl;
  }
}

/** The node answers with a chain id that is not a development chain's: the well-known dev keys must not be used there. */
export class NotDevChainError extends DevChainError {
  readonly chainId: number;
  constructor(rpcUrl: string, chainId: number, devChainIds: readonly number[]) {
    super(
      "not-a-dev-chain",
      `${rpcUrl} serves chain id ${chainId}, not a development chain (${devChainIds.join(" or ")}); the demo signs with public dev keys and only runs on a local dev node`,
    );
    this.name = "NotDevChainError";
    this.chainId = chainId;
  }
}

/** The account everything is paid from holds too little, and the node offers no way around it. */
export class UnfundedAccountError extends DevChainError {
  readonly account: Address | undefined;
  readonly balance: bigint;
  readonly needed: bigint;
  constructor(p: { account: Address | undefined; balance: bigint; needed: bigint; hint: string }) {
    const who = p.account === undefined ? "the node has no unlocked account" : `account ${p.account} holds ${formatEther(p.balance)} ETH`;
    super("unfunded", `${who}; ${formatEther(p.needed)} ETH is needed (${p.hint})`);
    this.name = "UnfundedAccountError";
    this.account = p.account;
    this.balance = p.balance;
    this.needed = p.needed;
  }
}

/** The embedded chain could not be served (typically: the port is taken). */
export class LocalChainStartError extends DevChainError {
  constructor(host: string, port: number, reason: string, options: { cause?: unknown } = {}) {
    super("chain-start-failed", `cannot serve the embedded chain on ${host}:${port} (${reason}); pass another --port, or --rpc-url to use a running node`, options);
    this.name = "LocalChainStartError";
  }
}

/** The most specific short reason in an error's cause chain (a socket code such as ECONNREFUSED beats "fetch failed"). */
export function rootReason(error: unknown): string {
  let reason: string | undefined;
  for (let e: unknown = error, depth = 0; e !== null && typeof e === "object" && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    const status = (e as { status?: unknown }).status;
    if (typeof status === "number") return `HTTP ${status}`;
    const short = (e as { shortMessage?: unknown }).shortMessage;
    const message = typeof short === "string" ? short : (e as { message?: unknown }).message;
    if (typeof message === "string" && message.length > 0) reason = message.split("\n")[0];
  }
  return reason ?? String(error);
}
