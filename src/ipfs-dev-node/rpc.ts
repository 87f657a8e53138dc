// The Kubo RPC routes kubo-rpc-client calls for add / cat / pin / id / version / block stat.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import type { ImporterOptions } from "ipfs-unixfs-importer";
import type { CID } from "multiformats/cid";
import {
  isNotFound,
  KuboError,
  notFoundMessage,
  parseBoolOption,
  parseCidArg,
  parseUintOption,
  readBody,
  requireArgs,
  sendJson,
} from "./http.ts";
import type { PinType, Repo } from "./repo.ts";

export const DEV_NODE_VERSION = "0.1.0-gpu-nexus-dev";
const MAX_CHUNK_SIZE = 1_048_576; // Kubo refuses larger chunks (its block size limit).

export type RpcContext = { repo: Repo; maxAddBytes: number };

export async function handleRpc(ctx: RpcContext, command: string, req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
  switch (command) {
    case "add":
      return add(ctx, req, res, params);
    case "cat":
      return cat(ctx, res, params);
    case "pin/add":
      return pinAdd(ctx, res, params);
    case "pin/rm":
      return pinRm(ctx, res, params);
    case "pin/ls":
      return pinLs(ctx, res, params);
    case "block/stat":
      return blockStat(ctx, res, params);
    case "id":
      if (params.has("arg") && params.get("arg") !== ctx.repo.peerId) throw new KuboError("the dev node has no network: only its own id is known");
      return sendJson(res, 200, {
        ID: ctx.repo.peerId,
        PublicKey: ctx.repo.publicKey,
        Addresses: [],
        AgentVersion: `gpu-nexus-ipfs-dev-node/${DEV_NODE_VERSION}`,
        Protocols: [],
      });
    case "version":
      return sendJson(res, 200, { Version: DEV_NODE_VERSION, Commit: "", Repo: "1", System: `${process.arch}/${process.platform}`, Golang: "none" });
    default:
      throw new KuboError("404 page not found", 404);
  }
}

type AddOptions = ImporterOptions & { onlyHash: boolean; pin: boolean; pinName: string };

/** Kubo's add options; anything that would change the DAG in a way we do not implement is refused. */
function parseAddOptions(params: URLSearchParams): AddOptions {
  const cidVersion = parseUintOption(params, "cid-version") ?? 0;
  if (cidVersion !== 0 && cidVersion !== 1) throw new KuboError(`unknown CID version: ${cidVersion}`);
  const hash = params.get("hash") ?? "sha2-256";
  if (hash !== "sha2-256") throw new KuboError(`hash function "${hash}" is not supported by the dev node (only sha2-256)`);
  const chunker = params.get("chunker") ?? "";
  let chunkSize = 262_144;
  if (chunker !== "" && chunker !== "default") {
    const match = /^size-(\d+)$/.exec(chunker);
    if (match === null) throw new KuboError(`chunker "${chunker}" is not supported by the dev node (only size-N)`);
    chunkSize = Number(match[1]);
    if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) throw new KuboError(`chunker size must be between 1 and ${MAX_CHUNK_SIZE}`);
  }
  for (const flag of ["trickle", "wrap-with-directory", "inline", "nocopy", "fscache", "preserve-mode", "preserve-mtime"]) {
    if (parseBoolOption(params, flag, false)) throw new KuboError(`option "${flag}" is not supported by the dev node`);
  }
  for (const option of ["to-files", "mode", "mtime", "mtime-nsecs"]) {
    if (params.has(option)) throw new KuboError(`option "${option}" is not supported by the dev node`);
  }
  return {
    cidVersion,
    // Kubo turns raw leaves on with CIDv1 unless told otherwise.
    rawLeaves: parseBoolOption(params, "raw-leaves", cidVersion === 1),
    leafType: "file",
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize }),
    layout: balanced({ maxChildrenPerNode: 174 }),
    onlyHash: parseBoolOption(params, "only-hash", false),
    pin: parseBoolOption(params, "pin", true),
    pinName: params.get("pin-name") ?? "",
  };
}

async function add(ctx: RpcContext, req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
  const options = parseAddOptions(params);
  const contentType = req.headers["content-type"] ?? "";
  if (!contentType.startsWith("multipart/form-data")) throw new KuboError("request is not multipart/form-data");
  const body = await readBody(req, ctx.maxAddBytes);
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": contentType } }).formData();
  } catch (error) {
    throw new KuboError(`malformed multipart body: ${error instanceof Error ? error.message : String(error)}`);
  }
  const results: { Name: string; Hash: string; Size: string }[] = [];
  const parts: [string, FormDataEntryValue][] = [];
  form.forEach((value, field) => parts.push([field, value]));
  for (const [field, value] of parts) {
    if (typeof value === "string") continue;
    // kubo-rpc-client appends mode/mtime to the field name; both would change the CID.
    if (field.includes("?")) throw new KuboError("file mode/mtime are not supported by the dev node");
    if (field.startsWith("dir") || value.type === "application/x-directory") {
      throw new KuboError("directories are not supported by the dev node: add files one by one");
    }
    const { cid, size } = await ctx.repo.add(new Uint8Array(await value.arrayBuffer()), options);
    if (options.pin && !options.onlyHash) await ctx.repo.pin(cid, "recursive", options.pinName);
    results.push({ Name: decodeName(value.name) || cid.toString(), Hash: cid.toString(), Size: size.toString() });
  }
  if (results.length === 0) throw new KuboError("file argument 'path' is required");
  res.writeHead(200, { "content-type": "application/json", "x-chunked-output": "1", "x-stream-output": "1" });
  res.end(results.map((r) => `${JSON.stringify(r)}\n`).join(""));
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

