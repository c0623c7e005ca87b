/**
 * WebGPU launchers for conv2d and its gradients, each an implicit GEMM per channel group
 * (`kernels/gemm.wgsl`, modes 1 to 3) that gathers input windows or cotangent taps on the fly:
 *
 * - conv2d: `y[g] = w[g] · windows(x)`, M = out channels per group, N = images × output
 *   positions, K = in channels per group × taps;
 * - input gradient: `dx[g] = w[g]ᵀ · taps(dy)`, M = in channels per group, N = images × input
 *   positions, K = out channels per group × taps (a cotangent tap counts where the stride
 *   divides the offset evenly);
 * - filter gradient: `dw[g] = dy[g] · windows(x)ᵀ`, M = out channels per group, N = in channels
 *   per group × taps, K = images × output positions.
 *
 * @module
 */
import type { ConvParams } from "../../core/primitives.ts";
import { sizeOf } from "../../core/shape.ts";
import type { GpuContext, GpuStorage } from "./context.ts";
import { wgslType } from "./context.ts";
import { GemmMode, runGemm } from "./gemm.ts";
import { describe, type GpuInput, type GpuKernelTable } from "./kernel.ts";

/** Sizes of one convolution: input `[n,c,h,w]`, filter `[o,cg,kh,kw]`, output `[n,o,oh,ow]`. */
interface Geometry {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  cg: number;
  og: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
}

function geometry(
  x: readonly number[],
  f: readonly number[],
  y: readonly number[],
  p: ConvParams,
): Geometry {
  return {
    n: x[0],
    c: x[1],
    h: x[2],
    w: x[3],
    o: f[0],
    cg: f[1],
    og: f[0] / p.groups,
    kh: f[2],
    kw: f[3],
    oh: y[2],
    ow: y[3],
  };
}

/** Runs conv mode `mode` on `inputs` (already in the primitive's order). */
function conv(
  ctx: GpuContext,
  op: keyof typeof GemmMode,
  inputs: readonly GpuInput[],
  g: Geometry,
  p: ConvParams,
  dims: { m: number; n: number; k: number },
  outShape: readonly number[],
): GpuStorage {
  const words = new Array<number>(33).fill(0);
  [
    g.n,
    g.c,
    g.h,
    g.w,
    g.o,
    g.cg,
    g.og,
    g.kh,
    g.kw,
    g.oh,
    g.ow,
    p.stride[0],
    p.stride[1],
    p.dilation[0],
    p.dilation[1],
    p.padding[0],
    p.padding[2],
  ].forEach((v, i) => (words[16 + i] = v));
  return runGemm(ctx, {
    mode: GemmMode[op],
    ...dims,
    batches: p.groups,
    words,
    inputs: [inputs[0].storage.buffer, inputs[1].storage.buffer],
    outSize: sizeOf(outShape),
    type: wgslType(inputs[0].dtype) as "f32",
    label: describe(op, inputs),
  });
}

/** WebGPU kernels of conv2d and its gradients (float32). */
export const convKernels: GpuKernelTable<
  "conv2d" | "conv2dBackwardInput" | "conv2dBackwardFilter"
> = {
  conv2d: (ctx, inputs, p, out) => {
    const [x, f] = inputs;
    const g = geometry(x.shape, f.shape, out.shape, p);
    const dims = { m: g.og, n: g.n * g.oh * g.ow, k: g.cg * g.kh * g.kw };
    return conv(ctx, "conv2d", inputs, g, p, dims, out.shape);
  },
  conv2dBackwardInput: (ctx, inputs, p, out) => {
    const [ct, f] = inputs;
    const g = geometry(p.inputShape, f.shape, ct.shape, p);
    const dims = { m: g.cg, n: g.n * g.h * g.w, k: g.og * g.kh * g.kw };
    return conv(ctx, "conv2dBackwardInput", inputs, g, p, dims, out.shape);
  },
  conv2dBackwardFilter: (ctx, inputs, p, out) => {
    const [x, ct] = inputs;
    const g = geometry(x.shape, p.filterShape, ct.shape, p);
    const dims = { m: g.og, n: g.cg * g.kh * g.kw, k: g.n * g.oh * g.ow };
    return conv(ctx, "conv2dBackwardFilter", inputs, g, p, dims, out.shape);
  },
};
