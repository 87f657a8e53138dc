// The one write path every Nexus action goes through: simulate (catches reverts, yields the return value),
// allocate a nonce when asked to, send, and hand back the hash with a `wait()` that decodes the events.
import {
  concat,
  encodeFunctionData,
  isAddressEqual,
  parseEventLogs,
  type Account,
  type Address,
  type Chain,
  type Client,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type Hash,
  type Hex,
  type NonceManager,
  type TransactionReceipt,
  type Transport,
} from "viem";
import { parseAccount } from "viem/accounts";
import {
  call,
  estimateGas,
  getBalance,
  getTransaction,
  prepareTransactionRequest,
  sendRawTransaction,
  sendTransaction,
  simulateContract,
  waitForTransactionReceipt,
  writeContract,
} from "viem/actions";
import { nexusAbi, type NexusEventLog } from "../abis.ts";
import { getClientChainId, resolveNexusAddress } from "../chains.ts";
import type { NexusError } from "../errors/base.ts";
import { decodeNexusError, toNexusError } from "../errors/decode.ts";
import { InsufficientFundsError, NexusRpcError, TransactionRevertedError, UnknownRevertError } from "../errors/kinds.ts";
import type { NexusRevertError } from "../errors/revert.ts";
import { MissingAccountError, NexusNotFoundError } from "../errors/usage.ts";
import { assertNexus } from "./nexus-check.ts";
import { isNexusNonceManager, type NexusNonceManager } from "./nonce.ts";

/** `account` is required when the client has none, optional (an override) when it has one. */
export type NexusAccountParameter<account extends Account | undefined> = [account] extends [undefined]
  ? { account: Account | Address }
  : { account?: Account | Address | undefined };

/** Options every write action accepts besides its own arguments. */
export type NexusWriteOptions = {
  /** The Nexus to call; defaults to the deployment registered for the client's chain (`registerDeployment`). */
  nexus?: Address | undefined;
  chain?: Chain | null | undefined;
  gas?: bigint | undefined;
  gasPrice?: bigint | undefined;
  maxFeePerGas?: bigint | undefined;
  maxPriorityFeePerGas?: bigint | undefined;
  /** An explicit nonce; wins over any nonce manager. */
  nonce?: number | undefined;
  /**
   * Allocates the nonce for this send, whatever the account type. `createNexusNonceManager()` also orders the
   * sends (`createNexusNonceManager`); a local account may carry it instead: `privateKeyToAccount(key, { nonceManager })`.
   */
  nonceManager?: NonceManager | undefined;
};

export type NexusWriteParameters<account extends Account | undefined> = NexusWriteOptions & NexusAccountParameter<account>;

export type WaitForNexusTransactionParameters = {
  hash: Hash;
  /** Only logs of this Nexus are decoded; defaults to the client's chain deployment. */
  nexus?: Address | undefined;
  confirmations?: number | undefined;
  timeout?: number | undefined;
  pollingInterval?: number | undefined;
};
export type WaitForNexusTransactionReturnType = {
  receipt: TransactionReceipt;
  /** The protocol events of the transaction, decoded and typed; narrow on `eventName`. */
  events: NexusEventLog[];
};
export type WaitForNexusTransactionErrorType = TransactionRevertedError | NexusRpcError | NexusError;

/** What `wait()` of a write accepts. */
export type NexusWaitOptions = Omit<WaitForNexusTransactionParameters, "hash" | "nexus">;

/** Every write returns the hash at once, the simulated result, and `wait()` for the receipt and events. */
export type NexusWriteReturnType<result extends object = object> = {
  hash: Hash;
  /** Resolves once mined; throws TransactionRevertedError when the transaction reverted on-chain. */
  wait: (options?: NexusWaitOptions) => Promise<WaitForNexusTransactionReturnType>;
} & result;

/**
 * Errors a write action throws, always a NexusError: a decoded revert from simulation, an RPC failure
 * (`InsufficientFundsError` when the sender cannot pay), `NexusNotFoundError` when no Nexus answers at the
 * address used, `MissingAccountError`, `InvalidAddressParameterError`, …
 */
export type NexusWriteErrorType = NexusRevertError | UnknownRevertError | NexusRpcError | NexusError;

/**
 * Waits for a transaction to be mined and decodes the Nexus events it emitted.
 * @throws TransactionRevertedError when it was mined with status "reverted" (with a best-effort reason).
 */
