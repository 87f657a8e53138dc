// A dapp that publishes a task with its config pinned to IPFS (its bundle size is a benchmark).
import { createWalletClient, custom, parseEther, type Address, type EIP1193Provider } from "viem";
import { createIpfs, publishTaskWithConfig } from "gpu-nexus";

declare global {
  interface Window {
    ethereum?: EIP1193Provider;
  }
}

const params = new URLSearchParams(location.search);
const [account] = await window.ethereum!.request({ method: "eth_requestAccounts" });
const wallet = createWalletClient({ account: account as Address, transport: custom(window.ethereum!) });
const ipfs = createIpfs({ rpcUrl: params.get("ipfs") ?? "http://127.0.0.1:5001" });
const { task, wait } = await publishTaskWithConfig(wallet, {
  ipfs,
  nexus: params.get("nexus") as Address,
  source: params.get("source") as Address,
  config: { function_name: "matmul", data: { size: 4, seed: 7 } },
  payment: parseEther("0.05"),
  expiresIn: 3600,
});
await wait();
document.querySelector("#out")!.textContent = `published ${task}`;
