// `source publish` and `source update`: pin the compose files and the metadata document, then publish / update.
import type { Address, Hex } from "viem";
import { Environment } from "../../sdk/abis.ts";
import { updateSource } from "../../sdk/actions/sources.ts";
import { sourceMetadataSchema } from "../../sdk/documents.ts";
import { publishSourceWithMetadata } from "../../sdk/flows/publish.ts";
import type { Ipfs } from "../../sdk/ipfs/client.ts";
import { uploadBytes, uploadJson } from "../../sdk/ipfs/upload.ts";
import { defineCommand, positionalArgs } from "../command.ts";
import { connect } from "../connect.ts";
import { UsageError } from "../errors.ts";
import { formatEnvironments, formatKv } from "../output.ts";
import { parseAddress } from "../parse.ts";
import { loadSourceSpec, type LoadedSpec } from "../spec.ts";
import { sendTx, txHuman, txJson } from "../tx.ts";

type Pinned = { metadataUri: string; metadataHash: Hex; environments: number; compose: Record<string, { uri: string; sha256: Hex }> };

/**
 * The same documents publishSourceWithMetadata pins, for an update: the SDK has no update counterpart of that
 * flow yet, so the CLI pins them itself (reported as a follow-up: an SDK `updateSourceWithMetadata`).
 */
async function pinSourceDocuments(ipfs: Ipfs, spec: LoadedSpec): Promise<Pinned> {
  const compose: Pinned["compose"] = {};
  let environments = 0;
  for (const key of ["cpu", "nvidia", "amd"] as const) {
    const text = spec.compose[key];
    if (text === undefined) continue;
    const { uri, sha256 } = await uploadBytes(ipfs, new TextEncoder().encode(text));
    compose[key] = { uri, sha256 };
    environments |= Environment[key === "cpu" ? "CPU" : key === "nvidia" ? "NVIDIA" : "AMD"];
  }
  const document = sourceMetadataSchema.parse({
    name: spec.metadata.name,
    description: spec.metadata.description,
    logoUrl: spec.metadata.logoUrl,
    cpu: compose.cpu?.uri ?? "",
    nvidia: compose.nvidia?.uri ?? "",
    amd: compose.amd?.uri ?? "",
    composeSha256: Object.fromEntries(Object.entries(compose).map(([k, v]) => [k, v.sha256])),
    schemaVersion: 1,
  });
  const { uri, sha256 } = await uploadJson(ipfs, document);
  return { metadataUri: uri, metadataHash: sha256, environments, compose };
}

function pinnedRows(source: Address, p: Pinned): [string, string][] {
  return [
    ["source", source],
    ["metadata", p.metadataUri],
    ["metadata sha256", p.metadataHash],
    ["environments", formatEnvironments(p.environments)],
    ...Object.entries(p.compose).map(([k, v]): [string, string] => [`compose ${k}`, v.uri]),
  ];
}

export const sourcePublish = defineCommand({
  name: "source publish",
  summary: "Publishes a source from a spec file (JSON or YAML); pins its compose files and metadata to IPFS.",
  usage: "gpunexus source publish <spec-file> [--salt <bytes32>]",
  details: [
    "The spec holds name, description, logoUrl, compose: {cpu|nvidia|amd: <path>} and params:",
    "deliveryMethod (FIRST_RESPONSE | MANUAL_CONFIRMATION), minPayment, minAvailableLockup, lapsePenalty (ETH),",
    "maxExpiryDuration, attemptTimeout, reviewWindow (durations: 3600, 10m, 1h30m, 2d) and maxConcurrentAttempts.",
    "Prints the source's address (known before the transaction mines; the same salt gives the same address).",
  ],
  options: {
    salt: { type: "string", value: "bytes32", description: "CREATE2 salt (default: the spec's, else random)" },
  },
  run: async ({ options, positionals, globals, ctx, io }) => {
    const [file = ""] = positionalArgs(positionals, ["spec-file"]);
    const spec = await loadSourceSpec(file);
    const salt = (options.salt ?? spec.salt) as Hex | undefined;
    if (salt !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(salt)) throw new UsageError(`invalid --salt "${salt}": expected 32 bytes of hex`);
    const session = await connect({ globals, ctx, signer: true });
    const wallet = await session.wallet();
    const ipfs = await session.ipfs();
    io.note(`pinning ${Object.keys(spec.compose).length} compose file(s) and the metadata to ${globals.ipfsRpc}…`);
    const tx = await sendTx(io, ctx, "publishSource", () =>
      publishSourceWithMetadata(wallet, { ipfs, metadata: spec.metadata, compose: spec.compose, params: spec.params, salt, nexus: session.nexus }),
    );
    const r = tx.sent;
    const pinned: Pinned = { metadataUri: r.metadataUri, metadataHash: r.metadataHash, environments: r.environments, compose: r.compose };
    io.result({ source: r.source, salt: r.salt, client: wallet.account.address, ...pinned, params: spec.params, ...txJson(tx) }, () =>
      globals.quiet ? `${r.source}\n` : formatKv([...pinnedRows(r.source, pinned), ["salt", r.salt]]) + txHuman(tx),
    );
    return 0;
  },
});

export const sourceUpdate = defineCommand({
  name: "source update",
  summary: "Replaces a source's metadata, compose files and parameters from a spec file (its client only).",
  usage: "gpunexus source update <source> <spec-file>",
  details: ["Open tasks keep the terms they were created with; new tasks get the new parameters."],
  options: {},
  run: async ({ positionals, globals, ctx, io }) => {
    const [sourceArg, file = ""] = positionalArgs(positionals, ["source", "spec-file"]);
    const source = parseAddress(sourceArg, "<source>");
    const spec = await loadSourceSpec(file);
    const session = await connect({ globals, ctx, signer: true });
    const wallet = await session.wallet();
    io.note(`pinning ${Object.keys(spec.compose).length} compose file(s) and the metadata to ${globals.ipfsRpc}…`);
    const pinned = await pinSourceDocuments(await session.ipfs(), spec);
    const params = { ...spec.params, metadataUri: pinned.metadataUri, metadataHash: pinned.metadataHash, environments: pinned.environments };
    const tx = await sendTx(io, ctx, "updateSource", () => updateSource(wallet, { source, params, nexus: session.nexus }));
    io.result({ source, ...pinned, params: spec.params, ...txJson(tx) }, () =>
      globals.quiet ? `${tx.transactionHash}\n` : formatKv(pinnedRows(source, pinned)) + txHuman(tx),
    );
    return 0;
  },
});
