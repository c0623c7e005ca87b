/**
 * CPU kernels for the movement primitives: reshape, transpose, broadcastTo, slice, pad, concat,
 * gather and scatterAdd. Results are contiguous copies, except reshape, which shares its input's
 * storage (safe because storage is never mutated).
 *
 * @module
 */
import type { TypedArray } from "../../core/dtype.ts";
import { allocate, isLive, release } from "./alloc.ts";
import { transposeF32 } from "./wasm/elementwise.ts";
import { scatterAddF32 } from "./wasm/pool2d.ts";
import {
  broadcastStrides,
  fmtShape,
  type Shape,
  shapesEqual,
  sizeOf,
  stridesOf,
} from "../../core/shape.ts";
import type { CpuInput, CpuKernelTable } from "./kernel.ts";
import { forEachRow } from "./strided.ts";

/** Copies `src` read through `strides` starting at `offset` into a new contiguous array. */
function stridedCopy(
  src: TypedArray,
  offset: number,
  strides: readonly number[],
  shape: Shape,
  dst: TypedArray,
): TypedArray {
  forEachRow(shape, [strides], (o, [oi], n, [step]) => {
    const start = offset + oi;
    if (step === 1) dst.set(src.subarray(start, start + n), o);
    else for (let i = 0; i < n; i++) dst[o + i] = src[start + i * step];
  });
  return dst;
}

