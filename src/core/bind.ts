/**
 * Primitive dispatch: validate, run on the inputs' backend, record on the active tapes.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { record } from "../autodiff/tape.ts";
import type { PrimName, PrimParams } from "./primitives.ts";
import { fmtShape } from "./shape.ts";
import { shapeRules } from "./shape_rules.ts";
import { Tensor } from "./tensor.ts";

/** The backend all of `inputs` live on, or an error naming `op` that says how to move data. */
export function commonBackend(op: string, inputs: readonly Tensor[]): Backend {
  const first = inputs[0];
  const b = first.backend;
  for (const x of inputs) {
    if (x.backend !== b) {
      const where = (t: Tensor) => `${fmtShape(t.shape)} ${t.dtype} on ${t.backend.name}`;
      throw new Error(
        `${op}: inputs live on different backends (${where(first)}, ${where(x)}); ` +
          `ops never copy between backends implicitly. Move one first, e.g. ` +
          `tensor(await t.data(), { shape: t.shape, dtype: t.dtype, backend: other.backend })`,
      );
    }
  }
  return b;
}

/** Calls primitive `prim` on `inputs`: the one way any tensor computation happens. */
export function bind<P extends PrimName>(
  prim: P,
  inputs: readonly Tensor[],
  params: PrimParams[P],
): Tensor {
  for (const x of inputs) {
    if (!(x instanceof Tensor)) {
      throw new TypeError(`${prim}: expected Tensor inputs, got ${describeValue(x)}`);
    }
  }
  const backend = commonBackend(prim, inputs);
  const out = shapeRules[prim](inputs, params);
  const storage = backend.run(prim, inputs, params, out);
  const y = new Tensor(backend, storage, out.shape, out.dtype);
  record({ prim, params, inputs, outputs: [y] });
  return y;
}

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
