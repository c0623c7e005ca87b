// Reductions: sum, max and min over any set of axes; argmax and argmin over one axis.
// Specialized by the prelude: `alias T` (elements), `alias O` (output elements: T, or i32 for the
// arg reductions), `fn nan_t(v: T) -> bool`, `fn lowest() -> T`, `fn highest() -> T` and
// `fn emit(v: T) -> O` (the final conversion). The op is the override constant OP: 0 sum, 1 max,
// 2 min, 3 argmax, 4 argmin.
//
// Work item w reduces chunk k = w % K of output o = w / K, the reduced elements
// [k*C, min(R, k*C + C)) (K = 1 and C = R unless a long reduction is split over several
// workgroups, whose partials a second dispatch reduces). L lanes (a power of two, at most 256)
// share a work item: lane l folds elements l, l+L, l+2L, ... and the lanes then combine their
// partials in a tree in workgroup memory. A workgroup holds 256 / L work items, either item-major
// (an item's lanes adjacent: for reductions over the innermost axis) or lane-major (adjacent
// invocations work on adjacent items: for reductions over outer axes, where items are adjacent
// in memory).
// Words: 0 = work items, 1 = kept rank, 3 = reduced rank, 4 = R, 5 = L, 6 = 1 when lane-major,
// 7 = K, 8 = C, 12..19 = kept dims, 20..27 = their strides in the source, 28..35 = reduced dims,
// 36..43 = their strides.

@group(0) @binding(1) var<storage, read> src: array<T>;
// reduce and arg_reduce: the result.
@group(0) @binding(2) var<storage, read_write> out: array<O>;
// arg_partial: the best value of each chunk (its index goes to idx_out).
@group(0) @binding(2) var<storage, read_write> part_val: array<T>;
// arg_finish: the indices of the partials in src.
@group(0) @binding(2) var<storage, read> idx_in: array<i32>;
// arg_partial and arg_finish: indices.
@group(0) @binding(3) var<storage, read_write> idx_out: array<i32>;

override OP: u32 = 0u;

var<workgroup> sv: array<T, WG>;
var<workgroup> si: array<u32, WG>;

// Where an invocation works: its work item, lane, the distance between lanes of one item in
// workgroup memory, and whether the item exists (the last workgroup may have spare slots).
struct Slot { w: u32, lane: u32, step: u32, valid: bool }

