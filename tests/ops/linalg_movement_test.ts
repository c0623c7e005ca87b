import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import {
  arange,
  avgPool2d,
  broadcastTo,
  concat,
  conv2d,
  expandDims,
  gather,
  logSoftmax,
  matmul,
  maxPool2d,
  ones,
  pad,
  reshape,
  scatterAdd,
  slice,
  softmax,
  squeeze,
  stack,
  sumToShape,
  take,
  type Tensor,
  tensor,
  transpose,
  zeros,
} from "../../mod.ts";
import { prod, rng } from "../test_rng.ts";

const randData = (r: () => number, shape: readonly number[]) =>
  Array.from({ length: prod(shape) }, () => r());
const f64 = (data: number[], shape: number[]) => tensor(new Float64Array(data), { shape });
const i32 = (data: number[] | number[][] | number[][][]) => tensor(data, { dtype: "int32" });
const vals = (t: Tensor) => [...t.dataSync()];

/** Naive [m,k] x [k,n] product of row-major arrays starting at the given offsets. */
function matRef(
  a: ArrayLike<number>,
  ao: number,
  b: ArrayLike<number>,
  bo: number,
  m: number,
  k: number,
  n: number,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ao + i * k + p] * b[bo + p * n + j];
      out.push(s);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// matmul
// ---------------------------------------------------------------------------------------------

Deno.test("matmul: 2-D hand-computed and vs a naive loop", () => {
  const a = tensor([[1, 2], [3, 4]]);
  assert.deepEqual(vals(matmul(a, tensor([[5, 6], [7, 8]]))), [19, 22, 43, 50]);
  const r = rng(1);
  for (const [m, k, n] of [[1, 1, 1], [3, 5, 4], [7, 300, 3], [16, 16, 16]]) {
    const ad = randData(r, [m, k]);
    const bd = randData(r, [k, n]);
    const y = matmul(f64(ad, [m, k]), f64(bd, [k, n]));
    assert.deepEqual(y.shape, [m, n]);
    assertClose(y.dataSync(), matRef(ad, 0, bd, 0, m, k, n), { rtol: 1e-12, atol: 1e-12 });
  }
});

Deno.test("matmul: batched with equal batch shapes", () => {
  const r = rng(2);
  const ad = randData(r, [3, 2, 4]);
  const bd = randData(r, [3, 4, 5]);
  const y = matmul(f64(ad, [3, 2, 4]), f64(bd, [3, 4, 5]));
  assert.deepEqual(y.shape, [3, 2, 5]);
  const want = [0, 1, 2].flatMap((t) => matRef(ad, t * 8, bd, t * 20, 2, 4, 5));
  assertClose(y.dataSync(), want, { rtol: 1e-12, atol: 1e-12 });
});

Deno.test("matmul: broadcast batch dims [2,1,3,4] x [5,4,2] -> [2,5,3,2]", () => {
  const r = rng(3);
  const ad = randData(r, [2, 1, 3, 4]);
  const bd = randData(r, [5, 4, 2]);
  const y = matmul(f64(ad, [2, 1, 3, 4]), f64(bd, [5, 4, 2]));
  assert.deepEqual(y.shape, [2, 5, 3, 2]);
  const want: number[] = [];
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 5; j++) want.push(...matRef(ad, i * 12, bd, j * 8, 3, 4, 2));
  }
  assertClose(y.dataSync(), want, { rtol: 1e-12, atol: 1e-12 });
  // A 2-D operand broadcasts against a batch.
  const z = matmul(f64(bd, [5, 4, 2]), f64([1, 2, 3, 4], [2, 2]));
  assert.deepEqual(z.shape, [5, 4, 2]);
  const wantZ = [0, 1, 2, 3, 4].flatMap((t) => matRef(bd, t * 8, [1, 2, 3, 4], 0, 4, 2, 2));
  assertClose(z.dataSync(), wantZ, { rtol: 1e-12, atol: 1e-12 });
});

Deno.test("matmul: 1-D operands (vector rules of numpy.matmul)", () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]); // [2,3]
  const v3 = tensor([1, 0, -1]);
  const v2 = tensor([1, 10]);
  const mv = matmul(a, v3);
  assert.deepEqual(mv.shape, [2]);
  assert.deepEqual(vals(mv), [-2, -2]);
  const vm = matmul(v2, a);
  assert.deepEqual(vm.shape, [3]);
  assert.deepEqual(vals(vm), [41, 52, 63]);
  const dot = matmul(v3, tensor([4, 5, 6]));
  assert.deepEqual(dot.shape, []);
  assert.equal(dot.dataSync()[0], -2);
  // Batched matrix times vector and vector times batched matrix.
  const batch = reshape(arange(12, undefined, 1, { dtype: "float32" }), [2, 2, 3]);
  const bv = matmul(batch, v3);
  assert.deepEqual(bv.shape, [2, 2]);
  assert.deepEqual(vals(bv), [0 - 2, 3 - 5, 6 - 8, 9 - 11]);
  const vb = matmul(v2, batch);
  assert.deepEqual(vb.shape, [2, 3]);
  assert.deepEqual(vals(vb), [30, 41, 52, 96, 107, 118]);
});

