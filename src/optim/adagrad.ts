/**
 * Adagrad, as PyTorch's `torch.optim.Adagrad`.
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { add, div, mul } from "../ops/arithmetic.ts";
import { full } from "../ops/creation.ts";
import { sqrt } from "../ops/unary.ts";
import { map } from "../tree/traverse.ts";
import { decayedGrad, leafwise } from "./leafwise.ts";
import { checkLearningRate, checkRange, requireParams } from "./checks.ts";
import type { GradientTransformation, LearningRate } from "./transform.ts";
import { countValue, negated, nextCount, rateAt } from "./step_count.ts";
import type { StepCount } from "./capturable.ts";

/** Options of {@linkcode adagrad}, with PyTorch's names and defaults. */
export interface AdagradOptions {
  /** The learning rate, a number or a schedule (default 1e-2). */
  lr?: LearningRate;
  /** The learning-rate decay: step `t` uses `lr / (1 + (t - 1) * lrDecay)` (default 0). */
  lrDecay?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** The starting value of the sums of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The state of {@linkcode adagrad}. */
export interface AdagradState {
  /** The number of updates made so far. */
  readonly count: StepCount;
  /** The sums of squared gradients (`state_sum`), a tree like the parameters. */
  readonly sum: unknown;
}

/**
 * Adagrad as `torch.optim.Adagrad` (PyTorch 1.13), per parameter at step `t = 1, 2, ...`:
 *
 * ```text
 * g = maximize ? -g : g;  if weightDecay: g = g + weightDecay * p
 * clr = lr / (1 + (t - 1) * lrDecay)
 * sum = sum + g²;   update = -clr * g / (sqrt(sum) + eps)
 * ```
 *
 * With a schedule for `lr`, `clr` uses the schedule's value at the step.
 *
 * @param opts The options (all optional).
 * @returns The transformation.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const opt = optim.adagrad({ lr: 0.01, lrDecay: 1e-4, initialAccumulatorValue: 0.1 });
 * ```
 */
export function adagrad(opts: AdagradOptions = {}): GradientTransformation<AdagradState> {
  const op = "adagrad";
  const lr = checkLearningRate(op, opts.lr ?? 1e-2);
  const lrDecay = checkRange(op, "lrDecay", opts.lrDecay ?? 0, 0);
  const weightDecay = checkRange(op, "weightDecay", opts.weightDecay ?? 0, 0);
  const initial = checkRange(op, "initialAccumulatorValue", opts.initialAccumulatorValue ?? 0, 0);
  const eps = checkRange(op, "eps", opts.eps ?? 1e-10, 0);
  const maximize = opts.maximize ?? false;
  return {
    init: (params) => ({
      count: 0,
      sum: map(
        (p: Tensor) => full(p.shape, initial, { dtype: p.dtype, backend: p.backend }),
        params,
      ),
    }),
    update(grads, state, params) {
      const rate = rateAt(op, lr, state.count);
      const count = countValue(state.count);
      const clr = typeof rate === "number" && typeof count === "number"
        ? -(rate / (1 + count * lrDecay))
        : negated(div(rate, add(mul(count, lrDecay), 1)));
      const others: Record<string, unknown> = { sum: state.sum };
      if (weightDecay !== 0) others.p = requireParams(op, params);
      const r = leafwise(op, grads, others, ["u", "sum"] as const, (g0, x) => {
        const g = decayedGrad(g0, x.p, maximize, weightDecay);
        const s = add(x.sum, mul(g, g));
        return { u: mul(div(g, add(sqrt(s), eps)), clr), sum: s };
      });
      return [r.u as typeof grads, { count: nextCount(state.count), sum: r.sum }];
    },
  };
}
