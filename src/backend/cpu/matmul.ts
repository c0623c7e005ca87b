/**
 * CPU kernel for batched matrix multiplication with broadcast batch dimensions.
 *
 * @module
 */
import { allocate, type TypedArray } from "../../core/dtype.ts";
import { broadcastStrides } from "../../core/shape.ts";
import type { CpuKernelTable } from "./kernel.ts";
import { forEachRow } from "./strided.ts";

/**
 * `out[oo + i*n + j] += sum_k a[ao + i*k + kk] * b[bo + kk*n + j]` for one [m,k] x [k,n] product,
 * in i-k-j order so the innermost loop walks `b` and `out` contiguously. Blocks over k keep a
 * panel of `b` in cache for large matrices. Zeros of `a` are skipped (sparse activations after
 * relu) unless `skipZeros` is false, which callers need when `b` may hold NaN or infinities.
 */
export function gemm(
  a: TypedArray,
  ao: number,
  b: TypedArray,
  bo: number,
  out: TypedArray,
  oo: number,
  m: number,
  k: number,
  n: number,
  skipZeros = true,
): void {
  const KB = 256;
  for (let k0 = 0; k0 < k; k0 += KB) {
    const k1 = Math.min(k, k0 + KB);
    for (let i = 0; i < m; i++) {
      const arow = ao + i * k;
      const orow = oo + i * n;
      for (let kk = k0; kk < k1; kk++) {
        const aik = a[arow + kk];
        if (aik === 0 && skipZeros) continue;
        const brow = bo + kk * n;
        for (let j = 0; j < n; j++) out[orow + j] += aik * b[brow + j];
      }
    }
  }
}

/** CPU kernel of the `matmul` primitive. */
export const matmulKernels: CpuKernelTable<"matmul"> = {
  matmul: ([a, b], _p, out) => {
    const r = out.shape.length;
    const [m, n] = out.shape.slice(r - 2);
    const k = a.shape[r - 1];
    const batch = out.shape.slice(0, r - 2);
    const dst = allocate(out.dtype, out.shape.reduce((x, y) => x * y, 1));
    const sa = broadcastStrides(a.shape.slice(0, r - 2), batch).map((s) => s * m * k);
    const sb = broadcastStrides(b.shape.slice(0, r - 2), batch).map((s) => s * k * n);
    // Visit batch elements as "rows" of a shape with a trailing 1, so offsets index matrices.
    const shape = [...batch, 1];
    let t = 0;
    if (m * n === 0) return dst;
    // The zero-skip in gemm would drop NaN * 0 = NaN; only skip when b is all finite.
    const bFinite = b.storage.every(Number.isFinite);
    forEachRow(shape, [[...sa, 0], [...sb, 0]], (_o, [oa, ob]) => {
      gemm(a.storage, oa, b.storage, ob, dst, t * m * n, m, k, n, bFinite);
      t++;
    });
    return dst;
  },
};
