/**
 * CPU kernels for 2-D max and average pooling (NCHW) and the average-pooling gradient. Windows
 * are clipped to the input, so padded cells never win a max and add zero to an average.
 *
 * @module
 */
import type { TypedArray } from "../../core/dtype.ts";
import { allocate, release } from "./alloc.ts";
import type { PoolParams } from "../../core/primitives.ts";
import type { CpuKernelTable } from "./kernel.ts";
import { avgPoolF32, maxPoolF32, type PoolWords as PoolGeometry } from "./wasm/pool2d.ts";

function poolGeometry(x: readonly number[], y: readonly number[], p: PoolParams): PoolGeometry {
  return {
    planes: x[0] * x[1],
    h: x[2],
    w: x[3],
    oh: y[2],
    ow: y[3],
    kh: p.kernel[0],
    kw: p.kernel[1],
    sh: p.stride[0],
    sw: p.stride[1],
    pt: p.padding[0],
    pl: p.padding[2],
  };
}

/**
 * For every window, the flat index `h*W + w` within its input plane of the first maximum in
 * row-major window order, or of the first NaN if the window holds one.
 */
function maxArgmax(x: TypedArray, g: PoolGeometry): Int32Array {
  const { planes, h, w, oh, ow, kh, kw, sh, sw, pt, pl } = g;
  const idx = new Int32Array(planes * oh * ow);
  let o = 0;
  for (let pi = 0; pi < planes; pi++) {
    const plane = pi * h * w;
    for (let y = 0; y < oh; y++) {
      const y0 = Math.max(y * sh - pt, 0);
      const y1 = Math.min(y * sh - pt + kh, h);
      for (let xo = 0; xo < ow; xo++, o++) {
        const x0 = Math.max(xo * sw - pl, 0);
        const x1 = Math.min(xo * sw - pl + kw, w);
        let bestAt = y0 * w + x0;
        let best = x[plane + bestAt];
        if (best === best) {
          search: for (let iy = y0; iy < y1; iy++) {
            for (let ix = iy === y0 ? x0 + 1 : x0; ix < x1; ix++) {
              const v = x[plane + iy * w + ix];
              if (v > best) {
                best = v;
                bestAt = iy * w + ix;
              } else if (v !== v) {
                bestAt = iy * w + ix; // NaN wins and propagates
                break search;
              }
            }
          }
        }
        idx[o] = bestAt;
      }
    }
  }
  return idx;
}

/** Sums each clipped window of `x`, divided by the window's divisor, into `y`. */
function avgForward(x: TypedArray, g: PoolGeometry, includePad: boolean, y: TypedArray): void {
  const { planes, h, w, oh, ow, kh, kw, sh, sw, pt, pl } = g;
  let o = 0;
  for (let pi = 0; pi < planes; pi++) {
    const plane = pi * h * w;
    for (let yo = 0; yo < oh; yo++) {
      const y0 = Math.max(yo * sh - pt, 0);
      const y1 = Math.min(yo * sh - pt + kh, h);
      for (let xo = 0; xo < ow; xo++, o++) {
        const x0 = Math.max(xo * sw - pl, 0);
        const x1 = Math.min(xo * sw - pl + kw, w);
        let s = 0;
        for (let iy = y0; iy < y1; iy++) {
          const row = plane + iy * w;
          for (let ix = x0; ix < x1; ix++) s += x[row + ix];
        }
        y[o] = s / (includePad ? kh * kw : (y1 - y0) * (x1 - x0));
      }
    }
  }
}

/** The transpose of `avgForward`: spreads each `ct[o] / divisor` over its window into `dx`. */
function avgBackward(ct: TypedArray, g: PoolGeometry, includePad: boolean, dx: TypedArray): void {
  const { planes, h, w, oh, ow, kh, kw, sh, sw, pt, pl } = g;
  const acc = new Float64Array(h * w);
  let o = 0;
  for (let pi = 0; pi < planes; pi++) {
    acc.fill(0);
    for (let yo = 0; yo < oh; yo++) {
      const y0 = Math.max(yo * sh - pt, 0);
      const y1 = Math.min(yo * sh - pt + kh, h);
      for (let xo = 0; xo < ow; xo++, o++) {
        const x0 = Math.max(xo * sw - pl, 0);
        const x1 = Math.min(xo * sw - pl + kw, w);
        const v = ct[o] / (includePad ? kh * kw : (y1 - y0) * (x1 - x0));
        for (let iy = y0; iy < y1; iy++) {
          const row = iy * w;
          for (let ix = x0; ix < x1; ix++) acc[row + ix] += v;
        }
      }
    }
    dx.set(acc, pi * h * w);
  }
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** CPU kernels for `maxPool2d`, `maxPool2dArgmax`, `avgPool2d` and `avgPool2dBackward`. */
export const poolKernels: CpuKernelTable<
  "maxPool2d" | "maxPool2dArgmax" | "avgPool2d" | "avgPool2dBackward"
> = {
  maxPool2d: ([x], p, out) => {
    const g = poolGeometry(x.shape, out.shape, p);
    if (x.storage instanceof Float32Array) {
      const n = g.planes * g.oh * g.ow;
      const y = allocate(out.dtype, n, false) as Float32Array;
      // The indices are scratch here; released at once rather than left to the collector.
      const idx = allocate("int32", n, false) as Int32Array;
      const ok = maxPoolF32(x.storage, g, idx, y);
      release(idx);
      if (ok) return y;
    }
    const idx = maxArgmax(x.storage, g);
    const y = allocate(out.dtype, idx.length, false);
    const perPlane = g.oh * g.ow;
    for (let o = 0; o < idx.length; o++) {
      y[o] = x.storage[Math.floor(o / perPlane) * g.h * g.w + idx[o]];
    }
    return y;
  },
  maxPool2dArgmax: ([x], p, out) => {
    const g = poolGeometry(x.shape, out.shape, p);
    if (x.storage instanceof Float32Array) {
      const idx = allocate("int32", g.planes * g.oh * g.ow, false) as Int32Array;
      if (maxPoolF32(x.storage, g, idx)) return idx;
    }
    return maxArgmax(x.storage, g);
  },
  avgPool2d: ([x], p, out) => {
    const y = allocate(out.dtype, size(out.shape), false);
    const g = poolGeometry(x.shape, out.shape, p);
    const simd = x.storage instanceof Float32Array &&
      avgPoolF32(x.storage, y as Float32Array, g, p.countIncludePad, false);
    if (!simd) avgForward(x.storage, g, p.countIncludePad, y);
    return y;
  },
  avgPool2dBackward: ([ct], p, out) => {
    const dx = allocate(out.dtype, size(out.shape), false);
    const g = poolGeometry(p.inputShape, ct.shape, p);
    const simd = ct.storage instanceof Float32Array &&
      avgPoolF32(ct.storage, dx as Float32Array, g, p.countIncludePad, true);
    if (!simd) avgBackward(ct.storage, g, p.countIncludePad, dx);
    return dx;
  },
};
