/**
 * Deterministic memory release: `dispose`, `scoped` and `memory`.
 *
 * Every `grad`/`valueAndGrad` call releases the intermediates it created when it returns; only
 * returned tensors escape. `scoped` does the same for any function (a whole training step), and
 * can donate its inputs (old parameters and optimizer state) so a loop holds memory flat without
 * explicit `dispose` calls. On the CPU backend a released tensor's WebAssembly-heap block is
 * reused at once (tensors made outside scopes are typed arrays the garbage collector frees); on
 * WebGPU buffers return to the pool at once.
 *
 * @module
 */
import { Tensor } from "../core/tensor.ts";
import { type BackendMemory, disposeTensor, liveMemory, withScope } from "../core/lifetime.ts";
import * as tree from "../tree/tree.ts";
import { type GpuMemoryInfo, gpuMemoryInfo } from "./webgpu/memory_info.ts";
import { heapStats } from "./cpu/wasm/heap.ts";

/**
 * Releases every tensor in `value` (any pytree; non-tensors are ignored). Disposing twice is
 * harmless; computing with a disposed tensor is an error.
 *
 * @example
 * ```ts
 * import { dispose, memory, tensor } from "@fluxion/fluxion";
 * const before = memory().cpu?.tensors ?? 0;
 * const params = { w: tensor([1, 2]), b: tensor(0) };
 * dispose(params);
 * console.log((memory().cpu?.tensors ?? 0) === before); // true
 * ```
 */
export function dispose(value: unknown): void {
  for (const t of tree.leaves(value)) if (t instanceof Tensor) disposeTensor(t);
}

/** Options of `scoped`. */
export interface ScopedOptions {
  /**
   * Positional arguments whose tensors are released after the call (like JAX's
   * `donate_argnums`), except those returned in the result. Donate the old parameters and
   * optimizer state of a training step, which the new ones replace.
   */
  donate?: readonly number[];
}

/**
 * Wraps `f` so the tensors it creates are released when it returns, except those in its result
 * (and, with `donate`, releases the donated arguments too). Wrap a training step in it and memory
 * stays flat over any number of steps, on every backend. `f` must be synchronous (an async
 * function is an error): await data outside, between calls.
 *
 * @example
 * ```ts
 * import { add, memory, mul, scoped, type Tensor, tensor } from "@fluxion/fluxion";
 * const step = scoped((w: Tensor) => add(mul(w, 0.9), 1), { donate: [0] });
 * let w = tensor([1, 2, 3]);
 * w = step(w);
 * const live = memory().cpu!.tensors;
 * for (let i = 0; i < 10; i++) w = step(w);
 * console.log(memory().cpu!.tensors === live); // true
 * ```
 */
export function scoped<Args extends unknown[], R>(
  f: (...args: Args) => R,
  opts: ScopedOptions = {},
): (...args: Args) => R {
  const donate = opts.donate ?? [];
  return (...args: Args): R => {
    for (const i of donate) {
      if (!Number.isInteger(i) || i < 0 || i >= args.length) {
        throw new RangeError(
          `scoped: donate index ${i} is out of range for ${args.length} arguments`,
        );
      }
    }
    const result = withScope(() => f(...args), tree.leaves);
    if (donate.length > 0) {
      const kept = new Set(tree.leaves(result));
      for (const i of donate) {
        for (const t of tree.leaves(args[i])) if (!kept.has(t)) disposeTensor(t);
      }
    }
    return result;
  };
}

/**
 * Live tensors and bytes per backend name, plus the CPU backend's WebAssembly heap and the
 * WebGPU buffer pool when they are in use.
 */
export interface MemoryInfo {
  /** Per backend name (`"cpu"`, `"webgpu"`): live tensors and the bytes of their storage. */
  [backend: string]: BackendMemory | CpuMemoryInfo | GpuMemoryInfo | undefined;
  /** The CPU backend's live tensors, and its WebAssembly heap (always present). */
  cpu?: CpuMemoryInfo;
  /** The WebGPU backend's live tensors, and its buffer pool. */
  webgpu?: GpuMemoryInfo;
}

/**
 * The CPU backend's live tensors and its WebAssembly heap (where float32 and other storage
 * lives so the WebAssembly kernels use it in place, on every thread).
 *
 * @example
 * ```ts
 * import { memory } from "@fluxion/fluxion";
 * const m = memory().cpu;
 * if (m) console.log(m.tensors, m.bytes, m.heapInUseBytes, m.heapReservedBytes);
 * ```
 */
export interface CpuMemoryInfo extends BackendMemory {
  /** Bytes of heap blocks holding live storage or a kernel's scratch (size classes round up). */
  heapInUseBytes: number;
  /** Bytes the heap has grown to; freed blocks stay reserved for reuse. */
  heapReservedBytes: number;
  /** The most heap bytes in use at once so far (peak CPU tensor memory). */
  heapPeakInUseBytes: number;
}

/**
 * What is live now, per backend: tensors not yet disposed or collected and the bytes of their
 * storage; for the CPU the WebAssembly heap its storage lives in, and for WebGPU the bytes held
 * in the buffer pool for reuse (both come in size classes, so bytes in use can exceed `bytes`).
 * Tensors that are neither disposed nor released by a scope count until the garbage collector
 * reclaims them, so measure inside `scoped` steps.
 *
 * @example
 * ```ts
 * import { memory, tensor } from "@fluxion/fluxion";
 * const t = tensor([1, 2, 3]);
 * console.log(memory().cpu!.bytes >= 12); // true
 * ```
 */
export function memory(): MemoryInfo {
  const live = liveMemory();
  const out: MemoryInfo = { ...live };
  const heap = heapStats();
  out.cpu = {
    ...(live.cpu ?? { tensors: 0, bytes: 0 }),
    heapInUseBytes: heap.usedBytes,
    heapReservedBytes: heap.reservedBytes,
    heapPeakInUseBytes: heap.peakUsedBytes,
  };
  const gpu = gpuMemoryInfo();
  if (gpu !== undefined) {
    out.webgpu = { ...gpu, ...(live.webgpu ?? { tensors: 0, bytes: 0 }) };
  }
  return out;
}
