/**
 * Shape ops: `reshape`, `transpose`, `broadcastTo`, `sumToShape`, `expandDims` and `squeeze`,
 * which rearrange or broadcast a tensor's elements without selecting among them.
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import { describeValue, requireTensor } from "../core/check.ts";
import {
  broadcastShapes,
  checkShape,
  fmtShape,
  normalizeAxis,
  type Shape,
  shapesEqual,
  sizeOf,
} from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";

/**
 * `x` with a new shape of the same size. One dimension may be -1 and is inferred.
 *
 * @example
 * ```ts
 * import { arange, reshape } from "@fluxion/fluxion";
 * reshape(arange(6), [2, -1]); // shape [2, 3]
 * ```
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  requireTensor("reshape", x);
  if (!Array.isArray(shape)) {
    throw new TypeError(
      `reshape: the target shape must be an array of integers, got ${describeValue(shape)}`,
    );
  }
  const holes = shape.filter((d) => d === -1).length;
  if (holes > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new Error(`reshape: invalid target shape ${fmtShape(shape)} for ${fmtShape(x.shape)}`);
  }
  let target = [...shape];
  if (holes === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) {
      throw new Error(
        `reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${
          fmtShape(shape)
        }: ${x.size} is not a multiple of ${known}`,
      );
    }
    target = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  if (shapesEqual(target, x.shape)) return x;
  return bind("reshape", [x], { shape: target });
}

/**
 * Permutes the axes of `x`; without `perm` it reverses them (a matrix transpose for rank 2).
 * Negative axes count from the end.
 *
 * @example
 * ```ts
 * import { transpose, zeros } from "@fluxion/fluxion";
 * transpose(zeros([2, 3, 4]), [2, 0, 1]).shape; // [4, 2, 3]
 * ```
 */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  requireTensor("transpose", x);
  const bad = () =>
    new Error(
      `transpose: ${JSON.stringify(perm)} is not a permutation of the ${x.rank} axes of ${
        fmtShape(x.shape)
      }`,
    );
  if (perm !== undefined && (!Array.isArray(perm) || perm.length !== x.rank)) throw bad();
  const p = perm === undefined ? x.shape.map((_, i) => x.rank - 1 - i) : perm.map((a) => {
    if (!Number.isInteger(a) || a < -x.rank || a >= x.rank) throw bad();
    return a < 0 ? a + x.rank : a;
  });
  if (new Set(p).size !== p.length) throw bad();
  if (p.every((a, i) => a === i) && p.length === x.rank) return x;
  return bind("transpose", [x], { perm: p });
}

/**
 * `x` broadcast to `shape` by NumPy's rules (a copy on the CPU backend).
 *
 * @example
 * ```ts
 * import { broadcastTo, tensor } from "@fluxion/fluxion";
 * broadcastTo(tensor([1, 2]), [3, 2]).shape; // [3, 2]
 * ```
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  requireTensor("broadcastTo", x);
  checkShape("broadcastTo", shape);
  if (shapesEqual(x.shape, shape)) return x;
  return bind("broadcastTo", [x], { shape: [...shape] });
}

/**
 * Sums `x` over the dimensions that broadcasting added, so the result has `shape` (the reverse
 * of `broadcastTo`; gradients use it).
 *
 * @example
 * ```ts
 * import { ones, sumToShape } from "@fluxion/fluxion";
 * sumToShape(ones([4, 3]), [1, 3]); // [[4, 4, 4]]
 * ```
 */
export function sumToShape(x: Tensor, shape: Shape): Tensor {
  requireTensor("sumToShape", x);
  checkShape("sumToShape", shape);
  if (shapesEqual(x.shape, shape)) return x;
  const b = broadcastShapes("sumToShape", shape, x.shape);
  if (!shapesEqual(b, x.shape)) {
    throw new Error(`sumToShape: ${fmtShape(x.shape)} is not a broadcast of ${fmtShape(shape)}`);
  }
  const lead = x.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < x.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? bind("sum", [x], { axes, keepdims: true }) : x;
  return reshape(summed, shape);
}

/**
 * Inserts a dimension of size 1 at `axis` (negative counts from the end of the result).
 *
 * @example
 * ```ts
 * import { expandDims, zeros } from "@fluxion/fluxion";
 * expandDims(zeros([3]), 0).shape; // [1, 3]
 * ```
 */
export function expandDims(x: Tensor, axis: number): Tensor {
  requireTensor("expandDims", x);
  const ax = normalizeAxis("expandDims", axis, x.rank + 1);
  const shape = [...x.shape];
  shape.splice(ax, 0, 1);
  return reshape(x, shape);
}

/**
 * Removes size-1 dimensions: the given axes (each must have size 1), or all of them.
 *
 * @example
 * ```ts
 * import { squeeze, zeros } from "@fluxion/fluxion";
 * squeeze(zeros([1, 3, 1])).shape; // [3]
 * ```
 */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  requireTensor("squeeze", x);
  const axes = axis === undefined
    ? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))
    : (typeof axis === "number" ? [axis] : axis).map((a) => normalizeAxis("squeeze", a, x.shape));
  for (const a of axes) {
    if (x.shape[a] !== 1) {
      throw new Error(`squeeze: axis ${a} of ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1`);
    }
  }
  return reshape(x, x.shape.filter((_, i) => !axes.includes(i)));
}
