// Uniform float32 numbers in [0, 1) from a Threefry-2x32 key, bit for bit as `uniformBits` in
// src/backend/threefry.ts: invocation j computes threefry2x32(key, (j, 0)) and writes its two
// words w as elements 2j and 2j + 1, each (w >> 8) * 2^-24 (exact in f32); the last invocation
// of an odd count writes one. Words: 0 = invocations (counters), 1 = element count, 4 = k0,
// 5 = k1. Binding 1 = out.

@group(0) @binding(1) var<storage, read_write> out: array<f32>;

const PARITY: u32 = 0x1bd11bdau;

fn rotl(v: u32, r: u32) -> u32 { return (v << r) | (v >> (32u - r)); }

// One round: x0 += x1; x1 = rotl(x1, r) ^ x0.
fn mix(x: vec2<u32>, r: u32) -> vec2<u32> {
  let a = x.x + x.y;
  return vec2<u32>(a, rotl(x.y, r) ^ a);
}
// Four rounds with the rotations of even (13, 15, 26, 6) and odd (17, 29, 16, 24) groups.
fn even_rounds(x: vec2<u32>) -> vec2<u32> { return mix(mix(mix(mix(x, 13u), 15u), 26u), 6u); }
fn odd_rounds(x: vec2<u32>) -> vec2<u32> { return mix(mix(mix(mix(x, 17u), 29u), 16u), 24u); }

// Threefry-2x32 with 20 rounds: key (k0, k1), counter (c0, c1); u32 additions wrap.
fn threefry2x32(k0: u32, k1: u32, c0: u32, c1: u32) -> vec2<u32> {
  let k2 = k0 ^ k1 ^ PARITY;
  var x = vec2<u32>(c0 + k0, c1 + k1);
  x = even_rounds(x) + vec2<u32>(k1, k2 + 1u);
  x = odd_rounds(x) + vec2<u32>(k2, k0 + 2u);
  x = even_rounds(x) + vec2<u32>(k0, k1 + 3u);
  x = odd_rounds(x) + vec2<u32>(k1, k2 + 4u);
  x = even_rounds(x) + vec2<u32>(k2, k0 + 5u);
  return x;
}

fn unit(w: u32) -> f32 { return f32(w >> 8u) * 5.9604644775390625e-8; } // 2^-24

@compute @workgroup_size(256)
fn uniform_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
  let j = flat_index(wid, nwg, lid);
  if (j >= word(0u)) { return; }
  let w = threefry2x32(word(4u), word(5u), j, 0u);
  let e = 2u * j;
  out[e] = unit(w.x);
  if (e + 1u < word(1u)) { out[e + 1u] = unit(w.y); }
}
