/**
 * Row loops of the float32 elementwise primitives on the WebAssembly SIMD kernels
 * (`wasm/elementwise.c`), for operands that live in the WebAssembly heap. Each returns a loop
 * with the TypeScript kernels' signature (offsets and strides in elements), or `undefined` when
 * the op has no WebAssembly kernel or an operand lies elsewhere; short rows go to `fallback`,
 * where a call into WebAssembly would cost more than it saves. Results are bit-identical to the
 * TypeScript kernels'.
 *
 * @module
 */
import type { BinaryPrim, ComparePrim, UnaryPrim } from "../../../core/primitives.ts";
import type { AdamConstants } from "../../backend.ts";
import { heapAddress, heapArray, type Kernels, releaseView, wasmHeap } from "./heap.ts";
import { runTasks, splitRange, type TaskKernel } from "./pool.ts";

/** `o[oo + i] = op(x[xo + i*xs], y[yo + i*ys])` for `i < n`, as in `cpu/elementwise.ts`. */
export type Row<X, Y, O> = (
  x: X,
  xo: number,
  xs: number,
  y: Y,
  yo: number,
  ys: number,
  o: O,
  oo: number,
  n: number,
) => void;

/** Rows shorter than this run in TypeScript. */
const MIN_ROW = 16;
/** Rows of at least this many elements are split between the threads of the pool. */
const PARALLEL_MIN_ROW = 1 << 18;

/**
 * Runs `kernel` over a row of `n` elements: on the calling thread, or for long rows in chunks
 * (multiples of 16) on every thread, `args(i0, count)` giving each chunk's arguments.
 */
function rowTasks(
  kernels: Kernels,
  kernel: TaskKernel,
  n: number,
  args: (i0: number, count: number) => number[],
): void {
  if (n < PARALLEL_MIN_ROW) {
    (kernels[kernel] as (...a: number[]) => void)(...args(0, n));
    return;
  }
  runTasks(
    kernels,
    splitRange(n, 16, true).map(([i0, i1]) => ({ kernel, args: args(i0, i1 - i0) })),
  );
}

/** The op codes of `wasm/elementwise.c` (and `wasm/program.c`, offset by 10). */
export const BINARY: Partial<Record<BinaryPrim, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
};
/** The comparison codes of `wasm/elementwise.c` (and `wasm/program.c`, offset by 20). */
export const COMPARE: Record<ComparePrim, number> = {
  equal: 0,
  notEqual: 1,
  greater: 2,
  greaterEqual: 3,
  less: 4,
  lessEqual: 5,
};
/** The unary op codes of `wasm/elementwise.c` (and `wasm/program.c`). */
export const UNARY: Partial<Record<UnaryPrim, number>> = {
  neg: 0,
  abs: 1,
  sqrt: 2,
  relu: 3,
  floor: 4,
  ceil: 5,
  round: 6,
};

/** Byte addresses of `arrays` in the heap, or undefined if one lies elsewhere. */
function addresses(...arrays: ArrayBufferView[]): number[] | undefined {
  const out = arrays.map(heapAddress);
  return out.every((a) => a >= 0) ? out : undefined;
}

/** The float32 row loop of binary `op` over heap operands `x`, `y` into `o`. */
export function binaryRow<A extends Float32Array>(
  op: BinaryPrim,
  x: A,
  y: A,
  o: A,
  fallback: Row<A, A, A>,
): Row<A, A, A> | undefined {
  const code = BINARY[op];
  const heap = wasmHeap();
  const at = addresses(x, y, o);
  if (code === undefined || heap === undefined || at === undefined) return undefined;
  const [px, py, po] = at, k = heap.kernels;
  return (x, xo, xs, y, yo, ys, o, oo, n) => {
    if (n < MIN_ROW || xs > 1 || ys > 1) fallback(x, xo, xs, y, yo, ys, o, oo, n);
    else {
      rowTasks(k, "binary_f32", n, (i, c) => [
        code,
        c,
        px + 4 * (xo + i * xs),
        xs,
        py + 4 * (yo + i * ys),
        ys,
        po + 4 * (oo + i),
      ]);
    }
  };
}

