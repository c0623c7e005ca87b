/**
 * Storage for the CPU backend's outputs: in the WebAssembly heap when it can hold them (so the
 * WebAssembly kernels use them in place), else ordinary typed arrays.
 *
 * @module
 */
import type { DType, TypedArray } from "../../core/dtype.ts";
import { heapAddress, heapArray, ownsBlock, releaseView } from "./wasm/heap.ts";

/**
 * A new array of `size` elements of `dtype`, zero-filled unless `zero` is false (for kernels that
 * write every element).
 */
export function allocate(dtype: DType, size: number, zero = true): TypedArray {
  switch (dtype) {
    case "float32":
      return heapArray(Float32Array, size, zero) ?? new Float32Array(size);
    case "float64":
      return heapArray(Float64Array, size, zero) ?? new Float64Array(size);
    case "int32":
      return heapArray(Int32Array, size, zero) ?? new Int32Array(size);
    case "bool":
      return heapArray(Uint8Array, size, zero) ?? new Uint8Array(size);
  }
}

/** `data` moved into the heap (a copy) when it can hold it, else `data` itself. */
export function adopt(data: TypedArray): TypedArray {
  const ctor = data.constructor as new (n: number) => TypedArray;
  if (heapAddress(data) >= 0) return data;
  const copy = ctor === Float32Array
    ? heapArray(Float32Array, data.length, false)
    : ctor === Float64Array
    ? heapArray(Float64Array, data.length, false)
    : ctor === Int32Array
    ? heapArray(Int32Array, data.length, false)
    : ctor === Uint8Array
    ? heapArray(Uint8Array, data.length, false)
    : undefined;
  if (copy === undefined) return data;
  copy.set(data);
  return copy;
}

/** Whether `storage` may still be read: not a heap block that was freed. */
export function isLive(storage: TypedArray): boolean {
  return heapAddress(storage) < 0 || ownsBlock(storage);
}

/** Frees the heap block behind `storage` (a released tensor's), if it has one. */
export function release(storage: TypedArray): void {
  releaseView(storage);
}
