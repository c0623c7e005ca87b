// Data movement: every output element copies one source element, found through strides, so
// transpose, broadcastTo and slice (with steps) are one kernel; pad and concat place elements.
// Specialized by `alias T`.

@group(0) @binding(1) var<storage, read> src: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;

// out[i] = src[base + sum(coord_d * stride_d)].
// Words: 0 = count, 1 = rank, 3 = base offset (i32), 4..11 = output dims, 12..19 = source strides
// (i32; 0 broadcasts, negative steps go backwards).
@compute @workgroup_size(256)
fn strided_copy(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= word(0u)) { return; }
  out[i] = src[iword(3u) + strided_offset(i, word(1u), 4u, 12u)];
}

// Pad with `value`: output coordinate c maps to source coordinate (c - lo) / (interior + 1) when
// that divides evenly and lands inside the source; everything else is the pad value.
// Words: 0 = count, 1 = rank, 3 = pad value (bits of T), 4..11 = output dims, 12..19 = source
// strides, 20..27 = lo (i32, may be negative), 28..35 = interior + 1, 36..43 = source dims.
@compute @workgroup_size(256)
fn pad(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= word(0u)) { return; }
  let rank = word(1u);
  var rem = i;
  var off = 0;
  var inside = true;
  for (var d = rank; d > 0u; d--) {
    let size = word(4u + d - 1u);
    let c = i32(rem % size);
    rem = rem / size;
    let j = c - iword(20u + d - 1u);
    let step = iword(28u + d - 1u);
    if (j < 0 || j % step != 0 || j / step >= iword(36u + d - 1u)) {
      inside = false;
    } else {
      off += (j / step) * iword(12u + d - 1u);
    }
  }
  out[i] = select(bitcast<T>(word(3u)), src[off], inside);
}

// Places a whole (contiguous) source into the output through strides: out[base + sum(coord_d *
// stride_d)] = src[i]; concat runs it once per input. Words: 0 = source count, 1 = rank,
// 3 = base offset in the output, 4..11 = source dims, 12..19 = output strides.
@compute @workgroup_size(256)
fn place(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= word(0u)) { return; }
  out[iword(3u) + strided_offset(i, word(1u), 4u, 12u)] = src[i];
}