Deno.test("matmul: k = 0 gives zeros, m = 0 or n = 0 gives empty", () => {
  const y = matmul(zeros([2, 0]), zeros([0, 3]));
  assert.deepEqual(y.shape, [2, 3]);
  assert.deepEqual(vals(y), [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(matmul(zeros([0, 4]), ones([4, 3])).shape, [0, 3]);
  assert.deepEqual(matmul(ones([2, 4]), zeros([4, 0])).shape, [2, 0]);
  const dot = matmul(zeros([0]), zeros([0]));
  assert.deepEqual(dot.shape, []);
  assert.equal(dot.dataSync()[0], 0);
});

Deno.test("matmul: NaN and Infinity in b propagate even where a is zero", () => {
  const a = tensor([[0, 0], [1, 0]]);
  const y = vals(matmul(a, tensor([[NaN, 1], [2, 3]])));
  assert.ok(Number.isNaN(y[0]) && Number.isNaN(y[2]), String(y)); // 0 * NaN = NaN
  assert.deepEqual([y[1], y[3]], [0, 1]);
  const z = vals(matmul(a, tensor([[Infinity, 1], [2, 3]])));
  assert.ok(Number.isNaN(z[0]), String(z)); // 0 * Inf = NaN
  assert.equal(z[2], Infinity);
  // NaN in a propagates too.
  const w = vals(matmul(tensor([[NaN, 0]]), tensor([[0], [0]])));
  assert.ok(Number.isNaN(w[0]));
});

Deno.test("matmul: dtypes", () => {
  const i = matmul(i32([[1, 2], [3, 4]]), i32([[1], [1]]));
  assert.equal(i.dtype, "int32");
  assert.deepEqual(i.dataSync(), new Int32Array([3, 7]));
  const m = matmul(i32([[1, 2]]), tensor([[0.5], [0.25]]));
  assert.equal(m.dtype, "float32");
  assert.equal(m.dataSync()[0], 1);
  assert.equal(matmul(tensor([[1]]), f64([2], [1, 1])).dtype, "float64");
});

// ---------------------------------------------------------------------------------------------
// reshape, transpose, slice, pad
// ---------------------------------------------------------------------------------------------

Deno.test("reshape: explicit shapes, -1 inference, scalars, empty", () => {
  const x = arange(12);
  const a = reshape(x, [3, 4]);
  assert.deepEqual(a.shape, [3, 4]);
  assert.deepEqual(vals(a), vals(x));
  assert.deepEqual(reshape(x, [2, -1]).shape, [2, 6]);
  assert.deepEqual(reshape(x, [-1, 3]).shape, [4, 3]);
  assert.deepEqual(reshape(x, [2, -1, 2]).shape, [2, 3, 2]);
  assert.deepEqual(reshape(x, [-1]).shape, [12]);
  assert.deepEqual(reshape(tensor([5]), []).shape, []);
  assert.deepEqual(reshape(tensor(5), [1, 1]).shape, [1, 1]);
  assert.deepEqual(reshape(tensor(5), [-1]).shape, [1]);
  assert.deepEqual(reshape(zeros([0, 3]), [3, 0]).shape, [3, 0]);
  assert.deepEqual(reshape(zeros([0, 3]), [-1, 3]).shape, [0, 3]);
  assert.equal(reshape(a, [3, 4]), a); // no-op
  assert.throws(
    () => reshape(x, [5, -1]),
    /reshape: cannot reshape \[12\] \(12 elements\) to \[5,-1\]/,
  );
  assert.throws(() => reshape(x, [-1, -1]), /reshape: invalid target shape \[-1,-1\]/);
});

Deno.test("transpose: default reverses axes; explicit and negative perms", () => {
  const x = reshape(arange(6), [2, 3]);
  const t = transpose(x);
  assert.deepEqual(t.shape, [3, 2]);
  assert.deepEqual(vals(t), [0, 3, 1, 4, 2, 5]);
  const y = reshape(arange(24), [2, 3, 4]);
  const yd = vals(y);
  const check = (perm: number[] | undefined, p: number[]) => {
    const z = transpose(y, perm);
    const shape = p.map((a) => [2, 3, 4][a]);
    assert.deepEqual(z.shape, shape, JSON.stringify(perm));
    const want: number[] = [];
    const c = [0, 0, 0];
    for (let i = 0; i < shape[0]; i++) {
      for (let j = 0; j < shape[1]; j++) {
        for (let k = 0; k < shape[2]; k++) {
          [c[p[0]], c[p[1]], c[p[2]]] = [i, j, k];
          want.push(yd[c[0] * 12 + c[1] * 4 + c[2]]);
        }
      }
    }
    assert.deepEqual(vals(z), want, JSON.stringify(perm));
  };
  check([2, 0, 1], [2, 0, 1]);
  check([1, 2, 0], [1, 2, 0]);
  check([-1, 0, -2], [2, 0, 1]);
  check([0, -1, 1], [0, 2, 1]);
  check(undefined, [2, 1, 0]);
  check([0, 1, 2], [0, 1, 2]);
  assert.equal(transpose(y, [0, 1, 2]), y); // identity is a no-op
  const s = tensor(3);
  assert.equal(transpose(s), s); // rank 0
  assert.deepEqual(transpose(zeros([0, 2])).shape, [2, 0]);
});

Deno.test("slice: negative and clamped bounds, steps, null axes", () => {
  const x = reshape(arange(12), [3, 4]);
  // rows 1..2, columns 0 and 2
  const a = slice(x, [[1, 3], [0, 4, 2]]);
  assert.deepEqual(a.shape, [2, 2]);
  assert.deepEqual(vals(a), [4, 6, 8, 10]);
  // the last column
  const b = slice(x, [null, [-1]]);
  assert.deepEqual(b.shape, [3, 1]);
  assert.deepEqual(vals(b), [3, 7, 11]);
  // negative end, out-of-range bounds clamp
  assert.deepEqual(vals(slice(x, [[-100, -1], [1, 100]])), [1, 2, 3, 5, 6, 7]);
  // empty results
  assert.deepEqual(slice(x, [[2, 1]]).shape, [0, 4]);
  assert.deepEqual(slice(x, [[5, 9]]).shape, [0, 4]);
  // step larger than the axis
  assert.deepEqual(vals(slice(x, [[0, 3, 5], [1, 4, 2]])), [1, 3]);
  // step 3 with a start: Python's range(1, 12, 3)
  assert.deepEqual(vals(slice(arange(12), [[1, undefined, 3]])), [1, 4, 7, 10]);
  assert.deepEqual(vals(slice(arange(10), [[null, null, 4]])), [0, 4, 8]);
  // fewer specs than axes takes the rest whole
  assert.deepEqual(slice(x, [[0, 1]]).shape, [1, 4]);
  // whole tensor: returned as is
  assert.equal(slice(x, []), x);
  // against Array.prototype.slice over many bounds
  const v = arange(7);
  const vd = vals(v);
  for (let s = -9; s <= 9; s++) {
    for (let e = -9; e <= 9; e++) {
      assert.deepEqual(vals(slice(v, [[s, e]])), vd.slice(s, e), `[${s}, ${e})`);
    }
  }
});

Deno.test("pad: widths per leading axis, custom value, dtypes", () => {
  const x = tensor([[1, 2]]);
  const y = pad(x, [[1, 0], [0, 1]]);
  assert.deepEqual(y.shape, [2, 3]);
  assert.deepEqual(vals(y), [0, 0, 0, 1, 2, 0]);
  const z = pad(tensor([1, 2, 3]), [[2, 1]], -1);
  assert.deepEqual(vals(z), [-1, -1, 1, 2, 3, -1]);
  // Only the first axis given: the second is untouched.
  assert.deepEqual(vals(pad(x, [[1, 1]])), [0, 0, 1, 2, 0, 0]);
  const i = pad(i32([[5]]), [[1, 1], [1, 1]], 7);
  assert.equal(i.dtype, "int32");
  assert.deepEqual([...i.dataSync()], [7, 7, 7, 7, 5, 7, 7, 7, 7]);
  assert.equal(pad(x, [[0, 0], [0, 0]]), x);
  const e = pad(zeros([0, 2]), [[1, 0], [0, 0]], 3);
  assert.deepEqual(e.shape, [1, 2]);
  assert.deepEqual(vals(e), [3, 3]);
  const nanPad = vals(pad(tensor([1]), [[1, 0]], NaN));
  assert.ok(Number.isNaN(nanPad[0]));
});

Deno.test("slice and pad on rank 3 vs reference loops", () => {
  const x = reshape(arange(60), [3, 4, 5]);
  const d = vals(x);
  const at = (i: number, j: number, k: number) => d[i * 20 + j * 5 + k];
  const s = slice(x, [[1, 3], [0, 4, 3], [1, 5, 2]]);
  assert.deepEqual(s.shape, [2, 2, 2]);
  const want: number[] = [];
  for (let i = 1; i < 3; i++) {
    for (let j = 0; j < 4; j += 3) for (let k = 1; k < 5; k += 2) want.push(at(i, j, k));
  }
  assert.deepEqual(vals(s), want);
  const p = pad(x, [[1, 0], [0, 2], [1, 1]], -1);
  assert.deepEqual(p.shape, [4, 6, 7]);
  const wantP: number[] = [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 6; j++) {
      for (let k = 0; k < 7; k++) {
        wantP.push(i >= 1 && j < 4 && k >= 1 && k < 6 ? at(i - 1, j, k - 1) : -1);
      }
    }
  }
  assert.deepEqual(vals(p), wantP);
});

// ---------------------------------------------------------------------------------------------
// concat, stack, squeeze, expandDims, broadcastTo
// ---------------------------------------------------------------------------------------------

Deno.test("concat: along each axis, three inputs, empty parts", () => {
  const a = tensor([[1, 2], [3, 4]]);
  const b = tensor([[5, 6]]);
  const c = concat([a, b], 0);
  assert.deepEqual(c.shape, [3, 2]);
  assert.deepEqual(vals(c), [1, 2, 3, 4, 5, 6]);
  const d = concat([a, tensor([[7], [8]]), a], 1);
  assert.deepEqual(d.shape, [2, 5]);
  assert.deepEqual(vals(d), [1, 2, 7, 1, 2, 3, 4, 8, 3, 4]);
  const e = concat([a, tensor([[9], [9]])], -1);
  assert.deepEqual(vals(e), [1, 2, 9, 3, 4, 9]);
  const f = concat([zeros([0, 2]), a, zeros([0, 2])]);
  assert.deepEqual(vals(f), [1, 2, 3, 4]);
  assert.equal(concat([a]), a);
  const i = concat([i32([1]), i32([2, 3])]);
  assert.equal(i.dtype, "int32");
  assert.deepEqual([...i.dataSync()], [1, 2, 3]);
  // rank 3, middle axis
  const p = reshape(arange(8), [2, 2, 2]);
  const q = reshape(arange(4, undefined, 1), [2, 1, 2]);
  const r = concat([p, q], 1);
  assert.deepEqual(r.shape, [2, 3, 2]);
  assert.deepEqual(vals(r), [0, 1, 2, 3, 0, 1, 4, 5, 6, 7, 2, 3]);
});

Deno.test("stack: new axis at the front, middle and end", () => {
  const a = tensor([1, 2, 3]);
  const b = tensor([4, 5, 6]);
  const s0 = stack([a, b]);
  assert.deepEqual(s0.shape, [2, 3]);
  assert.deepEqual(vals(s0), [1, 2, 3, 4, 5, 6]);
  const s1 = stack([a, b], 1);
  assert.deepEqual(s1.shape, [3, 2]);
  assert.deepEqual(vals(s1), [1, 4, 2, 5, 3, 6]);
  const sm = stack([a, b], -1);
  assert.deepEqual(vals(sm), vals(s1));
  const scalars = stack([tensor(1), tensor(2), tensor(3)]);
  assert.deepEqual(scalars.shape, [3]);
  const m = stack([reshape(a, [3, 1]), reshape(b, [3, 1])], 1);
  assert.deepEqual(m.shape, [3, 2, 1]);
  assert.deepEqual(vals(m), [1, 4, 2, 5, 3, 6]);
});

Deno.test("squeeze and expandDims", () => {
  const x = zeros([1, 3, 1, 2]);
  assert.deepEqual(squeeze(x).shape, [3, 2]);
  assert.deepEqual(squeeze(x, 0).shape, [3, 1, 2]);
  assert.deepEqual(squeeze(x, -2).shape, [1, 3, 2]);
  assert.deepEqual(squeeze(x, [0, 2]).shape, [3, 2]);
  assert.deepEqual(squeeze(tensor([[5]])).shape, []);
  assert.throws(() => squeeze(x, 1), /squeeze: axis 1 of \[1,3,1,2\] has size 3, not 1/);
  const v = tensor([1, 2, 3]);
  assert.deepEqual(expandDims(v, 0).shape, [1, 3]);
  assert.deepEqual(expandDims(v, 1).shape, [3, 1]);
  assert.deepEqual(expandDims(v, -1).shape, [3, 1]);
  assert.deepEqual(expandDims(v, -2).shape, [1, 3]);
  assert.deepEqual(expandDims(tensor(1), 0).shape, [1]);
  assert.deepEqual(vals(expandDims(v, 1)), [1, 2, 3]);
  assert.throws(() => expandDims(v, 2), /expandDims: axis 2 is out of range/);
});

Deno.test("broadcastTo and sumToShape", () => {
  const b = broadcastTo(tensor([1, 2]), [3, 2]);
  assert.deepEqual(b.shape, [3, 2]);
  assert.deepEqual(vals(b), [1, 2, 1, 2, 1, 2]);
  const c = broadcastTo(tensor([[1], [2]]), [2, 2, 3]);
  assert.deepEqual(vals(c), [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2]);
  assert.deepEqual(vals(broadcastTo(tensor(7), [2])), [7, 7]);
  assert.deepEqual(broadcastTo(tensor([1]), [0]).shape, [0]);
  const x = tensor([1, 2]);
  assert.equal(broadcastTo(x, [2]), x);
  assert.throws(() => broadcastTo(tensor([1, 2]), [3]), /broadcastTo: .*\[2\].*\[3\]/);
  assert.throws(
    () => broadcastTo(tensor([[1, 2]]), [2]),
    /broadcastTo: cannot broadcast \[1,2\] to \[2\]/,
  );
  // sumToShape reverses a broadcast by summing.
  const s = sumToShape(reshape(arange(6, undefined, 1, { dtype: "float32" }), [2, 3]), [1, 3]);
  assert.deepEqual(s.shape, [1, 3]);
  assert.deepEqual(vals(s), [3, 5, 7]);
  assert.deepEqual(vals(sumToShape(ones([4, 2, 3]), [3])), [8, 8, 8]);
  assert.deepEqual(vals(sumToShape(ones([4, 2, 3]), [])), [24]);
});

// ---------------------------------------------------------------------------------------------
// gather, scatterAdd, take
// ---------------------------------------------------------------------------------------------

Deno.test("gather: torch.gather semantics along each axis", () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  // out[i][j] = x[i][idx[i][j]]
  const g1 = gather(x, i32([[2, 0], [1, 1]]), 1);
  assert.deepEqual(g1.shape, [2, 2]);
  assert.deepEqual(vals(g1), [3, 1, 5, 5]);
  // out[i][j] = x[idx[i][j]][j]
  const g0 = gather(x, i32([[1, 0, 1], [0, 0, 1], [1, 1, 1]]), 0);
  assert.deepEqual(g0.shape, [3, 3]);
  assert.deepEqual(vals(g0), [4, 2, 6, 1, 2, 6, 4, 5, 6]);
  // negative axis and negative indices (from the end)
  assert.deepEqual(vals(gather(x, i32([[-1], [-3]]), -1)), [3, 4]);
  // size-1 index dims broadcast on the non-gathered axes
  const gb = gather(x, i32([[0, 2]]), 1);
  assert.deepEqual(gb.shape, [2, 2]);
  assert.deepEqual(vals(gb), [1, 3, 4, 6]);
  // rank 3 against a reference loop
  const r = rng(4);
  const xd = randData(r, [2, 3, 4]);
  const xt = f64(xd, [2, 3, 4]);
  const id = Array.from({ length: 2 * 5 * 4 }, (_, k) => (k * 7) % 3);
  const g = gather(xt, tensor(new Int32Array(id), { shape: [2, 5, 4] }), 1);
  assert.deepEqual(g.shape, [2, 5, 4]);
  const want: number[] = [];
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 5; j++) {
      for (let k = 0; k < 4; k++) want.push(xd[i * 12 + id[i * 20 + j * 4 + k] * 4 + k]);
    }
  }
  assert.deepEqual(vals(g), want);
  // int32 data and empty index
  assert.deepEqual(vals(gather(i32([[7, 8]]), i32([[1, 1, 0]]), 1)), [8, 8, 7]);
  assert.deepEqual(gather(x, tensor(new Int32Array(0), { shape: [2, 0] }), 1).shape, [2, 0]);
});

