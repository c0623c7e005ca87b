// Checks values without producing an output: element i fails when it is not the skip value and
// lies outside [lo, hi] (or [lo, hi) when hi is exclusive), NaN included; the first failure is
// reported as a fault, so the error surfaces when data is next read back (as class labels out of
// range, or probabilities outside [0, 1], throw at once on the CPU). Specialized by `alias T`.
// Words: 0 = element count, 3 = flags (bit 0: hi inclusive, bit 1: a skip value), 4 = lo,
// 5 = hi, 6 = the skip value (bits of T).

@group(0) @binding(1) var<storage, read> x: array<T>;

fn outside(v: T) -> bool {
  let flags = word(3u);
  if ((flags & 2u) != 0u && v == bitcast<T>(word(6u))) { return false; }
  let hi = bitcast<T>(word(5u));
  let below_hi = select(v < hi, v <= hi, (flags & 1u) != 0u);
  return !(v >= bitcast<T>(word(4u)) && below_hi);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= word(0u)) { return; }
  let v = x[i];
  if (outside(v)) { report_fault(i, bitcast<u32>(v)); }
}
