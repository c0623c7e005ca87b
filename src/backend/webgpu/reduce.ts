/**
 * WebGPU launchers for reductions (`kernels/reduce.wgsl`): sum, max and min over any set of
 * axes, argmax and argmin over one axis.
 *
 * Each output element is a work item that `L` lanes share (a power of two up to a whole
 * workgroup of 256): the lanes stride over the reduced elements, then combine their partials in a
 * tree in workgroup memory. `L` is 1 (one invocation per output) for short reductions and grows
 * with the reduced extent; a reduction too long for one workgroup, with few outputs, is split
 * into chunks whose partials a second dispatch reduces. Kept and reduced axes are decoded through
 * uniform dims and strides, adjacent contiguous axes merged.
 *
 * @module
 */
import type { DType } from "../../core/dtype.ts";
import { sizeOf, stridesOf } from "../../core/shape.ts";
import { type GpuContext, wgslType } from "./context.ts";
import {
  checkRank,
  collapseDims,
  describe,
  type GpuKernel,
  type GpuKernelTable,
} from "./kernel.ts";

/** Reduced elements per lane that lanes grow by (up to this many: one invocation per output). */
export const PER_LANE = 8;
/** Invocations a dispatch should keep busy before lanes stop growing with fewer outputs. */
export const TARGET_THREADS = 65536;
/** The least number of elements in one chunk of a split reduction. */
export const CHUNK = 4096;
/** Workgroups a split reduction aims for. */
export const SPLIT_GROUPS = 256;

/**
 * The WGSL prelude declaring `alias T` for `dtype`, with `nan_t`, `lowest` and `highest` (the
 * identities of max and min).
 */
export function typePrelude(dtype: DType): string {
  const t = wgslType(dtype);
  const nan = t === "f32" ? "is_nan(v)" : "false";
  const [lo, hi] = t === "f32"
    ? ["-inf()", "inf()"]
    : t === "i32"
    ? ["bitcast<i32>(0x80000000u)", "2147483647"]
    : ["0u", "0xffffffffu"];
  return `alias T = ${t};\nfn nan_t(v: T) -> bool { return ${nan}; }\n` +
    `fn lowest() -> T { return ${lo}; }\nfn highest() -> T { return ${hi}; }\n`;
}

/** A reduction's index spaces: the kept (output) axes and the reduced axes, collapsed. */
export interface ReduceGeometry {
  /** Output elements. */
  readonly outputs: number;
  /** Reduced elements per output. */
  readonly reduced: number;
  /** Kept dims (collapsed) and their strides in the source. */
  readonly kept: { readonly dims: number[]; readonly strides: number[] };
  /** Reduced dims (collapsed) and their strides in the source. */
  readonly red: { readonly dims: number[]; readonly strides: number[] };
}

/** The geometry of reducing a contiguous tensor of `shape` over `axes`. */
export function reduceGeometry(
  label: string,
  shape: readonly number[],
  axes: readonly number[],
): ReduceGeometry {
  const strides = stridesOf(shape);
  const pick = (keep: boolean) => shape.map((_, i) => i).filter((i) => axes.includes(i) !== keep);
  const collapse = (idx: number[]) => {
    const c = collapseDims(idx.map((i) => shape[i]), [idx.map((i) => strides[i])]);
    checkRank(label, c.shape.length);
    return { dims: c.shape, strides: c.strides[0] };
  };
  const keep = pick(true), drop = pick(false);
  return {
    outputs: sizeOf(keep.map((i) => shape[i])),
    reduced: sizeOf(drop.map((i) => shape[i])),
    kept: collapse(keep),
    red: collapse(drop),
  };
}

const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/**
 * How a reduction runs: `lanes` per work item, whether lane-major, and `chunks` per output (1
 * unless the reduction is split).
 */
export function plan(g: ReduceGeometry): { lanes: number; laneMajor: boolean; chunks: number } {
  const r = g.reduced;
  const inner = g.red.dims.length > 0 && g.red.strides[g.red.dims.length - 1] === 1;
  const work = pow2(Math.ceil(r / PER_LANE));
  const fill = pow2(Math.ceil(TARGET_THREADS / g.outputs));
  // Over the innermost axis, keep at least 32 lanes so an item's reads are adjacent.
  const lanes = Math.min(256, work, Math.max(fill, inner ? 32 : 1));
  let chunks = 1;
  if (lanes === 256 && r > 2 * CHUNK && g.outputs < SPLIT_GROUPS) {
    chunks = Math.min(Math.ceil(r / CHUNK), Math.ceil(SPLIT_GROUPS / g.outputs));
  }
  return { lanes, laneMajor: !inner && lanes > 1, chunks };
}

