// Single-precision matrix product for fluxion's CPU backend, compiled with the other wasm/*.c
// files to one WebAssembly SIMD (128-bit) module by `deno task wasm` (clang --target=wasm32
// -msimd128, shared memory). The generated src/backend/cpu/wasm/kernels_wasm.ts holds the bytes;
// users need no toolchain.
//
// sgemm_acc: C[m, n] += A[m, k] · B[k, n], row-major, C and B contiguous, A read through strides
// (aRow, aCol) so a transposed operand costs nothing. The product runs in cache blocks of B
// (KC x NC); within one, rows of A are packed four at a time into a contiguous panel, then a
// 4 x 8 register-blocked micro-kernel walks k: per step it loads 8 floats of one row of B (two
// vectors), splats four A values and updates eight accumulator vectors. Edges (n % 8, m % 4) take
// narrower kernels. Products accumulate with MADD (kernels.h): fused in the relaxed build.

#include "kernels.h"

// 4 rows x 8 columns: c[i][j..j+8] += sum_t panel[t*4 + i] * b[t*ldb + j..]; C rows are n apart.
static void kernel_4x8(int k, const f32* panel, const f32* b, int ldb, int n, f32* c) {
  v128_t c00 = wasm_v128_load(c), c01 = wasm_v128_load(c + 4);
  v128_t c10 = wasm_v128_load(c + n), c11 = wasm_v128_load(c + n + 4);
  v128_t c20 = wasm_v128_load(c + 2 * n), c21 = wasm_v128_load(c + 2 * n + 4);
  v128_t c30 = wasm_v128_load(c + 3 * n), c31 = wasm_v128_load(c + 3 * n + 4);
  for (int t = 0; t < k; t++) {
    const f32* bt = b + t * ldb;
    v128_t b0 = wasm_v128_load(bt), b1 = wasm_v128_load(bt + 4);
    const f32* p = panel + 4 * t;
    v128_t a0 = wasm_f32x4_splat(p[0]), a1 = wasm_f32x4_splat(p[1]);
    v128_t a2 = wasm_f32x4_splat(p[2]), a3 = wasm_f32x4_splat(p[3]);
    c00 = MADD(c00, a0, b0);
    c01 = MADD(c01, a0, b1);
    c10 = MADD(c10, a1, b0);
    c11 = MADD(c11, a1, b1);
    c20 = MADD(c20, a2, b0);
    c21 = MADD(c21, a2, b1);
    c30 = MADD(c30, a3, b0);
    c31 = MADD(c31, a3, b1);
  }
  wasm_v128_store(c, c00);
  wasm_v128_store(c + 4, c01);
  wasm_v128_store(c + n, c10);
  wasm_v128_store(c + n + 4, c11);
  wasm_v128_store(c + 2 * n, c20);
  wasm_v128_store(c + 2 * n + 4, c21);
  wasm_v128_store(c + 3 * n, c30);
  wasm_v128_store(c + 3 * n + 4, c31);
}

// 4 rows x 4 columns.
static void kernel_4x4(int k, const f32* panel, const f32* b, int n, f32* c) {
  v128_t c0 = wasm_v128_load(c), c1 = wasm_v128_load(c + n);
  v128_t c2 = wasm_v128_load(c + 2 * n), c3 = wasm_v128_load(c + 3 * n);
  for (int t = 0; t < k; t++) {
    v128_t bt = wasm_v128_load(b + t * n);
    const f32* p = panel + 4 * t;
    c0 = MADD(c0, wasm_f32x4_splat(p[0]), bt);
    c1 = MADD(c1, wasm_f32x4_splat(p[1]), bt);
    c2 = MADD(c2, wasm_f32x4_splat(p[2]), bt);
    c3 = MADD(c3, wasm_f32x4_splat(p[3]), bt);
  }
  wasm_v128_store(c, c0);
  wasm_v128_store(c + n, c1);
  wasm_v128_store(c + 2 * n, c2);
  wasm_v128_store(c + 3 * n, c3);
}

// `rows` (1..4) rows x one column j, scalar.
static void kernel_scalar(int k, int rows, const f32* panel, const f32* b, int n, int j, f32* c) {
  for (int i = 0; i < rows; i++) {
    f32 s = 0;
    for (int t = 0; t < k; t++) s += panel[4 * t + i] * b[t * n + j];
    c[i * n + j] += s;
  }
}

// One row (the last m % 4 rows) x 8 columns.
static void kernel_1x8(int k, const f32* a, int aCol, const f32* b, int n, f32* c) {
  v128_t c0 = wasm_v128_load(c), c1 = wasm_v128_load(c + 4);
  for (int t = 0; t < k; t++) {
    v128_t av = wasm_f32x4_splat(a[t * aCol]);
    c0 = MADD(c0, av, wasm_v128_load(b + t * n));
    c1 = MADD(c1, av, wasm_v128_load(b + t * n + 4));
  }
  wasm_v128_store(c, c0);
  wasm_v128_store(c + 4, c1);
}

