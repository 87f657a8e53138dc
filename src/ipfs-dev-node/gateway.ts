// Read-only path gateway: GET/HEAD /ipfs/<cid> for UnixFS files.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CID } from "multiformats/cid";
import { sendText } from "./http.ts";
import type { Repo } from "./repo.ts";

// Content is public and immutable: any page may read it (the RPC API is what needs protecting).
const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, OPTIONS",
  "access-control-expose-headers": "Content-Length, Content-Type, Etag, X-Ipfs-Path",
};

export async function handleGateway(repo: Repo, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (req.method === "OPTIONS") {
    res.writeHead(204, { ...CORS_HEADERS, "access-control-allow-headers": "*", "access-control-max-age": "86400" });
    res.end();
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    sendText(res, 405, "405 - Method Not Allowed: the gateway is read-only\n", { allow: "GET, HEAD, OPTIONS", ...CORS_HEADERS });
    return;
  }
  const [cidText = "", ...rest] = path.slice("/ipfs/".length).split("/").filter((s) => s !== "");
  let cid: CID;
  try {
    cid = CID.parse(cidText);
  } catch {
    sendText(res, 400, `invalid CID: ${cidText}\n`, CORS_HEADERS);
    return;
  }
  if (rest.length > 0) {
    sendText(res, 404, "not found: the dev node serves files only, not paths inside a DAG\n", CORS_HEADERS);
    return;
  }
  let size: number;
  try {
    const stat = await repo.fs.stat(cid);
    if (stat.type === "directory") {
      sendText(res, 501, "directory listings are not supported by the dev node\n", CORS_HEADERS);
      return;
    }
    size = Number(stat.size);
  } catch (error) {
    if (error instanceof Error && (error.name === "NotFoundError" || error.name === "BlockNotFoundWhileOfflineError")) {
      sendText(res, 404, `not found: ${cid.toString()}\n`, CORS_HEADERS);
      return;
    }
    throw error;
  }
  res.writeHead(200, {
    ...CORS_HEADERS,
    "content-type": "application/octet-stream",
    "content-length": String(size),
    "x-content-type-options": "nosniff",
    etag: `"${cid.toString()}"`,
    "x-ipfs-path": `/ipfs/${cid.toString()}`,
    "cache-control": "public, max-age=29030400, immutable",
  });
  if (req.method === "HEAD" || size === 0) {
    res.end();
    return;
  }
  await pipeline(Readable.from(repo.fs.cat(cid)), res);
}