Deno.test("scatterAdd: repeated indices accumulate (torch.scatter_add)", () => {
  const y = scatterAdd(
    zeros([2, 3]),
    i32([[0, 0, 2], [1, 1, 1]]),
    tensor([[1, 2, 3], [4, 5, 6]]),
    1,
  );
  assert.deepEqual(vals(y), [3, 0, 3, 0, 15, 0]);
  const base = tensor([[10, 20], [30, 40], [50, 60]]);
  const z = scatterAdd(base, i32([[2, 0], [2, 2]]), tensor([[1, 2], [3, 4]]), 0);
  // column 0: rows 2, 2 get 1 + 3; column 1: row 0 gets 2, row 2 gets 4
  assert.deepEqual(vals(z), [10, 22, 30, 40, 54, 64]);
  // the base is not changed
  assert.deepEqual(vals(base), [10, 20, 30, 40, 50, 60]);
  // negative indices and broadcast size-1 index dims
  const w = scatterAdd(zeros([2, 3]), i32([[-1, 0]]), tensor([[1, 2], [3, 4]]), 1);
  assert.deepEqual(vals(w), [2, 0, 1, 4, 0, 3]);
  // gather and scatterAdd are transposes: <gather(x, i), u> = <x, scatterAdd(0, i, u)>
  const r = rng(5);
  const xd = randData(r, [3, 4]);
  const ud = randData(r, [3, 6]);
  const idx = tensor(new Int32Array(Array.from({ length: 18 }, (_, k) => (k * 5) % 4)), {
    shape: [3, 6],
  });
  const g = vals(gather(f64(xd, [3, 4]), idx, 1));
  const s = vals(scatterAdd(zeros([3, 4], { dtype: "float64" }), idx, f64(ud, [3, 6]), 1));
  const lhs = g.reduce((acc, v, k) => acc + v * ud[k], 0);
  const rhs = s.reduce((acc, v, k) => acc + v * xd[k], 0);
  assertClose(lhs, rhs, { rtol: 1e-12 });
});

