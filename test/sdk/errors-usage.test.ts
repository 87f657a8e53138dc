// What a stranger to the SDK runs into, caused for real on a chain, each a NexusError with its own name and
// the underlying error kept as `cause`: a wrong or stale Nexus address (an account, an empty address, a
// contract that is not Nexus) for a read, a write and a listing; a malformed address; a wallet client without
// an account; an account with no funds.
import { network } from "hardhat";
import {
  BaseError,
  createWalletClient,
  custom,
  getAddress,
  parseEther,
  type Account,
  type Address,
  type Chain,
  type Client,
  type Transport,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as sdk from "../../src/sdk/actions/index.ts";
import { getDeployment } from "../../src/sdk/chains.ts";
import {
  InsufficientFundsError,
  InvalidAddressParameterError,
  InvalidParameterError,
  MissingAccountError,
  NexusError,
  NexusNotFoundError,
  NexusRpcError,
} from "../../src/sdk/errors/index.ts";
import { getNexusEvents } from "../../src/sdk/events/index.ts";
import { getTaskResponses, listSources } from "../../src/sdk/flows/index.ts";
import { createIpfs } from "../../src/sdk/ipfs/index.ts";
import { configHash, deployNexus, HOUR, setupProtocol, sourceParams, type Fixture } from "./actions-fixtures.ts";

let f: Fixture;
let p: Awaited<ReturnType<typeof setupProtocol>>;
/** A task with one response: the right Nexus lists it, so an empty list from a wrong one would be a lie. */
let answered: Address;
// Listings fail before any IPFS read; nothing needs to listen here.
const ipfs = createIpfs({ rpcUrl: "http://127.0.0.1:9" });

beforeAll(async () => {
  f = await deployNexus();
  p = await setupProtocol(f);
  answered = await p.newTask(p.frSource);
  await (await sdk.attempt(f.provider, { task: answered, provider: f.provider.account.address })).wait();
  await (await sdk.submitResponse(f.provider, { task: answered, resultUri: "ipfs://r", resultHash: configHash("r") })).wait();
});
afterAll(async () => {
  await f?.connection.close();
});

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail, but it succeeded");
    },
    (error: unknown) => error,
  );

/** `error` is the SDK's `Class`, a NexusError (so a viem BaseError) with the class's own name. */
function expectNexusError<T extends NexusError>(error: unknown, Class: abstract new (...args: never[]) => T): T {
  expect(error, `got ${(error as Error)?.name}: ${(error as Error)?.message}`).toBeInstanceOf(Class);
  expect(error).toBeInstanceOf(NexusError);
  expect(error).toBeInstanceOf(BaseError);
  expect((error as Error).name).toBe(Class.name);
  return error as T;
}

/** A NexusNotFoundError naming the chain and the address, with the failed call kept as its cause. */
function expectNotFound(error: unknown, address: Address, hasCode: boolean): NexusNotFoundError {
  const e = expectNexusError(error, NexusNotFoundError);
  expect(e).toMatchObject({ chainId: 31337, address: getAddress(address), hasCode });
  expect(e.shortMessage).toBe(`No GPU Nexus answers at ${getAddress(address)} on Hardhat (chain 31337).`);
  expect(e.message).toContain(hasCode ? "is not a GPU Nexus" : "There is no contract at this address");
  expect(e.cause).toBeInstanceOf(Error);
  return e;
}

type WrongAddress = { label: string; address: () => Address; hasCode: boolean };
const WRONG: WrongAddress[] = [
  { label: "an account", address: () => f.other.account.address, hasCode: false },
  { label: "an address with nothing deployed", address: () => "0x00000000000000000000000000000000DeaDBeef", hasCode: false },
  { label: "the Vault (a contract that is not Nexus)", address: () => f.vault, hasCode: true },
  { label: "a source clone (a contract that is not Nexus)", address: () => p.frSource, hasCode: true },
];

describe("a wrong Nexus address", () => {
  for (const wrong of WRONG) {
    it(`${wrong.label}: reads say no Nexus answers there`, async () => {
      const nexus = wrong.address();
      expectNotFound(await rejection(sdk.getProtocolConfig(f.publicClient, { nexus })), nexus, wrong.hasCode);
      expectNotFound(await rejection(sdk.getTask(f.publicClient, { nexus, task: answered })), nexus, wrong.hasCode);
      expectNotFound(await rejection(sdk.getVaultPosition(f.publicClient, { nexus, account: f.client.account.address })), nexus, wrong.hasCode);
    });

    it(`${wrong.label}: writes are refused before anything is sent`, async () => {
      const nexus = wrong.address();
      const [balance, nonce] = await Promise.all([
        f.publicClient.getBalance({ address: nexus }),
        f.publicClient.getTransactionCount({ address: f.client.account.address }),
      ]);
      // deposit returns nothing: to an account its simulation "succeeds", and the ETH would go there.
      expectNotFound(await rejection(sdk.deposit(f.client, { nexus, value: parseEther("1") })), nexus, wrong.hasCode);
      const publishing = sdk.publishTask(f.client, {
        nexus,
        source: p.frSource,
        configUri: "ipfs://c",
        configHash: configHash("c"),
        expiryTime: (await f.now()) + HOUR,
        payment: parseEther("0.01"),
      });
      expectNotFound(await rejection(publishing), nexus, wrong.hasCode);
      expect(await f.publicClient.getBalance({ address: nexus })).toBe(balance);
      expect(await f.publicClient.getTransactionCount({ address: f.client.account.address })).toBe(nonce);
    });

    it(`${wrong.label}: listings throw rather than return nothing`, async () => {
      const nexus = wrong.address();
      expectNotFound(await rejection(listSources(f.publicClient, { nexus, ipfs })), nexus, wrong.hasCode);
      expectNotFound(await rejection(getTaskResponses(f.publicClient, { nexus, task: answered })), nexus, wrong.hasCode);
      expectNotFound(await rejection(getNexusEvents(f.publicClient, { nexus, events: "SourcePublished" })), nexus, wrong.hasCode);
    });
  }

  it("the right address still lists what the wrong ones would have hidden", async () => {
    expect(await getTaskResponses(f.publicClient, { task: answered })).toHaveLength(1);
    expect((await getNexusEvents(f.publicClient, { events: "SourcePublished" })).length).toBeGreaterThanOrEqual(2);
  });
});

