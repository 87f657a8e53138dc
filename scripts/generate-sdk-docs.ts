/**
 * Generates docs/SDK.md, the SDK reference, from the code itself (TypeScript compiler API) so it cannot drift:
 * every function src/sdk/index.ts exports, with its doc comment, resolved parameter fields, return type and
 * the `nexusActions` method exposing it, then the error classes.
 *
 *   node scripts/generate-sdk-docs.ts           write the file
 *   node scripts/generate-sdk-docs.ts --check   fail when the committed file is stale
 *   node scripts/generate-sdk-docs.ts --lint    also list actions missing a doc comment or an X…Type export
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = path.join(ROOT, "docs/SDK.md");
const MAX_TYPE = 120;
// Reading order of the page; a module the SDK grows later still shows up, after these, under its own name.
const GROUPS: Record<string, string> = { reads: "Reads", tasks: "Tasks", sources: "Sources", registry: "Registry", vault: "Vault",
  admin: "Admin", snapshot: "Snapshots", nonce: "Nonce", transactions: "Transactions", flows: "Flows", events: "Events", ipfs: "IPFS",
  documents: "Documents", chains: "Chains", abis: "ABIs and enums", errors: "Error helpers", decorator: "Decorator" };
// Files whose name is not the group they belong in.
const FILE_GROUP: Record<string, string> = { "actions/read-many": "reads", "actions/internal": "transactions" };

const { config } = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
const program = ts.createProgram([path.join(ROOT, "src/sdk/index.ts")], ts.parseJsonConfigFileContent(config, ts.sys, ROOT).options);
const checker = program.getTypeChecker();
const entry = program.getSourceFile(path.join(ROOT, "src/sdk/index.ts"));
const entrySymbol = entry && checker.getSymbolAtLocation(entry);
if (!entrySymbol) throw new Error("cannot load src/sdk/index.ts");
const resolve = (s: ts.Symbol | undefined) => (s && s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
const exported = new Map(checker.getExportsOfModule(entrySymbol).map((s) => [s.name, resolve(s) ?? s] as const));
const declOf = (name: string) => exported.get(name)?.declarations?.[0];
// Plain code-point order: localeCompare depends on the machine's ICU data, and the output must not.
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();
const code = (text: string) => (text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``);
const cell = (text: string) => oneLine(text).replace(/\|/g, "\\|");
const doc = (s: ts.Symbol) => ts.displayPartsToString(s.getDocumentationComment(checker)).trim();
const capitalized = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
const anchor = (text: string) => text.toLowerCase().replace(/[^\w\- ]/g, "").replace(/ /g, "-");

function groupOf(file: string): string {
  const key = rel(file).replace(/^src\/sdk\//, "").replace(/\.ts$/, "");
  const [dir = key, base] = key.split("/");
  return FILE_GROUP[key] ?? (dir === "actions" && base ? base : dir);
}
const groupOrder = (g: string) => (g in GROUPS ? Object.keys(GROUPS).indexOf(g) : Object.keys(GROUPS).length);
const title = (g: string) => GROUPS[g] ?? g;

/** Caps a type text: past MAX_TYPE characters a declared name, or a function's shape, reads better than the expansion. */
function capType(text: string, type?: ts.Type): string {
  const flat = oneLine(text).replace(/^\|\s*/, "");
  if (flat.length <= MAX_TYPE) return flat;
  const sig = type?.getCallSignatures()[0];
  if (sig) return `(${sig.parameters.map((p) => p.name).join(", ")}) => ${checker.typeToString(sig.getReturnType())}`;
  const name = type?.aliasSymbol?.name ?? type?.getSymbol()?.name;
  return name && !name.startsWith("__") ? name : `${flat.slice(0, MAX_TYPE - 1)}…`;
}

/** Type parameters that only thread the client's transport / chain / account through: the page leaves them out. */
const threading = (p: ts.TypeParameterDeclaration) => /\b(Account|Chain|Transport)\b/.test(p.constraint?.getText() ?? "");

