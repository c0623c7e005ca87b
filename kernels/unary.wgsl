// Elementwise functions of one operand: out[i] = f(x[i]).
// Specialized by the prelude: `alias T` (the element type) and `fn apply(v: T) -> T`, which calls
// unary_f32 (kernels/elementwise_math.wgsl) or unary_i32 below; the op is the override constant OP.
// Words: 0 = element count.

@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;

override OP: u32 = 0u;

// The float function selected by OP (kernels/elementwise_math.wgsl).
fn unary_f32(v: f32) -> f32 { return unary_op(OP, v); }

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
