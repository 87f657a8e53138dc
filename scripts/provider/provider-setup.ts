// Provider side of onboarding, idempotent: the provider's (hot) key announces its master. Pairing completes once
// the master announces the provider too (master-setup.ts, either order).
//
//   GPU_NEXUS_PRIVATE_KEY=<provider key> node scripts/provider/provider-setup.ts --master 0x… [--rpc-url …] [--json]
import type { CliContext } from "../../src/cli/command.ts";
import { providerPair } from "../../src/cli/commands/provider.ts";
import { parseAddress } from "../../src/cli/parse.ts";
import { parseScriptArgs, runAsProcess, runSteps, scriptUsage } from "./common.ts";

const USAGE = "Usage: provider-setup.ts --master <address> [global CLI flags]";

export async function providerSetup(args: string[], ctx: CliContext): Promise<number> {
  let parsed: ReturnType<typeof parseScriptArgs>;
  try {
    parsed = parseScriptArgs(args, { master: { type: "string" } });
    if (parsed.values.help === true) {
      ctx.stdout.write(`${USAGE}\n`);
      return 0;
    }
    parseAddress(parsed.values.master as string | undefined, "--master");
  } catch (err) {
    return scriptUsage(ctx, (err as Error).message, USAGE, args.includes("--json"));
  }
  const { values, forward, json } = parsed;
  return runSteps(ctx, json, [["pair", providerPair, [...forward, "--as", "provider", "--master", values.master as string]]]);
}

if (import.meta.main) await runAsProcess(providerSetup);
