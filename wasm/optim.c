// Fused optimizer updates: one pass over a parameter's gradient and state instead of one pass
// per operation. Each computes exactly what the composed float32 operations of src/optim
// compute (the same IEEE operations in the same order, each rounded to float32), so results are
// bit-identical to the unfused path.

#include "kernels.h"

// Adam (PyTorch 1.13) for n elements, four at a time:
//   g' = negate ? -g : g
//   mu' = mu * b1 + g' * c1            (c1 = 1 - b1)
//   nu' = nu * b2 + (g' * g') * c2     (c2 = 1 - b2)
//   u   = (mu' / (sqrt(nu') / bc2 + eps)) * step     (step = -lr / (1 - b1^t))
EXPORT(adam_f32)
void adam_f32(int n, const f32* g, const f32* mu, const f32* nu, f32* u, f32* mu2, f32* nu2,
              f32 b1, f32 c1, f32 b2, f32 c2, f32 bc2, f32 eps, f32 step, int negate) {
  v128_t B1 = wasm_f32x4_splat(b1), C1 = wasm_f32x4_splat(c1), B2 = wasm_f32x4_splat(b2);
  v128_t C2 = wasm_f32x4_splat(c2), BC2 = wasm_f32x4_splat(bc2), EPS = wasm_f32x4_splat(eps);
  v128_t STEP = wasm_f32x4_splat(step);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t gi = wasm_v128_load(g + i);
    if (negate) gi = wasm_f32x4_neg(gi);
    v128_t m = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(mu + i), B1), wasm_f32x4_mul(gi, C1));
    v128_t v = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(nu + i), B2),
                              wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), C2));
    v128_t d = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_sqrt(v), BC2), EPS);
    wasm_v128_store(u + i, wasm_f32x4_mul(wasm_f32x4_div(m, d), STEP));
    wasm_v128_store(mu2 + i, m);
    wasm_v128_store(nu2 + i, v);
  }
  for (; i < n; i++) {
    f32 gi = negate ? -g[i] : g[i];
    f32 m = mu[i] * b1 + gi * c1;
    f32 v = nu[i] * b2 + (gi * gi) * c2;
    u[i] = (m / (__builtin_sqrtf(v) / bc2 + eps)) * step;
    mu2[i] = m;
    nu2[i] = v;
  }
}
