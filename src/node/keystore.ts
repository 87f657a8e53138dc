// Web3 Secret Storage (V3 keystore) for the provider's hot key: the format geth, clef, foundry's `cast wallet`
// and MetaMask export, so operators bring the key file they already have instead of a plaintext key.
import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from "node:crypto";
import { pbkdf2Async } from "@noble/hashes/pbkdf2.js";
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, hexToBytes, isHex, type Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { z } from "zod";

/** The keystore is malformed, uses an unsupported cipher/KDF, or the password is wrong (MAC mismatch). */
export class KeystoreError extends Error {
  readonly reason: "malformed" | "unsupported" | "wrong-password";
  constructor(reason: KeystoreError["reason"], message: string) {
    super(message);
    this.name = "KeystoreError";
    this.reason = reason;
  }
}

const hexString = z.string().regex(/^(0x)?[0-9a-fA-F]*$/, "expected hex");
const scryptParams = z.object({ dklen: z.number().int(), n: z.number().int(), r: z.number().int(), p: z.number().int(), salt: hexString });
const pbkdf2Params = z.object({ dklen: z.number().int(), c: z.number().int(), prf: z.string(), salt: hexString });
const keystoreSchema = z.object({
  version: z.literal(3),
  address: z.string().optional(),
  crypto: z.object({
    cipher: z.string(),
    cipherparams: z.object({ iv: hexString }),
    ciphertext: hexString,
    kdf: z.string(),
    kdfparams: z.record(z.string(), z.unknown()),
    mac: hexString,
  }),
});
export type KeystoreV3 = z.output<typeof keystoreSchema>;

const bytes = (hex: string): Uint8Array => hexToBytes((hex.startsWith("0x") ? hex : `0x${hex}`) as Hex);
const plain = (hex: Uint8Array): string => bytesToHex(hex).slice(2);

// Caps keep a hostile keystore from pinning the CPU or exhausting memory at startup.
const MAX_SCRYPT_N = 1 << 20;
const MAX_PBKDF2_C = 10_000_000;

async function deriveKey(crypto: KeystoreV3["crypto"], password: string): Promise<Uint8Array> {
  if (crypto.kdf === "scrypt") {
    const p = scryptParams.safeParse(crypto.kdfparams);
    if (!p.success) throw new KeystoreError("malformed", "scrypt kdfparams are malformed");
    const { n, r, p: par, dklen, salt } = p.data;
    if (n > MAX_SCRYPT_N || dklen < 32) throw new KeystoreError("unsupported", `scrypt n=${n} dklen=${dklen} is outside the supported range`);
    return scryptAsync(password, bytes(salt), { N: n, r, p: par, dkLen: dklen, maxmem: 2 ** 31 });
  }
  if (crypto.kdf === "pbkdf2") {
    const p = pbkdf2Params.safeParse(crypto.kdfparams);
    if (!p.success) throw new KeystoreError("malformed", "pbkdf2 kdfparams are malformed");
    const { c, dklen, prf, salt } = p.data;
    if (prf !== "hmac-sha256") throw new KeystoreError("unsupported", `pbkdf2 prf ${prf} is not supported`);
    if (c > MAX_PBKDF2_C || dklen < 32) throw new KeystoreError("unsupported", `pbkdf2 c=${c} dklen=${dklen} is outside the supported range`);
    return pbkdf2Async(sha256, password, bytes(salt), { c, dkLen: dklen });
  }
  throw new KeystoreError("unsupported", `kdf ${crypto.kdf} is not supported (scrypt, pbkdf2)`);
}

function mac(derived: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const input = new Uint8Array(16 + ciphertext.length);
  input.set(derived.subarray(16, 32), 0);
  input.set(ciphertext, 16);
  return keccak_256(input);
}

/**
 * Decrypts a V3 keystore (JSON text or parsed object) into the private key.
 * @throws KeystoreError — `wrong-password` when the MAC does not match.
 */
export async function decryptKeystore(keystore: string | unknown, password: string): Promise<Hex> {
  let json: unknown = keystore;
  if (typeof keystore === "string") {
    try {
      json = JSON.parse(keystore);
    } catch {
      throw new KeystoreError("malformed", "the keystore is not valid JSON");
    }
  }
  const parsed = keystoreSchema.safeParse(json);
  if (!parsed.success) throw new KeystoreError("malformed", `not a V3 keystore: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const { crypto } = parsed.data;
  if (crypto.cipher !== "aes-128-ctr") throw new KeystoreError("unsupported", `cipher ${crypto.cipher} is not supported (aes-128-ctr)`);
  const derived = await deriveKey(crypto, password);
  const ciphertext = bytes(crypto.ciphertext);
  const expected = bytes(crypto.mac);
  const actual = mac(derived, ciphertext);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new KeystoreError("wrong-password", "keystore MAC mismatch: wrong password or corrupted file");
  }
  const decipher = createDecipheriv("aes-128-ctr", derived.subarray(0, 16), bytes(crypto.cipherparams.iv));
  const key = new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  derived.fill(0);
  if (key.length !== 32) throw new KeystoreError("malformed", `decrypted key has ${key.length} bytes, expected 32`);
  const hex = bytesToHex(key);
  key.fill(0);
  if (!isHex(hex)) throw new KeystoreError("malformed", "decrypted key is not hex");
  return hex;
}

export type EncryptKeystoreOptions = {
  /** scrypt cost; 262144 (geth's default) unless told otherwise. Tests use small values to stay fast. */
  n?: number;
};

/** Encrypts a private key as a V3 keystore (scrypt + aes-128-ctr), for `init`-style commands and tests. */
export async function encryptKeystore(privateKey: Hex, password: string, options: EncryptKeystoreOptions = {}): Promise<KeystoreV3> {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const n = options.n ?? 262_144;
  const derived = await scryptAsync(password, salt, { N: n, r: 8, p: 1, dkLen: 32, maxmem: 2 ** 31 });
  const cipher = createCipheriv("aes-128-ctr", derived.subarray(0, 16), iv);
  const ciphertext = new Uint8Array(Buffer.concat([cipher.update(hexToBytes(privateKey)), cipher.final()]));
  return {
    version: 3,
    address: privateKeyToAddress(privateKey).slice(2).toLowerCase(),
    crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: plain(iv) },
      ciphertext: plain(ciphertext),
      kdf: "scrypt",
      kdfparams: { dklen: 32, n, r: 8, p: 1, salt: plain(salt) },
      mac: plain(mac(derived, ciphertext)),
    },
  };
}
