// The command framework: every command is a function (args, context) → exit code that parses its own flags
// (global ones included), prints its help, and turns any failure into one short line and an exit code.
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Address } from "viem";
import { DEFAULT_IPFS_RPC, DEFAULT_RPC_URL, type CliConfig } from "./config.ts";
import { describeError, ExitCode, UsageError } from "./errors.ts";
import { toJson, type CliOutput } from "./output.ts";
import { parseAddress } from "./parse.ts";

/** What a command needs from its caller; main.ts builds it from the process, tests build it by hand. */
export type CliContext = {
  stdout: CliOutput;
  stderr: CliOutput;
  config: CliConfig;
  /** The raw environment, handed to the provider node by `provider start` only. */
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGINT: long commands stop and exit 130. */
  signal?: AbortSignal | undefined;
  /**
   * For a command that handles SIGINT/SIGTERM itself (`provider start`: the node drains for shutdownGraceMs):
   * main.ts stops aborting `signal` and stops forcing exit 130 after 3 s. The command's exit code stands.
   */
  releaseSignals?: (() => void) | undefined;
  /** Asks a yes/no question on the terminal; absent when stdin is not a terminal. */
  confirm?: ((question: string) => Promise<boolean>) | undefined;
};

export type OptionSpec = {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** Placeholder of the value in help, e.g. "address". */
  value?: string;
  description: string;
};
export type OptionSpecs = Record<string, OptionSpec>;
export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]: O[K]["type"] extends "boolean" ? boolean | undefined : O[K]["multiple"] extends true ? string[] | undefined : string | undefined;
};

export const globalOptions = {
  "rpc-url": { type: "string", value: "url", description: `JSON-RPC endpoint (default ${DEFAULT_RPC_URL}; env GPU_NEXUS_RPC_URL)` },
  "ipfs-rpc": { type: "string", value: "url", description: `IPFS (Kubo) RPC API (default ${DEFAULT_IPFS_RPC}; env GPU_NEXUS_IPFS_RPC)` },
  "ipfs-gateway": { type: "string", value: "url", description: "IPFS gateway to read content from (env GPU_NEXUS_IPFS_GATEWAY)" },
  nexus: { type: "string", value: "address", description: "Nexus contract (default: the deployments file, then the SDK's built-in deployments)" },
  deployments: { type: "string", value: "path", description: "deployments file (default ~/.gpunexus/deployments.json; env GPU_NEXUS_DEPLOYMENTS)" },
  "key-file": { type: "string", value: "path", description: "file holding the private key, mode 0600 (else env GPU_NEXUS_PRIVATE_KEY)" },
  json: { type: "boolean", description: "machine output: one JSON document on stdout (amounts in wei, as strings)" },
  yes: { type: "boolean", short: "y", description: "answer yes to confirmations" },
  quiet: { type: "boolean", short: "q", description: "print only the essential result" },
  verbose: { type: "boolean", short: "v", description: "full error details and stack traces" },
  help: { type: "boolean", short: "h", description: "show help" },
} as const satisfies OptionSpecs;

/** Global flags resolved against the environment. */
export type Globals = {
  rpcUrl: string;
  ipfsRpc: string;
  ipfsGateway: string | undefined;
  nexus: Address | undefined;
  deploymentsPath: string;
  keyFile: string | undefined;
  json: boolean;
  yes: boolean;
  quiet: boolean;
  verbose: boolean;
};

/** Output helpers bound to one invocation. */
export type Io = {
  /** Progress and notes on stderr (silent with --quiet or --json). */
  note: (line: string) => void;
  /** The command's result: JSON document with --json, else the human text. */
  result: (value: unknown, human: () => string) => void;
  /** Asks before something costly or hard to undo; --yes skips; refuses when it cannot ask. */
  confirm: (question: string) => Promise<void>;
};

export type Invocation<O extends OptionSpecs> = {
  options: OptionValues<O>;
  positionals: string[];
  /** The arguments as given (for pass-through commands). */
  args: string[];
  globals: Globals;
  ctx: CliContext;
  io: Io;
};

export type CommandSpec<O extends OptionSpecs> = {
  /** "task publish" */
  name: string;
  summary: string;
  usage: string;
  options: O;
  /** Extra help paragraphs. */
  details?: string[];
  /** Hands the arguments over unparsed (provider start). */
  passThrough?: boolean;
  run: (inv: Invocation<O>) => Promise<number>;
};

export type CliCommand = ((args: string[], ctx: CliContext) => Promise<number>) & {
  spec: { name: string; summary: string };
};