async function cat(ctx: RpcContext, res: ServerResponse, params: URLSearchParams): Promise<void> {
  const [arg] = requireArgs(params);
  const cid = parseCidArg(arg ?? "");
  const offset = parseUintOption(params, "offset") ?? 0;
  const length = parseUintOption(params, "length");
  const size = await fileSize(ctx, cid);
  const start = Math.min(offset, size);
  const count = Math.min(length ?? size, size - start);
  res.writeHead(200, { "content-type": "text/plain", "x-stream-output": "1", "x-content-length": String(count) });
  if (count === 0) {
    res.end();
    return;
  }
  // pipeline handles backpressure and tears the response down if a block goes missing mid-stream.
  await pipeline(Readable.from(ctx.repo.fs.cat(cid, { offset: start, length: count })), res);
}

/** Size of a UnixFS file; Kubo-style errors for unknown CIDs and directories. */
export async function fileSize(ctx: { repo: Repo }, cid: CID): Promise<number> {
  try {
    const stat = await ctx.repo.fs.stat(cid);
    if (stat.type === "directory") throw new KuboError("this dag node is a directory");
    return Number(stat.size);
  } catch (error) {
    if (isNotFound(error)) throw new KuboError(notFoundMessage(cid));
    throw error;
  }
}

async function pinAdd(ctx: RpcContext, res: ServerResponse, params: URLSearchParams): Promise<void> {
  const cids = requireArgs(params).map(parseCidArg);
  const type: PinType = parseBoolOption(params, "recursive", true) ? "recursive" : "direct";
  for (const cid of cids) {
    try {
      await ctx.repo.pin(cid, type, params.get("name") ?? "");
    } catch (error) {
      if (isNotFound(error)) throw new KuboError(`pin: ${notFoundMessage(cid)}`);
      throw error;
    }
  }
  sendJson(res, 200, { Pins: cids.map(String) });
}

async function pinRm(ctx: RpcContext, res: ServerResponse, params: URLSearchParams): Promise<void> {
  const cids = requireArgs(params).map(parseCidArg);
  const recursive = parseBoolOption(params, "recursive", true);
  for (const cid of cids) {
    const pin = ctx.repo.pins.get(cid.toString());
    if (pin === undefined) throw new KuboError(`${cid}: not pinned or pinned indirectly`);
    if (pin.type === "recursive" && !recursive) throw new KuboError(`${cid} is pinned recursively`);
  }
  for (const cid of cids) await ctx.repo.unpin(cid);
  sendJson(res, 200, { Pins: cids.map(String) });
}

/** Lists recursive and direct pins; indirect pins (blocks under a recursive pin) are not tracked. */
async function pinLs(ctx: RpcContext, res: ServerResponse, params: URLSearchParams): Promise<void> {
  const type = params.get("type") ?? "all";
  if (!["all", "recursive", "direct", "indirect"].includes(type)) {
    throw new KuboError(`invalid type '${type}', must be one of {direct, indirect, recursive, all}`);
  }
  const names = parseBoolOption(params, "names", false);
  const matches = (t: PinType) => type === "all" || type === t;
  let entries = [...ctx.repo.pins].filter(([, pin]) => matches(pin.type));
  const args = params.getAll("arg");
  if (args.length > 0) {
    entries = args.map((arg) => {
      const key = parseCidArg(arg).toString();
      const pin = ctx.repo.pins.get(key);
      if (pin === undefined || !matches(pin.type)) throw new KuboError(`path '${arg}' is not pinned`);
      return [key, pin] as const;
    });
  }
  const withName = (pin: { type: PinType; name: string }) => ({ Type: pin.type, ...(names && pin.name !== "" ? { Name: pin.name } : {}) });
  if (parseBoolOption(params, "stream", false)) {
    res.writeHead(200, { "content-type": "application/json", "x-chunked-output": "1", "x-stream-output": "1" });
    res.end(entries.map(([cid, pin]) => `${JSON.stringify({ Cid: cid, ...withName(pin) })}\n`).join(""));
    return;
  }
  sendJson(res, 200, { Keys: Object.fromEntries(entries.map(([cid, pin]) => [cid, withName(pin)])) });
}

async function blockStat(ctx: RpcContext, res: ServerResponse, params: URLSearchParams): Promise<void> {
  const [arg] = requireArgs(params);
  const cid = parseCidArg(arg ?? "");
  let size = 0;
  try {
    for await (const chunk of ctx.repo.blockstore.get(cid)) size += chunk.byteLength;
  } catch (error) {
    if (isNotFound(error)) throw new KuboError(notFoundMessage(cid));
    throw error;
  }
  sendJson(res, 200, { Key: cid.toString(), Size: size });
}
