// Indexing along one axis by int32 indices: gather picks, scatterAdd accumulates (torch.gather /
// scatter_add). A tensor is viewed as [outer, size, inner] around the axis; the indices (and the
// updates) are [outer, m, inner] with the same outer and inner. Indices in [-size, size) count
// from the end when negative; others are reported as a fault (the CPU backend throws) with the
// flat position in the indices and the index value, and contribute a harmless 0.
// Specialized by `alias T`. Words: 0 = invocations, 1 = inner, 3 = m, 4 = size, 5 = columns
// (outer * inner).
//
// Entry points declare different variables at bindings 3 and 4 (gather's output, scatterAdd's
// updates, a plan); no entry point uses two at one binding, so each pipeline's layout has one.

@group(0) @binding(1) var<storage, read> src: array<T>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;

// The index at flat position `p` of the indices, wrapped into [0, size), or -1 (with a fault
// reported) when it lies outside [-size, size).
fn wrapped(p: u32, size: u32) -> i32 {
  let v = idx[p];
  let s = i32(size);
  if (v < -s || v >= s) {
    report_fault(p, bitcast<u32>(v));
    return -1;
  }
  return select(v, v + s, v < 0);
}

// gather: out[o, j, i] = src[o, idx[o, j, i], i], one invocation per output element (as many
// as indices). Bindings: 1 = src, 2 = idx, 3 = out.
@group(0) @binding(3) var<storage, read_write> gathered: array<T>;

@compute @workgroup_size(256)
fn gather(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
  let e = flat_index(wid, nwg, lid);
  if (e >= word(0u)) { return; }
  let inner = word(1u);
  let m = word(3u);
  let size = word(4u);
  let i = e % inner;
  let o = e / inner / m;
  let k = wrapped(e, size);
  if (k < 0) {
    gathered[e] = T(0);
    return;
  }
  gathered[e] = src[(o * size + u32(k)) * inner + i];
}

// scatterAdd: out[o, k, i] = base[o, k, i] + the sum, in order of j, of upd[o, j, i] over the j
// with idx[o, j, i] == k. No float atomics (WGSL has none): one invocation per output element
// adds the updates that target it, in the CPU's order, so the sums are the CPU's on every run.
// Two ways to find them: `scatter_add` scans the whole column of indices (m reads per element;
// for small m), or `scatter_plan` first sorts each column's j by target (a stable counting sort,
// one invocation per column) and `scatter_planned` reads only its own bucket.
@group(0) @binding(3) var<storage, read> upd: array<T>;

// Scans the column. Bindings: 1 = base, 2 = idx, 3 = upd, 4 = out.
@group(0) @binding(4) var<storage, read_write> scattered: array<T>;

@compute @workgroup_size(256)
fn scatter_add(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
  let e = flat_index(wid, nwg, lid);
  if (e >= word(0u)) { return; }
  let inner = word(1u);
  let m = word(3u);
  let size = word(4u);
  let i = e % inner;
  let rest = e / inner;
  let k = i32(rest % size);
  let first = (rest / size) * m * inner + i;
  var acc = src[e];
  for (var j = 0u; j < m; j++) {
    let p = first + j * inner;
    if (wrapped(p, size) == k) { acc += upd[p]; }
  }
  scattered[e] = acc;
}

// The plan of column c = o * inner + i, interleaved by column: ends[k * cols + c] is the end of
// bucket k (bucket k starts where bucket k - 1 ends, bucket 0 at 0), and order[q * cols + c],
// at word size * cols on, lists the j of the column by bucket, ascending within one. Checks every
// index once (so also for an axis of size 0, where there is no output element).
// Bindings: 1 = base (bound, not read), 2 = idx, 3 = plan. Invocations: one per column.
@group(0) @binding(3) var<storage, read_write> plan_out: array<u32>;

@compute @workgroup_size(256)
fn scatter_plan(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
  _ = arrayLength(&src); // a use of src, so the layout has binding 1
  let c = flat_index(wid, nwg, lid);
  if (c >= word(0u)) { return; }
  let inner = word(1u);
  let m = word(3u);
  let size = word(4u);
  let cols = word(5u);
  let first = (c / inner) * m * inner + c % inner;
  for (var k = 0u; k < size; k++) { plan_out[k * cols + c] = 0u; }
  for (var j = 0u; j < m; j++) {
    let k = wrapped(first + j * inner, size);
    if (k >= 0) { plan_out[u32(k) * cols + c] += 1u; }
  }
  var run = 0u; // bucket starts, from the counts
  for (var k = 0u; k < size; k++) {
    let n = plan_out[k * cols + c];
    plan_out[k * cols + c] = run;
    run += n;
  }
  let order = size * cols + c;
  for (var j = 0u; j < m; j++) {
    let v = idx[first + j * inner];
    let k = u32(select(v, v + i32(size), v < 0));
    if (k < size) { // faults were reported above
      let q = plan_out[k * cols + c];
      plan_out[order + q * cols] = j;
      plan_out[k * cols + c] = q + 1u;
    }
  }
}

// Adds the updates of bucket k of column (o, i) to base[o, k, i], in the plan's order.
// Bindings: 1 = base, 2 = idx (bound, not read), 3 = upd, 4 = plan, 5 = out.
@group(0) @binding(4) var<storage, read> plan: array<u32>;
@group(0) @binding(5) var<storage, read_write> planned: array<T>;

@compute @workgroup_size(256)
fn scatter_planned(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
  _ = arrayLength(&idx); // a use of idx, so the layout has binding 2
  let e = flat_index(wid, nwg, lid);
  if (e >= word(0u)) { return; }
  let inner = word(1u);
  let m = word(3u);
  let size = word(4u);
  let cols = word(5u);
  let i = e % inner;
  let rest = e / inner;
  let k = rest % size;
  let o = rest / size;
  let c = o * inner + i;
  var lo = 0u;
  if (k > 0u) { lo = plan[(k - 1u) * cols + c]; }
  let hi = plan[k * cols + c];
  let order = size * cols + c;
  var acc = src[e];
  for (var q = lo; q < hi; q++) {
    acc += upd[(o * m + plan[order + q * cols]) * inner + i];
  }
  planned[e] = acc;
}
