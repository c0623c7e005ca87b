// Elementwise float32 kernels over one row: unary math, binary arithmetic and comparisons with a
// stride per operand (1 walks, 0 broadcasts one element), and `where`. The op codes match the
// tables in src/backend/cpu/wasm/elementwise.ts. Results equal the TypeScript kernels' bit for
// bit: each op is one correctly rounded IEEE operation, as float64 arithmetic rounded to float32
// is for these ops.

#include "kernels.h"

enum { ADD, SUB, MUL, DIV, MAX, MIN };
enum { EQ, NE, GT, GE, LT, LE };
enum { NEG, ABS, SQRT, RELU, FLOOR, CEIL, ROUND };

// One vector and one scalar version of each binary op.
#define BINARY(OP, V, S)                                                            \
  case OP:                                                                          \
    if (xs == 1 && ys == 1) {                                                       \
      for (; i + 4 <= n; i += 4) {                                                  \
        v128_t a = wasm_v128_load(x + i), b = wasm_v128_load(y + i);                \
        wasm_v128_store(o + i, V);                                                  \
      }                                                                             \
    } else if (xs == 1) {                                                           \
      v128_t b = wasm_v128_load32_splat(y);                                         \
      for (; i + 4 <= n; i += 4) {                                                  \
        v128_t a = wasm_v128_load(x + i);                                           \
        wasm_v128_store(o + i, V);                                                  \
      }                                                                             \
    } else if (ys == 1) {                                                           \
      v128_t a = wasm_v128_load32_splat(x);                                         \
      for (; i + 4 <= n; i += 4) {                                                  \
        v128_t b = wasm_v128_load(y + i);                                           \
        wasm_v128_store(o + i, V);                                                  \
      }                                                                             \
    }                                                                               \
    for (; i < n; i++) {                                                            \
      f32 a = x[i * xs], b = y[i * ys];                                             \
      o[i] = S;                                                                     \
    }                                                                               \
    return;

// maximum/minimum as the TypeScript kernels pick: `a` when it wins or is NaN, else `b` (so NaN
// propagates from either side, and of two equal values, +0 and -0 included, `b` is taken).
static v128_t vmax(v128_t a, v128_t b) {
  return wasm_v128_bitselect(a, b, wasm_v128_or(wasm_f32x4_gt(a, b), wasm_f32x4_ne(a, a)));
}
static v128_t vmin(v128_t a, v128_t b) {
  return wasm_v128_bitselect(a, b, wasm_v128_or(wasm_f32x4_lt(a, b), wasm_f32x4_ne(a, a)));
}

// o[i] = op(x[i*xs], y[i*ys]) for i < n; xs, ys are 0 or 1.
EXPORT(binary_f32)
void binary_f32(int op, int n, const f32* x, int xs, const f32* y, int ys, f32* o) {
  int i = 0;
  switch (op) {
    BINARY(ADD, wasm_f32x4_add(a, b), a + b)
    BINARY(SUB, wasm_f32x4_sub(a, b), a - b)
    BINARY(MUL, wasm_f32x4_mul(a, b), a * b)
    BINARY(DIV, wasm_f32x4_div(a, b), a / b)
    BINARY(MAX, vmax(a, b), a > b || a != a ? a : b)
    BINARY(MIN, vmin(a, b), a < b || a != a ? a : b)
  }
}

// Four lane masks (all ones or zero) narrowed to sixteen bytes of 0 or 1.
static v128_t bools(v128_t m0, v128_t m1, v128_t m2, v128_t m3) {
  v128_t lo = wasm_i16x8_narrow_i32x4(m0, m1), hi = wasm_i16x8_narrow_i32x4(m2, m3);
  return wasm_v128_and(wasm_i8x16_narrow_i16x8(lo, hi), wasm_i8x16_splat(1));
}

#define COMPARE(OP, V, S)                                                            \
  case OP:                                                                           \
    if (xs == 1 && ys <= 1) {                                                        \
      v128_t b1 = wasm_v128_load32_splat(y);                                         \
      for (; i + 16 <= n; i += 16) {                                                 \
        v128_t m[4];                                                                 \
        for (int q = 0; q < 4; q++) {                                                \
          v128_t a = wasm_v128_load(x + i + 4 * q);                                  \
          v128_t b = ys ? wasm_v128_load(y + i + 4 * q) : b1;                        \
          m[q] = V;                                                                  \
        }                                                                            \
        wasm_v128_store(o + i, bools(m[0], m[1], m[2], m[3]));                       \
      }                                                                              \
    }                                                                                \
    for (; i < n; i++) {                                                             \
      f32 a = x[i * xs], b = y[i * ys];                                              \
      o[i] = S;                                                                      \
    }                                                                                \
    return;

