// Many transactions in flight from one key.
//
// The problem: nonces handed out concurrently reach the node in whatever order the sends finish preparing.
// A node with a mempool queues a nonce gap, but an automining dev node (Hardhat, Anvil) refuses it ("Nonce too
// high … transactions can't be queued when automining"), and a send that fails after taking a nonce leaves a
// gap every later send waits behind. viem's own `nonceManager` hands out unique nonces but does not order the
// sends: measured over HTTP against `hardhat node`, only 29 of 200 concurrent publishTask calls landed.
//
// The fix: `createNexusNonceManager()`. Every Nexus action simulates and estimates gas concurrently (eth_call /
// eth_estimateGas on the latest block carry no nonce, so 200 simulations at once neither take nor collide on the
// pending nonce), then queues the send per sender: each send takes the next nonce only once the previous send
// was accepted by the node, and a send that fails gives its nonce back. Use it either way:
//   privateKeyToAccount(key, { nonceManager: createNexusNonceManager() })   // local accounts
//   publishTask(wallet, { ...args, nonceManager })                          // any account, JSON-RPC included
// It is also a plain viem NonceManager, so viem's own actions on that account keep unique nonces.
import type { Address, Client, NonceManager } from "viem";
import { getTransactionCount } from "viem/actions";

type Key = { address: Address; chainId: number };
type SenderState = { next: number | undefined; tail: Promise<unknown> };

/** A viem NonceManager that can also run sends one after the other, in nonce order, per sender. */
export type NexusNonceManager = NonceManager & {
  /**
   * Runs `send(nonce)` with the sender's next nonce, after every earlier send of that sender was handed to the
   * node. The nonce is used up only when `send` resolves; when the node says the nonce is stale (another
   * process sent from the key) the count is re-read and `send` retried once.
   */
  sendInOrder: <T>(parameters: Key & { client: Client }, send: (nonce: number) => Promise<T>) => Promise<T>;
};

/** Whether `value` is a manager made by `createNexusNonceManager`. */
export function isNexusNonceManager(value: unknown): value is NexusNonceManager {
  return typeof (value as { sendInOrder?: unknown } | null)?.sendInOrder === "function";
}

const STALE_NONCE = /nonce too low|nonce has already been used|already known|replacement transaction underpriced|NonceTooLowError/i;

function isStaleNonce(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e && i < 20; e = (e as { cause?: unknown }).cause, i++) {
    const { name, message, details } = e as { name?: unknown; message?: unknown; details?: unknown };
    if ([name, message, details].some((s) => typeof s === "string" && STALE_NONCE.test(s))) return true;
  }
  return false;
}

/**
 * A nonce manager for many transactions in flight from one key: each send takes the next nonce only once the
 * previous send of that sender was accepted, and a failed send gives its nonce back, so an automining node never
 * sees a nonce gap. Pass it as `privateKeyToAccount(key, { nonceManager })` or as a write's `nonceManager`.
 */
export function createNexusNonceManager(): NexusNonceManager {
  const senders = new Map<string, SenderState>();
  const stateOf = ({ address, chainId }: Key): SenderState => {
    const key = `${chainId}:${address.toLowerCase()}`;
    let s = senders.get(key);
    if (!s) senders.set(key, (s = { next: undefined, tail: Promise.resolve() }));
    return s;
  };
  const pending = (client: Client, address: Address) => getTransactionCount(client, { address, blockTag: "pending" });
  /** Runs `fn` after everything already queued for this sender (never rejects the chain). */
  const exclusive = <T>(s: SenderState, fn: () => Promise<T>): Promise<T> => {
    const run = s.tail.then(fn, fn);
    s.tail = run.catch(() => undefined);
    return run;
  };

  return {
    async consume(p) {
      const s = stateOf(p);
      return exclusive(s, async () => {
        s.next ??= await pending(p.client, p.address);
        return s.next++;
      });
    },
    async get(p) {
      const s = stateOf(p);
      return exclusive(s, async () => (s.next ??= await pending(p.client, p.address)));
    },
    increment(p) {
      const s = stateOf(p);
      if (s.next !== undefined) s.next++;
    },
    reset(p) {
      const s = stateOf(p);
      // Give back the last nonce when it is the one that failed; otherwise forget and re-read next time.
      if (p.nonce !== undefined && s.next === p.nonce + 1) s.next = p.nonce;
      else s.next = undefined;
    },
    sendInOrder(p, send) {
      const s = stateOf(p);
      return exclusive(s, async () => {
        for (let attempt = 0; ; attempt++) {
          s.next ??= await pending(p.client, p.address);
          const nonce = s.next;
          try {
            const result = await send(nonce);
            s.next = nonce + 1;
            return result;
          } catch (err) {
            // Unknown outcome or stale count: re-read the pending count before the next send.
            if (isStaleNonce(err)) s.next = undefined;
            if (attempt === 0 && isStaleNonce(err)) continue;
            throw err;
          }
        }
      });
    },
  };
}
