// Shared by every kernel: prepended to each family's source before compiling.
//
// Binding 0 of every kernel is a uniform block of 64 32-bit words, so shapes, strides and scalars
// travel as data and one compiled pipeline serves every shape. By convention word 0 is the number
// of invocations that do work, word 1 a rank, word 2 the dispatch's fault tag (see faults below);
// each kernel documents the rest. Kernels run 256 invocations per workgroup on a grid that may be
// two-dimensional, since one dimension holds at most 65535 workgroups.

struct Words { w: array<vec4<u32>, 16> }
@group(0) @binding(0) var<uniform> uni: Words;

const WG: u32 = 256u;
const NAN_BITS: u32 = 0x7fc00000u;
const INF_BITS: u32 = 0x7f800000u;

fn word(i: u32) -> u32 { return uni.w[i >> 2u][i & 3u]; }
fn iword(i: u32) -> i32 { return bitcast<i32>(word(i)); }
fn fword(i: u32) -> f32 { return bitcast<f32>(word(i)); }

// The flat index of this invocation over a grid of 256-wide workgroups.
fn flat_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid;
}
// The flat index of this workgroup on the grid.
fn flat_group(wid: vec3<u32>, nwg: vec3<u32>) -> u32 { return wid.y * nwg.x + wid.x; }

// Bit tests, because compilers may fold `v != v` away.
fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > INF_BITS; }
fn nan() -> f32 { return bitcast<f32>(NAN_BITS); }
fn inf() -> f32 { return bitcast<f32>(INF_BITS); }

// The element offset, in an operand with strides starting at word `strides`, of element `i` of a
// row-major index space of `rank` dimensions whose sizes start at word `dims`.
fn strided_offset(i: u32, rank: u32, dims: u32, strides: u32) -> i32 {
  var rem = i;
  var off = 0;
  for (var d = rank; d > 0u; d--) {
    let size = word(dims + d - 1u);
    off += i32(rem % size) * iword(strides + d - 1u);
    rem = rem / size;
  }
  return off;
}
