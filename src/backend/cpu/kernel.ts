/**
 * The shape of a CPU kernel: typed-array inputs in, a fresh typed array out.
 *
 * @module
 */
import type { TypedArray } from "../../core/dtype.ts";
import type { PrimName, PrimParams } from "../../core/primitives.ts";
import type { BackendInput, OutputSpec } from "../backend.ts";

/** A CPU input: a tensor whose storage is its typed array. */
export type CpuInput = BackendInput<TypedArray>;

/** The CPU implementation of primitive `P`. */
export type CpuKernel<P extends PrimName> = (
  inputs: readonly CpuInput[],
  params: PrimParams[P],
  out: OutputSpec,
) => TypedArray;

/** A table of CPU kernels for some primitives. */
export type CpuKernelTable<K extends PrimName> = { [P in K]: CpuKernel<P> };
