/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay, as
 * PyTorch's `torch.optim.SGD`.
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { add, mul } from "../ops/arithmetic.ts";
import { equal, where } from "../ops/comparison.ts";
import { zerosLike } from "../ops/creation.ts";
import { map } from "../tree/traverse.ts";
import { decayedGrad, leafwise } from "./leafwise.ts";
import { checkLearningRate, checkRange, requireParams } from "./checks.ts";
import type { GradientTransformation, LearningRate } from "./transform.ts";
import { negated, nextCount, rateAt } from "./step_count.ts";
import type { StepCount } from "./capturable.ts";

/** Options of {@linkcode sgd}, with PyTorch's names and defaults. */
export interface SgdOptions {
  /** The learning rate, a number or a schedule (required, as in PyTorch). */
  lr: LearningRate;
  /** The momentum factor (default 0: plain SGD). */
  momentum?: number;
  /** Dampening of the momentum (default 0). */
  dampening?: number;
  /** Use Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty added to the gradient: `g + weightDecay * p` (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The state of {@linkcode sgd}. */
export interface SgdState {
  /** The number of updates made so far. */
  readonly count: StepCount;
  /** The momentum buffers (a tree like the parameters), or `null` without momentum. */
  readonly momentumBuffer: unknown;
}

/**
 * SGD as `torch.optim.SGD` (PyTorch 1.13), per parameter and step:
 *
 * ```text
 * d = maximize ? -g : g;  if weightDecay: d = d + weightDecay * p
 * if momentum: buf = (first step) ? d : momentum * buf + (1 - dampening) * d
 *              d = nesterov ? d + momentum * buf : buf
 * update = -lr * d
 * ```
 *
 * @param opts The options; `lr` is required.
 * @returns The transformation.
 * @throws {RangeError} For a negative learning rate, momentum or weight decay, or Nesterov
 *   without momentum or with dampening.
 *
 * @example
 * ```ts
 * import { mul, optim, sum, tensor, valueAndGrad } from "@fluxion/fluxion";
 * const opt = optim.sgd({ lr: 0.1, momentum: 0.9, nesterov: true });
 * let params = { w: tensor([1, -2]) };
 * let state = opt.init(params);
 * for (let i = 0; i < 3; i++) {
 *   const [, grads] = valueAndGrad((p: typeof params) => sum(mul(p.w, p.w)))(params);
 *   const [updates, next] = opt.update(grads, state, params);
 *   params = optim.applyUpdates(params, updates);
 *   state = next;
 * }
 * ```
 */
export function sgd(opts: SgdOptions): GradientTransformation<SgdState> {
  const op = "sgd";
  if (opts?.lr === undefined) throw new RangeError(`${op}: the learning rate lr is required`);
  const lr = checkLearningRate(op, opts.lr);
  const momentum = checkRange(op, "momentum", opts.momentum ?? 0, 0);
  const dampening = checkRange(op, "dampening", opts.dampening ?? 0, -Infinity);
  const weightDecay = checkRange(op, "weightDecay", opts.weightDecay ?? 0, 0);
  const nesterov = opts.nesterov ?? false;
  const maximize = opts.maximize ?? false;
  if (nesterov && (momentum <= 0 || dampening !== 0)) {
    throw new RangeError(`${op}: Nesterov momentum requires a momentum > 0 and zero dampening`);
  }
  return {
    init: (params) => ({
      count: 0,
      momentumBuffer: momentum !== 0 ? map((p: Tensor) => zerosLike(p), params) : null,
    }),
    update(grads, state, params) {
      const a = negated(rateAt(op, lr, state.count));
      const first = typeof state.count === "number" ? state.count === 0 : equal(state.count, 0);
      const others: Record<string, unknown> = {};
      if (weightDecay !== 0) others.p = requireParams(op, params);
      if (momentum !== 0) others.buf = state.momentumBuffer;
      const keys = momentum !== 0 ? ["u", "buf"] as const : ["u"] as const;
      const r = leafwise(op, grads, others, keys, (g, x) => {
        let d = decayedGrad(g, x.p, maximize, weightDecay);
        let buf = x.buf;
        if (momentum !== 0) {
          const later = add(mul(buf, momentum), mul(d, 1 - dampening));
          buf = typeof first === "boolean" ? (first ? d : later) : where(first, d, later);
          d = nesterov ? add(d, mul(buf, momentum)) : buf;
        }
        return { u: mul(d, a), buf: buf ?? d };
      });
      const next = {
        count: nextCount(state.count),
        momentumBuffer: momentum !== 0 ? (r as Record<"buf", unknown>).buf : null,
      };
      return [r.u as typeof grads, next];
    },
  };
}
