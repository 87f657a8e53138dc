// `source status` (show, --activate / --deactivate) and `source list`.
import { DeliveryMethod, SourceStatus, sourceStatusName, VerificationMethod, verificationMethodName, type SourceParams } from "../../sdk/abis.ts";
import { getAllRegistrants, getSource } from "../../sdk/actions/reads.ts";
import { setSourceStatus } from "../../sdk/actions/sources.ts";
import { sourceMetadataSchema, type SourceMetadata } from "../../sdk/documents.ts";
import { listSources } from "../../sdk/flows/sources.ts";
import { fetchJson } from "../../sdk/ipfs/fetch.ts";
import { defineCommand, positionalArgs } from "../command.ts";
import { connect } from "../connect.ts";
import { UsageError } from "../errors.ts";
import { formatDuration, formatEnvironments, formatEth, formatKv, formatTable, jsonSafe } from "../output.ts";
import { parseAddress, parseEnvironment } from "../parse.ts";
import { sendTx, txHuman, txJson, type TxOutcome } from "../tx.ts";

const deliveryName = (m: number) => (m === DeliveryMethod.FIRST_RESPONSE ? "FIRST_RESPONSE" : "MANUAL_CONFIRMATION");
/** What vouches for a result of this source's tasks (docs/PROTOCOL.md "Agreement"). */
const policyName = (p: SourceParams) => (p.verification === VerificationMethod.AGREEMENT ? `AGREEMENT of ${p.quorum}` : verificationMethodName(p.verification));

export function paramRows(p: SourceParams): [string, string][] {
  return [
    ["delivery method", deliveryName(p.deliveryMethod)],
    ["verification", policyName(p)],
    ["environments", formatEnvironments(p.environments)],
    ["min payment", formatEth(p.minPayment)],
    ["min available lockup", formatEth(p.minAvailableLockup)],
    ["lapse penalty", formatEth(p.lapsePenalty)],
    ["max expiry duration", formatDuration(p.maxExpiryDuration)],
    ["attempt timeout", formatDuration(p.attemptTimeout)],
    ["max concurrent attempts", String(p.maxConcurrentAttempts)],
    ["review window", formatDuration(p.reviewWindow)],
    ["metadata", p.metadataUri],
    ["metadata sha256", p.metadataHash],
  ];
}

