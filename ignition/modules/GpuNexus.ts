import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys the whole GPU Nexus suite: the Task and Source implementations, then Nexus, which creates its
 * Vault and ProviderRegistry so that both can only ever be driven by it.
 *
 * Parameters (all optional): owner (defaults to the deployer), treasury (defaults to the deployer),
 * feeBps (default 100 = 1 %), unbondingPeriod in seconds (default 7 days).
 */
export default buildModule("GpuNexus", (m) => {
  const deployer = m.getAccount(0);
  const owner = m.getParameter("owner", deployer);
  const treasury = m.getParameter("treasury", deployer);
  const feeBps = m.getParameter("feeBps", 100);
  const unbondingPeriod = m.getParameter("unbondingPeriod", 7n * 24n * 60n * 60n);

  const taskImplementation = m.contract("Task");
  const sourceImplementation = m.contract("Source");
  const nexus = m.contract("Nexus", [
    owner,
    treasury,
    feeBps,
    unbondingPeriod,
    taskImplementation,
    sourceImplementation,
  ]);

  const vaultAddress = m.staticCall(nexus, "vault", [], 0, { id: "vaultAddress" });
  const registryAddress = m.staticCall(nexus, "registry", [], 0, { id: "registryAddress" });
  const vault = m.contractAt("Vault", vaultAddress);
  const registry = m.contractAt("ProviderRegistry", registryAddress);

  return { nexus, vault, registry, taskImplementation, sourceImplementation };
});
