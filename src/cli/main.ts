// The gpunexus executable: the only CLI file that touches the process (argv, env, TTYs, signals, exit).
import { homedir } from "node:os";
import { createInterface } from "node:readline/promises";
import type { CliContext } from "./command.ts";
import { configFromEnv } from "./config.ts";
import { ExitCode } from "./errors.ts";
import { run } from "./run.ts";

const controller = new AbortController();
let interrupts = 0;
const onSigint = () => {
  interrupts++;
  controller.abort();
  // A command that cannot stop at once gets a moment; a second Ctrl-C (or the moment passing) ends it.
  if (interrupts > 1) process.exit(ExitCode.INTERRUPTED);
  setTimeout(() => process.exit(ExitCode.INTERRUPTED), 3_000).unref();
};
process.on("SIGINT", onSigint);

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

const ctx: CliContext = {
  stdout: process.stdout,
  stderr: process.stderr,
  config: configFromEnv(process.env, homedir()),
  env: process.env,
  signal: controller.signal,
  confirm: process.stdin.isTTY ? confirm : undefined,
  // `provider start`: the node's own handlers drain it; ours would cut the drain after 3 s.
  releaseSignals: () => void process.off("SIGINT", onSigint),
};

const code = await run(process.argv.slice(2), ctx);
// Let stdout drain (pipes) before leaving.
process.stdout.write("", () => process.exit(controller.signal.aborted ? ExitCode.INTERRUPTED : code));
