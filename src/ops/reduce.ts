/**
 * Reductions: sum, mean, max, min, argmax, argmin and logSumExp over any axes.
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import { requireTensor } from "../core/check.ts";
import { isFloat } from "../core/dtype.ts";
import { normalizeAxes, normalizeAxis } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { add, div, sub } from "./arithmetic.ts";
import { cast } from "./cast.ts";
import { less, where } from "./comparison.ts";
import { abs, exp, log } from "./unary.ts";
import { full } from "./creation.ts";
import { stopGradient } from "./stop_gradient.ts";
import { reshape } from "./shape_ops.ts";

/** Options of the reductions: which axes (default all; negative counts from the end). */
export interface ReduceOptions {
  /** One axis or several; all axes when omitted. */
  axis?: number | readonly number[];
  /** Keep reduced axes as size 1 (so the result broadcasts against the input). */
  keepdims?: boolean;
}

/** Options of argmax/argmin: one axis (default: over the flattened tensor). */
export interface ArgOptions {
  /** The axis to search; the flattened tensor when omitted. */
  axis?: number;
  /** Keep the reduced axis as size 1. */
  keepdims?: boolean;
}

function reduce(op: "sum" | "max" | "min", x: Tensor, opts: ReduceOptions): Tensor {
  requireTensor(op, x);
  const axes = normalizeAxes(op, opts.axis, x.shape);
  return bind(op, [x], { axes, keepdims: opts.keepdims ?? false });
}

/**
 * The sum over `axis` (all axes by default). `bool` inputs count their true values (int32).
 *
 * @example
 * ```ts
 * import { sum, tensor } from "@fluxion/fluxion";
 * const x = tensor([[1, 2], [3, 4]]);
 * sum(x); // 10
 * sum(x, { axis: 0 }); // [4, 6]
 * sum(x, { axis: -1, keepdims: true }); // [[3], [7]]
 * ```
 */
export function sum(x: Tensor, opts: ReduceOptions = {}): Tensor {
  requireTensor("sum", x);
  return reduce("sum", x.dtype === "bool" ? cast(x, "int32") : x, opts);
}

/**
 * The arithmetic mean over `axis` (all axes by default); integer inputs give float32.
 *
 * @example
 * ```ts
 * import { mean, tensor } from "@fluxion/fluxion";
 * mean(tensor([[1, 2], [3, 4]]), { axis: 1 }); // [1.5, 3.5]
 * ```
 */
export function mean(x: Tensor, opts: ReduceOptions = {}): Tensor {
  requireTensor("mean", x);
  const xf = isFloat(x.dtype) ? x : cast(x, "float32");
  const axes = normalizeAxes("mean", opts.axis, x.shape);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  return div(reduce("sum", xf, opts), count);
}

/**
 * The maximum over `axis` (all axes by default); NaN propagates.
 *
 * @example
 * ```ts
 * import { max, tensor } from "@fluxion/fluxion";
 * max(tensor([[1, 5], [3, 4]]), { axis: 0 }); // [3, 5]
 * ```
 */
export function max(x: Tensor, opts: ReduceOptions = {}): Tensor {
  return reduce("max", x, opts);
}

/**
 * The minimum over `axis` (all axes by default); NaN propagates.
 *
 * @example
 * ```ts
 * import { min, tensor } from "@fluxion/fluxion";
 * min(tensor([[1, 5], [3, 4]]), { axis: 1 }); // [1, 3]
 * ```
 */
export function min(x: Tensor, opts: ReduceOptions = {}): Tensor {
  return reduce("min", x, opts);
}

function arg(op: "argmax" | "argmin", x: Tensor, opts: ArgOptions): Tensor {
  requireTensor(op, x);
  if (opts.axis === undefined) {
    const flat = bind(op, [reshape(x, [x.size])], { axis: 0, keepdims: false });
    return opts.keepdims ? reshape(flat, x.shape.map(() => 1)) : flat;
  }
  const axis = normalizeAxis(op, opts.axis, x.shape);
  return bind(op, [x], { axis, keepdims: opts.keepdims ?? false });
}

/**
 * The index (int32) of the first maximum along `axis` (of the flattened tensor by default).
 *
 * @example
 * ```ts
 * import { argmax, tensor } from "@fluxion/fluxion";
 * argmax(tensor([[1, 9, 3], [7, 2, 7]]), { axis: 1 }); // [1, 0]
 * ```
 */
export function argmax(x: Tensor, opts: ArgOptions = {}): Tensor {
  return arg("argmax", x, opts);
}

/**
 * The index (int32) of the first minimum along `axis` (of the flattened tensor by default).
 *
 * @example
 * ```ts
 * import { argmin, tensor } from "@fluxion/fluxion";
 * argmin(tensor([3, 1, 2])); // 1
 * ```
 */
export function argmin(x: Tensor, opts: ArgOptions = {}): Tensor {
  return arg("argmin", x, opts);
}

/**
 * `log(sum(exp(x)))` over `axis`, computed stably by shifting by the maximum (so large inputs
 * do not overflow). Its gradient is the softmax.
 *
 * @example
 * ```ts
 * import { logSumExp, tensor } from "@fluxion/fluxion";
 * logSumExp(tensor([1000, 1000])); // 1000.6931
 * ```
 */
export function logSumExp(x: Tensor, opts: ReduceOptions = {}): Tensor {
  requireTensor("logSumExp", x);
  const xf = isFloat(x.dtype) ? x : cast(x, "float32");
  const axes = normalizeAxes("logSumExp", opts.axis, x.shape);
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outShape = opts.keepdims ? keptShape : x.shape.filter((_, i) => !axes.includes(i));
  if (axes.some((a) => x.shape[a] === 0)) {
    // The log of an empty sum: -Infinity, as NumPy and PyTorch give.
    return full(outShape, -Infinity, { dtype: xf.dtype, backend: x.backend });
  }
  const m = stopGradient(reduce("max", xf, { axis: axes, keepdims: true }));
  // An all -Infinity slice would give -Inf - -Inf = NaN, and a +Infinity one Inf - Inf = NaN;
  // shift by 0 wherever the maximum is not finite.
  const shift = where(less(abs(m), Infinity), m, 0);
  const s = log(reduce("sum", exp(sub(xf, shift)), { axis: axes, keepdims: true }));
  return reshape(add(s, shift), outShape);
}
