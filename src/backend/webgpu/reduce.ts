/**
 * WebGPU launchers for reductions.
 *
 * @module
 */
import type { GpuKernelTable } from "./kernel.ts";

/** WebGPU kernels of reductions. */
export const reduceKernels: GpuKernelTable<"sum" | "max" | "min" | "argmax" | "argmin"> = {
  sum: () => {
    throw new Error("sum: not yet implemented on the webgpu backend");
  },
  max: () => {
    throw new Error("max: not yet implemented on the webgpu backend");
  },
  min: () => {
    throw new Error("min: not yet implemented on the webgpu backend");
  },
  argmax: () => {
    throw new Error("argmax: not yet implemented on the webgpu backend");
  },
  argmin: () => {
    throw new Error("argmin: not yet implemented on the webgpu backend");
  },
};
