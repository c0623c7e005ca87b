/**
 * WebGPU launchers for pooling.
 *
 * @module
 */
import type { GpuKernelTable } from "./kernel.ts";

/** WebGPU kernels of pooling. */
export const poolKernels: GpuKernelTable<"maxPool2d" | "maxPool2dArgmax" | "avgPool2d" | "avgPool2dBackward"> = {
  maxPool2d: () => {
    throw new Error("maxPool2d: not yet implemented on the webgpu backend");
  },
  maxPool2dArgmax: () => {
    throw new Error("maxPool2dArgmax: not yet implemented on the webgpu backend");
  },
  avgPool2d: () => {
    throw new Error("avgPool2d: not yet implemented on the webgpu backend");
  },
  avgPool2dBackward: () => {
    throw new Error("avgPool2dBackward: not yet implemented on the webgpu backend");
  },
};
