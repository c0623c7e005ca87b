/**
 * CPU backend kernels: matmul, the seed's conv2 layer forward and backward, elementwise ops and
 * reductions.
 *
 *   deno bench bench/cpu_bench.ts
 */
import {
  add,
  conv2d,
  exp,
  grad,
  greater,
  matmul,
  maxPool2d,
  mul,
  random,
  relu,
  sum,
  type Tensor,
} from "../mod.ts";

const key = random.key(0);
for (const n of [128, 256, 512]) {
  const [ka, kb] = random.split(random.foldIn(key, n));
  const a = random.normal(ka, [n, n]);
  const b = random.normal(kb, [n, n]);
  Deno.bench(`matmul ${n}x${n} float32 (${((2 * n ** 3) / 1e6).toFixed(0)} MFLOP)`, {
    group: "matmul",
  }, () => {
    matmul(a, b);
  });
}

// The seed's conv2 layer: batch 64, 32 -> 64 channels, 3x3, on 26x26 maps.
const [kx, kw] = random.split(random.foldIn(key, 1));
const x = random.normal(kx, [64, 32, 26, 26]);
const w = random.normal(kw, [64, 32, 3, 3], { std: 0.05 });
Deno.bench("conv2d forward, seed conv2 (1.36 GFLOP)", { group: "conv2d" }, () => {
  conv2d(x, w);
});
const lossW = (wt: Tensor) => sum(conv2d(x, wt));
Deno.bench("conv2d forward + backward (filter), seed conv2", { group: "conv2d" }, () => {
  grad(lossW)(w);
});

// Elementwise ops and reductions on the seed's conv2 activations (64x32x26x26, 1.38M elements).
const [ka, kbias] = random.split(random.foldIn(key, 2));
const act = random.normal(ka, [64, 32, 26, 26]);
const bias = random.normal(kbias, [1, 32, 1, 1]);
Deno.bench("add, same shape (1.38M)", { group: "elementwise" }, () => {
  add(act, act);
});
Deno.bench("add, per-channel bias broadcast", { group: "elementwise" }, () => {
  add(act, bias);
});
Deno.bench("mul by a number", { group: "elementwise" }, () => {
  mul(act, 2);
});
Deno.bench("relu", { group: "elementwise" }, () => {
  relu(act);
});
Deno.bench("exp", { group: "elementwise" }, () => {
  exp(act);
});
Deno.bench("greater than 0 (relu's backward mask)", { group: "elementwise" }, () => {
  greater(act, 0);
});
Deno.bench("sum over N, H, W (bias gradient)", { group: "reduce" }, () => {
  sum(act, { axis: [0, 2, 3] });
});
Deno.bench("sum over everything", { group: "reduce" }, () => {
  sum(act);
});
Deno.bench("maxPool2d 2x2", { group: "reduce" }, () => {
  maxPool2d(act, 2);
});