Deno.test("take: numpy.take along an axis, with 1-D, 2-D and scalar indices", () => {
  const table = tensor([[0, 0], [1, 1], [2, 2]]);
  const t1 = take(table, i32([2, 0, 2]), 0);
  assert.deepEqual(t1.shape, [3, 2]);
  assert.deepEqual(vals(t1), [2, 2, 0, 0, 2, 2]);
  const t2 = take(table, i32([[0, 1], [2, 2]]), 0);
  assert.deepEqual(t2.shape, [2, 2, 2]);
  assert.deepEqual(vals(t2), [0, 0, 1, 1, 2, 2, 2, 2]);
  const x = reshape(arange(6), [2, 3]); // [[0,1,2],[3,4,5]]
  const t3 = take(x, i32([[2, 0]]), 1);
  assert.deepEqual(t3.shape, [2, 1, 2]);
  assert.deepEqual(vals(t3), [2, 0, 5, 3]);
  const t4 = take(x, i32([-1, 0]), -1);
  assert.deepEqual(t4.shape, [2, 2]);
  assert.deepEqual(vals(t4), [2, 0, 5, 3]);
  const t5 = take(x, tensor(1, { dtype: "int32" }), 1);
  assert.deepEqual(t5.shape, [2]);
  assert.deepEqual(vals(t5), [1, 4]);
  const t6 = take(x, tensor(new Int32Array(0)), 0);
  assert.deepEqual(t6.shape, [0, 3]);
  // rank 3, middle axis, vs a reference loop
  const y = reshape(arange(24), [2, 3, 4]);
  const yd = vals(y);
  const idx = [[2, 1], [0, 0], [1, 2]];
  const t7 = take(y, i32(idx), 1);
  assert.deepEqual(t7.shape, [2, 3, 2, 4]);
  const want: number[] = [];
  for (let i = 0; i < 2; i++) {
    for (const row of idx) {
      for (const j of row) for (let k = 0; k < 4; k++) want.push(yd[i * 12 + j * 4 + k]);
    }
  }
  assert.deepEqual(vals(t7), want);
});

