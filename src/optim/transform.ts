/**
 * Gradient transformations, the shape of every optimizer: `GradientTransformation`, `chain`,
 * `applyUpdates`, learning-rate values (`LearningRate`) and stateless building blocks
 * (`identity`, `scale`, `scaleByLearningRate`).
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { add, mul } from "../ops/arithmetic.ts";
import { map } from "../tree/traverse.ts";
import type { Schedule } from "./schedules.ts";
import { checkLearningRate } from "./checks.ts";
import { negated, nextCount, rateAt } from "./step_count.ts";
import type { StepCount } from "./capturable.ts";

/**
 * A pure gradient transformation, as in Optax: `init(params)` builds the state, and
 * `update(grads, state, params?)` maps gradients (a pytree with the parameters' structure) and
 * the state to updates of the same structure and a new state. Nothing is mutated. Optimizers
 * return updates that already carry the minus sign and the learning rate, so
 * {@linkcode applyUpdates} adds them to the parameters.
 *
 * The state is a pytree of tensors and plain numbers (step counts), so it can be stored.
 *
 * @typeParam S The state.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "@fluxion/fluxion";
 * const opt: optim.GradientTransformation<optim.AdamState> = optim.adam({ lr: 0.1 });
 * let params = { w: tensor([1, 2]) };
 * let state = opt.init(params);
 * const grads = { w: tensor([0.5, -0.5]) };
 * const [updates, next] = opt.update(grads, state, params);
 * params = optim.applyUpdates(params, updates);
 * state = next;
 * ```
 */
export interface GradientTransformation<S> {
  /** The initial state for parameters `params` (a pytree of tensors). */
  init(params: unknown): S;
  /**
   * The updates for gradients `grads` and the next state. `params` (the current parameters) is
   * needed by transformations that read them (weight decay) and ignored by the others.
   */
  update<P>(grads: P, state: S, params?: P): [P, S];
}

/**
 * A learning rate: a number, or a {@linkcode Schedule} called with the step count (0 at the first
 * update).
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const fixed: optim.LearningRate = 0.1;
 * const decayed: optim.LearningRate = optim.exponentialDecay({ init: 0.1, gamma: 0.9 });
 * ```
 */
export type LearningRate = number | Schedule;

/** The state of a transformation that only counts its steps. */
export interface CountState {
  /** The number of updates made so far. */
  readonly count: StepCount;
}

/**
 * Chains transformations: each one's updates are the next one's gradients, left to right, like
 * `optax.chain`. The state is the tuple of their states.
 *
 * @param ts The transformations, applied in order.
 * @returns Their composition.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * // clip the gradient norm, then Adam
 * const opt = optim.chain(optim.clipByGlobalNorm(1), optim.adam({ lr: 1e-3 }));
 * ```
 */
export function chain<S extends unknown[]>(
  ...ts: { [K in keyof S]: GradientTransformation<S[K]> }
): GradientTransformation<S> {
  ts.forEach((t, i) => {
    if (t === null || typeof t !== "object" || typeof t.init !== "function") {
      throw new TypeError(`chain: argument ${i} is not a gradient transformation`);
    }
  });
  return {
    init: (params) => ts.map((t) => t.init(params)) as S,
    update(grads, state, params) {
      if (!Array.isArray(state) || state.length !== ts.length) {
        throw new Error(`chain: expected a state of ${ts.length} entries (from this chain's init)`);
      }
      let u = grads;
      const next = ts.map((t, i) => {
        const [ui, si] = t.update(u, state[i], params);
        u = ui;
        return si;
      });
      return [u, next as S];
    },
  };
}

/**
 * The parameters after one step: `params + updates`, leaf by leaf. Updates from this module's
 * optimizers already include the learning rate and the minus sign.
 *
 * @param params The parameters.
 * @param updates Updates of the same structure.
 * @returns New parameters; the inputs are unchanged.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "@fluxion/fluxion";
 * const p = optim.applyUpdates({ w: tensor([1, 2]) }, { w: tensor([-0.5, 0.5]) }); // w: [0.5, 2.5]
 * ```
 */
export function applyUpdates<P>(params: P, updates: NoInfer<P>): P {
  return map((p: Tensor, u: Tensor) => add(p, u), params, updates);
}

/**
 * The transformation that returns the gradients as updates.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const noop = optim.identity();
 * ```
 */
export function identity(): GradientTransformation<Record<string, never>> {
  return { init: () => ({}), update: (grads, state) => [grads, state] };
}

/**
 * Multiplies the updates by a constant `factor`.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const ascend = optim.scale(-1); // flips the sign of every update
 * ```
 */
export function scale(factor: number): GradientTransformation<Record<string, never>> {
  if (typeof factor !== "number" || !Number.isFinite(factor)) {
    throw new RangeError(`scale: factor must be a finite number, got ${String(factor)}`);
  }
  return {
    init: () => ({}),
    update: (grads, state) => [map((g: Tensor) => mul(g, factor), grads), state],
  };
}

/**
 * Multiplies the updates by `-lr` (a number, or a schedule evaluated at the step count), turning
 * a descent direction into updates for {@linkcode applyUpdates}; the last link of a chain built
 * from parts, like plain SGD: `chain(addDecayedWeights(wd), scaleByLearningRate(lr))`.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const sgd = optim.chain(
 *   optim.clipByValue(1),
 *   optim.scaleByLearningRate(optim.stepDecay({ init: 0.1, stepSize: 30, gamma: 0.1 })),
 * );
 * ```
 */
export function scaleByLearningRate(lr: LearningRate): GradientTransformation<CountState> {
  const op = "scaleByLearningRate";
  checkLearningRate(op, lr);
  return {
    init: () => ({ count: 0 }),
    update(grads, state) {
      const a = negated(rateAt(op, lr, state.count));
      return [map((g: Tensor) => mul(g, a), grads), { count: nextCount(state.count) }];
    },
  };
}
