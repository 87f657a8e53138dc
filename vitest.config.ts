import { defineConfig } from "vitest/config";

// Hardhat's own runners own test/solidity and test/nodejs; vitest owns the rest.
export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    include: ["test/{sdk,ipfs,handler,node,cli,e2e,demo,dapp,package}/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
