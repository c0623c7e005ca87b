/**
 * `erf` against tabulated values and its closed-form derivatives; the activation functions at
 * their special points; and the shape checks of the layers' `init` (every mismatch reported,
 * naming the layer) and the errors of `apply`.
 */
import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import {
  elu,
  erf,
  grad,
  nn,
  random,
  softplus,
  sum,
  type Tensor,
  tensor,
  zeros,
} from "../../mod.ts";

// erf to 16 digits (Abramowitz & Stegun table 7.1 / any CAS).
const ERF: [number, number][] = [
  [0, 0],
  [0.01, 0.011283415555849618],
  [0.1, 0.1124629160182849],
  [0.3, 0.3286267594591112],
  [0.5, 0.5204998778130465],
  [0.7, 0.6778011938374184],
  [1, 0.8427007929497149],
  [1.5, 0.9661051464753108],
  [2, 0.9953222650189527],
  [3, 0.9999779095030014],
  [5, 0.9999999999984626],
];

Deno.test("erf: tabulated values (float64 input) to 2e-7, odd symmetry", () => {
  const xs = ERF.flatMap(([x]) => [x, -x]);
  const want = ERF.flatMap(([, v]) => [v, -v]);
  const got = erf(tensor(Float64Array.from(xs))).dataSync();
  assertClose(got, want, { rtol: 2e-7, atol: 1e-9 });
  assert.equal(erf(tensor([1, 2], { dtype: "int32" })).dtype, "float32");
});

Deno.test("erf: gradient 2/√π exp(-x²) and second derivative -2x of it", () => {
  const xs = [-2, -0.7, -0.2, 0, 0.3, 0.5, 1.2, 3];
  const x = tensor(Float64Array.from(xs));
  const d1 = (v: number) => (2 / Math.sqrt(Math.PI)) * Math.exp(-v * v);
  const g = grad((t: Tensor) => sum(erf(t)))(x).dataSync();
  assertClose(g, xs.map(d1), { rtol: 1e-12, atol: 1e-15 });
  const g2 = grad((t: Tensor) => sum(grad((u: Tensor) => sum(erf(u)))(t)))(x).dataSync();
  assertClose(g2, xs.map((v) => -2 * v * d1(v)), { rtol: 1e-12, atol: 1e-15 });
});

Deno.test("elu and softplus: PyTorch's gradients at the switch points, finite everywhere", () => {
  const ge = grad((t: Tensor) => sum(elu(t, 2)))(tensor([-1000, 0, 1e-3, 1000])).dataSync();
  assertClose(ge, [0, 2, 1, 1]);
  const gs = grad((t: Tensor) => sum(softplus(t, 1, 20)))(tensor([-1000, 0, 20, 20.5, 1000]))
    .dataSync();
  // At x*beta == threshold PyTorch still uses the smooth branch: sigmoid(20).
  assertClose(gs, [0, 0.5, 1 / (1 + Math.exp(-20)), 1, 1]);
});

Deno.test("init reports every shape mismatch with the layer's name", () => {
  const conv = nn.conv2d(3, 8, 5);
  assert.throws(() => conv.init(random.key(0), [2, 4, 3, 3]), (e: unknown) => {
    assert.ok(e instanceof nn.ShapeError);
    assert.equal(e.problems.length, 2, e.message);
    assert.match(
      e.problems[0],
      /^Conv2d\(3, 8, kernel_size=\(5, 5\).*expects 3 input channels, got 4/,
    );
    assert.match(e.problems[1], /smaller than the dilated kernel/);
    return true;
  });
  assert.throws(() => conv.init(random.key(0), [3, 32, 32]), /expects input \[N, 3, H, W\]/);
  assert.throws(
    () => nn.maxPool2d(3, { padding: 2 }).init(random.key(0), [1, 1, 8, 8]),
    /at most half/,
  );
  assert.throws(() => nn.avgPool2d(4).init(random.key(0), [1, 1, 3, 8]), /AvgPool2d.*smaller than/);
  assert.throws(() => nn.adaptiveAvgPool2d(2).init(random.key(0), [4, 4]), /AdaptiveAvgPool2d/);
  assert.throws(() => nn.softmax(2).init(random.key(0), [4, 4]), /Softmax\(dim=2\): dim 2/);
  assert.throws(
    () => nn.batchNorm2d(4).init(random.key(0), [2, 3, 5]),
    /BatchNorm2d\(4.*\[N, C, H, W\]/,
  );
  assert.throws(() => nn.batchNorm1d(4).init(random.key(0), [2, 3]), /expects 4 features.*got 3/);
  assert.throws(() => nn.layerNorm([3, 4]).init(random.key(0), [2, 4, 3]), /LayerNorm\(\(3, 4\)/);
  assert.throws(() => nn.conv2d(3, 8, 3, { groups: 2 }), /divisible by groups 2/);
  assert.throws(() => nn.embedding(5, 2, { paddingIdx: 5 }), /paddingIdx/);
});

Deno.test("a bad layer inside sequential is reported with its path", () => {
  const net = nn.sequential({ conv1: nn.conv2d(1, 4, 3), conv2: nn.conv2d(8, 4, 3) });
  assert.throws(() => net.init(random.key(0), [1, 1, 10, 10]), (e: unknown) => {
    assert.ok(e instanceof nn.ShapeError);
    assert.deepEqual(e.paths, [["conv2"]]);
    assert.match(e.problems[0], /^conv2: Conv2d\(8, 4.*expects 8 input channels, got 4/);
    return true;
  });
});

Deno.test("apply errors name the layer", () => {
  const bn = nn.batchNorm1d(3);
  const { params } = bn.init(random.key(0), [4, 3]);
  assert.throws(() => bn.apply(params, zeros([4, 3])), /BatchNorm1d\(3.*running statistics/);
  assert.throws(
    () => bn.apply(params, zeros([1, 3]), { training: true }),
    /more than 1 value per channel/,
  );
  const emb = nn.embedding(4, 2);
  const p = emb.init(random.key(0), [3]).params;
  assert.throws(() => emb.apply(p, tensor([0, 1, 2])), /Embedding\(4, 2\): indices must be int32/);
  assert.throws(() => nn.conv2d(3, 2, 3).apply({}, zeros([1, 3, 5, 5])), /parameter "weight"/);
});
