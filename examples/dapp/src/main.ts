// The example dapp's entry: network form, wallet, source list, publish form, task cards. It imports the SDK by its
// package name (`gpu-nexus`), as any dapp would.
import { getVaultPosition, publishTaskWithConfig, type ListedSource, type TaskConfig } from "gpu-nexus";
import { createPublicClient, formatEther, http, isAddress, parseEther } from "viem";
import { CONFIG_KEYS, fetchServerInfo, initialConfig, proxiedIpfsRpcUrl, writeQuery, type ConfigOrigin, type NetworkConfig, type ServerInfo } from "./config.ts";
import { byId, errorContent, eth, h, replaceChildren, short } from "./dom.ts";
import { loadSources, renderSources } from "./sources.ts";
import { trackTask } from "./task.ts";
import { connectDevAccount, connectInjected, hardhatDevKey, injectedProvider, type Session } from "./wallet.ts";

const HARDHAT_ACCOUNTS = 10;
const DEFAULT_PAYMENT = parseEther("0.01");

type State = {
  server: ServerInfo;
  config: NetworkConfig;
  session: Session | undefined;
  listed: Awaited<ReturnType<typeof loadSources>> | undefined;
  selected: ListedSource | undefined;
  tracked: { stop: () => void }[];
};

const el = {
  networkForm: byId("network-form", HTMLFormElement),
  networkOrigin: byId("network-origin", HTMLSpanElement),
  networkStatus: byId("network-status", HTMLParagraphElement),
  loadDemo: byId("load-demo", HTMLButtonElement),
  connectInjected: byId("connect-injected", HTMLButtonElement),
  injectedNote: byId("injected-note", HTMLSpanElement),
  devAccount: byId("dev-account", HTMLSelectElement),
  devKey: byId("dev-key", HTMLInputElement),
  connectDev: byId("connect-dev", HTMLButtonElement),
  walletStatus: byId("wallet-status", HTMLParagraphElement),
  refreshSources: byId("refresh-sources", HTMLButtonElement),
  sourcesList: byId("sources-list", HTMLDivElement),
  publishForm: byId("publish-form", HTMLFormElement),
  selectedSource: byId("selected-source", HTMLInputElement),
  functionName: byId("function-name", HTMLInputElement),
  taskData: byId("task-data", HTMLTextAreaElement),
  payment: byId("payment", HTMLInputElement),
  expiresIn: byId("expires-in", HTMLInputElement),
  publishButton: byId("publish-task", HTMLButtonElement),
  publishHint: byId("publish-hint", HTMLSpanElement),
  publishError: byId("publish-error", HTMLDivElement),
  taskList: byId("task-list", HTMLDivElement),
};

const state: State = { server: { devServer: false, demo: undefined }, config: { rpcUrl: "", nexus: "", ipfsRpcUrl: "", ipfsGatewayUrl: "" }, session: undefined, listed: undefined, selected: undefined, tracked: [] };

function input(name: keyof NetworkConfig): HTMLInputElement {
  return byId(name, HTMLInputElement);
}

function readForm(): NetworkConfig {
  const config = { ...state.config };
  for (const key of CONFIG_KEYS) config[key] = input(key).value.trim();
  return config;
}

function fillForm(config: NetworkConfig, origin?: Record<keyof NetworkConfig, ConfigOrigin>): void {
  for (const key of CONFIG_KEYS) input(key).value = config[key];
  if (origin !== undefined) {
    const from = new Set(Object.values(origin));
    el.networkOrigin.textContent = `from ${[...from].map((o) => (o === "query" ? "the URL query" : o === "demo" ? "the demo's endpoints.json" : "defaults")).join(" + ")}`;
  }
  input("ipfsRpcUrl").title = config.ipfsRpcUrl === proxiedIpfsRpcUrl() ? "the dapp server's proxy to the IPFS RPC API (see examples/dapp/dev-server.ts)" : "";
}

function showError(target: HTMLElement, error: unknown): void {
  target.hidden = false;
  replaceChildren(target, ...errorContent(error));
}

/** A read-only look at the configured chain, before any wallet is connected. */
async function probeNetwork(config: NetworkConfig): Promise<void> {
  el.networkStatus.textContent = "checking the network…";
  try {
    const client = createPublicClient({ transport: http(config.rpcUrl) });
    const [chainId, block] = await Promise.all([client.getChainId(), client.getBlockNumber()]);
    const deployed = isAddress(config.nexus) ? (await client.getCode({ address: config.nexus })) !== undefined : false;
    el.networkStatus.textContent = `chain ${chainId} · block ${block} · Nexus ${config.nexus || "(none)"} ${deployed ? "deployed ✓" : "NOT FOUND on this chain"}`;
  } catch (error) {
    replaceChildren(el.networkStatus, h("span", { class: "badge err" }, "unreachable"), " ", ...errorContent(error));
  }
}

