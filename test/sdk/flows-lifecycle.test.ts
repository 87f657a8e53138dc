// The flows end to end on the in-process chain and the embedded IPFS node: publish a source with its documents,
// publish a task, a provider answers through IPFS, and the client gets the verified result.
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSource } from "../../src/sdk/actions/reads.ts";
import { attempt, confirmResponse } from "../../src/sdk/actions/tasks.ts";
import { submitResponse } from "../../src/sdk/actions/responses.ts";
import { encodeDocument, sha256Hex, sourceMetadataSchema, taskConfigSchema, type TaskConfig } from "../../src/sdk/documents.ts";
import { getNexusEvents } from "../../src/sdk/events/index.ts";
import { fetchResult, publishSourceWithMetadata, publishTaskWithConfig, waitForResult } from "../../src/sdk/flows/index.ts";
import { ContentHashMismatchError, fetchBytes, fetchJson, uploadJson } from "../../src/sdk/ipfs/index.ts";
import { addr, CPU_COMPOSE, createFlowsFixture, NVIDIA_COMPOSE, PAYMENT, sourceParams, type FlowsFixture } from "./flows-fixture.ts";

let fx: FlowsFixture;
let firstResponse: Address;
let manual: Address;
beforeAll(async () => {
  fx = await createFlowsFixture();
});
afterAll(async () => fx?.close());

/** What a provider node does: read the config (verified), attempt, pin its output, respond. */
async function answer(task: Address, provider: FlowsFixture["provider1"], output: (config: { data: unknown }) => unknown, submittedHash?: `0x${string}`) {
  const [published] = await getNexusEvents(fx.publicClient, { nexus: fx.nexus, events: "TaskPublished", args: { task } });
  if (published?.eventName !== "TaskPublished") throw new Error("task not found");
  const config = await fetchJson(fx.ipfs, published.args.configUri, { sha256: published.args.configHash, schema: taskConfigSchema });
  await (await attempt(provider, { nexus: fx.nexus, task, provider: addr(provider) })).wait();
  const payload = output(config);
  const pinned = await uploadJson(fx.ipfs, payload);
  await (await submitResponse(provider, { nexus: fx.nexus, task, resultUri: pinned.uri, resultHash: submittedHash ?? pinned.sha256, askedPayment: PAYMENT / 2n })).wait();
  return { payload, pinned };
}

const publish = (source: Address, data: TaskConfig["data"]) =>
  publishTaskWithConfig(fx.client, { nexus: fx.nexus, ipfs: fx.ipfs, source, config: { function_name: "echo", data, model: "tiny" }, payment: PAYMENT, expiresIn: 3_600 });

describe("publishSourceWithMetadata", () => {
  it("pins the compose files and the metadata, and publishes their commitments", async () => {
    const published = await publishSourceWithMetadata(fx.client, {
      nexus: fx.nexus,
      ipfs: fx.ipfs,
      metadata: { name: "Echo", description: "Returns its input", logoUrl: "https://example.org/echo.png" },
      compose: { cpu: CPU_COMPOSE, nvidia: NVIDIA_COMPOSE },
      params: sourceParams(1),
    });
    await published.wait();
    firstResponse = published.source; // known before mining, and it is where the source lives
    const onChain = await getSource(fx.publicClient, { nexus: fx.nexus, source: published.source });
    expect(onChain.params).toMatchObject({ metadataUri: published.metadataUri, metadataHash: published.metadataHash, environments: 1 | 2 });

    const metadata = await fetchJson(fx.ipfs, onChain.params.metadataUri, { sha256: onChain.params.metadataHash, schema: sourceMetadataSchema });
    expect(metadata).toMatchObject({ name: "Echo", logoUrl: "https://example.org/echo.png", amd: "", schemaVersion: 1 });
    for (const [env, text] of [["cpu", CPU_COMPOSE], ["nvidia", NVIDIA_COMPOSE]] as const) {
      const file = await fetchBytes(fx.ipfs, metadata[env], { sha256: metadata.composeSha256[env] });
      expect(new TextDecoder().decode(file.bytes)).toBe(text);
    }
    await fx.register(firstResponse);

    const m = await publishSourceWithMetadata(fx.client, { nexus: fx.nexus, ipfs: fx.ipfs, metadata: { name: "Review", description: "" }, compose: { cpu: CPU_COMPOSE }, params: sourceParams(0) });
    await m.wait();
    expect(m.environments).toBe(1);
    manual = m.source;
    await fx.register(manual);
  });
});

