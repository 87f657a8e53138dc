// A handler container on its project network cannot reach the node's callback server on the host's loopback, and
// the callback server must not listen on every interface. The bridge listens on the project network's gateway
// address only and relays TCP to the callback server; results still need their per-task token (callback-server.ts).
import { connect, createServer, type Server, type Socket } from "node:net";

export type CallbackBridge = { url: string; close: () => Promise<void> };

/** Relays `host:0` → the callback URL's host and port; `url` is the callback URL as seen from the network. */
export async function openCallbackBridge(host: string, callbackUrl: string): Promise<CallbackBridge> {
  const target = new URL(callbackUrl);
  const targetPort = Number(target.port || (target.protocol === "https:" ? 443 : 80));
  const targetHost = target.hostname.replace(/^\[|\]$/g, "");
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(targetPort, targetHost);
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      socket.on("error", () => (inbound.destroy(), outbound.destroy()));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => (server.off("error", reject), resolve()));
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("callback bridge has no port");
  const url = new URL(callbackUrl);
  url.hostname = host.includes(":") ? `[${host}]` : host;
  url.port = String(address.port);
  return {
    url: url.toString().replace(/\/$/, callbackUrl.endsWith("/") ? "/" : ""),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