/** Splits a shape around `axis` into (outer, size, inner) element counts. */
function around(shape: Shape, axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

/** Checks an index against [-size, size) and wraps a negative one (counting from the end). */
function checkIndex(op: string, v: number, size: number, axis: number, shape: Shape): number {
  if (v < -size || v >= size) {
    throw new RangeError(
      `${op}: index ${v} is out of range for axis ${axis} of size ${size} (shape ${
        fmtShape(shape)
      })`,
    );
  }
  return v < 0 ? v + size : v;
}

/** The storage each float32 swap of the last two axes was made from, and the shape it made. */
const transposedFrom = new WeakMap<TypedArray, { source: TypedArray; shape: readonly number[] }>();

/** CPU kernels of the movement primitives. */
export const movementKernels: CpuKernelTable<
  "reshape" | "transpose" | "broadcastTo" | "slice" | "pad" | "concat" | "gather" | "scatterAdd"
> = {
  reshape: ([x]) => x.storage,
  transpose: ([x], p, out) => {
    const r = p.perm.length;
    // Swapping the last two axes of float32 heap data: 4 x 4 tiles in WebAssembly SIMD.
    if (
      r >= 2 && x.storage instanceof Float32Array && p.perm[r - 2] === r - 1 &&
      p.perm[r - 1] === r - 2 && p.perm.slice(0, r - 2).every((a, i) => a === i)
    ) {
      // Transposing back what was just transposed (a linear layer's weight in its backward
      // pass) gives the original storage, while it is live: storage never changes.
      // The memo holds the shape the transpose produced: a reshape shares storage under
      // another shape, and then it does not apply.
      const back = transposedFrom.get(x.storage);
      if (back !== undefined && shapesEqual(back.shape, x.shape) && isLive(back.source)) {
        return back.source;
      }
      const dst = allocate(x.dtype, x.storage.length, false) as Float32Array;
      const [rows, cols] = x.shape.slice(r - 2);
      if (transposeF32(x.storage, dst, x.storage.length / (rows * cols || 1), rows, cols)) {
        transposedFrom.set(dst, { source: x.storage, shape: out.shape });
        return dst;
      }
      release(dst);
    }
    const s = stridesOf(x.shape);
    return stridedCopy(
      x.storage,
      0,
      p.perm.map((a) => s[a]),
      out.shape,
      allocate(x.dtype, x.storage.length, false),
    );
  },
  broadcastTo: ([x], _p, out) =>
    stridedCopy(
      x.storage,
      0,
      broadcastStrides(x.shape, out.shape),
      out.shape,
      allocate(x.dtype, sizeOf(out.shape), false),
    ),
  slice: ([x], p, out) => {
    const s = stridesOf(x.shape);
    const offset = p.starts.reduce((o, st, i) => o + st * s[i], 0);
    const strides = s.map((st, i) => st * p.steps[i]);
    return stridedCopy(
      x.storage,
      offset,
      strides,
      out.shape,
      allocate(x.dtype, sizeOf(out.shape), false),
    );
  },
  pad: ([x], p, out) => {
    const dst = allocate(x.dtype, sizeOf(out.shape));
    if (p.value !== 0) dst.fill(p.value);
    // Input element i lands at lo + i * (interior + 1) along every axis; negative widths crop, so
    // only the box of input elements landing inside the output is copied.
    const os = stridesOf(out.shape);
    const xs = stridesOf(x.shape);
    const box: number[] = [];
    let srcOffset = 0, dstOffset = 0;
    for (let d = 0; d < x.shape.length; d++) {
      const [lo, , interior] = p.widths[d];
      const step = interior + 1;
      const first = Math.max(0, Math.ceil(-lo / step));
      const end = Math.min(x.shape[d], Math.floor((out.shape[d] - 1 - lo) / step) + 1);
      box.push(Math.max(0, end - first));
      srcOffset += first * xs[d];
      dstOffset += (lo + first * step) * os[d];
    }
    if (sizeOf(box) === 0) return dst;
    const steps = os.map((st, i) => st * (p.widths[i][2] + 1));
    const src = x.storage;
    forEachRow(box, [xs, steps], (_o, [so, oo], n, [ss, step]) => {
      for (let i = 0; i < n; i++) dst[dstOffset + oo + i * step] = src[srcOffset + so + i * ss];
    });
    return dst;
  },
  concat: (xs: readonly CpuInput[], p, out) => {
    const dst = allocate(out.dtype, sizeOf(out.shape), false);
    const [outer, total, inner] = around(out.shape, p.axis);
    let at = 0;
    for (const x of xs) {
      const chunk = x.shape[p.axis] * inner;
      for (let o = 0; o < outer; o++) {
        dst.set(x.storage.subarray(o * chunk, (o + 1) * chunk), o * total * inner + at);
      }
      at += chunk;
    }
    return dst;
  },
  gather: ([x, idx], p, out) => {
    const [outer, n, inner] = around(x.shape, p.axis);
    const m = idx.shape[p.axis];
    const dst = allocate(out.dtype, sizeOf(out.shape), false);
    const src = x.storage;
    const ix = idx.storage;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        const base = (o * m + j) * inner;
        for (let i = 0; i < inner; i++) {
          const k = checkIndex("gather", ix[base + i], n, p.axis, x.shape);
          dst[base + i] = src[(o * n + k) * inner + i];
        }
      }
    }
    return dst;
  },
  scatterAdd: ([base, idx, upd], p) => {
    const [outer, n, inner] = around(base.shape, p.axis);
    const m = idx.shape[p.axis];
    const dst = allocate(base.dtype, base.storage.length, false);
    dst.set(base.storage);
    const ix = idx.storage;
    const u = upd.storage;
    if (dst instanceof Float32Array) {
      const bad = scatterAddF32(outer, n, m, inner, ix as Int32Array, u as Float32Array, dst);
      if (bad === -1) return dst;
      // Throws the TypeScript kernel's error for the first index out of range.
      if (bad !== undefined) {
        checkIndex("scatterAdd", ix[bad], n, p.axis, base.shape);
        throw new Error(`scatterAdd: index ${ix[bad]} rejected by the WebAssembly kernel`);
      }
    }
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        const b = (o * m + j) * inner;
        for (let i = 0; i < inner; i++) {
          const k = checkIndex("scatterAdd", ix[b + i], n, p.axis, base.shape);
          dst[(o * n + k) * inner + i] += u[b + i];
        }
      }
    }
    return dst;
  },
};