// ---------------------------------------------------------------------------------------------
// softmax, logSoftmax
// ---------------------------------------------------------------------------------------------

Deno.test("softmax/logSoftmax: match the naive formulas and normalize", () => {
  const r = rng(6);
  const shape = [4, 6];
  const d = randData(r, shape).map((v) => v * 5);
  const x = f64(d, shape);
  const sm = vals(softmax(x));
  const ls = vals(logSoftmax(x));
  for (let i = 0; i < 4; i++) {
    const row = d.slice(i * 6, i * 6 + 6);
    const z = row.reduce((a, v) => a + Math.exp(v), 0);
    assertClose(sm.slice(i * 6, i * 6 + 6), row.map((v) => Math.exp(v) / z), { rtol: 1e-12 });
    assertClose(ls.slice(i * 6, i * 6 + 6), row.map((v) => v - Math.log(z)), { rtol: 1e-12 });
    assertClose(sm.slice(i * 6, i * 6 + 6).reduce((a, v) => a + v, 0), 1, { rtol: 1e-12 });
    assertClose(ls.slice(i * 6, i * 6 + 6).reduce((a, v) => a + Math.exp(v), 0), 1, {
      rtol: 1e-12,
    });
  }
  // axis 0: columns sum to 1
  const s0 = vals(softmax(x, 0));
  for (let j = 0; j < 6; j++) {
    const col = [0, 1, 2, 3].map((i) => d[i * 6 + j]);
    const z = col.reduce((a, v) => a + Math.exp(v), 0);
    assertClose([0, 1, 2, 3].map((i) => s0[i * 6 + j]), col.map((v) => Math.exp(v) / z), {
      rtol: 1e-12,
    });
  }
  assert.deepEqual(softmax(x).shape, shape);
  assert.deepEqual(logSoftmax(x, -2).shape, shape);
});