// One cache block: columns [0, cols) and k steps [0, k) of C[m, n] += A · B, where B and C rows
// are n floats apart.
static void block(int m, int cols, int k, const f32* a, int aRow, int aCol, const f32* b, int n,
                  f32* c, f32* panel, f32* strips) {
  // With strips, B's columns are copied in strips of 8, each strip's k rows contiguous, so the
  // micro-kernel streams; that pays only when many row panels reuse them.
  int full = strips ? cols / 8 : 0;
  for (int s = 0; s < full; s++) {
    f32* dst = strips + s * 8 * k;
    const f32* src = b + s * 8;
    for (int t = 0; t < k; t++) {
      wasm_v128_store(dst + 8 * t, wasm_v128_load(src + t * n));
      wasm_v128_store(dst + 8 * t + 4, wasm_v128_load(src + t * n + 4));
    }
  }
  int i = 0;
  for (; i + 4 <= m; i += 4) {
    const f32* ai = a + i * aRow;
    for (int t = 0; t < k; t++) {
      panel[4 * t] = ai[t * aCol];
      panel[4 * t + 1] = ai[aRow + t * aCol];
      panel[4 * t + 2] = ai[2 * aRow + t * aCol];
      panel[4 * t + 3] = ai[3 * aRow + t * aCol];
    }
    f32* ci = c + i * n;
    int j = 0;
    for (; j + 8 <= cols; j += 8) {
      if (strips) kernel_4x8(k, panel, strips + j * k, 8, n, ci + j);
      else kernel_4x8(k, panel, b + j, n, n, ci + j);
    }
    for (; j + 4 <= cols; j += 4) kernel_4x4(k, panel, b + j, n, ci + j);
    for (; j < cols; j++) kernel_scalar(k, 4, panel, b, n, j, ci);
  }
  for (; i < m; i++) {
    const f32* ai = a + i * aRow;
    f32* ci = c + i * n;
    int j = 0;
    for (; j + 8 <= cols; j += 8) kernel_1x8(k, ai, aCol, b + j, n, ci + j);
    for (; j < cols; j++) {
      f32 s = 0;
      for (int t = 0; t < k; t++) s += ai[t * aCol] * b[t * n + j];
      ci[j] += s;
    }
  }
}

// Cache blocking: a KC x NC block of B (256 KiB) stays in L2 while every row panel of A passes.
#define KC 256
#define NC 256

// B is packed and blocked when it is too large for the caches (at least PACK_MIN_B floats, 2 MiB)
// and enough row panels reuse it; otherwise it is read in place, in one block.
#define PACK_MIN_ROWS 16
#define PACK_MIN_B (1 << 19)

// Whether a product of these sizes packs and blocks B.
EXPORT(sgemm_packs) int sgemm_packs(int m, int n, int k) {
  return m >= PACK_MIN_ROWS && k * n >= PACK_MIN_B;
}

// C[m, n] += A · B, where rows of B and C are `ld` floats apart (ld = n, or more for a block of
// columns), B packed and blocked or read in place as `pack` says; `panel` is scratch for
// SGEMM_SCRATCH(k) floats: 4 * max(k, KC) + KC * NC. Threads computing parts of one product pass
// the whole product's sgemm_packs, so every element is summed the same way whatever the split.
EXPORT(sgemm_part) void sgemm_part(int m, int n, int k, const f32* a, int aRow, int aCol,
                                   const f32* b, int ld, f32* c, f32* panel, int pack) {
  if (!pack) {
    block(m, n, k, a, aRow, aCol, b, ld, c, panel, 0);
    return;
  }
  f32* strips = panel + 4 * KC;
  for (int j0 = 0; j0 < n; j0 += NC) {
    int cols = n - j0 < NC ? n - j0 : NC;
    for (int k0 = 0; k0 < k; k0 += KC) {
      int kc = k - k0 < KC ? k - k0 : KC;
      block(m, cols, kc, a + k0 * aCol, aRow, aCol, b + k0 * ld + j0, ld, c + j0, panel, strips);
    }
  }
}

// sgemm_part deciding for itself (one thread computing the whole product).
EXPORT(sgemm_acc) void sgemm_acc(int m, int n, int k, const f32* a, int aRow, int aCol,
                                 const f32* b, int ld, f32* c, f32* panel) {
  sgemm_part(m, n, k, a, aRow, aCol, b, ld, c, panel, sgemm_packs(m, n, k));
}
