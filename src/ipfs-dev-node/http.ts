import type { IncomingMessage, ServerResponse } from "node:http";
import { CID } from "multiformats/cid";

/** An error answered the way Kubo does: HTTP 500 (unless told otherwise) with its JSON error body. */
export class KuboError extends Error {
  readonly status: number;
  constructor(message: string, status = 500) {
    super(message);
    this.name = "KuboError";
    this.status = status;
  }
}

export function sendKuboError(res: ServerResponse, error: KuboError): void {
  sendJson(res, error.status, { Message: error.message, Code: 0, Type: "error" });
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Reads a body of at most `limit` bytes; a larger one is drained (so the client sees our 413) and refused. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  const tooLarge = () => new KuboError(`request body is larger than the ${limit}-byte limit`, 413);
  const chunks: Buffer[] = [];
  let total = 0;
  let over = Number.isFinite(declared) && declared > limit;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) over = true;
    if (over) {
      // Draining has a ceiling too: past it, cut the connection.
      if (total > limit + 256 * 1024 * 1024) {
        req.destroy();
        throw tooLarge();
      }
      chunks.length = 0;
      continue;
    }
    chunks.push(chunk);
  }
  if (over) throw tooLarge();
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

/** Go's strconv.ParseBool, which Kubo uses for boolean options. */
export function parseBoolOption(params: URLSearchParams, name: string, fallback: boolean): boolean {
  const value = params.get(name);
  if (value === null) return fallback;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  throw new KuboError(`invalid value "${value}" for option "${name}": expected a boolean`);
}

export function parseUintOption(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new KuboError(`invalid value "${value}" for option "${name}": expected a non-negative integer`);
  }
  return Number(value);
}

/** Accepts `<cid>` and `/ipfs/<cid>`; paths inside a DAG are not supported by the dev node. */
export function parseCidArg(arg: string): CID {
  const raw = arg.startsWith("/ipfs/") ? arg.slice("/ipfs/".length) : arg;
  if (raw.includes("/")) throw new KuboError(`invalid path "${arg}": paths inside a DAG are not supported by the dev node`);
  try {
    return CID.parse(raw);
  } catch (error) {
    throw new KuboError(`invalid path "${arg}": ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function requireArgs(params: URLSearchParams): string[] {
  const args = params.getAll("arg");
  if (args.length === 0) throw new KuboError("argument \"ipfs-path\" is required");
  return args;
}

/** True for errors that mean "this block is not in the blockstore". */
export function isNotFound(error: unknown): boolean {
  const name = error instanceof Error ? error.name : "";
  return name === "NotFoundError" || name === "BlockNotFoundWhileOfflineError";
}

export function notFoundMessage(cid: CID): string {
  return `block was not found locally (offline): ipld: could not find ${cid.toString()}`;
}