fn slot_of(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> Slot {
  let lanes = word(5u);
  let per = WG / lanes;
  var s: Slot;
  if (word(6u) == 1u) {
    s.lane = lid / per;
    s.step = per;
    s.w = flat_group(wid, nwg) * per + lid % per;
  } else {
    s.lane = lid % lanes;
    s.step = 1u;
    s.w = flat_group(wid, nwg) * per + lid / lanes;
  }
  s.valid = s.w < word(0u);
  return s;
}

// The offset in src of work item w's output element (reduced coordinates zero).
fn item_base(w: u32) -> i32 { return strided_offset(w / word(7u), word(1u), 12u, 20u); }

// The offset, relative to item_base, of reduced element r.
fn reduced_offset(r: u32) -> i32 {
  if (word(3u) == 1u) { return i32(r) * iword(36u); }
  return strided_offset(r, word(3u), 28u, 36u);
}

// The first reduced element of work item w's chunk, and the end of the chunk.
fn chunk(w: u32) -> vec2<u32> {
  let start = (w % word(7u)) * word(8u);
  return vec2<u32>(start, min(word(4u), start + word(8u)));
}

// NaN wins max and min, as on the CPU.
fn combine(a: T, b: T) -> T {
  switch OP {
    case 1u: { return select(b, a, a > b || nan_t(a)); }
    case 2u: { return select(b, a, a < b || nan_t(a)); }
    default: { return a + b; }
  }
}

fn identity() -> T {
  switch OP {
    case 1u: { return lowest(); }
    case 2u: { return highest(); }
    default: { return T(0); }
  }
}

// Whether (bv at index bi) beats (av at index ai) for argmax (OP 3) or argmin: the first NaN
// wins, then the first extreme; an empty slot (index 0xffffffff) loses to every element.
fn beats(bv: T, bi: u32, av: T, ai: u32) -> bool {
  let an = nan_t(av);
  let bn = nan_t(bv);
  if (an || bn) { return bn && (!an || bi < ai); }
  if (bv == av) { return bi < ai; }
  return select((bv < av), (bv > av), OP == 3u);
}

// Combines the partials of each work item's lanes in sv; leaves the result in lane 0's slot.
fn tree_values(lid: u32, lane: u32, step: u32) {
  workgroupBarrier();
  for (var s = word(5u) >> 1u; s > 0u; s >>= 1u) {
    if (lane < s) { sv[lid] = combine(sv[lid], sv[lid + s * step]); }
    workgroupBarrier();
  }
}

// The same for (value, index) pairs in sv and si.
fn tree_pairs(lid: u32, lane: u32, step: u32) {
  workgroupBarrier();
  for (var s = word(5u) >> 1u; s > 0u; s >>= 1u) {
    if (lane < s) {
      let o = lid + s * step;
      if (beats(sv[o], si[o], sv[lid], si[lid])) {
        sv[lid] = sv[o];
        si[lid] = si[o];
      }
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(256)
fn reduce(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
  let t = slot_of(wid, nwg, lid);
  var acc = identity();
  if (t.valid) {
    let base = item_base(t.w);
    let range = chunk(t.w);
    let lanes = word(5u);
    for (var r = range.x + t.lane; r < range.y; r += lanes) {
      acc = combine(acc, src[base + reduced_offset(r)]);
    }
  }
  sv[lid] = acc;
  tree_values(lid, t.lane, t.step);
  if (t.valid && t.lane == 0u) { out[t.w] = emit(sv[lid]); }
}

// Each lane's best (value, index) of its elements of work item t's chunk, into sv and si.
fn scan_pairs(t: Slot, lid: u32) {
  var bv = select(highest(), lowest(), OP == 3u);
  var bi = 0xffffffffu;
  if (t.valid) {
    let base = item_base(t.w);
    let range = chunk(t.w);
    let lanes = word(5u);
    for (var r = range.x + t.lane; r < range.y; r += lanes) {
      let v = src[base + reduced_offset(r)];
      if (beats(v, r, bv, bi)) {
        bv = v;
        bi = r;
      }
    }
  }
  sv[lid] = bv;
  si[lid] = bi;
}

// argmax / argmin in one pass: out[w] = the index along the axis.
@compute @workgroup_size(256)
fn arg_reduce(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
  let t = slot_of(wid, nwg, lid);
  scan_pairs(t, lid);
  tree_pairs(lid, t.lane, t.step);
  if (t.valid && t.lane == 0u) { out[t.w] = O(si[lid]); }
}

// First pass of a split argmax / argmin: each chunk's best value and its index along the axis.
@compute @workgroup_size(256)
fn arg_partial(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
  let t = slot_of(wid, nwg, lid);
  scan_pairs(t, lid);
  tree_pairs(lid, t.lane, t.step);
  if (t.valid && t.lane == 0u) {
    part_val[t.w] = sv[lid];
    idx_out[t.w] = bitcast<i32>(si[lid]);
  }
}

// Second pass: the best of each output's partials (values in src, indices in idx_in, at the same
// offsets), written as its index.
@compute @workgroup_size(256)
fn arg_finish(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
  let t = slot_of(wid, nwg, lid);
  var bv = select(highest(), lowest(), OP == 3u);
  var bi = 0xffffffffu;
  if (t.valid) {
    let base = item_base(t.w);
    let range = chunk(t.w);
    let lanes = word(5u);
    for (var r = range.x + t.lane; r < range.y; r += lanes) {
      let off = base + reduced_offset(r);
      let v = src[off];
      let i = bitcast<u32>(idx_in[off]);
      if (beats(v, i, bv, bi)) {
        bv = v;
        bi = i;
      }
    }
  }
  sv[lid] = bv;
  si[lid] = bi;
  tree_pairs(lid, t.lane, t.step);
  if (t.valid && t.lane == 0u) { idx_out[t.w] = bitcast<i32>(si[lid]); }
}
