/**
 * Normalized exponentials along an axis: `softmax` and `logSoftmax`.
 *
 * @module
 */
import { describeValue } from "../core/check.ts";
import { normalizeAxis } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { div, sub } from "./arithmetic.ts";
import { equal, where } from "./comparison.ts";
import { logSumExp, max, sum } from "./reduce.ts";
import { stopGradient } from "./stop_gradient.ts";
import { exp } from "./unary.ts";

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
