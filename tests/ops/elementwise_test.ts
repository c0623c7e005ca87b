import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import {
  abs,
  add,
  cast,
  ceil,
  cos,
  div,
  equal,
  exp,
  expm1,
  floor,
  greater,
  greaterEqual,
  less,
  lessEqual,
  log,
  log1p,
  maximum,
  minimum,
  mul,
  neg,
  notEqual,
  pow,
  relu,
  reshape,
  round,
  sigmoid,
  sign,
  sin,
  slice,
  sqrt,
  square,
  sub,
  tanh,
  type Tensor,
  tensor,
  transpose,
  where,
  zeros,
} from "../../mod.ts";
import { prod, rng } from "../test_rng.ts";

/** Reference NumPy broadcasting: output shape and, per output element, the flat input indices. */
function broadcastRef(
  sa: readonly number[],
  sb: readonly number[],
  f: (x: number, y: number) => number,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): { shape: number[]; values: number[] } {
  const r = Math.max(sa.length, sb.length);
  const pa = [...new Array(r - sa.length).fill(1), ...sa];
  const pb = [...new Array(r - sb.length).fill(1), ...sb];
  const shape = pa.map((d, i) => (d === 1 ? pb[i] : d));
  const values: number[] = [];
  const idx = new Array(r).fill(0);
  for (let n = 0; n < prod(shape); n++) {
    let rem = n;
    for (let d = r - 1; d >= 0; d--) {
      idx[d] = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
    }
    let ia = 0, ib = 0;
    for (let d = 0; d < r; d++) {
      ia = ia * pa[d] + (pa[d] === 1 ? 0 : idx[d]);
      ib = ib * pb[d] + (pb[d] === 1 ? 0 : idx[d]);
    }
    values.push(f(a[ia], b[ib]));
  }
  return { shape, values };
}

const randArray = (r: () => number, n: number, scale = 3) =>
  Array.from({ length: n }, () => r() * scale);

// ---------------------------------------------------------------------------------------------
// Unary ops
// ---------------------------------------------------------------------------------------------

const EDGE = [
  -1000,
  -3.7,
  -2.5,
  -1.5,
  -1,
  -0.5,
  -0,
  0,
  1e-8,
  0.5,
  1,
  1.5,
  2.5,
  3.7,
  1000,
  NaN,
  Infinity,
  -Infinity,
];

/** Round half to even, written out. */
function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

const UNARY: [string, (x: Tensor) => Tensor, (x: number) => number][] = [
  ["neg", neg, (x) => -x],
  ["exp", exp, Math.exp],
  ["log", log, Math.log],
  ["log1p", log1p, Math.log1p],
  ["expm1", expm1, Math.expm1],
  ["sqrt", sqrt, Math.sqrt],
  ["abs", abs, Math.abs],
  ["sign", sign, Math.sign],
  ["sin", sin, Math.sin],
  ["cos", cos, Math.cos],
  ["tanh", tanh, Math.tanh],
  ["sigmoid", sigmoid, (x) => 1 / (1 + Math.exp(-x))],
  ["relu", relu, (x) => (Number.isNaN(x) ? NaN : Math.max(x, 0))],
  ["floor", floor, Math.floor],
  ["ceil", ceil, Math.ceil],
  ["round", round, roundHalfEven],
];

for (const [name, op, ref] of UNARY) {
  Deno.test(`unary ${name}: float64 matches Math on edge cases and random data`, () => {
    const r = rng(name.length);
    const xs = [...EDGE, ...randArray(r, 50, 10)];
    const y = op(tensor(new Float64Array(xs)));
    assert.equal(y.dtype, "float64");
    assert.deepEqual(y.shape, [xs.length]);
    const exact = name !== "sigmoid";
    assertClose(y.dataSync(), xs.map(ref), exact ? { rtol: 0, atol: 0 } : { rtol: 1e-15 });
  });
  Deno.test(`unary ${name}: float32 rounds Math's value of the float32 input`, () => {
    const xs = [...EDGE, ...randArray(rng(7 + name.length), 50, 10)];
    const y = op(tensor(xs));
    assert.equal(y.dtype, "float32");
    const expected = xs.map((x) => Math.fround(ref(Math.fround(x))));
    const exact = name !== "sigmoid";
    assertClose(y.dataSync(), expected, exact ? { rtol: 0, atol: 0 } : { rtol: 1e-7 });
  });
}