/** The type as written in the signature, minus type arguments that are all threading parameters (`<account>`). */
function writtenType(node: ts.TypeNode, own: ReadonlySet<string>): string {
  const isOwn = (n: ts.Node) => ts.isTypeReferenceNode(n) && ts.isIdentifier(n.typeName) && own.has(n.typeName.text);
  const cuts: Array<[number, number]> = [];
  const visit = (n: ts.Node): void => {
    if (ts.isTypeReferenceNode(n) && n.typeArguments?.every(isOwn)) cuts.push([n.typeArguments.pos - 1, n.typeArguments.end + 1]);
    else n.forEachChild(visit);
  };
  visit(node);
  let text = node.getText();
  for (const [start, end] of cuts.sort((a, b) => b[0] - a[0])) text = text.slice(0, start - node.getStart()) + text.slice(end - node.getStart());
  return oneLine(text);
}

type Field = { name: string; type: string; required: string; doc: string; owner: string | undefined; fn: boolean };

/** A property's type as its author wrote it (`Address`, not `0x${string}`); a `?: undefined` variant says nothing. */
function fieldType(prop: ts.Symbol, optional: boolean): string {
  const written = (prop.declarations ?? [])
    .map((d) => ((ts.isPropertySignature(d) || ts.isPropertyDeclaration(d)) && d.type ? d.type.getText() : "undefined"))
    .find((t) => t !== "undefined");
  const type = checker.getTypeOfSymbol(prop);
  // viem spells both Hex and Address `0x${string}`; Hex is the exact name for it.
  const text = capType(written ?? checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation), type).replace(/`0x\$\{string\}`/g, "Hex");
  if (!optional) return text;
  // The required column already says "no": drop `| undefined`, and the parentheses a function type needed for it.
  const bare = text.replace(/\s*\|\s*undefined$/, "");
  let depth = 0;
  const wrapped = bare.startsWith("(") && [...bare].every((c, i) => (depth += c === "(" ? 1 : c === ")" ? -1 : 0) > 0 || i === bare.length - 1);
  return wrapped ? bare.slice(1, -1) : bare;
}

/** The alias a property was declared in, to tell the shared write options and results from an action's own fields. */
function ownerAlias(prop: ts.Symbol): string | undefined {
  for (let n: ts.Node | undefined = prop.declarations?.[0]; n; n = n.parent) if (ts.isTypeAliasDeclaration(n)) return n.name.text;
  return undefined;
}

function fieldsOf(type: ts.Type): Field[] {
  // In a union of variants (`{ expiresIn } | { expiryTime }`) a field may be required in one and optional in another.
  const variants = type.isUnion() ? type.types : [type];
  return checker.getPropertiesOfType(type).map((p) => {
    const optional = (p.flags & ts.SymbolFlags.Optional) !== 0;
    const requiredIn = variants.filter((v) => !((v.getProperty(p.name)?.flags ?? ts.SymbolFlags.Optional) & ts.SymbolFlags.Optional)).length;
    const required = requiredIn === variants.length ? "yes" : requiredIn > 0 ? "in some variants" : "no";
    const fn = checker.getNonNullableType(checker.getTypeOfSymbol(p)).getCallSignatures().length > 0;
    return { name: p.name, type: fieldType(p, optional), required, doc: doc(p), owner: ownerAlias(p), fn };
  });
}

/** Object types declared in the SDK get their fields listed; unions, arrays, functions, classes and library types stay a name. */
function expandable(type: ts.Type): boolean {
  if (!(type.flags & ts.TypeFlags.Object || type.isIntersection()) || checker.isArrayLikeType(type)) return false;
  if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) return false;
  const props = checker.getPropertiesOfType(type);
  return props.length > 0 && props.every((p) => !p.declarations?.some((d) => d.getSourceFile().fileName.includes("/node_modules/")));
}