function fillDevAccounts(): void {
  const options = [];
  if (state.server.demo !== undefined) options.push(h("option", { value: "demo" }, `demo client ${short(state.server.demo.accounts.client.address)} (endpoints.json)`));
  for (let i = 0; i < HARDHAT_ACCOUNTS; i++) options.push(h("option", { value: `hardhat:${i}` }, `Hardhat dev account #${i}`));
  options.push(h("option", { value: "custom" }, "custom key…"));
  replaceChildren(el.devAccount, ...options);
  el.devAccount.value = state.server.demo !== undefined ? "demo" : "hardhat:1";
  pickDevAccount();
}

function pickDevAccount(): void {
  const choice = el.devAccount.value;
  if (choice === "demo" && state.server.demo !== undefined) el.devKey.value = state.server.demo.accounts.client.privateKey;
  else if (choice.startsWith("hardhat:")) el.devKey.value = hardhatDevKey(Number(choice.slice("hardhat:".length)));
  else el.devKey.value = "";
}

async function refreshWallet(): Promise<void> {
  const session = state.session;
  if (session === undefined) return;
  const label = session.kind === "dev" ? h("span", { class: "badge warn" }, "local dev account") : h("span", { class: "badge info" }, "browser wallet");
  try {
    const [balance, position] = await Promise.all([
      session.publicClient.getBalance({ address: session.address }),
      getVaultPosition(session.publicClient, { nexus: session.nexus, account: session.address }),
    ]);
    replaceChildren(
      el.walletStatus,
      "Connected: ",
      h("span", { class: "mono", "data-testid": "account" }, session.address),
      " ",
      label,
      ` · chain ${session.chain.id} · wallet ${eth(balance)} · Vault balance ${eth(position.balance)}`,
    );
  } catch (error) {
    replaceChildren(el.walletStatus, "Connected: ", h("span", { class: "mono" }, session.address), " ", label, " · ", ...errorContent(error));
  }
}

async function connect(how: () => Promise<Session>): Promise<void> {
  el.walletStatus.textContent = "connecting…";
  try {
    state.config = readForm();
    writeQuery(state.config);
    state.session = await how();
    el.publishButton.disabled = state.selected === undefined;
    await Promise.all([refreshWallet(), refreshSources()]);
  } catch (error) {
    state.session = undefined;
    el.publishButton.disabled = true;
    replaceChildren(el.walletStatus, h("div", { class: "error" }, ...errorContent(error)));
  }
}

async function refreshSources(): Promise<void> {
  const session = state.session;
  if (session === undefined) return;
  el.sourcesList.setAttribute("aria-busy", "true");
  try {
    state.listed = await loadSources(session);
    const still = state.listed.sources.find((s) => s.address === state.selected?.address);
    if (still === undefined) select(undefined);
    renderSources(el.sourcesList, state.listed, state.selected?.address, select);
  } catch (error) {
    replaceChildren(el.sourcesList, h("div", { class: "error" }, ...errorContent(error)));
  } finally {
    el.sourcesList.removeAttribute("aria-busy");
  }
}

function select(source: ListedSource | undefined): void {
  state.selected = source;
  el.publishButton.disabled = source === undefined || state.session === undefined;
  if (source === undefined) {
    el.selectedSource.value = "";
    el.publishHint.textContent = "";
    return;
  }
  const p = source.params;
  el.selectedSource.value = `${source.metadata.name} — ${source.address}`;
  el.payment.value = formatEther(p.minPayment > DEFAULT_PAYMENT ? p.minPayment : DEFAULT_PAYMENT);
  if (Number(el.expiresIn.value) > Number(p.maxExpiryDuration)) el.expiresIn.value = String(p.maxExpiryDuration);
  el.publishHint.textContent = `min payment ${eth(p.minPayment)} · expiry at most ${p.maxExpiryDuration} s`;
  if (state.listed !== undefined) renderSources(el.sourcesList, state.listed, source.address, select);
}

