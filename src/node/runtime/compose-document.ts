// Parsing, interpolation and rendering of a source's compose file, done by the node itself so that the document
// the policy checks is byte for byte the one compose runs: anchors, merge keys and `${VAR}` are resolved here, and
// the result is written back as JSON with every `$` escaped, leaving compose nothing to reinterpret.
import { isAlias, isNode, parseDocument, visit } from "yaml";

/** The only variables a compose file may reference: the ones the node sets (PROTOCOL §7, plus the scratch folder). */
export const COMPOSE_VARIABLES = ["PORT", "CALLBACK_URL", "SOURCE_ADDRESS", "PROVIDER_ADDRESS", "SCRATCH_DIR"] as const;
export type ComposeVariable = (typeof COMPOSE_VARIABLES)[number];
export type ComposeVariables = Readonly<Record<ComposeVariable, string>>;

/** Harmless stand-ins for `compose check`: a loopback port, a private callback URL, zero addresses. */
export const PLACEHOLDER_VARIABLES: ComposeVariables = {
  PORT: "49152",
  CALLBACK_URL: "http://172.17.0.1:49153/cb",
  SOURCE_ADDRESS: "0x0000000000000000000000000000000000000001",
  PROVIDER_ADDRESS: "0x0000000000000000000000000000000000000002",
  SCRATCH_DIR: "/var/lib/gpunexus/stacks/placeholder/scratch",
};

/** Compose files are small; a bigger one is an attempt to exhaust the parser. */
export const MAX_COMPOSE_BYTES = 256 * 1024;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type ParsedCompose = { ok: true; value: JsonValue } | { ok: false; reasons: string[] };

// ${NAME}, ${NAME:-x}, ${NAME-x}, ${NAME:?x}, ${NAME?x}, ${NAME:+x}, ${NAME+x}, or $NAME; `$$` is a literal `$`.
const REFERENCE = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^{}$]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Interpolates the way compose does, for the allowed variables only; anything else is a reason to refuse. */
export function interpolate(text: string, variables: ComposeVariables, reasons: string[], where: string): string {
  const out = text.replace(REFERENCE, (match, braced: string | undefined, operator: string | undefined, argument: string | undefined, bare: string | undefined) => {
    if (match === "$$") return "$";
    const name = braced ?? bare ?? "";
    if (!(COMPOSE_VARIABLES as readonly string[]).includes(name)) {
      // Compose would fill it from the node's own environment (HOME, DOCKER_HOST…): never the source's to read.
      reasons.push(`${where}: references \${${name}}; only ${COMPOSE_VARIABLES.join(", ")} are set by the node`);
      return "";
    }
    const value = variables[name as ComposeVariable];
    // Every allowed variable is set and non-empty, so only ":+" / "+" change the value.
    if (operator === ":+" || operator === "+") return argument ?? "";
    return value;
  });
  // A `$` left over is a form this interpolator does not know (nested braces, `${}`): compose might read it differently.
  const leftover = text.replace(REFERENCE, "");
  if (leftover.includes("$")) reasons.push(`${where}: unsupported interpolation syntax in ${JSON.stringify(text)}`);
  return out;
}

/**
 * Parses YAML strictly: unique keys, merge keys resolved, no custom tags (`!reset`, `!override`, `!!binary`…), a
 * bounded number of aliases. Every string is interpolated. Keys may not contain `$` (compose leaves them alone,
 * which would let a key mean one thing here and another there).
 */
export function parseCompose(text: string, variables: ComposeVariables): ParsedCompose {
  if (Buffer.byteLength(text, "utf8") > MAX_COMPOSE_BYTES) return { ok: false, reasons: [`the file exceeds ${MAX_COMPOSE_BYTES} bytes`] };
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, strict: true, prettyErrors: false });
  const reasons: string[] = [];
  for (const error of doc.errors) reasons.push(`YAML: ${error.message.split("\n")[0] ?? ""}`);
  for (const warning of doc.warnings) reasons.push(`YAML: ${warning.message.split("\n")[0] ?? ""}`);
  visit(doc, (_key, node) => {
    if (isNode(node) && !isAlias(node) && node.tag !== undefined && !/^tag:yaml\.org,2002:(str|int|float|bool|null|map|seq|merge)$/.test(node.tag)) {
      reasons.push(`YAML: tag ${node.tag} is not allowed`);
    }
  });
  if (reasons.length > 0) return { ok: false, reasons };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, reasons: [`YAML: ${error instanceof Error ? error.message : String(error)}`] };
  }
  const value = toJson(raw, variables, reasons, "");
  return reasons.length > 0 ? { ok: false, reasons } : { ok: true, value };
}

function toJson(value: unknown, variables: ComposeVariables, reasons: string[], path: string): JsonValue {
  const where = path === "" ? "(root)" : path;
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) reasons.push(`${where}: non-finite number`);
    return value;
  }
  if (typeof value === "string") return interpolate(value, variables, reasons, where);
  if (Array.isArray(value)) return value.map((item, index) => toJson(item, variables, reasons, `${path}[${index}]`));
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(value)) {
      if (key.includes("$")) reasons.push(`${where}: key ${JSON.stringify(key)} contains "$"`);
      if (key === "__proto__") {
        reasons.push(`${where}: key "__proto__" is not allowed`);
        continue;
      }
      out[key] = toJson(item, variables, reasons, path === "" ? key : `${path}.${key}`);
    }
    return out;
  }
  // Map/Set (non-string keys, !!set), Date (!!timestamp), Uint8Array (!!binary): nothing compose files need.
  reasons.push(`${where}: unsupported YAML value (${Object.prototype.toString.call(value)})`);
  return null;
}

/** JSON (valid YAML) with `$` doubled, so compose's own interpolation is the identity on it. */
export function renderCompose(value: JsonValue): string {
  const escape = (item: JsonValue): JsonValue => {
    if (typeof item === "string") return item.replaceAll("$", () => "$$"); // a function: "$$" as a replacement string means "$"
    if (Array.isArray(item)) return item.map(escape);
    if (item !== null && typeof item === "object") return Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, escape(entry)]));
    return item;
  };
  return `${JSON.stringify(escape(value), null, 2)}\n`;
}