function fieldTable(fields: Field[], parameters = true): string[] {
  const head = parameters ? ["| name | type | required | description |", "|---|---|---|---|"] : ["| field | type | description |", "|---|---|---|"];
  return [...head, ...fields.map((f) => `| \`${f.name}\` | ${cell(code(f.type))} |${parameters ? ` ${f.required} |` : ""} ${cell(f.doc)} |`)];
}

// The shared write options: the exported aliases NexusWriteParameters is made of, whatever they hold.
const writeOwners = new Set<string>();
declOf("NexusWriteParameters")?.forEachChild(function visit(n): void {
  const name = ts.isTypeReferenceNode(n) && ts.isIdentifier(n.typeName) ? n.typeName.text : "";
  if (name && declOf(name)?.kind === ts.SyntaxKind.TypeAliasDeclaration) writeOwners.add(name);
  n.forEachChild(visit);
});
const isWriteOption = (f: Field) => f.owner !== undefined && writeOwners.has(f.owner);

/** Decorator methods by the declaration they call: `getTask: (p) => reads.getTask(client, p)`, and `...nexusPublicActions(client)`. */
function decoratorCalls(fn: ts.FunctionDeclaration): Array<[ts.Declaration, string]> {
  const out: Array<[ts.Declaration, string]> = [];
  const target = (e: ts.Expression) => resolve(checker.getSymbolAtLocation(ts.isPropertyAccessExpression(e) ? e.name : e))?.declarations?.[0];
  fn.body?.forEachChild(function visit(n): void {
    const call = ts.isPropertyAssignment(n) && ts.isArrowFunction(n.initializer) && ts.isCallExpression(n.initializer.body) ? n.initializer.body : undefined;
    const called = call && target(call.expression);
    const spread = ts.isSpreadAssignment(n) && ts.isCallExpression(n.expression) ? target(n.expression.expression) : undefined;
    if (called && ts.isPropertyAssignment(n)) out.push([called, n.name.getText()]);
    else if (spread && ts.isFunctionDeclaration(spread)) out.push(...decoratorCalls(spread));
    else n.forEachChild(visit);
  });
  return out;
}
const decorated = new Map<ts.Declaration, { method: string; via: string[] }>();
for (const [name, s] of exported) {
  const d = s.declarations?.[0];
  if (!d || !ts.isFunctionDeclaration(d) || d.getSourceFile() !== declOf("nexusActions")?.getSourceFile()) continue;
  for (const [target, method] of decoratorCalls(d)) decorated.set(target, { method, via: [...(decorated.get(target)?.via ?? []), name].sort(byName) });
}

/** A message template as a reader sees it: `${eth(a.payment)}` becomes `{payment}`, both branches of a `?:`. */
function messageText(e: ts.Node): string {
  if (ts.isArrowFunction(e)) return messageText(e.body);
  if (ts.isParenthesizedExpression(e)) return messageText(e.expression);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isConditionalExpression(e)) return `${messageText(e.whenTrue)} / ${messageText(e.whenFalse)}`;
  const slot = (x: ts.Expression): string => (ts.isCallExpression(x) && x.arguments[0] ? slot(x.arguments[0]) : x.getText().replace(/^\w+\./, ""));
  if (ts.isTemplateExpression(e)) return e.head.text + e.templateSpans.map((s) => `{${slot(s.expression)}}${s.literal.text}`).join("");
  return `{${e.getText()}}`;
}

function superMessage(cls: ts.ClassDeclaration): string {
  const find = (n: ts.Node): ts.Node | undefined =>
    ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword ? n.arguments[0] : n.forEachChild(find);
  const first = cls.members.find(ts.isConstructorDeclaration)?.forEachChild(find);
  return first ? messageText(first) : "";
}