async function publish(): Promise<void> {
  el.publishError.hidden = true;
  const session = state.session;
  const source = state.selected;
  if (session === undefined || source === undefined) return showError(el.publishError, new Error("Connect a wallet and pick a source first."));
  let data: unknown;
  try {
    data = JSON.parse(el.taskData.value);
  } catch (error) {
    return showError(el.publishError, new Error(`data is not valid JSON: ${(error as Error).message}`));
  }
  let payment: bigint;
  try {
    payment = parseEther(el.payment.value.trim());
  } catch {
    return showError(el.publishError, new Error(`"${el.payment.value}" is not an ETH amount.`));
  }
  const expiresIn = Number(el.expiresIn.value);
  if (!Number.isSafeInteger(expiresIn) || expiresIn <= 0) return showError(el.publishError, new Error("Expires in: a whole number of seconds above 0."));
  const config = { function_name: el.functionName.value.trim(), data } as TaskConfig;

  el.publishButton.disabled = true;
  el.publishButton.textContent = "Publishing…";
  try {
    const head = await session.publicClient.getBlock({ blockTag: "latest" });
    // Counted from the later of the last block's time and the wall clock: an idle automining chain's last block can
    // be far in the past, and the next block (the one the contract checks against) will carry the current time.
    const now = head.timestamp > BigInt(Math.floor(Date.now() / 1000)) ? head.timestamp : BigInt(Math.floor(Date.now() / 1000));
    const published = await publishTaskWithConfig(session.wallet, {
      ipfs: session.ipfs,
      nexus: session.nexus,
      source: source.address,
      config,
      payment,
      expiryTime: now + BigInt(expiresIn),
    });
    state.tracked.push(
      trackTask({ session, source, published, config, payment, fromBlock: head.number + 1n, list: el.taskList, onSettled: () => void refreshWallet() }),
    );
    void refreshWallet();
  } catch (error) {
    showError(el.publishError, error);
  } finally {
    el.publishButton.disabled = state.selected === undefined;
    el.publishButton.textContent = "Publish task";
  }
}

async function applyNetwork(): Promise<void> {
  state.config = readForm();
  writeQuery(state.config);
  for (const t of state.tracked.splice(0)) t.stop();
  await probeNetwork(state.config);
  const previous = state.session;
  if (previous === undefined) return;
  state.session = undefined;
  await connect(() => (previous.kind === "dev" ? connectDevAccount(state.config, el.devKey.value) : connectInjected(state.config)));
}

async function loadDemo(): Promise<void> {
  state.server = await fetchServerInfo();
  const demo = state.server.demo;
  if (demo === undefined) {
    el.networkOrigin.textContent = state.server.devServer
      ? "no .tmp/demo/endpoints.json yet: start `npm run demo -- --keep-running`"
      : "this page is not served by the dapp's Vite server, so it cannot read the demo's endpoints";
    return;
  }
  fillForm(
    { rpcUrl: demo.rpcUrl, nexus: demo.nexus, ipfsRpcUrl: proxiedIpfsRpcUrl(), ipfsGatewayUrl: demo.ipfsGatewayUrl },
    { rpcUrl: "demo", nexus: "demo", ipfsRpcUrl: "demo", ipfsGatewayUrl: "demo" },
  );
  fillDevAccounts();
  await applyNetwork();
}

async function main(): Promise<void> {
  state.server = await fetchServerInfo();
  const { config, origin } = initialConfig(new URLSearchParams(location.search), state.server);
  state.config = config;
  fillForm(config, origin);
  fillDevAccounts();

  const provider = injectedProvider();
  el.connectInjected.disabled = provider === undefined;
  el.injectedNote.textContent = provider === undefined ? "no browser wallet detected (window.ethereum)" : "uses window.ethereum (EIP-1193)";
  provider?.on("accountsChanged", () => {
    if (state.session?.kind === "injected") void connect(() => connectInjected(state.config));
  });
  provider?.on("chainChanged", () => {
    if (state.session?.kind === "injected") void connect(() => connectInjected(state.config));
  });

  el.networkForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void applyNetwork();
  });
  el.loadDemo.addEventListener("click", () => void loadDemo());
  el.devAccount.addEventListener("change", pickDevAccount);
  el.connectDev.addEventListener("click", () => void connect(() => connectDevAccount(state.config, el.devKey.value)));
  el.connectInjected.addEventListener("click", () => void connect(() => connectInjected(state.config)));
  el.refreshSources.addEventListener("click", () => void refreshSources());
  el.publishForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void publish();
  });
  await probeNetwork(config);
  document.body.dataset.ready = "true";
}

void main();
