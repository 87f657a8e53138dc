// `npm run ipfs:dev -- [--dir DIR] [--port N] [--host H] [--cors-origin URL]...`
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { startIpfsDevNode } from "./server.ts";

const usage = `Usage: npm run ipfs:dev -- [options]
  --dir DIR            repository folder (default: $IPFS_DEV_DIR or .tmp/ipfs-dev)
  --port N             port for the RPC API and the gateway (default: $IPFS_DEV_PORT or 5001; 0 = any free port)
  --host HOST          interface to listen on (default: 127.0.0.1)
  --max-add-bytes N    largest add request accepted (default: 64 MiB)
  --cors-origin URL    browser origin allowed to call the RPC API (repeatable)
  --help`;

function fail(message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

function toPort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid port: ${text}`);
  return port;
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      dir: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "max-add-bytes": { type: "string" },
      "cors-origin": { type: "string", multiple: true },
      help: { type: "boolean" },
    },
    strict: true,
  }));
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (values.help === true) {
  console.log(usage);
  process.exit(0);
}

const maxAddBytes = values["max-add-bytes"] === undefined ? undefined : Number(values["max-add-bytes"]);
if (maxAddBytes !== undefined && !(Number.isSafeInteger(maxAddBytes) && maxAddBytes > 0)) fail("invalid --max-add-bytes");

// Logs go to stderr so that stdout carries only the machine-readable line below.
const logger = pino({ name: "ipfs-dev-node", level: process.env.LOG_LEVEL ?? "info" }, pino.destination(2));
const dir = resolve(values.dir ?? process.env.IPFS_DEV_DIR ?? ".tmp/ipfs-dev");
let node;
try {
  node = await startIpfsDevNode({
    dir,
    port: toPort(values.port ?? process.env.IPFS_DEV_PORT ?? "5001"),
    host: values.host ?? "127.0.0.1",
    logger,
    maxAddBytes,
    rpcCorsOrigins: values["cors-origin"] ?? [],
  });
} catch (error) {
  logger.error({ err: error }, "could not start the ipfs dev node");
  process.exit(1);
}

// One line on stdout that scripts can parse, whatever the log level.
console.log(JSON.stringify({ rpcUrl: node.rpcUrl, gatewayUrl: node.gatewayUrl, port: node.port, dir }));

const stop = (signal: string) => {
  logger.info({ signal }, "stopping");
  node.close().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, "close failed");
      process.exit(1);
    },
  );
};
process.once("SIGINT", () => stop("SIGINT"));
process.once("SIGTERM", () => stop("SIGTERM"));
