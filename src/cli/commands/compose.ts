// `compose check FILE`: the provider node's compose policy, run on a file before anyone runs it.
import { readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { ENVIRONMENTS, PLACEHOLDER_VARIABLES, checkCompose, type Environment } from "../../node/runtime/index.ts";
import { defineCommand, positionalArgs } from "../command.ts";
import { ExitCode, UsageError } from "../errors.ts";

function environmentOf(file: string, given: string | undefined): Environment {
  const name = (given ?? /^compose\.(cpu|nvidia|amd)\.ya?ml$/.exec(basename(file))?.[1] ?? "cpu").toLowerCase();
  if (!(ENVIRONMENTS as readonly string[]).includes(name)) throw new UsageError(`invalid environment "${name}": expected cpu, nvidia or amd`);
  return name as Environment;
}

export const composeCheck = defineCommand({
  name: "compose check",
  summary: "Runs the provider node's compose policy on a file: exit 0 when the node would run it, else every reason.",
  usage: "gpunexus compose check <file> [--environment cpu|nvidia|amd] [--public]",
  options: {
    environment: { type: "string", value: "env", description: "the environment the file is for (default: from compose.<env>.yml, else cpu)" },
    public: { type: "boolean", description: "check as on a public network: images must be pinned by digest (default: the local development chain, where a local tag is allowed)" },
  },
  run: async ({ options, positionals, io }) => {
    const file = positionalArgs(positionals, ["file"])[0] ?? "";
    const environment = environmentOf(file, options.environment);
    let text: string;
    try {
      text = await readFile(resolve(file), "utf8");
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const verdict = checkCompose(text, { environment, allowLocalImages: options.public !== true, variables: PLACEHOLDER_VARIABLES });
    const value = verdict.ok
      ? { file, environment, network: options.public ? "public" : "local", accepted: true, services: verdict.services }
      : { file, environment, network: options.public ? "public" : "local", accepted: false, reasons: verdict.reasons };
    io.result(value, () =>
      verdict.ok
        ? `accepted: ${file} (${environment}, services: ${verdict.services.join(", ")})\n`
        : `refused: ${file} (${environment})\n${verdict.reasons.map((reason) => `  - ${reason}`).join("\n")}\n`,
    );
    // One document on stdout either way; the exit code carries the verdict.
    return verdict.ok ? 0 : ExitCode.VERIFICATION;
  },
});
