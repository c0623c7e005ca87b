/**
 * Training steps side by side: the seed's MNIST CNN (batch 64) and an MLP 784-128-10 (batch
 * 128), forward + loss + backward + Adam with the data already in memory, on fluxion's CPU and
 * WebGPU backends and TensorFlow.js's CPU, WASM and WebGPU backends. Each step reads its loss
 * back. TF.js's CPU backend takes minutes per seed-CNN step: that row runs only with
 * FLUXION_BENCH_SLOW=1.
 *
 *   deno bench --allow-read --allow-env --allow-net=127.0.0.1 bench/train_bench.ts
 */
import { losses, nn } from "../mod.ts";
import { seedNet } from "../examples/lib/seed_net.ts";
import { TF_BACKENDS, type TfBackendName, useTf } from "./tfjs.ts";
import { fluxionStep, tfMlpStep, tfSeedCnnStep } from "./train_steps.ts";
import { fluxionGpu, type Library, register, type Runs, skip, slowAllowed } from "./workloads.ts";

const gpuError = await fluxionGpu();

async function workload(
  id: string,
  fluxionSetup: (b: "cpu" | "webgpu") => Promise<() => Promise<void>>,
  tfSetup: () => () => Promise<void>,
  runs: Record<Library, Runs | "slow">,
): Promise<void> {
  await register(id, "fluxion cpu", () => fluxionSetup("cpu"), runs["fluxion cpu"] as Runs);
  if (gpuError) skip(id, "fluxion webgpu", gpuError);
  else {
    await register(
      id,
      "fluxion webgpu",
      () => fluxionSetup("webgpu"),
      runs["fluxion webgpu"] as Runs,
    );
  }
  for (const b of TF_BACKENDS as readonly TfBackendName[]) {
    const library = `tfjs ${b}` as Library;
    const r = runs[library];
    if (r === "slow" && !slowAllowed()) {
      skip(id, library, "minutes per step; run with FLUXION_BENCH_SLOW=1 to measure it");
      continue;
    }
    await register(id, library, async () => {
      const err = await useTf(b);
      if (err) throw new Error(err);
      const step = tfSetup();
      return async () => {
        await useTf(b);
        await step();
      };
    }, r === "slow" ? { n: 1, warmup: 0 } : r);
  }
}

await workload(
  "seed CNN step, batch 64",
  (b) => fluxionStep(seedNet(), [64, 1, 28, 28], (out, y) => losses.nll(out, y), b),
  () => tfSeedCnnStep(64),
  {
    "fluxion cpu": { n: 5, warmup: 1 },
    "fluxion webgpu": { n: 3, warmup: 0 },
    "tfjs cpu": "slow",
    "tfjs wasm": { n: 3, warmup: 0 },
    "tfjs webgpu": { n: 3, warmup: 0 },
  },
);

const mlp = nn.sequential({ fc1: nn.linear(784, 128), act: nn.relu(), fc2: nn.linear(128, 10) });
await workload(
  "MLP step, batch 128",
  (b) => fluxionStep(mlp, [128, 784], (out, y) => losses.crossEntropy(out, y), b),
  () => tfMlpStep(128),
  {
    "fluxion cpu": { n: 50, warmup: 5 },
    "fluxion webgpu": { n: 20, warmup: 3 },
    "tfjs cpu": { n: 20, warmup: 3 },
    "tfjs wasm": { n: 50, warmup: 5 },
    "tfjs webgpu": { n: 20, warmup: 3 },
  },
);