type Fn = { name: string; group: string; file: string; decl: ts.FunctionDeclaration; symbol: ts.Symbol };
const functions: Fn[] = [];
for (const [name, symbol] of exported) {
  const decl = symbol.declarations?.[0];
  const file = decl?.getSourceFile().fileName ?? "";
  if (decl && ts.isFunctionDeclaration(decl)) functions.push({ name, group: groupOf(file), file: rel(file), decl, symbol });
}
functions.sort((a, b) => groupOrder(a.group) - groupOrder(b.group) || byName(a.group, b.group) || byName(a.name, b.name));
const groups = [...new Set(functions.map((f) => f.group))];
const TAGS: Record<string, string> = { throws: "Throws", returns: "Returns" };

function renderFunction(f: Fn): string[] {
  const typeParams = f.decl.typeParameters ?? [];
  const own = new Set(typeParams.filter(threading).map((p) => p.name.text));
  const kept = typeParams.filter((p) => !threading(p)).map((p) => p.getText());
  const params = f.decl.parameters.map((p) => {
    const name = p.name.getText() + (p.questionToken || p.initializer ? "?" : "");
    return p.name.getText() === "client" || !p.type ? name : `${name}: ${writtenType(p.type, own)}`;
  });
  const head = `${f.name}${kept.length ? `<${kept.join(", ")}>` : ""}(${params.join(", ")}): ${f.decl.type ? writtenType(f.decl.type, own) : "void"}`;
  const method = decorated.get(f.decl);
  const via = method ? ` · client method: \`${method.method}\` (${method.via.map((v) => `\`${v}\``).join(", ")})` : "";
  const out = [`### ${f.name}`, "", "```ts", head, "```", "", `Module: \`${f.file}\`${via}`, "", doc(f.symbol), ""];
  for (const tag of f.symbol.getJsDocTags(checker)) {
    const body = ts.displayPartsToString(tag.text).trim();
    if (tag.name === "example") out.push("```ts", body, "```", "");
    else out.push(`**${TAGS[tag.name] ?? `@${tag.name}`}:** ${oneLine(body)}`, "");
  }
  const signature = checker.getSignatureFromDeclaration(f.decl);
  const paramSymbol = signature?.parameters[f.decl.parameters.findIndex((p) => p.name.getText() === "parameters")];
  if (paramSymbol) {
    const fields = fieldsOf(checker.getTypeOfSymbol(paramSymbol));
    const ownFields = fields.filter((x) => !isWriteOption(x));
    const shared = ownFields.length < fields.length ? ", plus the [write options](#write-options)" : "";
    if (ownFields.length) out.push(`**Parameters**${shared}:`, "", ...fieldTable(ownFields), "");
    else out.push(shared ? "**Parameters:** only the [write options](#write-options)." : "**Parameters:** none.", "");
  }
  const returned = signature && (checker.getAwaitedType(signature.getReturnType()) ?? signature.getReturnType());
  if (returned && expandable(returned)) {
    const fields = fieldsOf(returned);
    const ownFields = fields.filter((x) => x.owner !== "NexusWriteReturnType");
    const write = ownFields.length < fields.length ? " the [write result](#writes) (`hash`, `wait`)" : "";
    // An object of methods (the decorators) reads better as links to their entries than as a table of signatures.
    const link = (x: Field) => (functions.some((g) => g.name === x.name) ? `[\`${x.name}\`](#${anchor(x.name)})` : `\`${x.name}\``);
    if (fields.every((x) => x.fn)) out.push(`**Returns** an object of methods: ${fields.map(link).join(", ")}.`, "");
    else if (!ownFields.length) out.push(`**Returns**${write}.`, "");
    else out.push(`**Returns**${write ? `${write} plus` : ""}:`, "", ...fieldTable(ownFields, false), "");
  }
  const errorType = declOf(`${capitalized(f.name)}ErrorType`);
  if (errorType && ts.isTypeAliasDeclaration(errorType)) out.push(`**Errors:** ${code(`${errorType.name.text} = ${oneLine(errorType.type.getText()).replace(/^\|\s*/, "")}`)}`, "");
  return out;
}

