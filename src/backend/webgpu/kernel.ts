/**
 * The shape of a WebGPU kernel launcher, and helpers they share.
 *
 * @module
 */
import type { PrimName, PrimParams } from "../../core/primitives.ts";
import { fmtShape } from "../../core/shape.ts";
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

/**
 * Merges adjacent dimensions that every operand walks contiguously (`strides[d] =
 * strides[d+1] * shape[d+1]`), and drops size-1 dimensions, so most broadcasts and transposes
 * run at a small rank.
 */
export function collapseDims(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    if (
      last >= 0 &&
      strides.every((s, k) => outStrides[k][last] === s[d] * shape[d])
    ) {
      outShape[last] *= shape[d];
      strides.forEach((s, k) => (outStrides[k][last] = s[d]));
    } else {
      outShape.push(shape[d]);
      strides.forEach((s, k) => outStrides[k].push(s[d]));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** Throws a clear error when `rank` exceeds what the strided kernels take. */
export function checkRank(label: string, rank: number): void {
  if (rank > MAX_RANK) {
    throw new RangeError(
      `${label}: needs ${rank} strided dimensions after merging, but WebGPU kernels take at ` +
        `most ${MAX_RANK}; reshape to fewer dimensions`,
    );
  }
}
