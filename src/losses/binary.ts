/**
 * Binary cross-entropy: on probabilities (`binaryCrossEntropy`, PyTorch's `BCELoss`) and on
 * logits (`binaryCrossEntropyWithLogits`, PyTorch's `BCEWithLogitsLoss`, the stable form).
 *
 * @module
 */
import { customVjp } from "../autodiff/custom_vjp.ts";
import { fmtShape } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { add, div, maximum, mul, sub } from "../ops/arithmetic.ts";
import { cast } from "../ops/cast.ts";
import { abs, exp, log, log1p, neg } from "../ops/unary.ts";
import { desc, reduce, requireFloat, requireSameShape } from "./internal.ts";
import { checkValues } from "../ops/check_values.ts";
import type { ReductionOptions } from "./types.ts";

/** Options of `binaryCrossEntropy`. */
export interface BinaryCrossEntropyOptions extends ReductionOptions {
  /**
   * A rescaling weight that broadcasts to the prediction's shape (e.g. `[C]` against `[N, C]`),
   * multiplying each element's loss. `"mean"` stays the plain mean over elements, as PyTorch.
   */
  weight?: Tensor;
}

/** Options of `binaryCrossEntropyWithLogits`. */
export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /**
   * The weight of positive examples (PyTorch's `pos_weight`), broadcasting to the prediction's
   * shape, usually `[C]`: `posWeight > 1` raises recall.
   */
  posWeight?: Tensor;
}

/** Checks an optional weight that must broadcast to `pred`'s shape; returns it in pred's dtype. */
function broadcastWeight(loss: string, name: string, w: unknown, pred: Tensor): Tensor | undefined {
  if (w === undefined) return undefined;
  requireFloat(loss, name, w);
  const ok = w.rank <= pred.rank &&
    w.shape.every((d, i) => d === 1 || d === pred.shape[pred.rank - w.rank + i]);
  if (!ok) {
    throw new Error(
      `${loss}: ${name} ${desc(w)} does not broadcast to the prediction's shape ${
        fmtShape(pred.shape)
      }`,
    );
  }
  return cast(w, pred.dtype);
}

/** max(log(x), -100), PyTorch's clamp of the log in BCELoss. */
const clampedLog = (x: Tensor): Tensor => maximum(log(x), -100);
/** max(log(1 - x), -100). */
const clampedLog1m = (x: Tensor): Tensor => maximum(log1p(neg(x)), -100);

/**
 * The elementwise BCE with PyTorch's backward: d/dx = (x - t) / max(x (1 - x), 1e-12), finite at
 * x = 0 and x = 1 where the derivative of the clamped logs would be 0 * Infinity.
 */
const bceElements: (x: Tensor, t: Tensor) => Tensor = customVjp(
  (x: Tensor, t: Tensor): Tensor =>
    neg(add(mul(t, clampedLog(x)), mul(sub(1, t), clampedLog1m(x)))),
  (x: Tensor, t: Tensor): [Tensor, [Tensor, Tensor]] => [
    neg(add(mul(t, clampedLog(x)), mul(sub(1, t), clampedLog1m(x)))),
    [x, t],
  ],
  ([x, t]: [Tensor, Tensor], ct: Tensor): Tensor[] => [
    mul(ct, div(sub(x, t), maximum(mul(x, sub(1, x)), 1e-12))),
    mul(ct, sub(clampedLog1m(x), clampedLog(x))),
  ],
);

/**
 * Binary cross-entropy between probabilities and targets in [0, 1], as PyTorch's `BCELoss`:
 * `-(t log(p) + (1 - t) log(1 - p))` with each log clamped at -100, so probabilities of exactly 0
 * or 1 give finite losses; the gradient is PyTorch's, `(p - t) / max(p (1 - p), 1e-12)`. Prefer
 * `binaryCrossEntropyWithLogits` on logits, which is exact where probabilities saturate.
 *
 * @example
 * ```ts
 * import { losses, tensor } from "@fluxion/fluxion";
 * losses.binaryCrossEntropy(tensor([0.9, 0.2]), tensor([1, 0])); // (0.1054 + 0.2231) / 2
 * losses.binaryCrossEntropy(tensor([0]), tensor([1])); // 100 (the clamp), not Infinity
 * ```
 */
export function binaryCrossEntropy(
  prediction: Tensor,
  target: Tensor,
  opts: BinaryCrossEntropyOptions = {},
): Tensor {
  const loss = "binaryCrossEntropy";
  requireSameShape(loss, prediction, target);
  checkValues(
    prediction,
    { lo: 0, hi: 1, hiInclusive: true },
    (i, v) =>
      `${loss}: prediction ${desc(prediction)} must hold probabilities in [0, 1], element ${i} ` +
      `is ${v} (for logits use binaryCrossEntropyWithLogits)`,
  );
  const weight = broadcastWeight(loss, "weight", opts.weight, prediction);
  const elems = bceElements(prediction, target);
  return reduce(loss, weight ? mul(elems, weight) : elems, opts.reduction);
}

/**
 * Binary cross-entropy on logits, as PyTorch's `BCEWithLogitsLoss`, in the stable form
 * `(1 - t) x + (1 + (posWeight - 1) t) softplus(-x)` with
 * `softplus(-x) = max(-x, 0) + log1p(exp(-|x|))`: finite for logits of any size, and more
 * accurate than `binaryCrossEntropy(sigmoid(x), t)`.
 *
 * @example
 * ```ts
 * import { losses, tensor } from "@fluxion/fluxion";
 * losses.binaryCrossEntropyWithLogits(tensor([1000, -1000]), tensor([1, 0])); // 0
 * const posWeight = tensor([3]); // positives count three times
 * losses.binaryCrossEntropyWithLogits(tensor([[0], [0]]), tensor([[1], [0]]), { posWeight });
 * // (3 log 2 + log 2) / 2 = 1.3863
 * ```
 */
export function binaryCrossEntropyWithLogits(
  prediction: Tensor,
  target: Tensor,
  opts: BinaryCrossEntropyWithLogitsOptions = {},
): Tensor {
  const loss = "binaryCrossEntropyWithLogits";
  requireSameShape(loss, prediction, target);
  const weight = broadcastWeight(loss, "weight", opts.weight, prediction);
  const posWeight = broadcastWeight(loss, "posWeight", opts.posWeight, prediction);
  const x = prediction;
  // softplus(-x) = -log(sigmoid(x)). At x = 0 the subgradients of max (split 1/2 on ties) and of
  // |x| (sign(0) = 0) add up to the true derivative -1/2.
  const softplusNeg = add(maximum(neg(x), 0), log1p(exp(neg(abs(x)))));
  const logWeight = posWeight ? add(mul(sub(posWeight, 1), target), 1) : undefined;
  const elems = add(
    mul(sub(1, target), x),
    logWeight ? mul(logWeight, softplusNeg) : softplusNeg,
  );
  return reduce(loss, weight ? mul(elems, weight) : elems, opts.reduction);
}
