// The two Kubo RPC routes the SDK calls, over fetch: `add` (multipart in, ndjson out) and `cat` (bytes out).
// kubo-rpc-client covers the whole API, but a dapp that publishes a task paid for it with about 170 KB minified
// of libp2p, dag-jose and cborg (docs/benchmarks-package.json), and its types need Node's; two POSTs do not.
import type { Ipfs } from "./client.ts";
import { IpfsRequestError } from "./errors.ts";
import { isRetryableStatus, iterateBody } from "./http.ts";

/** Kubo's `ipfs add` defaults, as the RPC API's query options (the CID a gateway and `computeCid` agree on). */
const ADD_QUERY = "cid-version=0&raw-leaves=false&chunker=size-262144&hash=sha2-256&progress=false";

export type KuboAddParameters = { pin: boolean; signal: AbortSignal };

/** POST /api/v0/add with one file; returns the CID the node gives it. */
export async function kuboAdd(ipfs: Ipfs, bytes: Uint8Array, parameters: KuboAddParameters): Promise<string> {
  const url = `${ipfs.rpcApiUrl}/add?${ADD_QUERY}&pin=${parameters.pin}`;
  const form = new FormData();
  // A copy: a Blob must not alias memory the caller may change while the upload runs.
  form.append("file", new Blob([bytes.slice()]), "file");
  const response = await post(ipfs, url, parameters.signal, form);
  // One JSON object per line; with progress off, one per file (the last line is the file's).
  const lines = (await response.text()).split("\n").filter((line) => line.trim() !== "");
  const last = lines.length === 0 ? undefined : (JSON.parse(lines[lines.length - 1] ?? "") as { Hash?: unknown });
  if (typeof last?.Hash !== "string") {
    throw new IpfsRequestError({ url, status: response.status, retryable: false, reason: "the node's add reply names no CID" });
  }
  return last.Hash;
}

export type KuboCatParameters = { length: number; signal: AbortSignal };

/** POST /api/v0/cat: the content's bytes as they arrive (`length` lets the node stop early). */
export async function* kuboCat(ipfs: Ipfs, cid: string, parameters: KuboCatParameters): AsyncGenerator<Uint8Array> {
  const url = `${ipfs.rpcApiUrl}/cat?arg=${encodeURIComponent(cid)}&length=${parameters.length}`;
  const response = await post(ipfs, url, parameters.signal);
  if (response.body === null) return;
  yield* iterateBody(response.body);
}

async function post(ipfs: Ipfs, url: string, signal: AbortSignal, body?: FormData): Promise<Response> {
  // Kubo's RPC API takes POST only (GET is refused, against cross-site requests).
  const response = await fetch(url, { method: "POST", headers: ipfs.headers, body, signal });
  if (response.ok) return response;
  // Kubo answers command errors (bad CID, unknown option, not found) with 500 and {"Message", "Code", "Type"}:
  // those fail again, unlike a proxy's 502/503/504.
  const text = await response.text().catch(() => "");
  let message: string | undefined;
  try {
    const parsed = JSON.parse(text) as { Message?: unknown };
    message = typeof parsed.Message === "string" ? parsed.Message : undefined;
  } catch {
    message = undefined;
  }
  throw new IpfsRequestError({
    url,
    status: response.status,
    retryable: message !== undefined && response.status === 500 ? false : isRetryableStatus(response.status),
    reason: message ?? (`HTTP ${response.status} ${response.statusText}`.trim() || text.slice(0, 200)),
  });
}
