/**
 * A table of corrupt safetensors files, each built by hand, each with the exact error
 * `decodeSafetensors` gives; and a check that a header claiming a huge size allocates nothing.
 */
import assert from "node:assert/strict";
import { io } from "../../mod.ts";
import { f32Bytes, fileOf } from "./st_bytes.ts";

const F = "decodeSafetensors: bad.safetensors: ";
const w = (shape: unknown, begin: number, end: number, dtype: unknown = "F32") => ({
  dtype,
  shape,
  data_offsets: [begin, end],
});
const data8 = f32Bytes([1, 2]);

const CASES: [string, Uint8Array, string][] = [
  ["empty file", new Uint8Array(0), "the file has 0 bytes, fewer than the 8-byte header length"],
  [
    "truncated below 8 bytes",
    new Uint8Array(7),
    "the file has 7 bytes, fewer than the 8-byte header length",
  ],
  [
    "header length past EOF",
    fileOf("{}", new Uint8Array(0), { length: 100n }),
    "the header length at byte 0 is 100, past the end of the file (16 bytes, so at most 8)",
  ],
  [
    "huge header length",
    fileOf("{}", new Uint8Array(0), { length: 1n << 62n }),
    "the header length at byte 0 is 4611686018427387904, above the limit of 100000000 bytes",
  ],
  [
    "header length just over the cap",
    fileOf("{}", new Uint8Array(0), { length: 100_000_001n }),
    "the header length at byte 0 is 100000001, above the limit of 100000000 bytes",
  ],
  [
    "header not UTF-8",
    (() => {
      const b = fileOf('{"a":1}');
      b[9] = 0xff;
      return b;
    })(),
    "the header (bytes 8 to 16) is not valid UTF-8",
  ],
  [
    "header not JSON",
    fileOf("{not json"),
    "the header (bytes 8 to 24) is not JSON: Expected property name or '}' in JSON at position 1 (line 1 column 2)",
  ],
  ["header an array", fileOf("[]"), "the header must be a JSON object, found an array"],
  ["header null", fileOf("null"), "the header must be a JSON object, found null"],
  ["header a number", fileOf("42"), "the header must be a JSON object, found number 42"],
  [
    "unknown dtype",
    fileOf({ w: w([2], 0, 8, "F17") }, data8),
    'tensor "w": unknown dtype "F17"',
  ],
  [
    "dtype not a string",
    fileOf({ w: w([2], 0, 8, 4) }, data8),
    'tensor "w": unknown dtype 4',
  ],
  [
    "unsupported dtype",
    fileOf({ w: w([2], 0, 8, "U32") }, data8),
    'tensor "w": dtype U32 is not supported; fluxion reads F32, F64, F16, BF16, I32, I64, I16, I8, U16, U8, BOOL',
  ],
  [
    "shape/size mismatch",
    fileOf({ w: w([3], 0, 8) }, data8),
    'tensor "w": shape [3] of F32 needs 12 bytes, but data_offsets [0, 8] hold 8',
  ],
  [
    "negative dimension",
    fileOf({ w: w([-2], 0, 8) }, data8),
    'tensor "w": shape [-2] has -2 at dimension 0; dimensions must be non-negative integers',
  ],
  [
    "non-integer dimension",
    fileOf({ w: w([1, 1.5], 0, 8) }, data8),
    'tensor "w": shape [1,1.5] has 1.5 at dimension 1; dimensions must be non-negative integers',
  ],
  [
    "shape not an array",
    fileOf({ w: w("2", 0, 8) }, data8),
    'tensor "w": shape must be an array, found the string "2"',
  ],
  [
    "entry not an object",
    fileOf({ w: 5 }, data8),
    'tensor "w": expected an object { dtype, shape, data_offsets }, found number 5',
  ],
  [
    "missing field",
    fileOf({ w: { dtype: "F32", shape: [2] } }, data8),
    'tensor "w": missing field "data_offsets"',
  ],
  [
    "unknown field",
    fileOf({ w: { ...w([2], 0, 8), strides: [1] } }, data8),
    'tensor "w": unknown field "strides" (expected data_offsets, dtype, shape)',
  ],
  [
    "offsets out of bounds",
    fileOf({ w: w([4], 0, 16) }, data8),
    'tensor "w": data_offsets [0, 16] end past the data section (8 bytes)',
  ],
  [
    "offsets reversed",
    fileOf({ w: w([0], 8, 4) }, data8),
    'tensor "w": data_offsets [8, 4] has begin > end',
  ],
  [
    "offsets malformed",
    fileOf({ w: { dtype: "F32", shape: [2], data_offsets: [0, -8] } }, data8),
    'tensor "w": data_offsets must be [begin, end] of non-negative integers, found [0,-8]',
  ],
  [
    "overlapping entries",
    fileOf({ a: w([2], 0, 8), b: w([1], 4, 8) }, data8),
    'tensor "b" (data_offsets [4, 8]) overlaps tensor "a", which ends at 8',
  ],
  [
    "two entries sharing the same bytes",
    fileOf({ a: w([2], 0, 8), b: w([2], 0, 8) }, data8),
    'tensor "b" (data_offsets [0, 8]) overlaps tensor "a", which ends at 8',
  ],
  [
    "a hole between entries",
    fileOf({ a: w([1], 0, 4), b: w([1], 8, 12) }, f32Bytes([1, 2, 3])),
    'tensor "b" starts at data offset 8, leaving a hole after tensor "a", which ends at 4',
  ],
  [
    "a hole at the start",
    fileOf({ a: w([1], 4, 8) }, data8),
    'tensor "a" starts at data offset 4, leaving a hole after the start of the data section (0)',
  ],
  [
    "trailing bytes after the last tensor",
    fileOf({ a: w([1], 0, 4) }, data8),
    "the tensors cover 4 bytes of the data section, but it has 8 (bytes 64 to 72 of the file)",
  ],
  [
    "duplicate names",
    fileOf(
      '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
      data8,
    ),
    'the header repeats the key "w" (at byte 62)',
  ],
  [
    "duplicate names spelled with escapes",
    fileOf(
      '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"\\u0077":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
      data8,
    ),
    'the header repeats the key "w" (at byte 62)',
  ],
  [
    "duplicate metadata keys",
    fileOf('{"__metadata__":{"a":"1","a":"2"}}'),
    'the header repeats the key "a" (at byte 33)',
  ],
  [
    "metadata not an object",
    fileOf({ __metadata__: ["x"] }),
    '"__metadata__" must be an object of strings, found an array',
  ],
  [
    "metadata value not a string",
    fileOf({ __metadata__: { epoch: 3 } }),
    '"__metadata__" entry "epoch" must be a string, found number 3',
  ],
  [
    "BOOL byte other than 0 or 1",
    fileOf({ m: w([2], 0, 2, "BOOL") }, new Uint8Array([1, 2])),
    'tensor "m" (BOOL): element 1 is the byte 2; a BOOL must be 0 or 1',
  ],
];

for (const [what, bytes, message] of CASES) {
  Deno.test(`corrupt safetensors: ${what}`, () => {
    assert.throws(() => io.decodeSafetensors(bytes, { name: "bad.safetensors" }), {
      message: F + message,
    });
  });
}

Deno.test("corrupt safetensors: a header that claims 2^40 elements is rejected before allocating", () => {
  const bytes = fileOf({ w: w([1 << 20, 1 << 20], 0, 8) }, data8);
  assert.throws(() => io.decodeSafetensors(bytes, { name: "bad.safetensors" }), {
    message: F + 'tensor "w": shape [1048576,1048576] of F32 needs 4398046511104 bytes, but ' +
      "data_offsets [0, 8] hold 8",
  });
});

Deno.test("decodeSafetensors: padding spaces and an unpadded header are both accepted", () => {
  const header = { w: w([2], 0, 8) };
  for (const pad of [true, false]) {
    const { tensors } = io.decodeSafetensors(fileOf(header, data8, { pad }));
    assert.deepEqual(tensors.w.shape, [2]);
  }
  assert.throws(() => io.decodeSafetensors("nope" as unknown as Uint8Array), {
    message: 'decodeSafetensors: <bytes>: expected a Uint8Array, got "nope"',
  });
});
