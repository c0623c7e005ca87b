// Fused elementwise programs (made by compile, see src/backend/cpu/wasm/program.ts) over float32
// and bool operands, run a block of BLOCK elements at a time: each instruction applies one op to
// a whole block, so a program's values live in a small register file (scratch, BLOCK floats per
// register) instead of full-size arrays, and the operands are read and written once. Each op is
// the same correctly rounded IEEE operation as the unfused kernels (elementwise.c), so results
// are bit-identical to running the primitives one by one. Bools are 0.0 or 1.0 in registers.
//
// Program words: nregs, ninstr, nin, nout; per input: kind (0 float32 array, 1 bool array,
// 2 float32 scalar, 3 bool scalar), register; per output: kind (0 float32, 1 bool), register;
// per instruction: op, destination, three operand registers, literal bits (for P_LIT).
// `ptrs`: the inputs' then the outputs' byte addresses.

#include "kernels.h"

#define BLOCK 256

enum {
  P_NEG, P_ABS, P_SQRT, P_RELU, P_FLOOR, P_CEIL, P_ROUND,
  P_ADD = 10, P_SUB, P_MUL, P_DIV, P_MAX, P_MIN,
  P_EQ = 20, P_NE, P_GT, P_GE, P_LT, P_LE,
  P_WHERE = 30, P_COPY, P_LIT
};

static v128_t vmax(v128_t a, v128_t b) {
  return wasm_v128_bitselect(a, b, wasm_v128_or(wasm_f32x4_gt(a, b), wasm_f32x4_ne(a, a)));
}
static v128_t vmin(v128_t a, v128_t b) {
  return wasm_v128_bitselect(a, b, wasm_v128_or(wasm_f32x4_lt(a, b), wasm_f32x4_ne(a, a)));
}
// A comparison's lane mask as 1.0 or 0.0.
static v128_t vbool(v128_t m) { return wasm_v128_and(m, wasm_f32x4_splat(1.0f)); }

// One instruction over `len` lanes (a multiple of 4; registers are BLOCK floats long): the op
// is chosen once, outside the loop.
#define LOOP1(V)                                                     \
  for (int i = 0; i < len; i += 4) {                                 \
    v128_t x = wasm_v128_load(a + i);                                \
    wasm_v128_store(d + i, V);                                       \
  }                                                                  \
  return;
#define LOOP2(V)                                                     \
  for (int i = 0; i < len; i += 4) {                                 \
    v128_t x = wasm_v128_load(a + i), y = wasm_v128_load(b + i);     \
    wasm_v128_store(d + i, V);                                       \
  }                                                                  \
  return;

static void step(int op, f32* d, const f32* a, const f32* b, const f32* c, int bits, int len) {
  v128_t zero = wasm_f32x4_splat(0.0f);
  switch (op) {
    case P_NEG: LOOP1(wasm_f32x4_neg(x))
    case P_ABS: LOOP1(wasm_f32x4_abs(x))
    case P_SQRT: LOOP1(wasm_f32x4_sqrt(x))
    case P_RELU: LOOP1(wasm_f32x4_max(x, zero))
    case P_FLOOR: LOOP1(wasm_f32x4_floor(x))
    case P_CEIL: LOOP1(wasm_f32x4_ceil(x))
    case P_ROUND: LOOP1(wasm_f32x4_nearest(x))
    case P_ADD: LOOP2(wasm_f32x4_add(x, y))
    case P_SUB: LOOP2(wasm_f32x4_sub(x, y))
    case P_MUL: LOOP2(wasm_f32x4_mul(x, y))
    case P_DIV: LOOP2(wasm_f32x4_div(x, y))
    case P_MAX: LOOP2(vmax(x, y))
    case P_MIN: LOOP2(vmin(x, y))
    case P_EQ: LOOP2(vbool(wasm_f32x4_eq(x, y)))
    case P_NE: LOOP2(vbool(wasm_f32x4_ne(x, y)))
    case P_GT: LOOP2(vbool(wasm_f32x4_gt(x, y)))
    case P_GE: LOOP2(vbool(wasm_f32x4_ge(x, y)))
    case P_LT: LOOP2(vbool(wasm_f32x4_lt(x, y)))
    case P_LE: LOOP2(vbool(wasm_f32x4_le(x, y)))
    case P_WHERE:
      for (int i = 0; i < len; i += 4) {
        v128_t m = wasm_f32x4_ne(wasm_v128_load(a + i), zero);
        wasm_v128_store(d + i, wasm_v128_bitselect(wasm_v128_load(b + i), wasm_v128_load(c + i), m));
      }
      return;
    case P_LIT: {
      v128_t v = wasm_i32x4_splat(bits);
      for (int i = 0; i < len; i += 4) wasm_v128_store(d + i, v);
      return;
    }
    default: LOOP1(x)  // P_COPY: a cast to float32
  }
}

// Elements [start, start + n) of the program at `prog`; `regs` is scratch for nregs * BLOCK
// floats (one per calling thread).
EXPORT(program_f32)
void program_f32(const int* prog, const int* ptrs, int start, int n, f32* regs) {
  int nregs = prog[0], ninstr = prog[1], nin = prog[2], nout = prog[3];
  const int* ins = prog + 4;
  const int* outs = ins + 2 * nin;
  const int* code = outs + 2 * nout;
  (void)nregs;
  for (int b0 = start; b0 < start + n; b0 += BLOCK) {
    int len = start + n - b0 < BLOCK ? start + n - b0 : BLOCK;
    int padded = (len + 3) & ~3;
    for (int k = 0; k < nin; k++) {
      f32* r = regs + ins[2 * k + 1] * BLOCK;
      int kind = ins[2 * k];
      if (kind == 0) {
        const f32* src = (const f32*)ptrs[k] + b0;
        int i = 0;
        for (; i + 4 <= len; i += 4) wasm_v128_store(r + i, wasm_v128_load(src + i));
        for (; i < len; i++) r[i] = src[i];
      } else if (kind == 1) {
        const u8* src = (const u8*)ptrs[k] + b0;
        for (int i = 0; i < len; i++) r[i] = (f32)src[i];
      } else {
        f32 v = kind == 2 ? *(const f32*)ptrs[k] : (f32) * (const u8*)ptrs[k];
        for (int i = 0; i < padded; i++) r[i] = v;
      }
      for (int i = len; i < padded; i++) r[i] = 0;
    }
    for (int j = 0; j < ninstr; j++) {
      const int* w = code + 6 * j;
      step(w[0], regs + w[1] * BLOCK, regs + w[2] * BLOCK, regs + w[3] * BLOCK,
           regs + w[4] * BLOCK, w[5], padded);
    }
    for (int k = 0; k < nout; k++) {
      const f32* r = regs + outs[2 * k + 1] * BLOCK;
      if (outs[2 * k] == 0) {
        f32* dst = (f32*)ptrs[nin + k] + b0;
        int i = 0;
        for (; i + 4 <= len; i += 4) wasm_v128_store(dst + i, wasm_v128_load(r + i));
        for (; i < len; i++) dst[i] = r[i];
      } else {
        u8* dst = (u8*)ptrs[nin + k] + b0;
        for (int i = 0; i < len; i++) dst[i] = r[i] != 0;
      }
    }
  }
}
