/**
 * Value checks on the GPU (`kernels/check.wgsl`): what the CPU backend checks by reading data
 * (class labels in range, probabilities in [0, 1]) becomes a dispatch that reports the first bad
 * element as a fault, thrown when data is next read back.
 *
 * @module
 */
import type { DType } from "../../core/dtype.ts";
import type { ValueRange } from "../backend.ts";
import { type GpuContext, type GpuStorage, wgslType } from "./context.ts";

/** `value` as the bits of an element of `dtype`. */
function bitsOf(value: number, dtype: DType): number {
  if (dtype === "float32") return new Uint32Array(new Float32Array([value]).buffer)[0];
  return value | 0;
}

/** `bits` of an element of `dtype` as a number. */
function valueOf(bits: number, dtype: DType): number {
  if (dtype === "float32") return new Float32Array(new Uint32Array([bits]).buffer)[0];
  return dtype === "int32" ? bits | 0 : bits >>> 0;
}

/** Records a check that every element of `storage` lies in `range`. */
export function checkRange(
  ctx: GpuContext,
  storage: GpuStorage,
  dtype: DType,
  range: ValueRange,
  describe: (index: number, value: number) => string,
): void {
  const n = storage.bytes / 4;
  const flags = (range.hiInclusive ? 1 : 0) | (range.skip !== undefined ? 2 : 0);
  ctx.launch({
    kernel: "check",
    prelude: `alias T = ${wgslType(dtype)};`,
    faults: true,
    buffers: [storage.buffer],
    words: [
      n,
      0,
      0,
      flags,
      bitsOf(range.lo, dtype),
      bitsOf(range.hi, dtype),
      bitsOf(range.skip ?? 0, dtype),
    ],
    threads: n,
    label: "check values",
    describeFault: (index, bits) => describe(index, valueOf(bits, dtype)),
  });
}
