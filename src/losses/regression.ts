/**
 * Regression losses: `mse` (squared error), `mae` (absolute error, L1) and `huber`.
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { mul, square, sub } from "../ops/arithmetic.ts";
import { less, where } from "../ops/comparison.ts";
import { abs } from "../ops/unary.ts";
import { reduce, requireSameShape } from "./internal.ts";
import type { ReductionOptions } from "./types.ts";

/**
 * The squared error `(prediction - target)²`, reduced, as PyTorch's `MSELoss`. Prediction and
 * target must have the same shape and float dtype (`[N]` against `[N, 1]` is an error, not a
 * broadcast).
 *
 * @example
 * ```ts
 * import { losses, tensor } from "@fluxion/fluxion";
 * losses.mse(tensor([1, 2, 3]), tensor([1, 0, 0])); // (0 + 4 + 9) / 3 = 4.3333
 * ```
 */
export function mse(prediction: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  requireSameShape("mse", prediction, target);
  return reduce("mse", square(sub(prediction, target)), opts.reduction);
}

/**
 * The absolute error `|prediction - target|`, reduced, as PyTorch's `L1Loss` (its gradient at a
 * zero difference is 0, as PyTorch's).
 *
 * @example
 * ```ts
 * import { losses, tensor } from "@fluxion/fluxion";
 * losses.mae(tensor([1, 2, 3]), tensor([1, 0, 0]), { reduction: "sum" }); // 5
 * ```
 */
export function mae(prediction: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  requireSameShape("mae", prediction, target);
  return reduce("mae", abs(sub(prediction, target)), opts.reduction);
}

/** Options of `huber`. */
export interface HuberOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear (default 1; must be positive). */
  delta?: number;
}

/**
 * The Huber loss, as PyTorch's `HuberLoss`: with `d = prediction - target`, `0.5 d²` where
 * `|d| < delta` and `delta (|d| - 0.5 delta)` elsewhere, so the gradient is `d` clipped to
 * `[-delta, delta]`.
 *
 * @example
 * ```ts
 * import { losses, tensor } from "@fluxion/fluxion";
 * losses.huber(tensor([0.5, 3]), tensor([0, 0]), { reduction: "none" }); // [0.125, 2.5]
 * ```
 */
export function huber(prediction: Tensor, target: Tensor, opts: HuberOptions = {}): Tensor {
  requireSameShape("huber", prediction, target);
  const delta = opts.delta ?? 1;
  if (typeof delta !== "number" || !(delta > 0) || !Number.isFinite(delta)) {
    throw new RangeError(`huber: delta must be a positive number, got ${String(delta)}`);
  }
  const d = sub(prediction, target);
  const a = abs(d);
  const elems = where(less(a, delta), mul(square(d), 0.5), mul(sub(a, 0.5 * delta), delta));
  return reduce("huber", elems, opts.reduction);
}
