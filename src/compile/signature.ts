/**
 * What a compiled function's trace depends on besides tensor values and random keys: the
 * signature of a call (tree structure, each tensor's backend, dtype and shape, plain values), the
 * plain values by path (to say which changed when a function keeps retracing), and the checks
 * that arguments and results are trees the tracer can follow.
 *
 * @module
 */
import { Tensor } from "../core/tensor.ts";
import { Key } from "../random/random.ts";
import { isPlainObject } from "../tree/containers.ts";

const ids = new WeakMap<object, number>();
let nextId = 1;

/** A stable id for object or function `o` (its identity, not its contents). */
function identity(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, id = nextId++);
  return id;
}

/** A plain value as a key: numbers keep -0, NaN and infinities apart. */
function plainKey(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  return String(v); // booleans, null, undefined, symbols
}

/**
 * The signature of `value`: trees of arrays and plain objects walked; tensors by backend, dtype
 * and shape; keys as keys; other objects and functions by identity; plain values by value.
 */
export function signature(value: unknown): string {
  if (value instanceof Tensor) return `T:${value.backend.name}:${value.dtype}[${value.shape}]`;
  if (value instanceof Key) return "K";
  if (Array.isArray(value)) return `[${value.map(signature).join(",")}]`;
  if (isPlainObject(value)) {
    const body = Object.keys(value).sort().map((k) =>
      `${JSON.stringify(k)}:${signature(value[k])}`
    );
    return `{${body.join(",")}}`;
  }
  if (typeof value === "function" || (value !== null && typeof value === "object")) {
    return `#${identity(value)}`;
  }
  return plainKey(value);
}

/** The plain values (not tensors or keys) of a tree, by path, for messages. */
export function plainValues(value: unknown, path: string, out: Map<string, string>): void {
  if (value instanceof Tensor || value instanceof Key) return;
  if (Array.isArray(value)) value.forEach((v, i) => plainValues(v, `${path}[${i}]`, out));
  else if (isPlainObject(value)) {
    for (const k of Object.keys(value).sort()) plainValues(value[k], `${path}.${k}`, out);
  } else {out.set(
      path,
      typeof value === "object" || typeof value === "function"
        ? `<${(value as object)?.constructor?.name ?? typeof value}>`
        : plainKey(value),
    );}
}

/** The first object other than an array, plain object, tensor or key that holds a tensor. */
function opaqueHolder(value: unknown, path: string, depth = 0): [string, string] | undefined {
  if (value instanceof Tensor || value instanceof Key || value === null) return undefined;
  if (typeof value !== "object" || depth > 8) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = opaqueHolder(value[i], `${path}[${i}]`, depth + 1);
      if (r) return r;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const k of Object.keys(value)) {
      const r = opaqueHolder(value[k], `${path}.${k}`, depth + 1);
      if (r) return r;
    }
    return undefined;
  }
  const values = value instanceof Map ? [...value.values()] : Object.values(value);
  const holds = values.some((v) => v instanceof Tensor || opaqueHolder(v, path, depth + 1));
  return holds ? [path, value.constructor?.name ?? "object"] : undefined;
}

/**
 * Throws when `value` (the arguments, or the result) keeps tensors inside an object the tracer
 * does not walk (a class instance, a Map): they would be frozen into the trace.
 */
export function checkTree(value: unknown, what: "argument" | "result", path: string): void {
  const found = opaqueHolder(value, path);
  if (found === undefined) return;
  throw new TypeError(
    `compile: the ${what} at ${found[0]} is a ${found[1]} holding tensors; compile follows ` +
      "tensors through arrays and plain objects only (pass or return { ...fields } instead)",
  );
}
