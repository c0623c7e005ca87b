/**
 * 2-D pooling over NCHW input: `maxPool2d` and `avgPool2d`, and their options.
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import type { Tensor } from "../core/tensor.ts";
import { type Padding2, padding4, pair, require4d, type Size2 } from "./conv.ts";

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
