/**
 * One compile-benchmark step in a fresh process (so peaks do not mix): runs a few steps and
 * prints JSON `{ peakRssBytes, stepPeakBytes, dispatchesPerStep, ops, kernels }`: the process's
 * peak RSS, the most tensor memory in use during the measured steps (the CPU heap or the GPU
 * buffers), WebGPU dispatches per step (0 on the CPU) and the step's op count before and after
 * fusion.
 * Run by `bench/compile_report.ts`:
 *
 *   deno run -A bench/compile_probe.ts "MLP step, batch 128" cpu compiled
 */
import { memory } from "../mod.ts";
import { resetHeapPeak } from "../src/backend/cpu/wasm/heap.ts";
import { currentContext } from "../src/backend/webgpu/context.ts";
import { compileStep, type StepWorkload } from "./compile_steps.ts";
import { fluxionGpu } from "./workloads.ts";

const [workload, backend, mode] = Deno.args as [
  StepWorkload,
  "cpu" | "webgpu",
  "eager" | "compiled",
];
if (backend === "webgpu") {
  const err = await fluxionGpu();
  if (err) throw new Error(err);
}
const step = await compileStep(workload, backend, mode);
for (let i = 0; i < 2; i++) await step();
// Peaks from here on: a step's own, without the trace or the pools warming up.
resetHeapPeak();
const pool = currentContext()?.pool.stats;
if (pool) pool.peakInUseBytes = pool.inUseBytes;
const dispatches = () => memory().webgpu?.dispatches ?? 0;
const d0 = dispatches();
const steps = 3;
for (let i = 0; i < steps; i++) await step();
const status = Deno.readTextFileSync("/proc/self/status");
const stats = mode === "compiled" ? step.stats() : undefined;
console.log(JSON.stringify({
  peakRssBytes: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024,
  stepPeakBytes: backend === "webgpu"
    ? memory().webgpu!.peakInUseBytes
    : memory().cpu!.heapPeakInUseBytes,
  dispatchesPerStep: (dispatches() - d0) / steps,
  ops: stats?.ops,
  kernels: stats?.kernels,
}));
