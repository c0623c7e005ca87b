/**
 * float32 convolutions on the WebAssembly kernels: 3 x 3 filters with stride 1 and enough
 * channels by Winograd F(2x2, 3x3) (`wasm/winograd.c`, forward and input gradient), the rest by
 * im2col into per-thread scratch and the SIMD product (`wasm/conv.c`); one image at a time, the
 * batch split between the threads of the pool. Each returns `undefined` where WebAssembly is
 * unavailable, and the caller falls back to the TypeScript kernels.
 *
 * @module
 */
import type { ConvParams } from "../../../core/primitives.ts";
import { allocate } from "../alloc.ts";
import { type ConvGeometry, convGeometry } from "../im2col.ts";
import { PARALLEL_MIN_WORK, place, sgemmScratch } from "./gemm.ts";
import { freeScratch, type Heap, heapAddress, heapF32, scratch, wasmHeap } from "./heap.ts";
import { runTasks, splitRange, type TaskKernel } from "./pool.ts";

/** The geometry as `wasm/conv.c` reads it (its enum order). */
function geometryWords(g: ConvGeometry): number[] {
  const { n, c, h, w, o, groups, cg, og, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl } = g;
  return [n, c, h, w, o, groups, cg, og, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl];
}

/** A kernel argument: an array (input copied into the heap, output copied back) or an address. */
type Operand = { readonly data: Float32Array; readonly input: boolean } | { readonly at: number };

/** One batched convolution for `runBatch`. */
interface BatchJob {
  readonly kernel: TaskKernel;
  /** The geometry words the kernel reads. */
  readonly words: readonly number[];
  readonly images: number;
  /** Multiply-adds in all, to decide whether to share the batch between threads. */
  readonly work: number;
  /** Input, filter (or transformed filter) and output. */
  readonly operands: readonly [Operand, Operand, Operand];
  /** Floats of scratch one thread needs. */
  readonly scratchFloats: number;
  /** With a nonzero size, threads after the first sum into partial outputs of this many floats. */
  readonly partialFloats?: number;
}

/**
 * Runs a batched convolution kernel: operands placed in the heap, the geometry and each
 * thread's scratch allocated, images split between threads, partial outputs added in thread
 * order, outputs copied back where they were not in the heap. Scratch goes on `temps`. False
 * when the heap cannot hold it all.
 */
function runBatch(heap: Heap, job: BatchJob, temps: number[]): boolean {
  const addr: number[] = [];
  const copyOut: boolean[] = [];
  for (const op of job.operands) {
    if ("at" in op) {
      addr.push(op.at);
      copyOut.push(false);
      continue;
    }
    copyOut.push(!op.input && heapAddress(op.data) < 0);
    const a = place(op.data, 0, op.data.length, op.input, temps);
    if (a === undefined) return false;
    // Outputs allocated in the heap are zero already; scratch stand-ins are not.
    if (copyOut[copyOut.length - 1]) heapF32().fill(0, a / 4, a / 4 + op.data.length);
    addr.push(a);
  }
  const gs = scratch(job.words.length * 4);
  if (gs === undefined) return false;
  temps.push(gs[0]);
  new Int32Array(heapF32().buffer, gs[0], job.words.length).set(job.words);
  const threads = Math.max(1, splitRange(job.images, 1, job.work >= PARALLEL_MIN_WORK).length);
  const floats = job.scratchFloats;
  const extra = job.partialFloats ?? 0;
  // Sums over images (filter gradients) go by fixed chunks of images, each into its own zeroed
  // partial (the first into the output), added in chunk order: the same bits whatever the number
  // of threads, which take the chunks in rounds. Other kernels split images between threads.
  const chunks = extra > 0 ? partialChunks(job.images, extra) : threads;
  const ranges = evenRanges(job.images, chunks);
  const blocks = scratch(
    ...Array.from({ length: Math.min(threads, ranges.length) }, () => floats * 4),
  );
  const partialBlocks = extra > 0 ? scratch(...ranges.slice(1).map(() => extra * 4)) : [];
  if (blocks === undefined || partialBlocks === undefined) {
    if (blocks) temps.push(...blocks);
    return false;
  }
  temps.push(...blocks, ...partialBlocks);
  const partials = partialBlocks;
  for (const at of partials) heapF32().fill(0, at / 4, at / 4 + extra);
  for (let r = 0; r < ranges.length; r += blocks.length) {
    runTasks(
      heap.kernels,
      ranges.slice(r, r + blocks.length).map(([n0, n1], t) => ({
        kernel: job.kernel,
        args: [
          gs[0],
          n0,
          n1,
          addr[0],
          addr[1],
          extra > 0 && r + t > 0 ? partials[r + t - 1] : addr[2],
          blocks[t],
        ],
      })),
    );
  }
  const f = heapF32();
  for (const at of partials) {
    const dst = addr[2] / 4;
    for (let i = 0; i < extra; i++) f[dst + i] += f[at / 4 + i];
  }
  job.operands.forEach((op, i) => {
    if (copyOut[i] && "data" in op) {
      op.data.set(f.subarray(addr[i] / 4, addr[i] / 4 + op.data.length));
    }
  });
  return true;
}

