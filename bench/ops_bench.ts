/**
 * Kernels side by side: matmul 256/512/1024 and the seed's conv2 layer forward and backward, on
 * fluxion's CPU and WebGPU backends and TensorFlow.js's CPU, WASM and WebGPU backends, in one
 * process. Every iteration reads its result back, so queued GPU work is counted. fluxion is NCHW,
 * TF.js NHWC (each library's native layout); shapes and FLOPs are the same.
 *
 *   deno bench --allow-read --allow-env --allow-net=127.0.0.1 bench/ops_bench.ts
 *   deno task bench:report      # the same as a Markdown table, with PyTorch and memory
 */
import {
  conv2d,
  dispose,
  grad,
  matmul,
  mul,
  random,
  scoped,
  sum,
  type Tensor,
  toBackend,
} from "../mod.ts";
import { tf, TF_BACKENDS, type TfBackendName, useTf } from "./tfjs.ts";
import { fluxionGpu, type Library, register, skip } from "./workloads.ts";

const gpuError = await fluxionGpu();
const key = random.key(0);

/** Registers a fluxion workload on the CPU and, when it can start, on WebGPU. */
async function fluxion(
  workload: string,
  inputs: Tensor[],
  work: (...xs: Tensor[]) => Tensor | Tensor[],
  gpuRuns = { n: 3, warmup: 1 },
): Promise<void> {
  // As in a training step: the work runs in a scope, its inputs made inside one (so on the CPU
  // they live in the WebAssembly heap, as a step's parameters and activations do).
  const scopedWork = scoped(work);
  const run = (xs: Tensor[]) => async () => {
    const out = scopedWork(...xs);
    await Promise.all([out].flat().map((t) => t.data()));
    dispose(out);
  };
  const resident = scoped(() => inputs.map((t) => mul(t, 1)))();
  await register(workload, "fluxion cpu", () => Promise.resolve(run(resident)));
  if (gpuError) skip(workload, "fluxion webgpu", gpuError);
  else {
    await register(
      workload,
      "fluxion webgpu",
      async () => run(await toBackend(inputs, "webgpu")),
      gpuRuns,
    );
  }
}

/** Registers a TF.js workload on each of its backends. */
async function tfjs(
  workload: string,
  shapes: number[][],
  work: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  runs: Record<TfBackendName, { n?: number; warmup?: number }>,
): Promise<void> {
  for (const b of TF_BACKENDS) {
    const library = `tfjs ${b}` as Library;
    await register(workload, library, async () => {
      const err = await useTf(b);
      if (err) throw new Error(err);
      const xs = shapes.map((s, i) => tf.randomNormal(s, 0, 1, "float32", i + 1));
      return async () => {
        await useTf(b);
        const out = work(...xs);
        await Promise.all([out].flat().map((t) => t.data()));
        tf.dispose(out);
      };
    }, runs[b]);
  }
}

for (const n of [256, 512, 1024]) {
  const [ka, kb] = random.split(random.foldIn(key, n));
  const big = n === 1024;
  await fluxion(
    `matmul ${n}`,
    [random.normal(ka, [n, n]), random.normal(kb, [n, n])],
    (a, b) => matmul(a, b),
    big ? { n: 3, warmup: 1 } : { n: 10, warmup: 2 },
  );
  await tfjs(
    `matmul ${n}`,
    [[n, n], [n, n]],
    (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    {
      cpu: big ? { n: 2, warmup: 0 } : { n: 5, warmup: 1 },
      wasm: { n: 5, warmup: 1 },
      webgpu: big ? { n: 3, warmup: 1 } : { n: 10, warmup: 2 },
    },
  );
}

// The seed's conv2 layer: batch 64, 32 -> 64 channels, 3x3, on 26x26 maps.
const [kx, kw] = random.split(random.foldIn(key, 1));
const x = random.normal(kx, [64, 32, 26, 26]);
const w = random.normal(kw, [64, 32, 3, 3], { std: 0.05 });
const slow = { n: 2, warmup: 0 };
await fluxion("conv2 forward", [x, w], (a, b) => conv2d(a, b));
await tfjs(
  "conv2 forward",
  [[64, 26, 26, 32], [3, 3, 32, 64]],
  (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "valid"),
  { cpu: slow, wasm: { n: 3, warmup: 1 }, webgpu: { n: 3, warmup: 1 } },
);
// Forward and both gradients for a random upstream gradient g (a plain sum would hand the
// backward pass a constant, which some libraries shortcut).
const g = random.normal(random.foldIn(key, 3), [64, 64, 24, 24]);
await fluxion(
  "conv2 forward+backward",
  [x, w, g],
  (a, b, c) =>
    grad((xx: Tensor, ww: Tensor) => sum(mul(conv2d(xx, ww), c)), { argnums: [0, 1] })(a, b),
);
await tfjs(
  "conv2 forward+backward",
  [[64, 26, 26, 32], [3, 3, 32, 64], [64, 24, 24, 64]],
  (a, b, c) =>
    tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, "valid"), c))
    )([a, b]),
  { cpu: slow, wasm: slow, webgpu: { n: 3, warmup: 1 } },
);
