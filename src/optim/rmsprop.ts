/**
 * RMSprop (plain, centered, with momentum), as PyTorch's `torch.optim.RMSprop`.
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { add, div, mul, sub } from "../ops/arithmetic.ts";
import { zerosLike } from "../ops/creation.ts";
import { sqrt } from "../ops/unary.ts";
import { map } from "../tree/traverse.ts";
import { decayedGrad, leafwise } from "./leafwise.ts";
import { checkLearningRate, checkRange, requireParams } from "./checks.ts";
import type { GradientTransformation, LearningRate } from "./transform.ts";
import { negated, nextCount, rateAt } from "./step_count.ts";
import type { StepCount } from "./capturable.ts";

/** Options of {@linkcode rmsprop}, with PyTorch's names and defaults. */
export interface RmspropOptions {
  /** The learning rate, a number or a schedule (default 1e-2). */
  lr?: LearningRate;
  /** The smoothing constant of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** The momentum factor (default 0). */
  momentum?: number;
  /** Normalize by the estimated variance of the gradient instead of its second moment. */
  centered?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The state of {@linkcode rmsprop}; unused parts are `null`. */
export interface RmspropState {
  /** The number of updates made so far. */
  readonly count: StepCount;
  /** The averages of squared gradients (`square_avg`), a tree like the parameters. */
  readonly squareAvg: unknown;
  /** The averages of gradients (`grad_avg`) when centered, else `null`. */
  readonly gradAvg: unknown;
  /** The momentum buffers when momentum > 0, else `null`. */
  readonly momentumBuffer: unknown;
}

/**
 * RMSprop as `torch.optim.RMSprop` (PyTorch 1.13), per parameter and step:
 *
 * ```text
 * g = maximize ? -g : g;  if weightDecay: g = g + weightDecay * p
 * v = alpha * v + (1 - alpha) * g²
 * centered: gbar = alpha * gbar + (1 - alpha) * g;  avg = sqrt(v - gbar²) + eps
 * else:     avg = sqrt(v) + eps
 * momentum > 0: buf = momentum * buf + g / avg;  update = -lr * buf
 * else:         update = -lr * g / avg
 * ```
 *
 * @param opts The options (all optional).
 * @returns The transformation.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const opt = optim.rmsprop({ lr: 1e-3, centered: true, momentum: 0.9 });
 * ```
 */
export function rmsprop(opts: RmspropOptions = {}): GradientTransformation<RmspropState> {
  const op = "rmsprop";
  const lr = checkLearningRate(op, opts.lr ?? 1e-2);
  const alpha = checkRange(op, "alpha", opts.alpha ?? 0.99, 0);
  const eps = checkRange(op, "eps", opts.eps ?? 1e-8, 0);
  const weightDecay = checkRange(op, "weightDecay", opts.weightDecay ?? 0, 0);
  const momentum = checkRange(op, "momentum", opts.momentum ?? 0, 0);
  const centered = opts.centered ?? false;
  const maximize = opts.maximize ?? false;
  const zeros = (params: unknown) => map((p: Tensor) => zerosLike(p), params);
  return {
    init: (params) => ({
      count: 0,
      squareAvg: zeros(params),
      gradAvg: centered ? zeros(params) : null,
      momentumBuffer: momentum > 0 ? zeros(params) : null,
    }),
    update(grads, state, params) {
      const a = negated(rateAt(op, lr, state.count));
      const others: Record<string, unknown> = { v: state.squareAvg };
      if (weightDecay !== 0) others.p = requireParams(op, params);
      if (centered) others.gbar = state.gradAvg;
      if (momentum > 0) others.buf = state.momentumBuffer;
      const keys = ["u", "v", "gbar", "buf"] as const;
      const r = leafwise(op, grads, others, keys, (g0, x) => {
        const g = decayedGrad(g0, x.p, maximize, weightDecay);
        const v = add(mul(x.v, alpha), mul(mul(g, g), 1 - alpha));
        const gbar = centered ? add(mul(x.gbar, alpha), mul(g, 1 - alpha)) : v;
        const avg = add(sqrt(centered ? sub(v, mul(gbar, gbar)) : v), eps);
        const buf = momentum > 0 ? add(mul(x.buf, momentum), div(g, avg)) : v;
        const u = momentum > 0 ? mul(buf, a) : mul(div(g, avg), a);
        return { u, v, gbar, buf };
      });
      const next: RmspropState = {
        count: nextCount(state.count),
        squareAvg: r.v,
        gradAvg: centered ? r.gbar : null,
        momentumBuffer: momentum > 0 ? r.buf : null,
      };
      return [r.u as typeof grads, next];
    },
  };
}
