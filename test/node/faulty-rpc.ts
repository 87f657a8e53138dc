// A JSON-RPC proxy in front of the chain that injects the faults a real endpoint shows: requests dropped (socket
// closed without an answer), 502s, answers slower than the client's timeout, and requests forwarded but their
// answer lost (the transaction landed, the sender never heard). It can also hold requests: never answer them, with
// or without forwarding them first, to freeze a node in a chosen phase. This is the one fake of the fault tests:
// these faults cannot be caused otherwise. The chain behind it is real.
import { createServer, type ServerResponse } from "node:http";

export type Fault =
  /** Close the socket without forwarding or answering. */
  | "drop"
  /** Answer 502 Bad Gateway without forwarding. */
  | "bad-gateway"
  /** Forward and answer, but only after `delayMs` (longer than the node's RPC timeout). */
  | "delay"
  /** Forward, wait for the chain's answer, then close the socket instead of answering. */
  | "drop-after-forward"
  /** Never forward, never answer (until the proxy closes). */
  | "hold"
  /** Forward, never answer. */
  | "hold-after-forward";

export type RpcCall = {
  method: string;
  params: readonly unknown[];
  /** 1 for the first call of this method through the proxy, 2 for the second… */
  n: number;
};

export type FaultRule = (call: RpcCall) => Fault | undefined;

export type FaultyRpcProxy = {
  url: string;
  setRule: (rule: FaultRule | undefined) => void;
  /** How many times each fault was injected, per method ("eth_sendRawTransaction:drop-after-forward"…). */
  injected: () => Record<string, number>;
  calls: (method: string) => number;
  close: () => Promise<void>;
};

/**
 * A rule injecting each fault in `faults` with its probability (independently drawn per call), e.g.
 * `{ drop: 0.1, "bad-gateway": 0.1, delay: 0.05 }`. `only` restricts it to some methods.
 */
export function randomFaults(faults: Partial<Record<Fault, number>>, options: { only?: readonly string[]; random?: () => number } = {}): FaultRule {
  const random = options.random ?? Math.random;
  return ({ method }) => {
    if (options.only && !options.only.includes(method)) return undefined;
    let roll = random();
    for (const [fault, p] of Object.entries(faults) as [Fault, number][]) {
      if (roll < p) return fault;
      roll -= p;
    }
    return undefined;
  };
}

/** A deterministic PRNG (mulberry32) so a failing run can be replayed with the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export async function startFaultyRpcProxy(target: string, options: { rule?: FaultRule; delayMs?: number } = {}): Promise<FaultyRpcProxy> {
  let rule = options.rule;
  const delayMs = options.delayMs ?? 3_000;
  const counts = new Map<string, number>();
  const injected: Record<string, number> = {};
  const forward = async (body: Buffer) => {
    const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: new Uint8Array(body) });
    return { status: upstream.status, text: await upstream.text() };
  };
  const answer = (response: ServerResponse, reply: { status: number; text: string }) => {
    if (!response.destroyed) response.writeHead(reply.status, { "content-type": "application/json" }).end(reply.text);
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      let method = "?";
      let params: readonly unknown[] = [];
      try {
        const parsed = JSON.parse(body.toString("utf8")) as { method?: string; params?: unknown[] } | Array<{ method?: string; params?: unknown[] }>;
        const first = Array.isArray(parsed) ? parsed[0] : parsed;
        method = first?.method ?? "?";
        params = first?.params ?? [];
      } catch {
        // not JSON: forwarded as is
      }
      const n = (counts.get(method) ?? 0) + 1;
      counts.set(method, n);
      const fault = rule?.({ method, params, n });
      if (fault) injected[`${method}:${fault}`] = (injected[`${method}:${fault}`] ?? 0) + 1;
      const fail = () => request.socket.destroy();
      switch (fault) {
        case "drop":
          return fail();
        case "bad-gateway":
          return void response.writeHead(502, { "content-type": "text/plain" }).end("bad gateway");
        case "delay":
          return void setTimeout(() => forward(body).then((reply) => answer(response, reply), fail), delayMs);
        case "drop-after-forward":
          return void forward(body).then(fail, fail);
        case "hold":
          return;
        case "hold-after-forward":
          return void forward(body).catch(() => undefined);
        default:
          return void forward(body).then((reply) => answer(response, reply), fail);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    setRule: (next) => {
      rule = next;
    },
    injected: () => ({ ...injected }),
    calls: (method) => counts.get(method) ?? 0,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
