/**
 * Argument checks of the differentiation transforms: the differentiated arguments must be
 * pytrees of floating-point tensors, and a differentiated function must return a scalar.
 *
 * @module
 */
import { isFloat } from "../core/dtype.ts";
import { fmtShape } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";

/** `v`, if it is a scalar floating-point tensor: what `grad` and `valueAndGrad` differentiate. */
export function checkScalar(op: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) {
    throw new TypeError(`${op}: the function must return a scalar Tensor, got ${typeof v}`);
  }
  if (v.size !== 1 || !isFloat(v.dtype)) {
    throw new Error(
      `${op}: the function must return a scalar floating-point Tensor, got ${
        fmtShape(v.shape)
      } ${v.dtype}`,
    );
  }
  return v;
}

/** A readable name for a value that is not a pytree container or tensor. */
function kindOf(v: unknown): string {
  if (v === undefined) return "missing (undefined)";
  if (typeof v !== "object" || v === null) return `a ${v === null ? "null" : typeof v}`;
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  return name ? `a ${name} instance` : "an object";
}

/**
 * Checks the differentiated arguments: every tensor leaf floating point, and nothing that could
 * hide tensors from the pytree walk (class instances, Maps) or stand for a variable without being
 * one (a bare number). Numbers, strings, booleans and null inside plain containers are fine.
 */
export function checkDiffArgs(
  op: string,
  args: readonly unknown[],
  argnums: readonly number[],
  allowInt = false,
) {
  if (new Set(argnums).size !== argnums.length) {
    throw new Error(`${op}: argnums ${JSON.stringify(argnums)} repeats an argument`);
  }
  for (const i of argnums) {
    if (i < 0 || i >= args.length || !Number.isInteger(i)) {
      throw new RangeError(`${op}: argnums ${i} is out of range for ${args.length} arguments`);
    }
    const walk = (v: unknown, path: string): void => {
      const where = `argument ${i}${path ? ` at "${path}"` : ""}`;
      if (v instanceof Tensor) {
        if (!isFloat(v.dtype) && !allowInt) {
          throw new TypeError(
            `${op}: ${where} has dtype ${v.dtype}; only floating-point tensors have gradients (pass it as a non-differentiated argument)`,
          );
        }
      } else if (Array.isArray(v)) {
        v.forEach((c, j) => walk(c, path ? `${path}.${j}` : String(j)));
      } else if (typeof v === "object" && v !== null) {
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) {
          throw new TypeError(
            `${op}: ${where} is ${
              kindOf(v)
            }; gradients are taken through tensors in plain objects and arrays only (convert it, e.g. { w: layer.w })`,
          );
        }
        for (const k of Object.keys(v)) {
          walk((v as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
        }
      } else if (path === "") {
        throw new TypeError(
          `${op}: ${where} is ${
            kindOf(v)
          }, not a tensor or a pytree of tensors (wrap numbers with tensor(x))`,
        );
      }
    };
    walk(args[i], "");
  }
}