/** The uniform words of `reduce.wgsl` (see the kernel for the layout). */
function reduceWords(g: ReduceGeometry, lanes: number, laneMajor: boolean, chunks: number) {
  const words = new Array<number>(44).fill(0);
  words[0] = g.outputs * chunks;
  words[1] = g.kept.dims.length;
  words[3] = g.red.dims.length;
  words[4] = g.reduced;
  words[5] = lanes;
  words[6] = laneMajor ? 1 : 0;
  words[7] = chunks;
  words[8] = Math.ceil(g.reduced / chunks);
  g.kept.dims.forEach((d, i) => (words[12 + i] = d));
  g.kept.strides.forEach((s, i) => (words[20 + i] = s));
  g.red.dims.forEach((d, i) => (words[28 + i] = d));
  g.red.strides.forEach((s, i) => (words[36 + i] = s));
  return words;
}

/** The geometry of reducing partials laid out `[outputs, chunks]`, over the chunks. */
function partialsGeometry(outputs: number, chunks: number): ReduceGeometry {
  return {
    outputs,
    reduced: chunks,
    kept: { dims: outputs > 1 ? [outputs] : [], strides: outputs > 1 ? [chunks] : [] },
    red: { dims: [chunks], strides: [1] },
  };
}

const OPS = { sum: 0, max: 1, min: 2, argmax: 3, argmin: 4 } as const;
type Op = keyof typeof OPS;

/** One dispatch of `entry` over geometry `g` in `chunks` per output, on `buffers`. */
function launch(
  ctx: GpuContext,
  op: Op,
  entry: string,
  prelude: string,
  g: ReduceGeometry,
  chunks: number,
  buffers: GPUBuffer[],
  label: string,
): void {
  const { lanes, laneMajor } = plan(g);
  const words = reduceWords(g, lanes, laneMajor, chunks);
  ctx.launch({
    kernel: "reduce",
    entry,
    prelude,
    constants: { OP: OPS[op] },
    buffers,
    words,
    groups: Math.ceil(words[0] / (256 / lanes)),
    label,
  });
}

function valueKernel(op: "sum" | "max" | "min"): GpuKernel<"sum" | "max" | "min"> {
  return (ctx, [x], p, out) => {
    const label = describe(`${op} over [${p.axes.join(",")}]`, [x]);
    const g = reduceGeometry(label, x.shape, p.axes);
    const o = ctx.alloc(g.outputs, label);
    if (g.outputs === 0) return o;
    if (g.reduced === 1) {
      ctx.dispatcher.copy(x.storage.buffer, o.buffer, g.outputs * 4);
      return o;
    }
    const t = wgslType(out.dtype);
    // bool sums wrap to 8 bits, as the CPU's Uint8Array storage does.
    const emit = op === "sum" && t === "u32" ? "v & 255u" : "v";
    const prelude = typePrelude(out.dtype) +
      `alias O = T;\nfn emit(v: T) -> O { return ${emit}; }`;
    const { chunks } = plan(g);
    if (chunks === 1) {
      launch(ctx, op, "reduce", prelude, g, 1, [x.storage.buffer, o.buffer], label);
      return o;
    }
    const part = ctx.alloc(g.outputs * chunks, label);
    launch(ctx, op, "reduce", prelude, g, chunks, [x.storage.buffer, part.buffer], label);
    const g2 = partialsGeometry(g.outputs, chunks);
    launch(ctx, op, "reduce", prelude, g2, 1, [part.buffer, o.buffer], label);
    ctx.pool.release(part.buffer); // reusable only after the next submit
    return o;
  };
}

function argKernel(op: "argmax" | "argmin"): GpuKernel<"argmax" | "argmin"> {
  return (ctx, [x], p) => {
    const label = describe(`${op} over ${p.axis}`, [x]);
    const g = reduceGeometry(label, x.shape, [p.axis]);
    const o = ctx.alloc(g.outputs, label);
    if (g.outputs === 0) return o;
    const prelude = typePrelude(x.dtype) + "alias O = i32;\nfn emit(v: T) -> O { return O(v); }";
    const { chunks } = plan(g);
    if (chunks === 1) {
      launch(ctx, op, "arg_reduce", prelude, g, 1, [x.storage.buffer, o.buffer], label);
      return o;
    }
    const n = g.outputs * chunks;
    const vals = ctx.alloc(n, label), idx = ctx.alloc(n, label);
    const bufs = [x.storage.buffer, vals.buffer, idx.buffer];
    launch(ctx, op, "arg_partial", prelude, g, chunks, bufs, label);
    const g2 = partialsGeometry(g.outputs, chunks);
    launch(ctx, op, "arg_finish", prelude, g2, 1, [vals.buffer, idx.buffer, o.buffer], label);
    ctx.pool.release(vals.buffer);
    ctx.pool.release(idx.buffer);
    return o;
  };
}

/** WebGPU kernels of the reductions: sum, max, min, argmax and argmin. */
export const reduceKernels: GpuKernelTable<"sum" | "max" | "min" | "argmax" | "argmin"> = {
  sum: valueKernel("sum"),
  max: valueKernel("max"),
  min: valueKernel("min"),
  argmax: argKernel("argmax"),
  argmin: argKernel("argmin"),
};
