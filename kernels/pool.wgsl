// 2-D pooling over NCHW planes: one invocation per output element for max and average pooling,
// one per input element for the average-pooling gradient (it gathers the windows that cover it,
// so no atomics). Windows are clipped to the input: padded cells never win a max and add nothing
// to an average.
// Specialized by the prelude: `alias T`, `fn nan_t(v: T) -> bool`, `alias O` (output elements)
// and `fn emit(v: T, at: i32) -> O` (max_pool writes the value, or its index in the plane).
// Words: 0 = invocations, 4 = h, 5 = w, 6 = oh, 7 = ow, 8 = kh, 9 = kw, 10 = sh, 11 = sw,
// 12 = top padding, 13 = left padding, 14 = 1 when padded cells count in an average's divisor.

@group(0) @binding(1) var<storage, read> src: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<O>;

// The window of output (oy, ox), clipped to the input: rows [y0, y1), columns [x0, x1).
struct Window { y0: i32, y1: i32, x0: i32, x1: i32 }

fn window(oy: i32, ox: i32) -> Window {
  let ty = oy * iword(10u) - iword(12u);
  let tx = ox * iword(11u) - iword(13u);
  return Window(max(ty, 0), min(ty + iword(8u), iword(4u)),
                max(tx, 0), min(tx + iword(9u), iword(5u)));
}

// An average's divisor: the whole kernel, or only the cells inside the input.
fn divisor(win: Window) -> f32 {
  if (word(14u) == 1u) { return f32(iword(8u) * iword(9u)); }
  return f32((win.y1 - win.y0) * (win.x1 - win.x0));
}

// Output element i as (plane, oy, ox).
fn out_coords(i: u32) -> vec3<i32> {
  let ow = word(7u);
  let oh = word(6u);
  return vec3<i32>(i32(i / (ow * oh)), i32((i / ow) % oh), i32(i % ow));
}

// The first maximum of each window in row-major order, or its first NaN: the value, or its flat
// index y * w + x in the plane, as the CPU's maxPool2dArgmax.
@compute @workgroup_size(256)
fn max_pool(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= word(0u)) { return; }
  let c = out_coords(i);
  let w = iword(5u);
  let plane = c.x * iword(4u) * w;
  let win = window(c.y, c.z);
  var at = win.y0 * w + win.x0;
  var best = src[plane + at];
  var done = nan_t(best);
  for (var y = win.y0; y < win.y1 && !done; y++) {
    for (var x = win.x0; x < win.x1; x++) {
      let v = src[plane + y * w + x];
      if (v > best) {
        best = v;
        at = y * w + x;
      } else if (nan_t(v)) {
        best = v;
        at = y * w + x;
        done = true;
        break;
      }
    }
  }
  out[i] = emit(best, at);
}

// The mean of each clipped window.
@compute @workgroup_size(256)
fn avg_pool(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= word(0u)) { return; }
  let c = out_coords(i);
  let w = iword(5u);
  let plane = c.x * iword(4u) * w;
  let win = window(c.y, c.z);
  var s = 0.0;
  for (var y = win.y0; y < win.y1; y++) {
    for (var x = win.x0; x < win.x1; x++) { s += f32(src[plane + y * w + x]); }
  }
  out[i] = O(s / divisor(win));
}

// The gradient of avg_pool: src is the cotangent [planes, oh, ow]; each input cell (one
// invocation) sums ct / divisor over the windows that cover it.
@compute @workgroup_size(256)
fn avg_pool_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= word(0u)) { return; }
  let h = word(4u);
  let w = word(5u);
  let p = i32(i / (w * h));
  let iy = i32((i / w) % h);
  let ix = i32(i % w);
  let oh = iword(6u);
  let ow = iword(7u);
  let sh = iword(10u);
  let sw = iword(11u);
  // Windows oy cover iy when oy*sh - pt <= iy < oy*sh - pt + kh.
  let ly = iy + iword(12u) - iword(8u) + 1;
  let lx = ix + iword(13u) - iword(9u) + 1;
  let y0 = select(0, (ly + sh - 1) / sh, ly > 0);
  let x0 = select(0, (lx + sw - 1) / sw, lx > 0);
  let y1 = min((iy + iword(12u)) / sh, oh - 1);
  let x1 = min((ix + iword(13u)) / sw, ow - 1);
  var s = 0.0;
  for (var oy = y0; oy <= y1; oy++) {
    for (var ox = x0; ox <= x1; ox++) {
      s += f32(src[(p * oh + oy) * ow + ox]) / divisor(window(oy, ox));
    }
  }
  out[i] = O(s);
}
