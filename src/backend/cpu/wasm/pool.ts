/**
 * A persistent pool of worker threads for the WebAssembly kernels. Every worker instantiates the
 * kernels over the heap's shared memory, so a task is just a kernel name and its integer
 * arguments (addresses in the heap): large work is split into tasks, the calling thread runs the
 * first and the workers the rest, each with the same kernel, so results are the same run to run.
 * Workers are `node:worker_threads` workers started from source text (no file, network or other
 * permission needed, so it works when fluxion is imported from JSR), unref'd so they never keep
 * a program alive, and driven through Atomics, so the synchronous CPU backend can wait for them.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { type Kernels, wasmHeap } from "./heap.ts";

/** The kernels a task may run, by index in the control block. */
const TASK_KERNELS = [
  "sgemm_part",
  "conv2d_forward",
  "conv2d_backward_input",
  "conv2d_backward_filter",
  "winograd_conv",
  "winograd_filter_grad",
  "maxpool2d_f32",
  "avgpool2d_f32",
  "avgpool2d_backward_f32",
  "binary_f32",
  "program_f32",
  "compare_f32",
  "where_f32",
  "unary_f32",
] as const;
/** A kernel a task may run. */
export type TaskKernel = typeof TASK_KERNELS[number];
/** One piece of split work: a kernel and its arguments (at most 26 integers). */
export interface Task {
  readonly kernel: TaskKernel;
  readonly args: readonly number[];
}

/**
 * Control words per worker slot: sequence, done, ready, kernel, argument count, up to 26
 * arguments, failed.
 */
const SLOT = 32;
const SEQ = 0, DONE = 1, READY = 2, KERNEL = 3, NARGS = 4, ARGS = 5, FAILED = 31;
/** Polls of a control word before the calling thread sleeps on it (some tens of microseconds). */
const SPIN = 20000;
/**
 * Milliseconds a worker polls for its next task before sleeping: the tasks of a training step
 * come a few hundred microseconds apart, and waking a sleeping thread costs tens of microseconds.
 */
const SPIN_MS = 1;

/** The worker's program: instantiate the kernels over the shared memory, then serve tasks. */
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { ctrlBuffer, memory, wasm, slot, names } = workerData;
const bytes = Uint8Array.from(atob(wasm), (c) => c.charCodeAt(0));
const kernelExports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } })
  .exports;
const kernels = names.map((n) => kernelExports[n]);
const ctrl = new Int32Array(ctrlBuffer, slot * ${SLOT} * 4, ${SLOT});
Atomics.store(ctrl, ${READY}, 1);
Atomics.notify(ctrl, ${READY});
let last = 0;
for (;;) {
  const until = performance.now() + ${SPIN_MS};
  for (let spin = 0; Atomics.load(ctrl, ${SEQ}) === last; spin++) {
    if ((spin & 1023) === 0 && performance.now() > until) Atomics.wait(ctrl, ${SEQ}, last);
  }
  last = Atomics.load(ctrl, ${SEQ});
  try {
    kernels[ctrl[${KERNEL}]](...ctrl.subarray(${ARGS}, ${ARGS} + ctrl[${NARGS}]));
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
  workers: number;
  seq: number;
  threads: Worker[];
}

let pool: Pool | null | undefined;
let requested: number | undefined;

/**
 * Threads sharing large work of the WebAssembly kernels on the CPU backend now: the calling
 * thread plus its workers (1 until the first large product starts the pool, or where threads
 * are unavailable).
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
 * Sets how many threads share large float32 work on the CPU backend (1 keeps everything on the
 * calling thread; the default is one per core). Workers already started stop; work from now on
 * uses the new count.
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
  const heap = wasmHeap();
  const cores = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)
    ?.hardwareConcurrency ?? 1;
  const workers = Math.min((requested ?? cores) - 1, 15);
  if (heap === undefined || workers < 1) return null;
  const threads: Worker[] = [];
  try {
    const ctrlBuffer = new SharedArrayBuffer(workers * SLOT * 4);
    const ctrl = new Int32Array(ctrlBuffer);
    for (let slot = 0; slot < workers; slot++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        // The workers need no environment; without this, Deno's worker_threads copies
        // process.env, which asks for env permission.
        env: {},
        workerData: {
          ctrlBuffer,
          memory: heap.memory,
          wasm: heap.module,
          slot,
          names: TASK_KERNELS,
        },
      });
      w.unref();
      threads.push(w);
    }
    // Wait (at most 2 s) until every worker has instantiated the kernels.
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
    return { ctrl, workers, seq: 0, threads };
  } catch {
    for (const t of threads) t.terminate();
    return null;
  }
}

/**
 * Threads available for a split (the calling thread included): 1 where the pool is unavailable
 * or unwanted. Starts the pool on first use.
 */
export function poolThreads(): number {
  if (pool === undefined) pool = start();
  return pool ? pool.workers + 1 : 1;
}

/**
 * Runs `tasks` at once, the first on the calling thread and the rest on workers (at most
 * `poolThreads()` tasks), and returns when all are done. A task that fails on a worker is an
 * error (its output may be partly written).
 */
export function runTasks(kernels: Kernels, tasks: readonly Task[]): void {
  const p = pool;
  if (tasks.length > 1 && (!p || tasks.length > p.workers + 1)) {
    throw new Error(`runTasks: ${tasks.length} tasks for ${cpuThreads()} threads`);
  }
  for (let i = 1; i < tasks.length; i++) {
    const base = (i - 1) * SLOT, t = tasks[i];
    p!.ctrl[base + KERNEL] = TASK_KERNELS.indexOf(t.kernel);
    p!.ctrl[base + NARGS] = t.args.length;
    p!.ctrl.set(t.args, base + ARGS);
    Atomics.store(p!.ctrl, base + SEQ, ++p!.seq);
    Atomics.notify(p!.ctrl, base + SEQ);
  }
  let error: unknown;
  try {
    if (tasks.length > 0) (kernels[tasks[0].kernel] as (...a: number[]) => void)(...tasks[0].args);
  } catch (e) {
    error = e;
  }
  // Even when the calling thread's part throws, the workers finish before the caller frees the
  // scratch and outputs they write.
  const failed = waitAll(p, tasks.length - 1);
  if (error !== undefined) throw error;
  if (failed) throw new Error(`${tasks[0].kernel}: a worker thread of the CPU backend failed`);
}

/** Waits for the first `count` workers' tasks; whether any failed. */
function waitAll(p: Pool | null | undefined, count: number): boolean {
  let failed = false;
  for (let i = 1; i <= count; i++) {
    const base = (i - 1) * SLOT;
    const seq = Atomics.load(p!.ctrl, base + SEQ);
    for (let spin = 0;; spin++) {
      const done = Atomics.load(p!.ctrl, base + DONE);
      if (done === seq) break;
      if (spin > SPIN) Atomics.wait(p!.ctrl, base + DONE, done);
    }
    failed ||= Atomics.load(p!.ctrl, base + FAILED) !== 0;
  }
  return failed;
}

/**
 * Splits `[0, n)` into at most `poolThreads()` contiguous ranges of multiples of `unit` (the
 * last takes the rest), or one range when `n` is too small to share.
 */
export function splitRange(n: number, unit: number, share: boolean): [number, number][] {
  const threads = share ? poolThreads() : 1;
  const size = Math.ceil(n / threads / unit) * unit;
  const out: [number, number][] = [];
  for (let i0 = 0; i0 < n; i0 += size) out.push([i0, Math.min(n, i0 + size)]);
  return out;
}
