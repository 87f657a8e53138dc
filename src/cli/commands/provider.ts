// `provider pair | register | unregister | start`. Every write is skipped when the chain already shows the wanted
// state, so the commands (and scripts/provider/*) can be re-run safely.
import { formatEther, type Address } from "viem";
import { readContract } from "viem/actions";
import { MAX_PENALTY_CAP, providerRegistryAbi, sourceAbi } from "../../sdk/abis.ts";
import { getPairing } from "../../sdk/actions/reads.ts";
import { announceMaster, announceProvider } from "../../sdk/actions/registry.ts";
import { register, unregister } from "../../sdk/actions/sources.ts";
import { defineCommand, positionalArgs, required } from "../command.ts";
import { connect, type Session } from "../connect.ts";
import { ProtocolError, UsageError } from "../errors.ts";
import { formatEnvironments, formatKv, formatTable } from "../output.ts";
import { parseAddress, parseEnvironment, parseEth } from "../parse.ts";
import { sendTx, txJson, type TxOutcome } from "../tx.ts";

async function pairingState(session: Session, master: Address, provider: Address) {
  const [pairing, [announcedByMaster, maxPenalty]] = await Promise.all([
    getPairing(session.publicClient, { provider, nexus: session.nexus }),
    readContract(session.publicClient, { address: session.deployment.registry, abi: providerRegistryAbi, functionName: "announcementOf", args: [master, provider] }),
  ]);
  const announcedByProvider = pairing.master === master;
  return { master, provider, announcedByMaster, announcedByProvider, paired: announcedByMaster && announcedByProvider, maxPenalty };
}

function parseMaxPenalty(value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  const wei = parseEth(value, "--max-penalty");
  if (wei > MAX_PENALTY_CAP) throw new UsageError(`invalid --max-penalty "${value}": at most ${formatEther(MAX_PENALTY_CAP)} ETH`);
  return wei;
}

export const providerPair = defineCommand({
  name: "provider pair",
  summary: "Pairs a provider with its master; each side announces the other with its own key (either order).",
  usage: "gpunexus provider pair --as master --provider <address> [--max-penalty <eth>] | --as provider --master <address>",
  details: [
    "The master (cold wallet) runs `--as master --provider <hot key address>`; the provider machine runs",
    "`--as provider --master <master address>`. A side already announced is skipped.",
    "--max-penalty is the largest lapse penalty the master accepts to lose per attempt of this provider (default 0:",
    "only sources without a penalty). Nobody, not the provider key nor an agent, can register or attempt the",
    "provider on harsher terms. Run it again with another value to change it.",
  ],
  options: {
    as: { type: "string", value: "master|provider", description: "which side the configured key is" },
    provider: { type: "string", value: "address", description: "the provider to announce (with --as master)" },
    master: { type: "string", value: "address", description: "the master to announce (with --as provider)" },
    "max-penalty": { type: "string", value: "eth", description: "penalty cap per attempt (with --as master; default 0, or the current cap)" },
  },
  run: async ({ options, positionals, globals, ctx, io }) => {
    positionalArgs(positionals, []);
    const side = required(options.as, "--as (master or provider)");
    if (side !== "master" && side !== "provider") throw new UsageError(`invalid --as "${side}": expected master or provider`);
    const maxPenaltyOption = parseMaxPenalty(options["max-penalty"]);
    if (maxPenaltyOption !== undefined && side !== "master") throw new UsageError("--max-penalty is the master's to set: use it with --as master");
    const other = side === "master" ? parseAddress(required(options.provider, "--provider"), "--provider") : parseAddress(required(options.master, "--master"), "--master");
    const session = await connect({ globals, ctx, signer: true });
    const wallet = await session.wallet();
    const me = wallet.account.address;
    const [master, provider] = side === "master" ? [me, other] : [other, me];
    const before = await pairingState(session, master, provider);
    let tx: TxOutcome | undefined;
    // Re-running without --max-penalty keeps the cap in force; with it, a different cap is announced again.
    const maxPenalty = maxPenaltyOption ?? (before.announcedByMaster ? before.maxPenalty : 0n);
    if (side === "master" && (!before.announcedByMaster || before.maxPenalty !== maxPenalty)) {
      tx = await sendTx(io, ctx, "announceProvider", () => announceProvider(wallet, { provider, maxPenalty, nexus: session.nexus }));
    } else if (side === "provider" && !before.announcedByProvider) {
      tx = await sendTx(io, ctx, "announceMaster", () => announceMaster(wallet, { master, nexus: session.nexus }));
    } else io.note(`the ${side} side is already announced; nothing to do`);
    const after = await pairingState(session, master, provider);
    const waiting = after.paired ? undefined : side === "master" ? "the provider must still announce this master" : "the master must still announce this provider";
    io.result({ ...after, maxPenalty: after.maxPenalty.toString(), changed: tx !== undefined, ...(tx ? { transaction: txJson(tx) } : {}) }, () =>
      globals.quiet
        ? `${after.paired ? "paired" : "pending"}\n`
        : formatKv([
            ["master", master],
            ["provider", provider],
            ["announced by master", after.announcedByMaster ? `yes (accepts at most ${formatEther(after.maxPenalty)} ETH of penalty per attempt)` : "no"],
            ["announced by provider", after.announcedByProvider ? "yes" : "no"],
            ["paired", after.paired ? "yes" : `no (${waiting})`],
            ...(tx ? ([["transaction", tx.transactionHash]] as [string, string][]) : []),
          ]),
    );
    return 0;
  },
});

