/**
 * WebGPU launchers for the movement primitives (`kernels/movement.wgsl`): reshape shares its
 * input's buffer; transpose, broadcastTo and slice are one strided copy; pad and concat place
 * elements.
 *
 * @module
 */
import { broadcastStrides, sizeOf, stridesOf } from "../../core/shape.ts";
import type { GpuContext, GpuStorage } from "./context.ts";
import { wgslType } from "./context.ts";
import { checkRank, collapseDims, describe, type GpuInput, type GpuKernelTable } from "./kernel.ts";

/** Bits of `value` as an element of `dtype` (the pad value travels in a uniform word). */
function valueBits(value: number, t: "f32" | "i32" | "u32"): number {
  if (t === "f32") return new Uint32Array(new Float32Array([value]).buffer)[0];
  return t === "i32" ? value | 0 : +(value !== 0);
}

/** out[i] = x[base + strided(i)], for an output of `shape` read through `strides` of `x`. */
function stridedCopy(
  ctx: GpuContext,
  x: GpuInput,
  shape: readonly number[],
  strides: readonly number[],
  base: number,
  label: string,
): GpuStorage {
  const n = sizeOf(shape);
  const o = ctx.alloc(n, label);
  const c = collapseDims(shape, [strides]);
  checkRank(label, c.shape.length);
  const words = new Array<number>(20).fill(0);
  words[0] = n;
  words[1] = c.shape.length;
  words[3] = base;
  c.shape.forEach((d, i) => (words[4 + i] = d));
  c.strides[0].forEach((s, i) => (words[12 + i] = s));
  if (c.shape.length <= 1 && base === 0 && (c.shape.length === 0 || c.strides[0][0] === 1)) {
    if (n > 0) ctx.dispatcher.copy(x.storage.buffer, o.buffer, n * 4);
    return o;
  }
  ctx.launch({
    kernel: "movement",
    entry: "strided_copy",
    prelude: `alias T = ${wgslType(x.dtype)};`,
    buffers: [x.storage.buffer, o.buffer],
    words,
    threads: n,
    label,
  });
  return o;
}

/** WebGPU kernels of the movement primitives (gather and scatterAdd are in `indexing.ts`). */
export const movementKernels: GpuKernelTable<
  "reshape" | "transpose" | "broadcastTo" | "slice" | "pad" | "concat"
> = {
  reshape: (_ctx, [x]) => x.storage,
  transpose: (ctx, [x], p, out) => {
    const s = stridesOf(x.shape);
    return stridedCopy(ctx, x, out.shape, p.perm.map((a) => s[a]), 0, describe("transpose", [x]));
  },
  broadcastTo: (ctx, [x], _p, out) =>
    stridedCopy(
      ctx,
      x,
      out.shape,
      broadcastStrides(x.shape, out.shape),
      0,
      describe("broadcastTo", [x]),
    ),
  slice: (ctx, [x], p, out) => {
    const s = stridesOf(x.shape);
    const base = p.starts.reduce((acc, st, i) => acc + st * s[i], 0);
    return stridedCopy(
      ctx,
      x,
      out.shape,
      s.map((v, i) => v * p.steps[i]),
      base,
      describe("slice", [x]),
    );
  },
  pad: (ctx, [x], p, out) => {
    const label = describe("pad", [x]);
    const n = sizeOf(out.shape);
    const o = ctx.alloc(n, label);
    const r = x.shape.length;
    checkRank(label, r);
    const t = wgslType(x.dtype);
    const words = new Array<number>(44).fill(0);
    words[0] = n;
    words[1] = r;
    words[3] = valueBits(p.value, t);
    const s = stridesOf(x.shape);
    for (let d = 0; d < r; d++) {
      words[4 + d] = out.shape[d];
      words[12 + d] = s[d];
      words[20 + d] = p.widths[d][0];
      words[28 + d] = p.widths[d][2] + 1;
      words[36 + d] = x.shape[d];
    }
    ctx.launch({
      kernel: "movement",
      entry: "pad",
      prelude: `alias T = ${t};`,
      buffers: [x.storage.buffer, o.buffer],
      words,
      threads: n,
      label,
    });
    return o;
  },
  concat: (ctx, inputs, p, out) => {
    const label = describe("concat", inputs);
    const o = ctx.alloc(sizeOf(out.shape), label);
    const os = stridesOf(out.shape);
    let at = 0;
    for (const x of inputs) {
      const n = sizeOf(x.shape);
      if (n > 0) {
        const c = collapseDims(x.shape, [stridesOf(x.shape), os]);
        checkRank(label, c.shape.length);
        const words = new Array<number>(20).fill(0);
        words[0] = n;
        words[1] = c.shape.length;
        words[3] = at * os[p.axis];
        c.shape.forEach((d, i) => (words[4 + i] = d));
        c.strides[1].forEach((v, i) => (words[12 + i] = v));
        ctx.launch({
          kernel: "movement",
          entry: "place",
          prelude: `alias T = ${wgslType(x.dtype)};`,
          buffers: [x.storage.buffer, o.buffer],
          words,
          threads: n,
          label,
        });
      }
      at += x.shape[p.axis];
    }
    return o;
  },
};
