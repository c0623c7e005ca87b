/**
 * `unstack`: the pieces of a tensor along one axis, with a gradient that stacks (linear in the
 * length of the axis, where slicing piece by piece would pad each cotangent to the full shape).
 *
 * @module
 */
import { customVjp } from "../autodiff/custom_vjp.ts";
import { requireTensor } from "../core/check.ts";
import { normalizeAxis } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { squeeze } from "./shape_ops.ts";
import { slice, stack } from "./slicing.ts";

/**
 * The slices of `x` along `axis`, each without that axis (the inverse of `stack`). Use it to walk
 * a sequence step by step: its gradient is one `stack`, so a recurrent loop over `T` steps stays
 * linear in `T` in the backward pass.
 *
 * @example
 * ```ts
 * import { arange, reshape, unstack } from "@fluxion/fluxion";
 * const [a, b] = unstack(reshape(arange(6), [2, 3]), 0); // [0, 1, 2] and [3, 4, 5]
 * ```
 */
export function unstack(x: Tensor, axis = 0): Tensor[] {
  requireTensor("unstack", x);
  const ax = normalizeAxis("unstack", axis, x.rank);
  const pieces = (t: Tensor) =>
    Array.from({ length: t.shape[ax] }, (_, i) => {
      const spec = t.shape.map((): [number, number] | null => null);
      spec[ax] = [i, i + 1];
      return squeeze(slice(t, spec), ax);
    });
  return customVjp(
    pieces,
    (t: Tensor) => [pieces(t), null],
    (_res: null, cts: Tensor[]) => [stack(cts, ax)],
  )(x);
}