Deno.test("unary: shape is kept, including scalars and empty tensors", () => {
  for (const [, op] of UNARY) {
    assert.deepEqual(op(tensor([[1, 2, 3], [4, 5, 6]])).shape, [2, 3]);
    assert.deepEqual(op(tensor(0.5)).shape, []);
    assert.deepEqual(op(zeros([0, 4])).shape, [0, 4]);
  }
});

Deno.test("unary: signed zeros", () => {
  assert.ok(Object.is(neg(tensor([0])).dataSync()[0], -0));
  assert.ok(Object.is(abs(tensor([-0])).dataSync()[0], 0));
  assert.ok(Object.is(sign(tensor([-0])).dataSync()[0], -0));
  assert.ok(Object.is(sign(tensor([0])).dataSync()[0], 0));
  assert.ok(Object.is(round(tensor([-0.5])).dataSync()[0], -0));
  assert.ok(Object.is(round(tensor([-0.4])).dataSync()[0], -0));
  assert.ok(Object.is(ceil(tensor([-0.5])).dataSync()[0], -0));
  assert.ok(Object.is(sqrt(tensor([-0])).dataSync()[0], -0));
});

Deno.test("unary: sigmoid saturates without overflow, relu keeps NaN", () => {
  const s = sigmoid(tensor([-1000, -100, 0, 100, 1000])).dataSync();
  assert.ok(s.every(Number.isFinite), String(s));
  assert.deepEqual([...s], [0, Math.fround(Math.exp(-100)), 0.5, 1, 1]);
  const s64 = sigmoid(tensor(new Float64Array([-745, -800, 800]))).dataSync();
  assert.ok(s64.every(Number.isFinite));
  assert.ok(s64[0] > 0); // exp(-745) is the smallest subnormal, not flushed to 0 / NaN
  assert.equal(s64[2], 1);
  const r = relu(tensor([NaN, -NaN, -1, 2])).dataSync();
  assert.ok(Number.isNaN(r[0]) && Number.isNaN(r[1]));
  assert.deepEqual([...r.slice(2)], [0, 2]);
});

Deno.test("unary: round is half-to-even (NumPy), not JS Math.round", () => {
  const x = [-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5, 2.4, 2.6, -2.6, 1e7 + 0.5];
  const y = round(tensor(new Float64Array(x))).dataSync();
  assert.deepEqual([...y], [-4, -2, -2, -0, 0, 2, 2, 4, 4, 2, 3, -3, 1e7]);
});

Deno.test("unary: integer dtypes", () => {
  const i = tensor([-3, 0, 2], { dtype: "int32" });
  for (const op of [neg, abs, sign, relu, floor, ceil, round]) {
    assert.equal(op(i).dtype, "int32", op.name);
  }
  assert.deepEqual(neg(i).dataSync(), new Int32Array([3, 0, -2]));
  assert.deepEqual(abs(i).dataSync(), new Int32Array([3, 0, 2]));
  assert.deepEqual(sign(i).dataSync(), new Int32Array([-1, 0, 1]));
  assert.deepEqual(relu(i).dataSync(), new Int32Array([0, 0, 2]));
  // Real functions lift integers to float32.
  const e = exp(i);
  assert.equal(e.dtype, "float32");
  assertClose(e.dataSync(), [-3, 0, 2].map((v) => Math.fround(Math.exp(v))), { rtol: 0 });
  assert.equal(sqrt(tensor([4], { dtype: "int32" })).dataSync()[0], 2);
  // bool: kept-integer ops give int32, real ops give float32.
  const b = tensor([true, false]);
  assert.equal(neg(b).dtype, "int32");
  assert.deepEqual(neg(b).dataSync(), new Int32Array([-1, 0]));
  assert.equal(exp(b).dtype, "float32");
  assertClose(exp(b).dataSync(), [Math.E, 1]);
});

