import assert from "node:assert/strict";
import { data } from "../../mod.ts";
import { type BuildDType, gzip, idxBytes } from "./idx_build.ts";

Deno.test("readIdx round-trips every IDX element type", () => {
  const cases: [BuildDType, number[], number[]][] = [
    ["uint8", [2, 3], [0, 1, 2, 128, 254, 255]],
    ["int8", [4], [-128, -1, 0, 127]],
    ["int16", [2, 2], [-32768, -2, 300, 32767]],
    ["int32", [3], [-2147483648, 123456789, 2147483647]],
    ["float32", [1, 1, 3], [0.5, -1.25, 2 ** 100]],
    ["float64", [2], [Math.PI, -1e-300]],
  ];
  for (const [dtype, shape, values] of cases) {
    const a = data.readIdx(idxBytes(dtype, shape, values), { name: dtype });
    assert.equal(a.dtype, dtype);
    assert.deepEqual(a.shape, shape);
    assert.deepEqual(Array.from(a.data), values);
  }
  const empty = data.readIdx(idxBytes("uint8", [0, 28, 28], []));
  assert.deepEqual(empty.shape, [0, 28, 28]);
  assert.equal(empty.data.length, 0);
});

Deno.test("readIdx copies: the result does not alias the input bytes", () => {
  const bytes = idxBytes("uint8", [2], [7, 9]);
  const a = data.readIdx(bytes);
  bytes[8] = 0;
  assert.deepEqual(Array.from(a.data), [7, 9]);
});

const N = "f.idx";
const corrupt: [string, Uint8Array, string][] = [
  [
    "truncated magic",
    new Uint8Array([0, 0, 8]),
    `readIdx: ${N}: truncated header: the magic number needs 4 bytes at byte 0, found 3`,
  ],
  [
    "wrong magic",
    new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0]),
    `readIdx: ${N}: bad magic at byte 0: expected 00 00 <type> <ndims>, found 50 4b 03 04`,
  ],
  [
    "gzip given to readIdx",
    new Uint8Array([0x1f, 0x8b, 8, 0]),
    `readIdx: ${N}: bad magic at byte 0: found 1f 8b, the start of gzip data; use ` +
    "data.readIdxFile or data.gunzipIdx to inflate it first",
  ],
  [
    "bad type code",
    new Uint8Array([0, 0, 7, 1, 0, 0, 0, 0]),
    `readIdx: ${N}: unknown type code 0x07 at byte 2: expected one of 0x08 (uint8), ` +
    "0x09 (int8), 0x0b (int16), 0x0c (int32), 0x0d (float32), 0x0e (float64)",
  ],
  [
    "zero dimensions",
    new Uint8Array([0, 0, 8, 0]),
    `readIdx: ${N}: bad number of dimensions at byte 3: expected 1..8, found 0`,
  ],
  [
    "truncated dimensions",
    new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1, 0, 0]),
    `readIdx: ${N}: truncated header: 3 dimensions need a 16-byte header, found 10 bytes`,
  ],
  [
    "payload too short",
    idxBytes("uint8", [2, 3], [1, 2, 3, 4, 5, 6]).subarray(0, 14),
    `readIdx: ${N}: header says 2x3 = 6 bytes of uint8 but 2 remain after the 12-byte header`,
  ],
  [
    "trailing bytes",
    new Uint8Array([...idxBytes("uint8", [2], [1, 2]), 9, 9]),
    `readIdx: ${N}: header says 2 = 2 bytes of uint8 but 4 remain after the 8-byte header`,
  ],
  [
    "multi-byte payload short by one byte",
    idxBytes("int32", [2], [1, 2]).subarray(0, 15),
    `readIdx: ${N}: header says 2 = 2 int32 values (8 bytes) but 7 remain after the 8-byte header`,
  ],
  [
    "header claims gigabytes",
    idxBytes("float64", [0xffffffff, 0xffffffff, 60000, 28], []),
    `readIdx: ${N}: header says 4294967295x4294967295x60000x28 = ` +
    `${0xffffffffn * 0xffffffffn * 60000n * 28n} float64 values ` +
    `(${0xffffffffn * 0xffffffffn * 60000n * 28n * 8n} bytes) but 0 remain after the ` +
    "20-byte header",
  ],
  [
    "MNIST header with a 1000-byte payload",
    new Uint8Array([...idxBytes("uint8", [60000, 28, 28], []), ...new Uint8Array(1000)]),
    `readIdx: ${N}: header says 60000x28x28 = 47040000 bytes of uint8 but 1000 remain after ` +
    "the 16-byte header",
  ],
];

