// An embedded stand-in for Kubo: the RPC routes our SDK uses plus a read-only gateway, on one port.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleGateway } from "./gateway.ts";
import { KuboError, sendKuboError, sendText } from "./http.ts";
import { openRepo } from "./repo.ts";
import { handleRpc, type RpcContext } from "./rpc.ts";

export const DEFAULT_MAX_ADD_BYTES = 64 * 1024 * 1024;

/** The subset of a pino logger the node uses, so any pino (or console-like adapter) fits. */
export type DevNodeLogger = {
  debug: (obj: object, msg?: string) => void;
  info: (obj: object, msg?: string) => void;
  warn: (obj: object, msg?: string) => void;
  error: (obj: object, msg?: string) => void;
};

export type StartIpfsDevNodeParameters = {
  /** Repository folder (blocks, pins, identity); created if missing, reused across restarts. */
  dir: string;
  /** 0 (default) picks a free port. */
  port?: number | undefined;
  host?: string | undefined;
  logger?: DevNodeLogger | undefined;
  /** Largest `add` request body accepted (default 64 MiB). */
  maxAddBytes?: number | undefined;
  /**
   * Browser origins allowed to call the RPC API (like Kubo's API.HTTPHeaders). Requests carrying any
   * other Origin are refused, so a web page cannot pin or unpin on the developer's machine.
   */
  rpcCorsOrigins?: readonly string[] | undefined;
};

export type StartIpfsDevNodeReturnType = {
  /** Base URL for kubo-rpc-client / `createIpfs({ rpcUrl })`. */
  rpcUrl: string;
  /** Base URL of the read-only gateway (`<gatewayUrl>/ipfs/<cid>`). */
  gatewayUrl: string;
  port: number;
  /** Stops listening, drops open connections and closes the repository. Idempotent. */
  close: () => Promise<void>;
};

const noop = () => undefined;
const silentLogger: DevNodeLogger = { debug: noop, info: noop, warn: noop, error: noop };

export async function startIpfsDevNode(parameters: StartIpfsDevNodeParameters): Promise<StartIpfsDevNodeReturnType> {
  const host = parameters.host ?? "127.0.0.1";
  const logger = parameters.logger ?? silentLogger;
  const allowedOrigins = new Set(parameters.rpcCorsOrigins ?? []);
  const repo = await openRepo(parameters.dir);
  const ctx: RpcContext = { repo, maxAddBytes: parameters.maxAddBytes ?? DEFAULT_MAX_ADD_BYTES };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://dev-node");
    if (url.pathname.startsWith("/ipfs/")) return handleGateway(repo, req, res, url.pathname);
    if (!url.pathname.startsWith("/api/v0/")) return sendText(res, 404, "404 page not found\n");

    const origin = req.headers.origin;
    const cors: Record<string, string> =
      origin !== undefined && allowedOrigins.has(origin)
        ? { "access-control-allow-origin": origin, vary: "Origin" }
        : {};
    // Same rule as Kubo: a cross-origin caller must be allowed explicitly.
    if (origin !== undefined && !allowedOrigins.has(origin)) return sendText(res, 403, "403 - Forbidden\n");
    if (req.method === "OPTIONS") {
      res.writeHead(204, { ...cors, "access-control-allow-methods": "POST", "access-control-allow-headers": "*" });
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
    if (req.method !== "POST") return sendText(res, 405, "405 - Method Not Allowed\n", { allow: "POST" });
    await handleRpc(ctx, url.pathname.slice("/api/v0/".length), req, res, url.searchParams);
  };

  const server = createServer((req, res) => {
    const started = performance.now();
    res.on("finish", () => {
      logger.debug({ method: req.method, url: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) }, "ipfs dev node request");
    });
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        // Mid-stream failure: cutting the connection is the only way to tell the client.
        logger.warn({ err: error, url: req.url }, "ipfs dev node response aborted");
        res.destroy();
        return;
      }
      if (error instanceof KuboError) return sendKuboError(res, error);
      logger.error({ err: error, url: req.url }, "ipfs dev node request failed");
      sendKuboError(res, new KuboError(error instanceof Error ? error.message : String(error)));
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(parameters.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await repo.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const base = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  logger.info({ rpcUrl: base, gatewayUrl: base, dir: parameters.dir }, "ipfs dev node listening");

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await repo.close();
      logger.info({ port }, "ipfs dev node closed");
    })();
    return closing;
  };
  return { rpcUrl: base, gatewayUrl: base, port, close };
}
