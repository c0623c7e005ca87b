/**
 * CPU kernels for reductions: sum, max and min over any set of axes, argmax and argmin over one.
 *
 * @module
 */
import { allocate, release } from "./alloc.ts";
import { sumF32 } from "./wasm/reduce.ts";
import type { Shape } from "../../core/shape.ts";
import { stridesOf } from "../../core/shape.ts";
import type { CpuInput, CpuKernel, CpuKernelTable } from "./kernel.ts";
import { forEachRow } from "./strided.ts";

/**
 * Folds the elements of a run into accumulator slots: `acc[ao + i*as] <- src[xo + i*xs]` for
 * `i < n` (`as` is 0 when the run lies along reduced axes, so every element folds into one slot).
 */
type FoldRow = (
  acc: Float64Array,
  ao: number,
  as: number,
  src: A,
  xo: number,
  xs: number,
  n: number,
) => void;
type A = CpuInput["storage"];

/**
 * Folds every element of `x` into the accumulator slot of its output element: the reduced axes
 * map to stride 0 in the accumulator (keepdims layout).
 */
function reduceInto(x: CpuInput, axes: readonly number[], acc: Float64Array, fold: FoldRow): void {
  const shape: Shape = x.shape;
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const accStrides = stridesOf(keptShape).map((s, i) => (axes.includes(i) ? 0 : s));
  const src = x.storage;
  forEachRow(shape, [accStrides, stridesOf(shape)], (_o, [ao, xo], n, [as, xs]) => {
    fold(acc, ao, as, src, xo, xs, n);
  });
}

function outSize(x: CpuInput, axes: readonly number[]): number {
  return x.shape.reduce((n, d, i) => (axes.includes(i) ? n : n * d), 1);
}

// A run folding into one slot is summed in four partial sums (elements i mod 4), combined as
// (p0 + p2) + (p1 + p3), then the tail in order: four independent chains, and the order the
// WebAssembly kernel (wasm/reduce.c) sums a row in, so both give the same bits.
const sumRow: FoldRow = (acc, ao, as, src, xo, xs, n) => {
  if (as === 0) {
    let p0 = 0, p1 = 0, p2 = 0, p3 = 0, i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = xo + i * xs;
      p0 += src[o];
      p1 += src[o + xs];
      p2 += src[o + 2 * xs];
      p3 += src[o + 3 * xs];
    }
    let t = (p0 + p2) + (p1 + p3);
    for (; i < n; i++) t += src[xo + i * xs];
    acc[ao] += t;
  } else {
    for (let i = 0; i < n; i++) acc[ao + i * as] += src[xo + i * xs];
  }
};

// NaN wins and then stays, as in NumPy and PyTorch: `!(cur >= v)` is true for a NaN `v`, and a NaN
// `cur` is never replaced because `cur !== cur` guards it.
const maxRow: FoldRow = (acc, ao, as, src, xo, xs, n) => {
  for (let i = 0; i < n; i++) {
    const v = src[xo + i * xs], cur = acc[ao + i * as];
    if (!(cur >= v) && cur === cur) acc[ao + i * as] = v;
  }
};
const minRow: FoldRow = (acc, ao, as, src, xo, xs, n) => {
  for (let i = 0; i < n; i++) {
    const v = src[xo + i * xs], cur = acc[ao + i * as];
    if (!(cur <= v) && cur === cur) acc[ao + i * as] = v;
  }
};

function reduceKernel(init: number, fold: FoldRow): CpuKernel<"sum" | "max" | "min"> {
  return ([x], p, out) => {
    if (fold === sumRow && x.storage instanceof Float32Array) {
      const dst = allocate(out.dtype, outSize(x, p.axes), false) as Float32Array;
      if (sumF32(x.storage, x.shape, p.axes, dst)) return dst;
      release(dst);
    }
    // Accumulate in float64 whatever the dtype, so float32 sums lose less precision.
    const acc = new Float64Array(outSize(x, p.axes));
    if (init !== 0) acc.fill(init);
    reduceInto(x, p.axes, acc, fold);
    const dst = allocate(out.dtype, acc.length, false);
    dst.set(acc);
    return dst;
  };
}

function argKernel(sign: 1 | -1): CpuKernel<"argmax" | "argmin"> {
  return ([x], p) => {
    const { axis } = p;
    const n = x.shape[axis];
    const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const src = x.storage;
    const dst = allocate("int32", outer * inner, false);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let best = src[base];
        let bi = 0;
        for (let k = 1; k < n && best === best; k++) {
          const v = src[base + k * inner];
          if (sign * v > sign * best || v !== v) {
            best = v;
            bi = k;
          }
        }
        dst[o * inner + i] = bi;
      }
    }
    return dst;
  };
}

/** CPU kernels of the reduction primitives. */
export const reduceKernels: CpuKernelTable<"sum" | "max" | "min" | "argmax" | "argmin"> = {
  sum: reduceKernel(0, sumRow),
  max: reduceKernel(-Infinity, maxRow),
  min: reduceKernel(Infinity, minRow),
  argmax: argKernel(1),
  argmin: argKernel(-1),
};
