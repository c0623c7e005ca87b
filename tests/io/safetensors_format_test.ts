/**
 * safetensors on bytes: the exact layout `encodeSafetensors` writes (against hand-built bytes),
 * round trips of every dtype, nested trees, metadata, empty tensors and scalars, the dtypes read
 * from hand-built files (F16/BF16 bit patterns, I64 range), and what encoding refuses.
 */
import assert from "node:assert/strict";
import { io, type Tensor, tensor, tree, zeros } from "../../mod.ts";
import { assertClose } from "../assert_close.ts";
import { f32Bytes, fileOf, headerText, i64Bytes } from "./st_bytes.ts";

Deno.test("encodeSafetensors: the exact bytes of the format", () => {
  const bytes = io.encodeSafetensors(
    { fc: { weight: tensor([[1, 2]]), bias: tensor([-1]) } },
    { epoch: "2" },
  );
  const json = '{"__metadata__":{"epoch":"2"},' +
    '"fc.bias":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' +
    '"fc.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[4,12]}}';
  const padded = json + " ".repeat((8 - (json.length % 8)) % 8);
  assert.equal(headerText(bytes), padded);
  assert.equal(padded.length % 8, 0);
  assert.deepEqual(bytes, fileOf(json, f32Bytes([-1, 1, 2])));
});

Deno.test("encodeSafetensors: no __metadata__ without metadata; keys sorted", () => {
  const text = headerText(io.encodeSafetensors({ b: tensor([1]), a: tensor([2]) }));
  assert.ok(text.startsWith('{"a":{"dtype":"F32"'), text);
  assert.ok(!text.includes("__metadata__"));
  assert.deepEqual(Object.keys(JSON.parse(text)), ["a", "b"]);
});

Deno.test("round trip: every dtype, nested trees, arrays, empty tensors and scalars", async () => {
  const params = {
    conv1: {
      weight: tensor(new Float32Array([0.1, -2.5, 3e-40, Infinity, NaN, -0]), { shape: [1, 2, 3] }),
    },
    layers: [{ bias: tensor([1, 2], { dtype: "float64" }) }, {
      bias: tensor(Math.PI, { dtype: "float64" }),
    }],
    steps: tensor([-2147483648, 2147483647, 0], { dtype: "int32" }),
    mask: tensor([true, false, true]),
    empty: zeros([3, 0]),
    scalar: tensor(7, { dtype: "int32" }),
  };
  const meta = { note: 'quotes " and \\ and unicode é' };
  const { tensors, metadata } = io.decodeSafetensors(io.encodeSafetensors(params, meta));
  assert.deepEqual(metadata, meta);
  const expected = tree.flattenWithPaths(params);
  assert.deepEqual(Object.keys(tensors), expected.map(([p]) => p));
  for (const [name, t] of expected) {
    const got = tensors[name];
    assert.deepEqual([got.shape, got.dtype], [t.shape, t.dtype], name);
    assert.deepEqual(await got.data(), await t.data(), name);
  }
  assert.ok(Object.is((await tensors["conv1.weight"].data())[5], -0));
});

Deno.test("round trip: a flat state_dict keeps its names", async () => {
  const flat = { "fc1.weight": tensor([[1]]), "fc1.bias": tensor([2]) };
  const { tensors } = io.decodeSafetensors(io.encodeSafetensors(flat));
  assert.deepEqual(Object.keys(tensors), ["fc1.bias", "fc1.weight"]);
  assert.deepEqual(await tensors["fc1.bias"].data(), new Float32Array([2]));
});

Deno.test("round trip: an empty tree is a valid empty file", () => {
  const bytes = io.encodeSafetensors({});
  assert.equal(headerText(bytes), "{}      ");
  assert.deepEqual(io.decodeSafetensors(bytes), { tensors: {}, metadata: {} });
});

Deno.test("decode: tensors in any data order, names like __proto__ stay data", async () => {
  const bytes = fileOf(
    {
      b: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
      a: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
    },
    f32Bytes([1, 2, 3]),
  );
  const { tensors } = io.decodeSafetensors(bytes);
  assert.deepEqual(await tensors.a.data(), new Float32Array([2, 3]));
  assert.deepEqual(await tensors.b.data(), new Float32Array([1]));
  const odd = fileOf(
    '{"__proto__":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}',
    f32Bytes([5]),
  );
  const t = io.decodeSafetensors(odd).tensors;
  assert.ok(Object.hasOwn(t, "__proto__"));
  assert.equal(Object.getPrototypeOf(t), Object.prototype);
});

/** A file of one tensor `x` with raw u16 bits as dtype `dtype`. */
function u16File(dtype: string, bits: number[]): Uint8Array {
  const data = new Uint8Array(bits.length * 2);
  bits.forEach((b, i) => new DataView(data.buffer).setUint16(2 * i, b, true));
  return fileOf({ x: { dtype, shape: [bits.length], data_offsets: [0, data.length] } }, data);
}