// ---------------------------------------------------------------------------------------------
// Binary arithmetic and broadcasting
// ---------------------------------------------------------------------------------------------

const BINARY: [
  string,
  (a: Tensor | number, b: Tensor | number) => Tensor,
  (a: number, b: number) => number,
][] = [
  ["add", add, (a, b) => a + b],
  ["sub", sub, (a, b) => a - b],
  ["mul", mul, (a, b) => a * b],
  ["div", div, (a, b) => a / b],
  ["pow", pow, Math.pow],
  ["maximum", maximum, (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b))],
  ["minimum", minimum, (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b))],
];

const SHAPE_PAIRS: [number[], number[]][] = [
  [[2, 3], [2, 3]],
  [[3, 1], [1, 4]],
  [[2, 3], [3]],
  [[3], [2, 3]],
  [[], [2, 3]],
  [[2, 3], []],
  [[1, 1, 3], [2, 1, 1]],
  [[4, 1, 5], [3, 1]],
  [[1], []],
  [[2, 1, 3, 1], [1, 4, 1, 2]],
  [[0, 3], [3]],
  [[3], [0, 1]],
];

for (const [name, op, ref] of BINARY) {
  Deno.test(`binary ${name}: NumPy broadcasting vs a reference loop (float64)`, () => {
    const r = rng(100 + name.length);
    for (const [sa, sb] of SHAPE_PAIRS) {
      // pow on negative bases with fractional exponents is NaN on both sides; keep bases positive.
      const a = randArray(r, prod(sa)).map((v) => (name === "pow" ? Math.abs(v) + 0.1 : v));
      const b = randArray(r, prod(sb)).map((v) => (name === "div" && v === 0 ? 1 : v));
      const ta = tensor(new Float64Array(a), { shape: sa });
      const tb = tensor(new Float64Array(b), { shape: sb });
      const y = op(ta, tb);
      const want = broadcastRef(sa, sb, ref, a, b);
      assert.deepEqual(y.shape, want.shape, `${sa} x ${sb}`);
      assert.equal(y.dtype, "float64");
      assertClose(y.dataSync(), want.values, { rtol: 0, atol: 0, msg: `${sa} x ${sb}` });
    }
  });
}

Deno.test("binary: [0,3] + [3] is an empty [0,3]", () => {
  const y = add(zeros([0, 3]), tensor([1, 2, 3]));
  assert.deepEqual(y.shape, [0, 3]);
  assert.equal(y.size, 0);
});

Deno.test("binary: hand-computed broadcasting [3,1] x [1,4] and [2,3] x [3]", () => {
  const col = tensor([[1], [2], [3]]);
  const row = tensor([[10, 20, 30, 40]]);
  assert.deepEqual(
    add(col, row).dataSync(),
    new Float32Array([11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43]),
  );
  assert.deepEqual(
    mul(tensor([[1, 2, 3], [4, 5, 6]]), tensor([1, 0, -1])).dataSync(),
    new Float32Array([1, 0, -3, 4, 0, -6]),
  );
});

Deno.test("binary: plain numbers on either side and on both", () => {
  const x = tensor([1, 2, 3]);
  assert.deepEqual(add(x, 10).dataSync(), new Float32Array([11, 12, 13]));
  assert.deepEqual(sub(10, x).dataSync(), new Float32Array([9, 8, 7]));
  assert.deepEqual(div(1, tensor([2, 4])).dataSync(), new Float32Array([0.5, 0.25]));
  assert.deepEqual(pow(2, tensor([0, 1, 3])).dataSync(), new Float32Array([1, 2, 8]));
  assert.deepEqual(maximum(x, 2).dataSync(), new Float32Array([2, 2, 3]));
  assert.deepEqual(minimum(2, x).dataSync(), new Float32Array([1, 2, 2]));
  const both = add(2, 3);
  assert.deepEqual(both.shape, []);
  assert.equal(both.dtype, "float32");
  assert.equal(both.dataSync()[0], 5);
  assert.equal(div(1, 4).dataSync()[0], 0.25);
  // Scalar tensors broadcast like numbers.
  assert.deepEqual(mul(tensor(2), x).dataSync(), new Float32Array([2, 4, 6]));
  assert.deepEqual(square(x).dataSync(), new Float32Array([1, 4, 9]));
});

