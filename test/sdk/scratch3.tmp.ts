import { createWalletClient, createPublicClient, http, parseEther, nonceManager } from "viem";
import { hardhat } from "viem/chains";
import { privateKeyToAccount } from "viem/accounts";
import { deployNexus, sourceParams, HOUR, configHash } from "./actions-fixtures.ts";
import { publishSource, publishTask, registerDeployment } from "../../src/sdk/index.ts";
// deploy via ignition on the http node? Use hardhat's default key 0 to deploy via a fresh in-process? No: use the node's own deployment by Ignition connected to localhost.