export async function waitForNexusTransaction(
  client: Client<Transport, Chain | undefined>,
  parameters: WaitForNexusTransactionParameters,
): Promise<WaitForNexusTransactionReturnType> {
  const { hash, confirmations, timeout, pollingInterval } = parameters;
  let receipt: TransactionReceipt;
  try {
    receipt = await waitForTransactionReceipt(client, { hash, confirmations, timeout, pollingInterval });
  } catch (err) {
    throw toNexusError(err);
  }
  const nexus = await resolveNexusAddress(client, parameters.nexus);
  if (receipt.status === "reverted") throw new TransactionRevertedError({ hash, receipt, revert: await replayRevert(client, receipt) });
  const logs = receipt.logs.filter((l) => isAddressEqual(l.address, nexus));
  const events = parseEventLogs({ abi: nexusAbi, logs }) as NexusEventLog[];
  return { receipt, events };
}

/**
 * Re-runs a reverted transaction to find why (best effort). It runs on the state at the end of its block:
 * that state includes the earlier transactions of the block, usually the very reason it reverted.
 */
async function replayRevert(
  client: Client<Transport, Chain | undefined>,
  receipt: TransactionReceipt,
): Promise<NexusRevertError | UnknownRevertError | undefined> {
  try {
    const tx = await getTransaction(client, { hash: receipt.transactionHash });
    await call(client, { account: tx.from, to: tx.to, data: tx.input, value: tx.value, gas: tx.gas, blockNumber: receipt.blockNumber });
    return undefined;
  } catch (err) {
    const decoded = decodeNexusError(err);
    return decoded instanceof UnknownRevertError || (decoded as { errorName?: unknown }).errorName ? (decoded as NexusRevertError) : undefined;
  }
}

type WriteName = ContractFunctionName<typeof nexusAbi, "nonpayable" | "payable">;

/** Simulates then sends one Nexus call. Internal: actions wrap it with their own typed parameters. */
export async function writeNexus<functionName extends WriteName>(
  client: Client<Transport, Chain | undefined, Account | undefined>,
  parameters: NexusWriteOptions & {
    account?: Account | Address | undefined;
    functionName: functionName;
    args: ContractFunctionArgs<typeof nexusAbi, "nonpayable" | "payable", functionName>;
    value?: bigint | undefined;
    /** The block the simulation runs on: the latest by default; "pending" for a call that needs the next block's time. */
    simulateOn?: "latest" | "pending" | undefined;
  },
): Promise<{ hash: Hash; nexus: Address; result: ContractFunctionReturnType<typeof nexusAbi, "nonpayable" | "payable", functionName> }> {
  const { nexus: override, nonceManager, functionName, args, value, simulateOn, ...tx } = parameters;
  const account = parameters.account ?? client.account;
  // Checked first: simulating without an account runs as the zero address, whose revert would mislead.
  if (!account) throw new MissingAccountError({ functionName });
  // Set when a plain viem NonceManager gave this send a nonce: given back if the send fails.
  let nonceSlot: { address: Address; chainId: number; nonce: number } | undefined;
  try {
    const address = await resolveNexusAddress(client, override);
    // The Nexus is checked before anything is sent: a call to an account or an empty address simulates fine
    // when the function returns nothing (deposit, withdraw, …) and would send the value there.
    // eth_call on the latest block: a simulation carries no nonce, so any number of sends may simulate at once.
    const [checked, simulated] = await Promise.allSettled([
      assertNexus(client, address),
      simulateContract(client, {
        ...tx,
        account,
        address,
        abi: nexusAbi,
        functionName,
        args,
        value,
        blockTag: simulateOn,
      } as never),
    ]);
    // A wrong address explains whatever the simulation did.
    if (checked.status === "rejected" && checked.reason instanceof NexusNotFoundError) throw checked.reason;
    if (simulated.status === "rejected") throw simulated.reason;
    if (checked.status === "rejected") throw checked.reason;
    const { request, result } = simulated.value as { request: unknown; result: unknown };
    const parsed = parseAccount(account);
    const manager = nonceManager ?? (parsed.type === "local" && isNexusNonceManager(parsed.nonceManager) ? parsed.nonceManager : undefined);
    let hash: Hash;
    if (tx.nonce !== undefined || !manager) {
      hash = await writeContract(client, request as never);
    } else {
      const key = { address: parsed.address, chainId: tx.chain?.id ?? (await getClientChainId(client)), client: client as Client };
      if (isNexusNonceManager(manager)) {
        // Prepare everything but the nonce outside the queue, so the queue only signs and sends, in nonce order.
        hash = await sendOrdered(client, manager, key, parsed, request as unknown as PreparedCall, tx);
      } else {
        const nonce = await manager.consume(key);
        nonceSlot = { address: key.address, chainId: key.chainId, nonce };
        hash = await writeContract(client, { ...(request as object), nonce } as never);
      }
    }
    return { hash, nexus: address, result: result as ContractFunctionReturnType<typeof nexusAbi, "nonpayable" | "payable", functionName> };
  } catch (err) {
    if (nonceSlot && nonceManager) nonceManager.reset(nonceSlot);
    const decoded = toNexusError(err);
    if (decoded instanceof InsufficientFundsError && decoded.account === undefined) {
      throw await withSender(client, decoded, parseAccount(account).address, value);
    }
    throw decoded;
  }
}

