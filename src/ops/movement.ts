/**
 * Movement ops: reshape, transpose, slice, pad, concat, stack, gather and friends.
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

function listOfTensors(op: string, xs: unknown): void {
  if (!Array.isArray(xs)) {
    throw new TypeError(`${op}: expected an array of tensors, got ${describeValue(xs)}`);
  }
  if (xs.length === 0) throw new Error(`${op}: needs at least one tensor`);
}

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

/** One axis of a `slice`: `[start, end)` with an optional positive `step`. */
export type SliceSpec = readonly [start?: number | null, end?: number | null, step?: number];

/**
 * A sub-tensor: for each leading axis, `[start, end, step]` with Python-style negative and
 * clamped bounds; `null` or missing entries take the whole axis. Steps must be positive.
 *
 * @example
 * ```ts
 * import { arange, reshape, slice } from "@fluxion/fluxion";
 * const x = reshape(arange(12), [3, 4]);
 * slice(x, [[1, 3], [0, 4, 2]]); // rows 1..2, columns 0 and 2
 * slice(x, [null, [-1]]); // the last column, shape [3, 1]
 * ```
 */
export function slice(x: Tensor, specs: readonly (SliceSpec | null)[]): Tensor {
  requireTensor("slice", x);
  if (specs.length > x.rank) {
    throw new Error(
      `slice: ${specs.length} slice specs for a tensor of rank ${x.rank} ${fmtShape(x.shape)}`,
    );
  }
  const starts: number[] = [];
  const ends: number[] = [];
  const steps: number[] = [];
  x.shape.forEach((d, i) => {
    const spec = specs[i] ?? [];
    if (!Array.isArray(spec)) {
      throw new TypeError(
        `slice: the spec for axis ${i} must be [start, end, step] or null, got ${
          JSON.stringify(spec)
        }`,
      );
    }
    const [s0, e0, st = 1] = spec as SliceSpec;
    if (!Number.isInteger(st) || st < 1) {
      throw new RangeError(`slice: step must be a positive integer, got ${st} on axis ${i}`);
    }
    const norm = (v: number | null | undefined, dflt: number) => {
      if (v === null || v === undefined) return dflt;
      if (!Number.isInteger(v)) {
        throw new TypeError(`slice: bound ${v} on axis ${i} is not an integer`);
      }
      return Math.min(d, Math.max(0, v < 0 ? v + d : v));
    };
    const s = norm(s0, 0);
    starts.push(s);
    ends.push(Math.max(s, norm(e0, d)));
    steps.push(st);
  });
  if (starts.every((s, i) => s === 0 && ends[i] === x.shape[i] && steps[i] === 1)) return x;
  return bind("slice", [x], { starts, ends, steps });
}

/**
 * Pads `x` with `value` (default 0): `widths[i] = [before, after]` for each leading axis.
 *
 * @example
 * ```ts
 * import { pad, tensor } from "@fluxion/fluxion";
 * pad(tensor([[1, 2]]), [[1, 0], [0, 1]]); // [[0, 0, 0], [1, 2, 0]]
 * ```
 */
export function pad(
  x: Tensor,
  widths: readonly (readonly [number, number])[],
  value = 0,
): Tensor {
  requireTensor("pad", x);
  if (widths.length > x.rank || widths.flat().some((w) => !Number.isInteger(w) || w < 0)) {
    throw new Error(
      `pad: widths ${
        JSON.stringify(widths)
      } must be non-negative integer pairs for at most ${x.rank} axes of ${fmtShape(x.shape)}`,
    );
  }
  const full = x.shape.map((
    _,
    i,
  ): [number, number, number] => [widths[i]?.[0] ?? 0, widths[i]?.[1] ?? 0, 0]);
  if (full.every(([a, b]) => a === 0 && b === 0)) return x;
  return bind("pad", [x], { widths: full, value });
}

/**
 * Joins tensors along an existing axis.
 *
 * @example
 * ```ts
 * import { concat, ones, zeros } from "@fluxion/fluxion";
 * concat([zeros([2, 3]), ones([1, 3])], 0).shape; // [3, 3]
 * ```
 */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  listOfTensors("concat", xs);
  xs.forEach((x) => requireTensor("concat", x));
  const ax = normalizeAxis("concat", axis, xs[0].shape);
  if (xs.length === 1) return xs[0];
  return bind("concat", xs, { axis: ax });
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

