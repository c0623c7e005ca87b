// Shared declarations of fluxion's WebAssembly kernels (see gemm.c for the build).
#ifndef FLUXION_KERNELS_H
#define FLUXION_KERNELS_H
#include <wasm_simd128.h>

typedef float f32;
typedef double f64;
typedef unsigned char u8;

// acc + a * b on four lanes. The relaxed build fuses it (one rounding, where the machine has
// FMA): clang 14 spells relaxed-SIMD FMA `__builtin_wasm_fma_f32x4` with a pre-standard opcode,
// which tools/build_wasm.ts rewrites to the standard `f32x4.relaxed_madd` (x * y + z of its
// operands in order), so the operands are given in the standard's order here.
#ifdef FLUXION_RELAXED
#define MADD(acc, a, b) __builtin_wasm_fma_f32x4(a, b, acc)
#else
#define MADD(acc, a, b) wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))
#endif

#define EXPORT(name) __attribute__((export_name(#name)))

// C[m, n] += A[m, k] · B[k, n] (gemm.c), rows of B and C `ld` floats apart; `panel` is scratch
// for SGEMM_SCRATCH(k) floats.
void sgemm_acc(int m, int n, int k, const f32* a, int aRow, int aCol, const f32* b, int ld,
               f32* c, f32* panel);
// dst[b, j, i] = src[b, i, j] for a batch of rows x cols matrices (elementwise.c).
void transpose_f32(int batch, int rows, int cols, const f32* src, f32* dst);

#define SGEMM_SCRATCH(k) (4 * ((k) > 256 ? (k) : 256) + 256 * 256 + 16)

#endif
