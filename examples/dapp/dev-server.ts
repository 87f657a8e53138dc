// Node-side helpers of the example dapp's Vite server (dev and preview). Not part of the page.
//
// - GET /demo/endpoints.json serves the file `npm run demo -- --keep-running` writes (.tmp/demo/endpoints.json),
//   so the page can fill in its network form. It holds Hardhat's public dev keys only.
// - /ipfs-rpc/<command> forwards to <IPFS RPC>/api/v0/<command>. Kubo (and the embedded dev node) refuse RPC
//   calls carrying a browser Origin they were not configured to allow; the page calls its own origin instead,
//   and the proxy, which only accepts calls from that same origin, forwards them without the Origin header.
//   Target: $GN_DAPP_IPFS_RPC, else the demo's `ipfsRpcUrl`, else http://127.0.0.1:5001.
import { readFile } from "node:fs/promises";
import { request, type IncomingMessage, type ServerResponse } from "node:http";
import { resolve } from "node:path";
import type { Connect, Plugin } from "vite";

const ROOT = resolve(import.meta.dirname, "../..");
const ENDPOINTS_ROUTE = "/demo/endpoints.json";
const IPFS_ROUTE = "/ipfs-rpc/";
const DEFAULT_IPFS_RPC = "http://127.0.0.1:5001";
/** Response header telling the page it is served by this server (so the IPFS proxy exists). */
const MARK = "x-gpu-nexus-dev-server";

/** Where the demo writes its endpoints ($GN_DAPP_ENDPOINTS overrides). */
export function endpointsPath(): string {
  return resolve(ROOT, process.env.GN_DAPP_ENDPOINTS ?? ".tmp/demo/endpoints.json");
}

async function readEndpoints(): Promise<string | undefined> {
  try {
    return await readFile(endpointsPath(), "utf8");
  } catch {
    return undefined;
  }
}

async function ipfsTarget(): Promise<string> {
  const fromEnv = process.env.GN_DAPP_IPFS_RPC;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const text = await readEndpoints();
  if (text !== undefined) {
    try {
      const parsed = JSON.parse(text) as { ipfsRpcUrl?: unknown };
      if (typeof parsed.ipfsRpcUrl === "string") return parsed.ipfsRpcUrl;
    } catch {
      // A half-written file: fall through to the default.
    }
  }
  return DEFAULT_IPFS_RPC;
}

function send(res: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", [MARK]: "1" });
  res.end(body);
}

/** True when the request comes from a page of this server (or from no page at all, like curl). */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

async function proxyIpfs(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (!sameOrigin(req)) return send(res, 403, "403 - the IPFS proxy only serves this page's origin\n");
  if (req.method === "OPTIONS") return send(res, 204, "");
  const target = new URL(`${(await ipfsTarget()).replace(/\/+$/, "")}/api/v0/${path}`);
  const headers = { ...req.headers };
  delete headers.origin;
  delete headers.referer;
  delete headers.host;
  await new Promise<void>((done) => {
    const upstream = request(target, { method: req.method, headers }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, { ...reply.headers, [MARK]: "1" });
      reply.pipe(res);
      reply.on("end", done);
      reply.on("error", done);
    });
    upstream.on("error", (error) => {
      if (!res.headersSent) send(res, 502, `IPFS RPC at ${target.origin} unreachable: ${error.message}\n`);
      else res.destroy();
      done();
    });
    req.pipe(upstream);
  });
}

function middleware(): Connect.NextHandleFunction {
  return (req, res, next) => {
    const url = new URL(req.url ?? "/", "http://dapp.local");
    if (url.pathname === ENDPOINTS_ROUTE) {
      void readEndpoints().then((text) =>
        text === undefined ? send(res, 404, `no demo endpoints at ${endpointsPath()}\n`) : send(res, 200, text, "application/json"),
      );
      return;
    }
    if (url.pathname.startsWith(IPFS_ROUTE)) {
      proxyIpfs(req, res, `${url.pathname.slice(IPFS_ROUTE.length)}${url.search}`).catch((error: unknown) => {
        if (!res.headersSent) send(res, 502, `IPFS proxy failed: ${String(error)}\n`);
      });
      return;
    }
    next();
  };
}

/** The Vite plugin: the same routes on the dev server and on `vite preview`. */
export function nexusDevServer(): Plugin {
  return {
    name: "gpu-nexus-dapp-dev-server",
    configureServer(server) {
      server.middlewares.use(middleware());
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware());
    },
  };
}
