import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import {
  argmax,
  argmin,
  logSumExp,
  max,
  mean,
  min,
  reshape,
  sum,
  type Tensor,
  tensor,
  transpose,
  zeros,
} from "../../mod.ts";
import { prod, rng } from "../test_rng.ts";

/**
 * Naive reduction: for every output position (in keepdims layout), visit every input element whose
 * unreduced coordinates match, in row-major order, folding with `f` from `init`.
 */
function reduceRef(
  shape: readonly number[],
  data: ArrayLike<number>,
  axes: readonly number[],
  init: number,
  f: (acc: number, v: number, k: number) => number,
): { shape: number[]; keptShape: number[]; values: number[] } {
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outShape = shape.filter((_, i) => !axes.includes(i));
  const out = new Array(prod(keptShape)).fill(init);
  const counts = new Array(out.length).fill(0);
  const coords = new Array(shape.length).fill(0);
  for (let n = 0; n < prod(shape); n++) {
    let rem = n;
    for (let d = shape.length - 1; d >= 0; d--) {
      coords[d] = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
    }
    let o = 0;
    for (let d = 0; d < shape.length; d++) {
      o = o * keptShape[d] + (axes.includes(d) ? 0 : coords[d]);
    }
    out[o] = f(out[o], data[n], counts[o]++);
  }
  return { shape: outShape, keptShape, values: out };
}

const nanMax = (
  a: number,
  v: number,
) => (Number.isNaN(a) || Number.isNaN(v) ? NaN : Math.max(a, v));
const nanMin = (
  a: number,
  v: number,
) => (Number.isNaN(a) || Number.isNaN(v) ? NaN : Math.min(a, v));

const AXES_CASES: (number | number[] | undefined)[] = [
  undefined,
  0,
  1,
  2,
  -1,
  -3,
  [0, 2],
  [2, 0],
  [-1, 1],
  [0, 1, 2],
  [],
];

function normAxes(axis: number | number[] | undefined, rank: number): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  return (typeof axis === "number" ? [axis] : axis).map((a) => (a < 0 ? a + rank : a));
}

Deno.test("sum/mean/max/min: every axis combination vs naive loops (float64 random data)", () => {
  const r = rng(1);
  const shape = [3, 4, 5];
  const data = Array.from({ length: prod(shape) }, () => r() * 10);
  const x = tensor(new Float64Array(data), { shape });
  for (const axis of AXES_CASES) {
    const axes = normAxes(axis, 3);
    for (const keepdims of [false, true]) {
      const label = `axis ${JSON.stringify(axis)} keepdims ${keepdims}`;
      const s = reduceRef(shape, data, axes, 0, (a, v) => a + v);
      const n = axes.reduce((p, a) => p * shape[a], 1);
      const want = keepdims ? s.keptShape : s.shape;
      const ys: [string, Tensor, number[], number][] = [
        ["sum", sum(x, { axis, keepdims }), s.values, 1e-12],
        ["mean", mean(x, { axis, keepdims }), s.values.map((v) => v / n), 1e-12],
        [
          "max",
          max(x, { axis, keepdims }),
          reduceRef(shape, data, axes, -Infinity, nanMax).values,
          0,
        ],
        [
          "min",
          min(x, { axis, keepdims }),
          reduceRef(shape, data, axes, Infinity, nanMin).values,
          0,
        ],
      ];
      for (const [name, y, values, rtol] of ys) {
        assert.deepEqual(y.shape, want, `${name} ${label}`);
        assert.equal(y.dtype, "float64", `${name} ${label}`);
        assertClose(y.dataSync(), values, { rtol, atol: 1e-12, msg: `${name} ${label}` });
      }
    }
  }
});

