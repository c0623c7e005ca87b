/**
 * WebGPU launchers for gather and scatterAdd.
 *
 * @module
 */
import type { GpuKernelTable } from "./kernel.ts";

/** WebGPU kernels of gather and scatterAdd. */
export const indexingKernels: GpuKernelTable<"gather" | "scatterAdd"> = {
  gather: () => {
    throw new Error("gather: not yet implemented on the webgpu backend");
  },
  scatterAdd: () => {
    throw new Error("scatterAdd: not yet implemented on the webgpu backend");
  },
};
