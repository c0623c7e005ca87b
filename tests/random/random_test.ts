import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import { random, type Tensor } from "../../mod.ts";

const N = 100_000;

function moments(t: Tensor): { mean: number; variance: number; min: number; max: number } {
  const d = t.dataSync();
  let s = 0, lo = Infinity, hi = -Infinity;
  for (const v of d) {
    s += v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const mean = s / d.length;
  let ss = 0;
  for (const v of d) ss += (v - mean) ** 2;
  return { mean, variance: ss / d.length, min: lo, max: hi };
}

const same = (a: Tensor, b: Tensor) => assert.deepEqual(a.dataSync(), b.dataSync());
const differ = (a: Tensor, b: Tensor) => assert.notDeepEqual(a.dataSync(), b.dataSync());

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

Deno.test("random.key: seeds map to the two words (JAX's PRNGKey layout)", () => {
  assert.deepEqual(random.key(0).words, [0, 0]);
  assert.deepEqual(random.key(42).words, [0, 42]);
  assert.deepEqual(random.key(2 ** 32 + 5).words, [1, 5]);
  assert.equal(random.key(0).toString(), "Key(0x00000000, 0x00000000)");
  assert.equal(random.key(255).toString(), "Key(0x00000000, 0x000000ff)");
  assert.ok(Object.isFrozen(random.key(1).words));
});

Deno.test("random.split: deterministic, distinct children, any count", () => {
  const k = random.key(7);
  const a = random.split(k);
  const b = random.split(random.key(7));
  assert.equal(a.length, 2);
  assert.deepEqual(a.map((x) => x.words), b.map((x) => x.words));
  assert.notDeepEqual(a[0].words, a[1].words);
  assert.notDeepEqual(a[0].words, k.words);
  assert.notDeepEqual(a[1].words, k.words);
  const many = random.split(k, 50);
  assert.equal(many.length, 50);
  assert.equal(new Set(many.map((x) => x.toString())).size, 50);
  // The first children of a 2-way and a 50-way split agree (child i depends only on i).
  assert.deepEqual(many[0].words, a[0].words);
  assert.deepEqual(many[1].words, a[1].words);
  assert.deepEqual(random.split(k, 0), []);
  // Different parents give different children.
  assert.notDeepEqual(random.split(random.key(8))[0].words, a[0].words);
  // Splitting does not change the parent key.
  assert.deepEqual(k.words, random.key(7).words);
});

Deno.test("random.foldIn: deterministic, distinct per data and from split", () => {
  const k = random.key(3);
  assert.deepEqual(random.foldIn(k, 5).words, random.foldIn(random.key(3), 5).words);
  const folded = Array.from({ length: 20 }, (_, i) => random.foldIn(k, i).toString());
  assert.equal(new Set(folded).size, 20);
  assert.ok(!folded.includes(k.toString()));
  const children = random.split(k, 20).map((c) => c.toString());
  assert.ok(folded.every((f) => !children.includes(f)));
  assert.notDeepEqual(random.foldIn(random.key(4), 5).words, random.foldIn(k, 5).words);
});

// ---------------------------------------------------------------------------------------------
// uniform
// ---------------------------------------------------------------------------------------------

Deno.test("random.uniform: shape, dtype, range, mean 1/2 and variance 1/12", () => {
  const u = random.uniform(random.key(0), [N]);
  assert.deepEqual(u.shape, [N]);
  assert.equal(u.dtype, "float32");
  const m = moments(u);
  assert.ok(m.min >= 0 && m.max < 1, `range [${m.min}, ${m.max}]`);
  assert.ok(m.min < 1e-3 && m.max > 1 - 1e-3);
  // Standard errors: 0.0009 for the mean, 0.0003 for the variance.
  assertClose(m.mean, 1 / 2, { atol: 0.005, rtol: 0 });
  assertClose(m.variance, 1 / 12, { atol: 0.002, rtol: 0 });
  // Uniform deciles: each holds about a tenth (standard error 0.001).
  const counts = new Array(10).fill(0);
  for (const v of u.dataSync()) counts[Math.floor(v * 10)]++;
  for (const c of counts) assertClose(c / N, 0.1, { atol: 0.005, rtol: 0 });
});

Deno.test("random.uniform: minval/maxval scale to mean (a+b)/2 and variance (b-a)^2/12", () => {
  const [a, b] = [-2, 3];
  const u = random.uniform(random.key(1), [N / 10, 10], { minval: a, maxval: b });
  assert.deepEqual(u.shape, [N / 10, 10]);
  const m = moments(u);
  assert.ok(m.min >= a && m.max < b, `range [${m.min}, ${m.max}]`);
  assertClose(m.mean, (a + b) / 2, { atol: 0.03, rtol: 0 });
  assertClose(m.variance, (b - a) ** 2 / 12, { atol: 0.03, rtol: 0 });
  // Scaling is exactly affine in the base draw.
  const base = random.uniform(random.key(1), [N / 10, 10]).dataSync();
  const scaled = u.dataSync();
  for (let i = 0; i < 100; i++) assertClose(scaled[i], a + (b - a) * base[i], { rtol: 1e-6 });
});

Deno.test("random.uniform: float64 path uses 53 random bits", () => {
  const u = random.uniform(random.key(2), [N], { dtype: "float64" });
  assert.equal(u.dtype, "float64");
  const m = moments(u);
  assert.ok(m.min >= 0 && m.max < 1);
  assertClose(m.mean, 1 / 2, { atol: 0.005, rtol: 0 });
  assertClose(m.variance, 1 / 12, { atol: 0.002, rtol: 0 });
  // float32 draws are multiples of 2^-24; float64 ones mostly are not.
  const d = u.dataSync();
  let fine = 0;
  for (let i = 0; i < 1000; i++) if (!Number.isInteger(d[i] * 2 ** 24)) fine++;
  assert.ok(fine > 990, `${fine} of 1000 float64 draws use more than 24 bits`);
  const f = random.uniform(random.key(2), [1000]).dataSync();
  assert.ok(f.every((v) => Number.isInteger(v * 2 ** 24)));
});

Deno.test("random.uniform: same key same numbers, different keys different numbers", () => {
  const k = random.key(5);
  same(random.uniform(k, [64]), random.uniform(k, [64]));
  const [k1, k2] = random.split(k);
  differ(random.uniform(k1, [64]), random.uniform(k2, [64]));
  differ(random.uniform(k, [64]), random.uniform(k1, [64]));
  // A prefix of a longer draw equals the shorter draw (the word stream is indexed by element).
  assert.deepEqual(
    random.uniform(k, [100]).dataSync().slice(0, 10),
    random.uniform(k, [10]).dataSync(),
  );
  // Shape does not change the stream, only its layout.
  assert.deepEqual(random.uniform(k, [4, 5]).dataSync(), random.uniform(k, [20]).dataSync());
  assert.deepEqual(random.uniform(k, [0]).shape, [0]);
  assert.deepEqual(random.uniform(k, []).shape, []);
});

Deno.test("random.uniform: draws from split keys are uncorrelated", () => {
  const [k1, k2] = random.split(random.key(11));
  const a = random.uniform(k1, [N]).dataSync();
  const b = random.uniform(k2, [N]).dataSync();
  let s = 0;
  for (let i = 0; i < N; i++) s += (a[i] - 0.5) * (b[i] - 0.5);
  const corr = s / N / (1 / 12);
  assert.ok(Math.abs(corr) < 0.015, `correlation ${corr}`); // standard error 0.003
  // Successive elements of one draw are uncorrelated too.
  let t = 0;
  for (let i = 1; i < N; i++) t += (a[i] - 0.5) * (a[i - 1] - 0.5);
  assert.ok(Math.abs(t / (N - 1) / (1 / 12)) < 0.015);
});

// ---------------------------------------------------------------------------------------------
// normal
// ---------------------------------------------------------------------------------------------

Deno.test("random.normal: mean 0, std 1, the 68-95 rule, on 100k samples", () => {
  const z = random.normal(random.key(0), [N]);
  assert.equal(z.dtype, "float32");
  const m = moments(z);
  assert.ok(z.dataSync().every(Number.isFinite));
  // Standard errors: 0.003 for the mean, 0.0045 for the variance.
  assertClose(m.mean, 0, { atol: 0.015, rtol: 0 });
  assertClose(Math.sqrt(m.variance), 1, { atol: 0.015, rtol: 0 });
  const d = z.dataSync();
  const within = (s: number) => d.filter((v) => Math.abs(v) < s).length / N;
  assertClose(within(1), 0.6827, { atol: 0.01, rtol: 0 });
  assertClose(within(2), 0.9545, { atol: 0.005, rtol: 0 });
  // Symmetric: about half are negative.
  assertClose(d.filter((v) => v < 0).length / N, 0.5, { atol: 0.01, rtol: 0 });
  // Tails exist but are not absurd.
  assert.ok(m.max > 3 && m.max < 7 && m.min < -3 && m.min > -7, `[${m.min}, ${m.max}]`);
});

Deno.test("random.normal: float64 path, mean/std options, determinism", () => {
  const z = random.normal(random.key(1), [N], { dtype: "float64" });
  assert.equal(z.dtype, "float64");
  const m = moments(z);
  assertClose(m.mean, 0, { atol: 0.015, rtol: 0 });
  assertClose(Math.sqrt(m.variance), 1, { atol: 0.015, rtol: 0 });
  const s = random.normal(random.key(1), [N], { mean: 3, std: 0.5 });
  const ms = moments(s);
  assertClose(ms.mean, 3, { atol: 0.01, rtol: 0 });
  assertClose(Math.sqrt(ms.variance), 0.5, { atol: 0.01, rtol: 0 });
  const k = random.key(9);
  same(random.normal(k, [3, 3]), random.normal(k, [3, 3]));
  differ(random.normal(k, [9]), random.normal(random.foldIn(k, 1), [9]));
  assert.deepEqual(random.normal(k, [2, 0]).shape, [2, 0]);
});

// ---------------------------------------------------------------------------------------------
// bernoulli, permutation
// ---------------------------------------------------------------------------------------------

Deno.test("random.bernoulli: bool samples true with frequency p", () => {
  for (const p of [0.1, 0.3, 0.5, 0.9]) {
    const b = random.bernoulli(random.key(Math.round(p * 10)), p, [N]);
    assert.equal(b.dtype, "bool");
    assert.deepEqual(b.shape, [N]);
    const d = b.dataSync();
    assert.ok(d.every((v) => v === 0 || v === 1));
    let trues = 0;
    for (const v of d) trues += v;
    const freq = trues / N;
    assertClose(freq, p, { atol: 0.008, rtol: 0, msg: `p = ${p}` }); // standard error <= 0.0016
  }
  assert.ok(random.bernoulli(random.key(1), 0, [1000]).dataSync().every((v) => v === 0));
  assert.ok(random.bernoulli(random.key(1), 1, [1000]).dataSync().every((v) => v === 1));
  const k = random.key(4);
  same(random.bernoulli(k, 0.5, [2, 8]), random.bernoulli(k, 0.5, [2, 8]));
  assert.deepEqual(random.bernoulli(k, 0.5, [2, 8]).shape, [2, 8]);
});

Deno.test("random.permutation: a permutation of 0..n-1, deterministic per key", () => {
  const n = 1000;
  const p = random.permutation(random.key(0), n);
  assert.equal(p.dtype, "int32");
  assert.deepEqual(p.shape, [n]);
  const sorted = [...p.dataSync()].sort((a, b) => a - b);
  assert.deepEqual(sorted, Array.from({ length: n }, (_, i) => i));
  same(random.permutation(random.key(0), n), p);
  differ(random.permutation(random.key(1), n), p);
  // Not the identity, and not nearly sorted: about n/2 elements end up on each side of their
  // position, and few stay where they were (expected 1).
  const d = p.dataSync();
  const fixed = d.filter((v, i) => v === i).length;
  assert.ok(fixed < 10, `${fixed} fixed points`);
  const above = d.filter((v, i) => v > i).length;
  assert.ok(above > 400 && above < 600, `${above} moved up`);
  assert.deepEqual(random.permutation(random.key(0), 0).shape, [0]);
  assert.deepEqual([...random.permutation(random.key(0), 1).dataSync()], [0]);
  // Every ordering of 3 elements shows up across keys.
  const seen = new Set<string>();
  for (let s = 0; s < 200; s++) {
    seen.add([...random.permutation(random.key(s), 3).dataSync()].join());
  }
  assert.equal(seen.size, 6);
});

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

Deno.test("random: errors for bad keys, seeds, probabilities, dtypes and sizes", () => {
  // deno-lint-ignore no-explicit-any
  const bad = (v: unknown) => v as any;
  const k = random.key(0);
  assert.throws(() => random.split(bad("key")), {
    name: "TypeError",
    message: /random\.split: expected a Key from random\.key\(seed\) or random\.split, got string/,
  });
  assert.throws(() => random.uniform(bad([0, 0]), [2]), /random\.uniform: expected a Key/);
  assert.throws(() => random.normal(bad(42), [2]), /random\.normal: expected a Key/);
  assert.throws(() => random.foldIn(bad({ words: [0, 0] }), 1), /random\.foldIn: expected a Key/);
  assert.throws(() => random.permutation(bad(null), 3), /random\.permutation: expected a Key/);
  assert.throws(() => random.bernoulli(bad(undefined), 0.5, [2]), /expected a Key/);
  assert.throws(() => random.key(-1), RangeError);
  assert.throws(() => random.key(1.5), RangeError);
  assert.throws(() => random.key(2 ** 54), RangeError);
  assert.throws(() => random.split(k, -1), /random\.split: n must be an integer/);
  assert.throws(() => random.foldIn(k, 0.5), /random\.foldIn: data must be an integer/);
  for (const p of [1.5, -0.1, NaN]) {
    assert.throws(() => random.bernoulli(k, p, [2]), {
      name: "RangeError",
      message: `random.bernoulli: p must be a probability in [0, 1], got ${p}`,
    });
  }
  assert.throws(() => random.uniform(k, [2], { dtype: "int32" }), {
    name: "TypeError",
    message: "random.uniform: dtype must be float32 or float64, got int32",
  });
  assert.throws(
    () => random.normal(k, [2], { dtype: "bool" }),
    /dtype must be float32 or float64, got bool/,
  );
  assert.throws(
    () => random.uniform(k, [2], { dtype: bad("float16") }),
    /random\.uniform: unknown dtype "float16"/,
  );
  assert.throws(
    () => random.uniform(k, [-1]),
    /random\.uniform: a shape must be an array of non-negative integers/,
  );
  assert.throws(
    () => random.permutation(k, -1),
    /random\.permutation: n must be a non-negative integer, got -1/,
  );
  assert.throws(
    () => random.permutation(k, 2.5),
    /random\.permutation: n must be a non-negative integer/,
  );
});

Deno.test("random.randint: int32 values in [low, high), all of them, with the uniform mean", () => {
  const x = random.randint(random.key(11), [20000], -3, 7);
  assert.equal(x.dtype, "int32");
  const v = [...x.dataSync()];
  assert.ok(v.every((n) => n >= -3 && n < 7));
  assert.deepEqual([...new Set(v)].sort((a, b) => a - b), [-3, -2, -1, 0, 1, 2, 3, 4, 5, 6]);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  // Uniform on -3..6: mean 1.5, variance (10^2 - 1) / 12; five standard errors.
  assert.ok(Math.abs(mean - 1.5) < 5 * Math.sqrt(99 / 12 / v.length), `mean ${mean}`);
  assert.deepEqual(
    [...random.randint(random.key(11), [5], 0, 100).dataSync()],
    [...random.randint(random.key(11), [5], 0, 100).dataSync()],
  );
  assert.throws(
    () => random.randint(random.key(0), [2], 5, 5),
    /random\.randint: needs integers low < high/,
  );
});