/** At most this many partial sums over images (filter gradients), and this many bytes of them. */
const MAX_PARTIALS = 8;
const MAX_PARTIAL_BYTES = 2 ** 26;

/** How many chunks of images a sum over `images` goes in, with partials of `floats` floats. */
function partialChunks(images: number, floats: number): number {
  const byMemory = Math.floor(MAX_PARTIAL_BYTES / (floats * 4)) + 1;
  return Math.max(1, Math.min(images, MAX_PARTIALS, byMemory));
}

/** `[0, n)` in `count` contiguous ranges as equal as possible (the first ones longer). */
function evenRanges(n: number, count: number): [number, number][] {
  const out: [number, number][] = [];
  for (let c = 0, at = 0; c < count; c++) {
    const len = Math.floor(n / count) + (c < n % count ? 1 : 0);
    out.push([at, at + len]);
    at += len;
  }
  return out;
}

/** Runs `job` and frees its scratch; false when the heap cannot hold it. */
function convTasks(heap: Heap, job: BatchJob, temps: number[] = []): boolean {
  try {
    return runBatch(heap, job, temps);
  } finally {
    freeScratch(temps);
  }
}

/** An im2col convolution job of `kernel` over geometry `g`. */
function im2colJob(
  kernel: TaskKernel,
  g: ConvGeometry,
  operands: BatchJob["operands"],
  partialFloats = 0,
): BatchJob {
  const k = g.cg * g.kh * g.kw, p = g.oh * g.ow;
  return {
    kernel,
    words: geometryWords(g),
    images: g.n,
    work: g.n * g.o * g.oh * g.ow * g.cg * g.kh * g.kw,
    operands,
    // col (K x P), then the product's scratch for its longest sum (K, og or P steps).
    scratchFloats: k * p + sgemmScratch(Math.max(k, g.og, p)),
    partialFloats,
  };
}

/**
 * Whether Winograd F(2x2, 3x3) serves `g`: 3 x 3 filters, stride 1, no dilation, one group,
 * and enough channels each way for its products over channels to run well.
 */
function winogradFits(g: ConvGeometry): boolean {
  return g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 &&
    g.groups === 1 && g.c >= WINOGRAD_MIN_CHANNELS && g.o >= WINOGRAD_MIN_CHANNELS;
}

/** Channels (in and out) from which 3 x 3 convolutions take Winograd's algorithm. */
export const WINOGRAD_MIN_CHANNELS = 16;

/**
 * `y = x ⋆ w` by Winograd F(2x2, 3x3) with `cin` input and `cout` output channels (the input
 * gradient passes the output gradient as `x` and `flip`s the filter); false when the heap cannot
 * hold it.
 */
