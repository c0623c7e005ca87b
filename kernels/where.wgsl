// out[i] = cond[ic] ? a[ia] : b[ib], with NumPy broadcasting of all three.
// Specialized by `alias T`. Words: 0 = element count, 1 = rank, 4..11 = output dims,
// 12..19 = strides of a, 20..27 = strides of b, 28..35 = strides of cond.

@group(0) @binding(1) var<storage, read> cond: array<u32>;
@group(0) @binding(2) var<storage, read> a: array<T>;
@group(0) @binding(3) var<storage, read> b: array<T>;
@group(0) @binding(4) var<storage, read_write> out: array<T>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= word(0u)) { return; }
  let rank = word(1u);
  if (rank == 0u) {
    out[i] = select(b[i], a[i], cond[i] != 0u);
    return;
  }
  let c = cond[strided_offset(i, rank, 4u, 28u)];
  out[i] = select(b[strided_offset(i, rank, 4u, 20u)], a[strided_offset(i, rank, 4u, 12u)], c != 0u);
}
