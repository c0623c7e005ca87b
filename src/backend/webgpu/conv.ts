/**
 * WebGPU launchers for conv2d and its gradients.
 *
 * @module
 */
import type { GpuKernelTable } from "./kernel.ts";

/** WebGPU kernels of conv2d and its gradients. */
export const convKernels: GpuKernelTable<"conv2d" | "conv2dBackwardInput" | "conv2dBackwardFilter"> = {
  conv2d: () => {
    throw new Error("conv2d: not yet implemented on the webgpu backend");
  },
  conv2dBackwardInput: () => {
    throw new Error("conv2dBackwardInput: not yet implemented on the webgpu backend");
  },
  conv2dBackwardFilter: () => {
    throw new Error("conv2dBackwardFilter: not yet implemented on the webgpu backend");
  },
};