type Row = { source: Address; action: string; environment: number; transaction?: ReturnType<typeof txJson> };

function registrationCommand(mode: "register" | "unregister") {
  return defineCommand({
    name: `provider ${mode}`,
    summary:
      mode === "register"
        ? "Registers a provider to one or more sources in one environment (by the provider, its master or the master's operator agent)."
        : "Removes a provider from one or more sources (by the provider, its master or the master's operator agent).",
    usage: mode === "register" ? "gpunexus provider register --source <address>… --environment cpu|nvidia|amd [--provider <address>]" : "gpunexus provider unregister --source <address>… [--provider <address>]",
    details: ["Sources where the provider already is (or is not) registered are skipped."],
    options: {
      source: { type: "string", multiple: true, value: "address", description: "a source" },
      ...(mode === "register" ? { environment: { type: "string", value: "env", description: "cpu, nvidia or amd" } } : {}),
      provider: { type: "string", value: "address", description: "the provider (default: the configured key)" },
    },
    run: async ({ options, positionals, globals, ctx, io }) => {
      positionalArgs(positionals, []);
      const sources = required(options.source as string[] | undefined, "--source").map((s) => parseAddress(s, "--source"));
      const environment = mode === "register" ? parseEnvironment((options as { environment?: string }).environment) : 0;
      const given = options.provider === undefined ? undefined : parseAddress(options.provider as string, "--provider");
      const session = await connect({ globals, ctx, signer: true });
      const wallet = await session.wallet();
      const provider = given ?? wallet.account.address;
      const rows: Row[] = [];
      for (const source of sources) {
        const current = await readContract(session.publicClient, { address: source, abi: sourceAbi, functionName: "environmentOf", args: [provider] });
        if (mode === "register" && current !== 0) {
          if (current !== environment) io.note(`${source}: already registered in ${formatEnvironments(current)}; unregister first to change environment`);
          rows.push({ source, action: "already registered", environment: current });
        } else if (mode === "unregister" && current === 0) {
          rows.push({ source, action: "not registered", environment: 0 });
        } else {
          const tx = await sendTx(io, ctx, `${mode} ${source}`, () =>
            mode === "register" ? register(wallet, { source, provider, environment, nexus: session.nexus }) : unregister(wallet, { source, provider, nexus: session.nexus }),
          );
          rows.push({ source, action: mode === "register" ? "registered" : "unregistered", environment: mode === "register" ? environment : current, transaction: txJson(tx) });
        }
      }
      io.result({ provider, sources: rows }, () =>
        globals.quiet ? rows.map((r) => `${r.source} ${r.action}\n`).join("") : formatTable(["source", "provider", "environment", "result"], rows.map((r) => [r.source, provider, formatEnvironments(r.environment), r.action])),
      );
      return 0;
    },
  });
}
export const providerRegister = registrationCommand("register");
export const providerUnregister = registrationCommand("unregister");

export const providerStart = defineCommand({
  name: "provider start",
  summary: "Starts the provider node (src/node): attempts tasks of its sources, runs the handlers, submits results.",
  usage: "gpunexus provider start --config <node.json> [node options]   (gpunexus provider start --help lists them)",
  passThrough: true,
  options: {},
  run: async ({ args, ctx }) => {
    let mod: { runProviderNode?: (argv: string[], env: Readonly<Record<string, string | undefined>>) => Promise<number | void> | number | void };
    // A computed specifier: the CLI builds and type-checks without the node, which is written separately.
    const entry = new URL("../../node/main.ts", import.meta.url).href;
    try {
      mod = (await import(entry)) as typeof mod;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND" || !String((err as Error).message).includes("node/main.ts")) throw err;
      throw new ProtocolError("the provider node is not part of this build (src/node/main.ts is missing)", "NodeUnavailable");
    }
    if (typeof mod.runProviderNode !== "function") throw new ProtocolError("src/node/main.ts does not export runProviderNode", "NodeUnavailable");
    // The CLI's spelling of the IPFS flags, in the node's.
    const renamed: Record<string, string> = { "--ipfs-rpc": "--ipfs-rpc-url", "--ipfs-gateway": "--ipfs-gateway-url" };
    const argv = args.map((a) => {
      const [flag = a, value] = a.split(/=(.*)/s, 2);
      const to = renamed[flag];
      return to === undefined ? a : value === undefined ? to : `${to}=${value}`;
    });
    // SIGINT/SIGTERM belong to the node from here: it drains in-flight tasks (shutdownGraceMs) and exits 0.
    ctx.releaseSignals?.();
    const code = await mod.runProviderNode(argv, ctx.env);
    return typeof code === "number" ? code : 0;
  },
});
