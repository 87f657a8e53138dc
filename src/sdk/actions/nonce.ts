// Many transactions in flight from one key.
//
// Local accounts (a private key in the process): give the account viem's nonce manager and send away:
//   const account = privateKeyToAccount(key, { nonceManager });   // `nonceManager` from "viem"
//   await Promise.all(jobs.map((j) => publishTask(wallet, j)));     // every send gets the next nonce
// viem asks the node for the *pending* count once, then counts locally; a failed send gives its nonce back.
//
// Any account (JSON-RPC accounts included): pass `nonceManager` to each write action, e.g.
// `createNexusNonceManager()`. It hands out nonces in call order and makes sure they reach the node in that
// order too, which nodes that refuse nonce gaps (Hardhat/Anvil automine) need.
//
// Simulation never takes a nonce: every action simulates with eth_call on the latest block before it asks
// for one, so 200 concurrent simulations neither consume nor collide on the pending nonce.
import { createNonceManager, type Address, type NonceManager } from "viem";
import { getTransactionCount } from "viem/actions";

/**
 * A nonce manager for any account type: the first nonce of an address comes from the node's pending
 * transaction count, the next ones are counted locally. A send that fails before reaching the node
 * returns its nonce (the next send reuses it).
 */
export function createNexusNonceManager(): NonceManager {
  return createNonceManager({
    source: {
      async get({ address, client, blockTag }: { address: Address; client: Parameters<NonceManager["consume"]>[0]["client"]; blockTag?: "pending" | "latest" }) {
        return getTransactionCount(client, { address, blockTag: blockTag ?? "pending" });
      },
      set() {},
    },
  });
}
