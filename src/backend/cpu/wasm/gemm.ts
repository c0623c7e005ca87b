/**
 * The WebAssembly SIMD matrix product (`wasm/gemm.c`) for float32 products on the CPU backend.
 * Operands already in the WebAssembly heap (tensors the CPU backend allocated) are used in
 * place; others are copied into scratch first. Large products are split by rows of C between the
 * threads of the pool. Where WebAssembly is missing, `sgemm` returns false and the TypeScript
 * kernels run instead.
 *
 * @module
 */
import { freeScratch, heapAddress, heapF32, scratch, wasmHeap } from "./heap.ts";
import { runTasks, splitRange, type Task } from "./pool.ts";

/** Products smaller than this many multiply-adds stay in TypeScript (calls would dominate). */
export const WASM_MIN_WORK = 16 * 16 * 16;
/** Products of at least this many multiply-adds (and 8 rows) are split between threads. */
export const PARALLEL_MIN_WORK = 1 << 21;
/** Floats of scratch `sgemm_acc` needs for `k` steps (SGEMM_SCRATCH in wasm/kernels.h). */
export const sgemmScratch = (k: number): number => 4 * Math.max(k, 256) + 256 * 256 + 16;

/**
 * The byte address of `n` floats of `a` from element `off` in the heap: in place when `a` lives
 * there, else copied (`copy`) or left unset into a new scratch block pushed on `temps`.
 */
export function place(
  a: Float32Array,
  off: number,
  n: number,
  copy: boolean,
  temps: number[],
): number | undefined {
  const at = heapAddress(a);
  if (at >= 0) return at + off * 4;
  const s = scratch(n * 4);
  if (s === undefined) return undefined;
  temps.push(s[0]);
  if (copy) heapF32().set(a.subarray(off, off + n), s[0] / 4);
  return s[0];
}

/**
 * `c = A·B` in float32 for `A` `[m, k]` read at `a[aOff + i*aRow + t*aCol]` and `B` `[k, n]`
 * contiguous at `b[bOff]`; writes `m*n` floats into `c` at `cOff` (or adds to them with
 * `accumulate`). Returns false (having done nothing) where WebAssembly is unavailable.
 */
export function sgemm(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  aOff: number,
  aRow: number,
  aCol: number,
  b: Float32Array,
  bOff: number,
  c: Float32Array,
  cOff: number,
  accumulate = false,
): boolean {
  const heap = wasmHeap();
  if (heap === undefined) return false;
  const temps: number[] = [];
  try {
    const aSpan = (m - 1) * aRow + (k - 1) * aCol + 1;
    const pa = place(a, aOff, aSpan, true, temps);
    const pb = place(b, bOff, k * n, true, temps);
    const cInHeap = heapAddress(c) >= 0;
    if (cInHeap && !accumulate) c.fill(0, cOff, cOff + m * n);
    const pc = place(c, cOff, m * n, accumulate, temps);
    if (pa === undefined || pb === undefined || pc === undefined) return false;
    if (!cInHeap && !accumulate) heapF32().fill(0, pc / 4, pc / 4 + m * n);
    // Threads take blocks of rows of C, or of columns when C is much wider than tall (each
    // thread then packs only its own columns of B).
    const share = m * n * k >= PARALLEL_MIN_WORK;
    const byCols = n >= 4 * m;
    const parts = byCols ? splitRange(n, 8, share) : splitRange(m, 4, share && m >= 8);
    const panels = scratch(...parts.map(() => sgemmScratch(k) * 4));
    if (panels === undefined) return false;
    temps.push(...panels);
    // Every part packs B or not as the whole product would, so results do not depend on the split.
    const pack = heap.kernels.sgemm_packs(m, n, k);
    const tasks: Task[] = parts.map(([i0, i1], t) => ({
      kernel: "sgemm_part",
      args: byCols
        ? [m, i1 - i0, k, pa, aRow, aCol, pb + i0 * 4, n, pc + i0 * 4, panels[t], pack]
        : [i1 - i0, n, k, pa + i0 * aRow * 4, aRow, aCol, pb, n, pc + i0 * n * 4, panels[t], pack],
    }));
    runTasks(heap.kernels, tasks);
    if (!cInHeap) c.set(heapF32().subarray(pc / 4, pc / 4 + m * n), cOff);
    return true;
  } finally {
    freeScratch(temps);
  }
}
