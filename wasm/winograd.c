// 3 x 3 convolutions (stride 1, no dilation, one group) by Winograd's minimal filtering F(2x2, 3x3):
// each 2 x 2 block of outputs comes from a 4 x 4 tile of input through 16 products instead of
// 36, so the multiply-adds are 2.25 times fewer than im2col's. Per image: the input tiles are
// transformed (V = Bt d B), multiplied with the transformed filters (U = G g Gt) as 16 matrix
// products over channels, one per tile element, on sgemm_acc, and transformed back (Y = At M A).
// The input gradient is the same computation on the output gradient, with the filters flipped
// and their channel axes swapped (winograd_filter's `flip`). Threads take ranges of images.
//
// The geometry travels as an int array (order fixed by src/backend/cpu/wasm/conv.ts), which also
// sizes each thread's scratch (V, M or dM, the transposed V for the filter gradient, sgemm's).

#include "kernels.h"

enum { N, C, H, W, O, OH, OW, PT, PL };

// U[e][o][c] = (G g_{o,c} Gt)[e] for the 3 x 3 filter g_{o,c} = w[o, c] (or, with flip, the
// filter of the input gradient: w[c, o] rotated by 180 degrees, with o < cin and c < cout).
EXPORT(winograd_filter) void winograd_filter(int cout, int cin, const f32* w, int flip, f32* u) {
  for (int o = 0; o < cout; o++) {
    for (int c = 0; c < cin; c++) {
      f32 g[3][3];
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          g[i][j] = flip ? w[((c * cout + o) * 3 + 2 - i) * 3 + 2 - j] : w[((o * cin + c) * 3 + i) * 3 + j];
        }
      }
      // t = G g (4 x 3), then U = t Gt (4 x 4).
      f32 t[4][3];
      for (int j = 0; j < 3; j++) {
        t[0][j] = g[0][j];
        t[1][j] = 0.5f * (g[0][j] + g[1][j] + g[2][j]);
        t[2][j] = 0.5f * (g[0][j] - g[1][j] + g[2][j]);
        t[3][j] = g[2][j];
      }
      for (int i = 0; i < 4; i++) {
        f32 r[4] = {t[i][0], 0.5f * (t[i][0] + t[i][1] + t[i][2]),
                    0.5f * (t[i][0] - t[i][1] + t[i][2]), t[i][2]};
        for (int j = 0; j < 4; j++) u[((i * 4 + j) * cout + o) * cin + c] = r[j];
      }
    }
  }
}


// Four tiles side by side, one per lane: their 4 x 10 input block starts at `src` (rows `w`
// apart, all inside the input); writes the 16 transformed elements of each to dst[e * es + q].
static void input4(const f32* src, int w, f32* dst, int es) {
  v128_t t[4][4];
  for (int i = 0; i < 4; i++) {
    const f32* r = src + i * w;
    v128_t a0 = wasm_v128_load(r), a1 = wasm_v128_load(r + 4);
    v128_t b0 = wasm_v128_load(r + 2), b1 = wasm_v128_load(r + 6);
    v128_t d0 = wasm_i32x4_shuffle(a0, a1, 0, 2, 4, 6), d1 = wasm_i32x4_shuffle(a0, a1, 1, 3, 5, 7);
    v128_t d2 = wasm_i32x4_shuffle(b0, b1, 0, 2, 4, 6), d3 = wasm_i32x4_shuffle(b0, b1, 1, 3, 5, 7);
    // Row i of d B; Bt then mixes the rows.
    t[i][0] = wasm_f32x4_sub(d0, d2);
    t[i][1] = wasm_f32x4_add(d1, d2);
    t[i][2] = wasm_f32x4_sub(d2, d1);
    t[i][3] = wasm_f32x4_sub(d1, d3);
  }
  for (int j = 0; j < 4; j++) {
    wasm_v128_store(dst + (0 + j) * es, wasm_f32x4_sub(t[0][j], t[2][j]));
    wasm_v128_store(dst + (4 + j) * es, wasm_f32x4_add(t[1][j], t[2][j]));
    wasm_v128_store(dst + (8 + j) * es, wasm_f32x4_sub(t[2][j], t[1][j]));
    wasm_v128_store(dst + (12 + j) * es, wasm_f32x4_sub(t[1][j], t[3][j]));
  }
}

