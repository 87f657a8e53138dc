// Off-chain documents of PROTOCOL.md §6: their schemas, their canonical bytes and their sha256.
import { sha256, type Hex } from "viem";
// zod's mini build: the same schemas as functions a bundler can drop, so a dapp that never validates a document
// does not carry zod's method-chaining core (about 440 KB minified).
import * as z from "zod/mini";
import type * as zc from "zod/v4/core";
import { InvalidDocumentError } from "./ipfs/errors.ts";

/** sha256 of the exact bytes, as the bytes32 hex the contracts store (`metadataHash`, `configHash`, `resultHash`). */
export function sha256Hex(bytes: Uint8Array): Hex {
  return sha256(bytes, "hex");
}

/** A sha256 digest as hex; accepts an optional 0x and any case, and normalises to lowercase 0x-prefixed. */
export const sha256HexSchema = z.pipe(
  z.string().check(z.regex(/^(0x)?[0-9a-fA-F]{64}$/, "expected a 32-byte sha256 digest in hex")),
  z.transform((s: string) => (s.startsWith("0x") ? s.toLowerCase() : `0x${s.toLowerCase()}`) as Hex),
);

/** "" means "not offered"; otherwise a content address or an https URL (checked against its sha256). */
const contentUriSchema = () => z.union([z.literal(""), z.string().check(z.regex(/^(ipfs|https):\/\/\S+$/, "expected \"\", ipfs://… or https://…"))]);

const environments = ["cpu", "nvidia", "amd"] as const;

export const sourceMetadataSchema = z
  .looseObject({
    name: z.string().check(z.minLength(1), z.maxLength(200)),
    description: z.string().check(z.maxLength(10_000)),
    logoUrl: contentUriSchema(),
    cpu: contentUriSchema(),
    nvidia: contentUriSchema(),
    amd: contentUriSchema(),
    composeSha256: z.object({
      cpu: z.optional(sha256HexSchema),
      nvidia: z.optional(sha256HexSchema),
      amd: z.optional(sha256HexSchema),
    }),
    schemaVersion: z.literal(1),
  })
  .check(
    z.superRefine((doc, ctx) => {
      // A provider must be able to verify every compose file it may be told to run.
      for (const env of environments) {
        if (doc[env] !== "" && doc.composeSha256[env] === undefined) {
          ctx.addIssue({ code: "custom", path: ["composeSha256", env], message: `required because "${env}" is offered`, input: doc });
        }
      }
    }),
  );
export type SourceMetadata = z.output<typeof sourceMetadataSchema>;

/** Handler names become a URL path segment (`/run/{function_name}/{task}`): keep them to one safe segment. */
export const functionNameSchema = z
  .string()
  .check(z.maxLength(128), z.regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/, "expected letters, digits, '_', '-', '.' (not starting with '.')"));

export const taskConfigSchema = z.looseObject({
  function_name: functionNameSchema,
  data: z.json(),
});
export type TaskConfig = z.output<typeof taskConfigSchema>;

/** A handler's output is any JSON value. */
export const responsePayloadSchema = z.json();
export type ResponsePayload = z.output<typeof responsePayloadSchema>;

/**
 * Deterministic JSON: object keys sorted by UTF-16 code units, no whitespace, numbers as JavaScript
 * prints them (the key order and number form of RFC 8785). Refuses values JSON would silently
 * change (NaN, Infinity, bigint, cycles, a top-level undefined), so what is hashed is what was meant.
 */
export function stringifyDocument(value: unknown): string {
  try {
    const text = serialize(value, new Set());
    if (text === undefined) throw new TypeError("value has no JSON representation");
    return text;
  } catch (error) {
    throw new InvalidDocumentError({
      reason: "json",
      details: error instanceof Error ? error.message : String(error),
      cause: error instanceof Error ? error : undefined,
    });
  }
}

// Returns undefined for values JSON omits (undefined, functions, symbols), as JSON.stringify does.
function serialize(input: unknown, ancestors: Set<object>): string | undefined {
  let value = input;
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`${value} is not representable in JSON`);
      return JSON.stringify(value);
    case "bigint":
      throw new TypeError("bigint is not representable in JSON; encode it as a string");
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return "null";
  const object = value as object;
  if (ancestors.has(object)) throw new TypeError("cyclic structure");
  ancestors.add(object);
  let out: string;
  if (Array.isArray(object)) {
    out = `[${object.map((item: unknown) => serialize(item, ancestors) ?? "null").join(",")}]`;
  } else {
    const record = object as Record<string, unknown>;
    const members: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const member = serialize(record[key], ancestors);
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
    }
    out = `{${members.join(",")}}`;
  }
  ancestors.delete(object);
  return out;
}

/** The UTF-8 bytes of `stringifyDocument(value)`: the bytes to upload and to hash. */
export function encodeDocument(value: unknown): Uint8Array {
  return new TextEncoder().encode(stringifyDocument(value));
}

/**
 * Parses UTF-8 JSON bytes and validates them with `schema`.
 * @throws InvalidDocumentError for bad UTF-8, bad JSON or a schema failure.
 */
export function decodeDocument<schema extends zc.$ZodType>(
  bytes: Uint8Array,
  schema: schema,
  uri?: string,
): zc.output<schema> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (error) {
    throw new InvalidDocumentError({ uri, reason: "encoding", details: "document is not valid UTF-8", cause: asError(error) });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidDocumentError({ uri, reason: "json", details: asError(error).message, cause: asError(error) });
  }
  // Any zod 4 schema, mini or classic: the caller's own schemas work too.
  const result = z.safeParse(schema, json);
  if (!result.success) {
    throw new InvalidDocumentError({
      uri,
      reason: "schema",
      details: `${result.error.issues.length} issue(s)`,
      issues: result.error.issues.map((i) => ({ path: [...i.path], message: i.message })),
    });
  }
  return result.data;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
