/**
 * float32 convolutions on the WebAssembly kernels (`wasm/conv.c`): im2col into per-thread
 * scratch and the SIMD product, one image at a time, the batch split between the threads of the
 * pool. Each returns `undefined` where WebAssembly is unavailable, and the caller falls back to
 * the TypeScript kernels.
 *
 * @module
 */
import type { ConvParams } from "../../../core/primitives.ts";
import { allocate } from "../alloc.ts";
import { type ConvGeometry, convGeometry } from "../im2col.ts";
import { PARALLEL_MIN_WORK, place } from "./gemm.ts";
import { freeScratch, type Heap, heapAddress, heapF32, scratch, wasmHeap } from "./heap.ts";
import { runTasks, splitRange, type TaskKernel } from "./pool.ts";

/** The geometry as `wasm/conv.c` reads it (its enum order). */
function geometryWords(g: ConvGeometry): number[] {
  const { n, c, h, w, o, groups, cg, og, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl } = g;
  return [n, c, h, w, o, groups, cg, og, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl];
}

interface Operand {
  readonly data: Float32Array;
  /** Copy it into the heap (inputs), or leave the copy unset (outputs). */
  readonly input: boolean;
}

/**
 * Runs `kernel` over the batch: operands placed in the heap, the geometry and each thread's
 * scratch allocated, images split between threads, outputs copied back where they were not in
 * the heap. `extra(t)` gives thread `t` its own output address when it needs one (or undefined).
 */
function convTasks(
  heap: Heap,
  kernel: TaskKernel,
  g: ConvGeometry,
  operands: readonly Operand[],
  extraFloats = 0,
): { ok: boolean; partials: number[] } {
  const temps: number[] = [];
  try {
    const addr: number[] = [];
    const copyOut: boolean[] = [];
    for (const op of operands) {
      copyOut.push(!op.input && heapAddress(op.data) < 0);
      const a = place(op.data, 0, op.data.length, op.input, temps);
      if (a === undefined) return { ok: false, partials: [] };
      // Outputs allocated in the heap are zero already; scratch stand-ins are not.
      if (copyOut[copyOut.length - 1]) heapF32().fill(0, a / 4, a / 4 + op.data.length);
      addr.push(a);
    }
    const gs = scratch(18 * 4);
    if (gs === undefined) return { ok: false, partials: [] };
    temps.push(gs[0]);
    new Int32Array(heapF32().buffer, gs[0], 18).set(geometryWords(g));
    const work = g.n * g.o * g.oh * g.ow * g.cg * g.kh * g.kw;
    const parts = splitRange(g.n, 1, work >= PARALLEL_MIN_WORK);
    const floats = heap.kernels.conv2d_scratch(gs[0]);
    const per = parts.map((_, t) => floats * 4 + (t > 0 ? extraFloats * 4 : 0));
    const blocks = scratch(...per);
    if (blocks === undefined) return { ok: false, partials: [] };
    temps.push(...blocks);
    // Threads after the first accumulate into their own zeroed partial (after their scratch).
    const partials = parts.slice(1).map((_, i) => blocks[i + 1] + floats * 4);
    for (const at of partials) heapF32().fill(0, at / 4, at / 4 + extraFloats);
    runTasks(
      heap.kernels,
      parts.map(([n0, n1], t) => {
        const out = t > 0 && extraFloats > 0 ? partials[t - 1] : addr[2];
        return { kernel, args: [gs[0], n0, n1, addr[0], addr[1], out, blocks[t]] };
      }),
    );
    const f = heapF32();
    for (const at of partials) {
      if (extraFloats === 0) break;
      const dst = addr[2] / 4;
      for (let i = 0; i < extraFloats; i++) f[dst + i] += f[at / 4 + i];
    }
    operands.forEach((op, i) => {
      if (copyOut[i]) op.data.set(f.subarray(addr[i] / 4, addr[i] / 4 + op.data.length));
    });
    return { ok: true, partials };
  } finally {
    freeScratch(temps);
  }
}

/** y[n, g*og + o, p] = Σ_k w[g*og + o, k] · col_{n,g}[k, p]. */
export function conv2dF32(
  x: Float32Array,
  xShape: readonly number[],
  w: Float32Array,
  wShape: readonly number[],
  yShape: readonly number[],
  p: ConvParams,
): Float32Array | undefined {
  const heap = wasmHeap();
  if (heap === undefined) return undefined;
  const g = convGeometry(xShape, wShape, yShape, p);
  const y = allocate("float32", g.n * g.o * g.oh * g.ow) as Float32Array;
  const ops = [{ data: x, input: true }, { data: w, input: true }, { data: y, input: false }];
  return convTasks(heap, "conv2d_forward", g, ops).ok ? y : undefined;
}

/** dx = col2im(w_g^T · ct_{n,g}) for every image and group. */
export function conv2dBackwardInputF32(
  ct: Float32Array,
  ctShape: readonly number[],
  w: Float32Array,
  wShape: readonly number[],
  xShape: readonly number[],
  p: ConvParams,
): Float32Array | undefined {
  const heap = wasmHeap();
  if (heap === undefined) return undefined;
  const g = convGeometry(xShape, wShape, ctShape, p);
  const dx = allocate("float32", g.n * g.c * g.h * g.w) as Float32Array;
  const ops = [{ data: ct, input: true }, { data: w, input: true }, { data: dx, input: false }];
  return convTasks(heap, "conv2d_backward_input", g, ops).ok ? dx : undefined;
}

/**
 * dw[g*og + o, k] = Σ_n Σ_p ct[n, g*og + o, p] · colT_{n,g}[p, k]: each thread sums its images
 * into its own partial, and the partials are added in thread order.
 */
export function conv2dBackwardFilterF32(
  x: Float32Array,
  xShape: readonly number[],
  ct: Float32Array,
  ctShape: readonly number[],
  wShape: readonly number[],
  p: ConvParams,
): Float32Array | undefined {
  const heap = wasmHeap();
  if (heap === undefined) return undefined;
  const g = convGeometry(xShape, wShape, ctShape, p);
  const dw = allocate("float32", g.o * g.cg * g.kh * g.kw) as Float32Array;
  const ops = [{ data: x, input: true }, { data: ct, input: true }, { data: dw, input: false }];
  return convTasks(heap, "conv2d_backward_filter", g, ops, dw.length).ok ? dw : undefined;
}
