// Converts elements between dtypes: out[i] = convert(x[i]). Specialized by `alias TI` (input),
// `alias TO` (output) and `fn convert(v: TI) -> TO`, one of the functions below. Float to int32
// truncates toward zero and reports values int32 cannot hold (NaN and infinities included) as a
// fault, where the CPU backend throws. Words: 0 = element count.

@group(0) @binding(1) var<storage, read> x: array<TI>;
@group(0) @binding(2) var<storage, read_write> out: array<TO>;

var<private> here: u32;

fn f32_to_i32(v: f32) -> i32 {
  let t = trunc(v);
  if (!(t >= -2147483648.0 && t < 2147483648.0)) {
    report_fault(here, bitcast<u32>(v));
    return 0;
  }
  return i32(t);
}
fn f32_to_u32(v: f32) -> u32 { return select(1u, 0u, v == 0.0); }
fn i32_to_u32(v: i32) -> u32 { return select(1u, 0u, v == 0); }
fn i32_to_f32(v: i32) -> f32 { return f32(v); }
fn u32_to_f32(v: u32) -> f32 { return f32(v); }
fn u32_to_i32(v: u32) -> i32 { return i32(v); }

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= word(0u)) { return; }
  here = i;
  out[i] = convert(x[i]);
}
