/**
 * A persistent pool of worker threads for the WebAssembly product: large products are split by
 * rows of C between the calling thread and the workers, each running the same kernel on its
 * rows, so results are the same run to run. Workers are `node:worker_threads` workers started
 * from source text (no file, network or other permission needed, so it works when fluxion is
 * imported from JSR), unref'd so they never keep a program alive, and driven through Atomics on
 * shared memory, so the synchronous CPU backend can wait for them.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { wasmBase64 } from "./gemm_wasm.ts";

/** Control words per worker slot (16 Int32 each). */
const SLOT = 16;
const SEQ = 0, DONE = 1, READY = 2, FAILED = 12;

/** The worker's program: compile the kernel, then serve products posted on its control slot. */
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { ctrlBuffer, arena, wasm, slot } = workerData;
const bytes = Uint8Array.from(atob(wasm), (c) => c.charCodeAt(0));
const memory = new WebAssembly.Memory({ initial: 32 });
const sgemm = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } })
  .exports.sgemm_acc;
const ctrl = new Int32Array(ctrlBuffer, slot * ${SLOT} * 4, ${SLOT});
const BASE = 1 << 20;
Atomics.store(ctrl, ${READY}, 1);
Atomics.notify(ctrl, ${READY});
let last = 0;
for (;;) {
  while (Atomics.load(ctrl, ${SEQ}) === last) Atomics.wait(ctrl, ${SEQ}, last);
  last = Atomics.load(ctrl, ${SEQ});
  try {
    const [m, n, k, aOff, aRow, aCol, bOff, cOff, acc] = Array.from(ctrl.subarray(3, 12));
    const data = new Float32Array(arena);
    const aSpan = (m - 1) * aRow + (k - 1) * aCol + 1;
    const floats = aSpan + k * n + m * n + 4 * Math.max(k, 256) + 65536 + 16;
    const need = BASE + floats * 4;
    if (memory.buffer.byteLength < need) {
      memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
    }
    const heap = new Float32Array(memory.buffer);
    const pa = BASE / 4, pb = pa + aSpan, pc = pb + k * n, pp = pc + m * n;
    heap.set(data.subarray(aOff, aOff + aSpan), pa);
    heap.set(data.subarray(bOff, bOff + k * n), pb);
    if (acc) heap.set(data.subarray(cOff, cOff + m * n), pc);
    else heap.fill(0, pc, pc + m * n);
    sgemm(m, n, k, pa * 4, aRow, aCol, pb * 4, pc * 4, pp * 4);
    data.set(heap.subarray(pc, pc + m * n), cOff);
    Atomics.store(ctrl, ${FAILED}, 0);
  } catch (e) {
    Atomics.store(ctrl, ${FAILED}, 1);
  }
  Atomics.store(ctrl, ${DONE}, last);
  Atomics.notify(ctrl, ${DONE});
}
`;

interface Pool {
  ctrl: Int32Array;
  arena: SharedArrayBuffer;
  workers: number;
  seq: number;
  threads: Worker[];
}

let pool: Pool | null | undefined;
let requested: number | undefined;

/**
 * Threads sharing large float32 products on the CPU backend now: the calling thread plus its
 * workers (1 until the first large product starts the pool, or where threads are unavailable).
 *
 * @example
 * ```ts
 * import { cpuThreads } from "@fluxion/fluxion";
 * console.log(cpuThreads() >= 1); // true
 * ```
 */
export function cpuThreads(): number {
  return pool ? pool.workers + 1 : 1;
}

/**
 * Sets how many threads share large float32 products on the CPU backend (1 keeps everything on
 * the calling thread; the default is one per core). Workers already started stop; products from
 * now on use the new count.
 *
 * @example
 * ```ts
 * import { setCpuThreads } from "@fluxion/fluxion";
 * setCpuThreads(1); // single-threaded, e.g. beside other busy processes
 * setCpuThreads(navigator.hardwareConcurrency); // the default again
 * ```
 */
export function setCpuThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`setCpuThreads: n must be a positive integer, got ${n}`);
  }
  requested = n;
  for (const w of pool?.threads ?? []) w.terminate();
  pool = undefined;
}

function start(): Pool | null {
  const cores = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)
    ?.hardwareConcurrency ?? 1;
  const workers = Math.min((requested ?? cores) - 1, 15);
  if (workers < 1) return null;
  try {
    const ctrlBuffer = new SharedArrayBuffer(workers * SLOT * 4);
    const ctrl = new Int32Array(ctrlBuffer);
    const arena = new (SharedArrayBuffer as unknown as new (
      n: number,
      o: { maxByteLength: number },
    ) => SharedArrayBuffer)(1 << 20, { maxByteLength: 2 ** 31 });
    const threads: Worker[] = [];
    for (let slot = 0; slot < workers; slot++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { ctrlBuffer, arena, wasm: wasmBase64, slot },
      });
      w.unref();
      threads.push(w);
    }
    // Wait (at most 2 s) until every worker has compiled its kernel.
    const deadline = performance.now() + 2000;
    for (let slot = 0; slot < workers; slot++) {
      while (Atomics.load(ctrl, slot * SLOT + READY) !== 1) {
        if (performance.now() > deadline) {
          for (const t of threads) t.terminate();
          return null;
        }
        Atomics.wait(ctrl, slot * SLOT + READY, 0, 10);
      }
    }
    return { ctrl, arena, workers, seq: 0, threads };
  } catch {
    return null;
  }
}

/** The pool, started on first use; `undefined` where threads are unavailable or not wanted. */
export function workerPool(): Pool | undefined {
  if (pool === undefined) pool = start();
  return pool ?? undefined;
}

/** A Float32Array over the shared arena, grown to at least `floats` elements. */
export function arenaView(p: Pool, floats: number): Float32Array {
  const bytes = floats * 4;
  const sab = p.arena as SharedArrayBuffer & { grow(n: number): void; byteLength: number };
  if (sab.byteLength < bytes) sab.grow(Math.ceil(bytes / 65536) * 65536);
  return new Float32Array(p.arena);
}

/**
 * Posts rows of a product to worker `slot`: `m` rows, `n` columns, `k` steps, with A at `aOff`
 * (strides aRow, aCol), B at `bOff` and C at `cOff` in the arena.
 */
export function post(
  p: Pool,
  slot: number,
  job: readonly [number, number, number, number, number, number, number, number, number],
): void {
  const base = slot * SLOT;
  p.ctrl.set(job, base + 3);
  Atomics.store(p.ctrl, base + SEQ, ++p.seq);
  Atomics.notify(p.ctrl, base + SEQ);
}

/** Waits for worker `slot`'s last job; false if it failed. */
export function wait(p: Pool, slot: number): boolean {
  const base = slot * SLOT;
  const seq = Atomics.load(p.ctrl, base + SEQ);
  for (;;) {
    const done = Atomics.load(p.ctrl, base + DONE);
    if (done === seq) break;
    Atomics.wait(p.ctrl, base + DONE, done);
  }
  return Atomics.load(p.ctrl, base + FAILED) === 0;
}
