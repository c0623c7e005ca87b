/**
 * Peak memory of one training-step workload on one library, in a fresh process (so peaks do not
 * mix): runs a few steps and prints JSON `{ peakRssBytes, peakGpuBytes }`. Run by
 * `bench/report.ts`:
 *
 *   deno run --allow-read --allow-env bench/memory_probe.ts "MLP step, batch 128" "fluxion cpu"
 */
import { memory } from "../mod.ts";
import { seedNet } from "../examples/lib/seed_net.ts";
import { losses, nn } from "../mod.ts";
import { tf, type TfBackendName, useTf } from "./tfjs.ts";
import { fluxionGpu, type Library } from "./workloads.ts";
import { fluxionStep, tfMlpStep, tfSeedCnnStep } from "./train_steps.ts";

const [workload, library, stepsArg] = Deno.args;
const steps = Number(stepsArg ?? 5);
const cnn = workload.startsWith("seed CNN");

function rss(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

let step: () => Promise<void>;
let gpuPeak = () => 0;
if ((library as Library).startsWith("fluxion")) {
  const backend = library === "fluxion webgpu" ? "webgpu" : "cpu";
  if (backend === "webgpu") {
    const err = await fluxionGpu();
    if (err) throw new Error(err);
  }
  step = cnn
    ? await fluxionStep(seedNet(), [64, 1, 28, 28], (o, y) => losses.nll(o, y), backend)
    : await fluxionStep(
      nn.sequential({ fc1: nn.linear(784, 128), act: nn.relu(), fc2: nn.linear(128, 10) }),
      [128, 784],
      (o, y) => losses.crossEntropy(o, y),
      backend,
    );
  gpuPeak = () => memory().webgpu?.peakInUseBytes ?? 0;
} else {
  const err = await useTf(library.replace("tfjs ", "") as TfBackendName);
  if (err) throw new Error(err);
  step = cnn ? tfSeedCnnStep(64) : tfMlpStep(128);
  let peak = 0;
  const inner = step;
  step = async () => {
    await inner();
    peak = Math.max(peak, tf.memory().numBytes);
  };
  gpuPeak = () => (library === "tfjs webgpu" ? peak : 0);
}
for (let i = 0; i < steps; i++) await step();
console.log(JSON.stringify({ peakRssBytes: rss(), peakGpuBytes: gpuPeak() }));
