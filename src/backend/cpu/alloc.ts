/**
 * Storage for the CPU backend's outputs. Tensors made inside a scope (`grad`, `valueAndGrad`,
 * `jvp`, `scoped`), which are released deterministically, live in the WebAssembly heap, where the
 * WebAssembly kernels use them in place. Tensors made outside any scope are ordinary typed arrays:
 * the garbage collector frees those during a synchronous loop, whereas a heap block of a tensor
 * nobody disposed returns only when a finalizer runs, between event-loop tasks. (Kernels copy
 * such arrays into the heap, with the same results.)
 *
 * @module
 */
import type { DType, TypedArray } from "../../core/dtype.ts";
import { inScope } from "../../core/lifetime.ts";
import { heapAddress, heapArray, ownsBlock, releaseView } from "./wasm/heap.ts";

/**
 * A new array of `size` elements of `dtype`, zero-filled unless `zero` is false (for kernels that
 * write every element).
 */
export function allocate(dtype: DType, size: number, zero = true): TypedArray {
  if (!inScope()) return plain(dtype, size);
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

/** A new zero-filled typed array on the JavaScript heap. */
function plain(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
    case "bool":
      return new Uint8Array(size);
  }
}

/**
 * `data` moved into the heap (a copy) inside a scope when the heap can hold it, else `data`
 * itself.
 */
export function adopt(data: TypedArray): TypedArray {
  const ctor = data.constructor as new (n: number) => TypedArray;
  if (heapAddress(data) >= 0 || !inScope()) return data;
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
