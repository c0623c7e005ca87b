/**
 * CPU kernels for reductions: sum, max and min over any set of axes, argmax and argmin over one.
 *
 * @module
 */
import { allocate } from "../../core/dtype.ts";
import type { Shape } from "../../core/shape.ts";
import { stridesOf } from "../../core/shape.ts";
import type { CpuInput, CpuKernel, CpuKernelTable } from "./kernel.ts";
import { forEachRow } from "./strided.ts";

/**
 * Folds every element of `x` into an accumulator slot: the reduced axes map to stride 0 in the
 * accumulator, so slot = the output element (in keepdims layout).
 */
function reduceInto(
  x: CpuInput,
  axes: readonly number[],
  acc: Float64Array,
  step: (acc: Float64Array, slot: number, v: number) => void,
): void {
  const shape: Shape = x.shape;
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outStrides = stridesOf(keptShape).map((s, i) => (axes.includes(i) ? 0 : s));
  const inStrides = stridesOf(shape);
  const src = x.storage;
  const last = shape.length - 1;
  const inner = shape.length ? shape[last] : 1;
  const so = shape.length ? outStrides[last] : 0;
  forEachRow(shape, [outStrides, inStrides], (_o, [oo, oi]) => {
    for (let i = 0; i < inner; i++) step(acc, oo + i * so, src[oi + i]);
  });
}

function outSize(x: CpuInput, axes: readonly number[]): number {
  return x.shape.reduce((n, d, i) => (axes.includes(i) ? n : n * d), 1);
}

const sumKernel: CpuKernel<"sum"> = ([x], p, out) => {
  // Accumulate in float64 whatever the dtype, so float32 sums lose less precision.
  const acc = new Float64Array(outSize(x, p.axes));
  reduceInto(x, p.axes, acc, (a, s, v) => {
    a[s] += v;
  });
  const dst = allocate(out.dtype, acc.length);
  dst.set(acc);
  return dst;
};

function extremeKernel(sign: 1 | -1): CpuKernel<"max" | "min"> {
  return ([x], p, out) => {
    const acc = new Float64Array(outSize(x, p.axes)).fill(-sign * Infinity);
    reduceInto(x, p.axes, acc, (a, s, v) => {
      const cur = a[s];
      // NaN wins and then stays, as in NumPy and PyTorch.
      if (sign * v > sign * cur || v !== v) {
        if (cur === cur) a[s] = v;
      }
    });
    const dst = allocate(out.dtype, acc.length);
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
    const dst = new Int32Array(outer * inner);
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
  sum: sumKernel,
  max: extremeKernel(1),
  min: extremeKernel(-1),
  argmax: argKernel(1),
  argmin: argKernel(-1),
};
