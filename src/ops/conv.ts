/**
 * 2-D convolution: `conv2d`, its options, and the size, padding and input checks that pooling
 * shares.
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import { describeValue } from "../core/check.ts";
import type { Padding4, Pair } from "../core/primitives.ts";
import { fmtShape } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";

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

/** `v` as a `[height, width]` pair of integers; errors name `op` and the option `name`. */
export function pair(op: string, name: string, v: Size2): Pair {
  const p = typeof v === "number" ? [v, v] as const : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every(Number.isInteger)) {
    throw new TypeError(
      `${op}: ${name} must be an integer or a pair of integers, got ${JSON.stringify(v)}`,
    );
  }
  return [p[0], p[1]];
}

/** Explicit `[top, bottom, left, right]` padding for a window over the `spatial` size. */
export function padding4(
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

/** Asserts that `x` is a 4-D tensor: an NCHW input or an OIHW conv weight. */
export function require4d(op: string, x: unknown, what: "input" | "weight"): asserts x is Tensor {
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
