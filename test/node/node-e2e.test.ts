// The provider-node end-to-end scenario (node-e2e-scenario.ts) against `hardhat node`.
import { describeNodeE2e } from "./node-e2e-scenario.ts";

describeNodeE2e("hardhat");