function renderWriteOptions(): string[] {
  const s = exported.get("NexusWriteParameters");
  if (!s) return [];
  const account = doc(exported.get("NexusAccountParameter") ?? s);
  const fields = fieldsOf(checker.getDeclaredTypeOfSymbol(s)).map((x) => (x.name === "account" && !x.doc ? { ...x, doc: account, required: "see description" } : x));
  const parts = [...writeOwners].sort(byName).map((o) => `\`${o}\``).join(" & ");
  return ["## Write options", "", `Every write also accepts these (\`NexusWriteParameters\` = ${parts}):`, "", ...fieldTable(fields), ""];
}

function renderErrors(): string[] {
  const revertClasses = new Map<string, string>();
  const out = ["## Errors", "", "Every error extends `NexusError` (a viem `BaseError`: `shortMessage`, `metaMessages`, `walk()`).", ""];
  const rows: string[] = [];
  for (const [name, s] of exported) {
    const d = s.declarations?.[0];
    const made = d && ts.isVariableDeclaration(d) && d.initializer && ts.isCallExpression(d.initializer) ? d.initializer : undefined;
    if (made?.expression.getText() === "defineRevertError" && made.arguments[0] && ts.isStringLiteral(made.arguments[0])) revertClasses.set(made.arguments[0].text, name);
    if (!d || !ts.isClassDeclaration(d)) continue;
    // A message that is only a constructor argument (`{shortMessage}`) tells the reader nothing.
    const message = superMessage(d).replace(/^\{\w+\}$/, "(given by the caller)");
    rows.push(`| \`${rel(d.getSourceFile().fileName)}\` | \`${name}\` | ${cell(message)} | ${cell(oneLine(doc(s)).replace(/^(.*?\.)(\s.*)?$/, "$1"))} |`);
  }
  out.push("### SDK errors", "", "| module | class | message | description |", "|---|---|---|---|", ...rows.sort(byName));
  // Reverts by contract: messages.ts lists them under `// Contract` comments, so the grouping follows its author's.
  const messages = declOf("revertMessages");
  const byGroup = new Map<string, string[]>();
  const add = (group: string, row: string) => byGroup.set(group, [...(byGroup.get(group) ?? []), row]);
  if (messages && ts.isVariableDeclaration(messages) && messages.initializer && ts.isObjectLiteralExpression(messages.initializer)) {
    const text = messages.getSourceFile().getFullText();
    let group = "Other";
    for (const p of messages.initializer.properties) {
      for (const c of ts.getLeadingCommentRanges(text, p.getFullStart()) ?? []) group = text.slice(c.pos, c.end).replace(/^\/\/\s*/, "").trim() || group;
      const errorName = p.name?.getText() ?? "";
      const cls = revertClasses.get(errorName);
      if (!cls || !ts.isPropertyAssignment(p)) continue;
      revertClasses.delete(errorName);
      add(group, `| \`${cls}\` | ${cell(messageText(p.initializer))} |`);
    }
  }
  for (const cls of revertClasses.values()) add("Other", `| \`${cls}\` | (no message in revertMessages) |`);
  out.push("", "### Protocol reverts", "", "One class per custom error, extending `NexusRevertError`; `{name}` stands for the error argument of that name.", "");
  for (const [group, list] of byGroup) out.push(`#### ${group}`, "", "| class | message |", "|---|---|", ...list.sort(byName), "");
  return out;
}

