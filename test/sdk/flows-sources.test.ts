// listSources: discovery from events, current parameters and status, verified metadata, filters and cache.
import { keccak256, toHex, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Environment, SourceStatus } from "../../src/sdk/abis.ts";
import { publishSource, setSourceStatus } from "../../src/sdk/actions/sources.ts";
import { listSources, publishSourceWithMetadata } from "../../src/sdk/flows/index.ts";
import { ContentHashMismatchError, InvalidDocumentError, uploadJson } from "../../src/sdk/ipfs/index.ts";
import { addr, CPU_COMPOSE, createFlowsFixture, NVIDIA_COMPOSE, PAYMENT, sourceParams, type FlowsFixture } from "./flows-fixture.ts";

let fx: FlowsFixture;
const s: Record<"cheap" | "gpu" | "off" | "badSchema" | "badHash", Address> = { cheap: "0x", gpu: "0x", off: "0x", badSchema: "0x", badHash: "0x" };

beforeAll(async () => {
  fx = await createFlowsFixture();
  const base = { nexus: fx.nexus, ipfs: fx.ipfs };
  const cheap = await publishSourceWithMetadata(fx.client, { ...base, metadata: { name: "Cheap CPU", description: "" }, compose: { cpu: CPU_COMPOSE }, params: sourceParams(1) });
  const gpu = await publishSourceWithMetadata(fx.client, {
    ...base,
    metadata: { name: "Big GPU", description: "" },
    compose: { nvidia: NVIDIA_COMPOSE, amd: CPU_COMPOSE },
    params: sourceParams(0, 5n * PAYMENT),
  });
  const off = await publishSourceWithMetadata(fx.client, { ...base, metadata: { name: "Retired", description: "" }, compose: { cpu: CPU_COMPOSE }, params: sourceParams(1) });
  for (const p of [cheap, gpu, off]) await p.wait();
  await (await setSourceStatus(fx.client, { nexus: fx.nexus, source: off.source, status: SourceStatus.INACTIVE })).wait();
  // Two sources whose metadata cannot be used: one fails the schema, one does not match its hash.
  const invalid = await uploadJson(fx.ipfs, { name: "", description: 1, schemaVersion: 2 });
  const onChain = (metadataUri: string, metadataHash: `0x${string}`) => ({ ...sourceParams(1), metadataUri, metadataHash, environments: Environment.CPU });
  const badSchema = await publishSource(fx.client, { nexus: fx.nexus, params: onChain(invalid.uri, invalid.sha256) });
  const badHash = await publishSource(fx.client, { nexus: fx.nexus, params: onChain(cheap.metadataUri, keccak256(toHex("not it"))) });
  for (const p of [badSchema, badHash]) await p.wait();
  Object.assign(s, { cheap: cheap.source, gpu: gpu.source, off: off.source, badSchema: badSchema.source, badHash: badHash.source });
});
afterAll(async () => fx?.close());

const list = (filter: Parameters<typeof listSources>[1]["filter"], cacheTtlMs?: number) =>
  listSources(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, filter, cacheTtlMs });
const addresses = (r: { sources: { address: Address }[] }) => r.sources.map((x) => x.address).sort();

describe("listSources", () => {
  it("lists every source with valid metadata and reports the others with a typed error", async () => {
    const all = await list({});
    expect(addresses(all)).toEqual([s.cheap, s.gpu, s.off].sort());
    const gpu = all.sources.find((x) => x.address === s.gpu);
    expect(gpu).toMatchObject({ client: addr(fx.client), status: SourceStatus.ACTIVE, metadata: { name: "Big GPU", cpu: "" } });
    expect(gpu?.params.environments).toBe(Environment.NVIDIA | Environment.AMD);
    const invalid = Object.fromEntries(all.invalid.map((x) => [x.address, x.error]));
    expect(Object.keys(invalid).sort()).toEqual([s.badSchema, s.badHash].sort());
    expect(invalid[s.badSchema]).toBeInstanceOf(InvalidDocumentError);
    expect(invalid[s.badHash]).toBeInstanceOf(ContentHashMismatchError);
  });

  it("filters by environment, delivery method, minimum payment and status", async () => {
    expect(addresses(await list({ environment: Environment.NVIDIA }))).toEqual([s.gpu]);
    expect(addresses(await list({ environment: Environment.AMD, deliveryMethod: 0 }))).toEqual([s.gpu]);
    expect(addresses(await list({ deliveryMethod: 1, environment: Environment.NVIDIA }))).toEqual([]);
    const affordable = await list({ maxMinPayment: PAYMENT });
    expect(addresses(affordable)).toEqual([s.cheap, s.off].sort());
    expect(affordable.invalid.map((x) => x.address).sort()).toEqual([s.badSchema, s.badHash].sort());
    expect(addresses(await list({ active: true, environment: Environment.CPU }))).toEqual([s.cheap]);
    expect(addresses(await list({ active: false }))).toEqual([s.off]);
  });

  it("serves chain reads from its cache for cacheTtlMs, then sees new sources and status changes", async () => {
    await list({}, 60_000); // fills the cache
    const late = await publishSourceWithMetadata(fx.client, { nexus: fx.nexus, ipfs: fx.ipfs, metadata: { name: "Late", description: "" }, compose: { cpu: CPU_COMPOSE }, params: sourceParams(1) });
    await late.wait();
    await (await setSourceStatus(fx.client, { nexus: fx.nexus, source: s.cheap, status: SourceStatus.INACTIVE })).wait();

    const cached = await list({ active: true }, 60_000);
    expect(addresses(cached)).toEqual([s.cheap, s.gpu].sort());
    const fresh = await list({ active: true }, 0);
    expect(addresses(fresh)).toEqual([late.source, s.gpu].sort());
  });
});
