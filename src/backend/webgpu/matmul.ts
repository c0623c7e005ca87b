/**
 * WebGPU launchers for matmul.
 *
 * @module
 */
import type { GpuKernelTable } from "./kernel.ts";

/** WebGPU kernels of matmul. */
export const matmulKernels: GpuKernelTable<"matmul"> = {
  matmul: () => {
    throw new Error("matmul: not yet implemented on the webgpu backend");
  },
};
