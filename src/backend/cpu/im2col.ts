/**
 * Helpers shared by the CPU convolution kernels: window geometry, im2col / col2im and a small
 * cache-friendly matrix product. Internal to the CPU backend.
 *
 * @module
 */
import type { TypedArray } from "../../core/dtype.ts";
import type { ConvParams } from "../../core/primitives.ts";

/** Sizes of one convolution: input `[n,c,h,w]`, filter `[o,cg,kh,kw]`, output `[n,o,oh,ow]`. */
export interface ConvGeometry {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly o: number;
  readonly groups: number;
  /** Input channels per group. */
  readonly cg: number;
  /** Output channels per group. */
  readonly og: number;
  readonly kh: number;
  readonly kw: number;
  readonly oh: number;
  readonly ow: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  /** Top padding. */
  readonly pt: number;
  /** Left padding. */
  readonly pl: number;
}

/** The geometry of a convolution from its input, filter and output shapes (assumed valid). */
export function convGeometry(
  x: readonly number[],
  f: readonly number[],
  y: readonly number[],
  p: ConvParams,
): ConvGeometry {
  return {
    n: x[0],
    c: x[1],
    h: x[2],
    w: x[3],
    o: f[0],
    groups: p.groups,
    cg: f[1],
    og: f[0] / p.groups,
    kh: f[2],
    kw: f[3],
    oh: y[2],
    ow: y[3],
    sh: p.stride[0],
    sw: p.stride[1],
    dh: p.dilation[0],
    dw: p.dilation[1],
    pt: p.padding[0],
    pl: p.padding[2],
  };
}

/**
 * `t` as a `Float64Array`: itself when it already is one (callers only read it), else a copy.
 * Keeping every operand of `gemmAcc` a `Float64Array` keeps its loops monomorphic (faster in V8).
 */
export function asFloat64(t: TypedArray): Float64Array {
  return t instanceof Float64Array ? t : new Float64Array(t);
}

/**
 * Unfolds the `cg` channels of one (image, group) block of `x`, starting at `xOff`, into `col`:
 * patch row `k = (c*kh + i)*kw + j` and output position `p = y*ow + x` go to
 * `col[k*kStride + p*pStride]` (zero where the tap falls in the padding). With `kStride = oh*ow,
 * pStride = 1` the layout is `[K, P]`; with `kStride = 1, pStride = K` it is `[P, K]`.
 */
export function im2col(
  x: TypedArray,
  xOff: number,
  g: ConvGeometry,
  col: Float64Array | Float32Array,
  kStride: number,
  pStride: number,
): void {
  const { cg, h, w, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl } = g;
  for (let c = 0; c < cg; c++) {
    const plane = xOff + c * h * w;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const kBase = ((c * kh + i) * kw + j) * kStride;
        const dx = j * dw - pl;
        for (let y = 0; y < oh; y++) {
          const iy = y * sh - pt + i * dh;
          const rowBase = kBase + y * ow * pStride;
          if (iy < 0 || iy >= h) {
            for (let xo = 0; xo < ow; xo++) col[rowBase + xo * pStride] = 0;
            continue;
          }
          const xBase = plane + iy * w;
          for (let xo = 0; xo < ow; xo++) {
            const ix = xo * sw + dx;
            col[rowBase + xo * pStride] = ix >= 0 && ix < w ? x[xBase + ix] : 0;
          }
        }
      }
    }
  }
}

/**
 * The transpose of `im2col` in the `[K, P]` layout: adds every entry of `col` into the input cell
 * of `dx` (one (image, group) block of `cg` planes) its tap reads; padding taps are dropped.
 */
export function col2im(
  col: Float64Array | Float32Array,
  g: ConvGeometry,
  dx: Float64Array | Float32Array,
): void {
  const { cg, h, w, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl } = g;
  const pSize = oh * ow;
  for (let c = 0; c < cg; c++) {
    const plane = c * h * w;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const kBase = ((c * kh + i) * kw + j) * pSize;
        const dxo = j * dw - pl;
        for (let y = 0; y < oh; y++) {
          const iy = y * sh - pt + i * dh;
          if (iy < 0 || iy >= h) continue;
          const rowBase = kBase + y * ow;
          const xBase = plane + iy * w;
          for (let xo = 0; xo < ow; xo++) {
            const ix = xo * sw + dxo;
            if (ix >= 0 && ix < w) dx[xBase + ix] += col[rowBase + xo];
          }
        }
      }
    }
  }
}

/**
 * Accumulating matrix product `C += A·B` with `A` `[m, k]` read through strides (so a transpose
 * costs nothing): `c[cOff + i*n + j] += Σ_t a[aOff + i*aRow + t*aCol] * b[bOff + t*n + j]`.
 * Four rows of `C` and two rows of `B` are handled per pass (i-k-j order), so the inner loop
 * streams contiguous rows and reuses each loaded `B` element four times.
 */
export function gemmAcc(
  m: number,
  n: number,
  k: number,
  a: Float64Array,
  aOff: number,
  aRow: number,
  aCol: number,
  b: Float64Array,
  bOff: number,
  c: Float64Array,
  cOff: number,
): void {
  const bRow = (t: number) => b.subarray(bOff + t * n, bOff + t * n + n);
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const r = cOff + i * n;
    const c0 = c.subarray(r, r + n);
    const c1 = c.subarray(r + n, r + 2 * n);
    const c2 = c.subarray(r + 2 * n, r + 3 * n);
    const c3 = c.subarray(r + 3 * n, r + 4 * n);
    const ai = aOff + i * aRow;
    let t = 0;
    for (; t + 1 < k; t += 2) {
      const p = ai + t * aCol, q = p + aCol;
      const v0 = a[p], v1 = a[p + aRow], v2 = a[p + 2 * aRow], v3 = a[p + 3 * aRow];
      const u0 = a[q], u1 = a[q + aRow], u2 = a[q + 2 * aRow], u3 = a[q + 3 * aRow];
      const b0 = bRow(t), b1 = bRow(t + 1);
      for (let j = 0; j < n; j++) {
        const x = b0[j], y = b1[j];
        c0[j] += v0 * x + u0 * y;
        c1[j] += v1 * x + u1 * y;
        c2[j] += v2 * x + u2 * y;
        c3[j] += v3 * x + u3 * y;
      }
    }
    if (t < k) {
      const p = ai + t * aCol;
      const v0 = a[p], v1 = a[p + aRow], v2 = a[p + 2 * aRow], v3 = a[p + 3 * aRow];
      const b0 = bRow(t);
      for (let j = 0; j < n; j++) {
        const x = b0[j];
        c0[j] += v0 * x;
        c1[j] += v1 * x;
        c2[j] += v2 * x;
        c3[j] += v3 * x;
      }
    }
  }
  for (; i < m; i++) {
    const ci = c.subarray(cOff + i * n, cOff + i * n + n);
    const ai = aOff + i * aRow;
    for (let t = 0; t < k; t++) {
      const v = a[ai + t * aCol];
      const bt = bRow(t);
      for (let j = 0; j < n; j++) ci[j] += v * bt[j];
    }
  }
}