export const sourceStatus = defineCommand({
  name: "source status",
  summary: "Shows a source (parameters, status, registrants); --activate / --deactivate switch it (its client only).",
  usage: "gpunexus source status <source> [--activate | --deactivate] [--metadata] [--registrants]",
  options: {
    activate: { type: "boolean", description: "make the source ACTIVE (takes tasks and registrations)" },
    deactivate: { type: "boolean", description: "make the source INACTIVE (open tasks finish normally)" },
    metadata: { type: "boolean", description: "fetch the metadata from IPFS and verify it against the on-chain hash" },
    registrants: { type: "boolean", description: "list the registered providers" },
  },
  run: async ({ options, positionals, globals, ctx, io }) => {
    const source = parseAddress(positionalArgs(positionals, ["source"])[0], "<source>");
    if (options.activate && options.deactivate) throw new UsageError("--activate and --deactivate exclude each other");
    const session = await connect({ globals, ctx, signer: options.activate === true || options.deactivate === true });
    const client = session.publicClient;
    let tx: TxOutcome | undefined;
    const wanted = options.activate ? SourceStatus.ACTIVE : options.deactivate ? SourceStatus.INACTIVE : undefined;
    if (wanted !== undefined) {
      const before = await getSource(client, { source, nexus: session.nexus });
      if (before.status === wanted) io.note(`the source is already ${sourceStatusName(wanted)}; nothing to do`);
      else {
        if (wanted === SourceStatus.INACTIVE) await io.confirm(`Deactivate ${source}? It will take no new tasks or registrations.`);
        const wallet = await session.wallet();
        tx = await sendTx(io, ctx, "setSourceStatus", () => setSourceStatus(wallet, { source, status: wanted, nexus: session.nexus }));
      }
    }
    const info = await getSource(client, { source, nexus: session.nexus });
    const registrants = options.registrants ? await getAllRegistrants(client, { source }) : undefined;
    let metadata: SourceMetadata | undefined;
    if (options.metadata) {
      metadata = await fetchJson(await session.ipfs(), info.params.metadataUri, { sha256: info.params.metadataHash, schema: sourceMetadataSchema });
    }
    const value = {
      source,
      client: info.client,
      status: sourceStatusName(info.status),
      version: info.version,
      params: jsonSafe(info.params),
      registrantCount: info.registrantCount,
      ...(registrants ? { registrants: registrants.map((r) => ({ provider: r.provider, environment: formatEnvironments(r.environment) })) } : {}),
      ...(metadata ? { metadata, metadataVerified: true } : {}),
      ...(tx ? { transaction: txJson(tx) } : {}),
    };
    io.result(value, () => {
      if (globals.quiet) return `${sourceStatusName(info.status)}\n`;
      const rows: [string, string][] = [
        ["source", source],
        ["client", info.client],
        ["status", sourceStatusName(info.status)],
        ["version", `${info.version} (tasks bind it when published)`],
        ...paramRows(info.params),
        ...(metadata ? ([["name", metadata.name], ["description", metadata.description], ["metadata verified", "yes (sha256 matches)"]] as [string, string][]) : []),
        ["registrants", String(info.registrantCount)],
      ];
      const table = registrants?.length
        ? formatTable(["provider", "environment"], registrants.map((r) => [r.provider, formatEnvironments(r.environment)]))
        : "";
      return (tx ? txHuman(tx) : "") + formatKv(rows) + table;
    });
    return 0;
  },
});

export const sourceList = defineCommand({
  name: "source list",
  summary: "Lists the protocol's sources with their status, parameters and verified metadata.",
  usage: "gpunexus source list [--client <address> | --mine] [--environment cpu|nvidia|amd] [--active]",
  options: {
    client: { type: "string", value: "address", description: "only sources of this client" },
    mine: { type: "boolean", description: "only sources of the configured key" },
    environment: { type: "string", value: "env", description: "only sources offering this environment" },
    active: { type: "boolean", description: "only ACTIVE sources" },
  },
  run: async ({ options, globals, ctx, io }) => {
    const session = await connect({ globals, ctx });
    const owner = options.mine ? (await session.wallet()).account.address : options.client ? parseAddress(options.client, "--client") : undefined;
    const filter = {
      client: owner,
      environment: options.environment === undefined ? undefined : parseEnvironment(options.environment),
      active: options.active ? true : undefined,
    };
    const { sources, invalid } = await listSources(session.publicClient, { ipfs: await session.ipfs(), filter, nexus: session.nexus, signal: ctx.signal });
    if (invalid.length > 0) io.note(`${invalid.length} source(s) left out of the verified list: their metadata could not be fetched or verified`);
    const value = {
      sources: sources.map((s) => ({ ...jsonSafe(s) as object, status: sourceStatusName(s.status) })),
      invalid: invalid.map((s) => ({ address: s.address, metadataUri: s.metadataUri, error: s.error.message.split("\n")[0] })),
    };
    io.result(value, () => {
      if (globals.quiet) return sources.map((s) => `${s.address}\n`).join("");
      const rows = [
        ...sources.map((s) => [s.address, s.metadata.name, sourceStatusName(s.status), formatEnvironments(s.params.environments), deliveryName(s.params.deliveryMethod), policyName(s.params), formatEth(s.params.minPayment), String(s.registrantCount)]),
        ...invalid.map((s) => [s.address, `(metadata unavailable: ${s.error.name})`, "", "", "", "", "", ""]),
      ];
      return rows.length === 0 ? "no sources\n" : formatTable(["source", "name", "status", "environments", "delivery", "verification", "min payment", "providers"], rows);
    });
    return 0;
  },
});
