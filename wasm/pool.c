// 2-D max pooling (NCHW) over planes [p0, p1): the first maximum of each window clipped to the
// input in row-major order, or its first NaN, as the TypeScript kernel picks it; and the
// gradient, which adds each output's gradient to the input cell that won.

#include "kernels.h"

enum { PLANES, H, W, OH, OW, KH, KW, SH, SW, PT, PL };

// Candidate c (window position `at`) replaces the best so far where it is greater, or where it
// is NaN and the best is not: the first maximum in window order wins, or the first NaN.
static void take(v128_t c, v128_t at, v128_t* best, v128_t* bestAt) {
  v128_t m = wasm_v128_or(wasm_f32x4_gt(c, *best),
                          wasm_v128_and(wasm_f32x4_ne(c, c), wasm_f32x4_eq(*best, *best)));
  *best = wasm_v128_bitselect(c, *best, m);
  *bestAt = wasm_v128_bitselect(at, *bestAt, m);
}

// The common 2 x 2 window with stride 2 and no padding, four outputs at a time: the even and odd
// columns of two input rows are the four candidates, in window order.
static void pool2x2(int h, int w, int oh, int ow, const f32* plane, f32* y, int* idx) {
  for (int yo = 0; yo < oh; yo++) {
    const f32* r0 = plane + 2 * yo * w;
    const f32* r1 = r0 + w;
    f32* yr = y ? y + yo * ow : 0;
    int* ir = idx + yo * ow;
    int xo = 0;
    for (; xo + 4 <= ow; xo += 4) {
      v128_t a0 = wasm_v128_load(r0 + 2 * xo), a1 = wasm_v128_load(r0 + 2 * xo + 4);
      v128_t b0 = wasm_v128_load(r1 + 2 * xo), b1 = wasm_v128_load(r1 + 2 * xo + 4);
      v128_t at = wasm_i32x4_add(wasm_i32x4_splat(2 * yo * w + 2 * xo),
                                 wasm_i32x4_make(0, 2, 4, 6));
      v128_t best = wasm_i32x4_shuffle(a0, a1, 0, 2, 4, 6), bestAt = at;
      v128_t one = wasm_i32x4_splat(1), row = wasm_i32x4_splat(w);
      take(wasm_i32x4_shuffle(a0, a1, 1, 3, 5, 7), wasm_i32x4_add(at, one), &best, &bestAt);
      take(wasm_i32x4_shuffle(b0, b1, 0, 2, 4, 6), wasm_i32x4_add(at, row), &best, &bestAt);
      take(wasm_i32x4_shuffle(b0, b1, 1, 3, 5, 7), wasm_i32x4_add(at, wasm_i32x4_add(row, one)),
           &best, &bestAt);
      if (yr) wasm_v128_store(yr + xo, best);
      wasm_v128_store(ir + xo, bestAt);
    }
    for (; xo < ow; xo++) {
      int base = 2 * yo * w + 2 * xo, at = base;
      f32 best = plane[at];
      for (int q = 1; q < 4 && best == best; q++) {
        int c = base + (q & 1) + (q >> 1) * w;
        f32 v = plane[c];
        if (v > best || v != v) {
          best = v;
          at = c;
        }
      }
      ir[xo] = at;
      if (yr) yr[xo] = plane[at];
    }
  }
}

// idx[o] = h*W + w of the winner within its plane; y[o] = its value (y may be 0: indices only).
EXPORT(maxpool2d_f32)
void maxpool2d_f32(const int* g, int p0, int p1, const f32* x, f32* y, int* idx) {
  int h = g[H], w = g[W], oh = g[OH], ow = g[OW], kh = g[KH], kw = g[KW];
  int sh = g[SH], sw = g[SW], pt = g[PT], pl = g[PL];
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && pt == 0 && pl == 0 && 2 * oh <= h &&
      2 * ow <= w) {
    for (int pi = p0; pi < p1; pi++) {
      pool2x2(h, w, oh, ow, x + pi * h * w, y ? y + pi * oh * ow : 0, idx + pi * oh * ow);
    }
    return;
  }
  for (int pi = p0; pi < p1; pi++) {
    const f32* plane = x + pi * h * w;
    int o = pi * oh * ow;
    for (int yo = 0; yo < oh; yo++) {
      int y0 = yo * sh - pt, y1 = y0 + kh;
      if (y0 < 0) y0 = 0;
      if (y1 > h) y1 = h;
      for (int xo = 0; xo < ow; xo++, o++) {
        int x0 = xo * sw - pl, x1 = x0 + kw;
        if (x0 < 0) x0 = 0;
        if (x1 > w) x1 = w;
        int at = y0 * w + x0;
        f32 best = plane[at];
        if (best == best) {
          for (int iy = y0; iy < y1; iy++) {
            for (int ix = iy == y0 ? x0 + 1 : x0; ix < x1; ix++) {
              f32 v = plane[iy * w + ix];
              if (v > best) {
                best = v;
                at = iy * w + ix;
              } else if (v != v) {
                best = v;
                at = iy * w + ix;
                goto done;
              }
            }
          }
        }
      done:
        idx[o] = at;
        if (y) y[o] = plane[at];
      }
    }
  }
}

