// Sending the provider's transactions so that a crash can never make the node send one twice by mistake:
// the SDK action signs locally, and the signed bytes (hence the hash) are handed to the caller to persist
// BEFORE they are broadcast. After a restart the recorded hash is looked up, and the recorded bytes are
// re-broadcast if the chain never saw them: same nonce, same hash, so a re-send cannot become a second tx.
import { setTimeout as sleep } from "node:timers/promises";
import {
  createWalletClient,
  custom,
  defineChain,
  keccak256,
  type Account,
  type Address,
  type Chain,
  type Client,
  type EIP1193RequestFn,
  type Hash,
  type Hex,
  type Transport,
  type WalletClient,
} from "viem";
import { getTransaction, getTransactionCount, getTransactionReceipt, sendRawTransaction } from "viem/actions";
import { decodeNexusError } from "../sdk/errors/index.ts";
import type { Logger } from "./logger.ts";
import type { SentTx } from "./state.ts";

type AnyClient = Client<Transport, Chain | undefined>;

export type TxLookup =
  | { status: "mined"; success: boolean; blockNumber: bigint }
  | { status: "pending" }
  | { status: "unknown" };

/** Where a recorded transaction stands on the node we talk to. */
export async function lookupTx(client: AnyClient, hash: Hash): Promise<TxLookup> {
  try {
    const receipt = await getTransactionReceipt(client, { hash });
    return { status: "mined", success: receipt.status === "success", blockNumber: receipt.blockNumber };
  } catch (error) {
    if ((error as Error).name !== "TransactionReceiptNotFoundError") throw decodeNexusError(error);
  }
  try {
    await getTransaction(client, { hash });
    return { status: "pending" };
  } catch (error) {
    if ((error as Error).name === "TransactionNotFoundError") return { status: "unknown" };
    throw decodeNexusError(error);
  }
}

/** Re-broadcasts recorded bytes. Returns false when the node refuses them for good (nonce already used). */
export async function rebroadcast(client: AnyClient, tx: SentTx, logger: Logger): Promise<boolean> {
  try {
    await sendRawTransaction(client, { serializedTransaction: tx.raw });
    return true;
  } catch (error) {
    const text = `${(error as Error).message}`;
    if (/already known|already imported|known transaction/i.test(text)) return true;
    logger.warn({ hash: tx.hash, err: decodeNexusError(error) }, "re-broadcast refused");
    if (/nonce too low|nonce has already been used|NonceTooLow/i.test(text)) return false;
    throw decodeNexusError(error);
  }
}

export type TxSenderOptions = {
  client: AnyClient;
  account: Account;
  chainId: number;
  logger: Logger;
  /** Fault tests: a window between "recorded" and "broadcast" to kill the process in. */
  delayBroadcastMs?: number | undefined;
};

/** Serializes the provider's sends (one nonce sequence) and records each signed tx before broadcasting it. */
export class TxSender {
  readonly #o: TxSenderOptions;
  readonly #chain: Chain;
  #queue: Promise<unknown> = Promise.resolve();
  // The nonce after our last send, trusted over the node's pending count only briefly: a load-balanced RPC
  // may answer from a node that has not seen that send yet, but a dropped tx must not leave a gap forever.
  #last: { next: number; at: number } = { next: 0, at: 0 };

  constructor(options: TxSenderOptions) {
    this.#o = options;
    this.#chain = defineChain({
      id: options.chainId,
      name: `chain-${options.chainId}`,
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [] } },
    });
  }

  get address(): Address {
    return this.#o.account.address;
  }

  /**
   * Runs `action` (an SDK write such as `attempt(wallet, { …, nonce })`) with a wallet whose broadcast first
   * awaits `record(tx)`. Sends are queued so nonces never collide. Returns the broadcast hash.
   * Errors of the action (decoded reverts from its simulation, RPC failures) propagate unchanged.
   */
  send(action: (wallet: WalletClient<Transport, Chain, Account>, nonce: number) => Promise<unknown>, record: (tx: SentTx) => Promise<void>): Promise<Hash> {
    const run = async (): Promise<Hash> => {
      const pending = await getTransactionCount(this.#o.client, { address: this.address, blockTag: "pending" }).catch((error: unknown) => {
        throw decodeNexusError(error);
      });
      const nonce = Date.now() - this.#last.at < 30_000 ? Math.max(pending, this.#last.next) : pending;
      let signed: SentTx | undefined;
      const request: EIP1193RequestFn = async (args) => {
        if (args.method === "eth_sendRawTransaction") {
          const raw = (args.params as readonly [Hex])[0];
          signed = { hash: keccak256(raw), raw, sentAt: Date.now() };
          await record(signed);
          if (this.#o.delayBroadcastMs) await sleep(this.#o.delayBroadcastMs);
        }
        return this.#o.client.request(args as never) as never;
      };
      const wallet = createWalletClient({ account: this.#o.account, chain: this.#chain, transport: custom({ request }, { retryCount: 0 }) });
      try {
        await action(wallet, nonce);
        this.#last = { next: nonce + 1, at: Date.now() };
      } catch (error) {
        if (signed === undefined) throw error;
        // Recorded, then the broadcast failed: the node may still have taken it (timeout after accepting).
        const seen = await lookupTx(this.#o.client, signed.hash).catch(() => ({ status: "unknown" }) as const);
        if (seen.status === "unknown") throw error;
        this.#o.logger.warn({ hash: signed.hash, err: error }, "broadcast reported an error but the node has the transaction");
        this.#last = { next: nonce + 1, at: Date.now() };
      }
      if (signed === undefined) throw new Error("the action returned without broadcasting a transaction");
      return signed.hash;
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