Deno.test("decode: F16 bit patterns to float32, exactly (zeros, subnormals, max, inf, NaN)", async () => {
  const cases: [number, number][] = [
    [0x0000, 0],
    [0x8000, -0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24],
    [0x8001, -(2 ** -24)],
    [0x0400, 2 ** -14],
    [0x7bff, 65504],
    [0xfbff, -65504],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
    [0x7e00, NaN],
    [0x7c01, NaN],
  ];
  const { tensors } = io.decodeSafetensors(u16File("F16", cases.map(([b]) => b)));
  assert.equal(tensors.x.dtype, "float32");
  const got = [...await tensors.x.data()];
  cases.forEach(([bits, want], i) =>
    assert.ok(Object.is(got[i], want), `0x${bits.toString(16)}: ${got[i]}`)
  );
});

Deno.test("decode: BF16 bit patterns to float32 (the top half of a float32)", async () => {
  const cases: [number, number][] = [
    [0x0000, 0],
    [0x8000, -0],
    [0x3f80, 1],
    [0xc020, -2.5],
    [0x0001, 2 ** -133],
    [0x0080, 2 ** -126],
    [0x7f7f, 3.3895313892515355e38],
    [0x7f80, Infinity],
    [0xff80, -Infinity],
    [0x7fc0, NaN],
  ];
  const { tensors } = io.decodeSafetensors(u16File("BF16", cases.map(([b]) => b)));
  const got = [...await tensors.x.data()];
  cases.forEach(([bits, want], i) =>
    assert.ok(Object.is(got[i], want), `0x${bits.toString(16)}: ${got[i]}`)
  );
});

Deno.test("decode: I64 into int32 at the limits, and an error one past them", async () => {
  const ok = fileOf(
    { n: { dtype: "I64", shape: [4], data_offsets: [0, 32] } },
    i64Bytes([0n, -1n, 2147483647n, -2147483648n]),
  );
  const { tensors } = io.decodeSafetensors(ok);
  assert.equal(tensors.n.dtype, "int32");
  assert.deepEqual(await tensors.n.data(), new Int32Array([0, -1, 2147483647, -2147483648]));
  for (const bad of [2147483648n, -2147483649n, 1n << 40n]) {
    const file = fileOf(
      { "bn.num_batches_tracked": { dtype: "I64", shape: [2], data_offsets: [0, 16] } },
      i64Bytes([5n, bad]),
    );
    assert.throws(() => io.decodeSafetensors(file, { name: "ckpt.safetensors" }), {
      message: `decodeSafetensors: ckpt.safetensors: tensor "bn.num_batches_tracked" (I64): ` +
        `element 1 is ${bad}, outside the int32 range [-2147483648, 2147483647] that I64 is read into`,
    });
  }
});

Deno.test("decode: U8, I8, I16, U16 into int32; BOOL into bool; F64 stays float64", async () => {
  const data = new Uint8Array([
    255,
    0,
    0x80,
    0xff,
    0x00,
    0x80,
    0xff,
    0xff,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0xe0,
    0x3f,
  ]);
  const file = fileOf({
    u8: { dtype: "U8", shape: [2], data_offsets: [0, 2] },
    i8: { dtype: "I8", shape: [2], data_offsets: [2, 4] },
    i16: { dtype: "I16", shape: [1], data_offsets: [4, 6] },
    u16: { dtype: "U16", shape: [1], data_offsets: [6, 8] },
    b: { dtype: "BOOL", shape: [1], data_offsets: [8, 9] },
    d: { dtype: "F64", shape: [], data_offsets: [9, 17] },
  }, data);
  const { tensors: t } = io.decodeSafetensors(file);
  const read = async (x: Tensor) => [x.dtype, [...await x.data()]];
  assert.deepEqual(await read(t.u8), ["int32", [255, 0]]);
  assert.deepEqual(await read(t.i8), ["int32", [-128, -1]]);
  assert.deepEqual(await read(t.i16), ["int32", [-32768]]);
  assert.deepEqual(await read(t.u16), ["int32", [65535]]);
  assert.deepEqual(await read(t.b), ["bool", [1]]);
  assert.deepEqual(await read(t.d), ["float64", [0.5]]);
  assertClose(await t.d.data(), [0.5]);
});

Deno.test("encodeSafetensors: refuses what it cannot store", () => {
  assert.throws(() => io.encodeSafetensors({ w: tensor([1]), lr: 0.1 }), {
    message: 'encodeSafetensors: "lr" is 0.1, not a tensor or a container; safetensors holds ' +
      "only tensors (put strings in metadata)",
  });
  assert.throws(() => io.encodeSafetensors(tensor([1])), {
    message:
      "encodeSafetensors: the tree is a single tensor, which has no name; wrap it: { weight: t }",
  });
  assert.throws(() => io.encodeSafetensors({ "a.b": tensor([1]), a: { b: tensor([2]) } }), {
    message: 'encodeSafetensors: two tensors in the tree are both named "a.b"',
  });
  assert.throws(() => io.encodeSafetensors({ w: tensor([1]) }, { epoch: 3 as unknown as string }), {
    message: 'encodeSafetensors: metadata "epoch" must be a string, got number 3',
  });
  const cyclic: Record<string, unknown> = { w: tensor([1]) };
  cyclic.self = cyclic;
  assert.throws(() => io.encodeSafetensors(cyclic), {
    message: 'encodeSafetensors: the tree contains itself at "self"',
  });
});
