/**
 * `klDivergence`: the Kullback-Leibler divergence, as PyTorch's `kl_div`.
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { div, mul, sub } from "../ops/arithmetic.ts";
import { equal, where } from "../ops/comparison.ts";
import { sum } from "../ops/reduce.ts";
import { exp, log } from "../ops/unary.ts";
import { checkReduction, reduce, requireSameShape } from "./internal.ts";
import type { Reduction } from "./types.ts";

/** Options of `klDivergence`. */
export interface KlDivergenceOptions {
  /**
   * `"mean"` (default, PyTorch's: the mean over every element), `"batchmean"` (the sum divided
   * by the batch size `input.shape[0]`, the mathematical KL divergence per example), `"sum"` or
   * `"none"`.
   */
  reduction?: Reduction | "batchmean";
  /** The target holds log-probabilities instead of probabilities (default false). */
  logTarget?: boolean;
}

/**
 * The pointwise Kullback-Leibler divergence `KL(target ‖ q)`, as PyTorch's `kl_div`: `input` holds
 * the log-probabilities `log q` (e.g. from `logSoftmax`), `target` probabilities `p` (or `log p`
 * with `logTarget`), both of one shape and dtype. Elementwise `p (log p - input)`, taken as 0 where
 * `p = 0` (no log(0)); with `logTarget`, `exp(target) (target - input)`. Use
 * `reduction: "batchmean"` for the divergence per example.
 *
 * @example
 * ```ts
 * import { logSoftmax, losses, tensor } from "@fluxion/fluxion";
 * const logQ = logSoftmax(tensor([[0, 0]])); // q = [0.5, 0.5]
 * losses.klDivergence(logQ, tensor([[1, 0]]), { reduction: "batchmean" }); // log 2 = 0.6931
 * ```
 */
export function klDivergence(
  input: Tensor,
  target: Tensor,
  opts: KlDivergenceOptions = {},
): Tensor {
  const loss = "klDivergence";
  requireSameShape(loss, input, target);
  const reduction = checkReduction(loss, opts.reduction ?? "mean", [
    "mean",
    "sum",
    "none",
    "batchmean",
  ]);
  let elems: Tensor;
  if (opts.logTarget) {
    elems = mul(exp(target), sub(target, input));
  } else {
    // xlogy(p, p) - p input: log of 1 where p = 0, so neither the value nor a gradient meets log(0).
    const zero = equal(target, 0);
    const pLogP = where(zero, 0, mul(target, log(where(zero, 1, target))));
    elems = sub(pLogP, mul(target, input));
  }
  if (reduction !== "batchmean") return reduce(loss, elems, reduction);
  return div(sum(elems), input.rank === 0 ? 1 : input.shape[0]);
}
