// The provider-node end-to-end scenario (node-e2e-scenario.ts) against Anvil, from the npm package
// @foundry-rs/anvil in node_modules: the same assertions as on `hardhat node`, so a Hardhat-only assumption
// (funded accounts beyond the 10th, evm_setIntervalMining's unit, set-balance method names) fails here.
import { describeNodeE2e } from "./node-e2e-scenario.ts";

describeNodeE2e("anvil");
