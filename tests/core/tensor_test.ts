import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import {
  arange,
  eye,
  full,
  linspace,
  ones,
  onesLike,
  reshape,
  Tensor,
  tensor,
  zeros,
  zerosLike,
} from "../../mod.ts";

// ---------------------------------------------------------------------------------------------
// Creation from JS data
// ---------------------------------------------------------------------------------------------

Deno.test("tensor: nested arrays give their shape, float32 by default", () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.ok(t instanceof Tensor);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.dtype, "float32");
  assert.equal(t.size, 6);
  assert.equal(t.rank, 2);
  assert.deepEqual(t.dataSync(), new Float32Array([1, 2, 3, 4, 5, 6]));
});

Deno.test("tensor: rank-3 nesting and the empty list", () => {
  const t = tensor([[[1], [2]], [[3], [4]], [[5], [6]]]);
  assert.deepEqual(t.shape, [3, 2, 1]);
  assert.deepEqual([...t.dataSync()], [1, 2, 3, 4, 5, 6]);
  const e = tensor([]);
  assert.deepEqual(e.shape, [0]);
  assert.equal(e.size, 0);
  assert.equal(e.dtype, "float32");
  const e2 = tensor([[], []]);
  assert.deepEqual(e2.shape, [2, 0]);
});

Deno.test("tensor: scalars have shape []", () => {
  const s = tensor(3.5);
  assert.deepEqual(s.shape, []);
  assert.equal(s.rank, 0);
  assert.equal(s.size, 1);
  assert.equal(s.dtype, "float32");
  assert.deepEqual(s.dataSync(), new Float32Array([3.5]));
  const b = tensor(true);
  assert.deepEqual(b.shape, []);
  assert.equal(b.dtype, "bool");
});

Deno.test("tensor: booleans infer bool, stored as 0/1 bytes", () => {
  const t = tensor([[true, false], [false, true]]);
  assert.equal(t.dtype, "bool");
  assert.deepEqual(t.shape, [2, 2]);
  assert.deepEqual(t.dataSync(), new Uint8Array([1, 0, 0, 1]));
});

