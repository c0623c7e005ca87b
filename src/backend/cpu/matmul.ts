/**
 * CPU kernel for batched matrix multiplication with broadcast batch dimensions, on the same
 * cache-friendly product (`gemmAcc`) as the convolutions.
 *
 * @module
 */
import { allocate } from "./alloc.ts";
import { asFloat64, gemmAcc } from "./im2col.ts";
import { broadcastStrides } from "../../core/shape.ts";
import type { CpuKernelTable } from "./kernel.ts";
import { sgemm, WASM_MIN_WORK } from "./wasm/gemm.ts";

/** CPU kernel of the `matmul` primitive. */
export const matmulKernels: CpuKernelTable<"matmul"> = {
  matmul: ([a, b], _p, out) => {
    const r = out.shape.length;
    const [m, n] = out.shape.slice(r - 2);
    const k = a.shape[r - 1];
    const batch = out.shape.slice(0, r - 2);
    const dst = allocate(out.dtype, out.shape.reduce((x, y) => x * y, 1), false);
    const sa = broadcastStrides(a.shape.slice(0, r - 2), batch).map((s) => s * m * k);
    const sb = broadcastStrides(b.shape.slice(0, r - 2), batch).map((s) => s * k * n);
    if (m * n === 0) return dst;
    const count0 = batch.reduce((x, y) => x * y, 1);
    if (
      dst instanceof Float32Array && a.storage instanceof Float32Array &&
      b.storage instanceof Float32Array && m * n * k >= WASM_MIN_WORK &&
      matmulWasm(a.storage, b.storage, dst, m, n, k, batch, sa, sb, count0)
    ) {
      return dst;
    }
    // Products accumulate in float64 (exact for int32) and are rounded once into the output.
    const av = asFloat64(a.storage);
    const bv = asFloat64(b.storage);
    const acc = new Float64Array(m * n);
    for (let t = 0; t < count0; t++) {
      const [oa, ob] = batchOffsets(t, batch, sa, sb);
      acc.fill(0);
      gemmAcc(m, n, k, av, oa, k, 1, bv, ob, acc, 0);
      dst.set(acc, t * m * n);
    }
    return dst;
  },
};

/** Offsets of batch element `t` in each operand (broadcast dimensions have stride 0). */
function batchOffsets(
  t: number,
  batch: readonly number[],
  sa: readonly number[],
  sb: readonly number[],
): [number, number] {
  let rem = t, oa = 0, ob = 0;
  for (let d = batch.length - 1; d >= 0; d--) {
    const i = rem % batch[d];
    rem = (rem - i) / batch[d];
    oa += i * sa[d];
    ob += i * sb[d];
  }
  return [oa, ob];
}

/** float32 products through the WebAssembly SIMD kernel; false where it is unavailable. */
function matmulWasm(
  a: Float32Array,
  b: Float32Array,
  dst: Float32Array,
  m: number,
  n: number,
  k: number,
  batch: readonly number[],
  sa: readonly number[],
  sb: readonly number[],
  count: number,
): boolean {
  for (let t = 0; t < count; t++) {
    const [oa, ob] = batchOffsets(t, batch, sa, sb);
    if (!sgemm(m, n, k, a, oa, k, 1, b, ob, dst, t * m * n)) return false;
  }
  return true;
}
