/**
 * WebGPU launchers for 2-D pooling over NCHW input (`kernels/pool.wgsl`): max pooling (values or
 * the CPU's argmax indices), average pooling and its gradient. One invocation per output element
 * scans its clipped window; the gradient runs one invocation per input element, gathering the
 * windows that cover it.
 *
 * @module
 */
import type { DType } from "../../core/dtype.ts";
import type { PoolParams } from "../../core/primitives.ts";
import { sizeOf } from "../../core/shape.ts";
import type { GpuContext, GpuStorage } from "./context.ts";
import { describe, type GpuInput, type GpuKernelTable } from "./kernel.ts";
import { typePrelude } from "./reduce.ts";

/**
 * The uniform words of `pool.wgsl` for input `x` ([n, c, h, w]) pooled to `y` ([n, c, oh, ow]),
 * running `count` invocations.
 */
export function poolWords(
  x: readonly number[],
  y: readonly number[],
  p: PoolParams,
  count: number,
): number[] {
  const words = new Array<number>(16).fill(0);
  words[0] = count;
  words[4] = x[2];
  words[5] = x[3];
  words[6] = y[2];
  words[7] = y[3];
  words[8] = p.kernel[0];
  words[9] = p.kernel[1];
  words[10] = p.stride[0];
  words[11] = p.stride[1];
  words[12] = p.padding[0];
  words[13] = p.padding[2];
  words[14] = p.countIncludePad ? 1 : 0;
  return words;
}

/** One pooling dispatch of `entry` reading `src`, writing `words[0]` elements. */
function run(
  ctx: GpuContext,
  entry: string,
  src: GpuInput,
  prelude: string,
  words: number[],
  label: string,
): GpuStorage {
  const o = ctx.alloc(words[0], label);
  ctx.launch({
    kernel: "pool",
    entry,
    prelude,
    buffers: [src.storage.buffer, o.buffer],
    words,
    threads: words[0],
    label,
  });
  return o;
}

function params(p: PoolParams): string {
  return `kernel ${p.kernel.join("x")}, stride ${p.stride.join("x")}, padding [${p.padding}]`;
}

/** The prelude of `pool.wgsl` for elements of `dtype`, writing `O` through `emit`. */
function prelude(dtype: DType, out: string, emit: string): string {
  return typePrelude(dtype) + `alias O = ${out};\nfn emit(v: T, at: i32) -> O { return ${emit}; }`;
}

/** WebGPU kernels of pooling: maxPool2d, maxPool2dArgmax, avgPool2d and avgPool2dBackward. */
export const poolKernels: GpuKernelTable<
  "maxPool2d" | "maxPool2dArgmax" | "avgPool2d" | "avgPool2dBackward"
> = {
  maxPool2d: (ctx, [x], p, out) => {
    const label = describe(`maxPool2d (${params(p)})`, [x]);
    const words = poolWords(x.shape, out.shape, p, sizeOf(out.shape));
    return run(ctx, "max_pool", x, prelude(x.dtype, "T", "v"), words, label);
  },
  maxPool2dArgmax: (ctx, [x], p, out) => {
    const label = describe(`maxPool2dArgmax (${params(p)})`, [x]);
    const words = poolWords(x.shape, out.shape, p, sizeOf(out.shape));
    return run(ctx, "max_pool", x, prelude(x.dtype, "i32", "at"), words, label);
  },
  avgPool2d: (ctx, [x], p, out) => {
    const label = describe(`avgPool2d (${params(p)})`, [x]);
    const words = poolWords(x.shape, out.shape, p, sizeOf(out.shape));
    return run(ctx, "avg_pool", x, prelude(x.dtype, "T", "v"), words, label);
  },
  avgPool2dBackward: (ctx, [ct], p, out) => {
    const label = describe(`avgPool2dBackward (${params(p)})`, [ct]);
    const words = poolWords(p.inputShape, ct.shape, p, sizeOf(out.shape));
    return run(ctx, "avg_pool_backward", ct, prelude(ct.dtype, "T", "v"), words, label);
  },
};