// One tile whose input block starts at row y0, column x0 of `plane` (zero outside it).
static void input1(const f32* plane, int h, int w, int y0, int x0, f32* dst, int es) {
  f32 d[4][4];
  for (int i = 0; i < 4; i++) {
    int iy = y0 + i;
    for (int j = 0; j < 4; j++) {
      int ix = x0 + j;
      d[i][j] = iy >= 0 && iy < h && ix >= 0 && ix < w ? plane[iy * w + ix] : 0;
    }
  }
  f32 t[4][4];
  for (int j = 0; j < 4; j++) {
    t[0][j] = d[0][j] - d[2][j];
    t[1][j] = d[1][j] + d[2][j];
    t[2][j] = d[2][j] - d[1][j];
    t[3][j] = d[1][j] - d[3][j];
  }
  for (int i = 0; i < 4; i++) {
    dst[(4 * i + 0) * es] = t[i][0] - t[i][2];
    dst[(4 * i + 1) * es] = t[i][1] + t[i][2];
    dst[(4 * i + 2) * es] = t[i][2] - t[i][1];
    dst[(4 * i + 3) * es] = t[i][1] - t[i][3];
  }
}

// V[e][c][tile] = (Bt d B)[e] for every 4 x 4 input tile d of image `x` (zero outside it).
static void input_tiles(const int* g, const f32* x, f32* v) {
  int cin = g[C], h = g[H], w = g[W], pt = g[PT], pl = g[PL];
  int th = (g[OH] + 1) / 2, tw = (g[OW] + 1) / 2, tiles = th * tw;
  for (int c = 0; c < cin; c++) {
    const f32* plane = x + c * h * w;
    f32* vc = v + c * tiles;
    for (int ty = 0; ty < th; ty++) {
      int y0 = 2 * ty - pt, rowsInside = y0 >= 0 && y0 + 4 <= h;
      for (int tx = 0; tx < tw;) {
        int x0 = 2 * tx - pl;
        if (rowsInside && tx + 4 <= tw && x0 >= 0 && x0 + 10 <= w) {
          input4(plane + y0 * w + x0, w, vc + ty * tw + tx, cin * tiles);
          tx += 4;
        } else {
          input1(plane, h, w, y0, x0, vc + ty * tw + tx, cin * tiles);
          tx++;
        }
      }
    }
  }
}

// Four tiles side by side: M's 16 elements of each at src[e * es + q] to their 2 x 8 outputs
// at `out` (rows `ow` apart, all inside the output).
static void output4(const f32* src, int es, f32* out, int ow) {
  v128_t s[2][4];
  for (int j = 0; j < 4; j++) {
    v128_t m0 = wasm_v128_load(src + j * es), m1 = wasm_v128_load(src + (4 + j) * es);
    v128_t m2 = wasm_v128_load(src + (8 + j) * es), m3 = wasm_v128_load(src + (12 + j) * es);
    s[0][j] = wasm_f32x4_add(wasm_f32x4_add(m0, m1), m2);
    s[1][j] = wasm_f32x4_sub(wasm_f32x4_sub(m1, m2), m3);
  }
  for (int i = 0; i < 2; i++) {
    v128_t r0 = wasm_f32x4_add(wasm_f32x4_add(s[i][0], s[i][1]), s[i][2]);
    v128_t r1 = wasm_f32x4_sub(wasm_f32x4_sub(s[i][1], s[i][2]), s[i][3]);
    wasm_v128_store(out + i * ow, wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5));
    wasm_v128_store(out + i * ow + 4, wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7));
  }
}

// One tile: its 2 x 2 outputs from row oy, column ox, those inside the oh x ow output.
static void output1(const f32* src, int es, f32* out, int oh, int ow, int oy, int ox) {
  f32 s[2][4];
  for (int j = 0; j < 4; j++) {
    f32 m0 = src[j * es], m1 = src[(4 + j) * es], m2 = src[(8 + j) * es], m3 = src[(12 + j) * es];
    s[0][j] = m0 + m1 + m2;
    s[1][j] = m1 - m2 - m3;
  }
  for (int i = 0; i < 2 && oy + i < oh; i++) {
    out[(oy + i) * ow + ox] = s[i][0] + s[i][1] + s[i][2];
    if (ox + 1 < ow) out[(oy + i) * ow + ox + 1] = s[i][1] - s[i][2] - s[i][3];
  }
}