for (const [what, bytes, message] of corrupt) {
  // The header is checked against the payload before anything is allocated from its claims, so
  // even the "gigabytes" header fails with its own message rather than an allocation error.
  Deno.test(`readIdx rejects a corrupt file: ${what}`, () => {
    assert.throws(() => data.readIdx(bytes, { name: N }), { message });
  });
}

Deno.test("gunzipIdx and readIdxFile inflate gzipped IDX (CompressionStream round trip)", async () => {
  const values = Array.from({ length: 3 * 5 * 7 }, (_, i) => (i * 13) % 256);
  const raw = idxBytes("uint8", [3, 5, 7], values);
  const gz = await gzip(raw);
  assert.deepEqual(await data.gunzipIdx(gz), raw);
  assert.equal(await data.gunzipIdx(raw), raw, "non-gzip bytes pass through");
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/a.gz`, gz);
    await Deno.writeFile(`${dir}/a`, raw);
    for (const path of [`${dir}/a.gz`, `${dir}/a`]) {
      const a = await data.readIdxFile(path);
      assert.deepEqual(a.shape, [3, 5, 7]);
      assert.deepEqual(Array.from(a.data), values);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gunzipIdx stops at the size the header declares, or at maxBytes", async () => {
  // Header says 2 bytes, but 100000 follow: refused once inflation passes 10 bytes.
  const long = new Uint8Array([...idxBytes("uint8", [2], [1, 2]), ...new Uint8Array(100000)]);
  await assert.rejects(data.gunzipIdx(await gzip(long), { name: "x.gz" }), {
    message: "gunzipIdx: x.gz: inflates past the 10 bytes its header declares " +
      "(2 = 2 bytes of uint8 after the 8-byte header): trailing data",
  });
  // A header claiming ~74 exabytes is refused as soon as the header is inflated.
  const huge = idxBytes("uint8", [0xffffffff, 0xffffffff], []);
  await assert.rejects(data.gunzipIdx(await gzip(huge), { name: "h.gz" }), {
    message: "gunzipIdx: h.gz: header says 4294967295x4294967295 = 18446744065119617025 bytes " +
      "of uint8, more than the 2147483648-byte limit (maxBytes)",
  });
  await assert.rejects(
    data.gunzipIdx(await gzip(idxBytes("uint8", [100], new Uint8Array(100))), {
      name: "m.gz",
      maxBytes: 50,
    }),
    { message: /^gunzipIdx: m\.gz: header says 100 = 100 bytes of uint8, more than the 50-byte/ },
  );
  // A bad header inside the gzip stream is reported with the inflated offsets.
  await assert.rejects(data.gunzipIdx(await gzip(new Uint8Array([0, 0, 7, 1])), { name: "t.gz" }), {
    message: /^gunzipIdx: t\.gz \(inflated\): unknown type code 0x07 at byte 2/,
  });
});

Deno.test("readIdxFile names the path for corrupt gzip, short payloads and missing files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const gz = await gzip(idxBytes("uint8", [4], [1, 2, 3, 4]));
    await Deno.writeFile(`${dir}/cut.gz`, gz.subarray(0, gz.length - 6));
    await assert.rejects(data.readIdxFile(`${dir}/cut.gz`), {
      message: new RegExp(`^gunzipIdx: ${dir}/cut\\.gz: the gzip data is corrupt or truncated`),
    });
    await Deno.writeFile(`${dir}/short.gz`, await gzip(idxBytes("uint8", [4], [1, 2])));
    await assert.rejects(data.readIdxFile(`${dir}/short.gz`), {
      message: `readIdx: ${dir}/short.gz: header says 4 = 4 bytes of uint8 but 2 remain after ` +
        "the 8-byte header",
    });
    await assert.rejects(data.readIdxFile(`${dir}/nope`), {
      message: new RegExp(`^readIdxFile: ${dir}/nope: cannot read the file: `),
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
