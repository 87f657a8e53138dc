// `vault deposit | withdraw | lock | unbond | cancel-unbonding | claim | balance`.
import type { Address } from "viem";
import { getBlock } from "viem/actions";
import { getVaultPosition, type GetVaultPositionReturnType } from "../../sdk/actions/reads.ts";
import { cancelUnbonding, claim, deposit, lock, unbond, withdraw } from "../../sdk/actions/vault.ts";
import { defineCommand, positionalArgs, type CliContext, type Globals, type Io } from "../command.ts";
import { connect, type Session } from "../connect.ts";
import { UsageError } from "../errors.ts";
import { formatEth, formatKv, formatTime } from "../output.ts";
import { parseAddress, parseEth } from "../parse.ts";
import { sendTx, txHuman, txJson, type TxOutcome } from "../tx.ts";

function positionRows(account: Address, p: GetVaultPositionReturnType, now: bigint): [string, string][] {
  return [
    ["account", account],
    ["balance", formatEth(p.balance)],
    ["lockup", formatEth(p.lockup)],
    ["  reserved", `${formatEth(p.reserved)} (backing live attempts)`],
    ["  free", formatEth(p.freeLockup)],
    ["unbonding", p.unbonding > 0n ? `${formatEth(p.unbonding)} (claimable ${formatTime(p.maturesAt, now)})` : formatEth(0n)],
    ["earnings", formatEth(p.earnings)],
  ];
}

/** Prints the transactions (if any) and the account's position after them. */
async function report(io: Io, globals: Globals, session: Session, account: Address, txs: TxOutcome[]): Promise<number> {
  const [p, block] = await Promise.all([getVaultPosition(session.publicClient, { account, nexus: session.nexus }), getBlock(session.publicClient)]);
  io.result({ account, ...p, transactions: txs.map(txJson) }, () =>
    globals.quiet ? txs.map((t) => `${t.transactionHash}\n`).join("") : txs.map(txHuman).join("") + formatKv(positionRows(account, p, block.timestamp)),
  );
  return 0;
}

type Run = (a: { amount: string | undefined; options: Record<string, unknown>; globals: Globals; ctx: CliContext; io: Io; session: Session }) => Promise<TxOutcome[]>;
type Spec = {
  name: string;
  summary: string;
  usage: string;
  /** required: `<amount>` must be given; optional: `<amount>` or an option; all: `<amount>` or "all"; none: no argument. */
  amount: "required" | "optional" | "all" | "none";
  options?: Record<string, { type: "string" | "boolean"; value?: string; description: string }>;
  send: Run;
};

function vaultTx(spec: Spec) {
  return defineCommand({
    name: `vault ${spec.name}`,
    summary: spec.summary,
    usage: `gpunexus vault ${spec.usage}`,
    options: spec.options ?? {},
    run: async ({ options, positionals, globals, ctx, io }) => {
      const [amount] = spec.amount === "none" || positionals.length === 0 ? positionalArgs(positionals, []) : positionalArgs(positionals, ["amount"]);
      if (amount === undefined && (spec.amount === "required" || spec.amount === "all")) throw new UsageError("missing <amount> (ETH)");
      if (amount !== undefined && !(amount === "all" && spec.amount === "all")) parseEth(amount, "<amount>");
      const session = await connect({ globals, ctx, signer: true });
      const wallet = await session.wallet();
      const txs = await spec.send({ amount, options, globals, ctx, io, session });
      return report(io, globals, session, wallet.account.address, txs);
    },
  });
}

export const vaultDeposit = vaultTx({
  name: "deposit",
  summary: "Deposits ETH into a vault balance (yours, or --for another account's).",
  usage: "deposit <amount> [--for <address>]",
  amount: "required",
  options: { for: { type: "string", value: "address", description: "credit this account instead of yours" } },
  send: async ({ amount = "", options, ctx, io, session }) => {
    const beneficiary = typeof options.for === "string" ? parseAddress(options.for, "--for") : undefined;
    const wallet = await session.wallet();
    return [await sendTx(io, ctx, "deposit", () => deposit(wallet, { value: parseEth(amount), beneficiary, nexus: session.nexus }))];
  },
});

