// Dispatch: finds the command named by the first words of argv (global flags may come before it) and runs it.
import { readFileSync } from "node:fs";
import { commandHelp, globalOptions, reportError, type CliContext } from "./command.ts";
import { commandGroups, isLazyCommand, type CommandGroup } from "./commands/index.ts";
import { ExitCode, UsageError } from "./errors.ts";
import { formatTable } from "./output.ts";

const VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

const valueFlags = new Set(
  Object.entries(globalOptions).flatMap(([name, o]) => (o.type === "string" ? [`--${name}`] : [])),
);

/** Splits argv into the command words (up to two) and everything else, in order. */
function splitCommand(argv: readonly string[]): { words: string[]; rest: string[] } {
  const words: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith("-")) {
      rest.push(arg);
      if (valueFlags.has(arg) && i + 1 < argv.length) rest.push(argv[++i] as string);
      continue;
    }
    const group = words.length === 0 ? undefined : commandGroups[words[0] as string];
    if (words.length === 0 || (words.length === 1 && group !== undefined && !isLazyCommand(group))) words.push(arg);
    else rest.push(arg);
  }
  return { words, rest };
}

export function topHelp(): string {
  const rows: string[][] = [];
  for (const [name, entry] of Object.entries(commandGroups)) {
    if (isLazyCommand(entry)) rows.push([name, entry.summary]);
    else for (const [sub, cmd] of Object.entries(entry)) rows.push([`${name} ${sub}`, cmd.summary]);
  }
  const options = commandHelp({ summary: "", usage: "", options: {} }).split("Global options:\n")[1] ?? "";
  return [
    "gpunexus: buy and sell GPU compute on GPU Nexus from the command line.",
    "",
    "Usage: gpunexus <command> [options]        gpunexus <command> --help for its options",
    "",
    "Commands:",
    formatTable(["command", "what it does"], rows).split("\n").slice(1).map((l) => (l ? `  ${l}` : l)).join("\n").trimEnd(),
    "",
    "Global options:",
    options.trimEnd(),
    "",
    "Environment:",
    "  GPU_NEXUS_PRIVATE_KEY   signing key (never printed); GPU_NEXUS_KEY_FILE: a 0600 file holding it",
    "  GPU_NEXUS_RPC_URL, GPU_NEXUS_IPFS_RPC, GPU_NEXUS_IPFS_GATEWAY, GPU_NEXUS_NEXUS, GPU_NEXUS_DEPLOYMENTS",
    "  GPU_NEXUS_HOME          state folder (default ~/.gpunexus); GPU_NEXUS_POLLING_INTERVAL_MS",
    "",
    "Exit codes:",
    "  0    success",
    "  1    a transaction or call reverted, or the protocol refused (the decoded error is printed)",
    "  2    usage error: bad arguments, missing key, unknown deployment, unreadable spec",
    "  3    the RPC node or the IPFS node is unreachable (retryable)",
    "  4    verification failure: fetched content does not match its on-chain hash (tampered)",
    "  130  interrupted",
    "",
    `gpunexus ${VERSION}`,
    "",
  ].join("\n");
}

function groupHelp(name: string, group: CommandGroup): string {
  const rows = Object.entries(group).map(([sub, cmd]) => [`${name} ${sub}`, cmd.summary]);
  return [`Usage: gpunexus ${name} <${Object.keys(group).join("|")}> [options]`, "", formatTable(["command", "what it does"], rows)].join("\n");
}

/** Runs the CLI on `argv` (without the node and script paths). Never throws; returns the exit code. */
export async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const { words, rest } = splitCommand(argv);
  const wantsHelp = rest.includes("--help") || rest.includes("-h");
  if (words.length === 0) {
    if (rest.includes("--version")) {
      ctx.stdout.write(`${VERSION}\n`);
      return ExitCode.OK;
    }
    if (wantsHelp) {
      ctx.stdout.write(topHelp());
      return ExitCode.OK;
    }
    ctx.stderr.write(topHelp());
    return ExitCode.USAGE;
  }
  const [first = "", second] = words;
  const entry = commandGroups[first];
  const json = rest.includes("--json");
  if (entry === undefined) return reportError(new UsageError(`unknown command "${first}"`, "See: gpunexus --help"), ctx, { json, verbose: false });
  if (isLazyCommand(entry)) return (await entry.load())(rest, ctx);
  if (second === undefined) {
    if (wantsHelp) {
      ctx.stdout.write(groupHelp(first, entry));
      return ExitCode.OK;
    }
    ctx.stderr.write(groupHelp(first, entry));
    return ExitCode.USAGE;
  }
  const command = entry[second];
  if (command === undefined) {
    return reportError(new UsageError(`unknown command "${first} ${second}"`, `See: gpunexus ${first} --help`), ctx, { json, verbose: false });
  }
  return (await command.load())(rest, ctx);
}
