// `agent grant | revoke | show`: scoped agents (PROTOCOL.md "Agents"). A write is skipped when the chain already
// holds the wanted grant, so the commands can be re-run safely.
import { formatEther, type Address } from "viem";
import { getAgent, type GetAgentReturnType } from "../../sdk/actions/reads.ts";
import { grantAgent, revokeAgent, type AgentScopeName } from "../../sdk/actions/registry.ts";
import { UNLIMITED_ALLOWANCE } from "../../sdk/abis.ts";
import { defineCommand, positionalArgs, required } from "../command.ts";
import { connect } from "../connect.ts";
import { UsageError } from "../errors.ts";
import { formatKv } from "../output.ts";
import { parseAddress, parseEth } from "../parse.ts";
import { sendTx, txJson, type TxOutcome } from "../tx.ts";

const SCOPES: readonly AgentScopeName[] = ["client", "operator"];

function parseScopes(values: string[]): AgentScopeName[] {
  const scopes = new Set<AgentScopeName>();
  for (const value of values.flatMap((v) => v.split(","))) {
    const scope = value.trim().toLowerCase();
    if (!SCOPES.includes(scope as AgentScopeName)) throw new UsageError(`invalid --scope "${value}": expected client or operator`);
    scopes.add(scope as AgentScopeName);
  }
  return [...scopes].sort();
}

function parseAllowance(value: string | undefined): bigint {
  if (value === undefined) return 0n;
  if (value.trim().toLowerCase() === "unlimited") return UNLIMITED_ALLOWANCE;
  const wei = parseEth(value, "--allowance");
  if (wei >= UNLIMITED_ALLOWANCE) throw new UsageError(`invalid --allowance "${value}": too large; say unlimited`);
  return wei;
}

const allowanceText = (grant: GetAgentReturnType) => (grant.unlimited ? "unlimited" : `${formatEther(grant.allowance)} ETH`);

function grantJson(principal: Address, agent: Address, grant: GetAgentReturnType) {
  return { principal, agent, scopes: grant.scopes, allowance: grant.unlimited ? "unlimited" : grant.allowance.toString() };
}

function grantKv(principal: Address, agent: Address, grant: GetAgentReturnType, tx?: TxOutcome) {
  return formatKv([
    ["principal", principal],
    ["agent", agent],
    ["scopes", grant.scopes.length === 0 ? "none (not an agent)" : grant.scopes.join(", ")],
    ["allowance", grant.scopes.includes("client") ? allowanceText(grant) : "— (only the client scope spends)"],
    ...(tx ? ([["transaction", tx.transactionHash]] as [string, string][]) : []),
  ]);
}

export const agentGrant = defineCommand({
  name: "agent grant",
  summary: "Grants an agent (a scheduler or node key) scopes to act for you, and an allowance of your balance.",
  usage: "gpunexus agent grant <agent> --scope client|operator… [--allowance <eth>|unlimited]",
  details: [
    "client: publishes tasks for you (drawing at most --allowance of your vault balance, spent down as it publishes;",
    "        its own value is not drawn), cancels them and confirms their responses.",
    "operator: registers, unregisters and attempts for your providers; it spends nothing.",
    "No agent withdraws, locks, unbonds, claims or grants agents. A new grant replaces the old one.",
  ],
  options: {
    scope: { type: "string", multiple: true, value: "scope", description: "client or operator (repeat, or comma-separate)" },
    allowance: { type: "string", value: "eth|unlimited", description: "balance the agent may draw (default 0)" },
  },
  run: async ({ options, positionals, globals, ctx, io }) => {
    const agent = parseAddress(positionalArgs(positionals, ["agent"])[0], "<agent>");
    const scopes = parseScopes(required(options.scope as string[] | undefined, "--scope (client, operator)"));
    const allowance = parseAllowance(options.allowance as string | undefined);
    const session = await connect({ globals, ctx, signer: true });
    const wallet = await session.wallet();
    const principal = wallet.account.address;
    const before = await getAgent(session.publicClient, { principal, agent, nexus: session.nexus });
    let tx: TxOutcome | undefined;
    if (before.scopes.join() === scopes.join() && before.allowance === allowance) io.note("already granted exactly this; nothing to do");
    else tx = await sendTx(io, ctx, "grantAgent", () => grantAgent(wallet, { agent, scopes, allowance, nexus: session.nexus }));
    const after = await getAgent(session.publicClient, { principal, agent, nexus: session.nexus });
    io.result({ ...grantJson(principal, agent, after), changed: tx !== undefined, ...(tx ? { transaction: txJson(tx) } : {}) }, () =>
      globals.quiet ? `${after.scopes.join(",")}\n` : grantKv(principal, agent, after, tx),
    );
    return 0;
  },
});

export const agentRevoke = defineCommand({
  name: "agent revoke",
  summary: "Takes every scope and the allowance away from an agent.",
  usage: "gpunexus agent revoke <agent>",
  options: {},
  run: async ({ positionals, globals, ctx, io }) => {
    const agent = parseAddress(positionalArgs(positionals, ["agent"])[0], "<agent>");
    const session = await connect({ globals, ctx, signer: true });
    const wallet = await session.wallet();
    const principal = wallet.account.address;
    const before = await getAgent(session.publicClient, { principal, agent, nexus: session.nexus });
    let tx: TxOutcome | undefined;
    if (before.scopes.length === 0) io.note("not an agent; nothing to do");
    else tx = await sendTx(io, ctx, "revokeAgent", () => revokeAgent(wallet, { agent, nexus: session.nexus }));
    const after = await getAgent(session.publicClient, { principal, agent, nexus: session.nexus });
    io.result({ ...grantJson(principal, agent, after), changed: tx !== undefined, ...(tx ? { transaction: txJson(tx) } : {}) }, () =>
      globals.quiet ? "revoked\n" : grantKv(principal, agent, after, tx),
    );
    return 0;
  },
});

export const agentShow = defineCommand({
  name: "agent show",
  summary: "Shows what an agent may do for a principal (default: you) and the allowance it has left.",
  usage: "gpunexus agent show <agent> [--principal <address>]",
  options: {
    principal: { type: "string", value: "address", description: "whose agent (default: the configured key)" },
  },
  run: async ({ options, positionals, globals, ctx, io }) => {
    const agent = parseAddress(positionalArgs(positionals, ["agent"])[0], "<agent>");
    const given = options.principal === undefined ? undefined : parseAddress(options.principal as string, "--principal");
    const session = await connect({ globals, ctx, signer: given === undefined });
    const principal = given ?? (await session.wallet()).account.address;
    const grant = await getAgent(session.publicClient, { principal, agent, nexus: session.nexus });
    io.result(grantJson(principal, agent, grant), () => (globals.quiet ? `${grant.scopes.join(",") || "none"}\n` : grantKv(principal, agent, grant)));
    return 0;
  },
});