// dst[(o*n + idx[(o*m + j)*inner + i])*inner + i] += upd[(o*m + j)*inner + i]: scatterAdd of
// float32 updates with int32 indices along the middle axis, in the TypeScript kernel's order
// (the max-pooling gradient); negative indices count from the end. Returns -1, or the position
// in idx of the first index outside [-n, n), having stopped there.
EXPORT(scatter_add_f32)
int scatter_add_f32(int outer, int n, int m, int inner, const int* idx, const f32* upd,
                    f32* dst) {
  for (int o = 0; o < outer; o++) {
    f32* d = dst + o * n * inner;
    for (int j = 0; j < m; j++) {
      int b = (o * m + j) * inner;
      for (int i = 0; i < inner; i++) {
        int k = idx[b + i];
        if (k < 0) k += n;  // negative indices count from the end, as in the TypeScript kernel
        if (k < 0 || k >= n) return b + i;
        d[k * inner + i] += upd[b + i];
      }
    }
  }
  return -1;
}

// Average pooling over planes [p0, p1): each window clipped to the input, summed in float64 in
// row-major order and divided by kh * kw (include_pad) or the clipped window's size, as the
// TypeScript kernel does (so results are bit-identical).
EXPORT(avgpool2d_f32)
void avgpool2d_f32(const int* g, int p0, int p1, const f32* x, f32* y, int include_pad) {
  int h = g[H], w = g[W], oh = g[OH], ow = g[OW], kh = g[KH], kw = g[KW];
  int sh = g[SH], sw = g[SW], pt = g[PT], pl = g[PL];
  for (int pi = p0; pi < p1; pi++) {
    const f32* plane = x + pi * h * w;
    f32* out = y + pi * oh * ow;
    for (int yo = 0; yo < oh; yo++) {
      int y0 = yo * sh - pt, y1 = y0 + kh;
      if (y0 < 0) y0 = 0;
      if (y1 > h) y1 = h;
      for (int xo = 0; xo < ow; xo++) {
        int x0 = xo * sw - pl, x1 = x0 + kw;
        if (x0 < 0) x0 = 0;
        if (x1 > w) x1 = w;
        f64 s = 0;
        for (int iy = y0; iy < y1; iy++) {
          for (int ix = x0; ix < x1; ix++) s += plane[iy * w + ix];
        }
        f64 div = include_pad ? kh * kw : (y1 - y0) * (x1 - x0);
        out[yo * ow + xo] = (f32)(s / div);
      }
    }
  }
}

// The gradient of avgpool2d_f32: each ct[o] / divisor added over its window, in float64 per
// plane (`acc`: h * w doubles of scratch), then rounded into dx.
EXPORT(avgpool2d_backward_f32)
void avgpool2d_backward_f32(const int* g, int p0, int p1, const f32* ct, f32* dx,
                            int include_pad, f64* acc) {
  int h = g[H], w = g[W], oh = g[OH], ow = g[OW], kh = g[KH], kw = g[KW];
  int sh = g[SH], sw = g[SW], pt = g[PT], pl = g[PL];
  for (int pi = p0; pi < p1; pi++) {
    for (int i = 0; i < h * w; i++) acc[i] = 0;
    const f32* c = ct + pi * oh * ow;
    for (int yo = 0; yo < oh; yo++) {
      int y0 = yo * sh - pt, y1 = y0 + kh;
      if (y0 < 0) y0 = 0;
      if (y1 > h) y1 = h;
      for (int xo = 0; xo < ow; xo++) {
        int x0 = xo * sw - pl, x1 = x0 + kw;
        if (x0 < 0) x0 = 0;
        if (x1 > w) x1 = w;
        f64 div = include_pad ? kh * kw : (y1 - y0) * (x1 - x0);
        f64 v = c[yo * ow + xo] / div;
        for (int iy = y0; iy < y1; iy++) {
          for (int ix = x0; ix < x1; ix++) acc[iy * w + ix] += v;
        }
      }
    }
    f32* d = dx + pi * h * w;
    for (int i = 0; i < h * w; i++) d[i] = (f32)acc[i];
  }
}
