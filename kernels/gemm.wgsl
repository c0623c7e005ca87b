// Matrix products C[z][m, n] = sum_k A[z][m, k] * B[z][k, n] for matmul and, as implicit GEMMs
// that gather their operands on the fly (no im2col buffer), conv2d and its two gradients. One
// skeleton serves all four: the override constant MODE picks the loaders and the store.
// Specialized by `alias T` (f32, or i32 for matmul, which wraps like the CPU).
//
// Words: 0 = M, 1 = N, 3 = K, 4 = batches Z (matmul batch elements, or conv groups),
// 5 = tiles along M, 6 = tiles along N, 7 = K splits S, 8 = K per split (for `tiled` a multiple
// of TK), 9 = output elements (with S > 1 the output is a scratch buffer of S outputs, split s
// writing at s * word 9, and kernels/gemm_split.wgsl adds them up).
// matmul (MODE 0): 10 = batch rank, 16..23 = batch dims, 24..31 and 32..39 = batch strides of
// a and b (0 where broadcast). conv (MODE 1 forward, 2 input gradient, 3 filter gradient):
// 16.. = n, c, h, w, o, cg, og, kh, kw, oh, ow, sh, sw, dh, dw, pad top, pad left.
//
// Bindings: a = first input, b = second input, out = output (conv2d: x, w; input gradient:
// cotangent, w; filter gradient: x, cotangent).
//
// The prelude defines `fn epilogue(v: T, o: u32) -> T`, applied to each result before it is
// stored (o: its index in the output): the identity, or elementwise ops that compile fused into
// the product (src/backend/webgpu/fused.ts), whose other inputs are bindings 4.. and whose
// broadcast layout is words 40..; a fused product never splits K.

@group(0) @binding(1) var<storage, read> a: array<T>;
@group(0) @binding(2) var<storage, read> b: array<T>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;

override MODE: u32 = 0u;

// One workgroup computes a TM x TN tile of C: 16 x 16 invocations, each a 4 x 4 block whose
// rows are ty + 16 i and columns tx + 16 j, walking K in steps of TK through workgroup memory.
const TM: u32 = 64u;
const TN: u32 = 64u;
const TK: u32 = 16u;
// A tile is [TM][TK + 1] (the extra column spreads the rows over memory banks), B is [TK][TN].
var<workgroup> tile_a: array<T, 1088>;
var<workgroup> tile_b: array<T, 1024>;

// Per batch (or group) element offsets, set by `setup`.
var<private> base_a: u32;
var<private> base_b: u32;
var<private> base_c: u32;

// Conv geometry from words 16..32.
fn cc() -> u32 { return word(17u); }
fn ch() -> u32 { return word(18u); }
fn cw() -> u32 { return word(19u); }
fn co() -> u32 { return word(20u); }
fn cg() -> u32 { return word(21u); }
fn og() -> u32 { return word(22u); }
fn kh() -> u32 { return word(23u); }
fn kw() -> u32 { return word(24u); }
fn oh() -> u32 { return word(25u); }
fn ow() -> u32 { return word(26u); }

fn setup(z: u32) {
  if (MODE == 0u) {
    var rem = z;
    var oa = 0u;
    var ob = 0u;
    for (var d = word(10u); d > 0u; d--) {
      let size = word(16u + d - 1u);
      let i = rem % size;
      rem = rem / size;
      oa += i * word(24u + d - 1u);
      ob += i * word(32u + d - 1u);
    }
    base_a = oa;
    base_b = ob;
    base_c = z * word(0u) * word(1u);
  } else {
    // z is the group: its first input channel and first output channel.
    base_a = z * cg();
    base_b = z * og();
    base_c = 0u;
  }
}

// The element (channel ci, tap r = ky * kw + kx) of image `img` at output position
// q = oy * ow + ox, as conv2d reads it from x (always the first input; zero in the padding).
fn gather_x(img: u32, ci: u32, r: u32, q: u32) -> T {
  let iy = i32((q / ow()) * word(27u) + (r / kw()) * word(29u)) - iword(31u);
  let ix = i32((q % ow()) * word(28u) + (r % kw()) * word(30u)) - iword(32u);
  if (iy < 0 || ix < 0 || u32(iy) >= ch() || u32(ix) >= cw()) { return T(0); }
  return a[((img * cc() + base_a + ci) * ch() + u32(iy)) * cw() + u32(ix)];
}

fn load_a(m: u32, k: u32) -> T {
  switch MODE {
    case 0u: { return a[base_a + m * word(3u) + k]; }
    // Weights of the group: [og, cg * kh * kw] from its first output channel.
    case 1u: { return b[(base_b + m) * word(3u) + k]; }
    // Weights transposed: row m = input channel, k = (o, tap).
    case 2u: {
      let taps = kh() * kw();
      return b[((base_b + k / taps) * cg() + m) * taps + k % taps];
    }
    // Cotangent: row m = output channel, k = (image, output position).
    default: {
      let plane = oh() * ow();
      return b[((k / plane) * co() + base_b + m) * plane + k % plane];
    }
  }
}