Deno.test("tensor: typed arrays keep their dtype (narrow integers become int32)", () => {
  const cases = [
    [new Float32Array([1, 2]), "float32"],
    [new Float64Array([1, 2]), "float64"],
    [new Int32Array([1, 2]), "int32"],
    [new Uint8Array([1, 255]), "int32"],
    [new Int8Array([1, -128]), "int32"],
    [new Uint8ClampedArray([1, 255]), "int32"],
    [new Int16Array([1, -300]), "int32"],
    [new Uint16Array([1, 65535]), "int32"],
  ] as const;
  for (const [arr, dtype] of cases) {
    const t = tensor(arr);
    assert.equal(t.dtype, dtype);
    assert.deepEqual(t.shape, [2]);
    assert.deepEqual([...t.dataSync()], [...arr]);
  }
  // Image bytes are values, not booleans; an explicit dtype still wins.
  assert.deepEqual([...tensor(new Uint8Array([0, 128]), { dtype: "bool" }).dataSync()], [0, 1]);
  for (
    const arr of [new Uint32Array([1]), new BigInt64Array([1n]), new DataView(new ArrayBuffer(4))]
  ) {
    assert.throws(() => tensor(arr as never), /tensor: .*(Uint32Array|BigInt64Array|DataView)/);
  }
  const m = tensor(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
  assert.deepEqual(m.shape, [3, 2]);
  assert.equal(m.dtype, "float64");
  assert.deepEqual([...m.dataSync()], [1, 2, 3, 4, 5, 6]);
});

Deno.test("tensor: flat list plus shape", () => {
  const t = tensor([1, 2, 3, 4, 5, 6], { shape: [2, 1, 3] });
  assert.deepEqual(t.shape, [2, 1, 3]);
  assert.deepEqual([...t.dataSync()], [1, 2, 3, 4, 5, 6]);
  const s = tensor([7], { shape: [] });
  assert.deepEqual(s.shape, []);
});

Deno.test("tensor: explicit dtypes convert the values", () => {
  const i = tensor([1, -2, 3], { dtype: "int32" });
  assert.equal(i.dtype, "int32");
  assert.deepEqual(i.dataSync(), new Int32Array([1, -2, 3]));
  const d = tensor([0.1, 0.2], { dtype: "float64" });
  assert.deepEqual(d.dataSync(), new Float64Array([0.1, 0.2])); // no float32 rounding
  const f = tensor([0.1]);
  assert.equal(f.dataSync()[0], Math.fround(0.1));
  const b = tensor([0, 2, -1], { dtype: "bool" });
  assert.deepEqual(b.dataSync(), new Uint8Array([0, 1, 1]));
  const fromBool = tensor([true, false], { dtype: "float32" });
  assert.deepEqual(fromBool.dataSync(), new Float32Array([1, 0]));
  const i2 = tensor(new Float32Array([3, 4]), { dtype: "int32" });
  assert.deepEqual(i2.dataSync(), new Int32Array([3, 4]));
});

Deno.test("tensor: the source array is copied", () => {
  const src = new Float32Array([1, 2, 3]);
  const t = tensor(src);
  src[0] = 100;
  assert.deepEqual(t.dataSync(), new Float32Array([1, 2, 3]));
  const nested = [[1, 2]];
  const u = tensor(nested);
  nested[0][0] = 100;
  assert.deepEqual([...u.dataSync()], [1, 2]);
});

Deno.test("tensor: ragged nesting, non-integers into int32, wrong sizes are errors", () => {
  assert.throws(() => tensor([[1, 2], [3]]), {
    message: "tensor: ragged nested array: value[0] has shape [2] but value[1] has [1]",
  });
  assert.throws(() => tensor([[1, 2], 3]), /tensor: ragged nested array/);
  assert.throws(() => tensor([1, 2.5], { dtype: "int32" }), {
    name: "TypeError",
    message: "tensor: value 2.5 at flat index 1 is not an integer (dtype int32)",
  });
  assert.throws(() => tensor([NaN], { dtype: "int32" }), /not an integer \(dtype int32\)/);
  assert.throws(() => tensor([1, 2, 3], { shape: [2, 2] }), {
    message: "tensor: shape [2,2] needs 4 elements, data has 3",
  });
  assert.throws(() => tensor([1, "a" as unknown as number]), /tensor: value\[1\] is string/);
});

Deno.test("tensor: int32 values outside the int32 range are errors, not wrapped", () => {
  assert.throws(
    () => tensor([2 ** 31], { dtype: "int32" }),
    /tensor: value 2147483648 at flat index 0 is out of range for int32/,
  );
  assert.deepEqual(
    tensor([-(2 ** 31), 2 ** 31 - 1], { dtype: "int32" }).dataSync(),
    new Int32Array([-(2 ** 31), 2 ** 31 - 1]),
  );
});

// ---------------------------------------------------------------------------------------------
// Filled tensors and ranges
// ---------------------------------------------------------------------------------------------

Deno.test("zeros/ones/full: shape, dtype, values", () => {
  const z = zeros([2, 3]);
  assert.deepEqual(z.shape, [2, 3]);
  assert.equal(z.dtype, "float32");
  assert.deepEqual([...z.dataSync()], [0, 0, 0, 0, 0, 0]);
  const o = ones([4], { dtype: "int32" });
  assert.equal(o.dtype, "int32");
  assert.deepEqual(o.dataSync(), new Int32Array([1, 1, 1, 1]));
  const f = full([2, 2], 7.5, { dtype: "float64" });
  assert.deepEqual(f.dataSync(), new Float64Array([7.5, 7.5, 7.5, 7.5]));
  const nan = full([2], NaN);
  assert.ok(nan.dataSync().every(Number.isNaN));
  const s = full([], 3);
  assert.deepEqual(s.shape, []);
  assert.equal(s.dataSync()[0], 3);
  const e = zeros([0, 5]);
  assert.equal(e.size, 0);
  assert.deepEqual(e.shape, [0, 5]);
  const b = ones([2], { dtype: "bool" });
  assert.deepEqual(b.dataSync(), new Uint8Array([1, 1]));
  assert.throws(() => zeros([2, -1]), /zeros: a shape must be an array of non-negative integers/);
  assert.throws(() => ones([1.5]), /ones: a shape must be/);
});

Deno.test("zerosLike/onesLike: copy shape and dtype, dtype overridable", () => {
  const x = tensor([[1, 2, 3]], { dtype: "int32" });
  const z = zerosLike(x);
  assert.deepEqual(z.shape, [1, 3]);
  assert.equal(z.dtype, "int32");
  assert.deepEqual(z.dataSync(), new Int32Array([0, 0, 0]));
  const o = onesLike(x, { dtype: "float64" });
  assert.equal(o.dtype, "float64");
  assert.deepEqual(o.dataSync(), new Float64Array([1, 1, 1]));
  // An explicit `undefined` dtype keeps the input's dtype.
  assert.equal(onesLike(x, { dtype: undefined }).dtype, "int32");
});

Deno.test("arange: numpy.arange semantics and dtype inference", () => {
  const a = arange(5);
  assert.equal(a.dtype, "int32");
  assert.deepEqual(a.dataSync(), new Int32Array([0, 1, 2, 3, 4]));
  assert.deepEqual([...arange(2, 8, 2).dataSync()], [2, 4, 6]);
  assert.deepEqual([...arange(5, 0, -2).dataSync()], [5, 3, 1]);
  assert.deepEqual(arange(3, 3).shape, [0]);
  assert.deepEqual(arange(5, 0).shape, [0]);
  const f = arange(0, 1, 0.25);
  assert.equal(f.dtype, "float32");
  assert.deepEqual([...f.dataSync()], [0, 0.25, 0.5, 0.75]);
  const g = arange(0, 1, 0.1);
  assert.equal(g.size, 10);
  assertClose(g.dataSync(), Array.from({ length: 10 }, (_, i) => i * 0.1));
  const d = arange(4, undefined, 1, { dtype: "float64" });
  assert.equal(d.dtype, "float64");
  assert.deepEqual([...d.dataSync()], [0, 1, 2, 3]);
  assert.throws(() => arange(0, 5, 0), /arange: .*step non-zero/);
  assert.throws(() => arange(0, Infinity), /arange: start, stop and step must be finite/);
});

Deno.test("linspace: inclusive endpoints, exact last value", () => {
  const l = linspace(0, 1, 5);
  assert.deepEqual([...l.dataSync()], [0, 0.25, 0.5, 0.75, 1]);
  const m = linspace(-1, 2, 7, { dtype: "float64" });
  assertClose(m.dataSync(), Array.from({ length: 7 }, (_, i) => -1 + i * 0.5));
  assert.equal(m.dataSync()[6], 2);
  assert.deepEqual([...linspace(3, 9, 1).dataSync()], [3]);
  assert.deepEqual(linspace(0, 1, 0).shape, [0]);
  // Reversed ranges.
  assert.deepEqual([...linspace(1, 0, 3).dataSync()], [1, 0.5, 0]);
  assert.throws(() => linspace(0, 1, -1), /linspace: num must be a non-negative integer, got -1/);
  assert.throws(() => linspace(0, 1, 2.5), /linspace: num must be a non-negative integer/);
});

Deno.test("eye: identity, rectangular, dtype", () => {
  assert.deepEqual([...eye(3).dataSync()], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const r = eye(2, 3, { dtype: "int32" });
  assert.deepEqual(r.shape, [2, 3]);
  assert.deepEqual(r.dataSync(), new Int32Array([1, 0, 0, 0, 1, 0]));
  const t = eye(3, 2);
  assert.deepEqual([...t.dataSync()], [1, 0, 0, 1, 0, 0]);
  assert.deepEqual(eye(0).shape, [0, 0]);
  assert.throws(() => eye(-1), /eye: a shape must be/);
});

// ---------------------------------------------------------------------------------------------
// Immutability
// ---------------------------------------------------------------------------------------------

Deno.test("immutability: data() and dataSync() return fresh copies", async () => {
  const t = tensor([1, 2, 3]);
  const d = await t.data();
  d[0] = 42;
  const s = t.dataSync();
  s[1] = 42;
  assert.deepEqual(await t.data(), new Float32Array([1, 2, 3]));
  assert.notEqual(await t.data(), await t.data());
});

Deno.test("immutability: shape is frozen and reshape shares nothing observable", async () => {
  const t = tensor([[1, 2], [3, 4]]);
  assert.ok(Object.isFrozen(t.shape));
  assert.throws(() => (t.shape as number[]).push(1), TypeError);
  assert.throws(() => {
    (t.shape as number[])[0] = 7;
  }, TypeError);
  assert.deepEqual(t.shape, [2, 2]);
  // A caller's shape array is copied: mutating it later does not change the tensor.
  const shape = [4];
  const r = reshape(t, shape);
  shape[0] = 1;
  assert.deepEqual(r.shape, [4]);
  const d = await r.data();
  d[0] = 99;
  assert.deepEqual([...t.dataSync()], [1, 2, 3, 4]);
});

// ---------------------------------------------------------------------------------------------
// Reading: array(), item(), toString()
// ---------------------------------------------------------------------------------------------

Deno.test("array(): nested JS arrays, booleans for bool, a number for scalars", async () => {
  assert.deepEqual(await tensor([[1, 2], [3, 4]]).array(), [[1, 2], [3, 4]]);
  assert.deepEqual(await tensor([[true], [false]]).array(), [[true], [false]]);
  assert.equal(await tensor(5, { dtype: "int32" }).array(), 5);
  assert.deepEqual(await zeros([2, 0]).array(), [[], []]);
  assert.deepEqual(await reshape(arange(6), [3, 1, 2]).array(), [[[0, 1]], [[2, 3]], [[4, 5]]]);
});

Deno.test("item(): the single element, an error otherwise", async () => {
  assert.equal(await tensor(2.5).item(), 2.5);
  assert.equal(await tensor([[7]], { dtype: "int32" }).item(), 7);
  await assert.rejects(() => tensor([1, 2]).item(), {
    message: "item: tensor [2] has 2 elements, not 1",
  });
});

Deno.test("toString(): shape, dtype and values", () => {
  assert.equal(
    tensor([[1.5, 2], [3, 4]]).toString(),
    "Tensor([2,2] float32)\n[[1.5,  2.],\n [ 3.,  4.]]",
  );
  assert.equal(tensor([1, -2], { dtype: "int32" }).toString(), "Tensor([2] int32)\n[ 1, -2]");
  assert.equal(tensor([true, false]).toString(), "Tensor([2] bool)\n[ true, false]");
  assert.equal(tensor(3).toString(), "Tensor([] float32)\n3.");
  assert.equal(
    tensor([NaN, Infinity, -Infinity]).toString(),
    "Tensor([3] float32)\n[ NaN,  Inf, -Inf]",
  );
  assert.equal(zeros([0, 3]).toString(), "Tensor([0,3] float32)\n[]");
  assert.equal(
    reshape(arange(8), [2, 2, 2]).toString(),
    "Tensor([2,2,2] int32)\n[[[0, 1],\n  [2, 3]],\n\n [[4, 5],\n  [6, 7]]]",
  );
  // Deno's console.log prints the same text.
  assert.equal(Deno.inspect(tensor([1, 2], { dtype: "int32" })), "Tensor([2] int32)\n[1, 2]");
});

Deno.test("toString(): large tensors are abbreviated with ...", () => {
  const s = arange(2000).toString();
  assert.equal(s, "Tensor([2000] int32)\n[   0,    1,    2, ..., 1997, 1998, 1999]");
  const m = reshape(arange(40 * 50), [40, 50]).toString();
  assert.ok(m.startsWith("Tensor([40,50] int32)\n[[   0,    1,    2, ...,   47,   48,   49],"));
  assert.ok(m.includes("\n ...,\n"), m);
  assert.ok(m.endsWith("[1950, 1951, 1952, ..., 1997, 1998, 1999]]"), m);
  // Under the threshold everything is shown.
  assert.ok(!arange(1000).toString().includes("..."));
});

Deno.test("tensor: JSON gives shape, dtype and nested data", () => {
  const json = JSON.parse(JSON.stringify({ w: tensor([[1, 2], [3, 4]]), m: tensor([true]) }));
  assert.deepEqual(json, {
    w: { shape: [2, 2], dtype: "float32", data: [[1, 2], [3, 4]] },
    m: { shape: [1], dtype: "bool", data: [true] },
  });
});

Deno.test("tensor: console.log of an object indents the tensor's lines in place", () => {
  const text = Deno.inspect({ w: tensor([[1, 2], [3, 4]]) });
  assert.equal(text, "{\n  w: Tensor([2,2] float32)\n  [[1., 2.],\n   [3., 4.]]\n}");
  assert.equal(Deno.inspect(tensor([1, 2])), "Tensor([2] float32)\n[1., 2.]");
});
