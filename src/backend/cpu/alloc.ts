/**
 * Storage for the CPU backend's outputs: in the WebAssembly heap when it can hold them (so the
 * WebAssembly kernels use them in place), else ordinary typed arrays.
 *
 * @module
 */
import type { DType, TypedArray } from "../../core/dtype.ts";
import { heapArray, releaseView } from "./wasm/heap.ts";

/** A new zero-filled array of `size` elements of `dtype`. */
export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return heapArray(Float32Array, size) ?? new Float32Array(size);
    case "float64":
      return heapArray(Float64Array, size) ?? new Float64Array(size);
    case "int32":
      return heapArray(Int32Array, size) ?? new Int32Array(size);
    case "bool":
      return heapArray(Uint8Array, size) ?? new Uint8Array(size);
  }
}

/** Frees the heap block behind `storage` (a released tensor's), if it has one. */
export function release(storage: TypedArray): void {
  releaseView(storage);
}
