// A few DOM helpers: the page is plain TypeScript, no framework.
import { BaseError, formatEther } from "viem";

export type Child = Node | string | number | bigint | null | undefined | false;
export type Attributes = Record<string, string | number | boolean | undefined>;

/** Creates an element; attributes set with `true` are present and empty, `false`/`undefined` ones are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** The element with this id, typed by its constructor; throws when the page lacks it. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`#${id} is missing or not a ${type.name}`);
  return element;
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** `1.5 ETH`, with every significant digit (amounts here are small and exact). */
export function eth(wei: bigint): string {
  return `${formatEther(wei)} ETH`;
}

/** 0x1234…abcd */
export function short(hex: string, keep = 4): string {
  return hex.length <= 2 + keep * 2 + 1 ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`;
}

/** JSON with bigints as decimal strings. */
export function json(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

export type DescribedError = { name: string; message: string; details: string[] };

/**
 * What the page shows for an error: the SDK's typed errors (and viem's) are `BaseError`s whose `shortMessage` is a
 * sentence with the values formatted (e.g. "The payment 0.0001 ETH is below the source's minimum 0.001 ETH.").
 */
export function describeError(error: unknown): DescribedError {
  if (error instanceof BaseError) {
    const errorName = (error as BaseError & { errorName?: unknown }).errorName;
    return {
      name: typeof errorName === "string" ? errorName : error.name,
      message: error.shortMessage,
      details: [...(error.metaMessages ?? []).map((m) => m.trim()).filter(Boolean), ...(error.details ? [error.details] : [])],
    };
  }
  if (error instanceof Error) return { name: error.name, message: error.message, details: [] };
  return { name: "Error", message: String(error), details: [] };
}

/** Renders an error box's content: "<name>: <shortMessage>" then the details, one a line. */
export function errorContent(error: unknown): Child[] {
  const { name, message, details } = describeError(error);
  return [h("span", { class: "name" }, `${name}: `), message, ...details.map((d) => h("div", { class: "muted mono" }, d))];
}