Deno.test("binary: dtype promotion", () => {
  const i = tensor([1, 2, 3], { dtype: "int32" });
  const f = tensor([0.5, 0.5, 0.5]);
  const d = tensor(new Float64Array([0.1, 0.2, 0.3]));
  const b = tensor([true, false, true]);
  const cases: [Tensor, string, number[]][] = [
    [add(i, f), "float32", [1.5, 2.5, 3.5]],
    [add(f, i), "float32", [1.5, 2.5, 3.5]],
    [div(i, 2), "float32", [0.5, 1, 1.5]], // true division
    [div(i, tensor([2, 2, 2], { dtype: "int32" })), "float32", [0.5, 1, 1.5]],
    [div(3, i), "float32", [3, 1.5, 1]],
    [add(i, 2.5), "float32", [3.5, 4.5, 5.5]],
    [add(i, 2), "int32", [3, 4, 5]],
    [mul(i, -1), "int32", [-1, -2, -3]],
    [pow(i, 2), "int32", [1, 4, 9]],
    [add(f, d), "float64", [0.5 + 0.1, 0.5 + 0.2, 0.5 + 0.3]],
    [add(d, 2.5), "float64", [2.6, 2.7, 2.8]],
    [add(f, 1e-3), "float32", [0.501, 0.501, 0.501].map(Math.fround)],
    [add(b, b), "int32", [2, 0, 2]],
    [mul(b, 3), "int32", [3, 0, 3]],
    [add(b, i), "int32", [2, 2, 4]],
    [add(b, 0.5), "float32", [1.5, 0.5, 1.5]],
    [add(1, b), "int32", [2, 1, 2]],
    [sub(b, f), "float32", [0.5, -0.5, 0.5]],
    [maximum(i, 2.5), "float32", [2.5, 2.5, 3]],
  ];
  cases.forEach(([y, dtype, values], k) => {
    assert.equal(y.dtype, dtype, `case ${k}`);
    assertClose(y.dataSync(), values, { rtol: 1e-6, msg: `case ${k}` });
  });
  // float32 + float64 is computed in float64 (not rounded through float32 first for the f64 side).
  assert.equal(add(f, d).dataSync()[0], 0.5 + 0.1);
});

Deno.test("binary: a number too large for int32 does not wrap next to an int32 tensor", () => {
  const i = tensor([1, 2], { dtype: "int32" });
  const y = add(i, 2 ** 32);
  assert.equal(y.dtype, "float32");
  assert.deepEqual([...y.dataSync()], [2 ** 32, 2 ** 32]);
  assert.deepEqual([...less(i, 3e9).dataSync()], [1, 1]);
  assert.deepEqual([...greater(i, -3e9).dataSync()], [1, 1]);
  assert.equal(add(i, Infinity).dtype, "float32");
  assert.equal(add(i, Infinity).dataSync()[0], Infinity);
});

Deno.test("binary: int32 arithmetic wraps like C and divides by zero as floats", () => {
  const big = tensor([2 ** 31 - 1], { dtype: "int32" });
  assert.equal(add(big, 1).dataSync()[0], -(2 ** 31));
  const z = div(tensor([1, -1, 0], { dtype: "int32" }), 0).dataSync();
  assert.equal(z[0], Infinity);
  assert.equal(z[1], -Infinity);
  assert.ok(Number.isNaN(z[2]));
});

