/**
 * Argument checks shared by every op: is it a tensor, and how to describe it when it is not.
 *
 * @module
 */
import { fmtShape } from "./shape.ts";
import { Tensor } from "./tensor.ts";

/** A short description of a JS value for error messages. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return "a plain array (wrap it with tensor(...))";
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} (wrap it with tensor(...))`;
  if (v instanceof Tensor) return `Tensor ${fmtShape(v.shape)} ${v.dtype}`;
  switch (typeof v) {
    case "string":
      return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v)}`;
    case "function":
      return "a function";
    case "object": {
      const name = (v as object).constructor?.name;
      return name && name !== "Object" ? `a ${name}` : "an object";
    }
    default:
      return `${typeof v} ${String(v)}`;
  }
}

/** Throws a TypeError naming `op` unless `x` is a Tensor. */
export function requireTensor(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`${op}: expected a Tensor, got ${describeValue(x)}`);
  }
}
