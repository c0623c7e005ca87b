/**
 * Dropout by closed form and statistics (its random bits differ from PyTorch's by design): the
 * fraction of zeros is p within 5 standard errors, kept units are scaled by exactly 1/(1-p),
 * evaluation is the identity, the same key gives the same mask, the gradient is the mask times
 * 1/(1-p), and dropout2d zeroes whole channels.
 */
import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import { grad, mul, nn, ones, random, sum, type Tensor, tensor } from "../../mod.ts";
import { rng } from "../test_rng.ts";

const X = (() => {
  const r = rng(11);
  return tensor(Float32Array.from({ length: 200 * 100 }, () => 1 + Math.abs(r())), {
    shape: [200, 100],
  });
})();

for (const p of [0.1, 0.25, 0.5, 0.9]) {
  Deno.test(`dropout(${p}): zero fraction ≈ p and kept units scaled by 1/(1-p)`, () => {
    const y = nn.dropout(p).apply({}, X, { training: true, key: random.key(3) }).dataSync();
    const x = X.dataSync();
    let zeros = 0;
    for (let i = 0; i < x.length; i++) {
      if (y[i] === 0) zeros++;
      else assertClose(y[i], x[i] / (1 - p), { rtol: 1e-6, atol: 0 });
    }
    const n = x.length;
    const se = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs(zeros / n - p) < 5 * se, `zero fraction ${zeros / n} vs p ${p}`);
  });
}

Deno.test("dropout: evaluation, p = 0 and p = 1", () => {
  const d = nn.dropout(0.5);
  assert.deepEqual(d.apply({}, X).dataSync(), X.dataSync());
  assert.deepEqual(
    d.apply({}, X, { training: false, key: random.key(0) }).dataSync(),
    X.dataSync(),
  );
  const y0 = nn.dropout(0).apply({}, X, { training: true });
  assert.deepEqual(y0.dataSync(), X.dataSync());
  const y1 = nn.dropout(1).apply({}, X, { training: true }).dataSync();
  assert.ok(y1.every((v) => v === 0));
});

Deno.test("dropout: same key, same mask; another key, another mask", () => {
  const d = nn.dropout(0.5);
  const a = d.apply({}, X, { training: true, key: random.key(5) }).dataSync();
  const b = d.apply({}, X, { training: true, key: random.key(5) }).dataSync();
  const c = d.apply({}, X, { training: true, key: random.key(6) }).dataSync();
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

Deno.test("dropout: the gradient is the mask scaled by 1/(1-p)", () => {
  const p = 0.3;
  const ctx = { training: true, key: random.key(9) };
  const y = nn.dropout(p).apply({}, X, ctx).dataSync();
  const g = grad((x: Tensor) => sum(nn.dropout(p).apply({}, x, ctx)))(X).dataSync();
  for (let i = 0; i < y.length; i++) {
    assertClose(g[i], y[i] === 0 ? 0 : 1 / (1 - p), { rtol: 1e-6, atol: 0 });
  }
});

Deno.test("dropout: training without a key is an error naming the layer", () => {
  assert.throws(
    () => nn.dropout(0.25).apply({}, X, { training: true }),
    /Dropout\(p=0\.25\).*key/,
  );
  assert.throws(() => nn.dropout(1.5), /dropout: p must be a probability/);
});

Deno.test("dropout in sequential: each child gets its own key", () => {
  const net = nn.sequential({ a: nn.dropout(0.5), b: nn.dropout(0.5) });
  const ctx = { training: true, key: random.key(1) };
  const y = net.apply({}, ones([1, 4000]), ctx).dataSync();
  const kept = y.filter((v) => v !== 0).length / y.length;
  // Independent masks keep a quarter (the same mask twice would keep a half), each kept unit x4.
  assert.ok(Math.abs(kept - 0.25) < 0.04, `kept ${kept}`);
  assert.ok(y.every((v) => v === 0 || Math.abs(v - 4) < 1e-6));
});

Deno.test("dropout2d: whole channels are zeroed, the rest scaled", () => {
  const p = 0.5;
  const x = ones([8, 50, 3, 4]);
  const y = nn.dropout2d(p).apply({}, mul(x, 3), { training: true, key: random.key(2) })
    .dataSync();
  let dropped = 0;
  for (let ch = 0; ch < 8 * 50; ch++) {
    const vals = new Set(Array.from(y.subarray(ch * 12, ch * 12 + 12)));
    assert.equal(vals.size, 1, `channel ${ch} is not uniform`);
    const v = [...vals][0];
    assert.ok(v === 0 || Math.abs(v - 6) < 1e-6);
    if (v === 0) dropped++;
  }
  const se = Math.sqrt((p * (1 - p)) / 400);
  assert.ok(Math.abs(dropped / 400 - p) < 5 * se, `dropped ${dropped / 400}`);
  // Unbatched [C, H, W] works too; evaluation is the identity.
  assert.deepEqual(
    nn.dropout2d(p).apply({}, ones([4, 2, 2]), { training: true, key: random.key(0) }).shape,
    [4, 2, 2],
  );
  assert.deepEqual(nn.dropout2d(p).apply({}, x).dataSync(), x.dataSync());
  assert.throws(() => nn.dropout2d(p).init(random.key(0), [4, 5]), /Dropout2d\(p=0\.5\)/);
});