Deno.test("softmax/logSoftmax: stable at extremes", () => {
  assert.deepEqual(vals(softmax(tensor([[1, 1], [0, 1000]]))), [0.5, 0.5, 0, 1]);
  assert.deepEqual(vals(logSoftmax(tensor([0, 1000]))), [-1000, 0]);
  const big = vals(softmax(tensor([1000, 1000, 1000, 1000])));
  assert.deepEqual(big, [0.25, 0.25, 0.25, 0.25]);
  const ninf = vals(softmax(tensor([-Infinity, 0, 0])));
  assert.deepEqual(ninf, [0, 0.5, 0.5]);
  const lninf = vals(logSoftmax(tensor([-Infinity, 0])));
  assert.deepEqual(lninf, [-Infinity, 0]);
  const f32 = softmax(tensor([-1e4, 0, 1e4]));
  assert.equal(f32.dtype, "float32");
  assert.ok(f32.dataSync().every(Number.isFinite));
  // int32 input gives float32 probabilities
  const i = softmax(i32([0, 0]));
  assert.equal(i.dtype, "float32");
  assert.deepEqual(vals(i), [0.5, 0.5]);
  // an empty axis gives an empty result
  assert.deepEqual(softmax(zeros([2, 0])).shape, [2, 0]);
  assert.deepEqual(logSoftmax(zeros([2, 0])).shape, [2, 0]);
});

