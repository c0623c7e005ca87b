/**
 * Neural-network ops: conv2d, pooling, softmax and logSoftmax.
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import { describeValue } from "../core/check.ts";
import type { Padding4, Pair } from "../core/primitives.ts";
import { fmtShape, normalizeAxis } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { div, equal, exp, sub, where } from "./elementwise.ts";
import { logSumExp, max, sum } from "./reduce.ts";
import { stopGradient } from "./stop_gradient.ts";

/** A size for both spatial dimensions, or `[height, width]`. */
export type Size2 = number | readonly [number, number];

/**
 * Padding: one number for all sides, `[h, w]` (symmetric), `[top, bottom, left, right]`, or
 * `"valid"` (none) / `"same"` (output size = ceil(input / stride); extra padding goes to the
 * bottom and right, as in TensorFlow).
 */
export type Padding2 = number | readonly [number, number] | Padding4 | "valid" | "same";

/** Options of `conv2d`. */
export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: Size2;
  /** Zero padding (default 0). */
  padding?: Padding2;
  /** Spacing between kernel taps (default 1). */
  dilation?: Size2;
  /** Channel groups: input and output channels split into this many independent groups. */
  groups?: number;
}

/** Options of `maxPool2d` and `avgPool2d`. */
export interface Pool2dOptions {
  /** Step between windows (default: the kernel size, as in PyTorch). */
  stride?: Size2;
  /**
   * Implicit padding, at most half the kernel (default 0); `"same"` pads so the output is
   * ceil(input / stride), extra padding at the bottom and right, as for `conv2d`.
   */
  padding?: Padding2;
  /**
   * Average pooling: count padded zeros in the divisor (default true, as in PyTorch; false with
   * `padding: "same"`, as in TensorFlow).
   */
  countIncludePad?: boolean;
}

function pair(op: string, name: string, v: Size2): Pair {
  const p = typeof v === "number" ? [v, v] as const : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every(Number.isInteger)) {
    throw new TypeError(
      `${op}: ${name} must be an integer or a pair of integers, got ${JSON.stringify(v)}`,
    );
  }
  return [p[0], p[1]];
}

function padding4(
  op: string,
  p: Padding2,
  spatial: readonly number[],
  kernel: Pair,
  stride: Pair,
  dilation: Pair,
): Padding4 {
  if (p === "valid") return [0, 0, 0, 0];
  if (p === "same") {
    const out: number[] = [];
    for (let i = 0; i < 2; i++) {
      const o = Math.ceil(spatial[i] / stride[i]);
      const total = Math.max(
        0,
        (o - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1 - spatial[i],
      );
      out.push(Math.floor(total / 2), total - Math.floor(total / 2));
    }
    return [out[0], out[1], out[2], out[3]];
  }
  if (Array.isArray(p) && p.length === 4) {
    if (!p.every(Number.isInteger)) {
      throw new TypeError(`${op}: padding must be integers, got ${JSON.stringify(p)}`);
    }
    return [p[0], p[1], p[2], p[3]];
  }
  const [h, w] = pair(op, "padding", p as Size2);
  return [h, h, w, w];
}

function require4d(op: string, x: unknown, what: "input" | "weight"): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`${op}: expected a Tensor ${what}, got ${describeValue(x)}`);
  }
  if (x.rank !== 4) {
    const layout = what === "input" ? "[N,C,H,W]" : "[O,C/groups,kH,kW]";
    throw new Error(`${op}: ${what} must be 4-D ${layout}, got ${fmtShape(x.shape)}`);
  }
}

/**
 * 2-D cross-correlation over NCHW input with OIHW weights, as in PyTorch's `F.conv2d` (no bias).
 *
 * @example
 * ```ts
 * import { conv2d, ones } from "@fluxion/fluxion";
 * const x = ones([1, 1, 5, 5]);
 * const w = ones([2, 1, 3, 3]);
 * conv2d(x, w, { padding: 1 }).shape; // [1, 2, 5, 5]
 * conv2d(x, w, { stride: 2 }).shape; // [1, 2, 2, 2]
 * ```
 */