Deno.test("sum/max on a transposed (non-contiguous) input match the naive loop", () => {
  const r = rng(2);
  const data = Array.from({ length: 24 }, () => r());
  const x = transpose(tensor(new Float64Array(data), { shape: [2, 3, 4] }), [2, 0, 1]); // [4,2,3]
  const xt: number[] = [];
  for (let k = 0; k < 4; k++) {
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) xt.push(data[i * 12 + j * 4 + k]);
  }
  assertClose(
    sum(x, { axis: [0, 2] }).dataSync(),
    reduceRef([4, 2, 3], xt, [0, 2], 0, (a, v) => a + v).values,
    {
      rtol: 1e-12,
    },
  );
  assertClose(
    max(x, { axis: 1 }).dataSync(),
    reduceRef([4, 2, 3], xt, [1], -Infinity, nanMax).values,
    {
      rtol: 0,
      atol: 0,
    },
  );
});

Deno.test("reductions: hand-computed small cases", () => {
  const x = tensor([[1, 2], [3, 4]]);
  assert.equal(sum(x).dataSync()[0], 10);
  assert.deepEqual(sum(x).shape, []);
  assert.deepEqual([...sum(x, { axis: 0 }).dataSync()], [4, 6]);
  assert.deepEqual([...sum(x, { axis: -1, keepdims: true }).dataSync()], [3, 7]);
  assert.deepEqual(sum(x, { axis: -1, keepdims: true }).shape, [2, 1]);
  assert.deepEqual(sum(x, { keepdims: true }).shape, [1, 1]);
  assert.deepEqual([...mean(x, { axis: 1 }).dataSync()], [1.5, 3.5]);
  assert.deepEqual([...max(x, { axis: 0 }).dataSync()], [3, 4]);
  assert.deepEqual([...min(x, { axis: 1 }).dataSync()], [1, 3]);
  // Scalars reduce to themselves.
  assert.equal(sum(tensor(5)).dataSync()[0], 5);
  assert.equal(max(tensor(5)).dataSync()[0], 5);
  assert.deepEqual(sum(tensor(5)).shape, []);
});

Deno.test("reductions: dtypes (int32 stays int32, mean and bool)", () => {
  const i = tensor([[1, 2], [3, 4]], { dtype: "int32" });
  assert.equal(sum(i).dtype, "int32");
  assert.equal(sum(i).dataSync()[0], 10);
  assert.equal(max(i, { axis: 0 }).dtype, "int32");
  assert.deepEqual(max(i, { axis: 0 }).dataSync(), new Int32Array([3, 4]));
  const m = mean(i);
  assert.equal(m.dtype, "float32");
  assert.equal(m.dataSync()[0], 2.5);
  const b = tensor([[true, false, true], [true, true, true]]);
  const count = sum(b);
  assert.equal(count.dtype, "int32");
  assert.equal(count.dataSync()[0], 5);
  assert.deepEqual(sum(b, { axis: 1 }).dataSync(), new Int32Array([2, 3]));
  assert.equal(mean(b).dtype, "float32");
  assertClose(mean(b).dataSync(), [5 / 6]);
});

Deno.test("reductions: empty axes", () => {
  const e = zeros([0]);
  assert.equal(sum(e).dataSync()[0], 0);
  assert.deepEqual(sum(e).shape, []);
  assert.ok(Number.isNaN(mean(e).dataSync()[0])); // 0 / 0, as NumPy
  const e2 = zeros([0, 3]);
  assert.deepEqual([...sum(e2, { axis: 0 }).dataSync()], [0, 0, 0]);
  assert.deepEqual(sum(e2, { axis: 1 }).shape, [0]);
  // Reducing a non-empty axis of an empty tensor is fine even for max.
  assert.deepEqual(max(e2, { axis: 1 }).shape, [0]);
  assert.throws(() => max(e), /max: cannot reduce an empty axis of \[0\]/);
  assert.throws(() => min(e2, { axis: 0 }), /min: cannot reduce an empty axis of \[0,3\]/);
  assert.throws(() => argmax(e), /argmax: .*empty/);
  assert.throws(() => argmin(e2, { axis: 0 }), /argmin: .*empty/);
  // axis: [] reduces nothing.
  const x = tensor([[1, 2], [3, 4]]);
  assert.deepEqual(sum(x, { axis: [] }).shape, [2, 2]);
  assert.deepEqual([...sum(x, { axis: [] }).dataSync()], [1, 2, 3, 4]);
});

