/**
 * Slicing and joining: `slice` and `pad` cut or extend one tensor; `concat` and `stack` join
 * several.
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import { describeValue, requireTensor } from "../core/check.ts";
import { fmtShape, normalizeAxis, shapesEqual } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { expandDims } from "./shape_ops.ts";

function listOfTensors(op: string, xs: unknown): void {
  if (!Array.isArray(xs)) {
    throw new TypeError(`${op}: expected an array of tensors, got ${describeValue(xs)}`);
  }
  if (xs.length === 0) throw new Error(`${op}: needs at least one tensor`);
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
