// Elementwise functions of one operand: out[i] = f(x[i]).
// Specialized by the prelude: `alias T` (the element type) and `fn apply(v: T) -> T`, which calls
// one of the functions below; the op is the override constant OP for the float functions.
// Words: 0 = element count.

@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;

override OP: u32 = 0u;

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

// exp(v) - 1 without cancellation near 0.
fn expm1_f(v: f32) -> f32 {
  if (abs(v) < 1e-5) { return v + 0.5 * v * v; }
  let u = exp(v);
  if (u == inf()) { return u; }
  if (u - 1.0 == -1.0) { return -1.0; }
  return (u - 1.0) * (v / log(u));
}

// Keeps NaN and signed zero, like the CPU kernel.
fn sign_f(v: f32) -> f32 {
  if (v > 0.0) { return 1.0; }
  if (v < 0.0) { return -1.0; }
  return v;
}

fn relu_f(v: f32) -> f32 { return select(v, 0.0, v < 0.0); }

// The float function selected by OP, in the order of UNARY_PRIMS.
fn unary_f32(v: f32) -> f32 {
  switch OP {
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

// int32: exact for neg, abs, sign and relu and the rounding ops; the rest go through f32 and
// truncate toward zero, as a float result stored into an Int32Array does.
fn unary_i32(v: i32) -> i32 {
  switch OP {
    case 0u: { return -v; }
    case 6u: { return select(v, -v, v < 0); }
    case 7u: { return select(select(0, -1, v < 0), 1, v > 0); }
    case 12u: { return max(v, 0); }
    case 13u, 14u, 15u: { return v; }
    default: {
      let r = unary_f32(f32(v));
      if (is_nan(r) || abs(r) >= 2147483648.0) { return 0; }
      return i32(r);
    }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= word(0u)) { return; }
  out[i] = apply(x[i]);
}