describe("a stale deployment: the built-in local addresses on a fresh chain with nothing deployed", () => {
  it("says so for a read, a write and a listing, naming the registered address", async () => {
    const fresh = await network.create();
    try {
      const publicClient = await fresh.viem.getPublicClient();
      const [, wallet] = await fresh.viem.getWalletClients();
      if (!wallet) throw new Error("need 2 accounts");
      const stale = (getDeployment(31337) as { nexus: Address }).nexus;
      expectNotFound(await rejection(sdk.getProtocolConfig(publicClient)), stale, false);
      expectNotFound(await rejection(sdk.deposit(wallet, { value: parseEther("1") })), stale, false);
      expect(await publicClient.getBalance({ address: stale })).toBe(0n);
      expectNotFound(await rejection(listSources(publicClient, { ipfs })), stale, false);
    } finally {
      await fresh.close();
    }
  });
});

describe("malformed addresses", () => {
  it("names the parameter and the value, for reads, writes and the Nexus itself", async () => {
    const task = expectNexusError(await rejection(sdk.getTask(f.publicClient, { task: "0x123" as Address })), InvalidAddressParameterError);
    expect(task).toMatchObject({ parameter: "task", address: "0x123" });
    expect(task.shortMessage).toBe('`task` is not a valid address: "0x123".');
    const nexus = expectNexusError(await rejection(sdk.getProtocolConfig(f.publicClient, { nexus: "nexus.eth" as Address })), InvalidAddressParameterError);
    expect(nexus).toMatchObject({ parameter: "nexus", address: "nexus.eth" });
    expectNexusError(await rejection(sdk.deposit(f.client, { nexus: "0xnope" as Address, value: 1n })), InvalidAddressParameterError);
    // A mixed-case address with a wrong checksum is a likely typo, as viem holds.
    const typo = `0x${p.frSource.slice(2, -1)}${p.frSource.endsWith("a") ? "A" : "a"}` as Address;
    expectNexusError(await rejection(sdk.getSource(f.publicClient, { source: typo })), InvalidAddressParameterError);
    // An argument of a write: viem's own InvalidAddressError is kept as the cause.
    const agent = expectNexusError(await rejection(sdk.revokeAgent(f.client, { agent: "0x12" as Address })), InvalidAddressParameterError);
    expect(agent.address).toBe("0x12");
    expect((agent.cause as Error | undefined)?.name).toBe("InvalidAddressError");
  });
});

describe("grants and caps out of range", () => {
  it("refuses them before sending, naming the parameter", async () => {
    const noScope = expectNexusError(await rejection(sdk.grantAgent(f.client, { agent: f.agent.account.address, scopes: [] })), InvalidParameterError);
    expect(noScope.parameter).toBe("scopes");
    const unknown = expectNexusError(await rejection(sdk.grantAgent(f.client, { agent: f.agent.account.address, scopes: ["admin" as "client"] })), InvalidParameterError);
    expect(unknown.reason).toContain('unknown scope "admin"');
    const tooMuch = expectNexusError(await rejection(sdk.grantAgent(f.client, { agent: f.agent.account.address, scopes: ["client"], allowance: 2n ** 96n })), InvalidParameterError);
    expect(tooMuch.parameter).toBe("allowance");
    const cap = expectNexusError(await rejection(sdk.announceProvider(f.master, { provider: f.agent.account.address, maxPenalty: -1n })), InvalidParameterError);
    expect(cap.parameter).toBe("maxPenalty");
  });
});

describe("a wallet client without an account", () => {
  it("says an account is needed, before simulating as the zero address", async () => {
    const wallet: Client<Transport, Chain, Account | undefined> = createWalletClient({ chain: f.publicClient.chain, transport: custom(f.connection.provider) });
    const publishing = expectNexusError(await rejection(sdk.publishSource(wallet, { params: sourceParams() })), MissingAccountError);
    expect(publishing.functionName).toBe("publishSource");
    expect(publishing.shortMessage).toBe("This action sends a transaction and needs an account.");
    expectNexusError(await rejection(sdk.revokeAgent(wallet, { agent: f.agent.account.address })), MissingAccountError);
    expectNexusError(await rejection(sdk.deposit(wallet, { value: 1n })), MissingAccountError);
  });
});

describe("an account with no funds", () => {
  it("says insufficient funds, with the account, its balance and the chain", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const wallet = createWalletClient({ account, chain: f.publicClient.chain, transport: custom(f.connection.provider) });
    for (const [sending, value] of [
      [sdk.revokeAgent(wallet, { agent: f.agent.account.address }), undefined],
      [sdk.deposit(wallet, { value: parseEther("1") }), parseEther("1")],
    ] as const) {
      const e = expectNexusError(await rejection(sending), InsufficientFundsError);
      expect(e).toBeInstanceOf(NexusRpcError);
      expect(e).toMatchObject({ account: account.address, balance: 0n, value, retryable: false });
      expect(e.shortMessage).toBe(`The account ${account.address} has insufficient funds on Hardhat (chain 31337) to pay for this transaction (balance 0 ETH).`);
    }
  });
});