Deno.test("binary: maximum/minimum propagate NaN from either side", () => {
  const a = tensor([NaN, 1, NaN, 2, -Infinity]);
  const b = tensor([1, NaN, NaN, 3, Infinity]);
  const mx = maximum(a, b).dataSync();
  const mn = minimum(a, b).dataSync();
  assert.ok(Number.isNaN(mx[0]) && Number.isNaN(mx[1]) && Number.isNaN(mx[2]));
  assert.ok(Number.isNaN(mn[0]) && Number.isNaN(mn[1]) && Number.isNaN(mn[2]));
  assert.deepEqual([mx[3], mx[4]], [3, Infinity]);
  assert.deepEqual([mn[3], mn[4]], [2, -Infinity]);
  assert.ok(Number.isNaN(maximum(tensor([1]), NaN).dataSync()[0]));
  assert.ok(Number.isNaN(minimum(NaN, tensor([1])).dataSync()[0]));
});

Deno.test("binary: non-contiguous inputs (transposed and strided slices)", () => {
  const r = rng(5);
  const a = randArray(r, 12);
  const b = randArray(r, 12);
  const ta = tensor(new Float64Array(a), { shape: [3, 4] });
  const tb = tensor(new Float64Array(b), { shape: [4, 3] });
  // a^T + b, with a^T[i][j] = a[j][i]
  const y = add(transpose(ta), tb);
  assert.deepEqual(y.shape, [4, 3]);
  const want: number[] = [];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) want.push(a[j * 4 + i] + b[i * 3 + j]);
  assertClose(y.dataSync(), want, { rtol: 0, atol: 0 });
  // Every other column of a times a broadcast row from a strided slice of b.
  const cols = slice(ta, [null, [0, 4, 2]]); // [3, 2]
  const row = slice(reshape(tb, [12]), [[1, 12, 6]]); // b[1], b[7]
  const z = mul(cols, row);
  assert.deepEqual(z.shape, [3, 2]);
  const wantZ: number[] = [];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 2; j++) wantZ.push(a[i * 4 + 2 * j] * b[1 + 6 * j]);
  }
  assertClose(z.dataSync(), wantZ, { rtol: 0, atol: 0 });
  // A transposed operand against a broadcast one.
  const w = sub(transpose(ta, [1, 0]), tensor(new Float64Array([1, 2, 3])));
  const wantW: number[] = [];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) wantW.push(a[j * 4 + i] - (j + 1));
  assertClose(w.dataSync(), wantW, { rtol: 0, atol: 0 });
});

// ---------------------------------------------------------------------------------------------
// Comparisons, where, cast
// ---------------------------------------------------------------------------------------------

Deno.test("comparisons: bool results, broadcasting, NaN semantics", () => {
  const a = tensor([[1], [2], [NaN]]);
  const b = tensor([1, 2, NaN]);
  const cmps: [
    (x: Tensor | number, y: Tensor | number) => Tensor,
    (x: number, y: number) => boolean,
  ][] = [
    [equal, (x, y) => x === y],
    [notEqual, (x, y) => x !== y],
    [greater, (x, y) => x > y],
    [greaterEqual, (x, y) => x >= y],
    [less, (x, y) => x < y],
    [lessEqual, (x, y) => x <= y],
  ];
  for (const [op, ref] of cmps) {
    const y = op(a, b);
    assert.equal(y.dtype, "bool", op.name);
    assert.deepEqual(y.shape, [3, 3]);
    const want = broadcastRef([3, 1], [3], (x, z) => (ref(x, z) ? 1 : 0), [1, 2, NaN], [1, 2, NaN]);
    assert.deepEqual([...y.dataSync()], want.values, op.name);
  }
  assert.deepEqual(greater(tensor([1, 2, 3]), 2).dataSync(), new Uint8Array([0, 0, 1]));
  assert.deepEqual(less(2, tensor([1, 2, 3])).dataSync(), new Uint8Array([0, 0, 1]));
  // Mixed dtypes compare by value.
  assert.deepEqual(
    equal(tensor([1, 2], { dtype: "int32" }), tensor([1, 2.5])).dataSync(),
    new Uint8Array([1, 0]),
  );
  assert.deepEqual(
    lessEqual(tensor([1, 2, 3], { dtype: "int32" }), 2.5).dataSync(),
    new Uint8Array([1, 1, 0]),
  );
  assert.deepEqual(
    equal(tensor([true, false]), tensor([true, true])).dataSync(),
    new Uint8Array([1, 0]),
  );
  assert.deepEqual(equal(tensor([true, false]), 1).dataSync(), new Uint8Array([1, 0]));
});

