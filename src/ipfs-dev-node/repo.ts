// On-disk state of the dev node: blocks (blockstore-fs), pins and a peer identity (small JSON files).
import { generateKeyPairSync } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { unixfs, type UnixFS } from "@helia/unixfs";
import { FsBlockstore } from "blockstore-fs";
import { importBytes, type ImporterOptions } from "ipfs-unixfs-importer";
import { base58btc } from "multiformats/bases/base58";
import type { CID } from "multiformats/cid";

export type PinType = "recursive" | "direct";
export type PinRecord = { type: PinType; name: string };

export type Repo = {
  readonly blockstore: FsBlockstore;
  readonly fs: UnixFS;
  readonly peerId: string;
  readonly publicKey: string;
  /** Pins by CID string, as given when pinned (a CIDv0 stays CIDv0, as in Kubo). */
  readonly pins: ReadonlyMap<string, PinRecord>;
  add: (bytes: Uint8Array, options: ImporterOptions & { onlyHash: boolean }) => Promise<{ cid: CID; size: bigint }>;
  /** Checks the blocks are present (the whole DAG for recursive pins), then records the pin. */
  pin: (cid: CID, type: PinType, name: string) => Promise<void>;
  unpin: (cid: CID) => Promise<void>;
  close: () => Promise<void>;
};

const discardBlocks = { put: async (cid: CID) => cid };

export async function openRepo(dir: string): Promise<Repo> {
  await mkdir(dir, { recursive: true });
  const blockstore = new FsBlockstore(join(dir, "blocks"));
  await blockstore.open();
  const fs = unixfs({ blockstore });
  const identity = await loadIdentity(join(dir, "identity.json"));
  const pinsFile = join(dir, "pins.json");
  const pins = await loadPins(pinsFile);

  // Pin-file writes are chained so two requests cannot interleave a write and a rename.
  let writes: Promise<void> = Promise.resolve();
  const persist = (): Promise<void> => {
    const snapshot = JSON.stringify(Object.fromEntries(pins), null, 1);
    writes = writes.then(async () => {
      const tmp = `${pinsFile}.tmp`;
      await writeFile(tmp, snapshot);
      await rename(tmp, pinsFile);
    });
    return writes;
  };

  // Repeated chunks (zero padding, repetitive text) map to one block: write it once. blockstore-fs
  // writes atomically via temp file + rename, and concurrent writes of one block are very slow.
  const writing = new Map<string, Promise<CID>>();
  const dedupedStore = {
    put: (cid: CID, bytes: Uint8Array): Promise<CID> => {
      const key = cid.toString();
      let pending = writing.get(key);
      if (pending === undefined) {
        pending = (async () => ((await blockstore.has(cid)) ? cid : blockstore.put(cid, bytes)))().finally(() => writing.delete(key));
        writing.set(key, pending);
      }
      return pending;
    },
  };

  return {
    blockstore,
    fs,
    peerId: identity.peerId,
    publicKey: identity.publicKey,
    pins,
    async add(bytes, options) {
      const { cid, size } = await importBytes(bytes, options.onlyHash ? discardBlocks : dedupedStore, options);
      return { cid, size };
    },
    async pin(cid, type, name) {
      if (type === "recursive") {
        // Extended stat walks every block of the DAG and throws on the first missing one.
        await fs.stat(cid, { extended: true });
      } else if (!(await blockstore.has(cid))) {
        throw Object.assign(new Error(`block was not found locally (offline): ipld: could not find ${cid}`), {
          name: "NotFoundError",
        });
      }
      const existing = pins.get(cid.toString());
      // A recursive pin covers a direct one; it is never downgraded by a later direct pin.
      if (existing?.type === "recursive" && type === "direct") return;
      pins.set(cid.toString(), { type, name: name || existing?.name || "" });
      await persist();
    },
    async unpin(cid) {
      if (!pins.delete(cid.toString())) throw new Error("not pinned or pinned indirectly");
      await persist();
    },
    async close() {
      await writes.catch(() => undefined);
      await blockstore.close();
    },
  };
}

async function loadPins(file: string): Promise<Map<string, PinRecord>> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "{}";
    throw error;
  });
  const parsed = JSON.parse(text) as Record<string, PinRecord>;
  return new Map(Object.entries(parsed));
}

/**
 * A stable libp2p-style peer identity, so `id` answers the same across restarts. The node never
 * speaks libp2p, so only the Ed25519 public key is kept.
 */
async function loadIdentity(file: string): Promise<{ peerId: string; publicKey: string }> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as { peerId: string; publicKey: string };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const spki = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" });
  const rawKey = new Uint8Array(spki.subarray(spki.length - 32));
  // libp2p PublicKey protobuf { Type: Ed25519 (1), Data: 32 bytes }, inlined in an identity multihash.
  const protobuf = new Uint8Array([0x08, 0x01, 0x12, 0x20, ...rawKey]);
  const multihash = new Uint8Array([0x00, protobuf.length, ...protobuf]);
  const identity = { peerId: base58btc.baseEncode(multihash), publicKey: btoa(String.fromCharCode(...protobuf)) };
  await writeFile(file, JSON.stringify(identity));
  return identity;
}