export const vaultWithdraw = vaultTx({
  name: "withdraw",
  summary: "Withdraws ETH from your vault balance to your wallet, or --to another address ('all' for the whole balance).",
  usage: "withdraw <amount|all> [--to <address>]",
  amount: "all",
  options: { to: { type: "string", value: "address", description: "send to this address instead of yours (e.g. from a contract that cannot receive ETH)" } },
  send: async ({ amount = "", options, ctx, io, session }) => {
    const recipient = typeof options.to === "string" ? parseAddress(options.to, "--to") : undefined;
    const wallet = await session.wallet();
    const value = amount === "all" ? (await getVaultPosition(session.publicClient, { account: wallet.account.address, nexus: session.nexus })).balance : parseEth(amount);
    if (value === 0n) throw new UsageError("nothing to withdraw: the balance is 0");
    return [await sendTx(io, ctx, "withdraw", () => withdraw(wallet, { amount: value, recipient, nexus: session.nexus }))];
  },
});

export const vaultLock = vaultTx({
  name: "lock",
  summary: "Locks stake: moves <amount> of your balance into your lockup; --up-to tops the lockup up, depositing what the balance lacks.",
  usage: "lock <amount> | --up-to <amount>",
  amount: "optional",
  options: { "up-to": { type: "string", value: "amount", description: "make the lockup at least this (idempotent: does nothing when it already is)" } },
  send: async ({ amount, options, ctx, io, session }) => {
    const wallet = await session.wallet();
    const me = wallet.account.address;
    if (typeof options["up-to"] === "string") {
      if (amount !== undefined) throw new UsageError("give either <amount> or --up-to, not both");
      const target = parseEth(options["up-to"], "--up-to");
      const p = await getVaultPosition(session.publicClient, { account: me, nexus: session.nexus });
      if (p.lockup >= target) {
        io.note(`the lockup is already ${formatEth(p.lockup)} (≥ ${formatEth(target)}); nothing to do`);
        return [];
      }
      const need = target - p.lockup;
      const txs: TxOutcome[] = [];
      if (p.balance < need) txs.push(await sendTx(io, ctx, "deposit", () => deposit(wallet, { value: need - p.balance, nexus: session.nexus })));
      txs.push(await sendTx(io, ctx, "lock", () => lock(wallet, { amount: need, nexus: session.nexus })));
      return txs;
    }
    if (amount === undefined) throw new UsageError("give <amount> (ETH) or --up-to <amount>");
    return [await sendTx(io, ctx, "lock", () => lock(wallet, { amount: parseEth(amount), nexus: session.nexus }))];
  },
});

export const vaultUnbond = vaultTx({
  name: "unbond",
  summary: "Starts unbonding <amount> of your free lockup (restarts the timer for the whole unbonding).",
  usage: "unbond <amount>",
  amount: "required",
  send: async ({ amount = "", ctx, io, session }) => {
    await io.confirm(`Unbond ${formatEth(parseEth(amount))}? It stops counting as stake, and the unbonding timer restarts.`);
    const wallet = await session.wallet();
    return [await sendTx(io, ctx, "unbond", () => unbond(wallet, { amount: parseEth(amount), nexus: session.nexus }))];
  },
});

export const vaultCancelUnbonding = vaultTx({
  name: "cancel-unbonding",
  summary: "Returns your unbonding amount to your lockup.",
  usage: "cancel-unbonding",
  amount: "none",
  send: async ({ ctx, io, session }) => [await sendTx(io, ctx, "cancelUnbonding", async () => cancelUnbonding(await session.wallet(), { nexus: session.nexus }))],
});

export const vaultClaim = vaultTx({
  name: "claim",
  summary: "Moves your matured unbonding into your balance.",
  usage: "claim",
  amount: "none",
  send: async ({ ctx, io, session }) => [await sendTx(io, ctx, "claim", async () => claim(await session.wallet(), { nexus: session.nexus }))],
});

export const vaultBalance = defineCommand({
  name: "vault balance",
  summary: "Shows an account's vault position: balance, lockup, unbonding, lifetime earnings.",
  usage: "gpunexus vault balance [--account <address>]",
  options: { account: { type: "string", value: "address", description: "whose position (default: the configured key's)" } },
  run: async ({ options, positionals, globals, ctx, io }) => {
    positionalArgs(positionals, []);
    const given = options.account === undefined ? undefined : parseAddress(options.account, "--account");
    const session = await connect({ globals, ctx });
    const account = given ?? (await session.accountAddress());
    if (account === undefined) throw new UsageError("no account: pass --account <address> or configure a key");
    return report(io, globals, session, account, []);
  },
});