Deno.test("where: broadcasting of all three operands", () => {
  const cond = tensor([[true], [false], [true]]); // [3,1]
  const a = tensor([[1, 2, 3, 4]]); // [1,4]
  const b = tensor(-1); // []
  const y = where(cond, a, b);
  assert.deepEqual(y.shape, [3, 4]);
  assert.deepEqual([...y.dataSync()], [1, 2, 3, 4, -1, -1, -1, -1, 1, 2, 3, 4]);
  const c2 = tensor([true, false, true, false]);
  const z = where(c2, tensor([[10], [20]]), tensor([[0, 1, 2, 3]]));
  assert.deepEqual(z.shape, [2, 4]);
  assert.deepEqual([...z.dataSync()], [10, 1, 10, 3, 20, 1, 20, 3]);
});

Deno.test("where: numbers, dtypes and NaN", () => {
  const x = tensor([-1, 2, -3]);
  assert.deepEqual(where(greater(x, 0), x, 0).dataSync(), new Float32Array([0, 2, 0]));
  assert.deepEqual(where(greater(x, 0), 1, x).dataSync(), new Float32Array([-1, 1, -3]));
  const n = where(tensor([true, false]), 1, 0);
  assert.equal(n.dtype, "float32");
  assert.deepEqual(n.dataSync(), new Float32Array([1, 0]));
  const i = tensor([5, 6], { dtype: "int32" });
  assert.equal(where(tensor([true, false]), i, 0).dtype, "int32");
  const mixed = where(tensor([true, false]), i, 0.5);
  assert.equal(mixed.dtype, "float32");
  assert.deepEqual(mixed.dataSync(), new Float32Array([5, 0.5]));
  assert.equal(where(tensor([true]), i, tensor(new Float64Array([1]))).dtype, "float64");
  const nan = where(tensor([true, false]), NaN, 1).dataSync();
  assert.ok(Number.isNaN(nan[0]));
  assert.equal(nan[1], 1);
  // An empty condition gives an empty result.
  assert.deepEqual(where(zeros([0], { dtype: "bool" }), 1, 2).shape, [0]);
});

Deno.test("cast: truncation toward zero, bool tests non-zero, identity when same dtype", () => {
  const f = tensor([1.7, -1.7, 2.5, -0.5, 0, 123456.9]);
  const i = cast(f, "int32");
  assert.equal(i.dtype, "int32");
  assert.deepEqual(i.dataSync(), new Int32Array([1, -1, 2, 0, 0, 123456]));
  const b = cast(tensor([0, -0, 0.1, -2, NaN, Infinity]), "bool");
  assert.equal(b.dtype, "bool");
  assert.deepEqual(b.dataSync(), new Uint8Array([0, 0, 1, 1, 1, 1]));
  assert.deepEqual(
    cast(tensor([0, 3, -2], { dtype: "int32" }), "bool").dataSync(),
    new Uint8Array([0, 1, 1]),
  );
  const fb = cast(tensor([true, false]), "float64");
  assert.deepEqual(fb.dataSync(), new Float64Array([1, 0]));
  assert.deepEqual(cast(tensor([true, false]), "int32").dataSync(), new Int32Array([1, 0]));
  const d = tensor(new Float64Array([0.1, 1 / 3]));
  assert.deepEqual([...cast(d, "float32").dataSync()], [Math.fround(0.1), Math.fround(1 / 3)]);
  assert.deepEqual(
    cast(tensor([-7, 8], { dtype: "int32" }), "float32").dataSync(),
    new Float32Array([-7, 8]),
  );
  assert.equal(cast(f, "float32"), f);
  assert.deepEqual(cast(zeros([2, 0]), "int32").shape, [2, 0]);
});
