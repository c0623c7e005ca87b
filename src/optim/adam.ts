/**
 * Adam and AdamW, as PyTorch's `torch.optim.Adam` and `torch.optim.AdamW` (with AMSGrad).
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { add, div, maximum, mul, sub } from "../ops/arithmetic.ts";
import { zerosLike } from "../ops/creation.ts";
import { expm1, neg, sqrt } from "../ops/unary.ts";
import { map } from "../tree/traverse.ts";
import { decayedGrad, leafwise } from "./leafwise.ts";
import { type Mask, maskFlags } from "../tree/mask.ts";
import { checkLearningRate, checkRange, requireParams } from "./checks.ts";
import type { GradientTransformation, LearningRate } from "./transform.ts";
import { fusedAdam } from "./fused.ts";
import { countValue, negated, nextCount, rateAt } from "./step_count.ts";
import type { StepCount } from "./capturable.ts";

/** Options of {@linkcode adam}, with PyTorch's names and defaults. */
export interface AdamOptions {
  /** The learning rate, a number or a schedule (default 1e-3). */
  lr?: LearningRate;
  /** The decay rates of the first and second moment averages (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0; {@linkcode adamw} decouples it instead). */
  weightDecay?: number;
  /** Use the AMSGrad variant: the running maximum of the second moment (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** Options of {@linkcode adamw}: those of Adam, with `weightDecay` (default 1e-2) decoupled. */
export interface AdamWOptions extends AdamOptions {
  /**
   * Which parameters to decay (default: all), as a mask tree or a predicate over paths; the others
   * take plain Adam steps, like a PyTorch parameter group with `weight_decay=0`.
   */
  weightDecayMask?: Mask;
}

/** The state of {@linkcode adam} and {@linkcode adamw}. */
export interface AdamState {
  /** The number of updates made so far. */
  readonly count: StepCount;
  /** The first moment averages (`exp_avg`), a tree like the parameters. */
  readonly mu: unknown;
  /** The second moment averages (`exp_avg_sq`). */
  readonly nu: unknown;
  /** The running maxima of `nu` (`max_exp_avg_sq`) with AMSGrad, else `null`. */
  readonly nuMax: unknown;
}

/** Adam's step size `rate / (1 - beta1^t)` and `sqrt(1 - beta2^t)`, for number or tensor counts. */
function biasCorrections(rate: number | Tensor, step: StepCount, beta1: number, beta2: number) {
  if (typeof step === "number" && typeof rate === "number") {
    return { stepSize: rate / (1 - beta1 ** step), bc2Sqrt: Math.sqrt(1 - beta2 ** step) };
  }
  // 1 - beta^t as -expm1(t log beta): no cancellation when beta^t is near 1 (early steps).
  const t = countValue(step);
  const oneMinusPow = (beta: number) => neg(expm1(mul(t, Math.log(beta))));
  return {
    stepSize: div(rate, oneMinusPow(beta1)) as number | Tensor,
    bc2Sqrt: sqrt(oneMinusPow(beta2)) as number | Tensor,
  };
}

/** `1 - rate * weightDecay`, for number or tensor rates. */
const oneMinus = (rate: number | Tensor, wd: number) =>
  typeof rate === "number" ? 1 - rate * wd : sub(1, mul(rate, wd));

function adamLike(
  op: "adam" | "adamw",
  opts: AdamWOptions,
  decoupled: boolean,
): GradientTransformation<AdamState> {
  const lr = checkLearningRate(op, opts.lr ?? 1e-3);
  const [beta1, beta2] = opts.betas ?? [0.9, 0.999];
  checkRange(op, "beta1 (betas[0])", beta1, 0, 1, true);
  checkRange(op, "beta2 (betas[1])", beta2, 0, 1, true);
  const eps = checkRange(op, "eps", opts.eps ?? 1e-8, 0);
  const weightDecay = checkRange(op, "weightDecay", opts.weightDecay ?? (decoupled ? 1e-2 : 0), 0);
  const amsgrad = opts.amsgrad ?? false;
  const maximize = opts.maximize ?? false;
  return {
    init: (params) => ({
      count: 0,
      mu: map((p: Tensor) => zerosLike(p), params),
      nu: map((p: Tensor) => zerosLike(p), params),
      nuMax: amsgrad ? map((p: Tensor) => zerosLike(p), params) : null,
    }),
    update(grads, state, params) {
      const rate = rateAt(op, lr, state.count);
      const step = nextCount(state.count);
      const { stepSize, bc2Sqrt } = biasCorrections(rate, step, beta1, beta2);
      const others: Record<string, unknown> = { mu: state.mu, nu: state.nu };
      if (weightDecay !== 0) others.p = requireParams(op, params);
      if (amsgrad) others.nuMax = state.nuMax;
      const mask = decoupled ? opts.weightDecayMask : undefined;
      const flags = mask === undefined || weightDecay === 0
        ? undefined
        : maskFlags(op, others.p, mask);
      let i = 0;
      const keys = amsgrad ? ["u", "mu", "nu", "nuMax"] as const : ["u", "mu", "nu"] as const;
      // Plain Adam steps (no weight decay, no AMSGrad) may run as one fused kernel per leaf.
      const constants = weightDecay === 0 && !amsgrad && typeof stepSize === "number" &&
          typeof bc2Sqrt === "number"
        ? {
          beta1,
          oneMinusBeta1: 1 - beta1,
          beta2,
          oneMinusBeta2: 1 - beta2,
          bc2Sqrt,
          eps,
          negStepSize: -stepSize,
          negate: maximize,
        }
        : undefined;
      const r = leafwise(op, grads, others, keys, (g0, x) => {
        const fused = constants && fusedAdam(g0, x.mu, x.nu, constants);
        if (fused) return { u: fused[0], mu: fused[1], nu: fused[2], nuMax: fused[2] };
        const g = decoupled ? decayedGrad(g0, undefined, maximize, 0) : decayedGrad(
          g0,
          x.p,
          maximize,
          weightDecay,
        );
        const mu = add(mul(x.mu, beta1), mul(g, 1 - beta1));
        const nu = add(mul(x.nu, beta2), mul(mul(g, g), 1 - beta2));
        const nuMax = amsgrad ? maximum(x.nuMax, nu) : nu;
        const denom = add(div(sqrt(nuMax), bc2Sqrt), eps);
        let u = mul(div(mu, denom), negated(stepSize));
        const decay = flags === undefined || flags[i++];
        if (decoupled && weightDecay !== 0 && decay) {
          // PyTorch: p *= 1 - lr * weightDecay, then the Adam step from the decayed p.
          u = add(sub(mul(x.p, oneMinus(rate, weightDecay)), x.p), u);
        }
        return { u, mu, nu, nuMax };
      });
      const next: AdamState = {
        count: step,
        mu: r.mu,
        nu: r.nu,
        nuMax: amsgrad ? (r as Record<"nuMax", unknown>).nuMax : null,
      };
      return [r.u as typeof grads, next];
    },
  };
}

/**
 * Adam as `torch.optim.Adam` (PyTorch 1.13), per parameter at step `t = 1, 2, ...`:
 *
 * ```text
 * g = maximize ? -g : g;  if weightDecay: g = g + weightDecay * p
 * m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g²
 * vhat = amsgrad ? (vmax = max(vmax, v)) : v
 * update = -(lr / (1 - beta1^t)) * m / (sqrt(vhat) / sqrt(1 - beta2^t) + eps)
 * ```
 *
 * @param opts The options (all optional).
 * @returns The transformation.
 * @throws {RangeError} For a negative learning rate, eps or weight decay, or betas outside [0, 1).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "@fluxion/fluxion";
 * const opt = optim.adam({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
 * const params = { w: tensor([1, 2]) };
 * const [updates] = opt.update({ w: tensor([0.1, -0.1]) }, opt.init(params), params);
 * ```
 */
export function adam(opts: AdamOptions = {}): GradientTransformation<AdamState> {
  return adamLike("adam", opts, false);
}

/**
 * AdamW as `torch.optim.AdamW` (PyTorch 1.13): decoupled weight decay `p *= 1 - lr * weightDecay`
 * before the Adam step of {@linkcode adam} (which then sees no L2 term). `weightDecay` defaults to
 * 1e-2. `weightDecayMask` selects the parameters to decay (PyTorch does this with a parameter
 * group whose `weight_decay` is 0), commonly every weight but not biases and norm scales.
 *
 * @param opts The options (all optional).
 * @returns The transformation.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const opt = optim.adamw({
 *   lr: 3e-4,
 *   weightDecay: 0.05,
 *   weightDecayMask: (path) => path.endsWith(".weight"),
 * });
 * ```
 */
export function adamw(opts: AdamWOptions = {}): GradientTransformation<AdamState> {
  return adamLike("adamw", opts, true);
}