Deno.test("reductions: NaN propagates through sum, mean, max and min", () => {
  const x = tensor([[1, NaN, 3], [4, 5, 6]]);
  for (const f of [sum, mean, max, min]) {
    const all = f(x).dataSync();
    assert.ok(Number.isNaN(all[0]), f.name);
    const rows = f(x, { axis: 1 }).dataSync();
    assert.ok(Number.isNaN(rows[0]), f.name);
    assert.ok(!Number.isNaN(rows[1]), f.name);
  }
  // NaN first, NaN last.
  assert.ok(Number.isNaN(max(tensor([NaN, 1, 2])).dataSync()[0]));
  assert.ok(Number.isNaN(max(tensor([1, 2, NaN])).dataSync()[0]));
  assert.ok(Number.isNaN(min(tensor([NaN, -1])).dataSync()[0]));
  assert.equal(max(tensor([-Infinity, -Infinity])).dataSync()[0], -Infinity);
});

Deno.test("sum accumulates float32 in higher precision", () => {
  // In float32 arithmetic 1e8 + 1 rounds back to 1e8; the exact sum is 1.
  assert.equal(sum(tensor([1e8, 1, -1e8])).dataSync()[0], 1);
  const n = 100_000;
  const s = sum(tensor(new Float32Array(n).fill(0.1))).dataSync()[0];
  assertClose(s, Math.fround(n * Math.fround(0.1)), { rtol: 1e-6 });
});

Deno.test("argmax/argmin: axes, keepdims, ties pick the first, NaN wins", () => {
  const x = tensor([[1, 9, 3], [7, 2, 7]]);
  assert.deepEqual(argmax(x, { axis: 1 }).dataSync(), new Int32Array([1, 0]));
  assert.deepEqual(argmax(x, { axis: -1 }).dataSync(), new Int32Array([1, 0]));
  assert.deepEqual(argmax(x, { axis: 0 }).dataSync(), new Int32Array([1, 0, 1]));
  assert.deepEqual(argmin(x, { axis: 1 }).dataSync(), new Int32Array([0, 1]));
  assert.deepEqual(argmin(x, { axis: 0 }).dataSync(), new Int32Array([0, 1, 0]));
  assert.equal(argmax(x).dtype, "int32");
  assert.deepEqual(argmax(x).shape, []);
  assert.equal(argmax(x).dataSync()[0], 1); // flat index
  assert.equal(argmin(x).dataSync()[0], 0);
  assert.deepEqual(argmax(x, { axis: 1, keepdims: true }).shape, [2, 1]);
  assert.deepEqual(argmax(x, { keepdims: true }).shape, [1, 1]);
  // Ties.
  assert.equal(argmax(tensor([3, 5, 5, 1, 5])).dataSync()[0], 1);
  assert.equal(argmin(tensor([3, 1, 5, 1])).dataSync()[0], 1);
  assert.deepEqual(argmax(zeros([2, 4]), { axis: 1 }).dataSync(), new Int32Array([0, 0]));
  // NaN is the maximum and the minimum, and its first occurrence is reported.
  assert.equal(argmax(tensor([1, NaN, 5, NaN])).dataSync()[0], 1);
  assert.equal(argmin(tensor([1, -5, NaN])).dataSync()[0], 2);
  assert.equal(argmax(tensor([NaN, 1])).dataSync()[0], 0);
  // -Infinity rows.
  assert.equal(argmax(tensor([-Infinity, -Infinity])).dataSync()[0], 0);
  // int32 and bool inputs.
  assert.equal(argmax(tensor([3, 8, 8], { dtype: "int32" })).dataSync()[0], 1);
  assert.equal(argmax(tensor([false, true, true])).dataSync()[0], 1);
});

