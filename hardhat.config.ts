import { createRequire } from "node:module";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { configVariable, defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

// Hardhat cannot download solc on machines without internet access: use the wasm build
// shipped by the npm `solc` package, pinned to the same version through an alias.
const SOLC_VERSION = "0.8.29";
const solcPath = require.resolve("solc-0829/soljson.js");

// CI keeps invariant campaigns short; NEXUS_PROFILE=deep runs a nightly-sized campaign. NEXUS_FUZZ_RUNS,
// NEXUS_INVARIANT_RUNS and NEXUS_INVARIANT_DEPTH override either profile's sizes: `npm test` runs the deep profile
// at a CI size that way (the Solidity tests read NEXUS_PROFILE, NEXUS_REACH_SEEDS and NEXUS_REACH_STEPS themselves).
const deep = process.env.NEXUS_PROFILE === "deep";
const campaignSize = (name: string, profileSize: number): number => {
  const value = process.env[name];
  if (value === undefined || value === "") return profileSize;
  if (!/^[1-9][0-9]*$/.test(value)) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return Number(value);
};

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    profiles: {
      default: {
        version: SOLC_VERSION,
        path: solcPath,
        settings: {
          evmVersion: "cancun",
          viaIR: true,
          optimizer: { enabled: true, runs: 10_000 },
        },
      },
      production: {
        version: SOLC_VERSION,
        path: solcPath,
        settings: {
          evmVersion: "cancun",
          viaIR: true,
          optimizer: { enabled: true, runs: 10_000 },
        },
      },
    },
  },
  paths: {
    tests: {
      solidity: "./test/solidity",
      nodejs: "./test/nodejs",
    },
  },
  test: {
    solidity: {
      fuzz: { runs: campaignSize("NEXUS_FUZZ_RUNS", deep ? 5_000 : 256) },
      invariant: {
        runs: campaignSize("NEXUS_INVARIANT_RUNS", deep ? 512 : 48),
        depth: campaignSize("NEXUS_INVARIANT_DEPTH", deep ? 500 : 60),
        failOnRevert: false,
      },
    },
  },
  networks: {
    localhost: {
      type: "http",
      chainType: "l1",
      url: "http://127.0.0.1:8545",
    },
    // Any public EVM chain: the values are read only when the network is used, from the environment or from
    // Hardhat's encrypted keystore (`npx hardhat keystore set SEPOLIA_PRIVATE_KEY`).
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
  },
});
