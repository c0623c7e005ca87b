/**
 * Adadelta, as PyTorch's `torch.optim.Adadelta`.
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { add, div, mul } from "../ops/arithmetic.ts";
import { zerosLike } from "../ops/creation.ts";
import { sqrt } from "../ops/unary.ts";
import { map } from "../tree/traverse.ts";
import { decayedGrad, leafwise } from "./leafwise.ts";
import { checkLearningRate, checkRange, requireParams } from "./checks.ts";
import type { GradientTransformation, LearningRate } from "./transform.ts";
import { negated, nextCount, rateAt } from "./step_count.ts";
import type { StepCount } from "./capturable.ts";

/** Options of {@linkcode adadelta}, with PyTorch's names and defaults. */
export interface AdadeltaOptions {
  /** The factor applied to the delta, a number or a schedule (default 1). */
  lr?: LearningRate;
  /** The decay rate of the running averages (default 0.9). */
  rho?: number;
  /** Added inside the square roots for numerical stability (default 1e-6). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The state of {@linkcode adadelta}. */
export interface AdadeltaState {
  /** The number of updates made so far. */
  readonly count: StepCount;
  /** The averages of squared gradients (`square_avg`), a tree like the parameters. */
  readonly squareAvg: unknown;
  /** The averages of squared deltas (`acc_delta`). */
  readonly accDelta: unknown;
}

/**
 * Adadelta as `torch.optim.Adadelta` (PyTorch 1.13), per parameter and step:
 *
 * ```text
 * g = maximize ? -g : g;  if weightDecay: g = g + weightDecay * p
 * v = rho * v + (1 - rho) * g²
 * delta = sqrt(acc + eps) / sqrt(v + eps) * g
 * acc = rho * acc + (1 - rho) * delta²;   update = -lr * delta
 * ```
 *
 * @param opts The options (all optional).
 * @returns The transformation.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const opt = optim.adadelta({ lr: 1, rho: 0.9 });
 * ```
 */
export function adadelta(opts: AdadeltaOptions = {}): GradientTransformation<AdadeltaState> {
  const op = "adadelta";
  const lr = checkLearningRate(op, opts.lr ?? 1);
  const rho = checkRange(op, "rho", opts.rho ?? 0.9, 0, 1);
  const eps = checkRange(op, "eps", opts.eps ?? 1e-6, 0);
  const weightDecay = checkRange(op, "weightDecay", opts.weightDecay ?? 0, 0);
  const maximize = opts.maximize ?? false;
  return {
    init: (params) => ({
      count: 0,
      squareAvg: map((p: Tensor) => zerosLike(p), params),
      accDelta: map((p: Tensor) => zerosLike(p), params),
    }),
    update(grads, state, params) {
      const a = negated(rateAt(op, lr, state.count));
      const others: Record<string, unknown> = { v: state.squareAvg, acc: state.accDelta };
      if (weightDecay !== 0) others.p = requireParams(op, params);
      const r = leafwise(op, grads, others, ["u", "v", "acc"] as const, (g0, x) => {
        const g = decayedGrad(g0, x.p, maximize, weightDecay);
        const v = add(mul(x.v, rho), mul(mul(g, g), 1 - rho));
        const delta = mul(div(sqrt(add(x.acc, eps)), sqrt(add(v, eps))), g);
        const acc = add(mul(x.acc, rho), mul(mul(delta, delta), 1 - rho));
        return { u: mul(delta, a), v, acc };
      });
      const next = { count: nextCount(state.count), squareAvg: r.v, accDelta: r.acc };
      return [r.u as typeof grads, next];
    },
  };
}