// ---------------------------------------------------------------------------------------------
// conv2d and pooling through the public API
// ---------------------------------------------------------------------------------------------

const img3 = () => tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]); // [1,1,3,3]

Deno.test("conv2d: hand-computed valid, padded/strided and dilated cases", () => {
  const w = tensor([[[[1, 2], [3, 4]]]]); // [1,1,2,2]
  const y = conv2d(img3(), w);
  assert.deepEqual(y.shape, [1, 1, 2, 2]);
  // (0,0): 1*1 + 2*2 + 4*3 + 5*4
  assert.deepEqual(vals(y), [37, 47, 67, 77]);
  const p = conv2d(img3(), w, { padding: 1, stride: 2 });
  assert.deepEqual(p.shape, [1, 1, 2, 2]);
  // windows start at rows/cols -1 and 1: (0,0) sees only x00*w11 = 4, (0,1) x01*w10 + x02*w11
  assert.deepEqual(vals(p), [4, 2 * 3 + 3 * 4, 4 * 2 + 7 * 4, 77]);
  const d = conv2d(img3(), w, { dilation: 2 });
  assert.deepEqual(d.shape, [1, 1, 1, 1]);
  assert.deepEqual(vals(d), [1 * 1 + 3 * 2 + 7 * 3 + 9 * 4]);
  // Asymmetric padding [top, bottom, left, right].
  const a = conv2d(img3(), tensor([[[[1]]]]), { padding: [1, 0, 0, 2] });
  assert.deepEqual(a.shape, [1, 1, 4, 5]);
  assert.deepEqual(vals(a), [0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 0, 0, 7, 8, 9, 0, 0]);
});

Deno.test("conv2d: channels, output channels, batch and groups", () => {
  // input channel 0 = img, channel 1 = ones; two output filters
  const x = concat([img3(), ones([1, 1, 3, 3])], 1); // [1,2,3,3]
  const w = tensor([
    [[[1, 2], [3, 4]], [[1, 1], [1, 1]]], // out 0: conv(img) + 4
    [[[0, 0], [0, 1]], [[0, 0], [0, 0]]], // out 1: img shifted by (1,1)
  ]);
  const y = conv2d(x, w);
  assert.deepEqual(y.shape, [1, 2, 2, 2]);
  assert.deepEqual(vals(y), [41, 51, 71, 81, 5, 6, 8, 9]);
  // batch of 2: the second image is twice the first
  const xb = concat([
    x,
    concat([tensor([[[[2, 4, 6], [8, 10, 12], [14, 16, 18]]]]), ones([1, 1, 3, 3])], 1),
  ]);
  const yb = conv2d(xb, w);
  assert.deepEqual(yb.shape, [2, 2, 2, 2]);
  assert.deepEqual(vals(yb).slice(8), [
    2 * 37 + 4,
    2 * 47 + 4,
    2 * 67 + 4,
    2 * 77 + 4,
    10,
    12,
    16,
    18,
  ]);
  // groups = 2 (depthwise): each output channel sees only its own input channel
  const wd = tensor([[[[1, 2], [3, 4]]], [[[1, 1], [1, 1]]]]); // [2,1,2,2]
  const g = conv2d(x, wd, { groups: 2 });
  assert.deepEqual(g.shape, [1, 2, 2, 2]);
  assert.deepEqual(vals(g), [37, 47, 67, 77, 4, 4, 4, 4]);
});

Deno.test("conv2d: padding 'same' keeps ceil(input / stride), extra padding bottom/right", () => {
  const x = zeros([1, 1, 7, 8]);
  const cases: [number, number, number, number[]][] = [
    // kernel, stride, dilation, expected [H, W]
    [3, 1, 1, [7, 8]],
    [4, 1, 1, [7, 8]],
    [3, 2, 1, [4, 4]],
    [4, 2, 1, [4, 4]],
    [2, 2, 1, [4, 4]],
    [1, 2, 1, [4, 4]],
    [5, 3, 1, [3, 3]],
    [3, 1, 2, [7, 8]],
  ];
  for (const [k, s, dil, hw] of cases) {
    const y = conv2d(x, zeros([2, 1, k, k]), { padding: "same", stride: s, dilation: dil });
    assert.deepEqual(y.shape, [1, 2, ...hw], `kernel ${k} stride ${s} dilation ${dil}`);
  }
  // Values: an even 2x2 kernel of ones pads one row/column at the bottom/right (TensorFlow).
  const y = conv2d(img3(), ones([1, 1, 2, 2]), { padding: "same" });
  assert.deepEqual(y.shape, [1, 1, 3, 3]);
  assert.deepEqual(vals(y), [12, 16, 9, 24, 28, 15, 15, 17, 9]);
  // 'valid' is no padding.
  assert.deepEqual(conv2d(img3(), ones([1, 1, 2, 2]), { padding: "valid" }).shape, [1, 1, 2, 2]);
});