function winograd(
  heap: Heap,
  x: Float32Array,
  w: Float32Array,
  y: Float32Array,
  [n, cin, h, wd]: readonly number[],
  [cout, oh, ow]: readonly number[],
  [pt, pl]: readonly number[],
  flip: boolean,
): boolean {
  const temps: number[] = [];
  const tiles = Math.ceil(oh / 2) * Math.ceil(ow / 2);
  const pw = place(w, 0, w.length, true, temps);
  const u = scratch(16 * cout * cin * 4);
  if (pw === undefined || u === undefined) {
    freeScratch(temps);
    return false;
  }
  temps.push(u[0]);
  heap.kernels.winograd_filter(cout, cin, pw, +flip, u[0]);
  return convTasks(heap, {
    kernel: "winograd_conv",
    words: [n, cin, h, wd, cout, oh, ow, pt, pl],
    images: n,
    work: n * cout * oh * ow * cin * 4,
    operands: [{ data: x, input: true }, { at: u[0] }, { data: y, input: false }],
    // V (16 x cin x tiles), M (16 x cout x tiles), the product's scratch.
    scratchFloats: 16 * cin * tiles + 16 * cout * tiles + sgemmScratch(cin),
  }, temps);
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
  const y = allocate("float32", g.n * g.o * g.oh * g.ow, !winogradFits(g)) as Float32Array;
  if (winogradFits(g)) {
    const ok = winograd(heap, x, w, y, xShape, [g.o, g.oh, g.ow], [g.pt, g.pl], false);
    return ok ? y : undefined;
  }
  const ops = [{ data: x, input: true }, { data: w, input: true }, {
    data: y,
    input: false,
  }] as const;
  return convTasks(heap, im2colJob("conv2d_forward", g, ops)) ? y : undefined;
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
  const dx = allocate("float32", g.n * g.c * g.h * g.w, !winogradFits(g)) as Float32Array;
  if (winogradFits(g)) {
    // The input gradient is a 3 x 3 convolution of the output gradient with the flipped filter.
    const pad = [2 - g.pt, 2 - g.pl];
    const ok = winograd(heap, ct, w, dx, ctShape, [g.c, g.h, g.w], pad, true);
    return ok ? dx : undefined;
  }
  const ops = [{ data: ct, input: true }, { data: w, input: true }, {
    data: dx,
    input: false,
  }] as const;
  return convTasks(heap, im2colJob("conv2d_backward_input", g, ops)) ? dx : undefined;
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
  const dw = allocate("float32", g.o * g.cg * g.kh * g.kw, !winogradFits(g)) as Float32Array;
  if (winogradFits(g)) return winogradFilterGrad(heap, x, ct, dw, g) ? dw : undefined;
  const ops = [{ data: x, input: true }, { data: ct, input: true }, {
    data: dw,
    input: false,
  }] as const;
  return convTasks(heap, im2colJob("conv2d_backward_filter", g, ops, dw.length)) ? dw : undefined;
}

/**
 * The filter gradient of a Winograd-shaped convolution through the adjoint transforms: each
 * thread sums its images' products in the transformed domain, the partial sums are added in
 * thread order, and one adjoint filter transform gives `dw`. False when the heap cannot hold it.
 */
function winogradFilterGrad(
  heap: Heap,
  x: Float32Array,
  ct: Float32Array,
  dw: Float32Array,
  g: ConvGeometry,
): boolean {
  const temps: number[] = [];
  try {
    const floats = 16 * g.c * g.o;
    const tiles = Math.ceil(g.oh / 2) * Math.ceil(g.ow / 2);
    const dut = scratch(floats * 4);
    if (dut === undefined) return false;
    temps.push(dut[0]);
    heapF32().fill(0, dut[0] / 4, dut[0] / 4 + floats);
    const ok = runBatch(heap, {
      kernel: "winograd_filter_grad",
      words: [g.n, g.c, g.h, g.w, g.o, g.oh, g.ow, g.pt, g.pl],
      images: g.n,
      work: g.n * g.o * g.oh * g.ow * g.c * 4,
      operands: [{ data: x, input: true }, { data: ct, input: true }, { at: dut[0] }],
      // V, dM, V[e] transposed (cin x tiles), the product's scratch.
      scratchFloats: 17 * g.c * tiles + 16 * g.o * tiles + sgemmScratch(tiles),
      partialFloats: floats,
    }, temps);
    if (!ok) return false;
    const pdw = place(dw, 0, dw.length, false, temps);
    if (pdw === undefined) return false;
    heap.kernels.winograd_filter_adjoint(g.o, g.c, dut[0], pdw);
    if (heapAddress(dw) < 0) dw.set(heapF32().subarray(pdw / 4, pdw / 4 + dw.length));
    return true;
  } finally {
    freeScratch(temps);
  }
}
