// Adds up the partial products of a split-K gemm (kernels/gemm.wgsl): out[i] = sum over s of
// parts[s * count + i], in split order. Specialized by `alias T`.
// Words: 0 = count (output elements), 3 = number of splits.

@group(0) @binding(1) var<storage, read> parts: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let count = word(0u);
  let i = flat_index(wid, nwg, lid);
  if (i >= count) { return; }
  var acc = parts[i];
  for (var s = 1u; s < word(3u); s++) { acc += parts[s * count + i]; }
  out[i] = acc;
}
