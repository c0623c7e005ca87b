/**
 * Primitive dispatch: validate, run on the inputs' backend, record on the active tapes.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { record } from "./tape.ts";
import type { PrimName, PrimParams } from "../core/primitives.ts";
import { fmtShape, sizeOf } from "../core/shape.ts";
import type { DType } from "../core/dtype.ts";
import { shapeRules } from "../core/shape_rules.ts";
import { Tensor } from "../core/tensor.ts";
import { describeValue } from "../core/check.ts";
import { disposedError, isDisposed } from "../core/lifetime.ts";
import { traceObserver } from "../core/trace_hooks.ts";

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

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
          `x = await toBackend(x, "${b.name}") (it takes whole parameter trees too)`,
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
    if (isDisposed(x)) throw disposedError(prim, x);
  }
  const backend = commonBackend(prim, inputs);
  const out = shapeRules[prim](inputs, params);
  if (backend.dtypes !== undefined && !backend.dtypes.includes(out.dtype)) {
    throw new TypeError(
      `${prim}: the ${backend.name} backend has no ${out.dtype} tensors (it stores ${
        backend.dtypes.join(", ")
      }); cast to one of those first`,
    );
  }
  let storage: unknown;
  try {
    storage = backend.run(prim, inputs, params, out);
  } catch (e) {
    // Out-of-memory surfaces from typed-array constructors without saying what was being built.
    if (
      e instanceof RangeError && /allocation failed|Invalid typed array length/i.test(e.message)
    ) {
      const bytes = sizeOf(out.shape) * BYTES[out.dtype];
      throw new RangeError(
        `${prim}: cannot allocate the output ${
          fmtShape(out.shape)
        } ${out.dtype} (${bytes} bytes) ` +
          `from inputs ${inputs.map((x) => `${fmtShape(x.shape)} ${x.dtype}`).join(", ")}`,
        { cause: e },
      );
    }
    throw e;
  }
  const y = new Tensor(backend, storage, out.shape, out.dtype);
  traceObserver()?.bind(prim, params, inputs, y);
  record({ prim, params, inputs, outputs: [y] });
  return y;
}
