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
import { allocate as plainArray, type DType, type TypedArray } from "../../core/dtype.ts";
import { inScope } from "../../core/lifetime.ts";
import { heapAddress, heapArray, ownsBlock, releaseView } from "./wasm/heap.ts";

/** The typed array of each dtype. */
const ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
} as const;

/** A heap array of `n` elements like those of `ctor`, or undefined. */
function inHeap(ctor: (typeof ARRAYS)[DType], n: number, zero: boolean): TypedArray | undefined {
  return heapArray(ctor as typeof Float32Array, n, zero);
}

/**
 * A new array of `size` elements of `dtype`, zero-filled unless `zero` is false (for kernels that
 * write every element).
 */
export function allocate(dtype: DType, size: number, zero = true): TypedArray {
  return (inScope() ? inHeap(ARRAYS[dtype], size, zero) : undefined) ?? plainArray(dtype, size);
}

/**
 * `data` moved into the heap (a copy) inside a scope when the heap can hold it, else `data`
 * itself.
 */
export function adopt(data: TypedArray): TypedArray {
  if (heapAddress(data) >= 0 || !inScope()) return data;
  const ctor = Object.values(ARRAYS).find((c) => data.constructor === c);
  const copy = ctor && inHeap(ctor, data.length, false);
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
