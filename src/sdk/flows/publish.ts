// Publishing with documents: pin the off-chain documents on IPFS, commit to their sha256, then publish.
import type { Account, Address, Chain, Client, Hex, Transport } from "viem";
import { getBlock } from "viem/actions";
import { Environment, type SourceParams, type TermsSeen } from "../abis.ts";
import type { NexusWriteParameters, NexusWriteReturnType } from "../actions/internal.ts";
import { publishSource } from "../actions/sources.ts";
import { publishTask } from "../actions/tasks.ts";
import { encodeDocument, sourceMetadataSchema, taskConfigSchema, type SourceMetadata, type TaskConfig } from "../documents.ts";
import type { Ipfs } from "../ipfs/client.ts";
import { InvalidParameterError } from "../errors/usage.ts";
import { ContentTooLargeError, InvalidDocumentError } from "../ipfs/errors.ts";
import { uploadBytes } from "../ipfs/upload.ts";
import { guarded } from "./guard.ts";

/** Largest compose file accepted (providers read them with the same bound). */
export const MAX_COMPOSE_BYTES = 256 * 1024;
/** Largest source metadata and task config documents accepted. */
export const MAX_METADATA_BYTES = 64 * 1024;
export const MAX_TASK_CONFIG_BYTES = 1024 * 1024;

const ENVIRONMENTS = [
  ["cpu", Environment.CPU],
  ["nvidia", Environment.NVIDIA],
  ["amd", Environment.AMD],
] as const;
type EnvironmentKey = (typeof ENVIRONMENTS)[number][0];

type AnyClient<chain extends Chain | undefined, account extends Account | undefined> = Client<Transport, chain, account>;

/** Validates `value` with `schema` and checks its canonical bytes against `maxBytes`; returns the bytes. */
function checkedDocument(value: unknown, schema: typeof sourceMetadataSchema | typeof taskConfigSchema, what: string, maxBytes: number): Uint8Array {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidDocumentError({
      reason: "schema",
      details: `${what}: ${result.error.issues.length} issue(s)`,
      issues: result.error.issues.map((i) => ({ path: [...i.path], message: i.message })),
    });
  }
  const bytes = encodeDocument(value);
  if (bytes.byteLength > maxBytes) throw new ContentTooLargeError({ uri: `(${what})`, maxBytes, declaredSize: bytes.byteLength });
  return bytes;
}

export type PublishSourceWithMetadataParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  ipfs: Ipfs;
  metadata: { name: string; description: string; logoUrl?: string | undefined };
  /** Compose YAML per environment; each one given is pinned and offered (at least one). */
  compose: Partial<Record<EnvironmentKey, string>>;
  /** Everything else of the source; `metadataUri`, `metadataHash` and `environments` are derived. */
  params: Omit<SourceParams, "metadataUri" | "metadataHash" | "environments">;
  salt?: Hex | undefined;
};
export type PublishSourceWithMetadataReturnType = NexusWriteReturnType<{
  /** The source's address, known before the transaction mines. */
  source: Address;
  salt: Hex;
  metadata: SourceMetadata;
  metadataUri: `ipfs://${string}`;
  metadataHash: Hex;
  /** The pinned compose files of the offered environments. */
  compose: Partial<Record<EnvironmentKey, { uri: `ipfs://${string}`; sha256: Hex }>>;
  environments: number;
}>;

/**
 * Pins each compose file and the metadata document (`{name, description, logoUrl, cpu, nvidia, amd,
 * composeSha256, schemaVersion: 1}`, validated before upload), then publishes the source with
 * `metadataUri`, `metadataHash` = sha256 of the metadata bytes and the environments of the files given.
 * @example const { source, wait } = await publishSourceWithMetadata(wallet, { ipfs, metadata, compose: { cpu }, params });
 */
export async function publishSourceWithMetadata<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: PublishSourceWithMetadataParameters<account>,
): Promise<PublishSourceWithMetadataReturnType> {
  return guarded(undefined, () => publishSourceWith(client, parameters));
}

