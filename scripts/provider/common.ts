// Shared by the provider set-up scripts: forwarding global flags to the CLI commands, and running a script as
// a process (keys come from the environment: GPU_NEXUS_PRIVATE_KEY or GPU_NEXUS_KEY_FILE / --key-file).
import { homedir } from "node:os";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { CliCommand, CliContext } from "../../src/cli/command.ts";
import { globalOptions, reportError } from "../../src/cli/command.ts";
import { configFromEnv } from "../../src/cli/config.ts";
import { UsageError } from "../../src/cli/errors.ts";
import { toJson } from "../../src/cli/output.ts";

type Own = Record<string, { type: "string" | "boolean"; multiple?: boolean }>;

/** Parses the script's own flags plus the CLI's global ones; returns both, and the globals as argv to forward. */
export function parseScriptArgs<const O extends Own>(args: string[], own: O): { values: Record<string, unknown>; forward: string[]; json: boolean } {
  const options = { ...(globalOptions as Own), ...own };
  const parsed = parseArgs({
    args,
    options: Object.fromEntries(Object.entries(options).map(([k, o]) => [k, { type: o.type, ...(o.multiple ? { multiple: true } : {}) }])) as ParseArgsConfig["options"],
    strict: true,
    allowPositionals: false,
  });
  const values = parsed.values as Record<string, unknown>;
  const forward: string[] = [];
  for (const name of Object.keys(globalOptions)) {
    const v = values[name];
    if (name === "json" || name === "help" || v === undefined || v === false) continue;
    forward.push(`--${name}`, ...(typeof v === "string" ? [v] : []));
  }
  return { values, forward, json: values.json === true };
}

/** Runs CLI commands in order, stopping at the first failure. With --json their documents are gathered into one. */
export async function runSteps(ctx: CliContext, json: boolean, steps: [string, CliCommand, string[]][]): Promise<number> {
  const documents: Record<string, unknown> = {};
  for (const [name, command, args] of steps) {
    let captured = "";
    const stepCtx: CliContext = json ? { ...ctx, stdout: { write: (s: string) => (captured += s) } } : ctx;
    if (!json) ctx.stderr.write(`== ${name}\n`);
    const code = await command(json ? [...args, "--json"] : args, stepCtx);
    if (json) documents[name] = captured ? (JSON.parse(captured) as unknown) : null;
    if (code !== 0) {
      if (json) ctx.stdout.write(toJson({ failedStep: name, exitCode: code, steps: documents }));
      return code;
    }
  }
  if (json) ctx.stdout.write(toJson({ steps: documents }));
  return 0;
}

/** Usage errors of the script itself, reported like the CLI does (exit 2). */
export function scriptUsage(ctx: CliContext, message: string, usage: string, json: boolean): number {
  return reportError(new UsageError(message, usage), ctx, { json, verbose: false });
}

/** Runs `script` as the process: context from process.env and the terminal, exit code to the shell. */
export async function runAsProcess(script: (args: string[], ctx: CliContext) => Promise<number>): Promise<never> {
  const controller = new AbortController();
  process.on("SIGINT", () => controller.abort());
  const ctx: CliContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    config: configFromEnv(process.env, homedir()),
    env: process.env,
    signal: controller.signal,
  };
  const code = await script(process.argv.slice(2), ctx);
  process.exit(controller.signal.aborted ? 130 : code);
}
