/**
 * The training steps that the compile benchmarks time: the seed's MNIST CNN (batch 64) and an
 * MLP 784-128-10 (batch 128), each eager or compiled, on a fluxion backend.
 */
import { losses, nn, type Tensor } from "../mod.ts";
import { seedNet } from "../examples/lib/seed_net.ts";
import { fluxionStep } from "./train_steps.ts";

/** The two training-step workloads. */
export const STEPS = ["seed CNN step, batch 64", "MLP step, batch 128"] as const;
/** One of them. */
export type StepWorkload = typeof STEPS[number];

/** One iteration of `workload` on `backend` in `mode` (the loss is read back each step). */
export function compileStep(
  workload: StepWorkload,
  backend: "cpu" | "webgpu",
  mode: "eager" | "compiled",
): ReturnType<typeof fluxionStep> {
  if (workload === "seed CNN step, batch 64") {
    return fluxionStep(seedNet(), [64, 1, 28, 28], (o, y) => losses.nll(o, y), backend, mode);
  }
  const mlp = nn.sequential({ fc1: nn.linear(784, 128), act: nn.relu(), fc2: nn.linear(128, 10) });
  return fluxionStep(
    mlp as nn.Model<Tensor, Tensor>,
    [128, 784],
    (o, y) => losses.crossEntropy(o, y),
    backend,
    mode,
  );
}