// y[n, o] = Σ_c x[n, c] ⋆ g_{o,c} for images n in [n0, n1), from U = winograd_filter(...).
EXPORT(winograd_conv)
void winograd_conv(const int* g, int n0, int n1, const f32* x, const f32* u, f32* y,
                   f32* scratch) {
  int cin = g[C], h = g[H], w = g[W], cout = g[O], oh = g[OH], ow = g[OW];
  int th = (oh + 1) / 2, tw = (ow + 1) / 2, tiles = th * tw;
  f32* v = scratch;
  f32* m = v + 16 * cin * tiles;
  f32* panel = m + 16 * cout * tiles;
  for (int n = n0; n < n1; n++) {
    input_tiles(g, x + n * cin * h * w, v);
    // M[e] = U[e] · V[e]: [cout, cin] x [cin, tiles] for each of the 16 tile elements.
    __builtin_memset(m, 0, 16 * cout * tiles * sizeof(f32));
    for (int e = 0; e < 16; e++) {
      sgemm_acc(cout, tiles, cin, u + e * cout * cin, cin, 1, v + e * cin * tiles, tiles,
                m + e * cout * tiles, panel);
    }
    // Y = At M A: the 2 x 2 outputs of each tile (those inside the output).
    for (int o = 0; o < cout; o++) {
      f32* out = y + (n * cout + o) * oh * ow;
      for (int ty = 0; ty < th; ty++) {
        for (int tx = 0; tx < tw;) {
          const f32* src = m + o * tiles + ty * tw + tx;
          if (tx + 4 <= tw && 2 * tx + 8 <= ow && 2 * ty + 2 <= oh) {
            output4(src, cout * tiles, out + 2 * ty * ow + 2 * tx, ow);
            tx += 4;
          } else {
            output1(src, cout * tiles, out, oh, ow, 2 * ty, 2 * tx);
            tx++;
          }
        }
      }
    }
  }
}

// The adjoint of output4: the 2 x 8 output-gradient block at `dy` (rows `ow` apart) of four
// tiles to dM = A dy At, their 16 elements at dst[e * es + q].
static void doutput4(const f32* dy, int ow, f32* dst, int es) {
  v128_t p[2], q[2];
  for (int i = 0; i < 2; i++) {
    v128_t a = wasm_v128_load(dy + i * ow), b = wasm_v128_load(dy + i * ow + 4);
    p[i] = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6);
    q[i] = wasm_i32x4_shuffle(a, b, 1, 3, 5, 7);
  }
  // Rows of A dy: (p0, q0), (p0 + p1, q0 + q1), (p0 - p1, q0 - q1), (-p1, -q1); each row (r, t)
  // becomes (r, r + t, r - t, -t).
  v128_t rp[4] = {p[0], wasm_f32x4_add(p[0], p[1]), wasm_f32x4_sub(p[0], p[1]), wasm_f32x4_neg(p[1])};
  v128_t rq[4] = {q[0], wasm_f32x4_add(q[0], q[1]), wasm_f32x4_sub(q[0], q[1]), wasm_f32x4_neg(q[1])};
  for (int i = 0; i < 4; i++) {
    wasm_v128_store(dst + (4 * i + 0) * es, rp[i]);
    wasm_v128_store(dst + (4 * i + 1) * es, wasm_f32x4_add(rp[i], rq[i]));
    wasm_v128_store(dst + (4 * i + 2) * es, wasm_f32x4_sub(rp[i], rq[i]));
    wasm_v128_store(dst + (4 * i + 3) * es, wasm_f32x4_neg(rq[i]));
  }
}

