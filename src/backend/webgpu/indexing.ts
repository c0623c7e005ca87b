/**
 * WebGPU launchers for gather and scatterAdd (`kernels/indexing.wgsl`). Both run one invocation
 * per output element: gather reads one source element; scatterAdd adds the updates that target
 * its element in the CPU's order, so it needs no float atomics (WGSL has none) and gives the
 * CPU's sums on every run. scatterAdd finds those updates either by scanning the column of
 * indices (cheap for few indices along the axis) or through a plan: each column's indices
 * bucketed by target first, so the embedding gradient (many indices into a large table) costs
 * linear, not quadratic, work. Indices out of range are reported as faults with the CPU
 * backend's message, when data is next read back.
 *
 * @module
 */
import { fmtShape, type Shape, sizeOf } from "../../core/shape.ts";
import { wgslType } from "./context.ts";
import { describe, type GpuKernelTable } from "./kernel.ts";

/** Splits a shape around `axis` into (outer, size, inner) element counts. */
function around(shape: Shape, axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

/**
 * The error message of an out-of-range index, worded as the CPU backend's: the kernel reports
 * the index's position in the indices and its bits.
 */
export function indexFault(
  op: string,
  axis: number,
  shape: Shape,
): (position: number, value: number) => string {
  return (_position, value) =>
    `${op}: index ${value | 0} is out of range for axis ${axis} of size ${shape[axis]} (shape ${
      fmtShape(shape)
    })`;
}

/** How scatterAdd finds the updates of each output element. */
export type ScatterStrategy = "auto" | "scan" | "plan";

/**
 * Settings of the scatterAdd kernels. `strategy` `"scan"` makes every output element read its
 * whole column of indices (m reads each); `"plan"` buckets each column's indices by target in
 * a first dispatch (one invocation per column, O(m + size) each) so every output element reads
 * only its own updates; `"auto"` (the default) picks by a rough cost estimate. Tests set it to
 * exercise both paths.
 */
export const scatterAddOptions: { strategy: ScatterStrategy } = { strategy: "auto" };

/** Invocations a GPU runs at once, roughly, for the cost estimate of `usePlan`. */
const LANES = 4096;

/**
 * Whether scatterAdd should bucket its indices first (the plan) rather than scan them, for
 * `cols` columns (the elements of all axes but `axis`), an axis of `size` and `m` indices along
 * it: a rough estimate of each one's time on a GPU running `LANES` invocations at once, as the
 * longest serial chain times the number of waves. Obeys `scatterAddOptions.strategy` if set.
 */
export function usePlan(cols: number, size: number, m: number): boolean {
  if (scatterAddOptions.strategy !== "auto") return scatterAddOptions.strategy === "plan";
  if (size === 0) return m > 0 && cols > 0; // only the plan looks at the indices (to check them)
  const scan = Math.max(1, cols * size / LANES) * m;
  const plan = Math.max(1, cols / LANES) * 2 * (m + size) + Math.max(1, cols * size / LANES);
  return plan < scan;
}

/** The uniform words of the indexing kernels: count, inner, m, size, columns. */
function indexWords(count: number, inner: number, m: number, size: number, cols = 0): number[] {
  return [count, inner, 0, m, size, cols];
}

/** WebGPU kernels of gather and scatterAdd. */
export const indexingKernels: GpuKernelTable<"gather" | "scatterAdd"> = {
  gather: (ctx, inputs, p, out) => {
    const [x, idx] = inputs;
    const label = describe(`gather along axis ${p.axis}`, inputs);
    const n = sizeOf(out.shape);
    const o = ctx.alloc(n, label);
    const [, size, inner] = around(x.shape, p.axis);
    ctx.launch({
      kernel: "indexing",
      entry: "gather",
      prelude: `alias T = ${wgslType(x.dtype)};`,
      faults: true,
      describeFault: indexFault("gather", p.axis, x.shape),
      buffers: [x.storage.buffer, idx.storage.buffer, o.buffer],
      words: indexWords(n, inner, idx.shape[p.axis], size),
      threads: n,
      label,
    });
    return o;
  },
  scatterAdd: (ctx, inputs, p, out) => {
    const [base, idx, upd] = inputs;
    const label = describe(`scatterAdd along axis ${p.axis}`, inputs);
    const n = sizeOf(out.shape);
    const o = ctx.alloc(n, label);
    const [outer, size, inner] = around(base.shape, p.axis);
    const m = idx.shape[p.axis];
    const cols = outer * inner;
    const spec = {
      kernel: "indexing",
      prelude: `alias T = ${wgslType(base.dtype)};`,
      faults: true,
      describeFault: indexFault("scatterAdd", p.axis, base.shape),
      label,
    };
    const planWords = cols * (size + m);
    const fits = planWords * 4 <= ctx.device.limits.maxStorageBufferBindingSize;
    if (!fits || !usePlan(cols, size, m)) {
      ctx.launch({
        ...spec,
        entry: "scatter_add",
        buffers: [base.storage.buffer, idx.storage.buffer, upd.storage.buffer, o.buffer],
        words: indexWords(n, inner, m, size),
        threads: n,
      });
      return o;
    }
    const plan = ctx.alloc(planWords, `${label}: plan`);
    ctx.launch({
      ...spec,
      entry: "scatter_plan",
      buffers: [base.storage.buffer, idx.storage.buffer, plan.buffer],
      words: indexWords(cols, inner, m, size, cols),
      threads: cols,
    });
    ctx.launch({
      ...spec,
      entry: "scatter_planned",
      bindFaults: false,
      buffers: [base.storage.buffer, idx.storage.buffer, upd.storage.buffer, plan.buffer, o.buffer],
      words: indexWords(n, inner, m, size, cols),
      threads: n,
    });
    ctx.pool.release(plan.buffer); // reusable after the next submit, which follows these
    return o;
  },
};
