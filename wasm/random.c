// Threefry-2x32 (20 rounds, Random123) uniform float32 numbers, four counters per SIMD step,
// giving exactly the bits of src/backend/threefry.ts `uniformBits`: counter j = (j, 0) under key
// (k0, k1) yields words w0, w1, and out[2j + i] = (w_i >>> 8) * 2^-24.

#include "kernels.h"

#define ROTL(x, r) wasm_v128_or(wasm_i32x4_shl(x, r), wasm_u32x4_shr(x, 32 - r))
#define ROUND(r)                  \
  x0 = wasm_i32x4_add(x0, x1);    \
  x1 = wasm_v128_xor(ROTL(x1, r), x0);
#define INJECT(a, b, i)                               \
  x0 = wasm_i32x4_add(x0, a);                         \
  x1 = wasm_i32x4_add(x1, wasm_i32x4_add(b, wasm_i32x4_splat(i)));

// Fills out[0, n) for counters from j0 = 0 (n may be odd: the last word is dropped).
EXPORT(uniform_f32) void uniform_f32(unsigned k0, unsigned k1, int n, f32* out) {
  v128_t K0 = wasm_i32x4_splat(k0), K1 = wasm_i32x4_splat(k1);
  v128_t K2 = wasm_i32x4_splat(k0 ^ k1 ^ 0x1bd11bda);
  v128_t scale = wasm_f32x4_splat(1.0f / 16777216.0f);
  int pairs = (n + 1) / 2;
  for (int j = 0; j < pairs; j += 4) {
    v128_t x0 = wasm_i32x4_add(wasm_i32x4_make(j, j + 1, j + 2, j + 3), K0);
    v128_t x1 = K1;
    ROUND(13) ROUND(15) ROUND(26) ROUND(6) INJECT(K1, K2, 1)
    ROUND(17) ROUND(29) ROUND(16) ROUND(24) INJECT(K2, K0, 2)
    ROUND(13) ROUND(15) ROUND(26) ROUND(6) INJECT(K0, K1, 3)
    ROUND(17) ROUND(29) ROUND(16) ROUND(24) INJECT(K1, K2, 4)
    ROUND(13) ROUND(15) ROUND(26) ROUND(6) INJECT(K2, K0, 5)
    v128_t f0 = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(wasm_u32x4_shr(x0, 8)), scale);
    v128_t f1 = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(wasm_u32x4_shr(x1, 8)), scale);
    v128_t lo = wasm_i32x4_shuffle(f0, f1, 0, 4, 1, 5), hi = wasm_i32x4_shuffle(f0, f1, 2, 6, 3, 7);
    int at = 2 * j;
    if (at + 8 <= n) {
      wasm_v128_store(out + at, lo);
      wasm_v128_store(out + at + 4, hi);
    } else {
#define PUT(q, v, lane) \
  if (at + q < n) out[at + q] = wasm_f32x4_extract_lane(v, lane);
      PUT(0, lo, 0) PUT(1, lo, 1) PUT(2, lo, 2) PUT(3, lo, 3)
      PUT(4, hi, 0) PUT(5, hi, 1) PUT(6, hi, 2) PUT(7, hi, 3)
    }
  }
}
