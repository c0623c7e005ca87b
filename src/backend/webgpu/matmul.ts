/**
 * WebGPU launcher for matmul: a batched, tiled product (`kernels/gemm.wgsl`, mode 0) whose batch
 * elements find their operands through per-dimension batch strides (0 where broadcast).
 *
 * @module
 */
import { broadcastStrides, sizeOf } from "../../core/shape.ts";
import { wgslType } from "./context.ts";
import { GemmMode, runGemm } from "./gemm.ts";
import { checkRank, collapseDims, describe, type GpuKernelTable } from "./kernel.ts";

/** WebGPU kernels of matmul (float32 and int32; int32 wraps like the CPU). */
export const matmulKernels: GpuKernelTable<"matmul"> = {
  matmul: (ctx, inputs, _p, out) => {
    const [a, b] = inputs;
    const label = describe("matmul", inputs);
    const type = wgslType(out.dtype);
    if (type === "u32") {
      throw new TypeError(`${label}: bool operands are not supported on webgpu; cast first`);
    }
    const r = out.shape.length;
    const [m, n] = out.shape.slice(r - 2);
    const k = a.shape[r - 1];
    const batch = out.shape.slice(0, r - 2);
    const sa = broadcastStrides(a.shape.slice(0, r - 2), batch).map((s) => s * m * k);
    const sb = broadcastStrides(b.shape.slice(0, r - 2), batch).map((s) => s * k * n);
    const c = collapseDims(batch, [sa, sb]);
    checkRank(label, c.shape.length);
    const words = new Array<number>(40).fill(0);
    words[10] = c.shape.length;
    c.shape.forEach((d, i) => (words[16 + i] = d));
    c.strides[0].forEach((s, i) => (words[24 + i] = s));
    c.strides[1].forEach((s, i) => (words[32 + i] = s));
    return runGemm(ctx, {
      mode: GemmMode.matmul,
      m,
      n,
      k,
      batches: sizeOf(batch),
      words,
      inputs: [a.storage.buffer, b.storage.buffer],
      outSize: sizeOf(out.shape),
      type,
      label,
    });
  },
};
