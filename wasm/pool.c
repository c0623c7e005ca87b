// 2-D max pooling (NCHW) over planes [p0, p1): the first maximum of each window clipped to the
// input in row-major order, or its first NaN, as the TypeScript kernel picks it; and the
// gradient, which adds each output's gradient to the input cell that won.

#include "kernels.h"

enum { PLANES, H, W, OH, OW, KH, KW, SH, SW, PT, PL };

// idx[o] = h*W + w of the winner within its plane; y[o] = its value (y may be 0: indices only).
EXPORT(maxpool2d_f32)
void maxpool2d_f32(const int* g, int p0, int p1, const f32* x, f32* y, int* idx) {
  int h = g[H], w = g[W], oh = g[OH], ow = g[OW], kh = g[KH], kw = g[KW];
  int sh = g[SH], sw = g[SW], pt = g[PT], pl = g[PL];
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
