/**
 * The shape of a WebGPU kernel launcher, and helpers they share.
 *
 * @module
 */
import type { PrimName, PrimParams } from "../../core/primitives.ts";
import { collapseDims, fmtShape } from "../../core/shape.ts";

export { collapseDims };
import type { BackendInput, OutputSpec } from "../backend.ts";
import type { GpuContext, GpuStorage } from "./context.ts";

/** A WebGPU input: a tensor whose storage is a GPU buffer. */
export type GpuInput = BackendInput<GpuStorage>;

/** The WebGPU implementation of primitive `P`: records dispatches, returns the output storage. */
export type GpuKernel<P extends PrimName> = (
  ctx: GpuContext,
  inputs: readonly GpuInput[],
  params: PrimParams[P],
  out: OutputSpec,
) => GpuStorage;

/** A table of WebGPU kernels for some primitives. */
export type GpuKernelTable<K extends PrimName> = { [P in K]: GpuKernel<P> };

/** `op` with its inputs' shapes and dtypes, for labels and error messages. */
export function describe(
  op: string,
  inputs: readonly { shape: readonly number[]; dtype: string }[],
) {
  return `${op}(${inputs.map((x) => `${fmtShape(x.shape)} ${x.dtype}`).join(", ")})`;
}

/** The largest rank the strided kernels take (after merging dimensions). */
export const MAX_RANK = 8;

/** Throws a clear error when `rank` exceeds what the strided kernels take. */
export function checkRank(label: string, rank: number): void {
  if (rank > MAX_RANK) {
    throw new RangeError(
      `${label}: needs ${rank} strided dimensions after merging, but WebGPU kernels take at ` +
        `most ${MAX_RANK}; reshape to fewer dimensions`,
    );
  }
}
