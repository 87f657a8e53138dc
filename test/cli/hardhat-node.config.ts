// The project's Hardhat config plus a network for the CLI tests' `hardhat node`.
// allowUnlimitedContractSize: artifacts/ holds whatever build ran last, and a coverage-instrumented build of
// Nexus is above EIP-170 / EIP-3860 limits; the CLI tests are about the CLI, so they accept either build.
import { defineConfig } from "hardhat/config";
import base from "../../hardhat.config.ts";

export default defineConfig({
  ...base,
  networks: {
    ...base.networks,
    cliTest: { type: "edr-simulated", chainType: "l1", chainId: 31337, allowUnlimitedContractSize: true },
  },
});
