/**
 * CPU kernel for batched matrix multiplication with broadcast batch dimensions, on the same
 * cache-friendly product (`gemmAcc`) as the convolutions.
 *
 * @module
 */
import { allocate } from "../../core/dtype.ts";
import { asFloat64, gemmAcc } from "./im2col.ts";
import { broadcastStrides } from "../../core/shape.ts";
import type { CpuKernelTable } from "./kernel.ts";
import { forEachRow } from "./strided.ts";

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
    // Products accumulate in float64 (exact for int32) and are rounded once into the output.
    const av = asFloat64(a.storage);
    const bv = asFloat64(b.storage);
    const acc = new Float64Array(m * n);
    forEachRow(shape, [[...sa, 0], [...sb, 0]], (_o, [oa, ob]) => {
      acc.fill(0);
      gemmAcc(m, n, k, av, oa, k, 1, bv, ob, acc, 0);
      dst.set(acc, t * m * n);
      t++;
    });
    return dst;
  },
};
