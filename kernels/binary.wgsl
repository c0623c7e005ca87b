// Elementwise arithmetic of two operands with NumPy broadcasting: out[i] = f(a[ia], b[ib]).
// Specialized by the prelude: `alias T` and `fn apply(p: T, q: T) -> T` calling binary_f32 or
// binary_i32; the op is the override constant OP, in the order of BINARY_PRIMS.
// Words: 0 = element count, 1 = rank (0 when both operands are contiguous like the output),
// 4..11 = output dims, 12..19 = strides of a, 20..27 = strides of b (0 where broadcast).

@group(0) @binding(1) var<storage, read> a: array<T>;
@group(0) @binding(2) var<storage, read> b: array<T>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;

override OP: u32 = 0u;

// The element being computed, for kernels that report faults (int32 pow with a negative power).
var<private> here: u32;

// The float function selected by OP (kernels/elementwise_math.wgsl).
fn binary_f32(p: f32, q: f32) -> f32 { return binary_op(OP, p, q); }

// int32 wraps like the CPU kernels: division truncates and x / 0 is 0.
fn binary_i32(p: i32, q: i32) -> i32 {
  switch OP {
    case 0u: { return p + q; }
    case 1u: { return p - q; }
    case 2u: { return p * q; }
    case 3u: { return select(p / q, 0, q == 0); }
    case 4u: {
      var r = 1;
      var base = p;
      var e = u32(max(q, 0));
      loop {
        if (e == 0u) { break; }
        if ((e & 1u) == 1u) { r = r * base; }
        base = base * base;
        e = e >> 1u;
      }
      return r;
    }
    case 5u: { return max(p, q); }
    case 6u: { return min(p, q); }
    default: { return p; }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= word(0u)) { return; }
  here = i;
  let rank = word(1u);
  if (rank == 0u) {
    out[i] = apply(a[i], b[i]);
    return;
  }
  out[i] = apply(a[strided_offset(i, rank, 4u, 12u)], b[strided_offset(i, rank, 4u, 20u)]);
}
