import type { Hex } from "viem";
import { NexusError } from "../errors/base.ts";

/** Issue shape shared by zod 3 and 4: enough to say what is wrong and where. */
export type DocumentIssue = { path: PropertyKey[]; message: string };

export type IpfsRequestErrorParameters = { url: string; status?: number | undefined; retryable: boolean; reason: string; cause?: Error | undefined };

export type IpfsRequestErrorType = IpfsRequestError & { name: "IpfsRequestError" };
/** The IPFS node, gateway or web server could not be reached or answered with an error. */
export class IpfsRequestError extends NexusError {
  readonly url: string;
  /** HTTP status when the server answered; undefined for network failures and timeouts. */
  readonly status: number | undefined;
  /** True when the same request may succeed later (network failure, timeout, 408/429/5xx). */
  readonly retryable: boolean;
  /** What went wrong, e.g. Kubo's error message or "connect ECONNREFUSED …". */
  readonly reason: string;
  constructor(
    // A subclass passes its own sentence first (then its name and meta messages in `subclass`), so that it says
    // more than "the request failed" while staying an IpfsRequestError.
    first: IpfsRequestErrorParameters | string,
    subclass?: IpfsRequestErrorParameters & { name: string; metaMessages: string[] },
  ) {
    const args = typeof first === "string" ? (subclass as IpfsRequestErrorParameters) : first;
    super(typeof first !== "string" ? "IPFS request failed." : first, subclass?.name ?? "IpfsRequestError", {
      cause: args.cause,
      details: args.reason,
      metaMessages: [
        ...(subclass?.metaMessages ?? []),
        `URL: ${args.url}`,
        ...(args.status === undefined ? [] : [`Status: ${args.status}`]),
        `Reason: ${args.reason}`,
        `Retryable: ${args.retryable}`,
      ],
    });
    this.url = args.url;
    this.status = args.status;
    this.retryable = args.retryable;
    this.reason = args.reason;
  }
}

export type ContentTooLargeErrorType = ContentTooLargeError & { name: "ContentTooLargeError" };
/** The content is larger than the caller's byte limit; reading stopped at the limit. */
export class ContentTooLargeError extends NexusError {
  readonly uri: string;
  readonly maxBytes: number;
  /** Size announced by the server (Content-Length), when it announced one. */
  readonly declaredSize: number | undefined;
  constructor(args: { uri: string; maxBytes: number; declaredSize?: number | undefined }) {
    super(`Content is larger than ${args.maxBytes} bytes.`, "ContentTooLargeError", {
      metaMessages: [
        `URI: ${args.uri}`,
        ...(args.declaredSize === undefined ? [] : [`Declared size: ${args.declaredSize}`]),
      ],
    });
    this.uri = args.uri;
    this.maxBytes = args.maxBytes;
    this.declaredSize = args.declaredSize;
  }
}

export type CidMismatchErrorType = CidMismatchError & { name: "CidMismatchError" };
/** The fetched bytes do not hash to the CID they were requested by (or the node stored them under another CID). */
export class CidMismatchError extends NexusError {
  readonly uri: string;
  readonly expected: string;
  readonly actual: string;
  constructor(args: { uri: string; expected: string; actual: string; details?: string | undefined }) {
    super("Content does not match its CID.", "CidMismatchError", {
      details: args.details,
      metaMessages: [`URI: ${args.uri}`, `Expected CID: ${args.expected}`, `Actual CID:   ${args.actual}`],
    });
    this.uri = args.uri;
    this.expected = args.expected;
    this.actual = args.actual;
  }
}

export type ContentHashMismatchErrorType = ContentHashMismatchError & { name: "ContentHashMismatchError" };
/** The sha256 of the fetched bytes differs from the commitment (usually the on-chain hash). */
export class ContentHashMismatchError extends NexusError {
  readonly uri: string;
  readonly expected: Hex;
  readonly actual: Hex;
  constructor(args: { uri: string; expected: Hex; actual: Hex }) {
    super("Content does not match its sha256 commitment.", "ContentHashMismatchError", {
      metaMessages: [`URI: ${args.uri}`, `Expected sha256: ${args.expected}`, `Actual sha256:   ${args.actual}`],
    });
    this.uri = args.uri;
    this.expected = args.expected;
    this.actual = args.actual;
  }
}

export type InvalidDocumentErrorType = InvalidDocumentError & { name: "InvalidDocumentError" };
/** The bytes are not a valid document: not UTF-8 JSON, not serializable, or refused by the schema. */
export class InvalidDocumentError extends NexusError {
  readonly uri: string | undefined;
  readonly reason: "encoding" | "json" | "schema";
  readonly issues: readonly DocumentIssue[];
  constructor(args: {
    uri?: string | undefined;
    reason: "encoding" | "json" | "schema";
    details: string;
    issues?: readonly DocumentIssue[] | undefined;
    cause?: Error | undefined;
  }) {
    const issues = args.issues ?? [];
    super(
      args.reason === "schema" ? "Document does not match its schema." : "Document is not valid JSON.",
      "InvalidDocumentError",
      {
        cause: args.cause,
        details: args.details,
        metaMessages: [
          ...(args.uri === undefined ? [] : [`URI: ${args.uri}`]),
          ...issues.slice(0, 10).map((i) => `- ${formatPath(i.path)}: ${i.message}`),
        ],
      },
    );
    this.uri = args.uri;
    this.reason = args.reason;
    this.issues = issues;
  }
}

export type UnsupportedUriErrorType = UnsupportedUriError & { name: "UnsupportedUriError" };
/** The URI is not one the SDK can fetch and verify (scheme, CID kind, missing commitment). */
export class UnsupportedUriError extends NexusError {
  readonly uri: string;
  constructor(args: { uri: string; reason: string }) {
    super("Unsupported content URI.", "UnsupportedUriError", {
      details: args.reason,
      metaMessages: [`URI: ${args.uri}`],
    });
    this.uri = args.uri;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(root)" : path.map(String).join(".");
}
