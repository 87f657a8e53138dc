// Master side of provider onboarding, idempotent (each step is skipped when the chain already shows it):
//   1. announce the provider with the largest lapse penalty this master accepts per attempt of it (--max-penalty,
//      default 0: only sources without a penalty); pairing completes once the provider announces this master
//      (provider-setup.ts),
//   2. top the stake up: deposit what the vault balance lacks and lock it, up to --stake,
//   3. register the provider to each --source in --environment.
//
//   GPU_NEXUS_PRIVATE_KEY=<master key> node scripts/provider/master-setup.ts \
//     --provider 0x… --max-penalty 0.1 --stake 2 --source 0x… [--source 0x…] --environment cpu [--rpc-url …] [--json]
//
// Registration needs the pairing to be complete; run provider-setup.ts on the provider first (or run this again).
import type { CliCommand, CliContext } from "../../src/cli/command.ts";
import { parseAddress, parseEnvironment, parseEth } from "../../src/cli/parse.ts";
import { providerPair, providerRegister } from "../../src/cli/commands/provider.ts";
import { vaultLock } from "../../src/cli/commands/vault.ts";
import { parseScriptArgs, runAsProcess, runSteps, scriptUsage } from "./common.ts";

const USAGE = "Usage: master-setup.ts --provider <address> [--max-penalty <eth>] [--stake <eth>] [--source <address>… --environment cpu|nvidia|amd] [global CLI flags]";

export async function masterSetup(args: string[], ctx: CliContext): Promise<number> {
  let parsed: ReturnType<typeof parseScriptArgs>;
  try {
    parsed = parseScriptArgs(args, {
      provider: { type: "string" },
      "max-penalty": { type: "string" },
      stake: { type: "string" },
      source: { type: "string", multiple: true },
      environment: { type: "string" },
    });
    const { values } = parsed;
    if (values.help === true) {
      ctx.stdout.write(`${USAGE}\n`);
      return 0;
    }
    parseAddress(values.provider as string | undefined, "--provider");
    if (values.stake !== undefined) parseEth(values.stake as string, "--stake");
    if (values["max-penalty"] !== undefined) parseEth(values["max-penalty"] as string, "--max-penalty");
    if (values.source !== undefined) parseEnvironment(values.environment as string | undefined);
  } catch (err) {
    return scriptUsage(ctx, (err as Error).message, USAGE, args.includes("--json"));
  }
  const { values, forward, json } = parsed;
  const provider = values.provider as string;
  const cap = values["max-penalty"] === undefined ? [] : ["--max-penalty", values["max-penalty"] as string];
  const steps: [string, CliCommand, string[]][] = [["pair", providerPair, [...forward, "--as", "master", "--provider", provider, ...cap]]];
  if (values.stake !== undefined) steps.push(["stake", vaultLock, [...forward, "--up-to", values.stake as string]]);
  const sources = (values.source as string[] | undefined) ?? [];
  if (sources.length > 0) {
    steps.push(["register", providerRegister, [...forward, ...sources.flatMap((s) => ["--source", s]), "--environment", values.environment as string, "--provider", provider]]);
  }
  return runSteps(ctx, json, steps);
}

if (import.meta.main) await runAsProcess(masterSetup);