Deno.test("argmax/argmin: vs a naive loop on random data, middle axis of rank 3", () => {
  const r = rng(3);
  const shape = [3, 5, 4];
  const data = Array.from({ length: prod(shape) }, () => Math.round(r() * 4)); // many ties
  const x = tensor(new Float64Array(data), { shape });
  for (const axis of [0, 1, 2, -2]) {
    const ax = axis < 0 ? axis + 3 : axis;
    const kept = shape.map((d, i) => (i === ax ? 1 : d));
    const best = (sign: number) =>
      Array.from({ length: prod(kept) }, (_, o) => {
        // o indexes the keepdims layout: recover coordinates, then scan the axis.
        const coords: number[] = [];
        let rem = o;
        for (let d = 2; d >= 0; d--) {
          coords[d] = rem % kept[d];
          rem = Math.floor(rem / kept[d]);
        }
        let bi = 0, bv = -Infinity;
        for (let k = 0; k < shape[ax]; k++) {
          coords[ax] = k;
          const v = sign * data[(coords[0] * shape[1] + coords[1]) * shape[2] + coords[2]];
          if (v > bv) {
            bv = v;
            bi = k;
          }
        }
        return bi;
      });
    assert.deepEqual([...argmax(x, { axis }).dataSync()], best(1), `argmax axis ${axis}`);
    assert.deepEqual([...argmin(x, { axis }).dataSync()], best(-1), `argmin axis ${axis}`);
  }
});

Deno.test("logSumExp: matches log(sum(exp(x))) on moderate data", () => {
  const r = rng(4);
  const shape = [4, 6];
  const data = Array.from({ length: 24 }, () => r() * 5);
  const x = tensor(new Float64Array(data), { shape });
  const ref = (axes: number[]) =>
    reduceRef(shape, data, axes, 0, (a, v) => a + Math.exp(v)).values.map(Math.log);
  assertClose(logSumExp(x).dataSync(), ref([0, 1]), { rtol: 1e-12 });
  assertClose(logSumExp(x, { axis: 1 }).dataSync(), ref([1]), { rtol: 1e-12 });
  assertClose(logSumExp(x, { axis: 0 }).dataSync(), ref([0]), { rtol: 1e-12 });
  assert.deepEqual(logSumExp(x, { axis: 1 }).shape, [4]);
  assert.deepEqual(logSumExp(x, { axis: -1, keepdims: true }).shape, [4, 1]);
  assert.deepEqual(logSumExp(x).shape, []);
  assert.equal(logSumExp(x).dtype, "float64");
  assert.equal(logSumExp(tensor([1, 2], { dtype: "int32" })).dtype, "float32");
});

Deno.test("logSumExp: stable for large values and -Infinity rows", () => {
  const big = logSumExp(tensor([1000, 1000])).dataSync()[0];
  assertClose(big, 1000 + Math.log(2), { rtol: 1e-7 });
  const neg = logSumExp(tensor([-1000, -1000])).dataSync()[0];
  assertClose(neg, -1000 + Math.log(2), { rtol: 1e-7 });
  const rows = logSumExp(tensor([[-Infinity, -Infinity], [0, -Infinity], [1000, 0]]), { axis: 1 })
    .dataSync();
  assert.equal(rows[0], -Infinity);
  assert.equal(rows[1], 0);
  assertClose(rows[2], 1000, { rtol: 1e-7 });
  assert.equal(logSumExp(tensor([Infinity, 1])).dataSync()[0], Infinity);
  assert.ok(Number.isNaN(logSumExp(tensor([NaN, 1])).dataSync()[0]));
});

Deno.test("logSumExp: an empty reduction is -Infinity (log of an empty sum)", () => {
  const y = logSumExp(zeros([2, 0]), { axis: 1 });
  assert.deepEqual(y.shape, [2]);
  assert.deepEqual([...y.dataSync()], [-Infinity, -Infinity]);
  assert.equal(logSumExp(zeros([0])).dataSync()[0], -Infinity);
});

Deno.test("mean: keepdims result broadcasts back against the input", () => {
  const x = reshape(tensor([1, 2, 3, 4, 5, 6]), [2, 3]);
  const m = mean(x, { axis: [0, 1], keepdims: true });
  assert.deepEqual(m.shape, [1, 1]);
  assert.equal(m.dataSync()[0], 3.5);
});
