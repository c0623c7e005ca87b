/**
 * The WebAssembly SIMD matrix product (`wasm/gemm.c`), for float32 products on the CPU backend.
 * Compiled once, on first use; where WebAssembly or its SIMD is missing, `wasmGemm()` is
 * `undefined` and the TypeScript kernels run instead. Operands are copied into the module's
 * memory, multiplied there, and the product copied out.
 *
 * @module
 */
import { wasmBase64 } from "./gemm_wasm.ts";
import { arenaView, post, wait, workerPool } from "./pool.ts";

/** Bytes below this offset belong to the module (its stack); operands go above. */
const BASE = 1 << 20;
const PAGE = 65536;

interface Gemm {
  memory: WebAssembly.Memory;
  sgemmAcc: (
    m: number,
    n: number,
    k: number,
    a: number,
    aRow: number,
    aCol: number,
    b: number,
    c: number,
    panel: number,
  ) => void;
}

let gemm: Gemm | null | undefined;

/** The compiled module, or `undefined` where WebAssembly SIMD is unavailable. */
export function wasmGemm(): Gemm | undefined {
  if (gemm === undefined) {
    try {
      const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
      const memory = new WebAssembly.Memory({ initial: 32 });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
        env: { memory },
      });
      gemm = { memory, sgemmAcc: instance.exports.sgemm_acc as Gemm["sgemmAcc"] };
    } catch {
      gemm = null;
    }
  }
  return gemm ?? undefined;
}

/** Products smaller than this many multiply-adds stay in TypeScript (copies would dominate). */
export const WASM_MIN_WORK = 16 * 16 * 16;
/** Products of at least this many multiply-adds (and 8 rows) are split between threads. */
export const PARALLEL_MIN_WORK = 1 << 21;

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
  const g = wasmGemm();
  if (g === undefined) return false;
  const job: Product = { m, n, k, a, aOff, aRow, aCol, b, bOff, c, cOff, accumulate };
  const p = m >= 8 && m * n * k >= PARALLEL_MIN_WORK ? workerPool() : undefined;
  if (p !== undefined) parallel(p, g, job);
  else local(g, job);
  return true;
}

/** One product's operands, as `sgemm` takes them. */
interface Product {
  m: number;
  n: number;
  k: number;
  a: Float32Array;
  aOff: number;
  aRow: number;
  aCol: number;
  b: Float32Array;
  bOff: number;
  c: Float32Array;
  cOff: number;
  accumulate: boolean;
}

/** The product on the calling thread. */
function local(g: Gemm, job: Product): void {
  const { m, n, k, a, aOff, aRow, aCol, b, bOff, c, cOff, accumulate } = job;
  const aSpan = (m - 1) * aRow + (k - 1) * aCol + 1;
  // Scratch after C: A's row panel (4 x k, or 4 x KC) and B's column strips (KC x NC), with
  // KC = NC = 256 (see wasm/gemm.c).
  const floats = aSpan + k * n + m * n + 4 * Math.max(k, 256) + 256 * 256 + 16;
  const need = BASE + floats * 4;
  if (g.memory.buffer.byteLength < need) {
    g.memory.grow(Math.ceil((need - g.memory.buffer.byteLength) / PAGE));
  }
  const heap = new Float32Array(g.memory.buffer);
  const pa = BASE / 4;
  const pb = pa + aSpan;
  const pc = pb + k * n;
  const pp = pc + m * n;
  heap.set(a.subarray(aOff, aOff + aSpan), pa);
  heap.set(b.subarray(bOff, bOff + k * n), pb);
  if (accumulate) heap.set(c.subarray(cOff, cOff + m * n), pc);
  else heap.fill(0, pc, pc + m * n);
  g.sgemmAcc(m, n, k, pa * 4, aRow, aCol, pb * 4, pc * 4, pp * 4);
  c.set(heap.subarray(pc, pc + m * n), cOff);
}

/** Rows `i0 .. i1` of `job` (a product of their own). */
function rowsOf(job: Product, i0: number, i1: number): Product {
  return { ...job, m: i1 - i0, aOff: job.aOff + i0 * job.aRow, cOff: job.cOff + i0 * job.n };
}

/**
 * The product split by rows of C: the calling thread takes the first block of rows, each worker
 * one of the next (multiples of 4, the micro-kernel's height), through the shared arena. A worker
 * that fails has its rows recomputed here.
 */
function parallel(p: NonNullable<ReturnType<typeof workerPool>>, g: Gemm, job: Product): void {
  const { m, n, k, a, aOff, aRow, aCol, b, bOff, c, cOff, accumulate } = job;
  const rows = Math.ceil(m / (p.workers + 1) / 4) * 4;
  const aSpan = (m - 1) * aRow + (k - 1) * aCol + 1;
  const cBase = aSpan + k * n;
  const data = arenaView(p, cBase + m * n);
  data.set(a.subarray(aOff, aOff + aSpan), 0);
  data.set(b.subarray(bOff, bOff + k * n), aSpan);
  const jobs: [number, number, number][] = [];
  for (let slot = 0, i0 = rows; slot < p.workers && i0 < m; slot++, i0 += rows) {
    const i1 = Math.min(m, i0 + rows);
    if (accumulate) data.set(c.subarray(cOff + i0 * n, cOff + i1 * n), cBase + i0 * n);
    post(p, slot, [i1 - i0, n, k, i0 * aRow, aRow, aCol, aSpan, cBase + i0 * n, +accumulate]);
    jobs.push([slot, i0, i1]);
  }
  local(g, rowsOf(job, 0, Math.min(rows, m)));
  for (const [slot, i0, i1] of jobs) {
    if (wait(p, slot)) c.set(data.subarray(cBase + i0 * n, cBase + i1 * n), cOff + i0 * n);
    else local(g, rowsOf(job, i0, i1));
  }
}
