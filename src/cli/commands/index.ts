// The command table: `gpunexus <group> <command>`, or a single-word command. Modules load only when their
// command runs, so `--help` and light commands stay fast.
import type { CliCommand } from "../command.ts";

/** A command known by its summary until it runs. */
export type LazyCommand = { summary: string; load: () => Promise<CliCommand> };
export type CommandGroup = Record<string, LazyCommand>;

const lazy = <M extends Record<string, unknown>>(summary: string, load: () => Promise<M>, name: keyof M & string): LazyCommand => ({
  summary,
  load: async () => (await load())[name] as CliCommand,
});

const source = () => import("./source.ts");
const sourceInfo = () => import("./source-info.ts");
const task = () => import("./task.ts");
const taskResult = () => import("./task-result.ts");
const vault = () => import("./vault.ts");
const provider = () => import("./provider.ts");
const agent = () => import("./agent.ts");

export const commandGroups: Record<string, LazyCommand | CommandGroup> = {
  deploy: lazy("Deploys GPU Nexus with Ignition and records its addresses for the other commands.", () => import("./deploy.ts"), "deploy"),
  source: {
    publish: lazy("Publishes a source from a JSON/YAML spec (pins compose files and metadata to IPFS).", source, "sourcePublish"),
    update: lazy("Replaces a source's metadata, compose files and parameters from a spec.", source, "sourceUpdate"),
    status: lazy("Shows a source; --activate / --deactivate switch it.", sourceInfo, "sourceStatus"),
    list: lazy("Lists sources with status, parameters and verified metadata.", sourceInfo, "sourceList"),
  },
  compose: {
    check: lazy("Runs the provider's compose policy on a file: exit 0 if the node would run it, else every reason.", () => import("./compose.ts"), "composeCheck"),
  },
  task: {
    publish: lazy("Publishes a task (config pinned to IPFS, payment escrowed).", task, "taskPublish"),
    status: lazy("Shows a task: terms, status, escrow, verification, attempts, responses.", task, "taskStatus"),
    watch: lazy("Follows a task's events live until it is closed.", taskResult, "taskWatch"),
    cancel: lazy("Cancels a task with no live attempt and no response (refund).", task, "taskCancel"),
    confirm: lazy("Confirms and pays a provider's response (MANUAL_CONFIRMATION).", task, "taskConfirm"),
    settle: lazy("Settles a task nothing more can happen to (refund or pay). By anyone.", task, "taskSettle"),
    reject: lazy("AGREEMENT: takes the penalty of each result the verdict rejected. By anyone.", task, "taskReject"),
    result: lazy("Fetches a task's result and verifies it against the on-chain hash.", taskResult, "taskResult"),
  },
  vault: {
    deposit: lazy("Deposits ETH into a vault balance.", vault, "vaultDeposit"),
    withdraw: lazy("Withdraws from your vault balance.", vault, "vaultWithdraw"),
    lock: lazy("Locks stake (balance → lockup); --up-to tops it up.", vault, "vaultLock"),
    unbond: lazy("Starts unbonding part of your lockup.", vault, "vaultUnbond"),
    "cancel-unbonding": lazy("Returns your unbonding to your lockup.", vault, "vaultCancelUnbonding"),
    claim: lazy("Moves your matured unbonding into your balance.", vault, "vaultClaim"),
    balance: lazy("Shows balance, lockup, unbonding and earnings.", vault, "vaultBalance"),
  },
  provider: {
    pair: lazy("Pairs provider and master (--as master|provider; each side signs its own).", provider, "providerPair"),
    register: lazy("Registers a provider to sources in one environment.", provider, "providerRegister"),
    unregister: lazy("Removes a provider from sources.", provider, "providerUnregister"),
    start: lazy("Starts the provider node.", provider, "providerStart"),
  },
  agent: {
    grant: lazy("Grants an agent scopes (client, operator) and an allowance of your balance.", agent, "agentGrant"),
    revoke: lazy("Revokes an agent.", agent, "agentRevoke"),
    show: lazy("Shows an agent's scopes and remaining allowance.", agent, "agentShow"),
  },
};

export function isLazyCommand(entry: LazyCommand | CommandGroup): entry is LazyCommand {
  return typeof entry.load === "function" && typeof entry.summary === "string";
}