const intro = `# SDK reference

<!-- Generated by scripts/generate-sdk-docs.ts from src/sdk: do not edit by hand, run \`npm run docs:sdk\`. -->

The SDK (\`src/sdk/\`, browser-safe) is viem-style: every protocol call is a free function \`action(client, parameters)\` with exported
\`ActionParameters\` and \`ActionReturnType\` types (and \`ActionErrorType\` for the protocol writes and IPFS).

\`\`\`ts
import { publishTask, nexusActions } from "gpu-nexus";

// 1. Free functions: the viem client comes first (a wallet client for writes, any client for reads).
const { task, wait } = await publishTask(walletClient, { source, configUri, configHash, expiryTime, payment });

// 2. Decorated client: the actions bound to the client, as viem's own are.
const nexus = walletClient.extend(nexusActions);
const { task, wait } = await nexus.publishTask({ source, configUri, configHash, expiryTime, payment });
\`\`\`

\`nexusActions\` goes to \`extend\` as is (it takes the client). \`nexusPublicActions\` binds only the reads, the snapshots and
\`waitForNexusTransaction\` (for a public client), \`nexusWalletActions\` only the writes. Flows, events and IPFS helpers are free
functions only. Each entry below names its client method when it has one.

## Writes

Every write simulates the call first (\`eth_call\` on the latest block): a call that would revert throws before anything is signed or
sent, and the simulation yields the call's result, so a new task's or source's address is known before mining. It then sends the
transaction and resolves, without waiting for it to be mined, with \`{ hash, wait, ...result }\`: \`hash\` is the transaction hash,
\`result\` the action's own fields (e.g. \`task\` and \`salt\` for \`publishTask\`), and \`wait(options?)\` (\`confirmations\`, \`timeout\`,
\`pollingInterval\`) resolves \`{ receipt, events }\` once mined, with the transaction's Nexus events decoded (narrow on \`eventName\`).
\`wait()\` throws \`TransactionRevertedError\` when the transaction reverted on-chain, with a best-effort decoded reason.

Failures are typed: a revert with a protocol custom error throws that error's class (\`PaymentBelowMinimumError\`, …: subclasses of
\`NexusRevertError\` with \`errorName\`, \`args\` typed by position and by name, and a readable \`shortMessage\`); other reverts throw
\`UnknownRevertError\`, node and transport failures \`NexusRpcError\` (with \`retryable\`). \`isNexusRevert(err, "PaymentBelowMinimum")\`
narrows \`err.args\`. See [Errors](#errors).

Event watching (batches, cursors, reorgs) and the flows' behaviour (\`waitForResult\`, size limits) are explained in
[sdk-events-and-flows.md](sdk-events-and-flows.md); this page only lists their signatures.
`;

const count = (g: string) => functions.filter((f) => f.group === g).length;
const body = [intro, ...renderWriteOptions(), "## Contents", "", ...groups.map((g) => `- [${title(g)}](#${anchor(title(g))}) (${count(g)})`)];
body.push("- [Errors](#errors)", "");
for (const g of groups) body.push(`## ${title(g)}`, "", ...functions.filter((f) => f.group === g).flatMap(renderFunction), "");
body.push(...renderErrors());
const page = `${body.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;

if (process.argv.includes("--lint")) {
  for (const f of functions) {
    const [first, ...rest] = f.decl.parameters.map((p) => p.name.getText());
    const isAction = rest.includes("parameters") && (first === "client" || first === "ipfs");
    const missing = isAction ? ["Parameters", "ReturnType", "ErrorType"].map((t) => capitalized(f.name) + t).filter((t) => !exported.has(t)) : [];
    if (!doc(f.symbol)) missing.unshift("doc comment");
    if (missing.length) console.error(`note: ${f.name} (${f.file}) has no ${missing.join(", ")}`);
  }
}
if (process.argv.includes("--check")) {
  if ((await readFile(OUT, "utf8").catch(() => "")) !== page) {
    console.error("docs/SDK.md is stale (or missing): run `npm run docs:sdk` (node scripts/generate-sdk-docs.ts) and commit it");
    process.exit(1);
  }
  console.log("docs/SDK.md is up to date");
} else {
  await writeFile(OUT, page);
  console.log(`wrote docs/SDK.md: ${functions.length} functions in ${groups.length} modules`);
}
