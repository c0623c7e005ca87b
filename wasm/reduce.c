// Sums of float32 data in float64, as the TypeScript kernels accumulate: x viewed as
// [outer, len, inner] with the middle axis summed.

#include "kernels.h"

// acc[r] += Σ_t x[r*len + t] for r < rows: a row sum per output (inner == 1) in four float64
// partial sums (elements t mod 4), combined as (p0 + p2) + (p1 + p3), then the tail in order: the
// order src/backend/cpu/reduce.ts sums a row in, so results are bit-identical.
EXPORT(sum_rows_f32) void sum_rows_f32(int rows, int len, const f32* x, f64* acc) {
  for (int r = 0; r < rows; r++) {
    const f32* row = x + r * len;
    v128_t s0 = wasm_f64x2_splat(0), s1 = wasm_f64x2_splat(0);
    int t = 0;
    for (; t + 4 <= len; t += 4) {
      v128_t v = wasm_v128_load(row + t);
      s0 = wasm_f64x2_add(s0, wasm_f64x2_promote_low_f32x4(v));
      s1 = wasm_f64x2_add(s1, wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(v, v, 1, 0)));
    }
    v128_t s = wasm_f64x2_add(s0, s1);
    f64 total = wasm_f64x2_extract_lane(s, 0) + wasm_f64x2_extract_lane(s, 1);
    for (; t < len; t++) total += row[t];
    acc[r] += total;
  }
}

// acc[o*inner + j] += Σ_t x[(o*len + t)*inner + j]: sums down columns (inner > 1), in the
// order of t, as the TypeScript kernel adds them.
EXPORT(sum_cols_f32)
void sum_cols_f32(int outer, int len, int inner, const f32* x, f64* acc) {
  for (int o = 0; o < outer; o++) {
    f64* a = acc + o * inner;
    for (int t = 0; t < len; t++) {
      const f32* row = x + (o * len + t) * inner;
      int j = 0;
      for (; j + 4 <= inner; j += 4) {
        v128_t v = wasm_v128_load(row + j);
        wasm_v128_store(a + j, wasm_f64x2_add(wasm_v128_load(a + j),
                                              wasm_f64x2_promote_low_f32x4(v)));
        wasm_v128_store(a + j + 2, wasm_f64x2_add(wasm_v128_load(a + j + 2),
                                                  wasm_f64x2_promote_low_f32x4(
                                                      wasm_i64x2_shuffle(v, v, 1, 0))));
      }
      for (; j < inner; j++) a[j] += row[j];
    }
  }
}

// out[i] = (f32) acc[i].
EXPORT(f64_to_f32) void f64_to_f32(int n, const f64* acc, f32* out) {
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t lo = wasm_f32x4_demote_f64x2_zero(wasm_v128_load(acc + i));
    v128_t hi = wasm_f32x4_demote_f64x2_zero(wasm_v128_load(acc + i + 2));
    wasm_v128_store(out + i, wasm_i64x2_shuffle(lo, hi, 0, 2));
  }
  for (; i < n; i++) out[i] = (f32)acc[i];
}
