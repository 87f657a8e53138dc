// Configuration merging and validation, the V3 keystore (official Web3 Secret Storage vectors), and log redaction.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadNodeConfig, NodeConfigError } from "../../src/node/config.ts";
import { decryptKeystore, encryptKeystore, KeystoreError } from "../../src/node/keystore.ts";
import { createLogger } from "../../src/node/logger.ts";

// Web3 Secret Storage Definition test vectors (password "testpassword").
const VECTOR_KEY = "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";
const VECTOR_ADDRESS = "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b";
const PBKDF2_VECTOR = {
  crypto: {
    cipher: "aes-128-ctr",
    cipherparams: { iv: "6087dab2f9fdbbfaddc31a909735c1e6" },
    ciphertext: "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
    kdf: "pbkdf2",
    kdfparams: { c: 262144, dklen: 32, prf: "hmac-sha256", salt: "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd" },
    mac: "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
  },
  id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  version: 3,
};
const SCRYPT_VECTOR = {
  crypto: {
    cipher: "aes-128-ctr",
    cipherparams: { iv: "83dbcc02d8ccb40e466191a123791e0e" },
    ciphertext: "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
    kdf: "scrypt",
    kdfparams: { dklen: 32, n: 262144, r: 1, p: 8, salt: "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19" },
    mac: "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097",
  },
  id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  version: 3,
};

let dir = "";
const base = { rpcUrl: "http://127.0.0.1:8545", ipfs: { rpcUrl: "http://127.0.0.1:5001" }, stateDir: "./state" };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gn-config-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("loadNodeConfig", () => {
  test("file < env < flags, defaults filled, relative paths resolved against the file", async () => {
    const file = join(dir, "node.json");
    await writeFile(file, JSON.stringify({ ...base, concurrency: 2, reportLapses: true, environments: ["cpu"] }));
    const { config, account } = await loadNodeConfig({
      file,
      env: { GPU_NEXUS_PROVIDER_KEY: VECTOR_KEY, GPU_NEXUS_CONCURRENCY: "3", GPU_NEXUS_REPORT_LAPSES: "false", GPU_NEXUS_ENVIRONMENTS: "cpu, nvidia" },
      flags: { concurrency: "7", "rpc-url": "http://10.0.0.1:8545" },
    });
    expect(account.address).toBe(VECTOR_ADDRESS);
    expect(config).toMatchObject({ concurrency: 7, reportLapses: false, rpcUrl: "http://10.0.0.1:8545", environments: ["cpu", "nvidia"], runtime: "auto", confirmations: 1 });
    expect(config.stateDir).toBe(join(dir, "state"));
    expect(JSON.stringify(config)).not.toContain(VECTOR_KEY.slice(2));
  });

  test("every problem is reported at once, and a key in the file is refused", async () => {
    const error = await loadNodeConfig({ file: { rpcUrl: "ftp://x", concurrency: 0, ipfs: {} }, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeConfigError);
    const issues = (error as NodeConfigError).issues.join("\n");
    for (const field of ["rpcUrl", "concurrency", "ipfs.rpcUrl", "stateDir"]) expect(issues).toContain(field);
    await expect(loadNodeConfig({ file: { ...base, providerKey: VECTOR_KEY }, env: {} })).rejects.toThrow(/must not hold a private key/);
    await expect(loadNodeConfig({ file: base, env: { GPU_NEXUS_PROVIDER_KEY: "0x1234" } })).rejects.toThrow(/GPU_NEXUS_PROVIDER_KEY is not a 32-byte/);
    await expect(loadNodeConfig({ file: base, env: {} })).rejects.toThrow(/no provider key/);
  });

  test("the key can come from a keystore whose password is in the environment", async () => {
    const path = join(dir, "key.json");
    await writeFile(path, JSON.stringify(await encryptKeystore(VECTOR_KEY, "hunter2", { n: 1024 })));
    const { account } = await loadNodeConfig({ file: { ...base, keystore: { path } }, env: { GPU_NEXUS_KEYSTORE_PASSWORD: "hunter2" } });
    expect(account.address).toBe(VECTOR_ADDRESS);
    const wrong = await loadNodeConfig({ file: { ...base, keystore: { path } }, env: { GPU_NEXUS_KEYSTORE_PASSWORD: "nope" } }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(KeystoreError);
    expect((wrong as KeystoreError).reason).toBe("wrong-password");
    await expect(loadNodeConfig({ file: { ...base, keystore: { path } }, env: { GPU_NEXUS_KEYSTORE_PASSWORD: "hunter2", GPU_NEXUS_PROVIDER_KEY: VECTOR_KEY } })).rejects.toThrow(/choose one/);
  });
});

describe("V3 keystore", () => {
  test("decrypts the official pbkdf2 and scrypt vectors", async () => {
    expect(await decryptKeystore(PBKDF2_VECTOR, "testpassword")).toBe(VECTOR_KEY);
    expect(await decryptKeystore(JSON.stringify(SCRYPT_VECTOR), "testpassword")).toBe(VECTOR_KEY);
  }, 30_000);

  test("refuses tampered ciphertext, unknown ciphers and hostile KDF parameters", async () => {
    const tampered = structuredClone(PBKDF2_VECTOR);
    tampered.crypto.ciphertext = `00${tampered.crypto.ciphertext.slice(2)}`;
    await expect(decryptKeystore(tampered, "testpassword")).rejects.toMatchObject({ reason: "wrong-password" });
    await expect(decryptKeystore({ ...PBKDF2_VECTOR, crypto: { ...PBKDF2_VECTOR.crypto, cipher: "aes-256-cbc" } }, "x")).rejects.toMatchObject({ reason: "unsupported" });
    const huge = structuredClone(SCRYPT_VECTOR);
    huge.crypto.kdfparams.n = 2 ** 30;
    await expect(decryptKeystore(huge, "x")).rejects.toMatchObject({ reason: "unsupported" });
    await expect(decryptKeystore("{not json", "x")).rejects.toMatchObject({ reason: "malformed" });
  });
});

describe("logger", () => {
  test("redacts key material in fields and in free text", () => {
    let out = "";
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const logger = createLogger({ destination, level: "info" });
    logger.info({ providerKey: VECTOR_KEY, config: { privateKey: VECTOR_KEY, password: "hunter2" } }, "starting");
    logger.error({ err: new Error(`could not use privateKey ${VECTOR_KEY}`) }, `privateKey was ${VECTOR_KEY}`);
    logger.info({ task: "0x1234", hash: `0x${"ab".repeat(32)}` }, "hashes stay readable");
    expect(out).not.toContain(VECTOR_KEY.slice(2));
    expect(out).not.toContain("hunter2");
    expect(out).toContain("[Redacted]");
    expect(out).toContain("ab".repeat(32));
  });
});
