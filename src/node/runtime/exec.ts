import { execFile } from "node:child_process";

export type ExecOptions = {
  /** The child's whole environment: callers build it explicitly, never from process.env wholesale. */
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  cwd?: string;
};

export type ExecResult = {
  /** Exit code; null when killed (timeout) or when the binary could not be spawned. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the binary itself is missing (ENOENT) or not executable. */
  spawnError?: string;
};

type ExecFailure = Error & { code?: number | string; killed?: boolean; signal?: NodeJS.Signals | null };

/**
 * execFile with an args array (no shell, so nothing in a compose path or project name is ever
 * interpreted) that resolves with the outcome instead of throwing on a non-zero exit: callers need
 * the output of failed commands to explain them. Only an abort rejects.
 */
export function exec(file: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        env: options.env,
        timeout: options.timeoutMs,
        killSignal: "SIGTERM",
        maxBuffer: 8 * 1024 * 1024,
        encoding: "utf8",
        windowsHide: true,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.cwd ? { cwd: options.cwd } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout, stderr, timedOut: false });
        const failure = error as ExecFailure;
        if (failure.name === "AbortError") return reject(options.signal?.reason ?? failure);
        if (typeof failure.code === "string") {
          return resolve({ code: null, stdout, stderr, timedOut: false, spawnError: `${failure.code}: ${failure.message}` });
        }
        const timedOut = failure.killed === true && failure.code == null;
        resolve({ code: typeof failure.code === "number" ? failure.code : null, stdout, stderr, timedOut });
      },
    );
  });
}

/** The last `maxChars` characters of a command's combined output, cut at a line start when possible. */
export function outputTail(result: Pick<ExecResult, "stdout" | "stderr">, maxChars = 4_000): string {
  const text = [result.stdout, result.stderr].filter((part) => part.trim() !== "").join("\n").trimEnd();
  if (text.length <= maxChars) return text;
  const cut = text.slice(-maxChars);
  const newline = cut.indexOf("\n");
  return newline >= 0 && newline < 200 ? cut.slice(newline + 1) : cut;
}

// Only what the docker / compose clients need to find and authenticate to the daemon. Secrets of the
// node (the provider key above all) live in its own env and must never reach a child.
const INHERITED = ["PATH", "HOME", "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY"] as const;

export function inheritedEnv(source: Readonly<Record<string, string | undefined>>, names: readonly string[] = INHERITED): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = source[name];
    if (value !== undefined && value !== "") env[name] = value;
  }
  return env;
}
