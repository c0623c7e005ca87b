/**
 * CPU kernels for `conv2d` and its two gradients (PyTorch semantics: cross-correlation, NCHW
 * input, OIHW filter, zero padding, stride, dilation, groups). Each (image, group) block is
 * unfolded with im2col into a float64 scratch matrix and multiplied with a small cache-friendly
 * product; sums are accumulated in float64 and rounded once into the output dtype.
 *
 * @module
 */
import { allocate } from "./alloc.ts";
import type { CpuKernelTable } from "./kernel.ts";
import { asFloat64, col2im, convGeometry, gemmAcc, im2col } from "./im2col.ts";
import { conv2dBackwardFilterF32, conv2dBackwardInputF32, conv2dF32 } from "./wasm/conv.ts";

const f32 = (...xs: unknown[]): boolean => xs.every((x) => x instanceof Float32Array);

/** CPU kernels for `conv2d`, `conv2dBackwardInput` and `conv2dBackwardFilter`. */
export const convKernels: CpuKernelTable<
  "conv2d" | "conv2dBackwardInput" | "conv2dBackwardFilter"
> = {
  // y[n, g*og + o, p] = Σ_k w[g*og + o, k] · col_{n,g}[k, p]
  conv2d: ([x, f], p, out) => {
    if (f32(x.storage, f.storage)) {
      const y = conv2dF32(
        x.storage as Float32Array,
        x.shape,
        f.storage as Float32Array,
        f.shape,
        out.shape,
        p,
      );
      if (y) return y;
    }
    const g = convGeometry(x.shape, f.shape, out.shape, p);
    const kSize = g.cg * g.kh * g.kw;
    const pSize = g.oh * g.ow;
    const y = allocate(out.dtype, out.shape.reduce((a, b) => a * b, 1));
    const w = asFloat64(f.storage);
    const col = new Float64Array(kSize * pSize);
    const acc = new Float64Array(g.og * pSize);
    for (let n = 0; n < g.n; n++) {
      for (let gi = 0; gi < g.groups; gi++) {
        im2col(x.storage, (n * g.c + gi * g.cg) * g.h * g.w, g, col, pSize, 1);
        acc.fill(0);
        gemmAcc(g.og, pSize, kSize, w, gi * g.og * kSize, kSize, 1, col, 0, acc, 0);
        y.set(acc, (n * g.o + gi * g.og) * pSize);
      }
    }
    return y;
  },

  // colGrad_{n,g}[k, p] = Σ_o w[g*og + o, k] · ct[n, g*og + o, p], folded back with col2im.
  conv2dBackwardInput: ([ct, f], p, out) => {
    if (f32(ct.storage, f.storage)) {
      const dx = conv2dBackwardInputF32(
        ct.storage as Float32Array,
        ct.shape,
        f.storage as Float32Array,
        f.shape,
        p.inputShape,
        p,
      );
      if (dx) return dx;
    }
    const g = convGeometry(p.inputShape, f.shape, ct.shape, p);
    const kSize = g.cg * g.kh * g.kw;
    const pSize = g.oh * g.ow;
    const blockSize = g.cg * g.h * g.w;
    const dx = allocate(out.dtype, g.n * g.c * g.h * g.w);
    const w = asFloat64(f.storage);
    const dy = asFloat64(ct.storage);
    const colGrad = new Float64Array(kSize * pSize);
    const block = new Float64Array(blockSize);
    for (let n = 0; n < g.n; n++) {
      for (let gi = 0; gi < g.groups; gi++) {
        colGrad.fill(0);
        const ctOff = (n * g.o + gi * g.og) * pSize;
        // A = w_g^T: row k, column o lives at w[(g*og + o)*K + k].
        const wOff = gi * g.og * kSize;
        gemmAcc(kSize, pSize, g.og, w, wOff, 1, kSize, dy, ctOff, colGrad, 0);
        block.fill(0);
        col2im(colGrad, g, block);
        dx.set(block, (n * g.c + gi * g.cg) * g.h * g.w);
      }
    }
    return dx;
  },

  // dw[g*og + o, k] = Σ_n Σ_p ct[n, g*og + o, p] · colT_{n,g}[p, k]
  conv2dBackwardFilter: ([x, ct], p, out) => {
    if (f32(x.storage, ct.storage)) {
      const dw = conv2dBackwardFilterF32(
        x.storage as Float32Array,
        x.shape,
        ct.storage as Float32Array,
        ct.shape,
        p.filterShape,
        p,
      );
      if (dw) return dw;
    }
    const g = convGeometry(x.shape, p.filterShape, ct.shape, p);
    const kSize = g.cg * g.kh * g.kw;
    const pSize = g.oh * g.ow;
    const dy = asFloat64(ct.storage);
    const colT = new Float64Array(pSize * kSize);
    const acc = new Float64Array(g.o * kSize);
    for (let n = 0; n < g.n; n++) {
      for (let gi = 0; gi < g.groups; gi++) {
        im2col(x.storage, (n * g.c + gi * g.cg) * g.h * g.w, g, colT, 1, kSize);
        const ctOff = (n * g.o + gi * g.og) * pSize;
        gemmAcc(g.og, kSize, pSize, dy, ctOff, pSize, 1, colT, 0, acc, gi * g.og * kSize);
      }
    }
    const dw = allocate(out.dtype, acc.length);
    dw.set(acc);
    return dw;
  },
};
