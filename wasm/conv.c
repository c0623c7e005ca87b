// 2-D convolutions (NCHW, grouped) as im2col + sgemm_acc, one image at a time: each thread of
// the pool takes a range of images [n0, n1), so large batches use every core and every output
// element is computed by one thread in a fixed order.
//
// The geometry travels as an int array (order fixed by src/backend/cpu/wasm/conv.ts), which also
// sizes each thread's scratch: col (K x P floats) then sgemm_acc's.

#include "kernels.h"

enum { N, C, H, W, O, GROUPS, CG, OG, KH, KW, OH, OW, SH, SW, DH, DW, PT, PL };

// First and one-past-last output column xo whose tap ix = xo*sw + dx lies in [0, w).
static int first_in(int dx, int sw) { return dx >= 0 ? 0 : (-dx + sw - 1) / sw; }
static int end_in(int dx, int sw, int w, int ow) {
  if (w - dx <= 0) return 0;
  int e = (w - dx + sw - 1) / sw;
  return e < ow ? e : ow;
}

// Unfolds the cg channels of one (image, group) block `x` into `col`: patch row k = (c*kh + i)*kw
// + j and output position p = y*ow + xo go to col[k*ks + p*ps], zero where the tap is padding.
static void im2col(const int* g, const f32* x, f32* col, int ks, int ps) {
  int h = g[H], w = g[W], kh = g[KH], kw = g[KW], oh = g[OH], ow = g[OW];
  int sh = g[SH], sw = g[SW], dh = g[DH], dw = g[DW], pt = g[PT], pl = g[PL];
  for (int c = 0; c < g[CG]; c++) {
    const f32* plane = x + c * h * w;
    for (int i = 0; i < kh; i++) {
      for (int j = 0; j < kw; j++) {
        f32* krow = col + ((c * kh + i) * kw + j) * ks;
        int dx = j * dw - pl;
        int lo = first_in(dx, sw), hi = end_in(dx, sw, w, ow);
        if (hi < lo) hi = lo;
        for (int y = 0; y < oh; y++) {
          f32* dst = krow + y * ow * ps;
          int iy = y * sh - pt + i * dh;
          if (iy < 0 || iy >= h) {
            for (int xo = 0; xo < ow; xo++) dst[xo * ps] = 0;
            continue;
          }
          const f32* src = plane + iy * w + dx;
          for (int xo = 0; xo < lo; xo++) dst[xo * ps] = 0;
          if (ps == 1 && sw == 1) {
            __builtin_memcpy(dst + lo, src + lo, (hi - lo) * sizeof(f32));
          } else {
            for (int xo = lo; xo < hi; xo++) dst[xo * ps] = src[xo * sw];
          }
          for (int xo = hi; xo < ow; xo++) dst[xo * ps] = 0;
        }
      }
    }
  }
}

// The transpose of im2col in the [K, P] layout: adds each entry of `col` into the cell of `dx`
// (one (image, group) block) its tap reads; padding taps are dropped.
static void col2im(const int* g, const f32* col, f32* dx) {
  int h = g[H], w = g[W], kh = g[KH], kw = g[KW], oh = g[OH], ow = g[OW];
  int sh = g[SH], sw = g[SW], dh = g[DH], dw = g[DW], pt = g[PT], pl = g[PL];
  int ps = oh * ow;
  for (int c = 0; c < g[CG]; c++) {
    f32* plane = dx + c * h * w;
    for (int i = 0; i < kh; i++) {
      for (int j = 0; j < kw; j++) {
        const f32* krow = col + ((c * kh + i) * kw + j) * ps;
        int d = j * dw - pl;
        int lo = first_in(d, sw), hi = end_in(d, sw, w, ow);
        for (int y = 0; y < oh; y++) {
          int iy = y * sh - pt + i * dh;
          if (iy < 0 || iy >= h) continue;
          f32* dst = plane + iy * w + d;
          const f32* src = krow + y * ow;
          if (sw == 1) {
            int xo = lo;
            for (; xo + 4 <= hi; xo += 4) {
              wasm_v128_store(dst + xo, wasm_f32x4_add(wasm_v128_load(dst + xo),
                                                       wasm_v128_load(src + xo)));
            }
            for (; xo < hi; xo++) dst[xo] += src[xo];
          } else {
            for (int xo = lo; xo < hi; xo++) dst[xo * sw] += src[xo];
          }
        }
      }
    }
  }
}

// y[n, g*og + o, p] += Σ_k w[g*og + o, k] · col_{n,g}[k, p] for images n in [n0, n1).
EXPORT(conv2d_forward)
void conv2d_forward(const int* g, int n0, int n1, const f32* x, const f32* w, f32* y,
                    f32* scratch) {
  int k = g[CG] * g[KH] * g[KW], p = g[OH] * g[OW], og = g[OG];
  f32* col = scratch;
  f32* panel = scratch + k * p;
  for (int n = n0; n < n1; n++) {
    for (int gi = 0; gi < g[GROUPS]; gi++) {
      im2col(g, x + (n * g[C] + gi * g[CG]) * g[H] * g[W], col, p, 1);
      sgemm_acc(og, p, k, w + gi * og * k, k, 1, col, p, y + (n * g[O] + gi * og) * p, panel);
    }
  }
}

// dx_{n,g} += col2im(w_g^T · ct_{n,g}) for images n in [n0, n1).
EXPORT(conv2d_backward_input)
void conv2d_backward_input(const int* g, int n0, int n1, const f32* ct, const f32* w, f32* dx,
                           f32* scratch) {
  int k = g[CG] * g[KH] * g[KW], p = g[OH] * g[OW], og = g[OG];
  f32* col = scratch;
  f32* panel = scratch + k * p;
  for (int n = n0; n < n1; n++) {
    for (int gi = 0; gi < g[GROUPS]; gi++) {
      __builtin_memset(col, 0, k * p * sizeof(f32));
      // A = w_g^T: row k, column o at w[(g*og + o)*K + k].
      sgemm_acc(k, p, og, w + gi * og * k, 1, k, ct + (n * g[O] + gi * og) * p, p, col, panel);
      col2im(g, col, dx + (n * g[C] + gi * g[CG]) * g[H] * g[W]);
    }
  }
}

// dw[g*og + o, k] += Σ_n Σ_p ct[n, g*og + o, p] · colT_{n,g}[p, k] for images n in [n0, n1);
// one thread's partial sum (the caller adds the partials in a fixed order).
EXPORT(conv2d_backward_filter)
void conv2d_backward_filter(const int* g, int n0, int n1, const f32* x, const f32* ct, f32* dw,
                            f32* scratch) {
  int k = g[CG] * g[KH] * g[KW], p = g[OH] * g[OW], og = g[OG];
  f32* colT = scratch;
  f32* panel = scratch + k * p;
  for (int n = n0; n < n1; n++) {
    for (int gi = 0; gi < g[GROUPS]; gi++) {
      im2col(g, x + (n * g[C] + gi * g[CG]) * g[H] * g[W], colT, 1, k);
      sgemm_acc(og, k, p, ct + (n * g[O] + gi * og) * p, p, 1, colT, k, dw + gi * og * k, panel);
    }
  }
}
