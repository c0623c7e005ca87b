// Elementwise comparisons with NumPy broadcasting; the result is bool (one u32, 0 or 1, per
// element). Specialized by `alias T` and `fn unordered(p: T, q: T) -> bool` (whether either is
// NaN: compilers may treat float compares as ordered, so NaN is tested by bits); the op is OP, in
// the order of COMPARE_PRIMS.
// Words: as kernels/binary.wgsl.

@group(0) @binding(1) var<storage, read> a: array<T>;
@group(0) @binding(2) var<storage, read> b: array<T>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

override OP: u32 = 0u;

fn compare(p: T, q: T) -> bool {
  if (unordered(p, q)) { return OP == 1u; } // only notEqual holds for NaN
  switch OP {
    case 0u: { return p == q; }
    case 1u: { return p != q; }
    case 2u: { return p > q; }
    case 3u: { return p >= q; }
    case 4u: { return p < q; }
    case 5u: { return p <= q; }
    default: { return false; }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= word(0u)) { return; }
  let rank = word(1u);
  var p: T;
  var q: T;
  if (rank == 0u) {
    p = a[i];
    q = b[i];
  } else {
    p = a[strided_offset(i, rank, 4u, 12u)];
    q = b[strided_offset(i, rank, 4u, 20u)];
  }
  out[i] = select(0u, 1u, compare(p, q));
}