fn load_b(k: u32, n: u32) -> T {
  switch MODE {
    case 0u: { return b[base_b + k * word(1u) + n]; }
    // k = (input channel, tap), n = (image, output position).
    case 1u: {
      let taps = kh() * kw();
      let plane = oh() * ow();
      return gather_x(n / plane, k / taps, k % taps, n % plane);
    }
    // k = (output channel, tap), n = (image, input position): the cotangent element whose window
    // tap lands on this input position, where the stride divides evenly.
    case 2u: {
      let taps = kh() * kw();
      let r = k % taps;
      let plane = ch() * cw();
      let p = n % plane;
      let ty = i32(p / cw() + word(31u)) - i32((r / kw()) * word(29u));
      let tx = i32(p % cw() + word(32u)) - i32((r % kw()) * word(30u));
      if (ty < 0 || tx < 0) { return T(0); }
      let sy = word(27u);
      let sx = word(28u);
      let oy = u32(ty) / sy;
      let ox = u32(tx) / sx;
      if (u32(ty) % sy != 0u || u32(tx) % sx != 0u || oy >= oh() || ox >= ow()) { return T(0); }
      return a[(((n / plane) * co() + base_b + k / taps) * oh() + oy) * ow() + ox];
    }
    // k = (image, output position), n = (input channel, tap).
    default: {
      let taps = kh() * kw();
      let plane = oh() * ow();
      return gather_x(k / plane, n / taps, n % taps, k % plane);
    }
  }
}

// The output index of C[m, n] in the current batch (or group).
fn out_index(m: u32, n: u32) -> u32 {
  switch MODE {
    case 0u: { return base_c + m * word(1u) + n; }
    // y[img, group's first output channel + m, position].
    case 1u: {
      let plane = oh() * ow();
      return ((n / plane) * co() + base_b + m) * plane + n % plane;
    }
    // dx[img, group's first input channel + m, position].
    case 2u: {
      let plane = ch() * cw();
      return ((n / plane) * cc() + base_a + m) * plane + n % plane;
    }
    // dw[group's first output channel + m, (channel, tap)].
    default: { return (base_b + m) * word(1u) + n; }
  }
}

// Tiled: one workgroup per (split, batch, tile row, tile column), on a flat grid.
@compute @workgroup_size(256)
fn tiled(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let M = word(0u);
  let N = word(1u);
  let tiles_m = word(5u);
  let tiles_n = word(6u);
  let batches = word(4u);
  var g = flat_group(wid, nwg);
  if (g >= tiles_m * tiles_n * batches * word(7u)) { return; }
  let m0 = (g % tiles_m) * TM;
  g = g / tiles_m;
  let n0 = (g % tiles_n) * TN;
  g = g / tiles_n;
  let z = g % batches;
  let split = g / batches;
  setup(z);
  let k_begin = split * word(8u);
  let k_end = min(word(3u), k_begin + word(8u));
  let tx = lid % 16u;
  let ty = lid / 16u;
  var acc: array<T, 16>;
  for (var i = 0u; i < 16u; i++) { acc[i] = T(0); }
  for (var k0 = k_begin; k0 < k_end; k0 += TK) {
    for (var r = 0u; r < 4u; r++) {
      let e = lid + r * WG;
      // A: consecutive invocations take consecutive k of a row.
      let am = e / TK;
      let ak = e % TK;
      var va = T(0);
      if (m0 + am < M && k0 + ak < k_end) { va = load_a(m0 + am, k0 + ak); }
      tile_a[am * (TK + 1u) + ak] = va;
      // B: consecutive invocations take consecutive n of a row.
      let bk = e / TN;
      let bn = e % TN;
      var vb = T(0);
      if (k0 + bk < k_end && n0 + bn < N) { vb = load_b(k0 + bk, n0 + bn); }
      tile_b[bk * TN + bn] = vb;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var av: array<T, 4>;
      var bv: array<T, 4>;
      for (var i = 0u; i < 4u; i++) {
        av[i] = tile_a[(ty + 16u * i) * (TK + 1u) + kk];
        bv[i] = tile_b[kk * TN + tx + 16u * i];
      }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) { acc[i * 4u + j] += av[i] * bv[j]; }
      }
    }
    workgroupBarrier();
  }
  let shift = split * word(9u);
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + ty + 16u * i;
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + tx + 16u * j;
      if (m < M && n < N) {
        let o = out_index(m, n);
        out[shift + o] = epilogue(acc[i * 4u + j], o);
      }
    }
  }
}

// Direct: one invocation per element of C (and split), for products too thin for tiles to pay
// (M or N of a few): the loads are the same, each element a dot product over its part of K.
@compute @workgroup_size(256)
fn direct(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
  let M = word(0u);
  let N = word(1u);
  let count = M * N * word(4u);
  let i = flat_index(wid, nwg, lid);
  if (i >= count * word(7u)) { return; }
  let split = i / count;
  let e = i % count;
  let n = e % N;
  let m = (e / N) % M;
  setup(e / (M * N));
  let k_begin = split * word(8u);
  let k_end = min(word(3u), k_begin + word(8u));
  var acc = T(0);
  for (var k = k_begin; k < k_end; k++) { acc += load_a(m, k) * load_b(k, n); }
  let o = out_index(m, n);
  out[split * word(9u) + o] = epilogue(acc, o);
}
