/**
 * Primitive dispatch: validate, run on the inputs' backend, record on the active tapes.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { record } from "../autodiff/tape.ts";
import type { PrimName, PrimParams } from "./primitives.ts";
import { shapeRules } from "./shape_rules.ts";
import { Tensor } from "./tensor.ts";

/** The backend all of `inputs` live on, or an error naming `op` that says how to move data. */
export function commonBackend(op: string, inputs: readonly Tensor[]): Backend {
  const b = inputs[0].backend;
  for (const x of inputs) {
    if (x.backend !== b) {
      throw new Error(
        `${op}: inputs live on different backends (${b.name} and ${x.backend.name}); ` +
          `move one first, e.g. toBackend(t, "${b.name}")`,
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
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (v instanceof Tensor) return `Tensor ${JSON.stringify(v.shape)} ${v.dtype}`;
  return typeof v === "object" ? (v.constructor?.name ?? "object") : `${typeof v} ${String(v)}`;
}
