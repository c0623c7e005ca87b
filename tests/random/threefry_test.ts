import assert from "node:assert/strict";
import {
  foldIn,
  keyFromSeed,
  randomWords,
  splitKey,
  threefry2x32,
  uniformBits,
} from "../../src/backend/threefry.ts";

Deno.test("threefry2x32: Random123 known-answer vectors (threefry2x32_20)", () => {
  assert.deepEqual(threefry2x32(0, 0, 0, 0), [0x6b200159, 0x99ba4efe]);
  assert.deepEqual(
    threefry2x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff),
    [0x1cb996fc, 0xbb002be7],
  );
  assert.deepEqual(
    threefry2x32(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3),
    [0xc4923a9c, 0x483df7a0],
  );
});

Deno.test("threefry2x32: outputs are uint32 numbers", () => {
  for (let i = 0; i < 100; i++) {
    for (const w of threefry2x32(i, 7 * i, 3 * i, 0xffffffff - i)) {
      assert.ok(Number.isInteger(w) && w >= 0 && w <= 0xffffffff, `word ${w}`);
    }
  }
});

Deno.test("keyFromSeed: hi and lo words like JAX PRNGKey", () => {
  assert.deepEqual(keyFromSeed(0), [0, 0]);
  assert.deepEqual(keyFromSeed(42), [0, 42]);
  assert.deepEqual(keyFromSeed(0xffffffff), [0, 0xffffffff]);
  assert.deepEqual(keyFromSeed(2 ** 32), [1, 0]);
  assert.deepEqual(keyFromSeed(2 ** 32 + 7), [1, 7]);
  assert.deepEqual(keyFromSeed(2 ** 53 - 1), [0x1fffff, 0xffffffff]);
  assert.deepEqual(keyFromSeed(2 ** 53), [0x200000, 0]);
});

Deno.test("keyFromSeed: rejects negative, fractional and huge seeds", () => {
  for (const bad of [-1, 0.5, NaN, Infinity, 2 ** 54]) {
    assert.throws(() => keyFromSeed(bad), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /random\.key/);
      return true;
    });
  }
});

Deno.test("randomWords: counter layout and determinism", () => {
  const key = keyFromSeed(1234);
  const w = randomWords(key, 7);
  assert.equal(w.length, 7);
  for (let j = 0; j < 3; j++) {
    const [a, b] = threefry2x32(key[0], key[1], j, 0);
    assert.equal(w[2 * j], a);
    assert.equal(w[2 * j + 1], b);
  }
  assert.equal(w[6], threefry2x32(key[0], key[1], 3, 0)[0]);
  assert.deepEqual(randomWords(key, 7), w);
  assert.deepEqual(randomWords(key, 4), w.subarray(0, 4));
  assert.notDeepEqual(randomWords(keyFromSeed(1235), 7), w);
  assert.equal(randomWords(key, 0).length, 0);
});

Deno.test("splitKey: documented scheme, distinct children, distinct from parent", () => {
  const parent = keyFromSeed(0);
  const kids = splitKey(parent, 64);
  assert.equal(kids.length, 64);
  kids.forEach((k, i) => assert.deepEqual(k, threefry2x32(parent[0], parent[1], i, 0xffffffff)));
  const seen = new Set(kids.map((k) => `${k[0]},${k[1]}`));
  assert.equal(seen.size, 64);
  assert.ok(!seen.has(`${parent[0]},${parent[1]}`));
  // Children do not repeat the parent's bits.
  const parentWords = new Set(randomWords(parent, 256));
  for (const k of kids) assert.ok(!parentWords.has(k[0]) || !parentWords.has(k[1]));
  assert.deepEqual(splitKey(parent, 64), kids);
  assert.deepEqual(splitKey(parent, 0), []);
  assert.throws(() => splitKey(parent, -1), RangeError);
  assert.throws(() => splitKey([1, -2] as unknown as [number, number], 2), TypeError);
});

Deno.test("foldIn: documented scheme, deterministic, differs by data", () => {
  const k = keyFromSeed(9);
  assert.deepEqual(foldIn(k, 3), threefry2x32(k[0], k[1], 3, 0xfffffffe));
  assert.deepEqual(foldIn(k, 3), foldIn(k, 3));
  assert.notDeepEqual(foldIn(k, 3), foldIn(k, 4));
  assert.notDeepEqual(foldIn(k, 0), splitKey(k, 1)[0]);
  assert.deepEqual(foldIn(k, -1), foldIn(k, 0xffffffff));
});

Deno.test("uniformBits float32: exact recipe, range, mean and variance", () => {
  const key = keyFromSeed(2024);
  const n = 100_000;
  const u = new Float32Array(n);
  uniformBits(key, u);
  const w = randomWords(key, 5);
  for (let i = 0; i < 5; i++) assert.equal(u[i], (w[i] >>> 8) * 2 ** -24);
  let sum = 0;
  for (const v of u) {
    assert.ok(v >= 0 && v < 1, `value ${v} outside [0, 1)`);
    sum += v;
  }
  const mean = sum / n;
  let sq = 0;
  for (const v of u) sq += (v - mean) ** 2;
  const variance = sq / n;
  assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 0.005, `variance ${variance}`);
});

Deno.test("uniformBits float64: exact recipe, range, mean and variance", () => {
  const key = keyFromSeed(7);
  const n = 100_000;
  const u = new Float64Array(n);
  uniformBits(key, u);
  const w = randomWords(key, 6);
  for (let i = 0; i < 3; i++) {
    assert.equal(u[i], ((w[2 * i] >>> 5) * 2 ** 26 + (w[2 * i + 1] >>> 6)) * 2 ** -53);
  }
  let sum = 0;
  for (const v of u) {
    assert.ok(v >= 0 && v < 1, `value ${v} outside [0, 1)`);
    sum += v;
  }
  const mean = sum / n;
  let sq = 0;
  for (const v of u) sq += (v - mean) ** 2;
  assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(sq / n - 1 / 12) < 0.005, `variance ${sq / n}`);
});

Deno.test("uniformBits: prefix-stable across lengths and chunk boundaries", () => {
  const key = keyFromSeed(5);
  const long = new Float32Array(20_001);
  uniformBits(key, long);
  const words = randomWords(key, 20_002);
  for (let i = 0; i < long.length; i++) {
    if (long[i] !== (words[i] >>> 8) * 2 ** -24) assert.fail(`float32 element ${i}`);
  }
  const short = new Float32Array(8193);
  uniformBits(key, short);
  assert.deepEqual(short, long.subarray(0, 8193));

  const long64 = new Float64Array(10_001);
  uniformBits(key, long64);
  for (let i = 0; i < long64.length; i++) {
    const v = ((words[2 * i] >>> 5) * 2 ** 26 + (words[2 * i + 1] >>> 6)) * 2 ** -53;
    if (long64[i] !== v) assert.fail(`float64 element ${i}`);
  }
  uniformBits(key, new Float32Array(0));
});

Deno.test("uniformBits: extreme words map to 0 and to the largest value below 1", () => {
  // The recipes themselves: all-ones words give 1 - 2^-24 and 1 - 2^-53, never 1.
  assert.equal((0xffffffff >>> 8) * 2 ** -24, 1 - 2 ** -24);
  assert.equal(Math.fround((0xffffffff >>> 8) * 2 ** -24), 1 - 2 ** -24);
  assert.equal(((0xffffffff >>> 5) * 2 ** 26 + (0xffffffff >>> 6)) * 2 ** -53, 1 - 2 ** -53);
});