/**
 * Joins tensors of one shape along a new axis.
 *
 * @example
 * ```ts
 * import { ones, stack, zeros } from "@fluxion/fluxion";
 * stack([zeros([3]), ones([3])], 1).shape; // [3, 2]
 * ```
 */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  listOfTensors("stack", xs);
  xs.forEach((x) => requireTensor("stack", x));
  for (const x of xs) {
    if (!shapesEqual(x.shape, xs[0].shape)) {
      throw new Error(`stack: shapes differ: ${xs.map((t) => fmtShape(t.shape)).join(", ")}`);
    }
  }
  const ax = normalizeAxis("stack", axis, xs[0].rank + 1);
  return concat(xs.map((x) => expandDims(x, ax)), ax);
}

/**
 * Picks values along `axis` by index, like `torch.gather` / `numpy.take_along_axis`: `indices`
 * (int32) has the rank of `x`, matches it on every other axis (size-1 axes broadcast), and
 * `out[..., j, ...] = x[..., indices[..., j, ...], ...]`. Negative indices count from the end.
 *
 * @example
 * ```ts
 * import { gather, tensor } from "@fluxion/fluxion";
 * const logits = tensor([[1, 2, 3], [4, 5, 6]]);
 * gather(logits, tensor([[2], [0]], { dtype: "int32" }), 1); // [[3], [4]]
 * ```
 */
export function gather(x: Tensor, indices: Tensor, axis: number): Tensor {
  requireTensor("gather", x);
  requireTensor("gather", indices);
  const ax = normalizeAxis("gather", axis, x.shape);
  return bind("gather", [x, prepareIndices("gather", x, indices, ax)], { axis: ax });
}

/**
 * `base` plus `updates` added at `indices` along `axis` (the transpose of `gather`; repeated
 * indices accumulate), like `torch.scatter_add`.
 *
 * @example
 * ```ts
 * import { scatterAdd, tensor, zeros } from "@fluxion/fluxion";
 * scatterAdd(zeros([1, 3]), tensor([[0, 0, 2]], { dtype: "int32" }), tensor([[1, 2, 3]]), 1);
 * // [[3, 0, 3]]
 * ```
 */
export function scatterAdd(base: Tensor, indices: Tensor, updates: Tensor, axis: number): Tensor {
  requireTensor("scatterAdd", base);
  requireTensor("scatterAdd", indices);
  requireTensor("scatterAdd", updates);
  const ax = normalizeAxis("scatterAdd", axis, base.shape);
  return bind("scatterAdd", [base, prepareIndices("scatterAdd", base, indices, ax), updates], {
    axis: ax,
  });
}

/** Validates int32 indices of the right rank and broadcasts size-1 axes. */
function prepareIndices(op: string, x: Tensor, indices: Tensor, axis: number): Tensor {
  if (indices.dtype !== "int32") {
    throw new TypeError(`${op}: indices must be int32, got ${indices.dtype}`);
  }
  if (indices.rank !== x.rank) {
    throw new Error(
      `${op}: indices ${fmtShape(indices.shape)} must have the rank of ${fmtShape(x.shape)}`,
    );
  }
  const target = x.shape.map((d, i) => (i === axis ? indices.shape[i] : d));
  return indices.shape.every((d, i) => d === target[i] || d === 1)
    ? broadcastTo(indices, target)
    : indices;
}

/**
 * Takes elements along `axis` at 1-D-or-any-shape `indices` (int32), like `numpy.take`: the
 * result's shape is `x.shape[:axis] + indices.shape + x.shape[axis+1:]` (embedding lookup).
 *
 * @example
 * ```ts
 * import { take, tensor } from "@fluxion/fluxion";
 * const table = tensor([[0, 0], [1, 1], [2, 2]]);
 * take(table, tensor([2, 0, 2], { dtype: "int32" }), 0); // [[2, 2], [0, 0], [2, 2]]
 * ```
 */
export function take(x: Tensor, indices: Tensor, axis = 0): Tensor {
  requireTensor("take", x);
  requireTensor("take", indices);
  const ax = normalizeAxis("take", axis, x.shape);
  const n = indices.size;
  const flatIdx = reshape(indices, [
    ...x.shape.slice(0, ax).map(() => 1),
    n,
    ...x.shape.slice(ax + 1).map(() => 1),
  ]);
  let picked: Tensor;
  try {
    picked = gather(x, flatIdx, ax);
  } catch (e) {
    // Report index errors under the name the user called.
    if (e instanceof Error && e.message.startsWith("gather: ")) {
      const err = new (e.constructor as ErrorConstructor)(`take: ${e.message.slice(8)}`);
      throw err;
    }
    throw e;
  }
  return reshape(picked, [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)]);
}
