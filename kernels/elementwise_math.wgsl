// Elementwise float math shared by the unary and binary kernels and by the fused elementwise
// kernels that compile generates; each op is chosen by its code: its index in UNARY_PRIMS,
// BINARY_PRIMS or COMPARE_PRIMS (src/core/primitives.ts).

fn sigmoid_f(v: f32) -> f32 {
  if (v >= 0.0) { return 1.0 / (1.0 + exp(-v)); }
  let e = exp(v);
  return e / (1.0 + e);
}

// tanh from exp(-2|v|), which cannot overflow.
fn tanh_f(v: f32) -> f32 {
  let t = exp(-2.0 * abs(v));
  let r = (1.0 - t) / (1.0 + t);
  return select(r, -r, v < 0.0);
}

// log(1 + v) without cancellation: the rounding error of 1 + v is corrected by the ratio.
fn log1p_f(v: f32) -> f32 {
  let u = 1.0 + v;
  if (u == 1.0) { return v; }
  if (is_nan(u) || u == inf()) { return log(u); }
  return log(u) * (v / (u - 1.0));
}

// exp(v) - 1 without cancellation near 0: below |v| = 0.5 its Taylor series to v^9 (truncation
// under 1e-8 relative; a GPU's log near 1 has an absolute error bound, so the (u - 1) v / log(u)
// correction would lose digits there); beyond it u - 1 keeps float32 accuracy.
fn expm1_f(v: f32) -> f32 {
  if (abs(v) < 0.5) {
    let p = 1.0 / 40320.0 + v * (1.0 / 362880.0);
    let q = 1.0 / 720.0 + v * (1.0 / 5040.0 + v * p);
    let r = 1.0 / 24.0 + v * (1.0 / 120.0 + v * q);
    return v * (1.0 + v * (0.5 + v * (1.0 / 6.0 + v * r)));
  }
  let u = exp(v);
  if (u == inf()) { return u; }
  return u - 1.0;
}

// Keeps NaN and signed zero, like the CPU kernel.
fn sign_f(v: f32) -> f32 {
  if (v > 0.0) { return 1.0; }
  if (v < 0.0) { return -1.0; }
  return v;
}

fn relu_f(v: f32) -> f32 { return select(v, 0.0, v < 0.0); }

// Math.pow's rules: x^0 = 1, negative bases only to integer powers, signed zeros and infinities.
fn pow_f(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  if (is_nan(x) || is_nan(y)) { return nan(); }
  let ay = abs(y);
  let integer = floor(y) == y;
  let odd = integer && ay < 16777216.0 && (i32(ay) & 1) == 1;
  if (x == 0.0) {
    let neg_zero = (bitcast<u32>(x) & 0x80000000u) != 0u;
    if (y > 0.0) { return select(0.0, x, odd); }
    return select(inf(), -inf(), odd && neg_zero);
  }
  if (x < 0.0 && !integer) { return nan(); }
  let r = exp2(y * log2(abs(x)));
  return select(r, -r, x < 0.0 && odd);
}

// The unary float function of code op.
fn unary_op(op: u32, v: f32) -> f32 {
  switch op {
    case 0u: { return -v; }
    case 1u: { return exp(v); }
    case 2u: {
      if (v < 0.0) { return nan(); }
      if (v == 0.0) { return -inf(); }
      return log(v);
    }
    case 3u: { return log1p_f(v); }
    case 4u: { return expm1_f(v); }
    case 5u: { return select(sqrt(v), nan(), v < 0.0); }
    case 6u: { return abs(v); }
    case 7u: { return sign_f(v); }
    case 8u: { return sin(v); }
    case 9u: { return cos(v); }
    case 10u: { return tanh_f(v); }
    case 11u: { return sigmoid_f(v); }
    case 12u: { return relu_f(v); }
    case 13u: { return floor(v); }
    case 14u: { return ceil(v); }
    case 15u: { return round(v); }
    default: { return v; }
  }
}

// The binary float function of code op.
fn binary_op(op: u32, p: f32, q: f32) -> f32 {
  switch op {
    case 0u: { return p + q; }
    case 1u: { return p - q; }
    case 2u: { return p * q; }
    case 3u: { return p / q; }
    case 4u: { return pow_f(p, q); }
    case 5u: { return select(q, p, p > q || is_nan(p)); }
    case 6u: { return select(q, p, p < q || is_nan(p)); }
    default: { return p; }
  }
}

// The float comparison of code op; only notEqual holds when either operand is NaN (tested by
// bits: compilers may treat float compares as ordered).
fn compare_op(op: u32, p: f32, q: f32) -> bool {
  if (is_nan(p) || is_nan(q)) { return op == 1u; }
  switch op {
    case 0u: { return p == q; }
    case 1u: { return p != q; }
    case 2u: { return p > q; }
    case 3u: { return p >= q; }
    case 4u: { return p < q; }
    case 5u: { return p <= q; }
    default: { return false; }
  }
}

// v itself, hidden from the shader compiler (word 2 is 0 in kernels that report no faults): an
// op whose operands are provably equal or opposite (e - e, x + -x) would otherwise fold to a
// constant that is wrong for infinities and NaN, which compilers may assume away.
fn opaque(v: f32) -> f32 { return bitcast<f32>(bitcast<u32>(v) ^ word(2u)); }
