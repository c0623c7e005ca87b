/**
 * Eager against compiled training steps (`compile`: traced once, replayed as fused kernels with
 * planned buffers), the seed's MNIST CNN and an MLP, on each fluxion backend. Each group's
 * baseline is the eager step; `deno bench` prints the compiled step's ratio.
 *
 *   deno bench --allow-read --allow-env bench/compile_bench.ts
 *   deno run -A bench/compile_report.ts   # the table, with
 *                                                   # dispatch counts and peak memory
 */
import { compileStep, STEPS } from "./compile_steps.ts";
import { fluxionGpu, skip } from "./workloads.ts";

const gpuError = await fluxionGpu();
const RUNS = {
  "seed CNN step, batch 64": { cpu: 10, webgpu: 3 },
  "MLP step, batch 128": { cpu: 200, webgpu: 20 },
};

for (const workload of STEPS) {
  for (const backend of ["cpu", "webgpu"] as const) {
    const group = `${workload} · ${backend}`;
    if (backend === "webgpu" && gpuError) {
      skip(workload, "fluxion webgpu", gpuError);
      continue;
    }
    for (const mode of ["eager", "compiled"] as const) {
      const step = await compileStep(workload, backend, mode);
      await step(); // traces (compiled) and warms the pools
      Deno.bench({
        name: `${group} · ${mode}`,
        group,
        baseline: mode === "eager",
        n: RUNS[workload][backend],
        warmup: 2,
        fn: step,
      });
    }
  }
}
