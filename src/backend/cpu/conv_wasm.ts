/**
 * float32 convolutions on the WebAssembly SIMD product: the same im2col / col2im unfolding as the
 * TypeScript kernels in `conv.ts`, with float32 scratch and `sgemm` for every block. Each returns
 * `undefined` where WebAssembly is unavailable, and the caller falls back.
 *
 * @module
 */
import type { ConvParams } from "../../core/primitives.ts";
import { col2im, convGeometry, im2col } from "./im2col.ts";
import { sgemm, wasmGemm } from "./wasm/gemm.ts";

/** y[n, g*og + o, p] = Σ_k w[g*og + o, k] · col_{n,g}[k, p]. */
export function conv2dF32(
  x: Float32Array,
  xShape: readonly number[],
  w: Float32Array,
  wShape: readonly number[],
  yShape: readonly number[],
  p: ConvParams,
): Float32Array | undefined {
  if (wasmGemm() === undefined) return undefined;
  const g = convGeometry(xShape, wShape, yShape, p);
  const kSize = g.cg * g.kh * g.kw;
  const pSize = g.oh * g.ow;
  const y = new Float32Array(g.n * g.o * pSize);
  const col = new Float32Array(kSize * pSize);
  for (let n = 0; n < g.n; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      im2col(x, (n * g.c + gi * g.cg) * g.h * g.w, g, col, pSize, 1);
      sgemm(
        g.og,
        pSize,
        kSize,
        w,
        gi * g.og * kSize,
        kSize,
        1,
        col,
        0,
        y,
        (n * g.o + gi * g.og) * pSize,
      );
    }
  }
  return y;
}

/** colGrad_{n,g}[k, p] = Σ_o w[g*og + o, k] · ct[n, g*og + o, p], folded back with col2im. */
export function conv2dBackwardInputF32(
  ct: Float32Array,
  ctShape: readonly number[],
  w: Float32Array,
  wShape: readonly number[],
  xShape: readonly number[],
  p: ConvParams,
): Float32Array | undefined {
  if (wasmGemm() === undefined) return undefined;
  const g = convGeometry(xShape, wShape, ctShape, p);
  const kSize = g.cg * g.kh * g.kw;
  const pSize = g.oh * g.ow;
  const dx = new Float32Array(g.n * g.c * g.h * g.w);
  const colGrad = new Float32Array(kSize * pSize);
  for (let n = 0; n < g.n; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      // A = w_g^T: row k, column o lives at w[(g*og + o)*K + k].
      sgemm(
        kSize,
        pSize,
        g.og,
        w,
        gi * g.og * kSize,
        1,
        kSize,
        ct,
        (n * g.o + gi * g.og) * pSize,
        colGrad,
        0,
      );
      col2im(colGrad, g, dx.subarray((n * g.c + gi * g.cg) * g.h * g.w));
    }
  }
  return dx;
}

/** dw[g*og + o, k] = Σ_n Σ_p ct[n, g*og + o, p] · colT_{n,g}[p, k]. */
export function conv2dBackwardFilterF32(
  x: Float32Array,
  xShape: readonly number[],
  ct: Float32Array,
  ctShape: readonly number[],
  wShape: readonly number[],
  p: ConvParams,
): Float32Array | undefined {
  if (wasmGemm() === undefined) return undefined;
  const g = convGeometry(xShape, wShape, ctShape, p);
  const kSize = g.cg * g.kh * g.kw;
  const pSize = g.oh * g.ow;
  const colT = new Float32Array(pSize * kSize);
  const dw = new Float32Array(g.o * kSize);
  for (let n = 0; n < g.n; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      im2col(x, (n * g.c + gi * g.cg) * g.h * g.w, g, colT, 1, kSize);
      const ctOff = (n * g.o + gi * g.og) * pSize;
      sgemm(g.og, kSize, pSize, ct, ctOff, pSize, 1, colT, 0, dw, gi * g.og * kSize, true);
    }
  }
  return dw;
}