// o[i] = op(x[i*xs], y[i*ys]) as 0 or 1 for i < n (vectorized when x walks and y walks or is
// one broadcast value, as in `x > 0`).
EXPORT(compare_f32)
void compare_f32(int op, int n, const f32* x, int xs, const f32* y, int ys, u8* o) {
  int i = 0;
  switch (op) {
    COMPARE(EQ, wasm_f32x4_eq(a, b), a == b)
    COMPARE(NE, wasm_f32x4_ne(a, b), a != b)
    COMPARE(GT, wasm_f32x4_gt(a, b), a > b)
    COMPARE(GE, wasm_f32x4_ge(a, b), a >= b)
    COMPARE(LT, wasm_f32x4_lt(a, b), a < b)
    COMPARE(LE, wasm_f32x4_le(a, b), a <= b)
  }
}

// Four lanes of all ones where c[0..4) is nonzero.
static v128_t mask4(const u8* c) {
  v128_t m = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(c)));
  return wasm_i32x4_ne(m, wasm_i32x4_splat(0));
}

// o[i] = c[i*cs] ? a[i*as] : b[i*bs] for i < n; c holds 0 or 1. Vectorized when c walks and
// each of a, b walks or is one broadcast value (a ReLU gradient selects against a scalar 0).
EXPORT(where_f32)
void where_f32(int n, const u8* c, int cs, const f32* a, int as, const f32* b, int bs, f32* o) {
  int i = 0;
  if (cs == 1 && as <= 1 && bs <= 1) {
    v128_t av = wasm_v128_load32_splat(a), bv = wasm_v128_load32_splat(b);
    for (; i + 4 <= n; i += 4) {
      v128_t x = as ? wasm_v128_load(a + i) : av, y = bs ? wasm_v128_load(b + i) : bv;
      wasm_v128_store(o + i, wasm_v128_bitselect(x, y, mask4(c + i)));
    }
  }
  for (; i < n; i++) o[i] = c[i * cs] ? a[i * as] : b[i * bs];
}

// One 4 x 4 tile: rows i..i+4 of s (cols apart) to columns i..i+4 of d (rows apart).
static void tile4(const f32* s, int cols, f32* d, int rows) {
  v128_t r0 = wasm_v128_load(s), r1 = wasm_v128_load(s + cols);
  v128_t r2 = wasm_v128_load(s + 2 * cols), r3 = wasm_v128_load(s + 3 * cols);
  v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
  v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
  wasm_v128_store(d, wasm_i64x2_shuffle(t0, t2, 0, 2));
  wasm_v128_store(d + rows, wasm_i64x2_shuffle(t0, t2, 1, 3));
  wasm_v128_store(d + 2 * rows, wasm_i64x2_shuffle(t1, t3, 0, 2));
  wasm_v128_store(d + 3 * rows, wasm_i64x2_shuffle(t1, t3, 1, 3));
}

// dst[b, j, i] = src[b, i, j] for a batch of rows x cols matrices: bands of 16 rows, so each
// 4 x 4 tile (transposed in registers) fills a quarter of a cache line of four output rows and
// the band's four tiles fill whole lines; edges one element at a time.
EXPORT(transpose_f32)
void transpose_f32(int batch, int rows, int cols, const f32* src, f32* dst) {
  for (int bt = 0; bt < batch; bt++) {
    const f32* s = src + bt * rows * cols;
    f32* d = dst + bt * rows * cols;
    int full = rows / 4 * 4, fullc = cols / 4 * 4;
    for (int i0 = 0; i0 < full; i0 += 16) {
      int i1 = i0 + 16 < full ? i0 + 16 : full;
      for (int j = 0; j < fullc; j += 4) {
        for (int i = i0; i < i1; i += 4) tile4(s + i * cols + j, cols, d + j * rows + i, rows);
      }
      for (int j = fullc; j < cols; j++) {
        for (int i = i0; i < i1; i++) d[j * rows + i] = s[i * cols + j];
      }
    }
    for (int i = full; i < rows; i++) {
      for (int j = 0; j < cols; j++) d[j * rows + i] = s[i * cols + j];
    }
  }
}

#define UNARY(OP, V, UNUSED)                                              \
  case OP:                                                          \
    for (; i + 4 <= n; i += 4) {                                    \
      v128_t a = wasm_v128_load(x + i);                             \
      wasm_v128_store(o + i, V);                                    \
    }                                                               \
    for (; i < n; i++) {                                            \
      v128_t a = wasm_f32x4_splat(x[i]);                            \
      o[i] = wasm_f32x4_extract_lane(V, 0);                         \
    }                                                               \
    return;

// o[i] = op(x[i]) for i < n (ops whose float32 result is one IEEE operation).
EXPORT(unary_f32) void unary_f32(int op, int n, const f32* x, f32* o) {
  int i = 0;
  switch (op) {
    UNARY(NEG, wasm_f32x4_neg(a), 0)
    UNARY(ABS, wasm_f32x4_abs(a), 0)
    UNARY(SQRT, wasm_f32x4_sqrt(a), 0)
    UNARY(RELU, wasm_f32x4_max(a, wasm_f32x4_splat(0)), 0)
    UNARY(FLOOR, wasm_f32x4_floor(a), 0)
    UNARY(CEIL, wasm_f32x4_ceil(a), 0)
    UNARY(ROUND, wasm_f32x4_nearest(a), 0)
  }
}
