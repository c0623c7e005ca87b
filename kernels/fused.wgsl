// Fused elementwise chains that compile generates (src/backend/webgpu/fused.ts): the prelude
// declares the bindings (inputs from 1, then outputs) and `fn fused(i: u32)`, which computes
// element i of every output with the functions of kernels/elementwise_math.wgsl.
// Words: 0 = element count, 1 = rank of the broadcast index, 4..11 = output dims,
// 12 + 8k .. = strides of the k-th broadcasting input (0 where it broadcasts; four at most),
// 44.. = the program's literals (float32 bits; runtime values, so no constant folding).

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= word(0u)) { return; }
  fused(i);
}