async function publishSourceWith<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: PublishSourceWithMetadataParameters<account>,
): Promise<PublishSourceWithMetadataReturnType> {
  const { ipfs, metadata: info, compose: files, params, ...write } = parameters;
  const offered = ENVIRONMENTS.filter(([key]) => files[key] !== undefined);
  if (offered.length === 0) throw new InvalidParameterError({ parameter: "compose", reason: "give at least one compose file (cpu, nvidia or amd)" });
  const encoder = new TextEncoder();
  const pinned = await Promise.all(
    offered.map(async ([key]) => {
      const bytes = encoder.encode(files[key]);
      if (bytes.byteLength === 0) throw new InvalidParameterError({ parameter: `compose.${key}`, reason: "the compose file is empty" });
      if (bytes.byteLength > MAX_COMPOSE_BYTES) throw new ContentTooLargeError({ uri: `(${key} compose file)`, maxBytes: MAX_COMPOSE_BYTES, declaredSize: bytes.byteLength });
      const { uri, sha256 } = await uploadBytes(ipfs, bytes);
      return [key, { uri, sha256 }] as const;
    }),
  );
  const compose = Object.fromEntries(pinned) as PublishSourceWithMetadataReturnType["compose"];
  const document = {
    name: info.name,
    description: info.description,
    logoUrl: info.logoUrl ?? "",
    cpu: compose.cpu?.uri ?? "",
    nvidia: compose.nvidia?.uri ?? "",
    amd: compose.amd?.uri ?? "",
    composeSha256: Object.fromEntries(pinned.map(([key, file]) => [key, file.sha256])),
    schemaVersion: 1,
  };
  const bytes = checkedDocument(document, sourceMetadataSchema, "source metadata", MAX_METADATA_BYTES);
  const { uri: metadataUri, sha256: metadataHash } = await uploadBytes(ipfs, bytes);
  const environments = offered.reduce((mask, [, bit]) => mask | bit, 0);
  const sent = await publishSource(client, {
    ...write,
    params: { ...params, metadataUri, metadataHash, environments },
    salt: parameters.salt,
  } as Parameters<typeof publishSource<chain, account>>[1]);
  return { ...sent, metadata: sourceMetadataSchema.parse(document), metadataUri, metadataHash, compose, environments };
}

export type PublishTaskWithConfigParameters<account extends Account | undefined = Account | undefined> = NexusWriteParameters<account> & {
  ipfs: Ipfs;
  source: Address;
  /** `{function_name, data, ...extra}`; validated, then pinned as canonical JSON. */
  config: TaskConfig;
  /** Wei escrowed for the task. */
  payment: bigint;
  /** Native currency sent along (default: `payment`; 0n pays from the vault balance). */
  value?: bigint | undefined;
  salt?: bigint | undefined;
  /** The source version and fee the user agreed to (see `publishTask`); read just before sending when omitted. */
  seen?: TermsSeen | undefined;
} & ({ expiresIn: number | bigint; expiryTime?: undefined } | { expiryTime: bigint; expiresIn?: undefined });
export type PublishTaskWithConfigReturnType = NexusWriteReturnType<{
  /** The task's address, known before the transaction mines. */
  task: Address;
  salt: bigint;
  configUri: `ipfs://${string}`;
  configHash: Hex;
  expiryTime: bigint;
}>;

/**
 * Pins the task config and publishes the task with `configHash` = sha256 of the config bytes. `expiresIn`
 * (seconds) counts from the latest block's timestamp, the clock the contract checks expiry against.
 * @example const { task, wait } = await publishTaskWithConfig(wallet, { ipfs, source, config, payment, expiresIn: 3600 });
 */
export async function publishTaskWithConfig<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: PublishTaskWithConfigParameters<account>,
): Promise<PublishTaskWithConfigReturnType> {
  return guarded(undefined, () => publishTaskWith(client, parameters));
}

async function publishTaskWith<chain extends Chain | undefined, account extends Account | undefined>(
  client: AnyClient<chain, account>,
  parameters: PublishTaskWithConfigParameters<account>,
): Promise<PublishTaskWithConfigReturnType> {
  const { ipfs, source, config, payment, value, salt, seen, expiresIn, expiryTime: fixed, ...write } = parameters;
  const bytes = checkedDocument(config, taskConfigSchema, "task config", MAX_TASK_CONFIG_BYTES);
  const [{ uri: configUri, sha256: configHash }, expiryTime] = await Promise.all([
    uploadBytes(ipfs, bytes),
    fixed ?? getBlock(client, { blockTag: "latest", includeTransactions: false }).then((b) => b.timestamp + BigInt(expiresIn ?? 0)),
  ]);
  const sent = await publishTask(client, { ...write, source, configUri, configHash, expiryTime, payment, value, salt, seen } as Parameters<
    typeof publishTask<chain, account>
  >[1]);
  return { ...sent, configUri, configHash, expiryTime };
}
