/**
 * Initializers by closed form: PyTorch's gains and fans, bounds of the uniform initializers and
 * moments of large samples (mean within 5 standard errors, variance within 5%), and the default
 * initialization of each layer (conv ±1/√fanIn, embedding N(0, 1) with a zero padding row, norm
 * layers ones and zeros).
 */
import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import { nn, random, type Tensor } from "../../mod.ts";

function moments(t: Tensor): { mean: number; variance: number; min: number; max: number } {
  const d = t.dataSync();
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of d) {
    s += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = s / d.length;
  let q = 0;
  for (const v of d) q += (v - mean) ** 2;
  return { mean, variance: q / d.length, min, max };
}

/** Checks a sample's mean and variance against the distribution's. */
function checkMoments(t: Tensor, mean: number, variance: number, label: string) {
  const m = moments(t);
  const n = t.size;
  assert.ok(Math.abs(m.mean - mean) < 5 * Math.sqrt(variance / n), `${label}: mean ${m.mean}`);
  assert.ok(Math.abs(m.variance / variance - 1) < 0.05, `${label}: variance ${m.variance}`);
}

/** Checks U(-b, b): bounds, and the moments 0 and b²/3. */
function checkUniform(t: Tensor, b: number, label: string) {
  const m = moments(t);
  assert.ok(m.min >= -b && m.max <= b, `${label}: range [${m.min}, ${m.max}] outside ±${b}`);
  assert.ok(m.max > 0.99 * b && m.min < -0.99 * b, `${label}: range does not reach ±${b}`);
  checkMoments(t, 0, (b * b) / 3, label);
}

Deno.test("init.calculateGain and calculateFanInAndFanOut as PyTorch", () => {
  assert.equal(nn.init.calculateGain("linear"), 1);
  assert.equal(nn.init.calculateGain("conv2d"), 1);
  assert.equal(nn.init.calculateGain("sigmoid"), 1);
  assert.equal(nn.init.calculateGain("tanh"), 5 / 3);
  assert.equal(nn.init.calculateGain("relu"), Math.SQRT2);
  assert.equal(nn.init.calculateGain("selu"), 0.75);
  assertClose(nn.init.calculateGain("leaky_relu"), Math.sqrt(2 / (1 + 1e-4)));
  assertClose(nn.init.calculateGain("leaky_relu", Math.sqrt(5)), Math.sqrt(1 / 3));
  assert.throws(() => nn.init.calculateGain("swish" as "relu"), /unsupported nonlinearity/);
  assert.deepEqual(nn.init.calculateFanInAndFanOut([64, 32, 3, 3]), [288, 576]);
  assert.deepEqual(nn.init.calculateFanInAndFanOut([10, 20]), [20, 10]);
  assert.throws(() => nn.init.calculateFanInAndFanOut([5]), /at least 2 dimensions/);
});

Deno.test("init: xavier and kaiming bounds and moments", () => {
  const k = random.key(0);
  const shape = [200, 100, 2, 2];
  const [fanIn, fanOut] = [400, 800];
  checkUniform(nn.init.xavierUniform(k, shape), Math.sqrt(6 / (fanIn + fanOut)), "xavierUniform");
  checkUniform(
    nn.init.xavierUniform(k, shape, { gain: 2 }),
    2 * Math.sqrt(6 / (fanIn + fanOut)),
    "xavierUniform gain 2",
  );
  checkMoments(nn.init.xavierNormal(k, shape), 0, 2 / (fanIn + fanOut), "xavierNormal");
  // PyTorch's defaults: a = 0, fanIn, leaky_relu => gain √2.
  checkUniform(nn.init.kaimingUniform(k, shape), Math.sqrt(6 / fanIn), "kaimingUniform");
  checkUniform(
    nn.init.kaimingUniform(k, shape, { a: Math.sqrt(5) }),
    1 / Math.sqrt(fanIn),
    "kaimingUniform a=√5",
  );
  checkMoments(
    nn.init.kaimingNormal(k, shape, { mode: "fanOut", nonlinearity: "relu" }),
    0,
    2 / fanOut,
    "kaimingNormal fanOut",
  );
  checkMoments(
    nn.init.kaimingNormal(k, shape, { nonlinearity: "tanh" }),
    0,
    (25 / 9) / fanIn,
    "kaimingNormal tanh",
  );
});

Deno.test("init: uniform, normal, zeros, ones", () => {
  const k = random.key(1);
  const u = nn.init.uniform(k, [100000], { low: -3, high: 5 });
  const m = moments(u);
  assert.ok(m.min >= -3 && m.max <= 5);
  checkMoments(u, 1, 64 / 12, "uniform");
  checkMoments(nn.init.normal(k, [100000], { mean: 2, std: 0.5 }), 2, 0.25, "normal");
  assert.ok(nn.init.zeros([3, 4]).dataSync().every((v) => v === 0));
  assert.ok(nn.init.ones([3, 4]).dataSync().every((v) => v === 1));
  assert.equal(nn.init.zeros([2], { dtype: "float64" }).dtype, "float64");
  // Same key, same values.
  assert.deepEqual(
    nn.init.xavierNormal(k, [4, 4]).dataSync(),
    nn.init.xavierNormal(k, [4, 4]).dataSync(),
  );
});

Deno.test("conv2d default init: weight and bias in ±1/√fanIn (PyTorch's)", () => {
  const { params } = nn.conv2d(32, 64, 3, { groups: 2 }).init(random.key(2), [1, 32, 8, 8]);
  const b = 1 / Math.sqrt(16 * 9);
  checkUniform(params.weight as Tensor, b, "conv2d weight");
  const bias = moments(params.bias as Tensor);
  assert.ok(bias.min >= -b && bias.max <= b);
  assert.deepEqual((params.weight as Tensor).shape, [64, 16, 3, 3]);
  assert.equal(
    nn.conv2d(3, 8, 3, { bias: false }).init(random.key(0), [1, 3, 5, 5]).params.bias,
    undefined,
  );
});

Deno.test("embedding default init: N(0, 1) with the padding row zero", () => {
  const { params } = nn.embedding(1000, 50, { paddingIdx: 3 }).init(random.key(3), [7]);
  const w = params.weight as Tensor;
  const d = w.dataSync();
  assert.ok(d.subarray(150, 200).every((v) => v === 0));
  checkMoments(w, 0, 999 / 1000, "embedding");
});

Deno.test("norm layers init: weight ones, bias zeros, running stats zeros/ones/0", () => {
  const bn = nn.batchNorm2d(5).init(random.key(0), [2, 5, 3, 3]);
  assert.deepEqual(Array.from((bn.params.weight as Tensor).dataSync()), [1, 1, 1, 1, 1]);
  assert.deepEqual(Array.from((bn.params.bias as Tensor).dataSync()), [0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from((bn.state.running_mean as Tensor).dataSync()), [0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from((bn.state.running_var as Tensor).dataSync()), [1, 1, 1, 1, 1]);
  const nbt = bn.state.num_batches_tracked as Tensor;
  assert.equal(nbt.dtype, "int32");
  assert.deepEqual(nbt.shape, []);
  const ln = nn.layerNorm([2, 3]).init(random.key(0), [4, 2, 3]);
  assert.deepEqual((ln.params.weight as Tensor).shape, [2, 3]);
  assert.deepEqual(
    nn.layerNorm(3, { elementwiseAffine: false }).init(random.key(0), [2, 3]).params,
    {},
  );
});