// The adjoint of output1: one tile's 2 x 2 block from row oy, column ox (zero outside).
static void doutput1(const f32* dy, int oh, int ow, int oy, int ox, f32* dst, int es) {
  int down = oy + 1 < oh, right = ox + 1 < ow;
  f32 a = dy[oy * ow + ox], b = right ? dy[oy * ow + ox + 1] : 0;
  f32 c = down ? dy[(oy + 1) * ow + ox] : 0, d = down && right ? dy[(oy + 1) * ow + ox + 1] : 0;
  f32 rp[4] = {a, a + c, a - c, -c}, rq[4] = {b, b + d, b - d, -d};
  for (int i = 0; i < 4; i++) {
    dst[(4 * i + 0) * es] = rp[i];
    dst[(4 * i + 1) * es] = rp[i] + rq[i];
    dst[(4 * i + 2) * es] = rp[i] - rq[i];
    dst[(4 * i + 3) * es] = -rq[i];
  }
}

// The filter gradient through the same transforms (their adjoints, in reverse): with
// V = Bt d B as in the forward pass and dM = A dy At the 4 x 4 adjoint of each 2 x 2 block of
// the output gradient, dU[e] = Σ dM[e] V[e]t over tiles and images, and dw = Gt dU G
// (winograd_filter_adjoint). This accumulates dU[e][o][c] for images n in [n0, n1) into `du`
// (16 x cout x cin floats, one thread's partial sum).
EXPORT(winograd_filter_grad)
void winograd_filter_grad(const int* g, int n0, int n1, const f32* x, const f32* ct, f32* du,
                          f32* scratch) {
  int cin = g[C], h = g[H], w = g[W], cout = g[O], oh = g[OH], ow = g[OW];
  int th = (oh + 1) / 2, tw = (ow + 1) / 2, tiles = th * tw;
  f32* v = scratch;
  f32* dm = v + 16 * cin * tiles;
  f32* vt = dm + 16 * cout * tiles;
  f32* panel = vt + cin * tiles;
  for (int n = n0; n < n1; n++) {
    input_tiles(g, x + n * cin * h * w, v);
    // dM[e][o][tile] = (A dy At)[e] for the 2 x 2 output-gradient block of each tile.
    for (int o = 0; o < cout; o++) {
      const f32* dy = ct + (n * cout + o) * oh * ow;
      f32* dmo = dm + o * tiles;
      for (int ty = 0; ty < th; ty++) {
        for (int tx = 0; tx < tw;) {
          if (tx + 4 <= tw && 2 * tx + 8 <= ow && 2 * ty + 2 <= oh) {
            doutput4(dy + 2 * ty * ow + 2 * tx, ow, dmo + ty * tw + tx, cout * tiles);
            tx += 4;
          } else {
            doutput1(dy, oh, ow, 2 * ty, 2 * tx, dmo + ty * tw + tx, cout * tiles);
            tx++;
          }
        }
      }
    }
    // dU[e] += dM[e] · V[e]t: [cout, tiles] x [tiles, cin], V[e] transposed into scratch.
    for (int e = 0; e < 16; e++) {
      transpose_f32(1, cin, tiles, v + e * cin * tiles, vt);
      sgemm_acc(cout, cin, tiles, dm + e * cout * tiles, tiles, 1, vt, cin,
                du + e * cout * cin, panel);
    }
  }
}


// dw[o, c] = Gt dU[o, c] G (3 x 3) from dU[e][o][c].
EXPORT(winograd_filter_adjoint)
void winograd_filter_adjoint(int cout, int cin, const f32* du, f32* dw) {
  for (int o = 0; o < cout; o++) {
    for (int c = 0; c < cin; c++) {
      f32 u[4][4];
      for (int e = 0; e < 16; e++) u[e / 4][e % 4] = du[(e * cout + o) * cin + c];
      f32 t[3][4];
      for (int j = 0; j < 4; j++) {
        t[0][j] = u[0][j] + 0.5f * (u[1][j] + u[2][j]);
        t[1][j] = 0.5f * (u[1][j] - u[2][j]);
        t[2][j] = 0.5f * (u[1][j] + u[2][j]) + u[3][j];
      }
      f32* out = dw + (o * cin + c) * 9;
      for (int i = 0; i < 3; i++) {
        out[3 * i + 0] = t[i][0] + 0.5f * (t[i][1] + t[i][2]);
        out[3 * i + 1] = 0.5f * (t[i][1] - t[i][2]);
        out[3 * i + 2] = 0.5f * (t[i][1] + t[i][2]) + t[i][3];
      }
    }
  }
}