describe("publishTaskWithConfig + waitForResult", () => {
  it("returns the winner's result once a provider answered, verified against the chain, showing its commitment and reveal", async () => {
    const t = await publish(firstResponse, { prompt: "hello" });
    expect(t.configHash).toBe(sha256Hex(encodeDocument({ function_name: "echo", data: { prompt: "hello" }, model: "tiny" })));
    const seen: string[] = [];
    const waiting = waitForResult(fx.publicClient, {
      nexus: fx.nexus,
      ipfs: fx.ipfs,
      task: t.task,
      pollingInterval: 25,
      timeoutMs: 30_000,
      fromBlock: 0n,
      onEvent: (e) => void seen.push(e.eventName),
    });
    await t.wait();
    const { payload, pinned } = await answer(t.task, fx.provider1, (config) => ({ echo: config.data, by: "provider1" }));

    const outcome = await waiting;
    expect(outcome).toEqual({
      status: "finalized",
      task: t.task,
      provider: addr(fx.provider1),
      payee: addr(fx.master),
      paid: PAYMENT,
      fee: PAYMENT / 100n, // 1 % default fee
      bySettlement: false,
      verification: "unverified", // one provider's response, nothing compared it
      agreedBy: [],
      result: payload,
      resultUri: pinned.uri,
      resultHash: pinned.sha256,
    });
    expect(outcome.result).toEqual({ echo: { prompt: "hello" }, by: "provider1" });
    expect(seen).toEqual(["TaskPublished", "TaskAttempted", "ResponseCommitted", "ResponseSubmitted", "TaskFinalized"]);
    const again = await fetchResult(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, task: t.task });
    expect(again).toMatchObject({ provider: addr(fx.provider1), result: payload, resultHash: pinned.sha256 });
  });

  it("refuses a result whose pinned content does not match the hash the provider committed", async () => {
    const t = await publish(firstResponse, { prompt: "tamper" });
    await t.wait();
    const committed = sha256Hex(encodeDocument({ echo: "what the provider claims" }));
    const { pinned } = await answer(t.task, fx.provider1, () => ({ echo: "what it pinned" }), committed);

    const error = await waitForResult(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, task: t.task, pollingInterval: 25 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentHashMismatchError);
    expect(error).toMatchObject({ uri: pinned.uri, expected: committed, actual: pinned.sha256 });
    await expect(fetchResult(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, task: t.task })).rejects.toBeInstanceOf(ContentHashMismatchError);
  });

  it("MANUAL: lists the responses as soon as there are some, then returns the confirmed one", async () => {
    const t = await publish(manual, { prompt: "choose" });
    await t.wait();
    const first = await answer(t.task, fx.provider1, () => ({ answer: 1 }));
    const second = await answer(t.task, fx.provider2, () => ({ answer: 2 }));

    const responded = await waitForResult(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, task: t.task, until: "responded", pollingInterval: 25 });
    if (responded.status !== "responded") throw new Error(`expected responses, got ${responded.status}`);
    expect(responded.responses.map((r) => [r.provider, r.resultUri, r.resultHash, r.askedPayment])).toEqual([
      [addr(fx.provider1), first.pinned.uri, first.pinned.sha256, PAYMENT / 2n],
      [addr(fx.provider2), second.pinned.uri, second.pinned.sha256, PAYMENT / 2n],
    ]);
    const picked = await fetchResult(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, task: t.task, provider: addr(fx.provider2) });
    expect(picked.result).toEqual({ answer: 2 });

    const waiting = waitForResult(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, task: t.task, pollingInterval: 25, timeoutMs: 30_000 });
    await (await confirmResponse(fx.client, { nexus: fx.nexus, task: t.task, provider: addr(fx.provider2) })).wait();
    expect(await waiting).toMatchObject({ status: "finalized", provider: addr(fx.provider2), payee: addr(fx.master2), paid: PAYMENT / 2n, result: { answer: 2 } });
  });
});
