/**
 * How the pytree functions see a value: a container (array or plain object), a tensor leaf, or
 * static data, and how they name a place in a tree and print static data in messages.
 *
 * @module
 */
import { Tensor } from "../core/tensor.ts";

/** Whether `v` is a plain object container (prototype `Object.prototype` or `null`). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The keys of a plain object in tree order: own enumerable string keys, sorted. */
export function sortedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort();
}

/** A path's keys and indices joined by `.`; the root is `""`. */
export function joinPath(path: readonly (string | number)[]): string {
  return path.join(".");
}

/** A path for an error message: quoted, or `the root`. */
export function quotePath(path: readonly (string | number)[]): string {
  return path.length === 0 ? "the root" : `"${joinPath(path)}"`;
}

/** Static data as written in JS, for structure strings and messages. */
export function staticToString(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "function") return `<function ${v.name || "anonymous"}>`;
  if (v !== null && typeof v === "object") {
    const name = Object.getPrototypeOf(v)?.constructor?.name;
    return `<${typeof name === "string" && name !== "" ? name : "object"}>`;
  }
  return String(v);
}

/** What a value is to the pytree functions. */
export type Kind = "leaf" | "array" | "object" | "static";

/** Classifies `v` as a tensor leaf, an array or plain object container, or static data. */
export function kindOf(v: unknown): Kind {
  if (v instanceof Tensor) return "leaf";
  if (Array.isArray(v)) return "array";
  if (isPlainObject(v)) return "object";
  return "static";
}
