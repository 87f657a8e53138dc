// The source list: listSources (events + chain reads + metadata verified against its sha256) rendered as a table.
import { DeliveryMethod, SourceStatus, listSources, sourceStatusName, type InvalidSource, type ListedSource } from "gpu-nexus";
import type { Address } from "viem";
import { describeError, eth, h, replaceChildren, short } from "./dom.ts";
import type { Session } from "./wallet.ts";

export function deliveryName(method: number): string {
  return method === DeliveryMethod.FIRST_RESPONSE ? "FIRST_RESPONSE" : method === DeliveryMethod.MANUAL_CONFIRMATION ? "MANUAL_CONFIRMATION" : `UNKNOWN(${method})`;
}

export function environmentNames(mask: number): string {
  return [mask & 1 ? "CPU" : "", mask & 2 ? "NVIDIA" : "", mask & 4 ? "AMD" : ""].filter(Boolean).join(", ") || "none";
}

function duration(seconds: bigint | number): string {
  const n = Number(seconds);
  if (n >= 3600 && n % 3600 === 0) return `${n / 3600} h`;
  if (n >= 60 && n % 60 === 0) return `${n / 60} min`;
  return `${n} s`;
}

export async function loadSources(session: Session): Promise<{ sources: ListedSource[]; invalid: InvalidSource[] }> {
  return listSources(session.publicClient, { ipfs: session.ipfs, nexus: session.nexus, cacheTtlMs: 0 });
}

export function renderSources(
  container: HTMLElement,
  listed: { sources: ListedSource[]; invalid: InvalidSource[] },
  selected: Address | undefined,
  onSelect: (source: ListedSource) => void,
): void {
  const { sources, invalid } = listed;
  if (sources.length === 0 && invalid.length === 0) {
    replaceChildren(container, h("p", { class: "muted" }, "No source published on this Nexus yet."));
    return;
  }
  const rows = sources.map((s) => {
    const p = s.params;
    const active = s.status === SourceStatus.ACTIVE;
    const radio = h("input", { type: "radio", name: "source", value: s.address, checked: s.address === selected, disabled: !active, "aria-label": `select ${s.metadata.name}` });
    const row = h(
      "tr",
      { "data-source": s.address, class: s.address === selected ? "selected" : undefined },
      h("td", {}, radio),
      h(
        "td",
        {},
        h("strong", {}, s.metadata.name),
        h("div", { class: "muted" }, s.metadata.description),
        h("div", { class: "mono muted", title: s.address }, s.address),
      ),
      h("td", {}, h("span", { class: `badge ${p.deliveryMethod === DeliveryMethod.FIRST_RESPONSE ? "info" : "warn"}` }, deliveryName(p.deliveryMethod))),
      h("td", {}, environmentNames(p.environments)),
      h("td", {}, eth(p.minPayment)),
      h(
        "td",
        { class: "muted" },
        `expiry ≤ ${duration(p.maxExpiryDuration)}`,
        h("br"),
        `attempt ${duration(p.attemptTimeout)}`,
        p.deliveryMethod === DeliveryMethod.MANUAL_CONFIRMATION ? h("br") : null,
        p.deliveryMethod === DeliveryMethod.MANUAL_CONFIRMATION ? `review ${duration(p.reviewWindow)}` : null,
      ),
      h("td", {}, String(s.registrantCount)),
      h("td", {}, h("span", { class: `badge ${active ? "ok" : "err"}` }, sourceStatusName(s.status))),
    );
    if (active) row.addEventListener("click", () => onSelect(s));
    return row;
  });
  const table = h(
    "table",
    {},
    h(
      "thead",
      {},
      h("tr", {}, ...["", "source", "delivery", "environments", "min payment", "timing", "providers", "status"].map((t) => h("th", {}, t))),
    ),
    h("tbody", {}, ...rows),
  );
  const bad = invalid.map((s) =>
    h("li", { class: "mono" }, `${short(s.address, 6)}: metadata ${s.metadataUri} rejected — ${describeError(s.error).name}: ${describeError(s.error).message}`),
  );
  replaceChildren(
    container,
    table,
    bad.length > 0 ? h("div", {}, h("h3", {}, `${bad.length} source(s) left out (metadata missing, tampered with or invalid)`), h("ul", {}, ...bad)) : null,
  );
}