export function resolveGlobals(values: Record<string, unknown>, config: CliConfig): Globals {
  const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  const nexus = str("nexus") ?? config.nexus;
  return {
    rpcUrl: str("rpc-url") ?? config.rpcUrl ?? DEFAULT_RPC_URL,
    ipfsRpc: str("ipfs-rpc") ?? config.ipfsRpc ?? DEFAULT_IPFS_RPC,
    ipfsGateway: str("ipfs-gateway") ?? config.ipfsGateway,
    nexus: nexus === undefined ? undefined : parseAddress(nexus, "--nexus"),
    deploymentsPath: str("deployments") ?? config.deploymentsPath,
    keyFile: str("key-file"),
    json: values.json === true,
    yes: values.yes === true,
    quiet: values.quiet === true,
    verbose: values.verbose === true,
  };
}

function optionLines(options: OptionSpecs): string[] {
  const left = Object.entries(options).map(([name, o]) => `${o.short ? `-${o.short}, ` : "    "}--${name}${o.value ? ` <${o.value}>` : ""}`);
  const width = Math.max(...left.map((l) => l.length));
  return Object.values(options).map((o, i) => `  ${(left[i] ?? "").padEnd(width)}  ${o.description}${o.multiple ? " (repeatable)" : ""}`);
}

export function commandHelp(spec: { summary: string; usage: string; options: OptionSpecs; details?: string[] | undefined }): string {
  const own = Object.keys(spec.options).length ? ["", "Options:", ...optionLines(spec.options)] : [];
  return [
    `Usage: ${spec.usage}`,
    "",
    spec.summary,
    ...(spec.details?.length ? ["", ...spec.details] : []),
    ...own,
    "",
    "Global options:",
    ...optionLines(globalOptions),
    "",
  ].join("\n");
}

/** Prints a failure (one line, then details) and returns its exit code. */
export function reportError(err: unknown, ctx: CliContext, globals: Pick<Globals, "json" | "verbose">): number {
  const d = describeError(err);
  const exitCode = ctx.signal?.aborted ? ExitCode.INTERRUPTED : d.exitCode;
  const named = d.name !== "UsageError" && d.name !== "Error" && exitCode !== ExitCode.INTERRUPTED;
  const lines = [`error: ${d.message}${named ? ` (${d.name})` : ""}`, ...d.details.map((l) => `  ${l}`)];
  if (globals.verbose) lines.push("", d.verbose);
  ctx.stderr.write(`${lines.join("\n")}\n`);
  if (globals.json) ctx.stdout.write(toJson({ error: { name: d.name, message: d.message, exitCode, args: d.args, details: d.details } }));
  return exitCode;
}

export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): CliCommand {
  const command = async (args: string[], ctx: CliContext): Promise<number> => {
    let values: Record<string, unknown>;
    let positionals: string[];
    try {
      if (spec.passThrough) {
        // The delegate parses (and documents) its own flags, --help included.
        values = {};
        positionals = [];
      } else {
        const parsed = parseArgs({
          args,
          options: Object.fromEntries(
            (Object.entries({ ...globalOptions, ...spec.options }) as [string, OptionSpec][]).map(([k, o]) => [
              k,
              { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
            ]),
          ) as ParseArgsConfig["options"],
          allowPositionals: true,
          strict: true,
        });
        values = parsed.values as Record<string, unknown>;
        positionals = parsed.positionals;
      }
    } catch (err) {
      return reportError(new UsageError((err as Error).message.split("\n")[0] ?? String(err), `See: gpunexus ${spec.name} --help`), ctx, {
        json: args.includes("--json"),
        verbose: false,
      });
    }
    const rawJson = values.json === true;
    if (values.help === true) {
      ctx.stdout.write(commandHelp(spec));
      return ExitCode.OK;
    }
    let globals: Globals | undefined;
    try {
      globals = resolveGlobals(values, ctx.config);
      const g = globals;
      const io: Io = {
        note: (line) => {
          if (!g.quiet && !g.json) ctx.stderr.write(`${line}\n`);
        },
        result: (value, human) => ctx.stdout.write(g.json ? toJson(value) : human()),
        confirm: async (question) => {
          if (g.yes) return;
          if (!ctx.confirm) throw new UsageError(`${question} Refusing without confirmation`, "Pass --yes to confirm non-interactively.");
          if (!(await ctx.confirm(`${question} [y/N] `))) throw new UsageError("aborted by the user");
        },
      };
      return await spec.run({ options: values as OptionValues<O>, positionals, args, globals: g, ctx, io });
    } catch (err) {
      return reportError(err, ctx, globals ?? { json: rawJson, verbose: values.verbose === true });
    }
  };
  return Object.assign(command, { spec: { name: spec.name, summary: spec.summary, usage: spec.usage, options: spec.options, details: spec.details } });
}

/** Fails with a usage error when a required option is missing. */
export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === "") throw new UsageError(`missing ${flag}`);
  return value;
}

/** Exactly `n` positionals (named for the message). */
export function positionalArgs(positionals: string[], names: string[]): string[] {
  if (positionals.length < names.length) throw new UsageError(`missing <${names[positionals.length]}>`);
  if (positionals.length > names.length) throw new UsageError(`unexpected argument "${positionals[names.length]}"`);
  return positionals;
}
