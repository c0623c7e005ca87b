/**
 * The CPU backend's WebAssembly heap: one shared `WebAssembly.Memory` that holds the storage of
 * CPU tensors (typed-array views into it), so the WebAssembly kernels read and write tensors in
 * place, on the calling thread and on every worker of the pool, with no copies. Blocks are
 * allocated by size class and reused; a block is freed when its tensor is released (dispose,
 * `scoped`) or, failing that, when its view is garbage-collected. When the heap is unavailable
 * or full, storage falls back to ordinary typed arrays, which the kernels copy in and out.
 *
 * @module
 */
import { wasmBase64, wasmRelaxedBase64 } from "./kernels_wasm.ts";

const PAGE = 65536;
/** Bytes below this offset are never allocated (address 0 stays invalid). */
const BASE = PAGE;
/** Empty storage stays on the JavaScript heap; everything else goes to the WebAssembly heap. */
const MIN_HEAP_BYTES = 1;
/** The heap grows to at most this many bytes (tensor storage and kernels' scratch). */
const MAX_HEAP_BYTES = 2 ** 31;
/**
 * Tensor storage takes at most this many bytes of the heap (the rest stays for scratch, so kernels
 * keep working); past it, storage goes to the JavaScript heap, where the garbage collector frees
 * it even in a loop that never yields (heap blocks of undisposed tensors return only between
 * event-loop tasks).
 */
let storageLimit = 2 ** 30;
let storageUsed = 0;
/** Offsets of blocks holding tensor storage (the rest is scratch). */
const storageBlocks = new Set<number>();

/** The kernels of `wasm/*.c`, by export name. */
export interface Kernels {
  sgemm_acc(...args: number[]): void;
  sgemm_part(...args: number[]): void;
  sgemm_packs(m: number, n: number, k: number): number;
  conv2d_forward(...args: number[]): void;
  conv2d_backward_input(...args: number[]): void;
  conv2d_backward_filter(...args: number[]): void;
  winograd_filter(...args: number[]): void;
  winograd_conv(...args: number[]): void;
  winograd_filter_grad(...args: number[]): void;
  winograd_filter_adjoint(...args: number[]): void;
  binary_f32(...args: number[]): void;
  program_f32(...args: number[]): void;
  compare_f32(...args: number[]): void;
  where_f32(...args: number[]): void;
  transpose_f32(...args: number[]): void;
  uniform_f32(...args: number[]): void;
  adam_f32(...args: number[]): void;
  unary_f32(...args: number[]): void;
  sum_rows_f32(...args: number[]): void;
  sum_cols_f32(...args: number[]): void;
  f64_to_f32(...args: number[]): void;
  maxpool2d_f32(...args: number[]): void;
  avgpool2d_f32(...args: number[]): void;
  avgpool2d_backward_f32(...args: number[]): void;
  scatter_add_f32(...args: number[]): number;
}

/** The heap: its memory, the kernels instantiated over it, and which build they are. */
export interface Heap {
  readonly memory: WebAssembly.Memory;
  readonly kernels: Kernels;
  /** The module's bytes (base64), for workers to instantiate over the same memory. */
  readonly module: string;
  /** Whether the kernels use relaxed SIMD's fused multiply-add. */
  readonly relaxed: boolean;
}

let heap: Heap | null | undefined;
let buffer: ArrayBufferLike;
let top = BASE;
let used = 0;
let peak = 0;
const free = new Map<number, number[]>();
/** Offset of each live block -> its size class. */
const live = new Map<number, number>();
const collector = new FinalizationRegistry<number>((off) => freeBlock(off));

