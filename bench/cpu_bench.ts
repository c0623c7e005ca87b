/**
 * CPU backend kernels: matmul and the seed's conv2 layer, forward and backward.
 *
 *   deno bench bench/cpu_bench.ts
 */
import { conv2d, grad, matmul, random, sum, type Tensor } from "../mod.ts";

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
