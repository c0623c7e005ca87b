/**
 * 2-D max pooling of float32 heap tensors on the WebAssembly kernels (`wasm/pool.c`), planes
 * split between the threads of the pool, picking the same winners as the TypeScript kernel; and
 * the scatterAdd its gradient uses; and average pooling with its gradient.
 *
 * @module
 */
import { freeScratch, heapAddress, heapF32, scratch, wasmHeap } from "./heap.ts";
import { runTasks, splitRange } from "./pool.ts";

/** Sizes of one pooling: input planes `[planes, h, w]`, output `[planes, oh, ow]`, window, stride
 * and top/left padding, in the order `wasm/pool.c` reads them. */
export interface PoolWords {
  readonly planes: number;
  readonly h: number;
  readonly w: number;
  readonly oh: number;
  readonly ow: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly pt: number;
  readonly pl: number;
}

/** Work (window taps) above which planes are split between threads. */
const PARALLEL_MIN_TAPS = 1 << 18;

/**
 * Writes each window's winner index into `idx` and (when given) its value into `y`; false
 * (having done nothing) when an operand is not in the heap.
 */
export function maxPoolF32(
  x: Float32Array,
  g: PoolWords,
  idx: Int32Array,
  y?: Float32Array,
): boolean {
  const heap = wasmHeap();
  const [px, pi] = [heapAddress(x), heapAddress(idx)];
  const py = y ? heapAddress(y) : 0;
  if (heap === undefined || px < 0 || pi < 0 || py < 0) return false;
  const gs = scratch(11 * 4);
  if (gs === undefined) return false;
  try {
    const { planes, h, w, oh, ow, kh, kw, sh, sw, pt, pl } = g;
    new Int32Array(heapF32().buffer, gs[0], 11).set([planes, h, w, oh, ow, kh, kw, sh, sw, pt, pl]);
    const share = planes * oh * ow * kh * kw >= PARALLEL_MIN_TAPS;
    runTasks(
      heap.kernels,
      splitRange(planes, 1, share).map(([p0, p1]) => ({
        kernel: "maxpool2d_f32",
        args: [gs[0], p0, p1, px, py, pi],
      })),
    );
    return true;
  } finally {
    freeScratch(gs);
  }
}

/**
 * `dst[(o*n + idx[b])*inner + i] += upd[b]` for `b = (o*m + j)*inner + i` (scatterAdd along the
 * middle axis) on heap arrays: -1 when done, the position of the first index outside `[-n, n)`,
 * or `undefined` (nothing done) when an operand lies elsewhere. Negative indices count from the
 * end.
 */
export function scatterAddF32(
  outer: number,
  n: number,
  m: number,
  inner: number,
  idx: Int32Array,
  upd: Float32Array,
  dst: Float32Array,
): number | undefined {
  const heap = wasmHeap();
  const [pi, pu, pd] = [heapAddress(idx), heapAddress(upd), heapAddress(dst)];
  if (heap === undefined || pi < 0 || pu < 0 || pd < 0 || !(idx instanceof Int32Array)) {
    return undefined;
  }
  return heap.kernels.scatter_add_f32(outer, n, m, inner, pi, pu, pd);
}

/**
 * Average pooling (`backward`: its gradient, from `src` = the output gradient into `dst` = the
 * input gradient) over float32 heap arrays, planes split between threads; bit-identical to the
 * TypeScript kernel (float64 sums). False, having done nothing, when an array lies elsewhere.
 */
export function avgPoolF32(
  src: Float32Array,
  dst: Float32Array,
  g: PoolWords,
  includePad: boolean,
  backward: boolean,
): boolean {
  const heap = wasmHeap();
  const [ps, pd] = [heapAddress(src), heapAddress(dst)];
  if (heap === undefined || ps < 0 || pd < 0) return false;
  const { planes, h, w, oh, ow, kh, kw, sh, sw, pt, pl } = g;
  const parts = splitRange(planes, 1, planes * oh * ow * kh * kw >= PARALLEL_MIN_TAPS);
  const s = scratch(11 * 4, ...parts.map(() => (backward ? h * w * 8 : 8)));
  if (s === undefined) return false;
  try {
    new Int32Array(heapF32().buffer, s[0], 11).set([planes, h, w, oh, ow, kh, kw, sh, sw, pt, pl]);
    runTasks(
      heap.kernels,
      parts.map(([p0, p1], t) => ({
        kernel: backward ? "avgpool2d_backward_f32" : "avgpool2d_f32",
        args: backward
          ? [s[0], p0, p1, ps, pd, +includePad, s[1 + t]]
          : [s[0], p0, p1, ps, pd, +includePad],
      })),
    );
    return true;
  } finally {
    freeScratch(s);
  }
}