function bytesOf(b64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function create(): Heap | null {
  try {
    const relaxedBytes = bytesOf(wasmRelaxedBase64);
    const relaxed = WebAssembly.validate(relaxedBytes);
    const bytes = relaxed ? relaxedBytes : bytesOf(wasmBase64);
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    buffer = memory.buffer;
    return {
      memory,
      kernels: instance.exports as unknown as Kernels,
      module: relaxed ? wasmRelaxedBase64 : wasmBase64,
      relaxed,
    };
  } catch {
    return null;
  }
}

/**
 * The heap, created on first use; `undefined` where WebAssembly SIMD or shared memory is
 * missing.
 */
export function wasmHeap(): Heap | undefined {
  if (heap === undefined) heap = create();
  return heap ?? undefined;
}

/** The size class of `bytes`: multiples of 64 up to 4 KiB, then 4 steps per power of two. */
function sizeClass(bytes: number): number {
  if (bytes <= 4096) return Math.max(64, Math.ceil(bytes / 64) * 64);
  const step = 2 ** (Math.floor(Math.log2(bytes)) - 2);
  return Math.ceil(bytes / step) * step;
}

/** A block of `bytes` bytes (64-aligned) and whether it is fresh (zero), or -1 when full. */
function allocBlock(bytes: number): [number, boolean] {
  const h = wasmHeap();
  if (h === undefined) return [-1, false];
  const cls = sizeClass(bytes);
  const reused = free.get(cls)?.pop();
  let off: number;
  if (reused !== undefined) off = reused;
  else {
    if (top + cls > MAX_HEAP_BYTES) return [-1, false];
    const size = h.memory.buffer.byteLength;
    if (top + cls > size) {
      try {
        h.memory.grow(Math.ceil((top + cls - size) / PAGE));
      } catch {
        return [-1, false];
      }
    }
    off = top;
    top += cls;
  }
  live.set(off, cls);
  used += cls;
  if (used > peak) peak = used;
  return [off, reused === undefined];
}

/** Returns block `off` to its size class (idempotent). */
function freeBlock(off: number): void {
  const cls = live.get(off);
  if (cls === undefined) return;
  live.delete(off);
  used -= cls;
  if (storageBlocks.delete(off)) storageUsed -= cls;
  let list = free.get(cls);
  if (list === undefined) free.set(cls, list = []);
  list.push(off);
}

/** Buffers of the heap's memory that views were made on (one per size the memory has had). */
const buffers = new WeakSet<ArrayBufferLike>();
/** The block each heap view owns. */
const owners = new WeakMap<ArrayBufferView, number>();

/** The heap's current buffer (it changes when the memory grows; old views stay valid). */
function heapBuffer(h: Heap): ArrayBufferLike {
  if (buffer.byteLength !== h.memory.buffer.byteLength) buffer = h.memory.buffer;
  buffers.add(buffer);
  return buffer;
}

type ArrayCtor<T> = {
  new (b: ArrayBufferLike, off: number, n: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

/**
 * A view of `n` elements in the heap (zero-filled unless `zero` is false, when its contents are
 * unspecified), freed by `releaseView` or when the view is collected; `undefined` when the heap
 * is unavailable or cannot hold it, or `n` is 0.
 */
export function heapArray<T extends ArrayBufferView & { fill(v: number): T }>(
  ctor: ArrayCtor<T>,
  n: number,
  zero = true,
): T | undefined {
  const bytes = n * ctor.BYTES_PER_ELEMENT;
  if (bytes < MIN_HEAP_BYTES || storageUsed + sizeClass(bytes) > storageLimit) return undefined;
  const h = wasmHeap();
  if (h === undefined) return undefined;
  const [off, fresh] = allocBlock(bytes);
  if (off < 0) return undefined;
  storageBlocks.add(off);
  storageUsed += sizeClass(bytes);
  const view = new ctor(heapBuffer(h), off, n);
  if (!fresh && zero) view.fill(0);
  owners.set(view, off);
  collector.register(view, off, view);
  return view;
}

/** The byte address of `a` in the heap (it or the view it is part of), or -1 if elsewhere. */
export function heapAddress(a: ArrayBufferView): number {
  return buffers.has(a.buffer) ? a.byteOffset : -1;
}

/** Whether `a` is a heap view that still owns its block (not yet released). */
export function ownsBlock(a: ArrayBufferView): boolean {
  return owners.has(a);
}

/** Frees the block `a` owns, if it is a heap view (its tensor was released). */
export function releaseView(a: ArrayBufferView): void {
  const off = owners.get(a);
  if (off === undefined) return;
  owners.delete(a);
  collector.unregister(a);
  freeBlock(off);
}

/** Starts a new peak measurement at the bytes in use now (for benchmarks' per-step peaks). */
export function resetHeapPeak(): void {
  peak = used;
}

/**
 * Bytes of the heap in use by live blocks (size classes round up), reserved by it in all (free
 * blocks are kept for reuse), and the most ever in use at once; zeros before the heap exists.
 */

export function heapStats(): { usedBytes: number; reservedBytes: number; peakUsedBytes: number } {
  return { usedBytes: used, reservedBytes: top - BASE, peakUsedBytes: peak };
}

/**
 * Scratch blocks of the given byte sizes for one kernel call (their addresses), or `undefined`
 * when the heap cannot hold them; free them with `freeScratch`. Contents are unspecified.
 */
export function scratch(...bytes: number[]): number[] | undefined {
  const offs: number[] = [];
  for (const b of bytes) {
    // Sizes past the heap (or not sizes at all) are refused before anything is allocated.
    if (!(b >= 0 && b <= MAX_HEAP_BYTES)) {
      freeScratch(offs);
      return undefined;
    }
    const [off] = allocBlock(Math.max(b, 64));
    if (off < 0) {
      freeScratch(offs);
      return undefined;
    }
    offs.push(off);
  }
  return offs;
}

/** Frees scratch blocks from `scratch`. */
export function freeScratch(offs: readonly number[]): void {
  for (const off of offs) freeBlock(off);
}

/** A Float32Array over the whole heap (for copies in and out of scratch). */
export function heapF32(): Float32Array {
  return new Float32Array(heapBuffer(wasmHeap()!));
}

/**
 * Sets how many bytes tensor storage may take in the heap (for tests of the fallback); returns
 * the previous limit.
 */
export function setStorageLimit(bytes: number): number {
  const previous = storageLimit;
  storageLimit = bytes;
  return previous;
}
