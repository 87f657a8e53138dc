// The deployment registry: the local chain is built in, any chain can be added, and actions follow it.
import { createPublicClient, custom, getAddress, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knownDeployments, nexusAbi } from "../../src/sdk/abis.ts";
import { getSource, publishSource } from "../../src/sdk/actions/index.ts";
import {
  getClientChainId,
  getDeployment,
  getDeployments,
  NoDeploymentError,
  registerDeployment,
  resolveDeployment,
  resolveNexusAddress,
  type NexusDeployment,
} from "../../src/sdk/chains.ts";
import { InvalidAddressParameterError, InvalidParameterError } from "../../src/sdk/errors/index.ts";
import { deployNexus, sourceParams, type Fixture } from "./actions-fixtures.ts";

let f: Fixture;
beforeAll(async () => {
  f = await deployNexus();
});
afterAll(async () => {
  await f.connection.close();
});

describe("chains", () => {
  it("knows the local chain, and its addresses are what Ignition deploys on a fresh chain", () => {
    const local = getDeployment(31337);
    expect(local).toEqual({ ...knownDeployments[0], deployBlock: 0n });
    expect(local?.nexus).toBe(getAddress(f.nexus));
    expect(local?.vault).toBe(getAddress(f.vault));
    expect(local?.registry).toBe(getAddress(f.registry));
    expect(getDeployment(1)).toBeUndefined();
  });

  it("adds any EVM chain, checksumming addresses", () => {
    const lower = "0x00000000000000000000000000000000000abcde" as Address;
    const d = registerDeployment({
      chainId: 8453,
      nexus: lower,
      vault: lower,
      registry: lower,
      taskImplementation: lower,
      sourceImplementation: lower,
      deployBlock: 123,
    });
    expect(d.nexus).toBe(getAddress(lower));
    expect(d.deployBlock).toBe(123n);
    expect(getDeployment(8453)).toEqual(d);
    expect(getDeployments().map((x) => x.chainId)).toEqual(expect.arrayContaining([31337, 8453]));
    expect(() => registerDeployment({ ...d, chainId: 0 })).toThrow(InvalidParameterError);
    expect(() => registerDeployment({ ...d, vault: "0x1234" })).toThrow(InvalidAddressParameterError);
  });

  it("resolves the Nexus of the client's chain, or the override, or says there is none", async () => {
    expect(await resolveNexusAddress(f.publicClient)).toBe(getAddress(f.nexus));
    const other = "0x000000000000000000000000000000000000bEEF" as Address;
    expect(await resolveNexusAddress(f.publicClient, other)).toBe(other);
    const unknownChain = createPublicClient({
      chain: { ...f.publicClient.chain, id: 4242 },
      transport: custom(f.connection.provider),
    });
    const err = await resolveNexusAddress(unknownChain).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoDeploymentError);
    expect((err as NoDeploymentError).chainId).toBe(4242);
    expect((err as NoDeploymentError).shortMessage).toBe("GPU Nexus has no deployment registered for chain 4242.");
  });

  it("asks the node for the chain id once when the client has no chain", async () => {
    let asked = 0;
    const chainless = createPublicClient({
      transport: custom({
        request: async (args: { method: string; params?: unknown }) => {
          if (args.method === "eth_chainId") asked++;
          return f.connection.provider.request(args as never);
        },
      }),
    });
    expect(await getClientChainId(chainless)).toBe(31337);
    expect(await resolveNexusAddress(chainless)).toBe(getAddress(f.nexus));
    expect(asked).toBe(1);
  });

  it("reads vault and registry from an unregistered Nexus, and actions follow a registered replacement", async () => {
    // A second, independent deployment on the same chain.
    const src = await f.connection.viem.deployContract("Source");
    const tsk = await f.connection.viem.deployContract("Task");
    const owner = f.owner.account.address;
    const nexus2 = await f.connection.viem.deployContract("Nexus", [owner, owner, 0, 86_400n, tsk.address, src.address]);
    const resolved = await resolveDeployment(f.publicClient, { nexus: nexus2.address });
    expect(resolved.nexus).toBe(getAddress(nexus2.address));
    expect(resolved.taskImplementation).toBe(getAddress(tsk.address));
    expect(resolved.sourceImplementation).toBe(getAddress(src.address));
    expect(resolved.vault).toBe(await f.publicClient.readContract({ address: nexus2.address, abi: nexusAbi, functionName: "vault" }));
    expect(resolved.registry).toBe(await f.publicClient.readContract({ address: nexus2.address, abi: nexusAbi, functionName: "registry" }));
    expect(resolved.deployBlock).toBe(0n);

    // Explicit override on one call...
    const viaOverride = await publishSource(f.client, { nexus: nexus2.address, params: sourceParams() });
    const { events } = await viaOverride.wait();
    expect(events.map((e) => e.eventName)).toEqual(["SourcePublished"]);
    expect((await getSource(f.publicClient, { nexus: nexus2.address, source: viaOverride.source })).client).toBe(getAddress(f.client.account.address));
    // ...or registered for the chain, replacing the built-in one.
    const original = getDeployment(31337) as NexusDeployment;
    try {
      registerDeployment(resolved);
      const viaRegistry = await publishSource(f.client, { params: sourceParams() });
      await viaRegistry.wait();
      expect((await getSource(f.publicClient, { source: viaRegistry.source })).registrantCount).toBe(0n);
      expect(await resolveNexusAddress(f.publicClient)).toBe(getAddress(nexus2.address));
    } finally {
      registerDeployment(original);
    }
    expect(await resolveNexusAddress(f.publicClient)).toBe(getAddress(f.nexus));
  });
});
