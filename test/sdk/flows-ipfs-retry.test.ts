// A finished task whose payload is not on IPFS yet: fetchResult and waitForResult fetch it again with bounded
// backoff (and succeed once it is pinned, or give up with ResultUnavailableError), refuse wrong content at once,
// and read through a list of gateways whose first entry is down. In-process chain + the embedded IPFS node.
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attempt } from "../../src/sdk/actions/tasks.ts";
import { submitResponse } from "../../src/sdk/actions/responses.ts";
import { encodeDocument, sha256Hex } from "../../src/sdk/documents.ts";
import { NexusError } from "../../src/sdk/errors/index.ts";
import {
  fetchResult,
  publishSourceWithMetadata,
  publishTaskWithConfig,
  ResultUnavailableError,
  waitForResult,
} from "../../src/sdk/flows/index.ts";
import { computeCid, ContentHashMismatchError, createIpfs, IpfsRequestError, uploadBytes } from "../../src/sdk/ipfs/index.ts";
import { closedPort } from "../ipfs/helpers.ts";
import { addr, CPU_COMPOSE, createFlowsFixture, PAYMENT, sourceParams, type FlowsFixture } from "./flows-fixture.ts";

let fx: FlowsFixture;
let source: Address;
beforeAll(async () => {
  fx = await createFlowsFixture();
  const published = await publishSourceWithMetadata(fx.client, { nexus: fx.nexus, ipfs: fx.ipfs, metadata: { name: "Late", description: "" }, compose: { cpu: CPU_COMPOSE }, params: sourceParams(1) });
  await published.wait();
  source = published.source;
  await fx.register(source);
});
afterAll(async () => fx?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Small waits keep the tests short; the defaults (6 fetches over ~15 s) are for real gateways.
const FAST = { attempts: 30, delayMs: 50, maxDelayMs: 200 };

/**
 * A FIRST_RESPONSE task answered with `payload` whose CID and sha256 are committed on-chain but which is not
 * uploaded: what a client sees while the provider's pin has not reached the node it reads from.
 */
async function answeredButNotPinned(payload: unknown, committed?: `0x${string}`) {
  const t = await publishTaskWithConfig(fx.client, { nexus: fx.nexus, ipfs: fx.ipfs, source, config: { function_name: "late", data: null }, payment: PAYMENT, expiresIn: 3_600 });
  await t.wait();
  const bytes = encodeDocument(payload);
  const resultUri = `ipfs://${(await computeCid(bytes)).toString()}`;
  await (await attempt(fx.provider1, { nexus: fx.nexus, task: t.task, provider: addr(fx.provider1) })).wait();
  await (await submitResponse(fx.provider1, { nexus: fx.nexus, task: t.task, resultUri, resultHash: committed ?? sha256Hex(bytes) })).wait();
  return { task: t.task, bytes, resultUri };
}

/** Tracks whether a promise settled, without letting a rejection go unhandled. */
function track<T>(promise: Promise<T>) {
  const state = { settled: false };
  const outcome: Promise<{ value?: T; error?: unknown }> = promise.then(
    (value) => ((state.settled = true), { value }),
    (error: unknown) => ((state.settled = true), { error }),
  );
  return { state, outcome };
}

describe("a result that reaches IPFS after the client started reading", () => {
  it("fetchResult retries and returns it once it is pinned", async () => {
    const payload = { late: "fetchResult" };
    const { task, bytes, resultUri } = await answeredButNotPinned(payload);
    const started = Date.now();
    const fetching = track(fetchResult(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, task, retry: FAST }));
    await sleep(400);
    expect(fetching.state.settled).toBe(false); // the 404s so far were retried, not thrown
    const pinned = await uploadBytes(fx.ipfs, bytes);
    expect(pinned.uri).toBe(resultUri);
    const { value, error } = await fetching.outcome;
    expect(error).toBeUndefined();
    expect(value).toMatchObject({ provider: addr(fx.provider1), resultUri, result: payload });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it("waitForResult retries the winner's payload and returns the finalized result", async () => {
    const payload = { late: "waitForResult" };
    const { task, bytes, resultUri } = await answeredButNotPinned(payload);
    const waiting = track(waitForResult(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, task, pollingInterval: 25, timeoutMs: 30_000, retry: FAST }));
    await sleep(400);
    expect(waiting.state.settled).toBe(false);
    await uploadBytes(fx.ipfs, bytes);
    const { value, error } = await waiting.outcome;
    expect(error).toBeUndefined();
    expect(value).toMatchObject({ status: "finalized", task, provider: addr(fx.provider1), resultUri, result: payload });
  });
});

describe("a result that never reaches IPFS", () => {
  it("fetchResult gives up after its bounded retries with ResultUnavailableError", async () => {
    const { task, resultUri } = await answeredButNotPinned({ never: 1 });
    const started = Date.now();
    const error = await fetchResult(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, task, retry: { attempts: 3, delayMs: 100 } }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(ResultUnavailableError);
    expect(error).toBeInstanceOf(IpfsRequestError); // still what it was before the retries: an IPFS request failure
    expect(error).toBeInstanceOf(NexusError);
    expect(error).toMatchObject({ name: "ResultUnavailableError", task, provider: addr(fx.provider1), resultUri, attempts: 3, status: 404 });
    expect((error as ResultUnavailableError).cause).toBeInstanceOf(IpfsRequestError);
    expect(elapsed).toBeGreaterThanOrEqual(300); // waited 100 + 200 ms between the three fetches
    expect(elapsed).toBeLessThan(5_000);
  });

  it("waitForResult stops retrying at its timeoutMs, with the default retries", async () => {
    const { task } = await answeredButNotPinned({ never: 2 });
    const started = Date.now();
    const error = await waitForResult(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, task, pollingInterval: 25, timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResultUnavailableError);
    expect((error as ResultUnavailableError).attempts).toBeGreaterThanOrEqual(1);
    // The defaults alone would keep trying for ~15 s.
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("`retry: false` fetches once", async () => {
    const { task } = await answeredButNotPinned({ never: 3 });
    const error = await fetchResult(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, task, retry: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ResultUnavailableError", attempts: 1 });
  });

  it("content that is there but not the committed one is refused at once, not retried", async () => {
    const { task, bytes } = await answeredButNotPinned({ claimed: true }, sha256Hex(encodeDocument({ other: true })));
    await uploadBytes(fx.ipfs, bytes);
    const started = Date.now();
    const error = await fetchResult(fx.publicClient, { nexus: fx.nexus, ipfs: fx.ipfs, task, retry: { attempts: 10, delayMs: 1_000 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentHashMismatchError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe("a list of gateways", () => {
  it("reads the result through the second gateway when the first is down", async () => {
    const payload = { via: "second gateway" };
    const { task, bytes } = await answeredButNotPinned(payload);
    await uploadBytes(fx.ipfs, bytes);
    const down = `http://127.0.0.1:${await closedPort()}`;
    const ipfs = createIpfs({ rpcUrl: fx.node.rpcUrl, gatewayUrl: down, gatewayUrls: [fx.node.gatewayUrl], timeoutMs: 5_000 });
    expect(ipfs.gatewayUrls).toEqual([down, fx.node.gatewayUrl]);
    // No retries: the fallback alone gets it.
    const fetched = await fetchResult(fx.publicClient, { nexus: fx.nexus, ipfs, task, retry: false });
    expect(fetched.result).toEqual(payload);
    const waited = await waitForResult(fx.publicClient, { nexus: fx.nexus, ipfs, task, retry: false, timeoutMs: 10_000 });
    expect(waited.result).toEqual(payload);
  });
});