Deno.test("maxPool2d: hand-computed, stride, padding never wins", () => {
  const x = reshape(arange(16, undefined, 1, { dtype: "float32" }), [1, 1, 4, 4]);
  const y = maxPool2d(x, 2);
  assert.deepEqual(y.shape, [1, 1, 2, 2]);
  assert.deepEqual(vals(y), [5, 7, 13, 15]);
  assert.deepEqual(vals(maxPool2d(img3(), 2, { stride: 1 })), [5, 6, 8, 9]);
  assert.deepEqual(vals(maxPool2d(img3(), 2, { stride: 2, padding: 1 })), [1, 3, 7, 9]);
  const neg = maxPool2d(tensor([[[[-1, -2, -3], [-4, -5, -6], [-7, -8, -9]]]]), 2, { padding: 1 });
  assert.deepEqual(vals(neg), [-1, -2, -4, -5]);
  // Rectangular kernel and stride; NaN wins its window.
  assert.deepEqual(vals(maxPool2d(x, [1, 4])), [3, 7, 11, 15]);
  assert.deepEqual(vals(maxPool2d(x, [2, 1], { stride: [2, 3] })), [4, 7, 12, 15]);
  const n = vals(maxPool2d(tensor([[[[1, NaN], [3, 4]]]]), 2));
  assert.ok(Number.isNaN(n[0]));
  // Channels and batch are independent.
  const reversed = reshape(arange(16, 0, -1, { dtype: "float32" }), [1, 1, 4, 4]); // 16 .. 1
  const cb = maxPool2d(concat([x, reversed], 1), 2);
  assert.deepEqual(cb.shape, [1, 2, 2, 2]);
  assert.deepEqual(vals(cb), [5, 7, 13, 15, 16, 14, 8, 6]);
});

Deno.test("pooling: padding 'same' gives ceil(input / stride), padding bottom/right", () => {
  const x = zeros([1, 1, 7, 8]);
  for (
    const [k, s, hw] of [[3, 1, [7, 8]], [2, 1, [7, 8]], [3, 2, [4, 4]], [2, 2, [4, 4]]] as const
  ) {
    assert.deepEqual(maxPool2d(x, k, { stride: s, padding: "same" }).shape, [1, 1, ...hw]);
    assert.deepEqual(avgPool2d(x, k, { stride: s, padding: "same" }).shape, [1, 1, ...hw]);
  }
  // 2x2 windows, stride 1, one padded row/column at the bottom/right.
  assert.deepEqual(vals(maxPool2d(img3(), 2, { stride: 1, padding: "same" })), [
    5,
    6,
    6,
    8,
    9,
    9,
    8,
    9,
    9,
  ]);
  const avg = avgPool2d(img3(), 2, { stride: 1, padding: "same", countIncludePad: false });
  assert.deepEqual(vals(avg), [3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9]);
});

Deno.test("avgPool2d: hand-computed, countIncludePad both ways", () => {
  const x = reshape(arange(16, undefined, 1, { dtype: "float32" }), [1, 1, 4, 4]);
  assert.deepEqual(vals(avgPool2d(x, 2)), [2.5, 4.5, 10.5, 12.5]);
  assert.deepEqual(vals(avgPool2d(x, 4)), [7.5]);
  const p = avgPool2d(img3(), 2, { padding: 1 });
  assert.deepEqual(p.shape, [1, 1, 2, 2]);
  assert.deepEqual(vals(p), [1 / 4, (2 + 3) / 4, (4 + 7) / 4, (5 + 6 + 8 + 9) / 4]);
  const q = avgPool2d(img3(), 2, { padding: 1, countIncludePad: false });
  assert.deepEqual(vals(q), [1, 2.5, 5.5, 7]);
  assert.deepEqual(vals(avgPool2d(img3(), 2, { stride: 1 })), [3, 4, 6, 7]);
  assert.equal(avgPool2d(f64([1, 2, 3, 4], [1, 1, 2, 2]), 2).dtype, "float64");
});

Deno.test("avgPool2d: padding 'same' averages real cells only, as TensorFlow does", () => {
  // 3x3 ones, 2x2 windows, stride 2: "same" pads one row and column at the bottom and right.
  // Every window averages ones, whatever its count of real cells (4, 2, 2, 1).
  const y = avgPool2d(ones([1, 1, 3, 3]), 2, { padding: "same" });
  assert.deepEqual(y.shape, [1, 1, 2, 2]);
  assertClose(y.dataSync(), [1, 1, 1, 1]);
  // Counting the padded zeros, as PyTorch's default does for numeric padding: 4/4, 2/4, 2/4, 1/4.
  const z = avgPool2d(ones([1, 1, 3, 3]), 2, { padding: "same", countIncludePad: true });
  assertClose(z.dataSync(), [1, 0.5, 0.5, 0.25]);
});