export function conv2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  require4d("conv2d", x, "input");
  require4d("conv2d", w, "weight");
  const stride = pair("conv2d", "stride", opts.stride ?? 1);
  const dilation = pair("conv2d", "dilation", opts.dilation ?? 1);
  const kernel: Pair = [w.shape[2], w.shape[3]];
  const padding = padding4("conv2d", opts.padding ?? 0, x.shape.slice(2), kernel, stride, dilation);
  return bind("conv2d", [x, w], { stride, padding, dilation, groups: opts.groups ?? 1 });
}

function poolParams(op: string, x: Tensor, kernelSize: Size2, opts: Pool2dOptions) {
  const kernel = pair(op, "kernelSize", kernelSize);
  const stride = pair(op, "stride", opts.stride ?? kernel);
  const padding = padding4(op, opts.padding ?? 0, x.shape.slice(2), kernel, stride, [1, 1]);
  // With "same" padding the divisor counts only real cells by default, as TensorFlow's does.
  const countIncludePad = opts.countIncludePad ?? opts.padding !== "same";
  return { kernel, stride, padding, countIncludePad };
}

/**
 * Max pooling over NCHW input, as in PyTorch's `F.max_pool2d` (stride defaults to the kernel).
 *
 * @example
 * ```ts
 * import { arange, maxPool2d, reshape } from "@fluxion/fluxion";
 * const x = reshape(arange(16, undefined, 1, { dtype: "float32" }), [1, 1, 4, 4]);
 * maxPool2d(x, 2); // [[[[5, 7], [13, 15]]]]
 * ```
 */
export function maxPool2d(x: Tensor, kernelSize: Size2, opts: Pool2dOptions = {}): Tensor {
  require4d("maxPool2d", x, "input");
  return bind("maxPool2d", [x], poolParams("maxPool2d", x, kernelSize, opts));
}

/**
 * Average pooling over NCHW input, as in PyTorch's `F.avg_pool2d` (stride defaults to the
 * kernel). Padded zeros count in the divisor, as in PyTorch, unless `countIncludePad: false`;
 * with `padding: "same"` they do not by default, as in TensorFlow.
 *
 * @example
 * ```ts
 * import { avgPool2d, ones } from "@fluxion/fluxion";
 * avgPool2d(ones([1, 3, 4, 4]), 2).shape; // [1, 3, 2, 2]
 * ```
 */
export function avgPool2d(x: Tensor, kernelSize: Size2, opts: Pool2dOptions = {}): Tensor {
  require4d("avgPool2d", x, "input");
  return bind("avgPool2d", [x], poolParams("avgPool2d", x, kernelSize, opts));
}

/**
 * `exp(x) / sum(exp(x))` along `axis` (default the last), shifted by the maximum for stability.
 *
 * @example
 * ```ts
 * import { softmax, tensor } from "@fluxion/fluxion";
 * softmax(tensor([[1, 1], [0, 1000]])); // [[0.5, 0.5], [0, 1]]
 * ```
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`softmax: expected a Tensor, got ${describeValue(x)}`);
  }
  const ax = normalizeAxis("softmax", axis, x.shape);
  if (x.shape[ax] === 0) return exp(x); // nothing to normalize: an empty result of x's shape
  const m = stopGradient(max(x, { axis: ax, keepdims: true }));
  const e = exp(sub(x, where(equal(m, -Infinity), 0, m)));
  return div(e, sum(e, { axis: ax, keepdims: true }));
}

/**
 * `log(softmax(x))` along `axis` (default the last), computed as `x - logSumExp(x)` so it stays
 * finite where softmax underflows.
 *
 * @example
 * ```ts
 * import { logSoftmax, tensor } from "@fluxion/fluxion";
 * logSoftmax(tensor([0, 1000])); // [-1000, 0]
 * ```
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`logSoftmax: expected a Tensor, got ${describeValue(x)}`);
  }
  const ax = normalizeAxis("logSoftmax", axis, x.shape);
  return sub(x, logSumExp(x, { axis: ax, keepdims: true }));
}