/** The row loop of comparison `op` over float32 heap operands into bool `o`. */
export function compareRow<A extends Float32Array, O extends Uint8Array>(
  op: ComparePrim,
  x: A,
  y: A,
  o: O,
  fallback: Row<A, A, O>,
): Row<A, A, O> | undefined {
  const heap = wasmHeap();
  const at = addresses(x, y, o);
  if (heap === undefined || at === undefined) return undefined;
  const [px, py, po] = at, k = heap.kernels, code = COMPARE[op];
  return (x, xo, xs, y, yo, ys, o, oo, n) => {
    if (n < MIN_ROW || xs > 1 || ys > 1) fallback(x, xo, xs, y, yo, ys, o, oo, n);
    else {
      rowTasks(k, "compare_f32", n, (i, c) => [
        code,
        c,
        px + 4 * (xo + i * xs),
        xs,
        py + 4 * (yo + i * ys),
        ys,
        po + oo + i,
      ]);
    }
  };
}

/**
 * `o[oo + i] = c[oc + i] ? a[oa + i*as] : b[ob + i*bs]` for `i < n` over float32 heap operands
 * (`as`, `bs` 0 or 1), or `undefined` when an operand lies elsewhere.
 */
export function whereRow(
  c: Uint8Array,
  a: Float32Array,
  b: Float32Array,
  o: Float32Array,
):
  | ((oc: number, oa: number, as: number, ob: number, bs: number, oo: number, n: number) => void)
  | undefined {
  const heap = wasmHeap();
  const at = addresses(c, a, b, o);
  if (heap === undefined || at === undefined) return undefined;
  const [pc, pa, pb, po] = at, k = heap.kernels;
  return (oc, oa, as, ob, bs, oo, n) =>
    rowTasks(k, "where_f32", n, (i, c) => [
      c,
      pc + oc + i,
      1,
      pa + 4 * (oa + i * as),
      as,
      pb + 4 * (ob + i * bs),
      bs,
      po + 4 * (oo + i),
    ]);
}

/** `dst[b, j, i] = src[b, i, j]` for float32 heap arrays; false when one lies elsewhere. */
export function transposeF32(
  src: Float32Array,
  dst: Float32Array,
  batch: number,
  rows: number,
  cols: number,
): boolean {
  const heap = wasmHeap();
  const at = addresses(src, dst);
  if (heap === undefined || at === undefined) return false;
  heap.kernels.transpose_f32(batch, rows, cols, at[0], at[1]);
  return true;
}

/** `o = op(x)` elementwise for float32 heap arrays; false when `op` or an operand does not fit. */
export function unaryF32(op: UnaryPrim, x: Float32Array, o: Float32Array): boolean {
  const code = UNARY[op];
  const heap = wasmHeap();
  const at = addresses(x, o);
  if (code === undefined || heap === undefined || at === undefined || o.length < MIN_ROW) {
    return false;
  }
  rowTasks(heap.kernels, "unary_f32", o.length, (i, c) => [code, c, at[0] + 4 * i, at[1] + 4 * i]);
  return true;
}

/**
 * Fills float32 heap array `out` with the uniform numbers of `uniformBits` for `key` (the same
 * bits, four Threefry counters per SIMD step); false when `out` lies elsewhere.
 */
export function uniformF32(key: readonly [number, number], out: Float32Array): boolean {
  const heap = wasmHeap();
  const at = addresses(out);
  if (heap === undefined || at === undefined) return false;
  heap.kernels.uniform_f32(key[0], key[1], out.length, at[0]);
  return true;
}

/**
 * One fused Adam step over float32 heap arrays (see `AdamConstants`): new arrays for the update
 * and both moments, bit-identical to the composed primitives; `undefined` when an operand lies
 * elsewhere or the heap cannot hold the outputs.
 */
export function adamF32(
  g: Float32Array,
  mu: Float32Array,
  nu: Float32Array,
  c: AdamConstants,
): [Float32Array, Float32Array, Float32Array] | undefined {
  const heap = wasmHeap();
  const n = g.length;
  const at = addresses(g, mu, nu);
  if (heap === undefined || at === undefined || n < MIN_ROW) return undefined;
  const outs = [0, 1, 2].map(() => heapArray(Float32Array, n, false));
  const [u, mu2, nu2] = outs;
  if (u === undefined || mu2 === undefined || nu2 === undefined) {
    for (const o of outs) if (o) releaseView(o);
    return undefined;
  }
  heap.kernels.adam_f32(
    n,
    at[0],
    at[1],
    at[2],
    heapAddress(u),
    heapAddress(mu2),
    heapAddress(nu2),
    c.beta1,
    c.oneMinusBeta1,
    c.beta2,
    c.oneMinusBeta2,
    c.bc2Sqrt,
    c.eps,
    c.negStepSize,
    +c.negate,
  );
  return [u, mu2, nu2];
}