/** The node only says "insufficient funds": name the sender, its balance and the chain. */
async function withSender(
  client: Client<Transport, Chain | undefined, Account | undefined>,
  err: InsufficientFundsError,
  account: Address,
  value: bigint | undefined,
): Promise<InsufficientFundsError> {
  const [balance, chainId] = await Promise.all([
    getBalance(client, { address: account }).catch(() => undefined),
    getClientChainId(client).catch(() => undefined),
  ]);
  return new InsufficientFundsError({
    reason: err.reason,
    retryable: false,
    code: err.code,
    status: err.status,
    details: err.details,
    cause: err.cause instanceof Error ? err.cause : undefined,
    account,
    balance,
    value,
    chainId,
    chainName: client.chain?.name,
  });
}

/** Adds `wait()` bound to the client and the Nexus the transaction was sent to. */
export function withWait<result extends object>(
  client: Client<Transport, Chain | undefined, Account | undefined>,
  sent: { hash: Hash; nexus: Address },
  result: result,
): NexusWriteReturnType<result> {
  return {
    ...result,
    hash: sent.hash,
    wait: (options?: NexusWaitOptions) => waitForNexusTransaction(client, { ...options, hash: sent.hash, nexus: sent.nexus }),
  };
}

/** The options part of an action's parameters (everything but its own arguments). */
export function writeOptions(p: object): NexusWriteOptions & { account?: Account | Address | undefined } {
  const { nexus, chain, gas, gasPrice, maxFeePerGas, maxPriorityFeePerGas, nonce, nonceManager, account } = p as NexusWriteOptions & {
    account?: Account | Address | undefined;
  };
  return { nexus, chain, gas, gasPrice, maxFeePerGas, maxPriorityFeePerGas, nonce, nonceManager, account };
}

/** A uniformly random value of `bytes` bytes (Web Crypto: browsers and Node alike). */
export function randomBytes(bytes: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(bytes));
}

type PreparedCall = { address: Address; abi: typeof nexusAbi; functionName: string; args: readonly unknown[]; value?: bigint | undefined; dataSuffix?: Hex | undefined };

async function sendOrdered(
  client: Client<Transport, Chain | undefined, Account | undefined>,
  manager: NexusNonceManager,
  key: { address: Address; chainId: number; client: Client },
  account: Account,
  call: PreparedCall,
  tx: Omit<NexusWriteOptions, "nexus" | "nonceManager">,
): Promise<Hash> {
  const data = concat([encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args } as never), call.dataSuffix ?? "0x"]);
  const chain = tx.chain === undefined ? client.chain : tx.chain;
  const gas = tx.gas ?? (await estimateGas(client, { account, to: call.address, data, value: call.value }));
  if (account.type !== "local") {
    return manager.sendInOrder(key, (nonce) =>
      sendTransaction(client, { ...tx, account, chain, to: call.address, data, value: call.value, gas, nonce } as never),
    );
  }
  const prepared = await prepareTransactionRequest(client, {
    ...tx,
    account,
    chain,
    to: call.address,
    data,
    value: call.value,
    gas,
    parameters: ["chainId", "fees", "type"],
  } as never);
  return manager.sendInOrder(key, async (nonce) => {
    const serializedTransaction = await account.signTransaction({ ...(prepared as object), nonce } as never, {
      serializer: chain?.serializers?.transaction,
    });
    return sendRawTransaction(client, { serializedTransaction });
  });
}
